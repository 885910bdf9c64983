"""Where the wall time of ``oracle_bench``'s timed section goes, outside a verdict's own job path (issue #17).

``oracle_bench.py`` gets ~150 ms of wall per verdict per worker while ``verdict_profile.py`` times a Python
job's own path at ~80 ms. This runs the same timed section (bubblewrap, bandit, cache off, fresh candidates,
expected tests collected before the clock) with timers around each layer, for each ``--workers`` count:

- per worker (wall, summed over the verdicts, divided by verdicts): the zygote's steps as it reports them
  (``JobResult.phases``: prep = pytest config + assertion rewriting before the fork, job = fork until the job
  process exits, kill = the sweep of what it left, drain, wipe, spare = forking the next job's candidate
  process), the pipe round trip around them (``transport``), host work per verdict around ``Pool.run``
  (syntax check, job files, result parsing), analyzers (one serial call per batch: every worker waits), and
  the worker's idle time (no job of its own on it);
- CPU of the whole machine (``/proc/stat``) split into this process (host), the zygotes, their reaped
  children (job processes, candidate processes, wipe helpers) and the rest (bwrap, kernel, anything else
  running), and the CPU left idle: ``cores x wall - busy``.

Usage: .venv/bin/python benchmarks/oracle_gap.py [--suite builtin:python] [--repeat 1] [--workers 1,2]
       [--limit 0] [--out benchmarks/results/oracle_gap.json]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from oracle_bench import fresh, snapshot, timed_verdicts  # noqa: E402

from sectree.io import write_json_atomic  # noqa: E402
from sectree.oracle import Oracle, OracleConfig  # noqa: E402
from sectree.sandbox import SandboxConfig, Worker  # noqa: E402
from sectree.tasks import load_suite  # noqa: E402

judge_mod = sys.modules["sectree.oracle.judge"]  # the module (sectree.oracle.judge is also its function's name)

ZYGOTE_STEPS = ("prep", "job", "kill", "drain", "wipe", "spare")


def machine_cpu() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine since boot, from /proc/stat."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = f[3] + f[4]
    return (sum(f[:8]) - idle) / tick, idle / tick


def host_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Probe:
    """Timers wrapped around Worker.run, Oracle._run and the analyzers while installed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rounds: list[tuple[float, dict]] = []  # (round trip seconds, zygote phases)
        self.per_task: dict[str, list[float]] = {}  # task id -> CPU seconds of each of its jobs (zygote's children)
        self.per_candidate: dict[str, list[float]] = {}  # "task id secure|unsafe" -> the same
        self.local = threading.local()  # the task Oracle._run is judging on this thread
        self.runs: list[float] = []  # Oracle._run seconds
        self.analyzers = 0.0
        self._saved: list = []

    def install(self) -> None:
        probe = self
        w_run, o_run, an = Worker.run, Oracle._run, judge_mod.analyze

        def worker_run(self, *a, **kw):
            t = time.perf_counter()
            res = w_run(self, *a, **kw)
            with probe.lock:
                probe.rounds.append((time.perf_counter() - t, dict(res.phases)))
                task, which = getattr(probe.local, "task", ("?", "?"))
                probe.per_task.setdefault(task, []).append(res.phases.get("cpu_children", 0.0))
                probe.per_candidate.setdefault(f"{task} {which}", []).append(res.phases.get("cpu_children", 0.0))
            return res

        def oracle_run(self, task, source, *a, **kw):
            probe.local.task = (task.id, "secure" if source.startswith(task.reference_source) else "unsafe")
            t = time.perf_counter()
            out = o_run(self, task, source, *a, **kw)
            with probe.lock:
                probe.runs.append(time.perf_counter() - t)
            return out

        def analyze(*a, **kw):
            t = time.perf_counter()
            try:
                return an(*a, **kw)
            finally:
                probe.analyzers += time.perf_counter() - t

        self._saved = [(Worker, "run", w_run), (Oracle, "_run", o_run), (judge_mod, "analyze", an)]
        Worker.run, Oracle._run, judge_mod.analyze = worker_run, oracle_run, analyze

    def remove(self) -> None:
        for obj, name, fn in self._saved:
            setattr(obj, name, fn)


def measure(items, batches: int, workers: int, sandbox: bool) -> dict:
    cfg = OracleConfig(sandbox=SandboxConfig(enabled=sandbox), workers=workers, analyzers=True, cache=False)
    with Oracle(cfg) as oracle:
        oracle.judge_many(fresh(items[:workers], "warm-up"))
        for t, _ in items:
            oracle.expected_tests(t)  # before the probe (timed_verdicts' own call then finds them collected)
        work = [fresh(items, f"gap {r}") for r in range(batches)]
        probe = Probe()
        probe.install()
        try:
            m0, h0 = machine_cpu(), host_cpu()
            # oracle_bench's timed section, with its check that every verdict was a sandbox run
            verdicts, wall = timed_verdicts(oracle, work)
            m1, h1 = machine_cpu(), host_cpu()
        finally:
            probe.remove()
    n = len(verdicts)
    ms = lambda x: round(1000 * x / n, 1)  # noqa: E731 - seconds in total -> ms per verdict
    steps = {k: sum(p.get(k, 0.0) for _, p in probe.rounds) for k in ZYGOTE_STEPS}
    round_trip = sum(r for r, _ in probe.rounds)
    in_run = sum(probe.runs)
    busy, idle = m1[0] - m0[0], m1[1] - m0[1]
    cpu_zyg = sum(p.get("cpu_zygote", 0.0) for _, p in probe.rounds)
    cpu_kids = sum(p.get("cpu_children", 0.0) for _, p in probe.rounds)
    tail = [p.get("exit_seen", 0.0) for _, p in probe.rounds]
    per_worker = {**{f"zygote: {k}": ms(v) for k, v in steps.items()},
                  "  of job: report channel closed -> exit seen": ms(sum(tail)),
                  "transport (round trip - zygote steps)": ms(round_trip - sum(steps.values())),
                  "host per verdict (Oracle._run - round trip)": ms(in_run - round_trip),
                  "analyzers (serial, per batch: every worker waits)": ms(workers * probe.analyzers),
                  "rest of judge_many / worker idle": ms(workers * wall - in_run - workers * probe.analyzers)}
    jobs = sorted(x for xs in probe.per_task.values() for x in xs)
    heavy = sorted(probe.per_task.items(), key=lambda kv: -sum(kv[1]) / len(kv[1]))[:8]
    return {
        "job_cpu_ms": {"mean": round(1000 * statistics.fmean(jobs), 1), "median": round(1000 * statistics.median(jobs), 1),
                       "p90": round(1000 * jobs[int(0.9 * (len(jobs) - 1))], 1),
                       "heaviest_tasks_mean": {k: round(1000 * statistics.fmean(v), 1) for k, v in heavy},
                       "share_of_cpu_in_heaviest_8_tasks": round(sum(sum(v) for _, v in heavy) / sum(jobs), 3),
                       "heaviest_candidates_mean": {k: round(1000 * statistics.fmean(v), 1) for k, v in sorted(
                           probe.per_candidate.items(), key=lambda kv: -statistics.fmean(kv[1]))[:12]}},
        "workers": workers, "sandbox": sandbox, "verdicts": n, "seconds": round(wall, 3),
        "per_second": round(n / wall, 2), "ms_per_verdict_per_worker": ms(workers * wall),
        "exit_seen_over_20ms": sum(x > 0.02 for x in tail),
        "statuses": {s: sum(v.status.value == s for v in verdicts) for s in ("secure", "vulnerable", "broken")},
        "wall_ms_per_verdict_summed_over_workers": per_worker,
        "cpu_ms_per_verdict": {"machine busy": ms(busy), "host process": ms(h1 - h0), "zygotes": ms(cpu_zyg),
                               "zygotes' children (jobs, candidate processes, wipe helpers)": ms(cpu_kids),
                               "rest (bwrap, kernel, other)": ms(busy - (h1 - h0) - cpu_zyg - cpu_kids),
                               "machine idle": ms(idle)},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="builtin:python")
    ap.add_argument("--repeat", type=int, default=1, help="fresh batches of every candidate per row")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts, one row each")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N tasks (0: all)")
    ap.add_argument("--tasks", default="", help="comma-separated task ids (default: every task of the suite)")
    ap.add_argument("--no-sandbox", action="store_true", help="UNSAFE: the zygote without bubblewrap")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "oracle_gap.json"))
    args = ap.parse_args()
    tasks = [t for t in load_suite(args.suite) if t.test_file is not None]
    if args.tasks:
        tasks = [t for t in tasks if t.id in args.tasks.split(",")]
    snap = tempfile.TemporaryDirectory(prefix="oracle-gap-")
    tasks = snapshot(tasks[: args.limit] if args.limit else tasks, snap.name)
    items = [(t, t.reference_source) for t in tasks] + [(t, t.unsafe_source) for t in tasks]
    load0 = os.getloadavg()
    rows = [measure(items, args.repeat, int(w), not args.no_sandbox) for w in args.workers.split(",")]
    result = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cores": os.cpu_count(),
              "load_average_before_after": [round(load0[0], 2), round(os.getloadavg()[0], 2)],
              "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]), "suite": args.suite,
              "tasks": len(tasks), "rows": rows}
    for r in rows:
        print(f"workers {r['workers']}: {r['verdicts']} verdicts in {r['seconds']} s = {r['per_second']}/s, "
              f"{r['ms_per_verdict_per_worker']} ms per verdict per worker, {r['statuses']}")
        for k, v in r["wall_ms_per_verdict_summed_over_workers"].items():
            print(f"  wall  {k:55} {v:8.1f}")
        for k, v in r["cpu_ms_per_verdict"].items():
            print(f"  cpu   {k:55} {v:8.1f}")
        print(f"  job CPU (zygote's children) per job: {r['job_cpu_ms']}")
    print(f"load {result['load_average_before_after']}")
    write_json_atomic(args.out, result)
    snap.cleanup()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
