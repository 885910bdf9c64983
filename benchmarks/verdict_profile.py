"""Where the time of one isolated verdict goes, phase by phase (issue #17).

Runs the oracle's own job path - ``runners.job`` -> the zygote's ``run`` (fork, job setup, build, pytest with
the signed report channel, kill, wipe) -> ``read_channel`` / ``_status_from_run`` on the host -> analyzers -
on each candidate of one task per language, with timers wrapped around the phases. The zygote runs in this
process in its ``--no-sandbox`` mode (same code; no bubblewrap, no uid switch, process-group kill instead of
the pid-namespace sweep), so that its internals can be timed; what bubblewrap and the host round trip add
comes from a real ``Oracle`` on the same candidates (rows "sandbox round trip"), and the bubblewrap
vs no-sandbox rows of ``oracle_bench.py`` give the same figure end to end.

Times are medians over the candidates (reference and unsafe source, ``--repeat`` times each): wall
milliseconds, and CPU milliseconds of the job (its process and the processes it waited for: compilers, the
task's binary), which a loaded machine disturbs far less than wall time.

Usage: .venv/bin/python benchmarks/verdict_profile.py [--tasks cwe_022_0,cwe_022_0_c,cwe_022_0_go,cwe_022_0_js]
       [--repeat 5] [--out benchmarks/results/verdict_profile.json]
"""

from __future__ import annotations

import argparse
import base64
import builtins
import functools
import os
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sectree.io import write_json_atomic
from sectree.oracle import Oracle, OracleConfig
from sectree.oracle.analyzers import analyze
from sectree.oracle.judge import _status_from_run, read_channel
from sectree.oracle.runners import runner_for
from sectree.sandbox import RUNNER_DIR, SANDBOX_ENV, JobResult, SandboxConfig
from sectree.tasks import load_suite

PHASES = [
    ("fork", "fork of the zygote (parent side) until the job process starts"),
    ("job setup", "uid/rlimits, job files written, descriptors set (in the job process)"),
    ("build", "prepare step: gcc/g++ with sanitizers, go build, node --check"),
    ("pytest config", "pytest.main until the session: plugin manager and ~30 built-in plugins (pre-built by the zygote since #17), arguments parsed"),
    ("session start", "pytest_configure/sessionstart hooks (fixture manager, terminal reporter)"),
    ("test module import", "assertion rewriting + executing the test module (candidate import excluded)"),
    ("candidate import", "importing the candidate module (Python only; compiled tasks run a binary)"),
    ("collection (rest)", "items, parametrisation, markers"),
    ("fixtures", "test set-up and tear-down phases (tmp_path, the tasks' fixtures)"),
    ("test run", "the test bodies: calls into the candidate, subprocesses of the binary"),
    ("pytest reports", "TestReport objects, failure tracebacks with source, terminal output"),
    ("report channel", "the channel plugin: integrity snapshots and checks, HMAC-signed records"),
    ("pytest exit", "rest of pytest.main (unconfigure) and the job process's exit"),
    ("kill + wipe", "SIGKILL of whatever the job left, wipe of its folders (helper process)"),
    ("result parsing", "host: HMAC check of every record, per-test outcomes, status"),
    ("analyzers", "host: static analyzers, batched over the candidates (per candidate)"),
]


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


class Clock:
    """Accumulates (wall, cpu) per phase inside one process; the job process writes its share to a file."""

    def __init__(self):
        self.acc: dict[str, list[float]] = {}
        self.stack: list[tuple[str, float, float]] = []

    def add(self, phase: str, wall: float, cpu: float) -> None:
        a = self.acc.setdefault(phase, [0.0, 0.0])
        a[0] += wall
        a[1] += cpu

    def timed(self, phase: str, fn):
        @functools.wraps(fn)
        def wrapper(*a, **k):
            w0, c0 = time.perf_counter(), _cpu()
            try:
                return fn(*a, **k)
            finally:
                self.add(phase, time.perf_counter() - w0, _cpu() - c0)
        return wrapper


CLOCK = Clock()
MARKS: dict[str, tuple[float, float]] = {}  # moments in the job process: (wall, cpu)
OUT = {"dir": ""}
PARENT_FORK: list[float] = []  # os.fork() call times in the zygote (page tables copied)


def _mark(name: str) -> None:
    MARKS[name] = (time.perf_counter(), _cpu())


def _span(a: str, b: str) -> tuple[float, float]:
    return MARKS[b][0] - MARKS[a][0], MARKS[b][1] - MARKS[a][1]


def instrument(candidate_modules: set[str]) -> None:
    """Wrap the phases. Done before the zygote starts, so the report channel's baseline (taken then) already
    holds the wrappers and does not report them as tampering."""
    sys.path.insert(0, str(RUNNER_DIR))
    import _pytest.config
    import _pytest.main
    import _pytest.python
    import _pytest.runner
    import pytest
    import pytest_channel
    import zygote

    real_fork = os.fork

    def fork():
        w0 = time.perf_counter()
        pid = real_fork()
        if pid == 0:
            CLOCK.acc.clear()
            MARKS.clear()
            _mark("child")
            MARKS["fork"] = (w0, 0.0)
        else:
            PARENT_FORK.append(time.perf_counter() - w0)
        return pid

    os.fork = fork

    real_child = zygote.Zygote._child

    def child(self, job, out_w, rep_w, *rest):  # rest: the spare candidate process's pipes (#15)
        import subprocess

        real_run = subprocess.run

        def run(argv, *a, **k):  # only the prepare (build) commands run before pytest.main
            if "main" in MARKS:
                return real_run(argv, *a, **k)
            return CLOCK.timed("build", real_run)(argv, *a, **k)

        subprocess.run = run
        try:
            real_child(self, job, out_w, rep_w, *rest)
        finally:
            subprocess.run = real_run

    zygote.Zygote._child = child

    def main_of(real):
        @functools.wraps(real)
        def main(*a, **k):
            _mark("main")
            try:
                return real(*a, **k)
            finally:
                _mark("main_end")
                _dump(OUT["dir"])
        return main

    pytest.main = main_of(pytest.main)  # a job on plain pytest.main
    if hasattr(zygote, "_pytest_main"):  # a job on the zygote's pre-built Config
        zygote._pytest_main = main_of(zygote._pytest_main)
    real_cmdline_main = _pytest.main.pytest_cmdline_main

    @functools.wraps(real_cmdline_main)
    def cmdline_main(config):  # arguments parsed, Config ready: the session begins
        _mark("cmdline_main")
        return real_cmdline_main(config)

    _pytest.main.pytest_cmdline_main = cmdline_main
    real_collect = _pytest.main.Session.perform_collect

    def perform_collect(self, *a, **k):
        _mark("collect")
        try:
            return real_collect(self, *a, **k)
        finally:
            _mark("collect_end")

    _pytest.main.Session.perform_collect = perform_collect
    _pytest.python.Module._getobj = CLOCK.timed("module import", _pytest.python.Module._getobj)
    real_import = builtins.__import__

    def imp(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and name in candidate_modules and name not in sys.modules:
            return CLOCK.timed("candidate import", real_import)(name, globals, locals, fromlist, level)
        return real_import(name, globals, locals, fromlist, level)

    builtins.__import__ = imp
    real_call_and_report = _pytest.runner.call_and_report

    def call_and_report(item, when, log=True, **kw):
        return CLOCK.timed(f"phase {when}", real_call_and_report)(item, when, log, **kw)

    _pytest.runner.call_and_report = call_and_report
    real_from_call = _pytest.runner.CallInfo.from_call.__func__

    def from_call(cls, func, when, reraise=None):
        return CLOCK.timed(f"raw {when}", real_from_call)(cls, func, when, reraise)

    _pytest.runner.CallInfo.from_call = classmethod(from_call)
    real_make_plugin = pytest_channel.make_plugin

    def make_plugin(*a, **k):
        plugin = real_make_plugin(*a, **k)
        for name in dir(plugin):
            if name.startswith("pytest_"):
                setattr(plugin, name, CLOCK.timed(f"channel {name}", getattr(plugin, name)))
        return plugin

    pytest_channel.make_plugin = make_plugin


def _dump(out_dir: str) -> None:
    import json

    phases = {k: v for k, v in CLOCK.acc.items()}
    phases["fork"] = [MARKS["child"][0] - MARKS["fork"][0], 0.0]  # cpu column: filled in by the parent
    phases["job setup"] = list(_span("child", "main"))
    if "build" in phases:
        phases["job setup"] = [phases["job setup"][0] - phases["build"][0], phases["job setup"][1] - phases["build"][1]]
    phases["main"] = list(_span("main", "main_end"))
    if "collect" in MARKS:
        phases["pytest config"] = list(_span("main", "cmdline_main"))
        phases["until collection"] = list(_span("main", "collect"))
        phases["collection"] = list(_span("collect", "collect_end"))
    Path(out_dir, f"{os.getpid()}.json").write_text(json.dumps({"phases": phases, "end": MARKS["main_end"]}))


# where each hook of the report channel runs: its time is taken out of that phase and shown on its own row
CHANNEL_HOOKS = {
    "pytest_configure": "session start", "pytest_collection": "session start",
    "pytest_collectreport": "collection (rest)", "pytest_collection_modifyitems": "collection (rest)",
    "pytest_collection_finish": "collection (rest)", "pytest_runtest_setup": "fixtures",
    "pytest_runtest_makereport": "pytest reports", "pytest_sessionfinish": "pytest exit",
}


def attribute(ph: dict[str, list[float]]) -> dict[str, list[float]]:
    """The named phases from the raw timers (nested timers are subtracted from the ones around them)."""
    g = lambda k: ph.get(k, [0.0, 0.0])  # noqa: E731
    sub = lambda a, *bs: [a[0] - sum(b[0] for b in bs), a[1] - sum(b[1] for b in bs)]  # noqa: E731
    raw = {w: g(f"raw {w}") for w in ("setup", "call", "teardown")}
    reports = [sum(g(f"phase {w}")[i] - raw[w][i] for w in raw) for i in (0, 1)]
    cand = g("candidate import")
    out = {
        "fork": g("fork"), "job setup": g("job setup"), "build": g("build"), "pytest config": g("pytest config"),
        "session start": sub(g("until collection"), g("pytest config")),
        "test module import": sub(g("module import"), cand), "candidate import": cand,
        "collection (rest)": sub(g("collection"), g("module import")),
        "fixtures": [raw["setup"][0] + raw["teardown"][0], raw["setup"][1] + raw["teardown"][1]],
        "test run": raw["call"], "pytest reports": reports,
        "pytest exit": sub(g("main"), g("until collection"), g("collection"), *[g(f"phase {w}") for w in raw]),
    }
    chan = [0.0, 0.0]
    for hook, phase in CHANNEL_HOOKS.items():
        t = g(f"channel {hook}")
        out[phase] = sub(out[phase], t)
        chan = [chan[0] + t[0], chan[1] + t[1]]
    out["report channel"] = chan
    return out


def zygote_job(job, key: bytes, argv: list[str] | None = None) -> dict:
    """The message ``Worker.run`` would send the zygote for ``job`` (no-sandbox limits, host PATH)."""
    cfg = SandboxConfig(enabled=False)
    return {"files": {k: base64.b64encode(v).decode() for k, v in job.files.items()}, "kind": job.kind,
            "argv": argv or job.argv, "key": key.hex(), "limits": {**cfg.limits(), **job.limits},
            "env": {**SANDBOX_ENV, **job.env, "PATH": os.environ.get("PATH", SANDBOX_ENV["PATH"])},
            "prepare": job.prepare, "executable": [], "candidate": job.candidate}


def tmpfs_dir(fallback: str | None = None) -> str | None:
    """/dev/shm where it is a writable folder (a tmpfs, as the sandbox's /sbx and /tmp are), else ``fallback``."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else fallback


def basetemp_in(argv: list[str], work: str | Path) -> list[str]:
    """``argv`` with pytest's --basetemp inside the zygote's work folder, which the zygote wipes after each job
    (as Worker does with --no-sandbox): with the host's /tmp/pytest on disk, each job's first tmp_path emptied
    the last job's folders there, which made "fixtures" cost several times (up to 10x) what it costs in the
    sandbox."""
    return [f"--basetemp={work}/pytest-tmp" if a.startswith("--basetemp=") else a for a in argv]


def profile_task(task, repeat: int, tmp: str) -> dict:
    import zygote  # instrumented already

    runner = runner_for(task.language)
    out_dir = OUT["dir"] = tempfile.mkdtemp(dir=tmp)
    cfg = SandboxConfig(enabled=False)
    work = tempfile.mkdtemp(dir=tmpfs_dir(tmp))  # on a tmpfs, with --basetemp inside it (basetemp_in)
    z = zygote.Zygote({"sandboxed": False, "preload": cfg.preload, "work": work}, 0, 1)
    kill, wipe = z._kill_job, z._wipe
    rows: list[dict[str, list[float]]] = []
    raws: list[dict[str, list[float]]] = []  # the timers themselves (report channel hook by hook, ...)
    sources = [task.reference_source, task.unsafe_source] * repeat
    for src in sources:
        for f in os.listdir(out_dir):
            os.unlink(os.path.join(out_dir, f))
        key = secrets.token_bytes(32)
        job = runner.job(task, src)
        msg = zygote_job(job, key, argv=basetemp_in(job.argv, work))
        host = Clock()
        z._kill_job, z._wipe = host.timed("kill + wipe", kill), host.timed("kill + wipe", wipe)
        del PARENT_FORK[:]
        reply = z.run(msg)
        t0 = time.perf_counter()
        reply.pop("restart")  # a file flood (none here)
        res = JobResult(**reply)
        records, problem = read_channel(res.report, key)
        _status_from_run(res, records, problem, None)
        parsing = time.perf_counter() - t0
        import json

        dumped = [json.loads(Path(out_dir, f).read_text()) for f in os.listdir(out_dir)]
        if len(dumped) != 1:
            raise RuntimeError(f"{task.id}: the job wrote no timings ({res.output[-500:]})")
        raws.append(dumped[0]["phases"])
        row = attribute(dumped[0]["phases"])
        row["fork"][1] = PARENT_FORK[0]  # the job's fork (the wipe helper's is part of kill + wipe)
        row["kill + wipe"] = host.acc.get("kill + wipe", [0.0, 0.0])
        row["result parsing"] = [parsing, parsing]
        row["total (zygote job)"] = [res.wall + row["kill + wipe"][0], 0.0]
        rows.append(row)
    shutil.rmtree(work, ignore_errors=True)
    t0, c0 = time.perf_counter(), _cpu()
    analyze(task.language, sources)
    an = [(time.perf_counter() - t0) / len(sources), (_cpu() - c0) / len(sources)]
    # the same candidates through a real Oracle: bubblewrap + uid switch + pid-namespace sweep + host round trip
    with Oracle(OracleConfig(workers=1, analyzers=False, cache=False)) as o:
        o.expected_tests(task)
        vs = o.judge_many([(task, f"{s}\n{'#' if task.language == 'python' else '//'} profile {i}\n")
                           for i, s in enumerate(sources)])
    med = lambda xs: round(1000 * statistics.median(xs), 2)  # noqa: E731
    table = {name: {"wall_ms": med([r[name][0] for r in rows]), "cpu_ms": med([r[name][1] for r in rows])}
             for name, _ in PHASES if name not in ("analyzers",)}
    table["analyzers"] = {"wall_ms": round(1000 * an[0], 2), "cpu_ms": round(1000 * an[1], 2)}
    zyg = med([r["total (zygote job)"][0] for r in rows])
    table["total in the zygote (no sandbox)"] = {"wall_ms": zyg, "cpu_ms": None}
    table["sandboxed verdict (bwrap, Oracle, no analyzers)"] = {
        "wall_ms": med([v.timings["run"] for v in vs]), "cpu_ms": None}
    raw = {k: round(1000 * statistics.median(r.get(k, [0.0, 0.0])[1] for r in raws), 2)
           for k in sorted({k for r in raws for k in r})}
    return {"task": task.id, "language": task.language, "candidates": len(sources), "phases": table,
            "raw_timers_cpu_ms": raw,
            "statuses": sorted({v.status.value for v in vs})}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default="cwe_022_0,cwe_022_0_c,cwe_022_0_go,cwe_022_0_js")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "verdict_profile.json"))
    args = ap.parse_args()
    by_id = {t.id: t for lang in ("python", "c", "go", "js") for t in load_suite(f"builtin:{lang}")}
    wanted = [by_id[i] for i in args.tasks.split(",")]
    for t in wanted:
        runner_for(t.language).check_tools()
    instrument({Path(t.candidate_filename).stem for t in wanted})
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        results = [profile_task(t, args.repeat, tmp) for t in wanted]
    names = [n for n, _ in PHASES] + ["total in the zygote (no sandbox)", "sandboxed verdict (bwrap, Oracle, no analyzers)"]
    head = " | ".join(f"{r['language']} wall / cpu" for r in results)
    print(f"| phase | {head} |")
    print("|---|" + "---:|" * len(results))
    for n in names:
        cells = []
        for r in results:
            p = r["phases"][n]
            cells.append(f"{p['wall_ms']:.1f}" + (f" / {p['cpu_ms']:.1f}" if p["cpu_ms"] is not None else ""))
        print(f"| {n} | " + " | ".join(cells) + " |")
    result = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": f"{os.cpu_count()} cores",
              "load_average_before_after": [round(load0, 2), round(os.getloadavg()[0], 2)],
              "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
              "phases": dict(PHASES), "tasks": results}
    write_json_atomic(args.out, result)
    print("statuses (real Oracle):", {r["task"]: r["statuses"] for r in results})
    print(f"load {result['load_average_before_after']}; wrote {args.out}")


if __name__ == "__main__":
    main()
