"""Hyperparameter selection for the v2 experiments (issue #18 item 1), on a VALIDATION split of the train decisions.

Procedure (documented in README, "v2 experiments"):

1. Trees of the training suite, once, with the experiment's tree settings (no training):
   ``sectree trees build --suite builtin:python --split train --out runs/hp/trees.jsonl`` (plus
   ``--opponents`` as in the config).
2. Hold out ``--held-out`` train-split tasks (a fixed draw with ``--seed``): the validation split. Their pairs are
   never trained on; test-split tasks are never looked at.
3. For every learning rate × epochs × NLL weight (TrainConfig.alpha) × function-pair weight (TrainConfig.w_function,
   ``--w-functions``; w_security stays 1.0, so the weight is relative to a security pair's; without the option
   every setting uses TrainConfig's default) of the grid, start from the same θ_0, train
   one node-DPO round on the other trees' pairs, and score the secure-choice rate (evaluate/choice.py) on
   - fit: the trained tasks' own decisions (a fit check: necessary, not the criterion),
   - validation: the held-out train tasks' decisions (the criterion).
   With ``--fit-trees K --draws D`` each setting is instead trained D times, each time on K fit trees (draw d: a
   fixed random K of the fit tasks, the same draws for every setting), as an experiment run trains on
   ``run.max_tasks`` trees: the number of optimiser steps, and so what a learning rate does, depends on how
   many pairs a run sees. The rates are then means over the draws.
4. Choose the setting with the highest validation secure-choice rate; a tie (within ``--tie``) goes to the more
   regularised setting (lower lr, then fewer epochs, then the higher NLL weight, then w_function: TrainConfig's
   documented default first, then the lower weight). For w_function "more regularised" means the smaller change
   to what the committed runs trained: the default first because the v2 experiments ran with it, and a tie is
   no evidence to move it; then the lower weight because it lets the many function pairs (rejected leaf broken,
   ~4 per security pair in runs/hp) shape less of the update, so less of it is spent on the decisions' *other*
   failure (breaking the code) and the loss is closer to the security-only objective; at 0 function pairs add
   no gradient at all (the per-kind weight multiplies the pair's DPO and NLL terms alike, losses.NodeDPO).
   A setting that does not beat θ_0 on validation is reported as such: then the experiment's defaults stay and
   the README says so.

Prints the choice as ``--set`` overrides for ``sectree experiment`` and writes every setting's numbers to
``--out`` (JSON, after each setting, so a stopped sweep keeps what it measured). Training dominates the cost
(~2 s per pair per epoch on the 2-core CPU): keep the grid small or use --max-pairs. The helpers come from
benchmarks/fit_bench.py (the same fit check, lr × epochs only).

Usage: .venv/bin/python benchmarks/select_hparams.py --trees runs/hp/trees.jsonl [--lrs 3e-5,1e-4,3e-4]
       [--epochs 1,3] [--alphas 1,4] [--w-functions 0,0.5,1] [--held-out 8] [--max-pairs 6]
       [--fit-trees 3 --draws 2] [--threads 1] [--model smollm2-135m]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # fit_bench's helpers

from fit_bench import rate  # noqa: E402

from sectree.experiment.report.results import machine  # noqa: E402
from sectree.io import write_json_atomic  # noqa: E402
from sectree.settings import TrainConfig  # noqa: E402
from sectree.tree.model import PairKind, PairRule, load_trees, pair_counts  # noqa: E402


def split(tasks: list, held_out: int, seed: int) -> tuple[list, list]:
    """(fit tasks, validation tasks): ``held_out`` of ``tasks`` drawn with ``seed`` (by id, so reproducible)."""
    ids = sorted(t.id for t in tasks)
    held = set(random.Random(seed).sample(ids, min(held_out, len(ids) - 1)))
    return [t for t in tasks if t.id not in held], [t for t in tasks if t.id in held]


def choose(runs: list[dict], tie: float, default_w_function: float = TrainConfig.w_function) -> dict:
    """The best validation rate; within ``tie`` of it the most regularised: lower lr, fewer epochs, higher alpha,
    then w_function ``default_w_function`` (the documented default) first, then the lower weight (module
    docstring, step 4). A run without ``w_function`` (a sweep before the option) ran with the default."""
    best = max(r["validation"] for r in runs)
    near = [r for r in runs if r["validation"] >= best - tie]

    def key(r: dict) -> tuple:
        w = r.get("w_function", default_w_function)
        return r["lr"], r["epochs"], -r["alpha"], w != default_w_function, w

    return min(near, key=key)


def _weights(text: str) -> list[float]:
    """``--w-functions``: comma-separated loss weights >= 0 (argparse turns the error into one line, exit 2)."""
    try:
        ws = [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected comma-separated numbers, e.g. 0,0.5,1") from None
    if any(w < 0 for w in ws):
        raise argparse.ArgumentTypeError(f"{text!r}: weights must be >= 0")
    return ws


def main(argv: list[str] | None = None) -> dict:
    from sectree.policy import load_policy
    from sectree.tasks import load_suite
    from sectree.train.trainer import train_pairs

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trees", required=True, help="trees JSONL of the train split (sectree trees build)")
    ap.add_argument("--suite", default="builtin:python", help="the suite the trees were built on (train split)")
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--lrs", default="3e-5,1e-4,3e-4")
    ap.add_argument("--epochs", default="1,3")
    ap.add_argument("--alphas", default="1,4", help="NLL weights (TrainConfig.alpha) to try")
    ap.add_argument("--w-functions", type=_weights, default=None,
                    help="function-pair loss weights (TrainConfig.w_function, relative to w_security 1.0) to try; "
                         f"default: TrainConfig's {TrainConfig.w_function:g} only")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch threads (torch.set_num_threads); default: torch's own (all cores)")
    ap.add_argument("--held-out", type=int, default=8, help="train tasks held out: the validation split")
    ap.add_argument("--max-pairs", type=int, default=None, help="at most this many pairs per tree, security first")
    ap.add_argument("--fit-trees", type=int, default=None,
                    help="train each setting on this many fit trees per draw (an experiment run's run.max_tasks)")
    ap.add_argument("--draws", type=int, default=1, help="with --fit-trees: draws of fit trees per setting (mean)")
    ap.add_argument("--tie", type=float, default=0.0, help="validation rates within this of the best tie")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "select_hparams.json"))
    args = ap.parse_args(argv)
    if args.threads is not None:
        if args.threads < 1:
            raise SystemExit("error: --threads must be >= 1")
        import torch

        torch.set_num_threads(args.threads)

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
    import torch

    cpu = machine()["cpu"]
    result = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": cpu,
              "torch_threads": torch.get_num_threads(),
              "load_at_start": Path("/proc/loadavg").read_text().split()[:3], "cores": os.cpu_count(),
              "model": args.model, "trees": args.trees, "suite": args.suite, "seed": args.seed,
              "fit_tasks": [t.id for t in fit_tasks], "validation_tasks": [t.id for t in val_tasks], "pairs": counts,
              "criterion": "validation secure-choice rate (held-out train decisions); never test",
              "fit_trees_per_draw": k, "draws": [[fit_tasks_with_pairs[i] for i in d] for d in draws], "runs": []}
    policy = load_policy(args.model)
    result["before"] = {"fit": rate(policy, fit_tasks), "validation": rate(policy, val_tasks)}
    print(f"before: fit {result['before']['fit']:.3f} validation {result['before']['validation']:.3f}")
    for lr in [float(x) for x in args.lrs.split(",")]:
        for ep in [int(x) for x in args.epochs.split(",")]:
            for alpha, w_fun in [(a, w) for a in [float(x) for x in args.alphas.split(",")]
                                 for w in (args.w_functions or [TrainConfig.w_function])]:
                per = []
                for d, idx in enumerate(draws):
                    policy = load_policy(args.model)  # every setting and draw starts from the same θ_0
                    cfg = TrainConfig(lr=lr, epochs=ep, alpha=alpha, w_function=w_fun, seed=args.seed + d)
                    t0 = time.perf_counter()
                    st = train_pairs(policy, [groups[i] for i in idx], cfg)
                    trained = {fit_tasks_with_pairs[i] for i in idx}
                    per.append({"train_seconds": round(time.perf_counter() - t0, 1),
                                "final_loss": st["loss/total"][-1],
                                "fit": rate(policy, [t for t in fit_tasks if t.id in trained]),
                                "validation": rate(policy, val_tasks)})
                run = {"lr": lr, "epochs": ep, "alpha": alpha, "w_security": cfg.w_security, "w_function": w_fun,
                       "train_seconds": round(sum(r["train_seconds"] for r in per), 1),
                       "final_loss": sum(r["final_loss"] for r in per) / len(per),
                       "fit": sum(r["fit"] for r in per) / len(per),
                       "validation": sum(r["validation"] for r in per) / len(per),
                       "per_draw": per}
                result["runs"].append(run)
                print(f"lr {lr:g} epochs {ep} alpha {alpha:g} w_function {w_fun:g}: fit {run['fit']:.3f} validation "
                      f"{run['validation']:.3f} ({run['train_seconds']:.0f} s)")
                result["load_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
                write_json_atomic(args.out, result)
    best = choose(result["runs"], args.tie)
    result["chosen"] = {**best, "beats_theta0": best["validation"] > result["before"]["validation"]}
    write_json_atomic(args.out, result)
    print(f"chosen: lr {best['lr']:g}, epochs {best['epochs']}, alpha {best['alpha']:g}, "
          f"w_function {best['w_function']:g} (validation "
          f"{best['validation']:.3f} vs θ_0 {result['before']['validation']:.3f}"
          f"{'' if result['chosen']['beats_theta0'] else ': does NOT beat θ_0, keep the defaults'})")
    print(f"--set run.update.lr={best['lr']:g} --set run.update.epochs={best['epochs']} "
          f"--set run.update.alpha={best['alpha']:g}"
          + (f" --set run.update.w_function={best['w_function']:g}" if args.w_functions else ""))
    return result


if __name__ == "__main__":
    main()
