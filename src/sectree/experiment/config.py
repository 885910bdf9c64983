"""An experiment's configuration: the YAML sections as dataclasses, each method's RunConfig, the eval parts.

``load_experiment`` reads ``configs/experiments/<name>.yaml`` (``--quick``: ``quick_overrides`` first),
``run_config`` derives the RunConfig of one method at one seed (the experiment's ``train`` overrides, then the
method's own, then the method preset, model and seed), ``eval_parts`` the GenerateConfig / SpanConfig /
ChoiceConfig of every eval mode × language. Nothing here trains or samples (experiment/runner.py does).

``ExperimentConfig`` lives here, not in ``sectree.settings`` with the run's configs: it is the experiment layer's
own settings and embeds configs of the layers below (``oracle: BackendConfig``, ``rollout: RolloutConfig``),
which the base layer may not import. Its sections that are run settings (``run: RunConfig``, ``eval: EvalSpec``,
``report: ReportSpec``) are the base layer's classes, and it is loaded and checked the same way
(``sectree.config.build``; one error format, ``<file>: section.field=value: what to do``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from sectree import config as cfgmod
from sectree.errors import SectreeError
from sectree.oracle.backend import BackendConfig
from sectree.settings import ANALYSES, EVAL_MODES, GEN_MODES, EvalSpec, ReportSpec, RunConfig, bad  # noqa: F401  (re-exported)
from sectree.settings import ChoiceConfig, GenerateConfig, SpanConfig
from sectree.tasks import load_suite
from sectree.tree.ray_rollout import RolloutConfig

MODES = EVAL_MODES
METHOD_PRESETS: dict[str, dict | None] = {
    "base": None,  # no training: the model itself is evaluated
    "sft": {"method": "sft"},
    "selfplay": {"method": "selfplay"},
    "tsp": {"method": "tsp"},
    "tsp-sft": {"method": "tsp", "init": "sft"},
    "tsp-paper": {"method": "tsp-paper"},
    "contrast": {"method": "contrast"},  # reference opponent only (tree.opponents forced by RunConfig)
}
"""Method name -> the RunConfig fields it sets (on top of the experiment's ``run`` section)."""

CHOICE_RECORDS = "choices.jsonl.gz"
"""An evaluation's choice records (evals/<run>/), one per decision of every eval task."""

RESERVED = ("method", "model", "init", "seed", "tree.seed", "update.seed")
"""RunConfig fields the experiment sets itself (from ``methods``, ``model`` and ``seeds``)."""



# ------------------------------------------------------------------------------------------ config


@dataclass
class ExperimentConfig:
    """One experiment (``sectree experiment <config.yaml>``): methods × seeds, trained and evaluated."""

    RENAMED: ClassVar[dict[str, str]] = {"train": "run"}
    """Keys of older versions -> where they are now (``train:`` held ``train:``: now ``run:`` holds ``update:``)."""

    name: str = ""
    """Experiment name (letters, digits, - _ .); the default report folder is runs/experiments/<name>."""
    model: str = "smollm2-135m"
    """θ_0 of every method, and the `base` model."""
    methods: list[str] = field(default_factory=lambda: ["base", "tsp"])
    """Rows of the tables: base (no training), sft, selfplay, tsp, tsp-sft (tsp with init: sft), tsp-paper,
    contrast (reference opponent only: the SVEN/SafeCoder-style ablation)."""
    seeds: list[int] = field(default_factory=lambda: [0])
    """One training run and one evaluation per method and seed."""
    run: RunConfig = field(default_factory=RunConfig)
    """The RunConfig of every trained method (suite, language, rounds, max_tasks, tree, update, guard, ...); the
    experiment sets method, model, init and the seeds itself (RESERVED). ``train:`` before it was renamed."""
    method_train: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per-method RunConfig overrides on top of ``run``: method name -> the RunConfig fields (sections nested)
    that method sets differently, e.g. {sft: {sft_epochs: 2}, tsp: {update: {lr: 5e-5}}}. Keys are checked as
    ``run:``'s are: only trained methods of ``methods``, none of RESERVED, and each method's RunConfig is built
    when the experiment loads (``load_experiment``), so a typo fails there with one line
    (``method_train.tsp.update.lrr: unknown field``)."""
    eval: EvalSpec = field(default_factory=EvalSpec)
    """What every model is evaluated on (suite, split, modes, samples, ``sampling``)."""
    report: ReportSpec = field(default_factory=ReportSpec)
    """What the report adds beyond the method tables (analyses, example trees)."""
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
            raise bad("threads", self.threads, "must be >= 1 (or null: chosen by the load)")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", self.name or ""):
            raise bad("name", self.name, "required, letters/digits/-/_/. only")
        unknown = [m for m in self.methods if m not in METHOD_PRESETS]
        if unknown:
            raise bad("methods", self.methods, f"unknown method {unknown[0]!r} (known: {', '.join(METHOD_PRESETS)})")
        if not self.methods or len(set(self.methods)) != len(self.methods):
            raise bad("methods", self.methods, "need at least one method, each once")
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise bad("seeds", self.seeds, "need at least one seed, each once")
        for m, over in self.method_train.items():
            if m not in self.methods:
                raise bad(f"method_train.{m}", over, f"not one of methods ({', '.join(self.methods)})")
            if not isinstance(over, dict):
                raise bad(f"method_train.{m}", over, "expected a mapping of RunConfig fields")
            if METHOD_PRESETS[m] is None:
                raise bad(f"method_train.{m}", over, f"{m} is not trained (no RunConfig to override); remove it")
            for key in RESERVED:
                head, _, tail = key.partition(".")
                section = over.get(head) if tail else over
                if isinstance(section, dict) and (tail or head) in section:
                    raise bad(f"method_train.{m}.{key}", section[tail or head],
                              "set by the experiment (methods / model / seeds); remove it")
        if self.budget_minutes is not None and self.budget_minutes <= 0:
            raise bad("budget_minutes", self.budget_minutes, "must be > 0 (or null)")
        if self.report.analyses and self.report.method not in self.methods:
            raise bad("report.method", self.report.method, f"not one of methods ({', '.join(self.methods)})")


def _plain(run: RunConfig) -> dict:
    """``run`` as a mapping ``build`` takes back (nested configs as mappings, enums as members)."""
    return {f.name: _plain(getattr(run, f.name)) if is_dataclass(getattr(run, f.name)) else
            copy.deepcopy(getattr(run, f.name)) for f in fields(run)}


def _merge(a: dict, b: dict) -> dict:
    """Deep merge: ``b`` wins; nested mappings merge."""
    out = copy.deepcopy(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def run_config(cfg: ExperimentConfig, method: str, seed: int, source: str = "config"):
    """The RunConfig of ``method`` at ``seed`` (None for base); errors name the offending field."""
    preset = METHOD_PRESETS[method]
    if preset is None:
        return None
    data = _merge(_plain(cfg.run), cfg.method_train.get(method, {}))
    data = _merge(data, {**preset, "model": cfg.model, "seed": seed, "no_sandbox": cfg.no_sandbox,
                         "tree": {"seed": seed}, "update": {"seed": seed}})
    if cfg.workers is not None and data.get("workers") is None:  # run.workers, where set, wins
        data["workers"] = cfg.workers
    where = f"method_train.{method}" if method in cfg.method_train else "run"
    try:
        return cfgmod.build(RunConfig, data, where, source)
    except SectreeError as e:  # RunConfig's own checks name the field without its section: add it
        msg = str(e).removeprefix(f"{source}: ")
        raise SectreeError(f"{source}: {msg if msg.startswith(where) else f'{where}: {msg}'}") from None


QUICK_TRAIN = {"rounds": 1, "max_tasks": 2, "sft_epochs": 1, "guard": {"dev_tasks": 1, "samples": 1},
               "tree": {"max_nodes": 1, "branches": 2, "max_branches": 2, "leaf_budget": 2,
                        "sampling": {"max_new_tokens": 12}},
               "update": {"epochs": 1}}
"""--quick: the training budget of every method (a seconds-scale smoke run)."""


def quick_overrides(cfg: ExperimentConfig) -> dict[str, Any]:
    """``--quick``: the same config on tiny-random with tiny budgets (seconds to a few minutes, most of it the
    oracle): first seed only, 1 round on 2 tasks, tiny trees, 1 sample of 12 tokens per task or decision, the
    sampled modes on the tasks of the first eval CWE per language; methods, modes, suites, analyses unchanged,
    and choice still scores every decision. Nothing is learned: it checks that the config runs end to end."""
    out: dict[str, Any] = {"model": "tiny-random", "seeds": cfg.seeds[:1], "share": "",
                           "eval.n": 1, "eval.span_n": 1, "eval.sampling.max_new_tokens": 12, "eval.span_max_new_tokens": 12,
                           "eval.gen_cwes": 1, "report.trees": min(cfg.report.trees, 1)}
    out["run"] = _merge(_plain(cfg.run), QUICK_TRAIN)
    # a method's own budget (method_train) would outweigh the quick one: quick's wins there too
    out["method_train"] = {m: _merge(over, {k: v for k, v in QUICK_TRAIN.items() if k in over})
                           for m, over in cfg.method_train.items()}
    for m, over in out["method_train"].items():
        for k in ("tree", "update", "guard"):
            if k in over:
                over[k] = _merge(over[k], QUICK_TRAIN[k])
    return out


def upgrade_experiment(data: dict) -> dict:
    """An experiment mapping written for an older version (``train:`` holding ``train:``, flat sampling keys) in
    today's shape: ``sectree.config.upgrade`` plus the per-method overrides (``method_train``, untyped)."""
    data = cfgmod.upgrade(ExperimentConfig, data)
    if isinstance(data.get("method_train"), dict):
        data["method_train"] = {m: cfgmod.upgrade(RunConfig, over) for m, over in data["method_train"].items()}
    return data


def _check_reserved(data: dict, source: str) -> None:
    """The fields of ``run:`` the experiment sets itself may not be set there (they would be overwritten)."""
    run = data.get("run") if isinstance(data, dict) else None
    for key in RESERVED if isinstance(run, dict) else ():
        head, _, tail = key.partition(".")
        section = run.get(head) if tail else run
        if isinstance(section, dict) and (tail or head) in section:
            raise SectreeError(f"{source}: run.{key}: set by the experiment (methods / model / seeds); remove it")


def load_experiment(path: str | Path | None, overrides: dict[str, Any] | None = None,
                    quick: bool = False) -> ExperimentConfig:
    """YAML + dotted overrides -> a validated ExperimentConfig (every method's RunConfig built once, too).
    ``quick``: ``quick_overrides`` of the file's config first, then ``overrides`` on top."""
    data, source = cfgmod.read(path, overrides)
    _check_reserved(data, source)
    cfg = cfgmod.build(ExperimentConfig, data, source=source)
    if quick:
        overrides = {**quick_overrides(cfg), **{k: v for k, v in (overrides or {}).items() if v is not None}}
        cfg = cfgmod.load(ExperimentConfig, path, overrides)
    for m in cfg.methods:
        run_config(cfg, m, cfg.seeds[0], source)
    return cfg


# ------------------------------------------------------------------------------------------ eval tasks


def unseen_cwes(cfg: ExperimentConfig) -> list[int]:
    """CWEs of the eval tasks that no train-split task of the training suite has."""
    languages = cfg.run.language if isinstance(cfg.run.language, list) else [cfg.run.language]
    suites = cfg.run.suites  # a mixed training suite: every one counts
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
                                         template=e.template, n=e.span_n,
                                         sampling=replace(e.sampling, max_new_tokens=e.span_max_new_tokens),
                                         seed=seed, batch_decisions=e.batch_tasks)
            else:
                parts[name] = GenerateConfig(model=cfg.model, suite=e.suite, split=e.split, cwes=gcwes,
                                             language=lang, mode=mode, template=e.template, n=e.n,
                                             sampling=e.sampling, seed=seed, batch_tasks=e.batch_tasks)
    return parts


def select_tasks(suite: str, split: str | None, language: str | None, cwes: list[int] | None = None) -> list:
    """The eval tasks of ``suite`` in ``split`` and ``language`` with one of ``cwes`` (none = any CWE)."""
    return load_suite(suite, split=split, cwe=cwes or None, language=language)


def eval_tasks(gcfg) -> list:
    """The tasks a GenerateConfig samples."""
    return select_tasks(gcfg.suite, gcfg.split, gcfg.language, gcfg.cwes)

