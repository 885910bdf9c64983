"""JavaScript: eslint + eslint-plugin-security from ``tools/eslint`` (installed by ``make setup``)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from sectree.oracle.analyzers.base import ToolAnalyzer, _cwe_from_text, _index_of
from sectree.oracle.cwe import RULE_CWE
from sectree.oracle.verdict import Finding


REPO_ROOT = Path(__file__).resolve().parents[4]  # src/sectree/oracle/analyzers/js.py -> the checkout


ESLINT_DIR = Path(os.environ.get("SECTREE_ESLINT_DIR", REPO_ROOT / "tools" / "eslint"))


class ESLint(ToolAnalyzer):
    """eslint + eslint-plugin-security from ``tools/eslint`` (``make setup`` runs ``npm ci`` there), all
    candidates in one process with that folder's flat config (no config lookup, inline config ignored).

    Severity: code/command injection (eval-like, child_process) -> HIGH; a bare ``require("child_process")``
    -> LOW (like bandit's import-only rules); the pattern-only rules in ``LOW_SEVERITY`` -> LOW: they fire
    on any code that indexes an object or opens a file by a variable name, secure references included, so
    they are recorded but never count (a counting finding with the task's CWE fails SPR@1); other rules ->
    MEDIUM. Confidence: eval with an expression, child_process.exec with a non-literal -> MEDIUM; rules
    that match a pattern without data flow (unsafe regex, Math.random, new Function, ...) -> LOW.
    """

    command, ext = "node", "js"
    timeout_per_file_s = 1.0
    HIGH = {"security/detect-child-process", "security/detect-eval-with-expression", "no-eval",
            "no-implied-eval", "no-restricted-syntax"}
    LOW_SEVERITY = {"security/detect-object-injection", "security/detect-non-literal-fs-filename",
                    "security/detect-non-literal-regexp", "security/detect-non-literal-require"}
    MEDIUM_CONFIDENCE = {"security/detect-child-process", "security/detect-eval-with-expression", "no-eval",
                         "no-implied-eval", "no-restricted-syntax", "security/detect-pseudoRandomBytes",
                         "security/detect-disable-mustache-escape", "security/detect-buffer-noassert"}

    def __init__(self, eslint_dir: Path | None = None) -> None:
        super().__init__()
        self.name, self.language = "eslint", "js"
        self.dir = Path(eslint_dir or ESLINT_DIR)

    @property
    def script(self) -> Path:
        return self.dir / "node_modules" / "eslint" / "bin" / "eslint.js"

    @property
    def config(self) -> Path:
        return self.dir / "eslint.config.js"

    def available(self) -> bool:
        return super().available() and self.script.is_file() and self.config.is_file()

    def write_sources(self, d: Path, sources: list[str]) -> list[Path]:
        paths = []
        for i, src in enumerate(sources):  # ES modules as .mjs, so that the config parses them as modules
            ext = "mjs" if re.search(r"^\s*(import\s*[\w{*'\"]|export\s)", src, re.M) else "js"
            p = d / f"c{i}.{ext}"
            p.write_text(src, encoding="utf-8", errors="replace")
            paths.append(p)
        return paths

    def run_batch(self, d: Path, paths: list[Path]) -> dict[int, list[Finding]]:
        args = [self.executable() or self.command, str(self.script.resolve()), "--format", "json",
                "--no-config-lookup", "-c", str(self.config.resolve()), "--no-warn-ignored",
                *[p.name for p in paths]]
        proc = self.run(args, d, self.batch_timeout(len(paths)))
        if proc is None:
            return {}
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"exit {proc.returncode}: {proc.stderr[-300:]!r}")
        out: dict[int, list[Finding]] = {}
        for res in json.loads(proc.stdout):
            idx = _index_of(res.get("filePath", ""))
            if idx is None:
                continue
            for m in res.get("messages", []):
                rule = m.get("ruleId")
                if not rule:
                    continue  # parse errors (the oracle reports those) and notes about directives
                msg = m.get("message", "")
                if rule in self.LOW_SEVERITY or (rule == "security/detect-child-process"
                                                 and msg.startswith("Found require(")):
                    severity = "LOW"
                else:
                    severity = "HIGH" if rule in self.HIGH else "MEDIUM"
                out.setdefault(idx, []).append(Finding(
                    tool="eslint", rule=rule, cwe=RULE_CWE.get(rule, _cwe_from_text(msg)),
                    line=int(m.get("line") or 0), severity=severity,
                    confidence="MEDIUM" if rule in self.MEDIUM_CONFIDENCE else "LOW", message=msg))
        return out

