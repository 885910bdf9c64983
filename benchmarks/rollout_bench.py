"""Rollout cost: one TSP tree vs independent sampling, producing the same leaves (same count, same length).

For each task: risk nodes from the diff strategy (up to --nodes), B branches per node, each exactly
--tokens new tokens (stop rules and EOS off, so both sides generate identical amounts).

  tree          prefill prompt+golden once, crop the KV cache to each node, fork it B ways, and decode
                every node's branches together as one left-padded batch
  independent   HF `generate(num_return_sequences=B)` from each node's full prefix (re-prefilled B times)

Reports tokens forwarded (prefill + decode positions), wall time and the process's CPU seconds (all its
threads; on a shared machine wall time also counts the waits, CPU seconds do not); the two sides alternate per
task so machine load hits both alike. Writes benchmarks/results/rollout.json.

``--leaf span`` measures span leaves as trees grow them (tree.leaf: span): risk nodes at the decision points
(diff) and entropy peaks, every branch ends where its statement ends (stop rules on, --tokens is the cap), and
the independent side is our own sampler with the same stop rule from B separate copies of each node's prefix
(one left-padded batch, each row prefilling its own copy), so both sides produce leaves of the same
distribution; leaf counts and token totals are reported for both, and each side's CPU seconds split into
prefill (tree: the trunk; independent: the B prefix copies) and decode (tree: forking the cache + the decode
loop). Writes benchmarks/results/rollout_span.json.
Usage: .venv/bin/python benchmarks/rollout_bench.py [--model smollm2-135m] [--tasks 3] [--B 4] [--tokens 64]
       [--leaf fixed|span] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timezone
from pathlib import Path

import torch

from sectree.experiment.report.results import machine
from sectree.io import write_json_atomic
from sectree.policy import load_policy
from sectree.settings import Sampling
from sectree.tasks import load_suite
from sectree.tree.build import LeafMode, TreeBuilder, TreeConfig, fork_sample_many, prefill


def span_task(policy, task, args, tot) -> int:
    """--leaf span: one task's tree side and independent side; returns the number of nodes."""
    from sectree.policy import SamplingConfig, fork
    from sectree.policy.sampling import _prefill, decode_rows, new_row

    cfg = TreeConfig(strategies=["diff", "entropy"], max_nodes=args.nodes, branches=args.B,
                     sampling=Sampling(max_new_tokens=args.tokens, temperature=1.0, top_p=1.0), leaf=LeafMode.SPAN)
    b = TreeBuilder(policy, task, cfg)
    trunk = b.trunk
    prefill(policy, trunk)  # untimed: the entropy strategy needs the golden entropies to place its nodes
    nodes = b.risk_nodes()  # fills b.points (where each span starts and how it ends)
    trunk.prefix = None
    n_prompt = len(trunk.prompt_ids)
    sc = SamplingConfig(n=1, temperature=1.0, top_p=1.0, max_new_tokens=args.tokens, seed=0)
    # --- tree: one prefill of prompt + golden, every node's span branches decoded as one batch
    t0, c0 = time.perf_counter(), time.process_time()
    prefill(policy, trunk)
    c1 = time.process_time()
    fwd = n_prompt + len(trunk.golden.ids)
    branches = [fork.Branch(trunk.prefix, n_prompt + n.position, args.B, b.points[n.position].stop())
                for n in nodes]
    for samples in fork.fork(policy, branches, sc):
        fwd += sum(len(s.token_ids) - 1 for s in samples)  # the first token comes from the prefill logits
        tot["tree"]["leaves"] += len(samples)
        tot["tree"]["leaf_tokens"] += sum(len(s.token_ids) for s in samples)
    _add(tot["tree"], t0, c0, c1, fwd)
    trunk.prefix = None
    # --- independent: B separate copies of each node's prefix (each row prefills its own), same stop rule.
    # sample_ids(policy, [prefix] * B, sc, stop=[rule] * B) step by step, so prefill and decode are timed apart
    t0, c0 = time.perf_counter(), time.process_time()
    c_pre, fwd = 0.0, 0
    for n in nodes:
        prefix = trunk.prompt_ids + trunk.golden.ids[: n.position]
        rule = b.points[n.position].stop()
        c = time.process_time()
        with torch.inference_mode():
            logits, cache, mask, positions = _prefill(policy, [prefix] * args.B)
            c_pre += time.process_time() - c
            rows = [new_row(policy, prefix, rule, j, 0, stream=j) for j in range(args.B)]
            samples = decode_rows(policy, rows, logits, cache, mask, positions, sc)
        fwd += args.B * len(prefix) + sum(len(s.token_ids) - 1 for s in samples)
        tot["independent"]["leaves"] += len(samples)
        tot["independent"]["leaf_tokens"] += sum(len(s.token_ids) for s in samples)
    _add(tot["independent"], t0, c0, c0 + c_pre, fwd)
    return len(nodes)


def _add(side: dict, t0: float, c0: float, c_prefilled: float, fwd: int) -> None:
    """Add one task's wall seconds (since ``t0``), CPU seconds (since ``c0``; prefill = up to ``c_prefilled``,
    decode = the rest) and tokens forwarded to a side's totals."""
    cpu = time.process_time() - c0
    side["seconds"] += time.perf_counter() - t0
    side["cpu_seconds"] += cpu
    side["prefill_cpu_seconds"] += c_prefilled - c0
    side["decode_cpu_seconds"] += cpu - (c_prefilled - c0)
    side["tokens_forwarded"] += fwd


def _cell(x: float | None) -> str:
    return "-" if x is None else str(x)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--tasks", type=int, default=3)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--B", type=int, default=4)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--leaf", choices=("fixed", "span"), default="fixed")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads (default: all cores)")
    ap.add_argument("--out", default=None, help="default benchmarks/results/rollout.json (rollout_span.json)")
    args = ap.parse_args()
    args.out = args.out or str(Path(__file__).parent / "results" / ("rollout_span.json" if args.leaf == "span"
                                                                      else "rollout.json"))
    torch.set_num_threads(args.threads)
    policy = load_policy(args.model)
    cfg = TreeConfig(strategies=["diff"], max_nodes=args.nodes, branches=args.B,
                     sampling=Sampling(max_new_tokens=args.tokens, temperature=1.0, top_p=1.0), leaf=LeafMode.REST)
    tasks = load_suite("builtin:python", split="train")[: args.tasks]
    tot = {side: {"seconds": 0.0, "cpu_seconds": 0.0, "prefill_cpu_seconds": 0.0, "decode_cpu_seconds": 0.0,
                  "tokens_forwarded": 0, "leaves": 0, "leaf_tokens": 0} for side in ("tree", "independent")}
    load_at_start = Path("/proc/loadavg").read_text().split()[:3]
    for task in tasks:
        if args.leaf == "span":
            k = span_task(policy, task, args, tot)
            print(f"{task.id}: {k} nodes x {args.B} span branches (<= {args.tokens} tokens)")
            continue
        b = TreeBuilder(policy, task, cfg)
        positions = sorted({n.position for n in b.risk_nodes()})
        trunk = b.trunk
        # --- tree: one prefill, fork per node
        t0, c0 = time.perf_counter(), time.process_time()
        prefill(policy, trunk)
        c1 = time.process_time()
        fwd = len(trunk.prompt_ids) + len(trunk.golden.ids)
        outs, _ = fork_sample_many(policy, trunk, [(p, args.B) for p in positions], cfg, seed=0, stop=False)
        for samples in outs:  # all nodes were decoded as one batch (left-padded prefixes)
            fwd += sum(len(s.token_ids) - 1 for s in samples)  # the first token comes from the prefill logits
            tot["tree"]["leaves"] += len(samples)
            tot["tree"]["leaf_tokens"] += sum(len(s.token_ids) for s in samples)
        _add(tot["tree"], t0, c0, c1, fwd)
        trunk.prefix = None
        # --- independent: generate() from each node's prefix, num_return_sequences=B (prefill not split out)
        t0, c0 = time.perf_counter(), time.process_time()
        fwd = 0
        for p in positions:
            ids = torch.tensor([trunk.prompt_ids + trunk.golden.ids[:p]])
            with torch.inference_mode():
                out = policy.model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=True,
                                            num_return_sequences=args.B, max_new_tokens=args.tokens,
                                            min_new_tokens=args.tokens, top_p=1.0, temperature=1.0,
                                            pad_token_id=policy.pad_id)
            fwd += args.B * (ids.shape[1] + args.tokens - 1)
            tot["independent"]["leaves"] += out.shape[0]
            tot["independent"]["leaf_tokens"] += out.shape[0] * (out.shape[1] - ids.shape[1])
        _add(tot["independent"], t0, c0, c0, fwd)
        print(f"{task.id}: {len(positions)} nodes x {args.B} branches x {args.tokens} tokens")
    for r in tot.values():
        for k in ("seconds", "cpu_seconds", "prefill_cpu_seconds", "decode_cpu_seconds"):
            r[k] = round(r[k], 2)
    if args.leaf == "fixed":  # generate() prefills and decodes in one call: no split on that side
        tot["independent"]["prefill_cpu_seconds"] = tot["independent"]["decode_cpu_seconds"] = None
    speed = tot["independent"]["seconds"] / max(tot["tree"]["seconds"], 1e-9)
    speed_cpu = tot["independent"]["cpu_seconds"] / max(tot["tree"]["cpu_seconds"], 1e-9)
    ratio = tot["independent"]["tokens_forwarded"] / max(tot["tree"]["tokens_forwarded"], 1)
    cpu = machine()["cpu"]
    result = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "machine": f"{os.cpu_count()} cores, {cpu}",
              "model": args.model, "tasks": [t.id for t in tasks], "B": args.B, "tokens": args.tokens,
              "leaf": args.leaf, "threads": args.threads, "load_at_start": load_at_start,
              "load_at_end": Path("/proc/loadavg").read_text().split()[:3], **tot,
              "speedup_wall": round(speed, 2), "speedup_cpu": round(speed_cpu, 2), "forwarded_ratio": round(ratio, 2)}
    print(f"{'method':12} {'leaves':>6} {'leaf tokens':>11} {'tokens fwd':>10} {'seconds':>8} {'cpu s':>7} "
          f"{'prefill':>7} {'decode':>7}")
    for k, r in tot.items():
        print(f"{k:12} {r['leaves']:>6} {r['leaf_tokens']:>11} {r['tokens_forwarded']:>10} {r['seconds']:>8} "
              f"{r['cpu_seconds']:>7} {_cell(r['prefill_cpu_seconds']):>7} {_cell(r['decode_cpu_seconds']):>7}")
    print(f"tree is {speed:.2f}x faster (wall), {speed_cpu:.2f}x (CPU seconds) and forwards {ratio:.2f}x fewer "
          f"tokens ({result['machine']}, {result['date']}, {args.threads} threads)")
    write_json_atomic(args.out, result)


if __name__ == "__main__":
    main()
