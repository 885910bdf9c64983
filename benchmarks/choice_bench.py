"""Forced-choice scoring (``sectree eval --mode choice``): all decisions of a suite, batched vs one at a time.

Measures, separately: loading the model, building the decision contexts (prompt rendering + tokenisation),
and scoring every decision's secure and unsafe continuation with ``policy.scoring.score_many`` (token-tree
rows: each task's prompt once, both continuations after it, logits only where read; left-padded batches; a
batch's shared header once). For comparison the first ``--unbatched`` decisions are also scored one forward
per continuation with ``policy.sampling.score`` (what a plain loop does); that rate is *extrapolated* to all
decisions and the table says so. The batched log-probs are checked against the unbatched ones on those
decisions (max absolute difference). It also prints what the batches compute (``scoring.plan_stats``: token
positions run, padding and shared header included, and logits computed vs read).

Wall time and this process's CPU time (``time.process_time``: all its threads) are both recorded, with the
load average before and after: on a shared machine wall time is an upper bound; with ``--threads 1`` the CPU
time is about what an idle one-thread run takes (less the slowdown from sharing caches and memory bandwidth).

``--dtype bfloat16`` casts the model to bfloat16 (an opt-in speed/precision trade, never the default) and,
given ``--baseline`` (the JSON of a float32 run of the same suite, or the ``results.choices.jsonl.gz`` records of
``sectree eval --mode choice``), reports how many decisions flip.
``--profile`` runs the first ``--unbatched`` decisions batched once more under ``torch.profiler`` and prints the
ops that take the time (after the timed runs; the profiler's overhead is not in the table).

    .venv/bin/python benchmarks/choice_bench.py [--model smollm2-135m] [--suite builtin] [--threads 2]
        [--max-batch-tokens 8192] [--unbatched 20] [--split test] [--language python] [--max-tasks N]
        [--dtype float32|bfloat16] [--baseline benchmarks/results/choice.json] [--profile] [--out PATH]

Prints a table and writes ``benchmarks/results/choice.json`` (with per-decision log-prob sums).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

import torch

from sectree.evaluate.choice import task_contexts
from sectree.errors import SectreeError
from sectree.io import read_jsonl_gz, write_json_atomic
from sectree.policy import load_policy
from sectree.policy.sampling import score
from sectree.policy.scoring import MAX_BATCH_TOKENS, plan_stats, score_many
from sectree.tasks import load_suite

OUT = Path(__file__).parent / "results" / "choice.json"
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}


def fail(msg: str) -> None:
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(2)


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


def per_decision(contexts, scores) -> list[dict]:
    """Per decision: its key, both log-prob sums and token counts (what a baseline comparison needs)."""
    out = []
    for c, (ls, lu) in zip(contexts, scores):
        out.append({"task_id": c.task.id, "variant": c.decision.variant, "index": c.decision.index,
                    "secure_logprob": round(float(ls.sum()), 6), "unsafe_logprob": round(float(lu.sum()), 6),
                    "secure_tokens": len(ls), "unsafe_tokens": len(lu)})
    return out


def compare(rows: list[dict], baseline: list[dict]) -> dict:
    """Decisions whose preference differs from the baseline's (mean- and sum-based) and the largest
    log-prob-sum and per-token-margin differences."""
    key = lambda r: (r["task_id"], r["variant"], r["index"])  # noqa: E731
    base = {key(r): r for r in baseline}
    if set(base) != {key(r) for r in rows}:
        fail("--baseline: it holds other decisions than this run (same suite and filters?)")

    def margin(r):
        return r["secure_logprob"] / r["secure_tokens"] - r["unsafe_logprob"] / r["unsafe_tokens"]

    flips = flips_sum = 0
    d_sum = d_margin = 0.0
    for r in rows:
        b = base[key(r)]
        flips += (margin(r) > 0) != (margin(b) > 0)
        flips_sum += (r["secure_logprob"] > r["unsafe_logprob"]) != (b["secure_logprob"] > b["unsafe_logprob"])
        d_sum = max(d_sum, abs(r["secure_logprob"] - b["secure_logprob"]), abs(r["unsafe_logprob"] - b["unsafe_logprob"]))
        d_margin = max(d_margin, abs(margin(r) - margin(b)))
    return {"decisions": len(rows), "flipped": flips, "flipped_sum": flips_sum,
            "max_abs_logprob_sum_diff": round(d_sum, 6), "max_abs_margin_diff": round(d_margin, 6)}


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
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="float32")
    ap.add_argument("--baseline", type=Path, default=None, help="a float32 run's JSON: count flipped decisions")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    baseline = None
    if a.baseline is not None:
        try:  # this script's JSON, or the per-decision records of `sectree eval --mode choice`
            baseline = (list(read_jsonl_gz(a.baseline)) if a.baseline.name.endswith(".jsonl.gz")
                        else json.loads(a.baseline.read_text())["per_decision"])
        except (OSError, ValueError, KeyError, SectreeError) as e:
            fail(f"--baseline {a.baseline}: not a choice_bench JSON with per_decision nor choice records "
                 f"({type(e).__name__}: {e})")
    torch.set_num_threads(a.threads)
    load_before = loadavg()
    policy, t_load, _ = timed(lambda: load_policy(a.model, device="cpu", merge=True))
    policy.model.to(DTYPES[a.dtype])
    tasks = load_suite(a.suite, split=a.split, language=a.language)[: a.max_tasks]
    contexts, t_ctx, _ = timed(lambda: [c for t in tasks for c in task_contexts(policy, t)])
    items = [(c.ids, [c.secure_ids, c.unsafe_ids]) for c in contexts]
    plan = plan_stats(items, max_batch_tokens=a.max_batch_tokens)
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
    }
    if per is not None:
        rows["one at a time (score)"] = {"decisions": k, "seconds": round(t_single, 2),
                                         "cpu_seconds": round(cpu_single, 2), "extrapolated": False}
        rows[f"one at a time, extrapolated to {n}"] = {"decisions": n, "seconds": round(per * n, 1),
                                                       "cpu_seconds": round(cpu_single / k * n, 1),
                                                       "extrapolated": True}
    print(f"{a.model} ({a.dtype}) on {a.suite}: {len(tasks)} tasks, {n} decisions, "
          f"{sum(len(c.ids) for c in contexts)} context + {plan['tokens'] - sum(len(c.ids) for c in contexts)} "
          f"continuation-input tokens; load {t_load:.1f} s, contexts {t_ctx:.1f} s; {a.threads} threads; "
          f"load average {load_before:.1f} -> {load_after:.1f}\n")
    print(f"batches: {plan['forwards']} forwards, {plan['computed']} token positions run for {plan['tokens']} tokens "
          f"({plan['tree_tokens']} after sharing each task's prefix); logits over the vocabulary at "
          f"{plan['logits_kept']} positions for {plan['logits_needed']} read\n")
    print("| scoring | decisions | wall s | CPU s | note |\n|---|---|---|---|---|")
    for name, r in rows.items():
        note = "extrapolated from the row above" if r["extrapolated"] else ""
        print(f"| {name} | {r['decisions']} | {r['seconds']} | {r['cpu_seconds']} | {note} |")
    if diff is not None:
        print(f"\nbatched vs one at a time, {k} decisions: max |Δ log p| = {diff:.2e}")
    decisions = per_decision(contexts, batched)
    flips = compare(decisions, baseline) if baseline is not None else None
    if flips is not None:
        print(f"vs {a.baseline}: {flips['flipped']} of {flips['decisions']} decisions flip (mean-based), "
              f"{flips['flipped_sum']} sum-based; max |Δ log-prob sum| {flips['max_abs_logprob_sum_diff']}, "
              f"max |Δ margin| {flips['max_abs_margin_diff']} nats/token")
    result = {
        "model": a.model, "dtype": a.dtype, "suite": a.suite, "split": a.split, "language": a.language,
        "max_tasks": a.max_tasks, "tasks": len(tasks),
        "decisions": n, "context_tokens": sum(len(c.ids) for c in contexts), "plan": plan,
        "max_batch_tokens": a.max_batch_tokens, "threads": a.threads,
        "load_seconds": round(t_load, 2), "context_seconds": round(t_ctx, 2),
        "total_seconds": round(t_ctx + t_batch, 2), "rows": rows, "max_abs_logprob_diff": diff,
        "baseline": str(a.baseline) if a.baseline else None, "vs_baseline": flips,
        "loadavg_before": load_before, "loadavg_after": load_after,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "benchmarks/choice_bench.py " + " ".join(
            f"--{k.replace('_', '-')}" + ("" if v is True else f" {v}") for k, v in vars(a).items()
            if v not in (None, False) and k != "out"),
        "per_decision": decisions,
    }
    write_json_atomic(a.out, result)
    print(f"\nwrote {a.out}")
    if a.profile and k:
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU]) as prof:
            score_many(policy, items[:k], max_batch_tokens=a.max_batch_tokens)
        print(f"\nprofile of score_many on the first {k} decisions (wall, profiler overhead included):")
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))


if __name__ == "__main__":
    main()
