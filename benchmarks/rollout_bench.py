"""Rollout cost: one TSP tree vs independent sampling, producing the same leaves (same count, same length).

For each task: risk nodes from the diff strategy (up to --nodes), B branches per node, each exactly
--tokens new tokens (stop rules and EOS off, so both sides generate identical amounts).

  tree          prefill prompt+golden once, crop the KV cache to each node, fork it B ways, and decode
                every node's branches together as one left-padded batch
  independent   HF `generate(num_return_sequences=B)` from each node's full prefix (re-prefilled B times)

Reports tokens forwarded (prefill + decode positions) and wall time; the two sides alternate per task so
machine load hits both alike. Writes benchmarks/results/rollout.json.
Usage: .venv/bin/python benchmarks/rollout_bench.py [--model smollm2-135m] [--tasks 3] [--B 4] [--tokens 64]
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
from sectree.tasks import load_suite
from sectree.tree.build import TreeBuilder, TreeConfig, fork_sample_many, prefill


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--tasks", type=int, default=3)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--B", type=int, default=4)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "rollout.json"))
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    policy = load_policy(args.model)
    cfg = TreeConfig(strategies=["diff"], max_nodes=args.nodes, branches=args.B, max_new_tokens=args.tokens,
                     temperature=1.0, top_p=1.0)
    tasks = load_suite("builtin:python", split="train")[: args.tasks]
    tot = {"tree": {"seconds": 0.0, "tokens_forwarded": 0, "leaves": 0, "leaf_tokens": 0},
           "independent": {"seconds": 0.0, "tokens_forwarded": 0, "leaves": 0, "leaf_tokens": 0}}
    for task in tasks:
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
        trunk.cache = trunk.logits = None
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
              "model": args.model, "tasks": [t.id for t in tasks], "B": args.B, "tokens": args.tokens, **tot,
              "speedup_wall": round(speed, 2), "forwarded_ratio": round(ratio, 2)}
    print(f"{'method':12} {'leaves':>6} {'leaf tokens':>11} {'tokens fwd':>10} {'seconds':>8}")
    for k, r in tot.items():
        print(f"{k:12} {r['leaves']:>6} {r['leaf_tokens']:>11} {r['tokens_forwarded']:>10} {r['seconds']:>8}")
    print(f"tree is {speed:.2f}x faster (wall) and forwards {ratio:.2f}x fewer tokens ({result['machine']}, {result['date']})")
    write_json_atomic(args.out, result)


if __name__ == "__main__":
    main()
