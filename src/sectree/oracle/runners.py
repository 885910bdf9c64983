"""Per-language runners: how a candidate becomes a sandbox job. Task-specific checks live in the tests.

| language | build (inside the sandbox, before any candidate code runs)             | tests reach it by      |
|----------|------------------------------------------------------------------------|------------------------|
| python   | none (parsed on the host with ``ast``)                                  | importing the module   |
| c / cpp  | gcc / g++ with AddressSanitizer + UBSan (abort on error), task flags   | running ./<stem>_task  |
| go       | ``go build`` (stdlib only, offline; CGO_ENABLED=1 reuses the prebuilt std) | running ./<stem>_task |
| js       | ``node --check`` (syntax only)                                         | ``node <stem>_task.js`` |

A failed build makes the candidate ``broken`` and unparsable (SPR@1 leaves it out). Address-space limits
are lifted for sanitizer builds (ASan reserves terabytes of virtual memory) and for node and go (their
runtimes reserve large address ranges); those jobs are still bounded by CPU time, wall time, file size and
processes, and per-worker memory cgroups where sectree runs as root.
"""

from __future__ import annotations

import shutil
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from sectree.errors import SectreeError
from sectree.tasks import Task
from sectree.tasks.grammar import parse_python


@dataclass
class Job:
    files: dict[str, bytes]
    kind: str
    argv: list[str]
    prepare: list[list[str]] = field(default_factory=list)
    limits: dict = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    candidate: str | None = None
    """Python: the candidate's module name; the tests then get a proxy and the candidate runs in a process of
    its own, apart from the one holding the report key (``sandbox/runner/candidate_proxy.py``)."""


# --tb=no: outcomes and messages come from the report channel (the raw exception), never from pytest's
# failure reports, whose tracebacks with source cost ~13% of a Python verdict's CPU and were never read
PYTEST_ARGS = ["-q", "--tb=no", "-p", "no:cacheprovider", "-p", "no:doctest", "-p", "no:junitxml", "-p", "no:pastebin",
               "-p", "no:nose", "-p", "no:legacypath", "-p", "no:unraisableexception",
               "-p", "no:threadexception", "-p", "no:stepwise", "--basetemp=/tmp/pytest", "-o", "addopts=",
               "-W", "ignore::pytest.PytestUnknownMarkWarning"]


class LanguageRunner(ABC):
    """How to check and run a candidate of one language."""

    language: str
    tools: tuple[str, ...] = ()
    """Executables the runner needs on PATH (checked once, with the fix in the error)."""

    def syntax_error(self, source: str) -> str | None:
        """A short message if the candidate cannot even be parsed (checked on the host), else None.

        Compiled languages answer None here: compiling untrusted code happens only inside the sandbox
        (``#include "/home/you/.ssh/id_rsa"`` would otherwise print your key into the verdict)."""
        return None

    def check_tools(self) -> None:
        missing = [t for t in self.tools if shutil.which(t) is None]
        if missing:
            raise SectreeError(f"judging {self.language} needs {', '.join(missing)} on PATH; `make setup` installs "
                               f"the toolchains (Debian: {', '.join(APT_HINT.get(t, t) for t in missing)})")

    def tests(self, task: Task) -> dict[str, bytes]:
        return {task.test_file.name: task.test_file.read_bytes()}

    @abstractmethod
    def job(self, task: Task, source: str) -> Job: ...


APT_HINT = {"gcc": "gcc", "g++": "g++", "go": "golang-go", "node": "nodejs"}


class PythonRunner(LanguageRunner):
    language = "python"

    def syntax_error(self, source: str) -> str | None:
        try:
            parse_python(source)
        except SyntaxError as e:
            return f"syntax error: line {e.lineno}: {e.msg}"
        except (ValueError, RecursionError, MemoryError) as e:
            return f"syntax error: {type(e).__name__}"
        return None

    def job(self, task: Task, source: str) -> Job:
        return Job(files={task.candidate_filename: source.encode(), **self.tests(task)}, kind="pytest",
                   argv=[*PYTEST_ARGS, task.test_file.name], candidate=task.candidate_filename.rsplit(".", 1)[0])


# no -g: the sanitizers print no symbols (symbolize=0 below) and UBSan carries its own source locations, so debug
# info was never read; it cost ~3% of a C build and ~14% of a C++ one (benchmarks/build_cost.py)
SANITIZE = ["-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
ASAN_ENV = {"ASAN_OPTIONS": "detect_leaks=0:allocator_may_return_null=1:symbolize=0:hard_rss_limit_mb=2048",
            "UBSAN_OPTIONS": "print_stacktrace=0:halt_on_error=1"}


def compiled_dir_link(files: dict[str, bytes], exe: str) -> list[list[str]]:
    """CWEval's tests run ``compiled/<stem>_task`` (its evaluator builds there), ours ``./<stem>_task``: for a
    test file that names ``compiled``, a placeholder file makes the folder and a prepare step links the
    binary into it (one ``ln`` per job; tests that do not need it pay nothing)."""
    if not any(k.endswith("_test.py") and b"'compiled'" in v for k, v in files.items()):
        return []
    files["compiled/.sectree"] = b""
    return [["ln", "-s", f"../{exe}", f"compiled/{exe}"]]


class CRunner(LanguageRunner):
    language, compiler, std = "c", "gcc", "-std=gnu11"
    tools = ("gcc",)
    limits: dict = {"memory_mb": None}

    def job(self, task: Task, source: str) -> Job:
        exe = task.candidate_filename.rsplit(".", 1)[0]
        build = [self.compiler, self.std, *SANITIZE, task.candidate_filename, "-o", exe, *task.link_flags]
        files = {task.candidate_filename: source.encode(), **self.tests(task)}
        return Job(files=files, kind="pytest", argv=[*PYTEST_ARGS, task.test_file.name],
                   prepare=[build, *compiled_dir_link(files, exe)], limits=dict(self.limits), env=dict(ASAN_ENV))


class CppRunner(CRunner):
    language, compiler, std = "cpp", "g++", "-std=gnu++17"
    tools = ("g++",)
    # the per-process CPU limit binds the build too: g++ compiling <regex> with these sanitizer flags takes
    # 13-16 s of CPU (CWEval's cwe_400_0_cpp, cwe_918_0_cpp), over the default 10 s; the job's wall-clock limit
    # still bounds the build and the tests together
    limits: dict = {"memory_mb": None, "cpu_seconds": 30}


# GOPATH's second entry is where Debian's golang-*-dev packages put libraries (`make cweval-deps`): with
# modules off, an import such as golang.org/x/crypto/pbkdf2 resolves there, offline
GO_ENV = {"GOCACHE": "/tmp/gocache", "GOPATH": "/tmp/gopath:/usr/share/gocode", "GO111MODULE": "off",
          "CGO_ENABLED": "1", "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GOPROXY": "off"}


# no symbol table or DWARF in the test binary (the linker's largest outputs; nothing reads them: a Go panic's
# trace comes from the runtime's own tables, which stay): less build CPU per Go verdict (benchmarks/RESULTS.md)
GO_BUILD_FLAGS = ["-ldflags=-s -w"]


class GoRunner(LanguageRunner):
    language = "go"
    tools = ("go",)

    def job(self, task: Task, source: str) -> Job:
        exe = task.candidate_filename.rsplit(".", 1)[0]
        files = {task.candidate_filename: source.encode(), **self.tests(task)}
        return Job(files=files, kind="pytest", argv=[*PYTEST_ARGS, task.test_file.name],
                   prepare=[["go", "build", *GO_BUILD_FLAGS, "-o", exe, task.candidate_filename],
                            *compiled_dir_link(files, exe)],
                   limits={"memory_mb": None}, env=dict(GO_ENV))


# npm packages CWEval's JS tasks require, installed by `make cweval-deps` inside the virtualenv, which the
# sandbox mounts read-only at its own path (the repository itself is not mounted)
NODE_MODULES = Path(sys.prefix) / "cweval-node" / "node_modules"


class JsRunner(LanguageRunner):
    language = "js"
    tools = ("node",)

    def job(self, task: Task, source: str) -> Job:
        return Job(files={task.candidate_filename: source.encode(), **self.tests(task)}, kind="pytest",
                   argv=[*PYTEST_ARGS, task.test_file.name],
                   prepare=[["node", "--check", task.candidate_filename]], limits={"memory_mb": None},
                   env={"NODE_PATH": str(NODE_MODULES)} if NODE_MODULES.is_dir() else {})


RUNNERS: dict[str, LanguageRunner] = {r.language: r for r in (PythonRunner(), CRunner(), CppRunner(), GoRunner(),
                                                               JsRunner())}


def runner_for(language: str) -> LanguageRunner:
    if language not in RUNNERS:
        raise SectreeError(f"no oracle runner for language {language!r} (available: {', '.join(RUNNERS)})")
    return RUNNERS[language]
