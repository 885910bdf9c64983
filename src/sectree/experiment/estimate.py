"""The up-front wall-time estimate of an experiment (``sectree experiment --dry-run``): per-unit speeds
(``Speeds``, each figure with where it was measured) times the units a config asks for."""

from __future__ import annotations

from dataclasses import dataclass

from sectree.experiment.config import ExperimentConfig, eval_parts, eval_tasks, run_config
from sectree.settings import TREE_METHODS, Opponent
from sectree.tasks.decisions import decisions
from sectree.train.tsp import split_tasks

# ------------------------------------------------------------------------------------------ estimate


@dataclass(frozen=True)
class Speeds:
    """Per-unit CPU costs behind the up-front estimate (2-core dev machine, one torch thread, another job on the
    other core), each measured where its comment says; ``two_threads`` scales them for a 2-thread run.

    benchmarks/experiment_units.py (2026-12-02, benchmarks/results/experiment_units.json) measured decoding,
    choice, verdicts and training with one torch thread, twice: under load ~21 and under load ~5. This process's
    CPU seconds agreed between the two runs (choice 2.0 / 2.3 s per decision, decoding 39 / 42 tokens per
    CPU-second, node-DPO 4.9 / 4.5 s per one-pair tree), so CPU seconds stand in for an idle run's wall time
    below. Re-run idle (load 0.5, 2026-12-02 02:50 UTC): choice 2.34 s per decision, decoding 35.5 tokens/s,
    node-DPO 5.0 s per one-pair tree, verdicts 0.07 s: within 15% of the figures below (decoding slower).

    A batch of ``rows`` samples costs about ``rows × max_new_tokens × fill / tokens_per_s`` (all rows decoding
    together) plus ``max_new_tokens × (1 − fill) / steps_per_s`` (the longest row alone, after the others
    stopped and left the batch).
    """

    tokens_per_s: float = 42.0
    """Throughput of a batch of SmolLM2-135M rows, tokens/s over all rows, one torch thread (experiment_units:
    41.6 tokens per CPU-second for 8 decisions × 4 spans; 50 measured earlier for 8 tasks × 2 rows with the
    other core busy; benchmarks/RESULTS.md: 74–97 at batch 8–32 with 2 threads)."""
    steps_per_s: float = 15.0
    """Decoding steps/s of a single row (15–40 idle)."""
    fill: float = 0.55
    """Average share of max_new_tokens a sample uses (measured 0.6 for full-mode Python at 256 tokens)."""
    span_fill: float = 0.585
    """The same for span samples at 96 tokens (they stop at the end of the decision's statement, or run on:
    measured 0.585, 32 spans of the Python test split)."""
    verdict_s: float = 0.15
    """Oracle wall seconds per judged sample with 2 workers (bubblewrap + pytest, Python; other languages:
    verdict_factor): experiment_units 0.115 s for 32 span candidates at load ~5 (0.44 at load ~21); the oracle
    benchmark's references 0.022–0.024 idle."""
    verdict_factor: tuple = (("c", 2.3), ("cpp", 2.3), ("go", 2.1), ("js", 1.3))
    """A verdict's cost relative to a Python one, by language (benchmarks/results/verdict_profile.json,
    2026-12-02, load 14: one task each, wall per verdict python 639 ms, c 1486, go 1327, js 857 ms; C++ not
    measured, taken as C's)."""
    choice_s_per_decision: float = 1.45
    """Choice mode: seconds per decision scored, one thread. score_many as token-tree rows (6a5aa81):
    291.9 CPU-s for all 204 built-in decisions (`sectree eval --mode choice --suite builtin`, 2026-12-02, under
    load; benchmarks/RESULTS.md "Forced-choice scoring"), 1.43 s per decision. The scoring before it took 2.0–2.3
    CPU-s per decision (experiment_units), the figure the v2 runs and ``two_threads`` were measured with."""
    train_s_per_tree: float = 2.5
    """Node-DPO seconds per tree per epoch beside its pairs (prompt and trunk forwards, reference log-probs):
    4.9 and 4.5 CPU-s per tree of one pair (contrast trees, 240-token contexts), less one pair's 2 s."""
    train_s_per_pair: float = 2.0
    """Node-DPO seconds per further pair per epoch (issue #18: ~2 s per pair per epoch with ~300-token contexts;
    ~20 s per tree of 8 leaves measured earlier)."""
    sft_s_per_example: float = 3.0
    """SFT wall seconds per example per epoch."""
    load_s: float = 10.0
    """Loading (or saving) a model."""
    two_threads: tuple = (("choice", 0.61), ("train", 0.84), ("decode", 1.0))
    """Wall-time factor with 2 torch threads instead of one, by kind of work. Calibrated on the two v2 runs
    (2026-12-02, results/*/results.json and their timing records): python.yaml ran with 2 threads (other jobs
    niced beside it) and measured choice 1.35 s per decision (1,411 s for 19 models × 55 decisions) against the
    one-thread 2.2, and training 44.7 min against the one-thread estimate's 53.5; span decoding (small batches)
    took 2.1 min per model against 2.0 estimated, i.e. no gain from the second thread. unseen-cwe.yaml ran with
    one thread (other jobs on the other core): choice 2.7 s per decision and span 2.2 min per model against the
    one-thread 2.2 s and 2.1 min. With these factors and the old choice figure python.yaml's 2-thread estimate
    was 113.7 min against 114.3 measured; with today's faster scoring it is about 8 min less."""

    def factor(self, kind: str, threads: int) -> float:
        """Wall-time multiplier for ``kind`` of work ('choice', 'train', 'decode') at ``threads`` torch threads
        (the figures above are for one; more than two are taken as two: only 2 cores were measured)."""
        return 1.0 if threads <= 1 else dict(self.two_threads).get(kind, 1.0)

    def verdict(self, language: str | None) -> float:
        """Oracle seconds per verdict of a task in ``language``."""
        return self.verdict_s * dict(self.verdict_factor).get(language or "python", 1.0)

    def batch(self, rows: int, max_new_tokens: int, fill: float | None = None) -> float:
        """Seconds to sample one batch of ``rows`` rows."""
        f = self.fill if fill is None else fill
        return rows * max_new_tokens * f / self.tokens_per_s + max_new_tokens * (1 - f) / self.steps_per_s


TINY = Speeds(tokens_per_s=3000.0, steps_per_s=300.0, train_s_per_pair=0.25, train_s_per_tree=0.5, sft_s_per_example=0.5, load_s=2.0,
              choice_s_per_decision=0.02)
"""tiny-random: decoding is nearly free; the oracle dominates."""


def _decisions(tasks) -> tuple[int, int]:
    """(every decision, the span-mode ones: aligned, one per place) of ``tasks``."""
    every = span = 0
    for t in tasks:
        ds = decisions(t)
        every += len(ds)
        span += len({(len(d.prefix), d.secure) for d in ds if d.aligned})
    return every, span


def _train_seconds(rc, sp: Speeds) -> float:
    """One training run of ``rc`` (all rounds), nothing cached."""
    train_tasks = split_tasks(rc)[0]
    tasks, t = len(train_tasks), rc.tree
    verdict = sum(sp.verdict(x.language) for x in train_tasks) / max(1, tasks)  # mean over the run's tasks
    sampling = [o for o in t.opponents if o != Opponent.REFERENCE]
    refs = Opponent.REFERENCE in t.opponents
    guard = (rc.rounds + 1) * rc.guard.dev_tasks * (sp.batch(rc.guard.samples, t.sampling.max_new_tokens)
                                                    + rc.guard.samples * verdict)
    sft = tasks * rc.sft_epochs * sp.sft_s_per_example
    fill = sp.span_fill if getattr(t.leaf, "value", t.leaf) == "span" else sp.fill
    if rc.method in TREE_METHODS:
        # reference leaves: about one unsafe hunk per diff node (no decoding); sampled leaves: every node of a
        # tree decodes in one batch, about half the nodes are resampled (adaptive); every leaf that is not
        # secure becomes a pair (SmolLM2 writes almost none secure)
        ref_leaves = min(t.max_nodes, t.leaf_budget) if refs else 0
        sampled = max(0, t.leaf_budget - ref_leaves) if sampling else 0
        decode = 1.5 * sp.batch(t.max_nodes * t.branches, t.sampling.max_new_tokens, fill) if sampling else 0.0
        per_task = decode + (sampled + ref_leaves) * (verdict + rc.update.epochs * sp.train_s_per_pair) \
            + rc.update.epochs * sp.train_s_per_tree
    elif rc.method == "selfplay":
        n = rc.selfplay_samples or t.leaf_budget
        per_task = sp.batch(n, t.sampling.max_new_tokens) + n * (verdict + rc.update.epochs * sp.train_s_per_pair) \
            + rc.update.epochs * sp.train_s_per_tree
    else:  # sft
        per_task = rc.sft_epochs * sp.sft_s_per_example
    one = rc.rounds * (tasks * per_task + 2 * sp.load_s) + guard
    return one + (sft + sp.load_s if rc.init == "sft" else 0.0)


def estimate_minutes(cfg: ExperimentConfig, speeds: Speeds | None = None, threads: int | None = None) -> dict:
    """Wall-time estimate (minutes) of the whole experiment with nothing cached: {'train', 'eval', 'total',
    'parts', 'threads'}; ``parts`` gives each eval part per model and each method's training per seed.
    ``threads``: torch threads the run uses (default: ``cfg.threads``, else 1)."""
    sp = speeds or (TINY if cfg.model == "tiny-random" else Speeds())
    threads = threads or cfg.threads or 1
    e = cfg.eval
    per_eval = sp.load_s
    choice = 0.0  # per model; base's is computed once for all seeds (Runner.choose copies deterministic records)
    parts: dict[str, float] = {}
    for name, g in eval_parts(cfg, 0).items():
        tasks = eval_tasks(g)
        if name.startswith("choice"):
            sec = _decisions(tasks)[0] * sp.choice_s_per_decision * sp.factor("choice", threads)
            choice += sec
        elif name.startswith("span"):
            n_dec = _decisions(tasks)[1]
            full_groups, rest = divmod(n_dec, e.batch_tasks)
            sec = full_groups * sp.batch(e.batch_tasks * e.span_n, e.span_max_new_tokens, sp.span_fill)
            sec += (sp.batch(rest * e.span_n, e.span_max_new_tokens, sp.span_fill) if rest else 0.0)
            sec += n_dec * e.span_n * sp.verdict(g.language)
        else:
            full_groups, rest = divmod(len(tasks), e.batch_tasks)
            sec = full_groups * sp.batch(e.batch_tasks * e.n, e.sampling.max_new_tokens) + len(tasks) * e.n * sp.verdict(g.language)
            sec += sp.batch(rest * e.n, e.sampling.max_new_tokens) if rest else 0.0
        parts[f"eval {name} (per model)"] = round(sec / 60, 1)
        per_eval += sec
    train = 0.0
    for m in cfg.methods:
        rc = run_config(cfg, m, cfg.seeds[0])
        if rc is None:
            continue
        one = _train_seconds(rc, sp) * sp.factor("train", threads)
        parts[f"train {m} (per seed)"] = round(one / 60, 1)
        train += one * len(cfg.seeds)
    ev = per_eval * len(cfg.methods) * len(cfg.seeds) - ("base" in cfg.methods) * (len(cfg.seeds) - 1) * choice
    return {"train": round(train / 60, 1), "eval": round(ev / 60, 1), "total": round((train + ev) / 60, 1),
            "parts": parts, "threads": threads}
