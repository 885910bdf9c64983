"""C and C++: cppcheck, ``clang --analyze`` (plus a ``-fsyntax-only`` warning pass) and flawfinder."""

from __future__ import annotations

import csv
import io
import os
import plistlib
import re
import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sectree.oracle.analyzers.base import ToolAnalyzer, _cwe_from_text, _index_of, mark_batch_failed
from sectree.oracle.cwe import RULE_CWE
from sectree.oracle.verdict import Finding


class Cppcheck(ToolAnalyzer):
    """cppcheck over the whole batch in one process (``-j 2``), XML v2 output (each error carries a CWE).

    Severity: error -> HIGH, warning -> MEDIUM, style/performance/portability -> LOW (information and
    tool-internal ids are dropped). Confidence: cppcheck reports an error only when it proved it on some
    path -> HIGH; a warning -> MEDIUM; style/portability -> LOW; anything flagged inconclusive -> LOW.
    """

    command = "cppcheck"
    timeout_per_file_s = 1.0
    SEVERITY = {"error": "HIGH", "warning": "MEDIUM", "style": "LOW", "performance": "LOW", "portability": "LOW"}
    CONFIDENCE = {"error": "HIGH", "warning": "MEDIUM"}
    SKIP_IDS = {"syntaxError", "internalAstError", "unknownMacro", "missingInclude", "missingIncludeSystem",
                "internalError", "preprocessorErrorDirective", "toomanyconfigs", "checkersReport",
                "normalCheckLevelMaxBranches", "cppcheckError", "instantiationError", "noValidConfiguration"}

    def __init__(self, language: str) -> None:
        super().__init__()
        self.name, self.language, self.ext = "cppcheck", language, "c" if language == "c" else "cpp"

    def run_batch(self, d: Path, paths: list[Path]) -> dict[int, list[Finding]]:
        args = [self.executable() or self.command, "--xml", "--xml-version=2", "--quiet", "-j", "2",
                "--enable=warning,portability", "--inconclusive", "--library=posix",
                "--language=" + ("c" if self.language == "c" else "c++"),
                *[p.name for p in paths]]
        proc = self.run(args, d, self.batch_timeout(len(paths)))
        if proc is None:
            return {}
        xml = proc.stderr[proc.stderr.find("<?xml"):] if "<?xml" in proc.stderr else ""
        if not xml:
            raise RuntimeError(f"no XML output (exit {proc.returncode}): {proc.stderr[-300:]!r}")
        out: dict[int, list[Finding]] = {}
        for err in ET.fromstring(xml).iter("error"):
            rule, sev = err.get("id", ""), err.get("severity", "")
            if rule in self.SKIP_IDS or sev not in self.SEVERITY:
                continue
            loc = err.find("location")  # the first location is where the error is
            idx = _index_of(loc.get("file", "") if loc is not None else err.get("file0", ""))
            if idx is None:
                continue
            tool_cwe = int(err.get("cwe")) if (err.get("cwe") or "").isdigit() else None
            confidence = "LOW" if err.get("inconclusive") == "true" else self.CONFIDENCE.get(sev, "LOW")
            out.setdefault(idx, []).append(Finding(
                tool="cppcheck", rule=rule, cwe=RULE_CWE.get(rule, tool_cwe),
                line=int(loc.get("line", 0)) if loc is not None else 0,
                severity=self.SEVERITY[sev], confidence=confidence, message=err.get("msg", "")))
        return out


class ClangAnalyzer(ToolAnalyzer):
    """``clang --analyze`` with plist output: the default checkers plus the security and alpha.security ones
    below. The batch is split over ``jobs`` concurrent clang processes (one driver analyzes many files; a
    file that does not compile does not stop the others). On a timeout, plists already written are kept.

    Severity: memory errors (double free, use after free, bad free), core.* (null dereference, division by
    zero, uninitialized reads) -> HIGH; security.insecureAPI.*, alpha.*, other checkers -> MEDIUM; leaks and
    dead stores -> LOW. Confidence: the path-sensitive core/unix/cplusplus checkers -> HIGH (a path was
    found); security.insecureAPI.* flag an API by name -> MEDIUM; alpha.* (experimental) -> LOW.
    Compiler warnings that name a weakness (``WARNINGS``, e.g. -Wformat-security: a non-literal format
    string) come from a ``-fsyntax-only`` pass over the same chunk: severity MEDIUM, confidence MEDIUM.
    """

    command = "clang"
    timeout_per_file_s = 10.0
    jobs = 2
    # compiler warnings that name a weakness (a -fsyntax-only pass per chunk; --analyze hides warnings)
    # (-Wformat-nonliteral is left out: it flags every vfprintf wrapper, secure ones too)
    WARNINGS = ("-Wformat-security", "-Warray-bounds", "-Wfortify-source",
                "-Wreturn-stack-address", "-Wsizeof-pointer-memaccess", "-Wshift-count-overflow")
    CHECKERS = ("security.insecureAPI.strcpy", "alpha.security.ArrayBoundV2", "alpha.security.MallocOverflow",
                "alpha.security.ReturnPtrRange", "alpha.unix.cstring.OutOfBounds",
                "alpha.unix.cstring.BufferOverlap", "alpha.unix.cstring.NotNullTerminated")

    def __init__(self, language: str) -> None:
        super().__init__()
        self.name, self.language = "clang-analyzer", language
        self.ext, self.std = ("c", "-std=gnu11") if language == "c" else ("cpp", "-std=gnu++17")
        # not inlining the C++ standard library halves the time per file (weaknesses are in the candidate)
        self.config = [] if language == "c" else [
            "-Xanalyzer", "-analyzer-config", "-Xanalyzer", "c++-stdlib-inlining=false"]

    def run_batch(self, d: Path, paths: list[Path]) -> dict[int, list[Finding]]:
        jobs = max(1, min(self.jobs, len(paths), os.cpu_count() or 1))
        chunks = [paths[j::jobs] for j in range(jobs)]
        base = [self.executable() or self.command, "--analyze", self.std, "-w",
                "-Xanalyzer", "-analyzer-output=plist", *self.config,
                "-Xanalyzer", "-analyzer-checker=" + ",".join(self.CHECKERS)]
        warn = [self.executable() or self.command, "-fsyntax-only", self.std, "-Wno-everything",
                *self.WARNINGS]

        def chunk(c: list[Path]) -> tuple[subprocess.CompletedProcess | None, ...]:
            names = [p.name for p in c]
            return (self.run([*base, *names], d, self.batch_timeout(len(c))),
                    self.run([*warn, *names], d, self.timeout_s + len(c)))

        with ThreadPoolExecutor(jobs) as ex:
            procs = list(ex.map(chunk, chunks))
        if any(p is None for pair in procs for p in pair):
            mark_batch_failed()  # the pool's threads marked only themselves
        if all(p is None for pair in procs for p in pair):
            return {}
        out: dict[int, list[Finding]] = {}
        for _, wp in procs:  # compiler warnings, as "c3.c:5:31: warning: message [-Wflag]"
            for m in re.finditer(r"^(c\d+\.\w+):(\d+):\d+: warning: (.*) \[(-W[\w-]+)[^\]]*\]$",
                                 wp.stderr if wp else "", re.M):
                flag = m.group(4)
                out.setdefault(_index_of(m.group(1)), []).append(Finding(
                    tool="clang-analyzer", rule=flag, cwe=RULE_CWE.get(flag), line=int(m.group(2)),
                    severity="MEDIUM", confidence="MEDIUM" if flag in self.WARNINGS else "LOW",
                    message=m.group(3)))
        for p in paths:
            plist = p.with_suffix(".plist")
            if not plist.exists():
                continue  # did not compile (the oracle reports that), or the chunk timed out
            try:
                data = plistlib.loads(plist.read_bytes())
            except Exception:  # noqa: BLE001 - a plist cut short by a timeout
                continue
            idx = _index_of(p.name)
            files = data.get("files", [])
            for dg in data.get("diagnostics", []):
                loc = dg.get("location", {})
                fi = loc.get("file", 0)
                if not (0 <= fi < len(files)) or os.path.basename(files[fi]) != p.name:
                    continue  # inside a header
                out.setdefault(idx, []).append(self.finding(dg, int(loc.get("line", 0))))
        return out

    def finding(self, dg: dict, line: int) -> Finding:
        checker, kind, desc = dg.get("check_name", ""), dg.get("type", ""), dg.get("description", "")
        cwe = RULE_CWE.get(f"{checker}:{kind}", RULE_CWE.get(checker, _cwe_from_text(desc)))
        if kind == "Memory leak" or checker.startswith(("deadcode.", "cplusplus.NewDeleteLeaks")):
            severity = "LOW"
        elif checker.startswith(("core.", "unix.Malloc", "cplusplus.NewDelete", "cplusplus.InnerPointer")):
            severity = "HIGH"
        else:
            severity = "MEDIUM"
        if checker.startswith("alpha."):
            confidence = "LOW"
        elif checker.startswith(("security.", "optin.")):
            confidence = "MEDIUM"
        else:
            confidence = "HIGH"
        return Finding(tool="clang-analyzer", rule=checker, cwe=cwe, line=line, severity=severity,
                       confidence=confidence, message=desc)


class Flawfinder(ToolAnalyzer):
    """flawfinder (lexical: it matches risky calls, lowering the risk level when arguments are constant)
    over the batch in one process, ``--csv --falsepositive --minlevel=2``.

    Severity from its risk level: 4-5 -> HIGH, 3 -> MEDIUM, 0-2 -> LOW. Confidence: it sees no data
    flow, so never HIGH: level >= 4 (a dangerous call with a non-constant argument) -> MEDIUM, else LOW.
    """

    command = "flawfinder"
    timeout_per_file_s = 0.5

    def __init__(self, language: str) -> None:
        super().__init__()
        self.name, self.language, self.ext = "flawfinder", language, "c" if language == "c" else "cpp"

    def run_batch(self, d: Path, paths: list[Path]) -> dict[int, list[Finding]]:
        args = [self.executable() or self.command, "--csv", "--falsepositive", "--minlevel=2", "--quiet",
                *[p.name for p in paths]]
        proc = self.run(args, d, self.batch_timeout(len(paths)))
        if proc is None:
            return {}
        if proc.returncode != 0 or not proc.stdout.startswith("File,"):
            raise RuntimeError(f"exit {proc.returncode}: {proc.stderr[-300:]!r}")
        out: dict[int, list[Finding]] = {}
        for row in csv.DictReader(io.StringIO(proc.stdout)):
            idx = _index_of(row.get("File", ""))
            if idx is None:
                continue
            level = int(row.get("Level") or 0)
            name = row.get("Name", "")
            out.setdefault(idx, []).append(Finding(
                tool="flawfinder", rule=name, cwe=RULE_CWE.get(name, self.tool_cwe(row.get("CWEs", ""))),
                line=int(row.get("Line") or 0),
                severity="HIGH" if level >= 4 else "MEDIUM" if level == 3 else "LOW",
                confidence="MEDIUM" if level >= 4 else "LOW",
                message=row.get("Warning", "")))
        return out

    @staticmethod
    def tool_cwe(field: str) -> int | None:
        """'CWE-119!/CWE-120' -> 120 ('!' marks the more general one), 'CWE-120, CWE-20' -> 120."""
        ids = re.findall(r"CWE-(\d+)(!?)", field)
        specific = [int(n) for n, bang in ids if not bang]
        return specific[0] if specific else int(ids[0][0]) if ids else None

