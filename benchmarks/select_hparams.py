"""Hyperparameter selection for the v2 experiments (issue #18 item 1), on a VALIDATION split of the train decisions.

Procedure (documented in README, "v2 experiments"):

1. Trees of the training suite, once, with the experiment's tree settings (no training):
   ``sectree trees build --suite builtin:python --split train --out runs/hp/trees.jsonl`` (plus
   ``--opponents`` as in the config).
2. Hold out ``--held-out`` train-split tasks (a fixed draw with ``--seed``): the validation split. Their pairs are
   never trained on; test-split tasks are never looked at.
3. For every learning rate × epochs × NLL weight (TrainConfig.alpha) of the grid, start from the same θ_0, train
   one node-DPO round on the other trees' pairs, and score the secure-choice rate (evaluate/choice.py) on
   - fit: the trained tasks' own decisions (a fit check: necessary, not the criterion),
   - validation: the held-out train tasks' decisions (the criterion).
   With ``--fit-trees K --draws D`` each setting is instead trained D times, each time on K fit trees (draw d: a
   fixed random K of the fit tasks, the same draws for every setting), as an experiment run trains on
   ``run.max_tasks`` trees: the number of optimiser steps, and so what a learning rate does, depends on how
   many pairs a run sees. The rates are then means over the draws.
4. Choose the setting with the highest validation secure-choice rate; a tie (within ``--tie``) goes to the more
   regularised setting (lower lr, then fewer epochs, then the higher NLL weight). A setting that does not beat
   θ_0 on validation is reported as such: then the experiment's defaults stay and the README says so.

Prints the choice as ``--set`` overrides for ``sectree experiment`` and writes every setting's numbers to
``--out`` (JSON, after each setting, so a stopped sweep keeps what it measured). Training dominates the cost
(~2 s per pair per epoch on the 2-core CPU): keep the grid small or use --max-pairs. The helpers come from
benchmarks/fit_bench.py (the same fit check, lr × epochs only).

Usage: .venv/bin/python benchmarks/select_hparams.py --trees runs/hp/trees.jsonl [--lrs 3e-5,1e-4,3e-4]
       [--epochs 1,3] [--alphas 1,4] [--held-out 8] [--max-pairs 6] [--fit-trees 3 --draws 2]
       [--model smollm2-135m]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # fit_bench's helpers

from fit_bench import rate  # noqa: E402

from sectree.io import write_json_atomic  # noqa: E402
from sectree.tree.model import PairKind, PairRule, load_trees, pair_counts  # noqa: E402


def split(tasks: list, held_out: int, seed: int) -> tuple[list, list]:
    """(fit tasks, validation tasks): ``held_out`` of ``tasks`` drawn with ``seed`` (by id, so reproducible)."""
    ids = sorted(t.id for t in tasks)
    held = set(random.Random(seed).sample(ids, min(held_out, len(ids) - 1)))
    return [t for t in tasks if t.id not in held], [t for t in tasks if t.id in held]


def choose(runs: list[dict], tie: float) -> dict:
    """The best validation rate; within ``tie`` of it the most regularised (lower lr, fewer epochs, higher alpha)."""
    best = max(r["validation"] for r in runs)
    near = [r for r in runs if r["validation"] >= best - tie]
    return min(near, key=lambda r: (r["lr"], r["epochs"], -r["alpha"]))


def main(argv: list[str] | None = None) -> dict:
    from sectree.policy import load_policy
    from sectree.tasks import load_suite
    from sectree.train.trainer import TrainConfig, train_pairs

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trees", required=True, help="trees JSONL of the train split (sectree trees build)")
    ap.add_argument("--suite", default="builtin:python", help="the suite the trees were built on (train split)")
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--lrs", default="3e-5,1e-4,3e-4")
    ap.add_argument("--epochs", default="1,3")
    ap.add_argument("--alphas", default="1,4", help="NLL weights (TrainConfig.alpha) to try")
    ap.add_argument("--held-out", type=int, default=8, help="train tasks held out: the validation split")
    ap.add_argument("--max-pairs", type=int, default=None, help="at most this many pairs per tree, security first")
    ap.add_argument("--fit-trees", type=int, default=None,
                    help="train each setting on this many fit trees per draw (an experiment run's run.max_tasks)")
    ap.add_argument("--draws", type=int, default=1, help="with --fit-trees: draws of fit trees per setting (mean)")
    ap.add_argument("--tie", type=float, default=0.0, help="validation rates within this of the best tie")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "select_hparams.json"))
    args = ap.parse_args(argv)

    trees = {t.task_id: t for t in load_trees(args.trees)}
    train = [t for t in load_suite(args.suite, split="train") if t.id in trees]
    if len(train) < 2:
        raise SystemExit(f"error: {args.trees}: needs trees of at least 2 train tasks of {args.suite}")
    fit_tasks, val_tasks = split(train, args.held_out, args.seed)
    groups, fit_tasks_with_pairs = [], []
    for t in fit_tasks:
        pairs = sorted(trees[t.id].pairs(PairRule.ORACLE), key=lambda p: p.kind != PairKind.SECURITY)[: args.max_pairs]
        if pairs:
            groups.append((trees[t.id].prompt_ids, pairs))
            fit_tasks_with_pairs.append(t.id)
    counts = pair_counts([p for _, ps in groups for p in ps])
    if args.fit_trees is not None and not 1 <= args.fit_trees <= len(groups):
        raise SystemExit(f"error: --fit-trees must be between 1 and {len(groups)} (fit trees with pairs)")
    if args.draws < 1:
        raise SystemExit("error: --draws must be >= 1")
    k = args.fit_trees or len(groups)
    draws = [sorted(random.Random(args.seed * 1000 + d).sample(range(len(groups)), k)) for d in range(args.draws)]
    print(f"fit on {len(fit_tasks)} train tasks ({counts}); validation: {sorted(t.id for t in val_tasks)}; "
          f"{len(draws)} draw(s) of {k} tree(s) per setting")
    result = {"load_at_start": Path("/proc/loadavg").read_text().split()[:3], "cores": os.cpu_count(),
              "model": args.model, "trees": args.trees, "suite": args.suite, "seed": args.seed,
              "fit_tasks": [t.id for t in fit_tasks], "validation_tasks": [t.id for t in val_tasks], "pairs": counts,
              "criterion": "validation secure-choice rate (held-out train decisions); never test",
              "fit_trees_per_draw": k, "draws": [[fit_tasks_with_pairs[i] for i in d] for d in draws], "runs": []}
    policy = load_policy(args.model)
    result["before"] = {"fit": rate(policy, fit_tasks), "validation": rate(policy, val_tasks)}
    print(f"before: fit {result['before']['fit']:.3f} validation {result['before']['validation']:.3f}")
    for lr in [float(x) for x in args.lrs.split(",")]:
        for ep in [int(x) for x in args.epochs.split(",")]:
            for alpha in [float(x) for x in args.alphas.split(",")]:
                per = []
                for d, idx in enumerate(draws):
                    policy = load_policy(args.model)  # every setting and draw starts from the same θ_0
                    cfg = TrainConfig(lr=lr, epochs=ep, alpha=alpha, seed=args.seed + d)
                    t0 = time.perf_counter()
                    st = train_pairs(policy, [groups[i] for i in idx], cfg)
                    trained = {fit_tasks_with_pairs[i] for i in idx}
                    per.append({"train_seconds": round(time.perf_counter() - t0, 1),
                                "final_loss": st["loss/total"][-1],
                                "fit": rate(policy, [t for t in fit_tasks if t.id in trained]),
                                "validation": rate(policy, val_tasks)})
                run = {"lr": lr, "epochs": ep, "alpha": alpha,
                       "train_seconds": round(sum(r["train_seconds"] for r in per), 1),
                       "final_loss": sum(r["final_loss"] for r in per) / len(per),
                       "fit": sum(r["fit"] for r in per) / len(per),
                       "validation": sum(r["validation"] for r in per) / len(per),
                       "per_draw": per}
                result["runs"].append(run)
                print(f"lr {lr:g} epochs {ep} alpha {alpha:g}: fit {run['fit']:.3f} validation "
                      f"{run['validation']:.3f} ({run['train_seconds']:.0f} s)")
                result["load_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
                write_json_atomic(args.out, result)
    best = choose(result["runs"], args.tie)
    result["chosen"] = {**best, "beats_theta0": best["validation"] > result["before"]["validation"]}
    write_json_atomic(args.out, result)
    print(f"chosen: lr {best['lr']:g}, epochs {best['epochs']}, alpha {best['alpha']:g} (validation "
          f"{best['validation']:.3f} vs θ_0 {result['before']['validation']:.3f}"
          f"{'' if result['chosen']['beats_theta0'] else ': does NOT beat θ_0, keep the defaults'})")
    print(f"--set run.update.lr={best['lr']:g} --set run.update.epochs={best['epochs']} "
          f"--set run.update.alpha={best['alpha']:g}")
    return result


if __name__ == "__main__":
    main()
