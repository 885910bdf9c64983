"""Go: ``go vet -json``, every candidate its own package under one temp GOPATH-less tree."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from sectree.oracle.analyzers.base import ToolAnalyzer, _index_of
from sectree.oracle.cwe import RULE_CWE
from sectree.oracle.verdict import Finding


class GoVet(ToolAnalyzer):
    """``go vet -json`` over every candidate at once, each in its own package dir (GO111MODULE=off, so no
    module or network is needed), with GOCACHE in the batch's temp dir. CGO_ENABLED=1 reuses the prebuilt
    standard library; CC=false so that cgo never compiles a candidate's C preamble.

    Severity: printf, httpresponse, unsafeptr -> MEDIUM; the other analyzers (correctness, not security)
    -> LOW. Confidence: vet's analyzers report only what they proved -> HIGH, printf -> MEDIUM (a format
    mismatch is rarely exploitable in Go).
    """

    command, ext = "go", "go"
    timeout_s, timeout_per_file_s = 120.0, 2.0
    MEDIUM = {"printf", "httpresponse", "unsafeptr"}

    def __init__(self) -> None:
        super().__init__()
        self.name, self.language = "go-vet", "go"

    def write_sources(self, d: Path, sources: list[str]) -> list[Path]:
        paths = []
        for i, src in enumerate(sources):
            (d / "src" / f"c{i}").mkdir(parents=True)
            p = d / "src" / f"c{i}" / f"c{i}.go"
            p.write_text(src, encoding="utf-8", errors="replace")
            paths.append(p)
        return paths

    def run_batch(self, d: Path, paths: list[Path]) -> dict[int, list[Finding]]:
        env = {**os.environ, "GOCACHE": str(d / "cache"), "GOPATH": str(d / "gopath"), "GO111MODULE": "off",
               "CGO_ENABLED": "1", "CC": "false", "CXX": "false", "GOFLAGS": "", "GOENV": "off",
               "GOTOOLCHAIN": "local", "GOPROXY": "off"}
        args = [self.executable() or self.command, "vet", "-json", *[f"./{p.parent.name}" for p in paths]]
        proc = self.run(args, d / "src", self.batch_timeout(len(paths)), env=env)
        if proc is None:
            return {}
        out: dict[int, list[Finding]] = {}
        for obj in _json_objects(proc.stderr + proc.stdout):  # "# pkg" lines, then one object per package
            for analyzers in obj.values():
                for analyzer, diags in analyzers.items():
                    for dg in diags if isinstance(diags, list) else []:
                        m = re.match(r"(.*?):(\d+)(?::\d+)?$", dg.get("posn", ""))
                        idx = _index_of(m.group(1)) if m else None
                        if idx is None:
                            continue
                        out.setdefault(idx, []).append(Finding(
                            tool="go-vet", rule=analyzer, cwe=RULE_CWE.get(analyzer), line=int(m.group(2)),
                            severity="MEDIUM" if analyzer in self.MEDIUM else "LOW",
                            confidence="MEDIUM" if analyzer == "printf" else "HIGH",
                            message=dg.get("message", "")))
        return out


def _json_objects(text: str) -> list[dict]:
    """The JSON objects that start at the beginning of a line in ``text`` (other lines are skipped)."""
    dec, out, end = json.JSONDecoder(), [], 0
    for m in re.finditer(r"^\{", text, re.M):
        if m.start() < end:
            continue
        try:
            obj, end = dec.raw_decode(text, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out

