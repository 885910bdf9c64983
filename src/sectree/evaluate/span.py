"""``--mode span``: decision-span generation, judged by the oracle.

For every decision of a task (``tasks.decisions``; decisions of several unsafe variants at the same place
count once, and the few whose secure hunk does not consist of whole statements are skipped, see
``Decision.aligned``) the model continues from the same context choice mode scores
(``choice.task_contexts``: the completion-mode rendering plus the golden body up to the decision point)
until its statement ends (``policy.stops.SpanStop`` = ``tasks.decisions.span_end``: brackets, strings and
comments balanced, language-aware; as many statements as the secure hunk holds, a compound statement with
its block where the secure hunk is one). The golden body then resumes after the secure hunk
(``tasks.decisions.splice``) and the oracle judges the program.

Samples are written like ``generate``'s (mode ``span``) and judged by ``evaluate``, so span mode reports the
same metrics as the other modes. A task's samples pool all its decisions: with ``n`` samples per decision
and ``D`` decisions a task has ``n * D`` samples, and its secure-pass@1 is the share of them that is secure.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

from sectree.errors import SectreeError
from sectree.evaluate.choice import task_contexts
from sectree.evaluate.run import task_seed
from sectree.io import append_jsonl, read_jsonl
from sectree.policy import load_policy
from sectree.policy.sampling import sample_ids
from sectree.policy.stops import SpanStop
from sectree.settings import SPAN_MODE, SpanConfig
from sectree.tasks import load_suite
from sectree.tasks.decisions import splice

MODE = SPAN_MODE


def span_contexts(policy, tasks, template: str) -> list:
    """The decisions span mode samples, with their contexts: one per place (first variant), aligned only."""
    out = []
    for t in tasks:
        seen = set()
        for c in task_contexts(policy, t, template, need_decisions=False):
            d = c.decision
            if not d.aligned or (len(d.prefix), d.secure) in seen:
                continue
            seen.add((len(d.prefix), d.secure))
            out.append(c)
    return out


def program(ctx, span: str) -> str:
    """The candidate: the golden code up to the context's end, the span, then the golden body after the
    secure hunk. A span that stopped right after a ``;`` or ``}`` with code following on its line, or at
    EOS without a newline, gets one, so the golden suffix starts on its own line."""
    if not span.endswith("\n"):
        span += "\n"
    return splice(ctx.task, dataclasses.replace(ctx.decision, prefix=ctx.decision.prefix[: len(ctx.base)]), span)


def _existing(out: Path, cfg: SpanConfig) -> set[tuple]:
    keys: set[tuple] = set()
    if not out.exists():
        return keys
    want = cfg.settings()
    for i, rec in enumerate(read_jsonl(out)):
        if rec.get("settings") != want:
            raise SectreeError(f"{out}: line {i + 1} was generated with other settings; use another --out-dir or "
                               f"the same settings to resume")
        keys.add((rec["task_id"], rec["decision"]["variant"], rec["decision"]["index"]))
    return keys


def generate_spans(cfg: SpanConfig, out: str | Path, *, policy=None,
                   progress: Callable[[int, int], None] | None = None) -> dict:
    """Sample ``cfg.n`` spans per decision into ``out`` (JSONL, appended one group at a time; resumable)."""
    out = Path(out)
    tasks = load_suite(cfg.suite, split=cfg.split, cwe=cfg.cwes or None, language=cfg.language)
    if not tasks:
        raise SectreeError(f"suite {cfg.suite!r} has no tasks matching the filters")
    done = _existing(out, cfg)
    t0 = time.monotonic()
    policy = policy or load_policy(cfg.model, merge=True)
    contexts = span_contexts(policy, tasks, cfg.template)
    if not contexts:
        raise SectreeError(f"suite {cfg.suite!r}: no task has a decision to sample in span mode")
    rank: dict[tuple, int] = {}
    per_task: dict[str, int] = {}
    for c in contexts:  # sample_idx = the decision's rank within its task * n + k
        rank[(c.task.id, c.decision.variant, c.decision.index)] = per_task.get(c.task.id, 0)
        per_task[c.task.id] = per_task.get(c.task.id, 0) + 1
    groups = [contexts[k: k + cfg.batch_decisions] for k in range(0, len(contexts), cfg.batch_decisions)]
    key = lambda c: (c.task.id, c.decision.variant, c.decision.index)  # noqa: E731
    todo = [g for g in groups if any(key(c) not in done for c in g)]
    tokens = 0
    for i, group in enumerate(todo):
        rules = [SpanStop(c.task.language, c.decision.block, head=c.base[c.base.rfind("\n") + 1:],
                          statements=c.decision.statements) for c in group]
        seed = task_seed(cfg.seed, ",".join(f"{a}/{b}/{x}" for a, b, x in map(key, group)))
        config = cfg.sampling.call(n=cfg.n, seed=seed)
        samples = sample_ids(policy, [list(c.ids) for c in group], config, stop=rules)
        records = []
        for s in samples:
            c = group[s.prompt_index]
            if key(c) in done:
                continue
            t, d = c.task, c.decision
            tokens += len(s.token_ids)
            records.append({
                "task_id": t.id, "suite": cfg.suite, "language": t.language, "cwes": list(t.cwes),
                "split": t.split, "tier": t.tier, "mode": MODE, "template": cfg.template, "model": cfg.model,
                "sample_idx": rank[key(c)] * cfg.n + s.sample_index, "completion": s.text,
                "candidate": program(c, s.text), "finish_reason": s.finish_reason, "n_tokens": len(s.token_ids),
                "sum_logprob": round(float(sum(s.logprobs)), 4),
                "decision": {"variant": d.variant, "index": d.index, "line": d.line, "block": d.block,
                             "statements": d.statements, "secure": d.secure},
                "settings": cfg.settings(),
            })
        append_jsonl(out, records)  # one group at a time: a crash loses at most this group
        if progress:
            progress(i + 1, len(todo))
    return {"tasks": len(tasks), "decisions": len(contexts), "sampled_groups": len(todo), "tokens": tokens,
            "seconds": round(time.monotonic() - t0, 2), "out": str(out)}


__all__ = ["SpanConfig", "generate_spans", "program", "span_contexts"]
