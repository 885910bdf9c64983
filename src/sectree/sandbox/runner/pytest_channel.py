# SECURITY-CRITICAL: the structured result channel of a pytest run over an untrusted candidate.
"""A pytest plugin that reports each test's outcome on fd 3 as HMAC-signed JSON lines.

The candidate runs in the same interpreter as pytest (tests import it), so it could print a fake summary,
write a fake report file, exit 0 at import, or monkeypatch pytest. The host therefore only believes:

- lines on fd 3 (never console text or files) whose HMAC-SHA256 under a per-job key verifies, with
  consecutive sequence numbers (the key is handed over in memory before the candidate is imported);
- a final ``done`` record (a run that dies, or exits at import, never sends one);
- an integrity check: the pytest/pluggy functions that produce outcomes, and the set of registered
  plugins and hook implementations, are snapshotted before collection (before the candidate is imported)
  and compared after every test and at the end; any change is reported as tampering;
- outcomes computed here from the raw ``CallInfo`` (exception or not), not from report objects.

Not covered: a candidate that searches the interpreter's memory for the key and our closures can forge
records; the host also requires every expected test id (from the reference solution) to be reported.
Standard library + pytest only (sectree is not importable inside the sandbox).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os

import pytest


def make_plugin(fd: int, key: bytes):
    # bind what we use now, before the candidate can replace module attributes
    _hmac_new, _sha256, _dumps, _write = hmac.new, hashlib.sha256, json.dumps, os.write
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
            self.config = None
            self.tampered: list[str] = []

        def check(self, where: str) -> None:
            if self.baseline is None or self.config is None:
                return
            now = snapshot(self.config)
            changed = sorted(k for k in self.baseline if self.baseline[k] != now.get(k))
            if changed and not self.tampered:
                self.tampered = changed
                emit({"ev": "tamper", "where": where, "changed": changed})

        def pytest_configure(self, config):
            for mark in ("functionality", "security"):
                config.addinivalue_line("markers", f"{mark}: sectree test kind")
            self.config = config

        @pytest.hookimpl(tryfirst=True)
        def pytest_collection(self, session):
            # after session start (fixture manager registered), before any test module - hence the
            # candidate - is imported
            self.baseline = snapshot(session.config)

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
            for it in session.items:
                kind = "security" if it.get_closest_marker("security") else (
                    "functionality" if it.get_closest_marker("functionality") else "other"
                )
                self.kinds[it.nodeid] = kind
            emit({"ev": "collected", "ids": list(self.kinds), "kinds": self.kinds})
            self.check("collection")

        def _record(self, item, call) -> None:
            excinfo = call.excinfo
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
            self.phases.setdefault(item.nodeid, {})[call.when] = (outcome, msg)

        def pytest_runtest_makereport(self, item, call):
            self._record(item, call)
            if call.when == "teardown":
                phases = self.phases.pop(item.nodeid, {})
                outcome, msg = "passed", ""
                for when in ("setup", "call", "teardown"):
                    o, m = phases.get(when, ("error" if when != "teardown" else "passed", "phase missing"))
                    if o != "passed":
                        outcome, msg = o, f"{when}: {m}"
                        break
                self.check(item.nodeid)
                emit({"ev": "test", "id": item.nodeid, "kind": self.kinds.get(item.nodeid, "other"),
                      "outcome": outcome, "msg": msg})
            return None

        def pytest_sessionfinish(self, session, exitstatus):
            self.check("sessionfinish")
            emit({"ev": "done", "exitstatus": int(exitstatus), "tampered": self.tampered})

    return Channel()
