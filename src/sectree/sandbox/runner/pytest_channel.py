# SECURITY-CRITICAL: the structured result channel of a pytest run over an untrusted candidate.
"""A pytest plugin that reports each test's outcome on fd 3 as HMAC-signed JSON lines.

A Python candidate runs in a process of its own (``candidate_proxy``: the tests import a proxy), so it never
shares this interpreter, its key or fd 3; C, C++, Go and JavaScript candidates are separate programs. The checks
below were written for a candidate in this interpreter and stay as a second line: should candidate code ever
run here, it could print a fake summary, write a fake report file, exit 0 at import, or monkeypatch pytest.
The host therefore only believes:

- lines on fd 3 (never console text or files) whose HMAC-SHA256 under a per-job key verifies, with
  consecutive sequence numbers (the key is handed over in memory before the candidate is imported);
- a final ``done`` record (a run that dies, or exits at import, never sends one);
- outcomes computed here from the raw ``CallInfo`` (exception or not), not from report objects;
- integrity checks, any failure of which is reported as tampering:
  * the pytest/pluggy functions that produce outcomes, the registered plugins and hook implementations
    (snapshotted before collection, i.e. before the candidate is imported; checked after every test);
  * every function, class and module bound in a module loaded before any job ran (the zygote's baseline),
    and the methods in those classes' own dicts, so ``pathlib.Path.exists = lambda p: False``,
    ``os.path.exists = ...`` or replacing ``pytest.raises`` is caught; checked once, at the end (the
    compare costs ~10 ms, and a patch undone before then would escape any after-the-fact compare anyway);
  * each test item, its test function and code, the test module's helpers and the fixture functions,
    recorded after collection and checked before every test and at the end (the candidate cannot swap the
    tests it faces);
  * the names a test module bound before it imported the candidate (``pytest``, ``assert_same``, ...),
    recorded by an import watcher while collecting and checked after collection: the candidate runs inside
    the half-imported test module's ``import`` and could rebind them there, before the snapshot above;
  * one exception to the bindings check: a module-level function the test file itself replaced *before it
    imported the candidate* (CWEval's cwe_377_0 sets ``tempfile.mktemp = mktemp_proxy`` at import, to spot
    its use). The import watcher, at the first lookup of the candidate module's name while collecting (an oracle
    job names it: ``make_plugin(candidate=...)``), records what has changed by then (``_test_rebinds``):
    until that lookup no candidate code can have run in this process (in-process the candidate is loaded
    after it; out of process never), so the change is the test's, conftest's or pytest's - all trusted. Such
    a name may then hold the test's value or the original one (a monkeypatch undone). A change after the
    lookup, a deleted name, a class dict's method (``Path.exists = ...``) or pytest's and
    the sandbox's own modules stay tampering. The accepted values are forwarded to the candidate process
    like ``monkeypatch``'s (``candidate_proxy.forward_patches``), so the candidate meets the patch the
    test author meant it to meet. For the same reason the audit hook below ignores the function-attribute
    changes (``__code__``, ``__defaults__``, ...) it sees before that lookup (numpy, imported by a test file,
    sets a function's ``__defaults__``); its other events stay tampering at any time;
  * an audit hook, installed before collection, for operations a candidate has no business doing: swapping
    a function's ``__code__``/defaults, building code or function objects by hand, walking the heap with
    ``gc``, trace/profile/audit hooks, ``sys._current_frames``, and ``ctypes`` (raw memory).

Not covered by these checks alone - in-process checks only raise the bar: code in this interpreter can reach
this plugin through stack frames and read the key out of its closures (tests/hostile/candidates/
forge_with_channel_key.py did, before the candidate got its own process), or patch state we do not snapshot.
That is why the candidate is kept out of this interpreter (``candidate_proxy``). A candidate that behaves well
only while tested passes tests it should not. The host also requires every expected test id (from the
reference) to be reported.
Standard library + pytest only (sectree is not importable inside the sandbox).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import operator
import os
import sys
import types

import pytest

# audit events a candidate never needs (see the module docstring); "ctypes." is matched as a prefix
_AUDIT_TAMPER = frozenset({
    "sys.addaudithook", "sys.settrace", "sys.setprofile", "sys._current_frames", "gc.get_objects",
    "gc.get_referrers", "gc.get_referents", "code.__new__", "function.__new__",
})
_AUDIT_SETATTR = frozenset({"__code__", "__defaults__", "__kwdefaults__"})
# bindings pytest itself swaps while it runs (warnings.catch_warnings around collection and each test)
_VOLATILE = frozenset({("warnings", "_showwarnmsg_impl"), ("warnings", "showwarning")})


def bindings(skip: frozenset = frozenset()) -> list[tuple]:
    """Every function/class/module bound in a loaded module (but those in ``skip``) or in its own classes.

    One entry per namespace: (name, namespace, keys, values, key set of a class dict or None); the zygote takes
    this once before forking jobs (walking ~25k objects in each job would cost tens of ms of copy-on-write).
    Compared by identity, plus new public names in class dicts, so both replacing ``Path.exists`` and
    shadowing it (adding ``exists`` to ``PosixPath``) show up."""
    out: list[tuple] = []
    for name, mod in list(sys.modules.items()):
        if name in skip:
            continue
        try:
            d = mod.__dict__
            if type(d) is not dict:
                continue
            keys = tuple(k for k, v in list(d.items())
                         if (isinstance(v, types.ModuleType) or callable(v)) and (name, k) not in _VOLATILE)
            out.append((name, d, keys, tuple(d[k] for k in keys), None))
            for v in out[-1][3]:
                if isinstance(v, type) and v.__module__ == name:
                    cd = v.__dict__  # methods and descriptors, not data (pytest sets some class-level state)
                    ckeys = tuple(k for k, a in list(cd.items()) if callable(a) or hasattr(type(a), "__get__"))
                    out.append((f"{name}.{v.__qualname__}", cd, ckeys, tuple(cd[k] for k in ckeys), frozenset(cd)))
        except Exception:  # an odd object in sys.modules: skip it
            continue
    return out


def _changed_bindings(base: list[tuple]) -> list[str]:
    bad = []
    for owner, ns, keys, vals, keyset in base:
        if any(map(operator.is_not, map(ns.get, keys), vals)):  # C-speed scan; names only on a hit
            bad += [f"{owner}.{k}" for k, v in zip(keys, vals) if ns.get(k) is not v]
        if keyset is not None and len(ns) != len(keyset):  # new public names (private caches are legit)
            added = sorted(n for n in ns.keys() - keyset if not n.startswith("_"))
            if added:
                bad.append(f"{owner}.{added[0]}")
    return bad


def _in_module_body(tb, limit: int = 200) -> bool:
    """Whether a traceback passes through a module's top level (``<module>``): code being imported."""
    while tb is not None and limit > 0:
        if tb.tb_frame.f_code.co_name == "<module>":
            return True
        tb, limit = tb.tb_next, limit - 1
    return False


# modules whose changed bindings are never taken as the test file's (pytest's, the sandbox's own): pytest's
# internals have their own check (``snapshot``), and a test file has no business replacing them
_NOT_TEST_PATCHABLE = ("pytest", "_pytest", "pluggy", "pytest_channel", "candidate_proxy", "candidate_wire",
                       "sectree_check", "pytest_memo", "zygote", "__main__")


def _test_rebinds(base: list[tuple], modules: frozenset) -> dict[str, tuple]:
    """Each function/module bound in one of ``modules`` (the zygote's: standard library and the like, which
    the candidate process can import too) rebound since ``base`` was taken: ``"module.name"`` -> (module name,
    namespace, name, value before, value now). Callers must only use this while no candidate code can have run
    in this process (see the module docstring). Class dicts, deleted names, other modules and those in
    ``_NOT_TEST_PATCHABLE`` are not listed (they stay tampering)."""
    out: dict[str, tuple] = {}
    gone = object()
    for owner, ns, keys, vals, keyset in base:
        if (keyset is None and owner in modules and owner.partition(".")[0] not in _NOT_TEST_PATCHABLE
                and any(map(operator.is_not, map(ns.get, keys), vals))):
            for k, v in zip(keys, vals):
                now = ns.get(k, gone)
                if now is not v and now is not gone:
                    out[f"{owner}.{k}"] = (owner, ns, k, v, now)
    return out


def prepare() -> tuple[frozenset, list[tuple]]:
    """The zygote's baseline for ``make_plugin``: taken once, before any job (hence any candidate) runs."""
    names = frozenset(sys.modules)
    return names, bindings()


class _ImportWatch:
    """On ``sys.meta_path`` while collecting: each time an import looks for a module not loaded yet - the
    candidate, imported by a test module, first of all - it records what each named test module that is being
    imported has bound so far (modules and callables; the first value seen of each name). All of that is the
    test's own: the candidate's code runs only after this lookup. Loads nothing (``find_spec`` is None)."""

    def __init__(self, names: frozenset, candidate: str | None = None, on_candidate=None):
        self.names = names  # the test modules' names (pytest imports a test file as its stem)
        self.seen: dict[str, dict] = {}  # module name -> {name: value}
        # called once, at the first lookup of the candidate module's name: before any of its code ran here
        self.candidate, self.on_candidate = candidate, on_candidate

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.candidate and self.on_candidate is not None:
            hook, self.on_candidate = self.on_candidate, None
            try:
                hook()
            except Exception:  # noqa: BLE001 - nothing accepted: the strict check stays
                pass
        for mod_name in self.names:
            mod = sys.modules.get(mod_name)
            d = getattr(mod, "__dict__", None)
            if type(d) is not dict:
                continue
            seen = self.seen.setdefault(mod_name, {"": d})
            for k, v in list(d.items()):
                if k not in seen and (isinstance(v, types.ModuleType) or callable(v)):
                    seen[k] = v
        return None

    def bindings(self) -> list[tuple]:
        """In ``bindings()``'s form, for ``_changed_bindings``."""
        out = []
        for mod_name, seen in self.seen.items():
            keys = tuple(k for k in seen if k)
            out.append((mod_name, seen[""], keys, tuple(seen[k] for k in keys), None))
        return out


def make_plugin(fd: int, key: bytes, baseline: tuple[frozenset, list[tuple]] | None = None,
                candidate: str | None = None):
    """The report channel's plugin. ``baseline``: the zygote's (``prepare``); ``candidate``: the module name
    the tests import the candidate as, when the job names one (module-level patches the test file made
    before importing it are then the test's own: see the module docstring)."""
    # bind what we use now, before the candidate can replace module attributes
    _hmac_new, _sha256, _dumps, _write = hmac.new, hashlib.sha256, json.dumps, os.write
    _import_error, _in_body = ImportError, _in_module_body
    seq = [0]

    def emit(obj: dict) -> None:
        obj = {"seq": seq[0], **obj}
        seq[0] += 1
        line = _dumps(obj, sort_keys=True)
        mac = _hmac_new(key, line.encode(), _sha256).hexdigest()
        try:
            _write(fd, (mac + " " + line + "\n").encode())
        except OSError:
            pass

    watched_hooks = (
        "pytest_runtest_protocol",
        "pytest_runtest_makereport",
        "pytest_runtest_call",
        "pytest_runtest_setup",
        "pytest_pyfunc_call",
        "pytest_runtest_logreport",
        "pytest_report_teststatus",
        "pytest_collection_modifyitems",
        "pytest_sessionfinish",
    )

    def snapshot(config) -> dict:
        import _pytest.python
        import _pytest.reports
        import _pytest.runner
        import pluggy._callers

        snap = {
            "call_and_report": _pytest.runner.call_and_report,
            "runtestprotocol": _pytest.runner.runtestprotocol,
            "call_runtest_hook": getattr(_pytest.runner, "call_runtest_hook", None),
            "CallInfo.from_call": _pytest.runner.CallInfo.__dict__.get("from_call"),
            "TestReport.from_item_and_call": _pytest.reports.TestReport.__dict__.get("from_item_and_call"),
            "Function.runtest": _pytest.python.Function.runtest,
            "pytest_pyfunc_call": _pytest.python.pytest_pyfunc_call,
            "_multicall": pluggy._callers._multicall,
            "plugins": frozenset(id(p) for p in config.pluginmanager.get_plugins()),
        }
        for name in watched_hooks:
            caller = getattr(config.hook, name)
            snap[name] = tuple(id(impl.function) for impl in caller.get_hookimpls())
            snap[name + ".call"] = type(caller).__call__
        return snap

    class Channel:
        """Registered through ``pytest.main(plugins=[...])``."""

        def __init__(self):
            self.kinds: dict[str, str] = {}
            self.phases: dict[str, dict] = {}
            self.baseline: dict | None = None
            self.bindings: list[tuple] = []
            self.test_rebinds: dict[str, tuple] = {}  # what the test file rebound before importing the candidate
            self.items: dict[str, tuple] = {}
            self.fixtures: list[tuple] = []
            self.test_globals: list[tuple] = []
            self.watch: _ImportWatch | None = None
            self.config = None
            self.tampered: list[str] = []
            # collecting, before the named candidate's first lookup: only trusted code has run here (see the
            # module docstring), so the audit hook's events are the test's own (a test file importing numpy)
            self.pre_candidate = False

        def flag(self, where: str, changed: list[str]) -> None:
            if changed and not self.tampered:
                self.tampered = list(changed)
                emit({"ev": "tamper", "where": where, "changed": list(changed)})

        def check(self, where: str, full: bool = False) -> None:
            if self.baseline is None or self.config is None:
                return
            now = snapshot(self.config)
            changed = sorted(k for k in self.baseline if self.baseline[k] != now.get(k))
            if full:  # a name the test rebound before the candidate's lookup may hold either value
                changed += [n for n in _changed_bindings(self.bindings)
                            if n not in self.test_rebinds or self.test_rebinds[n][1].get(self.test_rebinds[n][2])
                            is not self.test_rebinds[n][4]]
            self.flag(where, changed)

        def before_candidate(self) -> None:
            """At the first lookup of the candidate module (no candidate code has run here yet): what the test
            file rebound so far is its own; in proxy mode the candidate process gets the same values."""
            self.pre_candidate = False
            self.test_rebinds = _test_rebinds(self.bindings, baseline[0] if baseline else frozenset())
            proxy = sys.modules.get("candidate_proxy")
            if self.test_rebinds and proxy is not None:
                proxy.forward_patches([(m, k, before) for m, _, k, before, _ in self.test_rebinds.values()])

        def audit(self, event: str, args: tuple) -> None:
            # before the candidate's lookup only the function-attribute changes are the test's own (numpy sets
            # __defaults__ on import); the other events stay tampering at any time
            if event in _AUDIT_TAMPER or event.startswith("ctypes.") or (
                event == "object.__setattr__" and len(args) > 1 and args[1] in _AUDIT_SETATTR
                and not self.pre_candidate
            ):
                self.flag("audit", [event if event != "object.__setattr__" else f"setattr {args[1]}"])

        def pytest_configure(self, config):
            for mark in ("functionality", "security"):
                config.addinivalue_line("markers", f"{mark}: sectree test kind")
            self.config = config

        @pytest.hookimpl(tryfirst=True)
        def pytest_collection(self, session):
            # after session start (fixture manager registered), before any test module - hence the
            # candidate - is imported
            self.baseline = snapshot(session.config)
            # the zygote's bindings (taken before any job ran) plus those of modules pytest imported since
            self.bindings = bindings() if baseline is None else baseline[1] + bindings(skip=baseline[0])
            self.pre_candidate = candidate is not None
            sys.addaudithook(self.audit)
            args = getattr(session.config, "args", [])
            self.watch = _ImportWatch(frozenset(os.path.splitext(os.path.basename(str(a)))[0] for a in args),
                                      candidate, self.before_candidate)
            sys.meta_path.insert(0, self.watch)

        def pytest_collection_modifyitems(self, session, config, items):
            # CWEval keeps tests of its own unsafe reference in the test file: never run them on candidates
            keep = [it for it in items if "_unsafe" not in it.name]
            if len(keep) != len(items):
                config.hook.pytest_deselected(items=[it for it in items if it not in keep])
                items[:] = keep

        def pytest_collectreport(self, report):
            if report.failed:
                emit({"ev": "collect_error", "id": report.nodeid, "msg": str(report.longrepr)[-2000:]})

        def pytest_collection_finish(self, session):
            bad, seen = [], set()
            for it in session.items:
                kind = "security" if it.get_closest_marker("security") else (
                    "functionality" if it.get_closest_marker("functionality") else "other"
                )
                self.kinds[it.nodeid] = kind
                # what each test is: checked before it runs, so the candidate cannot swap the tests it faces
                fn = getattr(it, "function", None)
                code = getattr(fn, "__code__", None)
                self.items[it.nodeid] = (it, type(it), getattr(it, "obj", None), fn, code)
                if code is not None and os.path.realpath(code.co_filename) != os.path.realpath(str(it.path)):
                    bad.append(f"test function {it.nodeid} not from its test file")
                mod = getattr(it, "module", None)
                if mod is not None and mod.__name__ not in seen:  # the test module's helpers
                    seen.add(mod.__name__)
                    d = mod.__dict__
                    keys = tuple(k for k, v in d.items() if isinstance(v, types.ModuleType) or callable(v))
                    self.test_globals.append((mod.__name__, d, keys, tuple(d[k] for k in keys), None))
            fm = getattr(session, "_fixturemanager", None)
            for defs in getattr(fm, "_arg2fixturedefs", {}).values():
                self.fixtures += [(fd, getattr(fd, "func", None)) for fd in defs]
            self.pre_candidate = False  # a candidate first imported by a test (lazily): from here on, strict
            if self.watch is not None:  # names the test modules bound before the candidate ran, rebound since
                try:
                    sys.meta_path.remove(self.watch)
                except ValueError:  # the candidate removed it: only lookups before its code ran mattered
                    pass
                bad += [f"test module name {n} rebound while importing" for n in
                        _changed_bindings(self.watch.bindings())]
            emit({"ev": "collected", "ids": list(self.kinds), "kinds": self.kinds})
            self.flag("collection", bad)
            self.check("collection")

        @pytest.hookimpl(tryfirst=True)
        def pytest_runtest_setup(self, item):
            rec = self.items.get(item.nodeid)
            bad = []
            if rec is None or rec[0] is not item or type(item) is not rec[1] or "runtest" in vars(item):
                bad.append(f"item {item.nodeid}")
            elif getattr(item, "obj", None) is not rec[2] or getattr(item, "function", None) is not rec[3]:
                bad.append(f"test function {item.nodeid}")
            elif rec[3] is not None and getattr(rec[3], "__code__", None) is not rec[4]:
                bad.append(f"test code {item.nodeid}")
            bad += [f"fixture {fd.argname}" for fd, func in self.fixtures if getattr(fd, "func", None) is not func]
            self.flag(item.nodeid, bad + _changed_bindings(self.test_globals))

        def _record(self, item, call) -> None:
            excinfo = call.excinfo
            importing = False
            if excinfo is None:
                outcome, msg = "passed", ""
            else:
                import _pytest.outcomes

                if excinfo.errisinstance(_pytest.outcomes.Skipped):
                    outcome = "skipped"
                elif call.when == "call":
                    outcome = "failed"
                else:
                    outcome = "error"
                msg = f"{excinfo.typename}: {str(excinfo.value)[:500]}"
                # the exception came from loading code, not running it: an ImportError, or raised while a
                # module's top level ran (a lazily imported candidate); the host then counts no alert
                importing = excinfo.errisinstance(_import_error) or _in_body(excinfo.tb)
            self.phases.setdefault(item.nodeid, {})[call.when] = (outcome, msg, importing)

        def pytest_runtest_makereport(self, item, call):
            self._record(item, call)
            if call.when == "teardown":
                phases = self.phases.pop(item.nodeid, {})
                outcome, msg, importing = "passed", "", False
                for when in ("setup", "call", "teardown"):
                    o, m, imp = phases.get(when, ("error" if when != "teardown" else "passed", "phase missing",
                                                  False))
                    if o != "passed":
                        outcome, msg, importing = o, f"{when}: {m}", imp
                        break
                self.check(item.nodeid)
                emit({"ev": "test", "id": item.nodeid, "kind": self.kinds.get(item.nodeid, "other"),
                      "outcome": outcome, "msg": msg, "import_error": bool(importing)})
            return None

        def pytest_sessionfinish(self, session, exitstatus):
            self.check("sessionfinish", full=True)
            self.flag("sessionfinish", _changed_bindings(self.test_globals))  # a rebinding after the last test
            emit({"ev": "done", "exitstatus": int(exitstatus), "tampered": self.tampered})

    return Channel()
