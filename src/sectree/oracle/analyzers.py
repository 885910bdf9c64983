"""Static analyzers over candidates, batched, each finding mapped to a CWE through one table.

Analyzers only parse the candidate (they never import or execute it), so they run on the host, but each
sees only temp copies of the candidate sources in a fresh temp dir (never the repo), has a timeout, and
reads no standard input. A missing analyzer is reported in ``Verdict.analyzers_missing``, never a crash;
an analyzer that fails or times out on a batch gives that batch no findings and logs a warning.

| language | analyzers (one process per batch unless noted)                                              |
| -------- | ------------------------------------------------------------------------------------------- |
| python   | bandit (in-process)                                                                         |
| c / cpp  | cppcheck (``-j 2``), ``clang --analyze`` (plist; the batch split over 2 processes), flawfinder |
| go       | ``go vet -json`` (every candidate its own package under one temp GOPATH-less tree)           |
| js       | eslint + eslint-plugin-security (``tools/eslint``, installed by ``make setup``)              |
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import plistlib
import re
import shutil
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from sectree.oracle.verdict import Finding

log = logging.getLogger(__name__)

# Rule id -> CWE, our single mapping table. It overrides the tool's own CWE where the tool's is generic
# (bandit maps yaml.load to CWE-20; the vulnerability our tasks test is CWE-502). Rule ids are the tools'
# own: bandit test ids (B602), cppcheck error ids (nullPointer), clang checker names (core.NullDereference;
# "checker:bug type" where one checker reports several weaknesses, e.g. unix.Malloc), flawfinder function
# names (strcpy), go vet analyzer names (printf), eslint rule ids (security/detect-child-process).
# Where a rule is absent, the tool's own CWE is used (cppcheck's XML cwe, flawfinder's CSV CWEs, a CWE-n
# in a clang message), else None.
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
    # cppcheck (its own CWE is kept for ids not listed; these name the weakness our tasks test)
    "bufferAccessOutOfBounds": 787, "arrayIndexOutOfBounds": 788, "arrayIndexOutOfBoundsCond": 788,
    "outOfBounds": 788, "negativeIndex": 786, "negativeMemoryAllocationSize": 131,
    "insecureCmdLineArgs": 120, "invalidscanf": 120, "invalidScanfFormatWidth": 120, "getsCalled": 120,
    "terminateStrncpy": 170, "bufferNotZeroTerminated": 170, "possibleBufferAccessOutOfBounds": 787,
    "nullPointer": 476, "nullPointerRedundantCheck": 476, "nullPointerDefaultArg": 476,
    "nullPointerArithmetic": 476, "nullPointerArithmeticRedundantCheck": 476, "ctunullpointer": 476,
    "doubleFree": 415, "deallocDealloc": 415,
    "useAfterFree": 416, "deallocuse": 416, "deallocret": 416, "invalidContainer": 416,
    "invalidIterator1": 416, "invalidIterator2": 416, "danglingLifetime": 416,
    "danglingTemporaryLifetime": 416, "danglingTempReference": 416, "danglingReference": 416,
    "returnDanglingLifetime": 416,
    "integerOverflow": 190, "integerOverflowCond": 190,
    "memleak": 401, "memleakOnRealloc": 401, "resourceLeak": 775,
    "mktempCalled": 377, "tmpnamCalled": 377, "tempnamCalled": 377,
    "wrongPrintfScanfArgNum": 685, "zerodiv": 369, "zerodivcond": 369, "uninitvar": 457,
    "mismatchAllocDealloc": 762,
    # clang --analyze (path-sensitive checkers; "checker:bug type" first, then "checker")
    "core.NullDereference": 476, "core.NonNullParamChecker": 476, "unix.cstring.NullArg": 476,
    "core.DivideZero": 369, "core.StackAddressEscape": 562, "core.CallAndMessage": 457,
    "core.UndefinedBinaryOperatorResult": 457, "core.uninitialized.Assign": 457,
    "core.uninitialized.ArraySubscript": 457, "core.uninitialized.Branch": 457,
    "core.uninitialized.UndefReturn": 457, "core.VLASize": 129,
    "unix.Malloc": 401, "unix.Malloc:Double free": 415, "unix.Malloc:Use-after-free": 416,
    "unix.Malloc:Memory leak": 401, "unix.Malloc:Bad free": 590, "unix.Malloc:Offset free": 761,
    "unix.Malloc:Free alloca()": 590, "unix.Malloc:Use of zero allocated": 687,
    "cplusplus.NewDelete": 416, "cplusplus.NewDelete:Double free": 415,
    "cplusplus.NewDelete:Double delete": 415, "cplusplus.NewDelete:Use-after-free": 416,
    "cplusplus.NewDelete:Bad free": 590, "cplusplus.NewDeleteLeaks": 401, "cplusplus.InnerPointer": 416,
    "unix.MismatchedDeallocator": 762, "unix.API": 628, "unix.Vfork": 662,
    "security.insecureAPI.strcpy": 120, "security.insecureAPI.gets": 120, "security.insecureAPI.getpw": 120,
    "security.insecureAPI.mktemp": 377, "security.insecureAPI.mkstemp": 377, "security.insecureAPI.rand": 338,
    "security.insecureAPI.vfork": 662, "security.insecureAPI.UncheckedReturn": 252,
    "alpha.security.ArrayBound": 788, "alpha.security.ArrayBoundV2": 788,
    "alpha.security.MallocOverflow": 190, "alpha.security.ReturnPtrRange": 466,
    "alpha.unix.cstring.OutOfBounds": 787, "alpha.unix.cstring.BufferOverlap": 475,
    "alpha.unix.cstring.NotNullTerminated": 170,
    # clang compiler warnings (the analyzer's -fsyntax-only pass)
    "-Wformat-security": 134, "-Warray-bounds": 788, "-Wfortify-source": 120,
    "-Wreturn-stack-address": 562, "-Wsizeof-pointer-memaccess": 131, "-Wshift-count-overflow": 190,
    # flawfinder (function names; printf-family are left to flawfinder's own CWE, which tells a
    # non-constant format (134) from an unbounded copy (120))
    "strcpy": 120, "strcat": 120, "gets": 120, "char": 120, "memcpy": 120, "CopyMemory": 120,
    "wcscpy": 120, "wcscat": 120, "lstrcpy": 120, "lstrcat": 120, "strcpyA": 120, "strcpyW": 120,
    "StrCpy": 120, "StrCat": 120, "strncpy": 120, "strncat": 120, "bcopy": 120, "realpath": 120,
    "getwd": 120, "scanf": 120, "fscanf": 120, "sscanf": 120, "vscanf": 120, "vsscanf": 120,
    "vfscanf": 120, "getopt": 120, "getopt_long": 120, "getpass": 120, "streadd": 120, "strecpy": 120,
    "strtrns": 120,
    "system": 78, "popen": 78, "execl": 78, "execlp": 78, "execle": 78, "execv": 78, "execvp": 78,
    "ShellExecute": 78, "CreateProcess": 78, "WinExec": 78,
    "mktemp": 377, "tmpnam": 377, "tempnam": 377, "tmpfile": 377, "GetTempFileName": 377,
    "rand": 338, "srand": 338, "random": 338, "srandom": 338, "drand48": 338, "erand48": 338,
    "lrand48": 338, "nrand48": 338, "mrand48": 338, "jrand48": 338, "srand48": 338, "seed48": 338,
    "lcong48": 338, "atoi": 190, "atol": 190, "strlen": 126, "wcslen": 126, "umask": 732,
    "chmod": 362, "chown": 362, "access": 367, "readlink": 362,
    # go vet (analyzer names; Go >= 1.24's printf also flags a non-constant format string)
    "printf": 134, "httpresponse": 476, "unsafeptr": 119, "lostcancel": 404, "shift": 190,
    "unusedresult": 252, "unreachable": 561, "atomic": 362, "copylocks": 667, "stringintconv": 704,
    "nilfunc": 480, "bools": 571,
    # eslint + eslint-plugin-security (and the eslint core rules tools/eslint/eslint.config.js enables)
    "security/detect-child-process": 78, "no-restricted-syntax": 78,
    "security/detect-eval-with-expression": 94, "no-eval": 94, "no-implied-eval": 94, "no-new-func": 94,
    "security/detect-non-literal-require": 829, "security/detect-non-literal-fs-filename": 22,
    "security/detect-pseudoRandomBytes": 338, "no-restricted-properties": 338,
    "security/detect-unsafe-regex": 1333, "security/detect-non-literal-regexp": 1333,
    "security/detect-object-injection": 1321, "security/detect-possible-timing-attacks": 208,
    "security/detect-buffer-noassert": 119, "security/detect-new-buffer": 908,
    "security/detect-disable-mustache-escape": 79, "security/detect-no-csrf-before-method-override": 352,
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
    # memory safety (C/C++): writes past a buffer, reads past a buffer (119 and the index CWEs in both)
    {119, 120, 121, 122, 787, 788, 786, 805, 806, 170, 193, 131},
    {119, 125, 126, 127, 129, 788, 786},
    {416, 825, 672},
    {476, 690},
    {190, 191, 680},
    {915, 1321},
]


def related_cwes(cwes: tuple[int, ...] | list[int]) -> set[int]:
    """``cwes`` and every CWE sharing a group with one of them (one step: groups that share a member,
    like the buffer-write and buffer-read groups sharing CWE-119, are not chained)."""
    given, out = set(cwes), set(cwes)
    for g in CWE_GROUPS:
        if given & g:
            out |= g
    return out


def counts_as_vulnerability(f: Finding) -> bool:
    """A finding that signals a real weakness: not an import-only rule, at least medium severity."""
    return not f.rule.startswith(IMPORT_ONLY_PREFIXES) and f.severity.upper() in ("MEDIUM", "HIGH")


REPO_ROOT = Path(__file__).resolve().parents[3]
ESLINT_DIR = Path(os.environ.get("SECTREE_ESLINT_DIR", REPO_ROOT / "tools" / "eslint"))


class Analyzer(ABC):
    """Runs over many candidate sources at once; returns one list of findings per source."""

    name: str
    language: str

    @abstractmethod
    def available(self) -> bool: ...

    @abstractmethod
    def analyze(self, sources: list[str]) -> list[list[Finding]]: ...


class ToolAnalyzer(Analyzer):
    """An analyzer that runs an external command over temp copies of the sources.

    ``command`` is looked up on PATH; ``timeout_s`` + ``timeout_per_file_s`` * n bounds one batch.
    ``last_seconds`` holds the wall seconds of the last batch (for benchmarks).
    """

    command: str
    ext: str = ""
    timeout_s: float = 60.0
    timeout_per_file_s: float = 2.0

    def __init__(self) -> None:
        self.last_seconds = 0.0

    def executable(self) -> str | None:
        return shutil.which(self.command)

    def available(self) -> bool:
        return self.executable() is not None

    def batch_timeout(self, n: int) -> float:
        return self.timeout_s + self.timeout_per_file_s * n

    def analyze(self, sources: list[str]) -> list[list[Finding]]:
        out: list[list[Finding]] = [[] for _ in sources]
        if not sources:
            return out
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"sectree-{self.name}-") as d:
            paths = self.write_sources(Path(d), sources)
            try:
                found = self.run_batch(Path(d), paths)
            except Exception as e:  # noqa: BLE001 - a broken tool must not break judging
                log.warning("%s failed on a batch of %d sources: %s", self.name, len(sources), e)
                found = {}
        for i, fs in found.items():
            out[i] = sorted(fs, key=lambda f: (f.line, f.rule, f.message))
        self.last_seconds = time.monotonic() - t0
        return out

    def write_sources(self, d: Path, sources: list[str]) -> list[Path]:
        paths = []
        for i, src in enumerate(sources):
            p = d / f"c{i}.{self.ext}"
            p.write_text(src, encoding="utf-8", errors="replace")
            paths.append(p)
        return paths

    @abstractmethod
    def run_batch(self, d: Path, paths: list[Path]) -> dict[int, list[Finding]]:
        """Findings by source index; raise (or return {}) when the tool fails."""

    def run(self, args: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess | None:
        """The tool's completed process, or None (and a warning) when it times out or cannot start.

        The tool runs in its own process group, killed whole on a timeout (go vet and cppcheck -j start
        children that would otherwise keep the output pipes open)."""
        try:
            proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True)
        except OSError as e:
            log.warning("%s could not run: %s", self.name, e)
            return None
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            log.warning("%s timed out after %.1f s on a batch; no findings for it", self.name, timeout)
            return None
        return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _index_of(path: str) -> int | None:
    """c17.c / /tmp/x/c17/c17.go -> 17."""
    m = re.fullmatch(r"c(\d+)\.\w+", os.path.basename(path))
    return int(m.group(1)) if m else None


def _cwe_from_text(text: str) -> int | None:
    m = re.search(r"CWE-(\d+)", text or "")
    return int(m.group(1)) if m else None


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


# ----------------------------------------------------------------------------------------------- C/C++


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


# ------------------------------------------------------------------------------------------------- Go


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


# ------------------------------------------------------------------------------------------------- JS


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
