"""Oracle throughput: verdicts per second over the built-in suite's secure and unsafe references.

  (a) sectree: bubblewrap sandbox, warm zygote, one worker per core       (what `judge_many` does)
  (b) sectree --no-sandbox: the same zygote without bubblewrap            (sandbox overhead = a vs b)
  (c) naive: one fresh `python -m pytest` process per sample, no sandbox  (what peer harnesses do)

Usage: .venv/bin/python benchmarks/oracle_bench.py [--suite builtin:python] [--repeat 3] [--naive-limit 40]
Prints a table and writes benchmarks/results/oracle.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from sectree.io import write_json_atomic
from sectree.oracle import Oracle, OracleConfig
from sectree.sandbox import SandboxConfig
from sectree.tasks import load_suite


def bench_oracle(items, sandbox: bool, repeat: int, workers: int) -> dict:
    cfg = OracleConfig(sandbox=SandboxConfig(enabled=sandbox), workers=workers, analyzers=True)
    with Oracle(cfg) as oracle:
        oracle.judge_many(items[:workers])  # start the workers and collect expected test ids (warm-up)
        for t, _ in items:
            oracle.expected_tests(t)
        t0 = time.perf_counter()
        for _ in range(repeat):
            verdicts = oracle.judge_many(items)
        dt = time.perf_counter() - t0
    n = len(items) * repeat
    return {"verdicts": n, "seconds": round(dt, 3), "per_second": round(n / dt, 2),
            "ms_per_verdict_per_worker": round(1000 * dt * workers / n, 1),
            "statuses": {s: sum(v.status.value == s for v in verdicts) for s in ("secure", "vulnerable", "broken")}}


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
    return {"verdicts": len(items), "seconds": round(dt, 3), "per_second": round(len(items) / dt, 2),
            "ms_per_verdict_per_worker": round(1000 * dt * workers / len(items), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="builtin:python")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--naive-limit", type=int, default=40, help="samples for the slow naive baseline")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "oracle.json"))
    args = ap.parse_args()

    tasks = load_suite(args.suite)
    items = [(t, t.reference_source) for t in tasks] + [(t, t.unsafe_source) for t in tasks]
    rows = {
        "sectree (bubblewrap)": bench_oracle(items, True, args.repeat, args.workers),
        "sectree --no-sandbox": bench_oracle(items, False, args.repeat, args.workers),
        "naive pytest per sample": bench_naive(items[: args.naive_limit], args.workers),
    }
    overhead = rows["sectree (bubblewrap)"]["ms_per_verdict_per_worker"] - rows["sectree --no-sandbox"]["ms_per_verdict_per_worker"]
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    result = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {cpu}",
        "suite": args.suite, "tasks": len(tasks), "workers": args.workers, "rows": rows,
        "sandbox_overhead_ms_per_verdict": round(overhead, 1),
    }
    print(f"{'method':26} {'verdicts':>8} {'seconds':>8} {'verdicts/s':>10} {'ms/verdict/worker':>18}")
    for name, r in rows.items():
        print(f"{name:26} {r['verdicts']:>8} {r['seconds']:>8} {r['per_second']:>10} {r['ms_per_verdict_per_worker']:>18}")
    print(f"sandbox overhead per verdict: {overhead:.1f} ms   ({result['machine']}, {result['date']})")
    write_json_atomic(args.out, result)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
