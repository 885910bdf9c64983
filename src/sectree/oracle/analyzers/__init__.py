"""Static analyzers over candidates, batched, each finding mapped to a CWE through one table.

Analyzers only parse the candidate (they never import or execute it), so they run on the host, but each
sees only temp copies of the candidate sources in a fresh temp dir (never the repo), has a timeout, and
reads no standard input. A missing analyzer is reported in ``Verdict.analyzers_missing``, never a crash;
an analyzer that fails or times out on a batch gives that batch no findings, logs a warning and marks the
batch (``batch_failed``), so that the oracle's findings cache does not keep it.

| language | analyzers (one process per batch unless noted)                                              |
| -------- | ------------------------------------------------------------------------------------------- |
| python   | bandit (in-process)                                                                         |
| c / cpp  | cppcheck (``-j 2``), ``clang --analyze`` (plist; the batch split over 2 processes), flawfinder |
| go       | ``go vet -json`` (every candidate its own package under one temp GOPATH-less tree)           |
| js       | eslint + eslint-plugin-security (``tools/eslint``, installed by ``make setup``)              |

One module per family: ``base`` (the ``Analyzer`` contract and the external-tool runner), ``python``, ``c``
(C and C++), ``go``, ``js``; the rule -> CWE table lives in ``sectree.oracle.cwe``. To add an analyzer,
subclass ``ToolAnalyzer`` (or ``Analyzer``) in its family's module and list it in ``ANALYZERS`` below.
"""

from __future__ import annotations

from sectree.oracle.analyzers.base import Analyzer, ToolAnalyzer, batch_failed
from sectree.oracle.analyzers.c import ClangAnalyzer, Cppcheck, Flawfinder
from sectree.oracle.analyzers.go import GoVet
from sectree.oracle.analyzers.js import ESLINT_DIR, REPO_ROOT, ESLint
from sectree.oracle.analyzers.python import Bandit

# the CWE tables moved to sectree.oracle.cwe; importing them from here keeps working
from sectree.oracle.cwe import CWE_GROUPS, IMPORT_ONLY_PREFIXES, RULE_CWE, counts_as_vulnerability, related_cwes
from sectree.oracle.verdict import Finding


ANALYZERS: dict[str, list[Analyzer]] = {
    "python": [Bandit()],
    "c": [Cppcheck("c"), ClangAnalyzer("c"), Flawfinder("c")],
    "cpp": [Cppcheck("cpp"), ClangAnalyzer("cpp"), Flawfinder("cpp")],
    "go": [GoVet()],
    "js": [ESLint()],
}


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


__all__ = [
    "ANALYZERS",
    "Analyzer",
    "Bandit",
    "CWE_GROUPS",
    "ClangAnalyzer",
    "Cppcheck",
    "ESLINT_DIR",
    "ESLint",
    "Flawfinder",
    "GoVet",
    "IMPORT_ONLY_PREFIXES",
    "REPO_ROOT",
    "RULE_CWE",
    "ToolAnalyzer",
    "analyze",
    "batch_failed",
    "counts_as_vulnerability",
    "related_cwes",
]
