"""Per-unit costs behind the experiment estimate (``sectree.experiment.estimate.Speeds``, issue #18 item 5).

Measures, with one torch thread on the real model, each unit an experiment spends its time on, in wall seconds
and in this process's CPU seconds (on a machine shared with other jobs the wall time is inflated by the load,
while the CPU time of a one-thread process is about what an idle run takes in wall time):

  load      loading the model
  choice    scoring decisions teacher-forced (choice mode), per decision
  span      sampling decision spans (span mode): tokens/s over all rows of a batch, and the share of
            max_new_tokens a span uses (Speeds.span_fill)
  verdict   judging the span samples with the sandboxed oracle, per verdict (wall only: the work is in the sandbox)
  train     node-DPO on reference-leaf trees (the contrast method's trees) of Python train tasks: per pair per
            epoch, reference log-probs included

Usage: .venv/bin/python benchmarks/experiment_units.py [--tasks 8] [--span-n 4] [--train-tasks 6]
Writes benchmarks/results/experiment_units.json (with the load average at start and end).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


class Clock:
    """Wall and process CPU seconds of a block."""

    def __enter__(self):
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c


def main() -> dict:
    import torch

    from sectree.evaluate.choice import score_choices
    from sectree.evaluate.run import read_samples
    from sectree.evaluate.span import SpanConfig, generate_spans
    from sectree.io import write_json_atomic
    from sectree.oracle import Oracle, OracleConfig
    from sectree.policy import load_policy
    from sectree.settings import Sampling
    from sectree.tasks import load_suite
    from sectree.train.trainer import TrainConfig, train_pairs
    from sectree.tree.build import TreeConfig, build_trees
    from sectree.tree.model import PairRule

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--tasks", type=int, default=8, help="Python test tasks for choice, span and verdicts")
    ap.add_argument("--span-n", type=int, default=4)
    ap.add_argument("--span-tokens", type=int, default=96)
    ap.add_argument("--train-tasks", type=int, default=6, help="Python train tasks whose reference trees train")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "experiment_units.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    res: dict = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "cores": os.cpu_count(), "torch_threads": 1,
                 "model": args.model, "load_at_start": Path("/proc/loadavg").read_text().split()[:3]}
    with Clock() as c:
        policy = load_policy(args.model, merge=True)
    res["load"] = {"wall_s": round(c.wall, 2), "cpu_s": round(c.cpu, 2)}

    tasks = load_suite("builtin:python", split="test")[: args.tasks]
    with Clock() as c:
        recs = score_choices(policy, tasks)
    res["choice"] = {"decisions": len(recs), "wall_s_per_decision": round(c.wall / len(recs), 3),
                     "cpu_s_per_decision": round(c.cpu / len(recs), 3)}
    print("choice", res["choice"], flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "spans.jsonl"
        cfg = SpanConfig(model=args.model, suite="builtin:python", split="test", n=args.span_n,
                         sampling=Sampling(temperature=0.8, max_new_tokens=args.span_tokens), batch_decisions=8,
                         cwes=sorted({c for t in tasks for c in t.cwes}))
        with Clock() as c:
            info = generate_spans(cfg, out, policy=policy)
        samples = read_samples(out)
        res["span"] = {"samples": len(samples), "tokens": info["tokens"], "wall_s": round(c.wall, 2),
                       "cpu_s": round(c.cpu, 2), "tokens_per_wall_s": round(info["tokens"] / c.wall, 1),
                       "tokens_per_cpu_s": round(info["tokens"] / max(c.cpu, 1e-9), 1),
                       "fill": round(info["tokens"] / (len(samples) * args.span_tokens), 3)}
        print("span", res["span"], flush=True)
        oracle = Oracle(OracleConfig())
        try:
            items = [(next(t for t in load_suite("builtin:python", split="test") if t.id == s["task_id"]),
                      s["candidate"]) for s in samples]
            with Clock() as c:
                oracle.judge_many(items)
            res["verdict"] = {"verdicts": len(items), "workers": oracle.config.workers or os.cpu_count(),
                              "wall_s_per_verdict": round(c.wall / len(items), 3)}
            print("verdict", res["verdict"], flush=True)

            train = load_suite("builtin:python", split="train")[: args.train_tasks]
            tcfg = TreeConfig(opponents=["reference"], strategies=["diff"], max_nodes=3)
            trees = build_trees(policy, train, oracle, tcfg, pair_mode=PairRule.ORACLE, model_spec=args.model)
        finally:
            oracle.close()
    groups = [(t.prompt_ids, t.pairs(PairRule.ORACLE)) for t in trees]
    groups = [g for g in groups if g[1]]
    n_pairs = sum(len(p) for _, p in groups)
    ctx = sum(len(pids) + len(p.prefix_ids) for pids, ps in groups for p in ps) / max(1, n_pairs)
    policy = load_policy(args.model)  # a fresh, unmerged copy: training adds LoRA
    with Clock() as c:
        train_pairs(policy, groups, TrainConfig(epochs=1))
    res["train"] = {"pairs": n_pairs, "trees": len(groups), "mean_context_tokens": round(ctx),
                    "wall_s_per_pair_epoch": round(c.wall / max(1, n_pairs), 2),
                    "cpu_s_per_pair_epoch": round(c.cpu / max(1, n_pairs), 2)}
    print("train", res["train"], flush=True)
    res["load_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
    write_json_atomic(args.out, res)
    return res


if __name__ == "__main__":
    main()
