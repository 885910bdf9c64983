"""Rollout cost: one TSP tree vs independent sampling, producing the same leaves (same count, same length).

For each task: risk nodes from the diff strategy (up to --nodes), B branches per node, each exactly
--tokens new tokens (stop rules and EOS off, so both sides generate identical amounts).

  tree          prefill prompt+golden once, crop the KV cache to each node, fork it B ways, and decode
                every node's branches together as one left-padded batch
  independent   HF `generate(num_return_sequences=B)` from each node's full prefix (re-prefilled B times)

Reports tokens forwarded (prefill + decode positions) and wall time; the two sides alternate per task so
machine load hits both alike. Writes benchmarks/results/rollout.json.

``--leaf span`` measures span leaves as trees grow them (tree.leaf: span): risk nodes at the decision points
(diff) and entropy peaks, every branch ends where its statement ends (stop rules on, --tokens is the cap), and
the independent side is our own sampler with the same stop rule from B separate copies of each node's prefix
(one left-padded batch, each row prefilling its own copy), so both sides produce leaves of the same
distribution; leaf counts and token totals are reported for both. Writes benchmarks/results/rollout_span.json.
Usage: .venv/bin/python benchmarks/rollout_bench.py [--model smollm2-135m] [--tasks 3] [--B 4] [--tokens 64]
       [--leaf fixed|span]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import torch

from sectree.io import write_json_atomic
from sectree.policy import load_policy
from sectree.settings import Sampling
from sectree.tasks import load_suite
from sectree.tree.build import LeafMode, TreeBuilder, TreeConfig, fork_sample_many, prefill


def span_task(policy, task, args, tot) -> int:
    """--leaf span: one task's tree side and independent side; returns the number of nodes."""
    from sectree.policy import SamplingConfig, fork, sample_ids

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
    t0 = time.perf_counter()
    prefill(policy, trunk)
    fwd = n_prompt + len(trunk.golden.ids)
    branches = [fork.Branch(trunk.prefix, n_prompt + n.position, args.B, b.points[n.position].stop())
                for n in nodes]
    for samples in fork.fork(policy, branches, sc):
        fwd += sum(len(s.token_ids) - 1 for s in samples)  # the first token comes from the prefill logits
        tot["tree"]["leaves"] += len(samples)
        tot["tree"]["leaf_tokens"] += sum(len(s.token_ids) for s in samples)
    tot["tree"]["seconds"] += time.perf_counter() - t0
    tot["tree"]["tokens_forwarded"] += fwd
    trunk.prefix = None
    # --- independent: B separate copies of each node's prefix (each row prefills its own), same stop rule
    t0 = time.perf_counter()
    fwd = 0
    for n in nodes:
        prefix = trunk.prompt_ids + trunk.golden.ids[: n.position]
        samples = sample_ids(policy, [prefix] * args.B, sc, stop=[b.points[n.position].stop()] * args.B)
        fwd += args.B * len(prefix) + sum(len(s.token_ids) - 1 for s in samples)
        tot["independent"]["leaves"] += len(samples)
        tot["independent"]["leaf_tokens"] += sum(len(s.token_ids) for s in samples)
    tot["independent"]["seconds"] += time.perf_counter() - t0
    tot["independent"]["tokens_forwarded"] += fwd
    return len(nodes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--tasks", type=int, default=3)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--B", type=int, default=4)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--leaf", choices=("fixed", "span"), default="fixed")
    ap.add_argument("--out", default=None, help="default benchmarks/results/rollout.json (rollout_span.json)")
    args = ap.parse_args()
    args.out = args.out or str(Path(__file__).parent / "results" / ("rollout_span.json" if args.leaf == "span"
                                                                      else "rollout.json"))
    torch.set_num_threads(os.cpu_count() or 1)
    policy = load_policy(args.model)
    cfg = TreeConfig(strategies=["diff"], max_nodes=args.nodes, branches=args.B,
                     sampling=Sampling(max_new_tokens=args.tokens, temperature=1.0, top_p=1.0), leaf=LeafMode.REST)
    tasks = load_suite("builtin:python", split="train")[: args.tasks]
    tot = {"tree": {"seconds": 0.0, "tokens_forwarded": 0, "leaves": 0, "leaf_tokens": 0},
           "independent": {"seconds": 0.0, "tokens_forwarded": 0, "leaves": 0, "leaf_tokens": 0}}
    for task in tasks:
        if args.leaf == "span":
            k = span_task(policy, task, args, tot)
            print(f"{task.id}: {k} nodes x {args.B} span branches (<= {args.tokens} tokens)")
            continue
        b = TreeBuilder(policy, task, cfg)
        positions = sorted({n.position for n in b.risk_nodes()})
        trunk = b.trunk
        # --- tree: one prefill, fork per node
        t0 = time.perf_counter()
        prefill(policy, trunk)
        fwd = len(trunk.prompt_ids) + len(trunk.golden.ids)
        outs, _ = fork_sample_many(policy, trunk, [(p, args.B) for p in positions], cfg, seed=0, stop=False)
        for samples in outs:  # all nodes were decoded as one batch (left-padded prefixes)
            fwd += sum(len(s.token_ids) - 1 for s in samples)  # the first token comes from the prefill logits
            tot["tree"]["leaves"] += len(samples)
            tot["tree"]["leaf_tokens"] += sum(len(s.token_ids) for s in samples)
        tot["tree"]["seconds"] += time.perf_counter() - t0
        tot["tree"]["tokens_forwarded"] += fwd
        trunk.prefix = None
        # --- independent: generate() from each node's prefix, num_return_sequences=B
        t0 = time.perf_counter()
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
        tot["independent"]["seconds"] += time.perf_counter() - t0
        tot["independent"]["tokens_forwarded"] += fwd
        print(f"{task.id}: {len(positions)} nodes x {args.B} branches x {args.tokens} tokens")
    for r in tot.values():
        r["seconds"] = round(r["seconds"], 2)
    speed = tot["independent"]["seconds"] / max(tot["tree"]["seconds"], 1e-9)
    ratio = tot["independent"]["tokens_forwarded"] / max(tot["tree"]["tokens_forwarded"], 1)
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    result = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "machine": f"{os.cpu_count()} cores, {cpu}",
              "model": args.model, "tasks": [t.id for t in tasks], "B": args.B, "tokens": args.tokens,
              "leaf": args.leaf, "load_at_end": Path("/proc/loadavg").read_text().split()[:3], **tot,
              "speedup_wall": round(speed, 2), "forwarded_ratio": round(ratio, 2)}
    print(f"{'method':12} {'leaves':>6} {'leaf tokens':>11} {'tokens fwd':>10} {'seconds':>8}")
    for k, r in tot.items():
        print(f"{k:12} {r['leaves']:>6} {r['leaf_tokens']:>11} {r['tokens_forwarded']:>10} {r['seconds']:>8}")
    print(f"tree is {speed:.2f}x faster (wall) and forwards {ratio:.2f}x fewer tokens ({result['machine']}, {result['date']})")
    write_json_atomic(args.out, result)


if __name__ == "__main__":
    main()
