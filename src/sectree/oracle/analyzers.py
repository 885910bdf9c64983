"""Static analyzers over candidates, batched, each finding mapped to a CWE through one table.

Analyzers only parse the candidate (they never import or execute it), so they run on the host.
A missing analyzer is reported in ``Verdict.analyzers_missing``, never a crash.
"""

from __future__ import annotations

import logging
import os
import tempfile
from abc import ABC, abstractmethod
from functools import lru_cache

from sectree.oracle.verdict import Finding

# Rule id -> CWE, our single mapping table. It overrides the tool's own CWE where the tool's is generic
# (bandit maps yaml.load to CWE-20; the vulnerability our tasks test is CWE-502).
RULE_CWE: dict[str, int] = {
    # bandit
    "B102": 78, "B103": 732, "B104": 605, "B105": 798, "B106": 798, "B107": 798, "B108": 377,
    "B113": 400, "B201": 94, "B301": 502, "B302": 502, "B303": 328, "B304": 327, "B305": 327,
    "B306": 377, "B307": 94, "B308": 79, "B310": 918, "B311": 338, "B312": 319, "B313": 611,
    "B314": 611, "B315": 611, "B316": 611, "B317": 611, "B318": 611, "B319": 611, "B320": 611,
    "B321": 319, "B323": 295, "B324": 328, "B501": 295, "B502": 327, "B503": 327, "B504": 327,
    "B505": 326, "B506": 502, "B507": 295, "B508": 327, "B509": 327, "B601": 78, "B602": 78,
    "B603": 78, "B604": 78, "B605": 78, "B606": 78, "B607": 78, "B608": 89, "B609": 78,
    "B610": 89, "B611": 89, "B612": 94, "B613": 838, "B614": 502, "B701": 79, "B702": 79,
    "B703": 79, "B704": 79,
}
# Rules that fire on a mere import (bandit's B4xx "blacklist imports"): recorded, never a vulnerability
IMPORT_ONLY_PREFIXES = ("B4",)

# CWEs that name the same weakness at different granularity; a finding matches a task if they share a group
CWE_GROUPS: list[set[int]] = [
    {327, 328, 916, 759, 760, 326},
    {330, 338},
    {611, 776, 827},
    {400, 1333, 770, 409},
    {94, 95},
    {78, 77, 88},
    {22, 23, 36, 73},
    {79, 80},
    {502},
    {89, 943},
    {295, 297},
    {377, 379},
    {798, 259},
]


def related_cwes(cwes: tuple[int, ...] | list[int]) -> set[int]:
    out = set(cwes)
    for g in CWE_GROUPS:
        if out & g:
            out |= g
    return out


def counts_as_vulnerability(f: Finding) -> bool:
    """A finding that signals a real weakness: not an import-only rule, at least medium severity."""
    return not f.rule.startswith(IMPORT_ONLY_PREFIXES) and f.severity.upper() in ("MEDIUM", "HIGH")


class Analyzer(ABC):
    """Runs over many candidate sources at once; returns one list of findings per source."""

    name: str
    language: str

    @abstractmethod
    def available(self) -> bool: ...

    @abstractmethod
    def analyze(self, sources: list[str]) -> list[list[Finding]]: ...


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


ANALYZERS: dict[str, list[Analyzer]] = {"python": [Bandit()]}


def analyze(language: str, sources: list[str]) -> tuple[list[list[Finding]], list[str]]:
    """Findings per source from every analyzer of ``language``, and the names of missing analyzers."""
    findings: list[list[Finding]] = [[] for _ in sources]
    missing: list[str] = []
    for a in ANALYZERS.get(language, []):
        if not a.available():
            missing.append(a.name)
            continue
        for acc, fs in zip(findings, a.analyze(sources)):
            acc.extend(fs)
    return findings, missing
