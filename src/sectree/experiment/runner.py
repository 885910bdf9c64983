"""Experiments: every method × seed trained (``sectree.train.tsp.run``) and evaluated in every prompt mode.

    for method in methods, seed in seeds:
        train  -> <out>/runs/<method>-s<seed>/      (skipped for `base`; skipped when final.json exists)
        eval   -> <out>/evals/<method>-s<seed>/     (generate per mode [× language], then judge all samples
                                                     with one shared Oracle; skipped when results.json exists)
    report -> <out>/results.json, report.md, report.html     (sectree.experiment.report)

Resume: a finished run (``final.json``) or evaluation (``results.json``) is never recomputed; an interrupted one
continues (``run(..., resume=True)`` skips finished rounds, ``generate`` skips finished tasks). A folder made
with other settings is refused (the differing fields are named) instead of being silently reused.

Seeds: the experiment's seed sets ``RunConfig.seed`` (which train/dev tasks), ``tree.seed``, ``train.seed`` and
the evaluation's sampling seed, so a seed changes everything random in its run.
"""

from __future__ import annotations

import copy
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sectree import config as cfgmod
from sectree.errors import SectreeError
from sectree.io import read_jsonl, write_json_atomic, write_text_atomic
from sectree.oracle.backend import BackendConfig
from sectree.tree.ray_rollout import RolloutConfig

MODES = ("full", "completion", "span", "choice")
"""Eval modes: full, completion (GenerateConfig), span (evaluate.span: decision spans, judged like the
others) and choice (evaluate.choice: teacher-forced scoring of every decision, no oracle)."""
GEN_MODES = ("full", "completion", "span")
"""Modes that sample and judge (their samples go through the oracle; ``eval.gen_cwes`` narrows them)."""
METHOD_PRESETS: dict[str, dict | None] = {
    "base": None,  # no training: the model itself is evaluated
    "sft": {"method": "sft"},
    "selfplay": {"method": "selfplay"},
    "tsp": {"method": "tsp"},
    "tsp-sft": {"method": "tsp", "init": "sft"},
    "tsp-paper": {"method": "tsp-paper"},
    "contrast": {"method": "contrast"},  # reference opponent only (tree.opponents forced by RunConfig)
}
"""Method name -> the RunConfig fields it sets (on top of the experiment's ``train`` overrides)."""

CHOICE_RECORDS = "choices.jsonl.gz"
"""An evaluation's choice records (evals/<run>/), one per decision of every eval task."""

RESERVED = ("method", "model", "init", "seed", "tree.seed", "train.seed")
"""RunConfig fields the experiment sets itself (from ``methods``, ``model`` and ``seeds``)."""

ANALYSES = ("paper-ratio", "vulnerable-reduction", "transfer")
"""Config-specific report sections (see sectree.experiment.report)."""


# ------------------------------------------------------------------------------------------ config


@dataclass
class EvalSpec:
    """What every trained model is evaluated on (one ``GenerateConfig`` per mode and language)."""

    suite: str = "builtin:python"
    """Task suite spec (builtin, builtin:<lang>, dir:<path>, cweval:<path>)."""
    split: str | None = "test"
    """Only tasks of this split (train/test); null = all."""
    language: str | list[str] | None = None
    """Only tasks in this language, or in each of these languages (sampled per language, reported per language)."""
    modes: list[str] = field(default_factory=lambda: ["full", "completion"])
    """Modes: full (write the function), completion (continue the golden code before the decision), span (the
    decision's statement(s) from the decision point, judged in the golden program) and choice (every decision
    scored teacher-forced: secure-choice rate; cheap, no oracle). At least one of full, completion, span."""
    n: int = 3
    """Samples per task (per mode) in full and completion mode."""
    span_n: int = 4
    """Samples per decision in span mode."""
    span_max_new_tokens: int = 192
    """Token cap per span (a span is one or a few statements)."""
    gen_cwes: int | None = None
    """Sampled modes (full, completion, span) only on the tasks of the first k eval CWEs per language (sorted
    numerically; the same tasks for every method and seed); choice always scores every decision. null = all.
    For cheap smoke runs (--quick); a real experiment cuts samples before it cuts tasks."""
    temperature: float = 0.8
    """Sampling temperature (0 = greedy)."""
    top_p: float = 0.95
    """Nucleus sampling mass."""
    max_new_tokens: int = 256
    """Token cap per sample."""
    template: str = "direct"
    """Prompt template (direct, security-reminder)."""
    cwes: list[int] | str = field(default_factory=list)
    """Only tasks with one of these CWEs; 'unseen' = CWEs of the eval tasks that no train-split task of the
    training suite (train.suite / train.language) has."""
    findings: str = "record"
    """Oracle finding policy: record or veto."""
    batch_tasks: int = 8
    """Tasks sampled together in one batch (n rows each; GenerateConfig.batch_tasks)."""

    def __post_init__(self) -> None:
        if self.batch_tasks < 1:
            raise SectreeError(f"eval.batch_tasks must be >= 1, got {self.batch_tasks}")
        if not self.modes or len(set(self.modes)) != len(self.modes) or set(self.modes) - set(MODES):
            raise SectreeError(f"eval.modes: need distinct modes out of {', '.join(MODES)}, got {self.modes!r}")
        if not set(self.modes) & set(GEN_MODES):  # the report's tables come from judged samples
            raise SectreeError(f"eval.modes: need at least one of {', '.join(GEN_MODES)} besides choice "
                               f"(choice alone: `sectree eval --mode choice`), got {self.modes!r}")
        if self.span_n < 1 or self.span_max_new_tokens < 1:
            raise SectreeError("eval.span_n and eval.span_max_new_tokens must be >= 1")
        if self.gen_cwes is not None and self.gen_cwes < 1:
            raise SectreeError(f"eval.gen_cwes must be >= 1 or null, got {self.gen_cwes}")
        if isinstance(self.cwes, str) and self.cwes != "unseen":
            raise SectreeError(f"eval.cwes: a list of CWE ids or 'unseen', got {self.cwes!r}")
        if isinstance(self.language, list) and (not self.language or len(set(self.language)) != len(self.language)):
            raise SectreeError(f"eval.language: need distinct languages, got {self.language!r}")
        if self.n < 1 or self.max_new_tokens < 1:
            raise SectreeError("eval.n and eval.max_new_tokens must be >= 1")
        if self.temperature < 0 or not 0 < self.top_p <= 1:
            raise SectreeError("eval: need temperature >= 0 and 0 < top_p <= 1")
        if self.findings not in ("record", "veto"):
            raise SectreeError(f"eval.findings must be record or veto, got {self.findings!r}")

    @property
    def languages(self) -> list[str | None]:
        return list(self.language) if isinstance(self.language, list) else [self.language]


@dataclass
class ReportSpec:
    """What the report adds beyond the method tables."""

    analyses: list[str] = field(default_factory=list)
    """Config-specific sections: paper-ratio (TSP/SFT vs the paper's 75.8/57.0), vulnerable-reduction
    (relative vulnerable-rate reduction vs sft and base), transfer (per-language change vs base)."""
    method: str = "tsp"
    """The method the analyses compare with the baselines (and whose trees are shown)."""
    trees: int = 3
    """Example trees from that method's last round shown in report.html (0 = none)."""

    def __post_init__(self) -> None:
        bad = [a for a in self.analyses if a not in ANALYSES]
        if bad:
            raise SectreeError(f"report.analyses: unknown {bad[0]!r} (known: {', '.join(ANALYSES)})")
        if self.trees < 0:
            raise SectreeError("report.trees must be >= 0")


@dataclass
class ExperimentConfig:
    """One experiment (``sectree experiment <config.yaml>``): methods × seeds, trained and evaluated."""

    name: str = ""
    """Experiment name (letters, digits, - _ .); the default report folder is runs/experiments/<name>."""
    model: str = "smollm2-135m"
    """θ_0 of every method, and the `base` model."""
    methods: list[str] = field(default_factory=lambda: ["base", "tsp"])
    """Rows of the tables: base (no training), sft, selfplay, tsp, tsp-sft (tsp with init: sft), tsp-paper,
    contrast (reference opponent only: the SVEN/SafeCoder-style ablation)."""
    seeds: list[int] = field(default_factory=lambda: [0])
    """One training run and one evaluation per method and seed."""
    train: dict = field(default_factory=dict)
    """RunConfig overrides for every trained method (suite, language, rounds, max_tasks, tree, train, guard, ...)."""
    method_train: dict = field(default_factory=dict)
    """Per-method RunConfig overrides on top of ``train``, e.g. {sft: {sft_epochs: 2}}."""
    eval: EvalSpec = field(default_factory=EvalSpec)
    report: ReportSpec = field(default_factory=ReportSpec)
    budget_minutes: float | None = None
    """Documentation: the intended wall time; a warning is printed when the estimate or the run exceeds it clearly."""
    workers: int | None = None
    """Oracle sandboxes (default: cores)."""
    no_sandbox: bool = False
    """UNSAFE: judge without bubblewrap (training and evaluation)."""
    share: str | None = None
    """Folder of another experiment whose finished runs and evaluations this one takes (copied) instead of
    recomputing them, where the settings are identical (e.g. unseen-cwe.yaml takes base, sft and tsp from the
    python experiment). Anything with other settings, or unfinished there, is computed here as usual. A taken
    run's model spec (final.json) still names its checkpoint in the shared folder, as the taken evaluation does."""
    threads: int | None = None
    """PyTorch threads; None = auto: 1 when other jobs already load the CPU at start (2 OpenMP threads on a
    shared 2-core machine wait on each other, several-fold slower: benchmarks/RESULTS.md), else all cores.
    The count is recorded in the output folder (threads.json) when the experiment starts, and a resumed run uses
    it again: float sums differ in the last digits with the thread count, so a resume under another load would
    not continue the same computation."""
    oracle: BackendConfig = field(default_factory=BackendConfig)
    """Where the oracle runs (backend: local | ray, address, actors; docs/scale.md); results do not depend on it."""
    rollout: RolloutConfig = field(default_factory=RolloutConfig)
    """Who builds the trees of a round (replicas > 1: Ray actors; docs/scale.md); trees do not depend on it."""

    def __post_init__(self) -> None:
        if self.threads is not None and self.threads < 1:
            raise SectreeError(f"threads must be >= 1, got {self.threads}")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", self.name or ""):
            raise SectreeError(f"name: required, letters/digits/-/_/. only, got {self.name!r}")
        unknown = [m for m in self.methods if m not in METHOD_PRESETS]
        if unknown:
            raise SectreeError(f"methods: unknown method {unknown[0]!r} (known: {', '.join(METHOD_PRESETS)})")
        if not self.methods or len(set(self.methods)) != len(self.methods):
            raise SectreeError(f"methods: need at least one method, each once, got {self.methods!r}")
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise SectreeError(f"seeds: need at least one seed, each once, got {self.seeds!r}")
        for key in RESERVED:
            head, _, tail = key.partition(".")
            section = self.train.get(head) if tail else self.train
            if isinstance(section, dict) and (tail or head) in section:
                raise SectreeError(f"train.{key}: set by the experiment (methods / model / seeds); remove it")
        for m, over in self.method_train.items():
            if m not in self.methods:
                raise SectreeError(f"method_train.{m}: not one of methods ({', '.join(self.methods)})")
            if not isinstance(over, dict):
                raise SectreeError(f"method_train.{m}: expected a mapping of RunConfig fields")
        if self.budget_minutes is not None and self.budget_minutes <= 0:
            raise SectreeError("budget_minutes must be > 0")
        if self.report.analyses and self.report.method not in self.methods:
            raise SectreeError(f"report.method: {self.report.method!r} is not one of methods")


def _merge(a: dict, b: dict) -> dict:
    """Deep merge: ``b`` wins; nested mappings merge."""
    out = copy.deepcopy(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def run_config(cfg: ExperimentConfig, method: str, seed: int, source: str = "config"):
    """The RunConfig of ``method`` at ``seed`` (None for base); errors name the offending field."""
    from sectree.train.tsp import RunConfig

    preset = METHOD_PRESETS[method]
    if preset is None:
        return None
    data = _merge(cfg.train, cfg.method_train.get(method, {}))
    data = _merge(data, {**preset, "model": cfg.model, "seed": seed, "no_sandbox": cfg.no_sandbox,
                         "tree": {"seed": seed}, "train": {"seed": seed}})
    if cfg.workers is not None:
        data.setdefault("workers", cfg.workers)
    where = f"method_train.{method}" if method in cfg.method_train else "train"
    try:
        return cfgmod.build(RunConfig, data, where, source)
    except SectreeError as e:  # RunConfig's own checks name the field without its section: add it
        msg = str(e).removeprefix(f"{source}: ")
        raise SectreeError(f"{source}: {msg if msg.startswith(where) else f'{where}: {msg}'}") from None


QUICK_TRAIN = {"rounds": 1, "max_tasks": 2, "sft_epochs": 1, "guard": {"dev_tasks": 1, "samples": 1},
               "tree": {"max_nodes": 1, "branches": 2, "max_branches": 2, "leaf_budget": 2, "max_new_tokens": 12},
               "train": {"epochs": 1}}
"""--quick: the training budget of every method (a seconds-scale smoke run)."""


def quick_overrides(cfg: ExperimentConfig) -> dict[str, Any]:
    """``--quick``: the same config on tiny-random with tiny budgets (seconds to a few minutes, most of it the
    oracle): first seed only, 1 round on 2 tasks, tiny trees, 1 sample of 12 tokens per task or decision, the
    sampled modes on the tasks of the first eval CWE per language; methods, modes, suites, analyses unchanged,
    and choice still scores every decision. Nothing is learned: it checks that the config runs end to end."""
    out: dict[str, Any] = {"model": "tiny-random", "seeds": cfg.seeds[:1], "share": "",
                           "eval.n": 1, "eval.span_n": 1, "eval.max_new_tokens": 12, "eval.span_max_new_tokens": 12,
                           "eval.gen_cwes": 1, "report.trees": min(cfg.report.trees, 1)}
    out["train"] = _merge(cfg.train, QUICK_TRAIN)
    # a method's own budget (method_train) would outweigh the quick one: quick's wins there too
    out["method_train"] = {m: _merge(over, {k: v for k, v in QUICK_TRAIN.items() if k in over})
                           for m, over in cfg.method_train.items()}
    for m, over in out["method_train"].items():
        for k in ("tree", "train", "guard"):
            if k in over:
                over[k] = _merge(over[k], QUICK_TRAIN[k])
    return out


def load_experiment(path: str | Path | None, overrides: dict[str, Any] | None = None,
                    quick: bool = False) -> ExperimentConfig:
    """YAML + dotted overrides -> a validated ExperimentConfig (every method's RunConfig built once, too).
    ``quick``: ``quick_overrides`` of the file's config first, then ``overrides`` on top."""
    if quick:
        first = cfgmod.load(ExperimentConfig, path, overrides)
        overrides = {**quick_overrides(first), **{k: v for k, v in (overrides or {}).items() if v is not None}}
    cfg = cfgmod.load(ExperimentConfig, path, overrides)
    source = str(path) if path is not None else "config"
    for m in cfg.methods:
        run_config(cfg, m, cfg.seeds[0], source)
    return cfg


# ------------------------------------------------------------------------------------------ eval tasks


def unseen_cwes(cfg: ExperimentConfig) -> list[int]:
    """CWEs of the eval tasks that no train-split task of the training suite has."""
    languages = cfg.train.get("language")
    languages = languages if isinstance(languages, list) else [languages]
    suites = cfg.train.get("suite", "builtin")
    suites = suites if isinstance(suites, list) else [suites]  # a mixed training suite: every one counts
    seen = {c for spec in suites for lang in languages for t in select_tasks(spec, "train", lang) for c in t.cwes}
    ev = {c for lang in cfg.eval.languages for t in select_tasks(cfg.eval.suite, cfg.eval.split, lang) for c in t.cwes}
    return sorted(ev - seen)


def part_settings(g) -> dict:
    """What an eval part's results depend on (spec.json): GenerateConfig / SpanConfig settings, ChoiceConfig's."""
    return g.settings() if hasattr(g, "settings") else {**asdict(g), "mode": "choice"}


def _first_cwes(suite: str, split: str | None, lang: str | None, cwes: list[int], k: int) -> list[int]:
    """The first ``k`` CWEs (numerically) of the tasks ``cwes`` selects (all CWEs when empty)."""
    have = sorted({c for t in select_tasks(suite, split, lang, cwes) for c in t.cwes if not cwes or c in cwes})
    return have[:k]


def eval_parts(cfg: ExperimentConfig, seed: int) -> dict[str, Any]:
    """part name -> GenerateConfig (full, completion), SpanConfig (span) or ChoiceConfig (choice), one per mode ×
    language (name ``<mode>`` or ``<mode>-<language>``)."""
    from sectree.evaluate.choice import ChoiceConfig
    from sectree.evaluate.run import GenerateConfig
    from sectree.evaluate.span import SpanConfig

    e = cfg.eval
    cwes = unseen_cwes(cfg) if e.cwes == "unseen" else list(e.cwes)
    if e.cwes == "unseen" and not cwes:
        raise SectreeError("eval.cwes: 'unseen' selects nothing: every eval CWE also occurs in a training task")
    if e.cwes == "unseen":
        everything = [t.id for lang in e.languages for t in select_tasks(e.suite, e.split, lang)]
        if everything == [t.id for lang in e.languages for t in select_tasks(e.suite, e.split, lang, cwes)]:
            cwes = []  # the filter keeps every task: drop it, so these parts equal an unfiltered evaluation's
    parts = {}
    for mode in e.modes:
        for lang in e.languages:
            name = mode if len(e.languages) == 1 else f"{mode}-{lang}"
            gcwes = cwes
            if e.gen_cwes and mode in GEN_MODES:
                gcwes = _first_cwes(e.suite, e.split, lang, cwes, e.gen_cwes)
            if mode == "choice":
                parts[name] = ChoiceConfig(model=cfg.model, suite=e.suite, split=e.split, cwes=cwes, language=lang,
                                           template=e.template, seed=seed)
            elif mode == "span":
                parts[name] = SpanConfig(model=cfg.model, suite=e.suite, split=e.split, cwes=gcwes, language=lang,
                                         template=e.template, n=e.span_n, temperature=e.temperature, top_p=e.top_p,
                                         max_new_tokens=e.span_max_new_tokens, seed=seed,
                                         batch_decisions=e.batch_tasks)
            else:
                parts[name] = GenerateConfig(model=cfg.model, suite=e.suite, split=e.split, cwes=gcwes,
                                             language=lang, mode=mode, template=e.template, n=e.n,
                                             temperature=e.temperature, top_p=e.top_p,
                                             max_new_tokens=e.max_new_tokens, seed=seed, batch_tasks=e.batch_tasks)
    return parts


def select_tasks(suite: str, split: str | None, language: str | None, cwes: list[int] | None = None) -> list:
    """The eval tasks of ``suite`` in ``split`` and ``language`` with one of ``cwes`` (none = any CWE)."""
    from sectree.tasks import load_suite

    return load_suite(suite, split=split, cwe=cwes or None, language=language)


def eval_tasks(gcfg) -> list:
    """The tasks a GenerateConfig samples."""
    return select_tasks(gcfg.suite, gcfg.split, gcfg.language, gcfg.cwes)


# ------------------------------------------------------------------------------------------ estimate


@dataclass(frozen=True)
class Speeds:
    """Per-unit CPU costs behind the up-front estimate (2-core Xeon dev machine, one torch thread, another job on
    the other core), each measured where its comment says.

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
    choice_s_per_decision: float = 2.2
    """Choice mode: seconds per decision scored (context and both continuations, batched; SmolLM2, one thread:
    2.0 and 2.3 CPU-s per decision on 8 Python test tasks)."""
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
    from sectree.tasks.decisions import decisions

    every = span = 0
    for t in tasks:
        ds = decisions(t)
        every += len(ds)
        span += len({(len(d.prefix), d.secure) for d in ds if d.aligned})
    return every, span


def _train_seconds(rc, sp: Speeds) -> float:
    """One training run of ``rc`` (all rounds), nothing cached."""
    from sectree.train.tsp import TREE_METHODS, split_tasks
    from sectree.tree.model import Opponent

    train_tasks = split_tasks(rc)[0]
    tasks, t = len(train_tasks), rc.tree
    verdict = sum(sp.verdict(x.language) for x in train_tasks) / max(1, tasks)  # mean over the run's tasks
    sampling = [o for o in t.opponents if o != Opponent.REFERENCE]
    refs = Opponent.REFERENCE in t.opponents
    guard = (rc.rounds + 1) * rc.guard.dev_tasks * (sp.batch(rc.guard.samples, t.max_new_tokens)
                                                    + rc.guard.samples * verdict)
    sft = tasks * rc.sft_epochs * sp.sft_s_per_example
    fill = sp.span_fill if getattr(t.leaf, "value", t.leaf) == "span" else sp.fill
    if rc.method in TREE_METHODS:
        # reference leaves: about one unsafe hunk per diff node (no decoding); sampled leaves: every node of a
        # tree decodes in one batch, about half the nodes are resampled (adaptive); every leaf that is not
        # secure becomes a pair (SmolLM2 writes almost none secure)
        ref_leaves = min(t.max_nodes, t.leaf_budget) if refs else 0
        sampled = max(0, t.leaf_budget - ref_leaves) if sampling else 0
        decode = 1.5 * sp.batch(t.max_nodes * t.branches, t.max_new_tokens, fill) if sampling else 0.0
        per_task = decode + (sampled + ref_leaves) * (verdict + rc.train.epochs * sp.train_s_per_pair) \
            + rc.train.epochs * sp.train_s_per_tree
    elif rc.method == "selfplay":
        n = rc.selfplay_samples or t.leaf_budget
        per_task = sp.batch(n, t.max_new_tokens) + n * (verdict + rc.train.epochs * sp.train_s_per_pair) \
            + rc.train.epochs * sp.train_s_per_tree
    else:  # sft
        per_task = rc.sft_epochs * sp.sft_s_per_example
    one = rc.rounds * (tasks * per_task + 2 * sp.load_s) + guard
    return one + (sft + sp.load_s if rc.init == "sft" else 0.0)


def estimate_minutes(cfg: ExperimentConfig, speeds: Speeds | None = None) -> dict:
    """Wall-time estimate (minutes) of the whole experiment with nothing cached: {'train', 'eval', 'total',
    'parts'}; ``parts`` gives each eval part per model and each method's training per seed."""
    sp = speeds or (TINY if cfg.model == "tiny-random" else Speeds())
    e = cfg.eval
    per_eval = sp.load_s
    choice = 0.0  # per model; base's is computed once for all seeds (Runner.choose copies deterministic records)
    parts: dict[str, float] = {}
    for name, g in eval_parts(cfg, 0).items():
        tasks = eval_tasks(g)
        if name.startswith("choice"):
            sec = _decisions(tasks)[0] * sp.choice_s_per_decision
            choice += sec
        elif name.startswith("span"):
            n_dec = _decisions(tasks)[1]
            full_groups, rest = divmod(n_dec, e.batch_tasks)
            sec = full_groups * sp.batch(e.batch_tasks * e.span_n, e.span_max_new_tokens, sp.span_fill)
            sec += (sp.batch(rest * e.span_n, e.span_max_new_tokens, sp.span_fill) if rest else 0.0)
            sec += n_dec * e.span_n * sp.verdict(g.language)
        else:
            full_groups, rest = divmod(len(tasks), e.batch_tasks)
            sec = full_groups * sp.batch(e.batch_tasks * e.n, e.max_new_tokens) + len(tasks) * e.n * sp.verdict(g.language)
            sec += sp.batch(rest * e.n, e.max_new_tokens) if rest else 0.0
        parts[f"eval {name} (per model)"] = round(sec / 60, 1)
        per_eval += sec
    train = 0.0
    for m in cfg.methods:
        rc = run_config(cfg, m, cfg.seeds[0])
        if rc is None:
            continue
        one = _train_seconds(rc, sp)
        parts[f"train {m} (per seed)"] = round(one / 60, 1)
        train += one * len(cfg.seeds)
    ev = per_eval * len(cfg.methods) * len(cfg.seeds) - ("base" in cfg.methods) * (len(cfg.seeds) - 1) * choice
    return {"train": round(train / 60, 1), "eval": round(ev / 60, 1), "total": round((train + ev) / 60, 1),
            "parts": parts}


# ------------------------------------------------------------------------------------------ resume checks


def _jsonable(x):
    return json.loads(json.dumps(x))


def _differences(want: dict, got: dict, prefix: str = "") -> list[str]:
    out = []
    for k in sorted(set(want) | set(got)):
        a, b = want.get(k), got.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{prefix}{k}.")
        elif a != b:
            out.append(f"{prefix}{k}")
    return out


def _check_same(path: Path, want: dict, what: str) -> None:
    """Refuse to reuse ``path``'s folder when it was made with other settings."""
    if not path.exists():
        return
    got = json.loads(path.read_text())
    diff = _differences(_jsonable(want), got)
    if diff:
        raise SectreeError(f"{path.parent} was {what} with other settings ({', '.join(diff[:6])}); delete that "
                           f"folder to redo it, or use another --out")


# ------------------------------------------------------------------------------------------ the runner


class _Progress:
    """A tqdm bar on stderr, created on the first update (so finished parts print nothing); without a
    terminal (logs, make demo | tee) a plain line at every quarter instead."""

    def __init__(self, desc: str, quiet: bool, say: Callable[[str], None]):
        self.desc, self.quiet, self.say, self.bar, self.done = desc, quiet, say, None, 0

    def step(self, i: int, total: int) -> None:
        self.done += 1
        if self.quiet:
            return
        if not sys.stderr.isatty():
            if self.done == total or self.done % max(1, -(-total // 4)) == 0:
                self.say(f"{self.desc}: {self.done}/{total}")
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.desc, file=sys.stderr, leave=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Runner:
    """Runs one experiment into ``out``; one Oracle for every evaluation, the last loaded policy kept."""

    def __init__(self, cfg: ExperimentConfig, out: Path, say: Callable[[str], None], quiet: bool = False):
        self.cfg, self.out, self.say, self.quiet = cfg, Path(out), say, quiet
        self._oracle = None
        self._policy: tuple[str, Any] | None = None

    # ---- shared resources
    def oracle(self):
        if self._oracle is None:
            from sectree.oracle import OracleConfig
            from sectree.oracle.backend import open_oracle
            from sectree.sandbox import SandboxConfig

            self._oracle = open_oracle(OracleConfig(sandbox=SandboxConfig(enabled=not self.cfg.no_sandbox),
                                                    workers=self.cfg.workers, findings=self.cfg.eval.findings),
                                       self.cfg.oracle)
            if hasattr(self._oracle, "actors"):
                self.say(f"oracle: {len(self._oracle.actors)} Ray actor(s) on the cluster "
                         f"{self.cfg.oracle.address or '(private, this process)'}")
        return self._oracle

    def policy(self, spec: str):
        from sectree.policy import load_policy

        if self._policy is None or self._policy[0] != spec:
            self._policy = None  # free the old model before loading the next
            self._policy = (spec, load_policy(spec, merge=True))  # evaluation only: LoRA folded in
        return self._policy[1]

    def close(self) -> None:
        if self._oracle is not None:
            self._oracle.close()
            self._oracle = None
        self._policy = None

    # ---- take a finished run / evaluation from cfg.share
    def adopt(self, kind: str, rid: str, spec_file: str, want: dict, done_file: str) -> bool:
        """Copy ``<share>/<kind>/<rid>`` here when it is finished and was made with exactly ``want``; True if so."""
        import shutil

        if not self.cfg.share:
            return False
        dst, src = self.out / kind / rid, Path(self.cfg.share) / kind / rid
        if dst.exists() or not (src / done_file).is_file() or not (src / spec_file).is_file():
            return False
        diff = _differences(_jsonable(want), json.loads((src / spec_file).read_text()))
        if diff:
            self.say(f"{rid}: not taken from {src}: other settings ({', '.join(diff[:4])})")
            return False
        tmp = dst.with_name(dst.name + ".sharing")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp, symlinks=True)
        write_json_atomic(tmp / "shared-from.json", {"source": str(src.resolve())})
        tmp.rename(dst)
        self.say(f"{rid}: {'run' if kind == 'runs' else 'evaluation'} taken from {src} (same settings)")
        return True

    # ---- train one method × seed
    def train(self, method: str, seed: int) -> dict:
        from sectree.train.tsp import run

        rid = f"{method}-s{seed}"
        rc = run_config(self.cfg, method, seed)
        if rc is None:
            return {"model_spec": self.cfg.model, "trained": False, "oracle_calls": 0, "tokens_generated": 0,
                    "train_tokens": 0, "wall_seconds": 0.0}
        rdir = self.out / "runs" / rid
        self.adopt("runs", rid, "config.json", asdict(rc), "final.json")
        _check_same(rdir / "config.json", asdict(rc), "trained")
        timing_path = rdir / "experiment-timing.json"
        if (rdir / "final.json").exists():
            self.say(f"{rid}: training finished earlier, skipped")
        else:
            resumed = rdir.exists() and any(rdir.iterdir())
            self.say(f"{rid}: {'resuming' if resumed else 'training'} ({rc.method}"
                     f"{', init ' + rc.init if rc.init else ''}) -> {rdir}")
            self._policy = None  # training loads its own copy
            t0 = time.monotonic()
            run(rc, rdir, resume=True, say=lambda m: self.say(f"{rid}: {m}"), backend=self.cfg.oracle,
                rollout=self.cfg.rollout)
            write_json_atomic(timing_path, {"wall_seconds": round(time.monotonic() - t0, 1), "resumed": resumed})
        info = train_info(rc, rdir)
        timing = json.loads(timing_path.read_text()) if timing_path.exists() else {}
        shared = (rdir / "shared-from.json").is_file()
        return {"trained": True, "dir": str(rdir), "settings": asdict(rc), "shared": shared,
                "wall_seconds": timing.get("wall_seconds"), "resumed": timing.get("resumed"), **info}

    # ---- evaluate one model in every mode (× language)
    def evaluate(self, rid: str, seed: int, model_spec: str) -> dict:
        from sectree.evaluate.run import evaluate, generate, read_samples

        edir = self.out / "evals" / rid
        parts = eval_parts(self.cfg, seed)
        spec = {"model_spec": model_spec, "parts": {k: part_settings(g) for k, g in parts.items()},
                "findings": self.cfg.eval.findings, "sandboxed": not self.cfg.no_sandbox}
        self.adopt("evals", rid, "spec.json", spec, "results.json")
        _check_same(edir / "spec.json", spec, "evaluated")
        timing_path = edir / "timing.json"
        if (edir / "results.json").exists():
            self.say(f"{rid}: evaluation finished earlier, skipped")
        else:
            write_json_atomic(edir / "spec.json", spec)
            timing = json.loads(timing_path.read_text()) if timing_path.exists() else {}
            self.say(f"{rid}: evaluating {model_spec} in {', '.join(parts)} -> {edir}")
            gen = {k: g for k, g in parts.items() if not k.startswith("choice")}
            self.choose(rid, {k: g for k, g in parts.items() if k.startswith("choice")}, model_spec, edir, timing)
            for name, g in gen.items():
                bar = _Progress(f"{rid} sampling {name}", self.quiet, self.say)
                t0 = time.monotonic()
                # the policy is only loaded once per model, and not at all when every part is complete
                if name.startswith("span"):
                    from sectree.evaluate.span import generate_spans

                    info = generate_spans(g, edir / f"samples-{name}.jsonl", policy=_LazyPolicy(self, model_spec),
                                          progress=bar.step)
                    # batches of decisions, not tasks: say what was sampled
                    what = f"{info['sampled_groups']} batch(es) of the {info['decisions']} decisions of {info['tasks']} tasks"
                    info["sampled_tasks"] = info["sampled_groups"] and what
                else:
                    info = generate(g, edir / f"samples-{name}.jsonl", policy=_LazyPolicy(self, model_spec),
                                    progress=bar.step)
                bar.close()
                timing.setdefault("generate_seconds", {})
                timing["generate_seconds"][name] = round(timing["generate_seconds"].get(name, 0.0)
                                                         + time.monotonic() - t0, 2)
                write_json_atomic(timing_path, timing)
                if info["sampled_tasks"]:
                    what = info["sampled_tasks"] if isinstance(info["sampled_tasks"], str) else \
                        f"{info['sampled_tasks']} tasks"
                    self.say(f"{rid}: {name}: {what} sampled, {info['tokens']} tokens, {info['seconds']} s")
            # one samples file with every part, rebuilt from the per-part files (atomic)
            write_text_atomic(edir / "samples.jsonl",
                              "".join((edir / f"samples-{k}.jsonl").read_text() for k in gen))
            n = len(read_samples(edir / "samples.jsonl"))
            bar = _Progress(f"{rid} judging", self.quiet, self.say)
            evaluate(edir / "samples.jsonl", edir / "results.json", oracle=self.oracle(),
                     progress=lambda i, _n=n, _b=bar: _b.step(i, _n))
            bar.close()
        results = json.loads((edir / "results.json").read_text())
        timing = json.loads(timing_path.read_text()) if timing_path.exists() else {}
        tokens = sum(int(r.get("n_tokens") or 0) for r in read_jsonl(edir / "samples.jsonl"))
        return {"dir": str(edir), "results_file": str(edir / "results.json"), "model_spec": model_spec,
                "seed": seed, "settings": spec["parts"], "oracle_calls": results["oracle"]["calls"],
                "sandboxed": results["oracle"]["sandboxed"], "tokens": tokens,
                "generate_seconds": round(sum(timing.get("generate_seconds", {}).values()), 2),
                "judge_seconds": results["wall_seconds"], "n_samples": results["n_samples"],
                "n_tasks": results["n_tasks"], "shared": (edir / "shared-from.json").is_file(),
                "choices_file": str(edir / CHOICE_RECORDS) if (edir / CHOICE_RECORDS).is_file() else None,
                "choice_seconds": timing.get("choice_seconds", 0.0)}

    # ---- choice mode: every decision scored teacher-forced (no oracle); resumable as a whole file
    def choose(self, rid: str, parts: dict, model_spec: str, edir: Path, timing: dict) -> None:
        from sectree.evaluate.choice import score_choices
        from sectree.io import write_jsonl_gz_atomic
        from sectree.tasks.decisions import decisions

        if not parts or (edir / CHOICE_RECORDS).is_file():
            return
        # choice is deterministic (no sampling): the same model scored with the same settings in another run of
        # this experiment (base at every seed) gives the same records, so they are copied, not recomputed
        want = {k: {**part_settings(c), "seed": None} for k, c in parts.items()}
        for other in sorted((self.out / "evals").glob(f"*/{CHOICE_RECORDS}")):
            spec = other.parent / "spec.json"
            got = json.loads(spec.read_text()) if spec.is_file() else {}
            if other.parent != edir and got.get("model_spec") == model_spec and \
                    {k: {**v, "seed": None} for k, v in got.get("parts", {}).items() if k in want} == want:
                import shutil

                shutil.copy2(other, edir / (CHOICE_RECORDS + ".tmp"))
                (edir / (CHOICE_RECORDS + ".tmp")).rename(edir / CHOICE_RECORDS)
                self.say(f"{rid}: choice: the same model's records copied from {other.parent.name} (deterministic)")
                return
        t0 = time.monotonic()
        records = []
        for name, c in parts.items():
            tasks = [t for t in select_tasks(c.suite, c.split, c.language, c.cwes) if decisions(t)]
            records += score_choices(self.policy(model_spec), tasks, template=c.template,
                                     max_batch_tokens=c.max_batch_tokens, model=model_spec)
        write_jsonl_gz_atomic(edir / CHOICE_RECORDS, records)
        timing["choice_seconds"] = round(time.monotonic() - t0, 2)
        write_json_atomic(edir / "timing.json", timing)
        self.say(f"{rid}: choice: {len(records)} decisions scored in {timing['choice_seconds']} s")


class _LazyPolicy:
    """Stands in for a policy: loads it (through the runner's cache) on first attribute access."""

    def __init__(self, runner: Runner, spec: str):
        self._runner, self._spec = runner, spec

    def __getattr__(self, name):
        return getattr(self._runner.policy(self._spec), name)


def train_info(rc, rdir: Path) -> dict:
    """Oracle calls, tokens and round times of a finished run from its stats (SFT warm start included).

    Oracle calls = judged leaves/samples (``oracle/calls``) + functionality-guard samples (dev_tasks × samples,
    twice in the round that also measured the 'before' rates); computed from the stats, so resumes count right.
    """
    rows = []
    for d in ([rdir / "sft-init"] if rc.init == "sft" else []) + [rdir]:
        if (d / "stats.jsonl").exists():
            rows += list(read_jsonl(d / "stats.jsonl"))
    dev = rc.guard.dev_tasks * rc.guard.samples
    calls = sum(int(r.get("oracle/calls", 0)) + dev * (1 + ("dev/before_broken_rate" in r)) for r in rows)
    return {
        "model_spec": json.loads((rdir / "final.json").read_text())["model_spec"],
        "rounds": len([r for r in rows if r.get("method") == rc.method]),
        "accepted_rounds": sum(bool(r.get("accepted")) for r in rows if r.get("method") == rc.method),
        "oracle_calls": calls,
        "tokens_generated": sum(int(r.get("tree/tokens_generated", r.get("rollout/tokens", 0))) for r in rows),
        "train_tokens": sum(int(r.get("train/forward_tokens", 0)) for r in rows),
        "pairs": sum(int(r.get("pairs/total", 0)) for r in rows),
        # tree leaves by opponent and verdict (tree/leaves_<opponent>_<verdict>) and pairs by kind (#11)
        "leaves_by_opponent": {o: {v: sum(int(r.get(f"tree/leaves_{o}_{v}", 0)) for r in rows)
                                   for v in ("secure", "vulnerable", "broken")}
                               for o in ("policy", "attacker", "reference")
                               if any(f"tree/leaves_{o}_secure" in r for r in rows)},
        "pairs_by_kind": {k: sum(int(r.get(f"pairs/{k}", 0)) for r in rows) for k in ("security", "function")},
        "round_seconds": round(sum(float(r.get("time/round_seconds", 0)) for r in rows), 1),
    }


def cores_in_use(seconds: float = 0.5) -> float:
    """How many cores other processes keep busy right now: /proc/stat sampled over ``seconds``.

    Not the load average: it trails the last minute, so a job that has just finished (a benchmark, a dry run)
    would still count as running. Falls back to the load average where /proc/stat is missing."""
    import os
    import time

    def ticks() -> tuple[int, int] | None:
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
        return sum(v[:8]) - idle, sum(v[:8])

    a = ticks()
    if a is None:
        return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    time.sleep(seconds)
    b = ticks()
    if b is None or b[1] == a[1]:
        return 0.0
    return (b[0] - a[0]) / (b[1] - a[1]) * (os.cpu_count() or 1)


def set_threads(threads: int | None, out: Path | None = None) -> int:
    """Set PyTorch's intra-op threads (see ExperimentConfig.threads); returns the number used.

    With ``out`` and ``threads=None``, the count chosen when the experiment in ``out`` first started
    (``out/threads.json``) is used again, so that a resumed run computes what the uninterrupted one would."""
    import os

    import torch

    record = out / "threads.json" if out is not None else None
    if threads is None and record is not None and record.is_file():
        try:
            threads = int(json.loads(record.read_text())["threads"])
        except (ValueError, KeyError, TypeError):
            threads = None  # a damaged record: choose again (and rewrite it below)
        if threads is not None and threads < 1:
            threads = None
    if threads is None:
        cores = os.cpu_count() or 1
        threads = 1 if cores_in_use() >= 0.75 else cores  # someone else is running: don't fight over the cores
    if record is not None:
        write_json_atomic(record, {"threads": threads})
    torch.set_num_threads(threads)
    return threads


def run_experiment(cfg: ExperimentConfig, out: str | Path, *, say: Callable[[str], None] | None = None,
                   quiet: bool = False, config_file: str | None = None, command: str | None = None) -> dict:
    """Train and evaluate every method × seed into ``out``, then write results.json, report.md, report.html.

    Returns the results dict (what results.json holds)."""
    from sectree.experiment.report import write_report

    say = say or (lambda m: print(m, file=sys.stderr, flush=True))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # fail early: every eval part must select tasks
    for name, g in eval_parts(cfg, cfg.seeds[0]).items():
        if not eval_tasks(g):
            raise SectreeError(f"eval: no tasks in {g.suite!r} match part {name} (split {g.split}, language "
                               f"{g.language}, cwes {g.cwes or 'any'})")
    threads = set_threads(cfg.threads, out)
    est = estimate_minutes(cfg)
    say(f"experiment {cfg.name}: {len(cfg.methods)} method(s) × {len(cfg.seeds)} seed(s) -> {out}; "
        f"rough estimate {est['total']} min (train {est['train']}, eval {est['eval']}) with nothing cached; "
        f"torch threads: {threads}")
    if cfg.budget_minutes and est["total"] > 1.5 * cfg.budget_minutes:
        say(f"warning: the estimate ({est['total']} min) clearly exceeds budget_minutes ({cfg.budget_minutes})")
    if cfg.share and not Path(cfg.share).is_dir():
        say(f"share: {cfg.share} does not exist; every run and evaluation is computed here")
    runner = Runner(cfg, out, say, quiet)
    records = []
    t0 = time.monotonic()
    try:
        for method in cfg.methods:
            for seed in cfg.seeds:
                rid = f"{method}-s{seed}"
                train = runner.train(method, seed)
                ev = runner.evaluate(rid, seed, train["model_spec"])
                records.append({"id": rid, "method": method, "seed": seed, "model_spec": train["model_spec"],
                                "train": train, "eval": ev})
    finally:
        runner.close()
    wall = time.monotonic() - t0
    write_json_atomic(out / "experiment.json", {"config": asdict(cfg), "config_file": config_file, "command": command})
    results = write_report(cfg, out, records, estimate=est, config_file=config_file, session_seconds=wall,
                           command=command)
    total = results["wall_seconds_total"] / 60
    if cfg.budget_minutes and total > 1.5 * cfg.budget_minutes:
        say(f"warning: the runs took {total:.1f} min, clearly more than budget_minutes ({cfg.budget_minutes})")
    return results


# ------------------------------------------------------------------------------------------ demo


def demo_config_path() -> Path:
    """configs/experiments/demo.yaml of the checkout this package is installed from (pip install -e .)."""
    here = Path(__file__).resolve()
    for root in here.parents:
        p = root / "configs" / "experiments" / "demo.yaml"
        if p.is_file():
            return p
    raise SectreeError("configs/experiments/demo.yaml not found next to the installed package: install sectree "
                       "from a clone with `pip install -e .` (or pass the file to `sectree experiment`)")


__all__ = [
    "ANALYSES",
    "METHOD_PRESETS",
    "EvalSpec",
    "ExperimentConfig",
    "ReportSpec",
    "Runner",
    "Speeds",
    "demo_config_path",
    "estimate_minutes",
    "eval_parts",
    "load_experiment",
    "run_config",
    "run_experiment",
    "unseen_cwes",
]
