"""Forced-choice scoring (``sectree eval --mode choice``): all decisions of a suite, batched vs one at a time.

Measures, separately: loading the model, building the decision contexts (prompt rendering + tokenisation),
and scoring every decision's secure and unsafe continuation with ``policy.scoring.score_many`` (batched:
each context run once, its KV cache shared by both continuations). For comparison the first ``--unbatched``
decisions are also scored one forward per continuation with ``policy.sampling.score`` (what a plain loop
does); that rate is *extrapolated* to all decisions and the table says so. The batched log-probs are checked
against the unbatched ones on those decisions (max absolute difference). The load average before and after
is recorded: on a shared machine the times are upper bounds.

    .venv/bin/python benchmarks/choice_bench.py [--model smollm2-135m] [--suite builtin] [--threads 2]
        [--max-batch-tokens 8192] [--unbatched 20] [--split test] [--language python] [--max-tasks N]

Prints a table and writes ``benchmarks/results/choice.json``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from pathlib import Path

import torch

from sectree.evaluate.choice import task_contexts
from sectree.io import write_json_atomic
from sectree.policy import load_policy
from sectree.policy.sampling import score
from sectree.policy.scoring import MAX_BATCH_TOKENS, score_many
from sectree.tasks import load_suite

OUT = Path(__file__).parent / "results" / "choice.json"


def loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return float("nan")


def timed(fn):
    """(result, wall seconds, CPU seconds of this process) of ``fn()``."""
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--suite", default="builtin")
    ap.add_argument("--split", default=None)
    ap.add_argument("--language", default=None)
    ap.add_argument("--max-tasks", type=int, default=None, help="only the first N tasks (a quick check)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-batch-tokens", type=int, default=MAX_BATCH_TOKENS)
    ap.add_argument("--unbatched", type=int, default=20, help="decisions also scored one at a time (0: none)")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    load_before = loadavg()
    policy, t_load, _ = timed(lambda: load_policy(a.model, device="cpu", merge=True))
    tasks = load_suite(a.suite, split=a.split, language=a.language)[: a.max_tasks]
    contexts, t_ctx, _ = timed(lambda: [c for t in tasks for c in task_contexts(policy, t)])
    items = [(c.ids, [c.secure_ids, c.unsafe_ids]) for c in contexts]
    ctx_tokens = sum(len(c.ids) for c in contexts)
    cont_tokens = sum(len(c.secure_ids) + len(c.unsafe_ids) for c in contexts)
    batched, t_batch, cpu_batch = timed(lambda: score_many(policy, items, max_batch_tokens=a.max_batch_tokens))
    k = min(a.unbatched, len(items))
    single, t_single, cpu_single = timed(lambda: [[score(policy, list(ctx), list(c))[0] for c in conts]
                                                  for ctx, conts in items[:k]])
    diff = max((float((x - y).abs().max()) for r, s in zip(batched[:k], single) for x, y in zip(r, s) if len(x)),
               default=None)
    load_after = loadavg()
    n = len(items)
    per = t_single / k if k else None
    rows = {
        "batched (score_many)": {"decisions": n, "seconds": round(t_batch, 2), "cpu_seconds": round(cpu_batch, 2),
                                 "extrapolated": False},
        "one at a time (score)": {"decisions": k, "seconds": round(t_single, 2), "cpu_seconds": round(cpu_single, 2),
                                  "extrapolated": False},
    }
    if per is not None:
        rows[f"one at a time, extrapolated to {n}"] = {"decisions": n, "seconds": round(per * n, 1),
                                                       "cpu_seconds": round(cpu_single / k * n, 1),
                                                       "extrapolated": True}
    print(f"{a.model} on {a.suite}: {len(tasks)} tasks, {n} decisions, {ctx_tokens} context + {cont_tokens} "
          f"continuation tokens; load {t_load:.1f} s, contexts {t_ctx:.1f} s; {a.threads} threads; "
          f"load average {load_before:.1f} -> {load_after:.1f}\n")
    print("| scoring | decisions | wall s | CPU s | note |\n|---|---|---|---|---|")
    for name, r in rows.items():
        note = "extrapolated from the row above" if r["extrapolated"] else ""
        print(f"| {name} | {r['decisions']} | {r['seconds']} | {r['cpu_seconds']} | {note} |")
    if diff is not None:
        print(f"\nbatched vs one at a time, {k} decisions: max |Δ log p| = {diff:.2e}")
    result = {
        "model": a.model, "suite": a.suite, "split": a.split, "language": a.language, "max_tasks": a.max_tasks,
        "tasks": len(tasks),
        "decisions": n, "context_tokens": ctx_tokens, "continuation_tokens": cont_tokens,
        "max_batch_tokens": a.max_batch_tokens, "threads": a.threads,
        "load_seconds": round(t_load, 2), "context_seconds": round(t_ctx, 2),
        "total_seconds": round(t_ctx + t_batch, 2), "rows": rows, "max_abs_logprob_diff": diff,
        "loadavg_before": load_before, "loadavg_after": load_after,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "benchmarks/choice_bench.py " + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(a).items()
                                                           if v is not None and k != "out"),
    }
    write_json_atomic(a.out, result)
    print(f"\nwrote {a.out}")


if __name__ == "__main__":
    main()
