"""Python: bandit, in-process (its import is deferred: bandit is optional, and ``available`` reports it)."""

from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache

from sectree.oracle.analyzers.base import Analyzer
from sectree.oracle.cwe import RULE_CWE
from sectree.oracle.verdict import Finding
from sectree.tasks.grammar import AST_LOCK


class Bandit(Analyzer):
    name, language = "bandit", "python"

    def available(self) -> bool:
        try:
            import bandit  # noqa: F401
        except ImportError:
            return False
        return True

    def analyze(self, sources: list[str]) -> list[list[Finding]]:
        from bandit.core import manager

        with tempfile.TemporaryDirectory(prefix="sectree-bandit-") as d:
            paths = []
            for i, src in enumerate(sources):
                p = os.path.join(d, f"c{i}.py")
                with open(p, "w", encoding="utf-8") as f:
                    f.write(src)
                paths.append(p)
            mgr = manager.BanditManager(_bandit_config(), "file", quiet=True)
            mgr.discover_files(paths, recursive=False)
            with AST_LOCK:  # bandit parses each file with ast.parse (grammar.AST_LOCK says why)
                mgr.run_tests()
            out: dict[str, list[Finding]] = {p: [] for p in paths}
            for issue in mgr.get_issue_list():
                cwe = RULE_CWE.get(issue.test_id, issue.cwe.id if issue.cwe else None)
                out.setdefault(issue.fname, []).append(
                    Finding(tool="bandit", rule=issue.test_id, cwe=cwe, line=int(issue.lineno),
                            severity=str(issue.severity), confidence=str(issue.confidence), message=issue.text)
                )
            return [sorted(out[p], key=lambda f: (f.line, f.rule)) for p in paths]


@lru_cache(maxsize=1)
def _bandit_config():
    from bandit.core import config

    logging.getLogger("bandit").setLevel(logging.ERROR)
    return config.BanditConfig()

