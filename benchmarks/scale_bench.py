"""Past one machine, measured on one: oracle throughput local vs Ray, rollout throughput 1 vs 2 policy replicas.

Oracle (verdicts/s over a suite's secure and unsafe references, fresh candidates each repeat, cache off, analyzers on):
  (a) local: ``Oracle`` with W sandbox workers in this process                         (what `judge_many` does)
  (b) ray, 1 actor × W workers: the same sandboxes behind one Ray actor               (Ray's cost per verdict = b − a)
  (c) ray, W actors × 1 worker: chunks spread over actors, as on a cluster of nodes
Each actor collects every task's expected tests before the clock (one reference run per task and actor), so every
timed verdict is a sandbox run; the script checks it (runs == verdicts) and stops otherwise.

Rollouts (trees/s on tiny-random unless --model; the leaves judged by a local oracle in each builder):
  (d) local ``build_trees`` in this process   (e) RolloutPool with 1 replica   (f) RolloutPool with 2 replicas
The replicas load the model in an untimed warm-up round first (other tasks); the timed round builds the same --trees
trees in every row (checked equal), each builder's oracle seeing them for the first time. On one 2-core machine (e)/(f) measure Ray's overhead and whether two replicas
overlap; the gain a cluster gives (one replica per GPU or node) cannot be measured here.

Ray runs as a private local cluster with --cpus CPUs, started and stopped by the script.
Usage: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/scale_bench.py [--limit 10] [--repeat 2] [--trees 8]
Prints tables and writes benchmarks/results/scale.json (or --out).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from sectree.experiment.report.results import machine
from sectree.io import write_json_atomic
from sectree.oracle import Oracle, OracleConfig
from sectree.oracle.backend import Backend, BackendConfig
from sectree.settings import Sampling
from sectree.tasks import load_suite


def fresh(items, tag: str) -> list:
    """New code each repeat (a trailing comment), so no cache and no stored reference run can answer."""
    return [(t, f"{src}\n# sectree scale_bench: {tag}\n") for t, src in items]


def _rates(n: int, dt: float) -> dict:
    return {"verdicts": n, "seconds": round(dt, 3), "per_second": round(n / dt, 2), "ms_per_verdict": round(1000 * dt / n, 1)}


def bench_local(items, tasks, workers: int, repeat: int) -> dict:
    with Oracle(OracleConfig(workers=workers, cache=False)) as o:
        o.judge_many(fresh(items[:workers], "warm-up"))
        for t in tasks:
            o.expected_tests(t)
        runs0 = o.sandbox_runs
        t0 = time.perf_counter()
        n = sum(len(o.judge_many(fresh(items, f"repeat {r}"))) for r in range(repeat))
        dt = time.perf_counter() - t0
        assert o.sandbox_runs - runs0 == n, "local: a timed verdict was not a sandbox run"
    return _rates(n, dt)


def bench_ray(items, tasks, actors: int, workers: int, repeat: int) -> dict:
    import ray

    from sectree.oracle.ray_backend import RayOracle

    with RayOracle(OracleConfig(workers=workers, cache=False), BackendConfig(Backend.RAY, actors=actors)) as o:
        # every actor: its sandboxes warm and every task's expected tests collected, before the clock
        ray.get([a.judge.remote([(t, t.reference_source) for t in tasks]) for a in o.actors])
        runs = lambda: sum(total for _, total in ray.get([a.judge.remote([]) for a in o.actors]))  # noqa: E731
        runs0 = runs()
        t0 = time.perf_counter()
        n = sum(len(o.judge_many(fresh(items, f"repeat {r}"))) for r in range(repeat))
        dt = time.perf_counter() - t0
        assert runs() - runs0 == n, "ray: a timed verdict was not a sandbox run"
    return _rates(n, dt)


def bench_rollouts(model: str, n_trees: int, max_new_tokens: int, workers: int) -> dict:
    from sectree.policy import load_policy
    from sectree.tree.build import TreeConfig, build_trees
    from sectree.tree.ray_rollout import RolloutConfig, RolloutPool

    tasks = load_suite("builtin:python", split="train")
    warm, timed = tasks[:2], tasks[2: 2 + n_trees]
    cfg = lambda seed: TreeConfig(max_nodes=2, branches=2, max_branches=4, leaf_budget=6,  # noqa: E731
                                  sampling=Sampling(max_new_tokens=max_new_tokens), seed=seed)
    rows = {}
    with Oracle(OracleConfig(workers=workers)) as oracle:
        policy = load_policy(model)
        build_trees(policy, warm, oracle, cfg(0), model_spec=model)  # untimed: sandboxes and caches warm
        t0 = time.perf_counter()
        want = build_trees(policy, timed, oracle, cfg(1), model_spec=model)
        rows["local, this process"] = _tree_rates(want, time.perf_counter() - t0)
        for replicas in (1, 2):
            pool = RolloutPool(RolloutConfig(replicas=replicas))
            try:
                pool.build_trees(model, warm * replicas, oracle, cfg(0), model_spec=model)  # untimed: model loads
                t0 = time.perf_counter()
                trees = pool.build_trees(model, timed, oracle, cfg(1), model_spec=model)
                assert [_no_timings(t.to_dict()) for t in trees] == [_no_timings(t.to_dict()) for t in want]
                rows[f"ray, {replicas} replica{'s' if replicas > 1 else ''}"] = _tree_rates(
                    trees, time.perf_counter() - t0)
            finally:
                pool.close()
    return rows


def _no_timings(x):
    if isinstance(x, dict):
        return {k: _no_timings(v) for k, v in x.items() if k != "timings"}
    return [_no_timings(v) for v in x] if isinstance(x, list) else x


def _tree_rates(trees, dt: float) -> dict:
    tokens = sum(t.stats.get("tree/tokens_generated", 0) for t in trees)
    leaves = sum(t.stats.get("tree/leaves", 0) for t in trees)
    return {"trees": len(trees), "leaves": leaves, "tokens": tokens, "seconds": round(dt, 2),
            "trees_per_s": round(len(trees) / dt, 3), "tokens_per_s": round(tokens / dt, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="builtin:python")
    ap.add_argument("--limit", type=int, default=10, help="use only the first N tasks (0: all)")
    ap.add_argument("--repeat", type=int, default=2, help="times each candidate is judged (fresh each time)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="sandbox workers in all (W)")
    ap.add_argument("--cpus", type=int, default=os.cpu_count() or 1, help="CPUs of the private Ray cluster")
    ap.add_argument("--model", default="tiny-random")
    ap.add_argument("--trees", type=int, default=8, help="trees in the timed rollout round")
    ap.add_argument("--max-new-tokens", type=int, default=32)
    ap.add_argument("--skip-rollouts", action="store_true")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "scale.json"))
    args = ap.parse_args()

    import ray

    tasks = load_suite(args.suite)
    tasks = tasks[: args.limit] if args.limit else tasks
    items = [(t, t.reference_source) for t in tasks] + [(t, t.unsafe_source) for t in tasks]
    load_before = os.getloadavg()
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        W = args.workers
        oracle = {
            f"local, {W} workers": bench_local(items, tasks, W, args.repeat),
            f"ray, 1 actor × {W} workers": bench_ray(items, tasks, 1, W, args.repeat),
            f"ray, {W} actors × 1 worker": bench_ray(items, tasks, W, 1, args.repeat),
        }
        rollouts = {} if args.skip_rollouts else bench_rollouts(args.model, args.trees, args.max_new_tokens, W)
    finally:
        ray.shutdown()
    local = oracle[f"local, {W} workers"]["ms_per_verdict"]
    overhead = {k: round(v["ms_per_verdict"] - local, 1) for k, v in oracle.items() if k.startswith("ray")}
    cpu = machine()["cpu"]
    result = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {cpu}",
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "ray": ray.__version__, "suite": args.suite, "tasks": len(tasks), "candidates": len(items),
        "repeat": args.repeat, "cache": "off; every timed verdict a sandbox run", "oracle": oracle,
        "ray_overhead_ms_per_verdict": overhead, "rollout_model": args.model, "rollouts": rollouts,
    }
    print(f"{'oracle':30} {'verdicts':>8} {'seconds':>8} {'per s':>7} {'ms/verdict':>10}")
    for name, r in oracle.items():
        print(f"{name:30} {r['verdicts']:>8} {r['seconds']:>8} {r['per_second']:>7} {r['ms_per_verdict']:>10}")
    print(f"Ray overhead per verdict vs local (ms): {overhead}")
    if rollouts:
        print(f"\n{'rollouts (' + args.model + ')':30} {'trees':>5} {'leaves':>6} {'seconds':>8} {'trees/s':>8} "
              f"{'tokens/s':>9}")
        for name, r in rollouts.items():
            print(f"{name:30} {r['trees']:>5} {r['leaves']:>6} {r['seconds']:>8} {r['trees_per_s']:>8} "
                  f"{r['tokens_per_s']:>9}")
    print(f"({result['machine']}, {result['date']}, load {result['load_average_before_after'][0]} -> "
          f"{result['load_average_before_after'][1]})")
    write_json_atomic(args.out, result)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
