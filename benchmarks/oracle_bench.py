"""Oracle throughput: isolated verdicts per second over a suite's secure and unsafe references.

  (a) sectree: bubblewrap sandbox, warm zygote, one worker per core       (what `judge_many` does)
  (b) sectree --no-sandbox: the same zygote without bubblewrap            (sandbox overhead = a vs b)
  (c) naive: one fresh `python -m pytest` process per sample, no sandbox  (what peer harnesses do; Python only)
  (d) cache hits: the same candidates judged again by an oracle with its verdict cache on. Reported on their
      own row because a hit runs nothing in the sandbox: it is not a verdict.

Every verdict in the timed sections of (a) and (b) is a real sandbox run: the oracle's cache is off, and each
repeat judges *fresh* candidates (the references plus a comment naming the repeat), so neither the cache nor
the reference run that collected the expected tests can answer them. ``timed_verdicts`` checks this (the
sandbox runs in the timed section must equal the verdicts counted) and stops the benchmark otherwise. Static
analyzers (bandit, ...) run as part of every verdict, as in ``judge_many``.

Usage: .venv/bin/python benchmarks/oracle_bench.py [--suite builtin:python] [--repeat 2] [--naive-limit 30]
Prints a table and writes benchmarks/results/oracle.json (or --out).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from sectree.experiment.report.results import machine
from sectree.io import write_json_atomic
from sectree.oracle import Oracle, OracleConfig
from sectree.sandbox import SandboxConfig
from sectree.tasks import load_suite


COMMENT = {"python": "#"}  # a line comment per language ("//" for C, C++, Go and JavaScript)


def fresh(items, tag: str) -> list:
    """The same candidates as new code: a trailing comment makes each source (hence its cache key) unique and
    different from the task's reference, whose verdict the oracle keeps from collecting the expected tests."""
    return [(t, f"{src}\n{COMMENT.get(t.language, '//')} sectree oracle_bench: {tag}\n") for t, src in items]


def snapshot(tasks, folder: str) -> list:
    """The tasks with their test files copied once into ``folder``: the oracle reads a test file for every job
    (and keys its expected tests by its hash), so someone editing the suite meanwhile would change what is
    timed."""
    out = []
    for t in tasks:
        copy = Path(folder, t.id, t.test_file.name)
        copy.parent.mkdir(parents=True)
        copy.write_bytes(t.test_file.read_bytes())
        out.append(dataclasses.replace(t, test_file=copy))
    return out


def timed_verdicts(oracle: Oracle, batches: list[list]) -> tuple[list, float]:
    """Judge each batch with ``judge_many``; (verdicts, seconds). Raises if any verdict was not a sandbox run
    (a cache hit, the reference's stored run): those must never be counted as verdicts."""
    for t, _ in (item for batch in batches for item in batch):
        oracle.expected_tests(t)  # collected beforehand (one reference run per task), so that runs == verdicts
    runs0 = oracle.sandbox_runs
    verdicts = []
    t0 = time.perf_counter()
    for batch in batches:
        verdicts += oracle.judge_many(batch)
    dt = time.perf_counter() - t0
    runs = oracle.sandbox_runs - runs0
    if runs < len(verdicts):
        raise RuntimeError(f"timed section: {len(verdicts)} verdicts but {runs} sandbox runs; the difference was "
                           "answered without running (cache or stored reference run) and is not a verdict")
    if runs > len(verdicts):
        raise RuntimeError(f"timed section: {runs} sandbox runs for {len(verdicts)} verdicts: a task's files "
                           "changed meanwhile and its expected tests were collected again")
    return verdicts, dt


def _rates(n: int, dt: float, workers: int) -> dict:
    return {"seconds": round(dt, 3), "per_second": round(n / dt, 2),
            "ms_per_verdict_per_worker": round(1000 * dt * workers / n, 1)}


def bench_oracle(items, sandbox: bool, repeat: int, workers: int) -> dict:
    cfg = OracleConfig(sandbox=SandboxConfig(enabled=sandbox), workers=workers, analyzers=True, cache=False)
    with Oracle(cfg) as oracle:
        # untimed: start the workers (timed_verdicts collects every task's expected tests before its clock)
        oracle.judge_many(fresh(items[:workers], "warm-up"))
        verdicts, dt = timed_verdicts(oracle, [fresh(items, f"repeat {r}") for r in range(repeat)])
    return {"verdicts": len(verdicts), "sandbox_runs": len(verdicts), **_rates(len(verdicts), dt, workers),
            "statuses": {s: sum(v.status.value == s for v in verdicts) for s in ("secure", "vulnerable", "broken")}}


def bench_cache_hits(items, workers: int) -> dict:
    """Judging candidates this oracle has judged before: no sandbox run, analyzers only."""
    cfg = OracleConfig(workers=workers, analyzers=True, cache=True)
    with Oracle(cfg) as oracle:
        batch = fresh(items, "cache")
        oracle.judge_many(batch)
        runs0 = oracle.sandbox_runs
        t0 = time.perf_counter()
        oracle.judge_many(batch)
        dt = time.perf_counter() - t0
        runs = oracle.sandbox_runs - runs0  # 0, unless a task's files changed on disk meanwhile (new cache key)
    return {"verdicts": runs, "cache_hits": len(batch) - runs, "sandbox_runs": runs, **_rates(len(batch), dt, workers)}


def naive_one(task, source: str) -> int:
    with tempfile.TemporaryDirectory() as d:
        Path(d, task.candidate_filename).write_text(source)
        Path(d, task.test_file.name).write_bytes(task.test_file.read_bytes())
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", task.test_file.name],
                              cwd=d, capture_output=True, timeout=120).returncode


def bench_naive(items, workers: int) -> dict:
    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(lambda it: naive_one(*it), items))
    dt = time.perf_counter() - t0
    return {"verdicts": len(items), "sandbox_runs": 0, **_rates(len(items), dt, workers)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="builtin:python")
    ap.add_argument("--repeat", type=int, default=2, help="times each candidate is judged (fresh each time)")
    ap.add_argument("--naive-limit", type=int, default=30,
                    help="samples for the slow naive baseline (Python suites only; 0 skips it)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N tasks (0: all)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "oracle.json"))
    args = ap.parse_args()

    tasks = [t for t in load_suite(args.suite) if t.test_file is not None]
    snap = tempfile.TemporaryDirectory(prefix="oracle-bench-")
    tasks = snapshot(tasks[: args.limit] if args.limit else tasks, snap.name)
    items = [(t, t.reference_source) for t in tasks] + [(t, t.unsafe_source) for t in tasks]
    load_before = os.getloadavg()
    rows = {
        "sectree (bubblewrap)": bench_oracle(items, True, args.repeat, args.workers),
        "sectree --no-sandbox": bench_oracle(items, False, args.repeat, args.workers),
    }
    if args.naive_limit and all(t.language == "python" for t in tasks):
        rows["naive pytest per sample"] = bench_naive(items[: args.naive_limit], args.workers)
    rows["cache hits (not verdicts)"] = bench_cache_hits(items, args.workers)
    overhead = rows["sectree (bubblewrap)"]["ms_per_verdict_per_worker"] - rows["sectree --no-sandbox"]["ms_per_verdict_per_worker"]
    cpu = machine()["cpu"]
    result = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {cpu}",
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "suite": args.suite, "tasks": len(tasks), "candidates": len(items), "repeat": args.repeat,
        "workers": args.workers, "cache": "off in the timed rows; every verdict a sandbox run", "rows": rows,
        "sandbox_overhead_ms_per_verdict": round(overhead, 1),
    }
    print(f"{'method':28} {'verdicts':>8} {'runs':>5} {'seconds':>8} {'per s':>7} {'ms/verdict/worker':>18}")
    for name, r in rows.items():
        n = r.get("cache_hits", r["verdicts"])
        print(f"{name:28} {n:>8} {r['sandbox_runs']:>5} {r['seconds']:>8} {r['per_second']:>7} "
              f"{r['ms_per_verdict_per_worker']:>18}")
    print(f"sandbox overhead per verdict: {overhead:.1f} ms   ({result['machine']}, {result['date']}, "
          f"load {result['load_average_before_after'][0]} -> {result['load_average_before_after'][1]})")
    write_json_atomic(args.out, result)
    snap.cleanup()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
