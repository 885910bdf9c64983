"""EvalPlus-style evaluation: ``generate`` writes samples (JSONL), ``evaluate`` judges them into results.

``evaluate`` writes three files: ``results.json`` (settings and metrics), ``results.md`` (the tables) and the
per-sample records ``results.samples.jsonl.gz`` (``records_path``): one JSON line per judged sample with its
candidate and full verdict, from which every number in results.json can be recomputed (``summarize``).

Samples are appended atomically one group of tasks at a time (a group is sampled as one batch with its
own seed, ``task_seed``, over fixed groups of the task list), so an interrupted ``generate`` resumes where it
stopped and produces exactly what an uninterrupted run would have.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import platform
import time
from pathlib import Path
from typing import Callable

from sectree.errors import SectreeError
from sectree.evaluate import cweval
from sectree.evaluate.metrics import markdown_table, summarize
from sectree.io import append_jsonl, read_jsonl, write_json_atomic, write_jsonl_gz_atomic, write_text_atomic
from sectree.oracle.backend import open_oracle
from sectree.oracle.needs import split_runnable
from sectree.settings import PROMPT_MODES, GenerateConfig, derive_seed
from sectree.tasks import CweTier, load_suite
from sectree.tasks.assemble import assemble

SAMPLE_FIELDS = ("task_id", "suite", "mode", "candidate", "sample_idx")
MODES = PROMPT_MODES
SAMPLE_MODES = MODES + ("span",)
"""Modes a samples file may hold: the prompt modes and ``span`` (evaluate.span: decision spans spliced into
the golden body); all are judged and summarised alike."""


def task_seed(seed: int, task_id: str) -> int:
    """The seed of one group of samples: ``derive_seed(seed, key)`` (the formula this function always had)."""
    return derive_seed(seed, task_id)


def _existing(out: Path, cfg: GenerateConfig) -> dict[str, int]:
    """task_id -> number of samples already in ``out``; refuses a file made with other settings."""
    counts: dict[str, int] = {}
    if not out.exists():
        return counts
    want = cfg.settings()
    for i, rec in enumerate(read_jsonl(out)):
        got = rec.get("settings")
        if got != want:
            diff = sorted(k for k in set(want) | set(got or {}) if (got or {}).get(k) != want.get(k))
            raise SectreeError(f"{out}: line {i + 1} was generated with other settings ({', '.join(diff)}); "
                               f"use another --out or the same settings to resume")
        counts[rec["task_id"]] = counts.get(rec["task_id"], 0) + 1
    return counts


def generate(cfg: GenerateConfig, out: str | Path, *, policy=None,
             progress: Callable[[int, int], None] | None = None) -> dict:
    """Sample ``cfg.n`` answers per task into ``out`` (JSONL), resuming an earlier partial run."""
    # lazy(heavy): the policy imports torch (seconds); `sectree evaluate` judges saved samples with this module
    from sectree.policy import build_prompt, load_policy, sample

    out = Path(out)
    skipped: list = []
    tasks = load_suite(cfg.suite, split=cfg.split, cwe=cfg.cwes or None, language=cfg.language, skipped=skipped)
    if cfg.suite.startswith("cweval:"):
        # a CWEval task that needs what this machine lacks would be judged broken whatever the model writes:
        # left out, with its reason, as `tasks check` shows (our own suites' needs are part of `make setup`)
        tasks, lacking = split_runnable(tasks)
        skipped += lacking
    if not tasks:
        raise SectreeError(f"suite {cfg.suite!r} has no tasks matching the filters")
    done = _existing(out, cfg)
    # groups are fixed over the whole task list, so a resumed run samples exactly what an uninterrupted
    # one would; a group is appended in one write, so it is either all there or not at all
    groups = [tasks[k: k + cfg.batch_tasks] for k in range(0, len(tasks), cfg.batch_tasks)]
    todo = [g for g in groups if any(done.get(t.id, 0) < cfg.n for t in g)]
    t0 = time.monotonic()
    tokens = 0
    if todo:
        policy = policy or load_policy(cfg.model, merge=True)  # LoRA folded in: faster, same model
    for i, group in enumerate(todo):
        prompts = [build_prompt(policy, task, template=cfg.template, mode=cfg.mode) for task in group]
        samples = sample(policy, prompts, n=cfg.n, temperature=cfg.sampling.temperature, top_p=cfg.sampling.top_p,
                         max_new_tokens=cfg.sampling.max_new_tokens, seed=task_seed(cfg.seed, ",".join(t.id for t in group)))
        records = []
        for s in samples:
            task, prompt = group[s.prompt_index], prompts[s.prompt_index]
            if s.sample_index < done.get(task.id, 0):
                continue
            tokens += len(s.token_ids)
            records.append({
                "task_id": task.id, "suite": cfg.suite, "language": task.language, "cwes": list(task.cwes),
                "split": task.split, "mode": cfg.mode, "template": cfg.template, "model": cfg.model,
                "sample_idx": s.sample_index, "completion": s.text,
                # the model continued prompt.code when it is non-empty (plain LM, or completion mode)
                "candidate": assemble(task, s.text, cfg.mode, healed=bool(prompt.code)),
                "finish_reason": s.finish_reason, "n_tokens": len(s.token_ids),
                "sum_logprob": round(float(sum(s.logprobs)), 4), "settings": cfg.settings(),
            })
        append_jsonl(out, records)  # one group at a time: a crash loses at most this group
        if progress:
            progress(i + 1, len(todo))
    return {"tasks": len(tasks), "sampled_tasks": sum(len(g) for g in todo), "tokens": tokens,
            "seconds": round(time.monotonic() - t0, 2), "out": str(out),
            "skipped": [s.to_dict() for s in skipped]}


def read_samples(path: str | Path) -> list[dict]:
    """Samples from a JSONL file, validated: one clear error naming the file and line otherwise."""
    path = Path(path)
    recs = list(read_jsonl(path))
    if not recs:
        raise SectreeError(f"{path}: no samples")
    for i, r in enumerate(recs):
        missing = [f for f in SAMPLE_FIELDS if f not in r]
        if missing:
            raise SectreeError(f"{path}: sample {i + 1} lacks field(s) {', '.join(missing)}")
        if r["mode"] not in SAMPLE_MODES or not isinstance(r["candidate"], str):
            raise SectreeError(f"{path}: sample {i + 1}: bad 'mode' or 'candidate'")
    return recs


def records_path(results_file: str | Path) -> Path:
    """Where ``evaluate`` puts the per-sample records of ``results_file``: ``results.json`` ->
    ``results.samples.jsonl.gz`` (gzip-compressed JSON lines, streamed, written atomically)."""
    p = Path(results_file)
    return p.with_name(p.stem + ".samples.jsonl.gz")


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for pkg in ("sectree", "torch", "transformers", "peft", "pytest", "bandit"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


def evaluate(samples_path: str | Path, out: str | Path | None = None, *, oracle_config=None, oracle=None,
             progress: Callable[[int], None] | None = None, skipped: list[dict] | None = None) -> dict:
    """Judge every sample; write ``out`` (results.json) and a Markdown table next to it; return the results.

    ``skipped``: the tasks ``generate`` left out (``info["skipped"]``: id, language, reason), recorded as
    ``skipped_tasks`` and named under the table, since no number covers them."""
    t0 = time.monotonic()
    recs = read_samples(samples_path)
    tasks = {}
    for spec in sorted({r["suite"] for r in recs}):
        tasks.update({t.id: t for t in load_suite(spec)})
    unknown = sorted({r["task_id"] for r in recs} - set(tasks))
    if unknown:
        raise SectreeError(f"{samples_path}: task(s) not in their suite: {', '.join(unknown[:5])}")
    items = [(tasks[r["task_id"]], r["candidate"]) for r in recs]
    own = oracle is None
    oracle = oracle or open_oracle(oracle_config)  # local: the one factory (oracle/backend.py)
    try:
        verdicts = oracle.judge_many(items, progress=progress)
    finally:
        if own:
            oracle.close()
    judged = []
    for r, v in zip(recs, verdicts):
        t = tasks[r["task_id"]]
        judged.append({**{k: r.get(k) for k in ("task_id", "mode", "template", "model", "sample_idx")},
                       "language": t.language, "cwes": list(t.cwes), "split": t.split, "family": t.family,
                       # the CWE tier of a test task (None for train tasks): metrics report seen and unseen apart
                       "seen": None if t.cwe_tier is None else t.cwe_tier is CweTier.SEEN,
                       "candidate": r["candidate"], "verdict": v.to_dict()})
    by_mode = {m: summarize([j for j in judged if j["mode"] == m]) for m in SAMPLE_MODES if any(j["mode"] == m for j in judged)}
    if any(str(r["suite"]).startswith("cweval:") for r in recs):
        for m, summary in by_mode.items():
            summary["cweval"] = cweval.summarize([j for j in judged if j["mode"] == m])
    settings = {k: v for k, v in (recs[0].get("settings") or {}).items() if k not in ("mode",)}
    results = {
        "samples_file": str(samples_path),
        "models": sorted({str(r.get("model")) for r in recs}),
        "templates": sorted({str(r.get("template")) for r in recs}),
        "modes": list(by_mode),
        "settings": settings,
        "n_samples": len(recs),
        "n_tasks": len({r["task_id"] for r in recs}),
        "oracle": {"calls": len(items), "sandboxed": all(v.sandboxed for v in verdicts)},
        "versions": _versions(),
        "machine": f"{platform.machine()}, {_cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "wall_seconds": round(time.monotonic() - t0, 2),
        "results": by_mode,
        "samples": judged,
    }
    if skipped:
        results["skipped_tasks"] = list(skipped)
    table = results_markdown(results, markdown_table)
    results["markdown"] = table
    if out is not None:
        # the records first: a results.json on disk always has its complete records beside it
        results["records"] = records_path(out).name
        write_jsonl_gz_atomic(records_path(out), judged)
        write_json_atomic(out, {k: v for k, v in results.items() if k != "samples"})
        write_text_atomic(Path(out).with_suffix(".md"), table)
    return results


def _cpu_count() -> int:
    return os.cpu_count() or 1


def results_markdown(results: dict, markdown_table) -> str:
    s = results["settings"]
    head = (f"model: {', '.join(results['models'])}; template: {', '.join(results['templates'])}; "
            f"samples/task: {s.get('n', '?')}; temperature: {s.get('temperature', '?')}; "
            f"tasks: {results['n_tasks']}; oracle calls: {results['oracle']['calls']}; "
            f"wall: {results['wall_seconds']} s (judging); {results['machine']}; {results['date']}\n\n")
    parts = [head]
    if results.get("skipped_tasks"):
        parts.append("skipped tasks (not sampled, in no number below): " + "; ".join(
            f"{s['id']} ({s['reason']})" for s in results["skipped_tasks"]) + "\n\n")
    for mode, summary in results["results"].items():
        parts.append(f"### mode: {mode}\n\n{markdown_table(summary)}\n")
        if "cweval" in summary:
            parts.append("\nCWEval's own metrics, its definitions (sectree.evaluate.cweval):\n\n"
                         f"{cweval.markdown_table(summary['cweval'])}\n")
        per = summary.get("per_task", {})
        if per:
            parts.append("\nper task (func@1 / secure-pass@1):\n\n| task | func@1 | secure-pass@1 |\n|---|---|---|\n")
            for tid, row in sorted(per.items()):
                parts.append(f"| {tid} | {_pct(row.get('func@1'))} | {_pct(row.get('secure_pass@1'))} |\n")
    return "".join(parts)


def _pct(x) -> str:
    if isinstance(x, dict):
        x = x.get("value")
    return "–" if x is None else f"{100 * float(x):.0f}%"


__all__ = ["GenerateConfig", "generate", "evaluate", "read_samples", "records_path", "task_seed"]
