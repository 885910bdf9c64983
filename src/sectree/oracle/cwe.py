"""Which CWE a static-analysis finding names, and which findings count: the rule table every analyzer maps
through (``RULE_CWE``), the groups of CWEs that name one weakness (``CWE_GROUPS``, ``related_cwes``) and the
finding filter (``counts_as_vulnerability``). Used by the analyzers, the judge and the test-less static oracle."""

from __future__ import annotations

from sectree.oracle.verdict import Finding


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

