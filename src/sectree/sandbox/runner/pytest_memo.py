# SECURITY-CRITICAL: runs in the zygote before any job, and its wrappers run in every pytest job's test process.
"""Work pytest repeats identically in every job, done once by the zygote (issue #17).

Each job is a fresh pytest session in a fork of the zygote; two of its steps compute the same thing every time:

- **Rewriting the test file's asserts.** pytest parses the test module, rewrites its ``assert`` statements and
  compiles it on every import (~3 ms of CPU; job folders are wiped and bytecode is never written, so pytest's
  own ``.pyc`` cache never hits). The zygote compiles a Python job's test file once (``precompile``, in the
  zygote, before the fork: compiling runs none of the file's code) with pytest's own ``rewrite_asserts``; the
  job's ``_rewrite_test`` returns that code object when the file it reads holds exactly the bytes compiled
  (same path, same content), else it rewrites as pytest does. Only without an assertion pass hook (the
  ``enable_assertion_pass_hook`` ini option, which the oracle never sets), as the zygote's copy is built.
- **The wrapped-fixture check of fixture discovery.** At session start pytest 9 scans every attribute of every
  plugin (``FixtureManager.parsefactories``) and unwraps each one (``inspect.unwrap``) only to *warn* about a
  fixture hidden behind decorators (~7 ms of CPU per job). For the objects of pytest's and pluggy's own
  modules and classes, loaded by the zygote, the check finds nothing: the zygote runs it once on each
  (``remember_plain``) and the job skips it for exactly those objects (kept alive here, matched by identity).
  Everything else - the test module's names, the report channel's plugin, objects made in the job - gets the
  check as before. Skipping it changes no fixture found and no outcome: it only ever emits a warning.

Both wrappers are installed by the zygote before the report channel takes its baseline of module bindings
(``pytest_channel.prepare``), so a job that replaces them, or this module's functions, is tampering as for any
other binding. Each is installed only where the pytest in use has the function it wraps, with the expected
signature (otherwise that job step runs exactly as pytest's own).

Standard library + pytest only (runs inside the sandbox).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import sys
import types

CODE_MAX = 256  # test files kept compiled per zygote (a few KB each)
_CODE: dict[tuple[str, bytes], types.CodeType] = {}  # (path, source bytes) -> rewritten, compiled module code
_PLAIN: dict[int, object] = {}  # id -> object whose wrapped-fixture check is known to find nothing (kept alive)
_STATE = {"rewrite": False, "fixtures": False}  # which wrappers are installed


def install() -> dict:
    """Install both wrappers where this pytest allows; which ones were installed."""
    _install_rewrite()
    _install_fixture_check()
    return dict(_STATE)


# ------------------------------------------------------------------ assertion rewriting of the test module


def _install_rewrite() -> None:
    try:
        from _pytest.assertion import rewrite
    except ImportError:
        return
    orig = getattr(rewrite, "_rewrite_test", None)
    names = getattr(getattr(orig, "__code__", None), "co_names", ())
    if orig is None or orig.__code__.co_argcount != 2:
        return
    # what the first element of the pair is (pytest 9: the source hash for the .pyc; 8: the file's stat)
    if "source_hash" in names:
        first = lambda fn, source: importlib.util.source_hash(source)  # noqa: E731
    elif "stat" in names:
        first = lambda fn, source: os.stat(fn)  # noqa: E731
    else:
        return

    def _rewrite_test(fn, config):
        co = None
        if config is None or not config.getini("enable_assertion_pass_hook"):
            source = fn.read_bytes()
            co = _CODE.get((str(fn), source))
        if co is None:
            return orig(fn, config)
        return first(fn, source), co

    _rewrite_test.__doc__ = orig.__doc__
    rewrite._rewrite_test = _rewrite_test
    _STATE["rewrite"] = True


def precompile(path: str, source: bytes) -> None:
    """Compile a job's test file as pytest's assertion rewriting would (``path``: where the job writes it).
    Runs in the zygote on the host's test file, before the job's fork; nothing of the file is executed. A file
    that does not parse is left to the job (which reports it as pytest does)."""
    if not _STATE["rewrite"] or (path, source) in _CODE:
        return
    from _pytest.assertion.rewrite import rewrite_asserts

    try:
        tree = ast.parse(source, filename=path)
        rewrite_asserts(tree, source, path, None)
        co = compile(tree, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    if len(_CODE) >= CODE_MAX:
        _CODE.pop(next(iter(_CODE)))
    _CODE[(path, source)] = co


# ------------------------------------------------------------------ fixture discovery's wrapped-fixture check


def _install_fixture_check() -> None:
    try:
        from _pytest.fixtures import FixtureManager
    except ImportError:
        return
    orig = FixtureManager.__dict__.get("_check_for_wrapped_fixture")
    find = FixtureManager.__dict__.get("_find_wrapped_fixture_def")
    if not isinstance(orig, types.FunctionType) or not isinstance(find, types.FunctionType):
        return

    def _check_for_wrapped_fixture(self, name, obj):
        if _PLAIN.get(id(obj)) is obj:
            return None
        return orig(self, name, obj)

    _check_for_wrapped_fixture.__doc__ = orig.__doc__
    FixtureManager._check_for_wrapped_fixture = _check_for_wrapped_fixture
    _STATE["fixtures"] = True
    _remember_plain(find)


def _remember_plain(find) -> None:
    """Every attribute of pytest's and pluggy's modules and of their classes (through the MRO, as
    ``parsefactories`` looks them up), on which the check finds nothing: ``find`` (pytest's own
    ``_find_wrapped_fixture_def``) returns None, or the object itself (a bare fixture: no warning either)."""
    owners: list = []
    for name, mod in list(sys.modules.items()):
        if name.partition(".")[0] not in ("_pytest", "pytest", "pluggy") or not isinstance(mod, types.ModuleType):
            continue
        owners.append(mod.__dict__)
        for v in list(mod.__dict__.values()):
            if isinstance(v, type) and v.__module__ == name:
                owners += [base.__dict__ for base in v.__mro__]
    seen: set[int] = set()
    for d in owners:
        if id(d) in seen:
            continue
        seen.add(id(d))
        for v in list(d.values()):
            if id(v) in _PLAIN:
                continue
            try:
                found = find(None, v)
            except Exception:  # noqa: BLE001 - an odd object: the job checks it as pytest does
                continue
            if found is None or found is v:
                _PLAIN[id(v)] = v
