"""Fit check: does one round of node-DPO move the decisions it trained on? (issue #11.4)

Trains one round on the pairs of a trees file (one tree per Python train task, from ``sectree trees build``)
over a small sweep of learning rate × epochs, each run from the same starting model, and reports the
secure-choice rate (``evaluate/choice.py``: the share of decisions where the secure hunk has the higher mean
per-token log-prob, per task, mean over tasks) before and after on

  fit       the decisions of the train tasks whose trees were trained on (the target: >= 90%)
  held-out  the decisions of train-split tasks held out of training (chosen with --seed): what defaults are
            picked on, never on test tasks
  test      the Python test split's decisions: recorded for the chosen setting's effect, never used to choose

Pair kinds and weights (w_security, w_function) are those of TrainConfig unless given. Writes
benchmarks/results/fit.json and prints a table. Training on this shared CPU is slow: keep the sweep small.
Usage: .venv/bin/python benchmarks/fit_bench.py --trees runs/py/trees.jsonl [--lrs 1e-4,1e-3] [--epochs 3,5]
       [--held-out 6] [--model smollm2-135m]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import datetime, timezone
from pathlib import Path

from sectree.evaluate.choice import score_choices, summarize_choice
from sectree.experiment.report.results import machine
from sectree.io import write_json_atomic
from sectree.policy import load_policy
from sectree.tasks import load_suite
from sectree.train.trainer import TrainConfig, train_pairs
from sectree.tree.model import PairKind, PairRule, load_trees, pair_counts


def rate(policy, tasks) -> float:
    """Secure-choice rate over the tasks' decisions (per task share, mean over tasks)."""
    if not tasks:
        return float("nan")
    return summarize_choice(score_choices(policy, tasks), resamples=200)["overall"]["secure_choice_rate"]["value"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trees", required=True, help="trees JSONL of the Python train split (sectree trees build)")
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--lrs", default="1e-4,1e-3")
    ap.add_argument("--epochs", default="3,5")
    ap.add_argument("--held-out", type=int, default=6, help="train tasks held out of training (choose on these)")
    ap.add_argument("--w-function", type=float, default=None, help="override TrainConfig.w_function")
    ap.add_argument("--max-pairs", type=int, default=None,
                    help="keep at most this many pairs per tree, security pairs first (a smaller, cheaper round)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-test", action="store_true", help="skip the test-split decisions")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "fit.json"))
    args = ap.parse_args()

    trees = {t.task_id: t for t in load_trees(args.trees)}
    train = load_suite("builtin:python", split="train")
    ids = sorted(t.id for t in train if t.id in trees)
    rng = random.Random(args.seed)
    held = set(rng.sample(ids, min(args.held_out, len(ids) - 1)))
    fit_tasks = [t for t in train if t.id in trees and t.id not in held]
    held_tasks = [t for t in train if t.id in held]
    test_tasks = [] if args.no_test else load_suite("builtin:python", split="test")
    groups = []
    for t in fit_tasks:
        pairs = trees[t.id].pairs(PairRule.ORACLE)
        pairs = sorted(pairs, key=lambda p: p.kind != PairKind.SECURITY)[: args.max_pairs]  # stable: node order kept
        if pairs:
            groups.append((trees[t.id].prompt_ids, pairs))
    counts = pair_counts([p for _, ps in groups for p in ps])
    print(f"fit on {len(fit_tasks)} train tasks ({len(groups)} with pairs, {counts}); held out {sorted(held)}")

    cpu = machine()["cpu"]
    result = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "machine": f"{os.cpu_count()} cores, {cpu}",
              "load_at_start": Path("/proc/loadavg").read_text().split()[:3], "model": args.model,
              "trees": args.trees, "max_pairs_per_tree": args.max_pairs, "fit_tasks": [t.id for t in fit_tasks],
              "held_out_tasks": sorted(held), "test_tasks": len(test_tasks), "pairs": counts}
    policy = load_policy(args.model)
    t0 = time.perf_counter()
    before = {"fit": rate(policy, fit_tasks), "held_out": rate(policy, held_tasks), "test": rate(policy, test_tasks)}
    score_s = time.perf_counter() - t0
    result.update(before=before, score_seconds=round(score_s, 1), runs=[])
    print(f"before: fit {before['fit']:.2f} held-out {before['held_out']:.2f} test {before['test']:.2f}")
    runs = result["runs"]
    for lr in [float(x) for x in args.lrs.split(",")]:
        for ep in [int(x) for x in args.epochs.split(",")]:
            policy = load_policy(args.model)  # every setting starts from the same θ_0
            extra = {} if args.w_function is None else {"w_function": args.w_function}
            cfg = TrainConfig(lr=lr, epochs=ep, seed=args.seed, **extra)
            t0 = time.perf_counter()
            st = train_pairs(policy, groups, cfg)
            wall = time.perf_counter() - t0
            after = {"fit": rate(policy, fit_tasks), "held_out": rate(policy, held_tasks),
                     "test": rate(policy, test_tasks)}
            runs.append({"lr": lr, "epochs": ep, "w_security": cfg.w_security, "w_function": cfg.w_function,
                         "train_seconds": round(wall, 1), "final_loss": st["loss/total"][-1], **after})
            print(f"lr {lr:g} epochs {ep}: fit {after['fit']:.2f} held-out {after['held_out']:.2f} "
                  f"test {after['test']:.2f} ({wall:.0f} s)")
            result["load_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
            write_json_atomic(args.out, result)  # after every setting: a stopped sweep keeps what it measured
    print("\n| lr | epochs | fit (train decisions) | held-out train | test | train s |\n|---|---|---|---|---|---|")
    print(f"| before | – | {before['fit']:.2f} | {before['held_out']:.2f} | {before['test']:.2f} | – |")
    for r in runs:
        print(f"| {r['lr']:g} | {r['epochs']} | {r['fit']:.2f} | {r['held_out']:.2f} | {r['test']:.2f} "
              f"| {r['train_seconds']:.0f} |")
    write_json_atomic(args.out, result)


if __name__ == "__main__":
    main()
