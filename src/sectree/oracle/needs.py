"""What a task needs from this machine that it lacks: ``missing(task)`` and ``split_runnable(tasks)``.

A foreign suite (CWEval) imports libraries our own suites do not. Judging such a task without them makes
every candidate, the references included, ``broken`` for a reason that has nothing to do with the code, so
a task that needs something missing is *skipped* with ``needs <what>`` instead (``tasks check``/``list``
show it; ``eval`` on a ``cweval:`` suite leaves it out). ``make cweval-deps`` installs what can be had here.

Checked on the host, against what the sandbox sees (it mounts /usr and the virtualenv read-only):

- Python: top-level modules imported by the task's files and its test file (every language's tests are
  Python), found by ``importlib.util.find_spec`` in this interpreter, which is the one the sandbox runs;
- C/C++: ``#include <...>`` headers on gcc's/g++'s search path plus the task's ``-I`` flags;
- Go: import paths outside the standard library (a dot in the first element) under a GOPATH entry the Go
  runner sets (``/usr/share/gocode``, where Debian's golang-*-dev packages live);
- JavaScript: ``require('x')`` of a package that is neither built into node nor in the runner's NODE_PATH;
- programs a test runs from CWEval's checkout root (``./third_party/...``): never available in the sandbox.

Not checked: other programs a test runs besides the candidate (e.g. ``openssl``), versions (an API that changed
is a failure of the references, which ``tasks check`` shows). Only the references and the test file are
read, so a model's answer that imports something else is judged as usual (and is broken if it is missing).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

from sectree.oracle.runners import GO_ENV, NODE_MODULES
from sectree.tasks import Skipped, Task
from sectree.tasks.grammar import parse_python

# what to install for a header / Go package / npm package (the message names the fix)
APT_FOR_HEADER = {
    "archive.h": "libarchive-dev", "archive_entry.h": "libarchive-dev", "jwt.h": "libjwt-dev",
    "sqlite3.h": "libsqlite3-dev", "openssl/": "libssl-dev", "libxml/": "libxml2-dev", "zlib.h": "zlib1g-dev",
}
PIP_FOR_MODULE = {"Crypto": "pycryptodome", "argon2": "argon2-cffi", "jwt": "PyJWT", "yaml": "pyyaml"}
# modules the sandbox itself puts on every test's path (sandbox/runner/): the suites' test helpers
SANDBOX_MODULES = frozenset({"sectree_check"})


def missing(task: Task) -> list[str]:
    """What ``task`` needs that this machine lacks, each as ``kind name (how to get it)``; empty if nothing."""
    if task.test_file is None:
        return []  # a task without tests (SafeCoder) is judged statically: nothing it imports is ever run
    sources = [task.reference_source, *task.unsafe_sources]
    out = _python_needs(task, sources) + _checkout_programs(task)
    out += _NEEDS.get(task.language, lambda t, s: [])(task, sources)
    return list(dict.fromkeys(out))


def split_runnable(tasks: list[Task]) -> tuple[list[Task], list[Skipped]]:
    """``tasks`` that have what they need, and the others as ``Skipped`` with ``needs ...`` reasons."""
    ok, skipped = [], []
    for t in tasks:
        lacks = missing(t)
        if lacks:
            skipped.append(Skipped(t.id, t.language, "needs " + ", ".join(lacks)))
        else:
            ok.append(t)
    return ok, skipped


# --------------------------------------------------------------------------------------------------
# per language


def _python_needs(task: Task, sources: list[str]) -> list[str]:
    texts = list(sources) if task.language == "python" else []
    if task.test_file is not None:
        texts.append(task.test_file.read_text(encoding="utf-8"))
    local = {p.stem for p in task.root.glob("*.py")} if task.root.is_dir() else set()
    out = []
    for text in texts:
        try:
            tree = parse_python(text)
        except SyntaxError:
            continue  # the oracle reports it
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in local and top not in SANDBOX_MODULES and not _importable(top):
                    out.append(f"Python module {top} (pip install {PIP_FOR_MODULE.get(top, top)})")
    return out


def _checkout_programs(task: Task) -> list[str]:
    """Programs a test runs by a path relative to CWEval's checkout root (``./third_party/recheck-linux-x64``,
    CWEval runs pytest from there): a sandbox job runs in its own folder, which holds only the candidate and
    the test file, so such a test cannot pass whatever the candidate does."""
    if task.test_file is None:
        return []
    text = task.test_file.read_text(encoding="utf-8")
    return [f"program ./{path} from the CWEval checkout (the sandbox runs a test in its own folder)"
            for path in dict.fromkeys(re.findall(r"\./(third_party/[\w./-]+)", text))]


@functools.cache
def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _c_needs(task: Task, sources: list[str]) -> list[str]:
    dirs = _include_dirs(task.language) + tuple(f[2:] for f in task.link_flags if f.startswith("-I"))
    out = []
    for text in sources:
        for header in re.findall(r"^[ \t]*#[ \t]*include[ \t]*<([^>]+)>", text, re.M):
            if not any((Path(d) / header).is_file() for d in dirs):
                pkg = next((p for h, p in APT_FOR_HEADER.items() if header == h or (h.endswith("/") and header.startswith(h))), None)
                out.append(f"C header <{header}>" + (f" (Debian: {pkg})" if pkg else ""))
    return out


@functools.cache
def _include_dirs(language: str) -> tuple[str, ...]:
    """The compiler's ``#include <...>`` search path (``gcc -E -v``); empty without the compiler."""
    cc = "g++" if language == "cpp" else "gcc"
    if shutil.which(cc) is None:
        return ()
    r = subprocess.run([cc, "-E", "-v", "-x", "c++" if language == "cpp" else "c", "/dev/null"],
                       capture_output=True, text=True)
    text = r.stderr.split("#include <...> search starts here:", 1)[-1].split("End of search list.", 1)[0]
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _go_needs(task: Task, sources: list[str]) -> list[str]:
    # the sandbox's /tmp is its own: only GOPATH entries outside it can hold packages
    gopaths = [p for p in GO_ENV["GOPATH"].split(":") if not p.startswith("/tmp")]
    out = []
    for text in sources:
        for path in _go_imports(text):
            if "." in path.split("/")[0] and not any((Path(g) / "src" / path).is_dir() for g in gopaths):
                out.append(f"Go package {path} (no module proxy here; Debian packages some as golang-*-dev)")
    return out


def _go_imports(text: str) -> list[str]:
    out = []
    for m in re.finditer(r"^import[ \t]*(?:\(([^)]*)\)|([^\n]*))", text, re.M):
        out += re.findall(r"\"([^\"]+)\"", m.group(1) or m.group(2) or "")
    return out


def _js_needs(task: Task, sources: list[str]) -> list[str]:
    out = []
    for text in sources:
        for name in re.findall(r"""\brequire\(\s*['"]([^'"]+)['"]\s*\)""", text):
            if name.startswith((".", "/", "node:")):
                continue
            pkg = "/".join(name.split("/")[:2]) if name.startswith("@") else name.split("/")[0]
            if pkg not in _node_builtins() and not (NODE_MODULES / pkg).is_dir():
                out.append(f"npm package {pkg} (make cweval-deps)")
    return out


@functools.cache
def _node_builtins() -> frozenset[str]:
    if shutil.which("node") is None:
        return frozenset()
    r = subprocess.run(["node", "-p", "require('module').builtinModules.join(' ')"], capture_output=True, text=True)
    return frozenset(r.stdout.split())


_NEEDS = {"c": _c_needs, "cpp": _c_needs, "go": _go_needs, "js": _js_needs}

__all__ = ["missing", "split_runnable"]
