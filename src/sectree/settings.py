"""Every setting of a run, typed, in one place: the dataclasses that YAML sections, CLI flags and callers fill.

This is the base layer's half of configuration (``sectree.config`` is the other half: ``load`` / ``build`` turn
YAML + ``--set`` overrides into these dataclasses, and name the field of any bad value). It imports nothing of
sectree but ``errors``, so every layer (tasks, policy, tree, train, evaluate, experiment, cli) imports its
configs from here and the arrows still point one way; each layer's module re-exports its own config under its
old name (``from sectree.train.tsp import RunConfig`` keeps working).

    RunConfig (``sectree train``, one method × seed of an experiment; configs/*.yaml)
      ├─ tree:   TreeConfig      how trees grow; its sampling settings also drive the guard and self-play
      ├─ update: TrainConfig     the policy update (node-DPO, LoRA, optimiser)
      └─ guard:  GuardConfig     the functionality guard on held-out dev tasks
    EvalSpec (an experiment's ``eval:``) -> one GenerateConfig / SpanConfig / ChoiceConfig per mode × language
    ReportSpec (an experiment's ``report:``)
    ExperimentConfig (experiment/config.py: it embeds the oracle's and the rollout's execution backends)

Closed sets (modes, methods, opponents, leaf modes, strategies) are defined once here; ``derive_seed`` is the
one hash every seeded place (evaluation groups, tree batches) derives its sampling seed with.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import ClassVar, Sequence

from sectree.errors import SectreeError

# ------------------------------------------------------------------------------------------ closed sets

PROMPT_MODES = ("full", "completion")
"""How a prompt is rendered (policy/prompts.py): full (the model writes the function) or completion (it
continues the golden code before the decision)."""
SPAN_MODE = "span"
"""evaluate/span.py's mode: decision spans spliced into the golden body."""
EVAL_MODES = ("full", "completion", "span", "choice")
"""Eval modes: full, completion (GenerateConfig), span (evaluate.span: decision spans, judged like the
others) and choice (evaluate.choice: teacher-forced scoring of every decision, no oracle)."""
GEN_MODES = ("full", "completion", "span")
"""Modes that sample and judge (their samples go through the oracle; ``eval.gen_cwes`` narrows them)."""
METHODS = ("tsp", "tsp-paper", "selfplay", "sft", "contrast")
"""Training methods (RunConfig.method)."""
TREE_METHODS = ("tsp", "tsp-paper", "contrast")
"""Methods whose round grows trees (``build_trees``); contrast's trees hold only reference leaves."""
STRATEGIES = ("diff", "oracle", "entropy")
"""Risk-node strategies (tree/nodes.py)."""
LOSS_NAMES = ("node-dpo", "sequence-dpo", "sft")
"""Names of the objectives in train/losses.py ``LOSSES`` (which checks that it registers exactly these)."""
DTYPE_NAMES = ("float32", "bfloat16", "float16", "float64")
"""Training dtypes (train/trainer.py ``DTYPES`` maps them to torch dtypes)."""
LLAMA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
"""Llama/SmolLM2 attention and MLP projections: the default LoRA target modules."""
REWARDS_DEFAULT = {"secure": 1.0, "vulnerable": 0.0, "broken": 0.0}
"""Leaf reward per verdict status (TreeConfig.rewards)."""
ANALYSES = ("paper-ratio", "vulnerable-reduction", "transfer")
"""Config-specific report sections (see sectree.experiment.report)."""
RESAMPLES = 1000
"""Bootstrap resamples behind every confidence interval (evaluate/metrics.py, evaluate/choice.py)."""


class Opponent(str, Enum):
    """Who produced a branch.

    policy: the previous iterate θ_{t-1} (self-play); attacker: θ_{t-1} prompted to write the vulnerable
    variant (``policy.prompts`` template ``attacker``); reference: the task's unsafe hunk spliced at the node
    (no sampling)."""

    POLICY = "policy"
    ATTACKER = "attacker"
    REFERENCE = "reference"


class LeafMode(str, Enum):
    """span: a branch is the opponent's decision span, the golden body resumes after it (tree/span.py);
    rest: a branch runs to the end of the function."""

    SPAN = "span"
    REST = "rest"


def bad(field_: str, value, fix: str) -> SectreeError:
    """The one error format of a config value: ``field=value: what to do``. ``sectree.config.build`` puts the
    file and the section in front (``configs/x.yaml: run.tree.branches=0: must be >= 1``)."""
    return SectreeError(f"{field_}={value!r}: {fix}")


def check_strategies(names: Sequence[str]) -> list[str]:
    """``names`` if each is a risk-node strategy (and there is one), else one error listing the strategies."""
    bad = [n for n in names if n not in STRATEGIES]
    if bad or not names:
        raise SectreeError(f"unknown risk-node strategy {bad or names!r}: available are {', '.join(STRATEGIES)}")
    return list(names)


def derive_seed(*parts) -> int:
    """A 32-bit seed from ``parts`` (a base seed, then what the draw is for): the first 4 bytes, little-endian,
    of sha256 over the parts joined by ':'. evaluate/run.py's ``task_seed(seed, key)`` is
    ``derive_seed(seed, key)`` and tree/build.py's seeds are ``derive_seed(tree.seed, task_id, what, ...)``:
    the same formula both used before it was shared, so every seed (and every result) is unchanged. The
    functionality guard (train/tsp.py ``dev_rates``) samples with the run's seed itself, as it always did."""
    # never change this formula: results/, resumed runs and shared runs all depend on the seeds it gives
    return int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:4], "little")


# ------------------------------------------------------------------------------------------ sampling

MAX_NEW_TOKENS = 256
"""The one default token cap per sample (``Sampling``, ``SamplingConfig``, ``GenerateConfig``). Callers that
want another cap say so where they set it: ``sectree generate`` / ``sectree eval`` (``--max-new-tokens``, 384:
a whole function) and span parts (``eval.span_max_new_tokens``, 192: one statement or a few)."""


@dataclass(frozen=True)
class Sampling:
    """How samples are drawn: the one sampling config, embedded by trees (``tree.sampling``, which the
    functionality guard and self-play also sample with) and by evaluation (``eval.sampling``; its parts'
    GenerateConfig / SpanConfig copy it). One class, one default per field; an embedding that wants another
    default says so in its field (evaluation samples at temperature 0.8)."""

    temperature: float = 1.0
    """Softmax temperature for drawing (0 = greedy)."""
    top_p: float = 0.95
    """Nucleus sampling mass: draw from the smallest top set with probability >= top_p (after temperature)."""
    max_new_tokens: int = MAX_NEW_TOKENS
    """Token cap per sample (finish reason ``length``)."""

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise bad("temperature", self.temperature, "must be >= 0 (0 is greedy), e.g. 0.8")
        if not 0 < self.top_p <= 1:
            raise bad("top_p", self.top_p, "must be in (0, 1], e.g. 0.95")
        if self.max_new_tokens < 1:
            raise bad("max_new_tokens", self.max_new_tokens, f"must be >= 1, e.g. {MAX_NEW_TOKENS}")

    def call(self, n: int = 1, seed: int = 0, eos_ids: tuple[int, ...] | None = None) -> SamplingConfig:
        """The decode call's config: these settings, ``n`` samples per prompt, ``seed``, ``eos_ids``."""
        return SamplingConfig(n=n, temperature=self.temperature, top_p=self.top_p,
                              max_new_tokens=self.max_new_tokens, seed=seed, eos_ids=eos_ids)


SAMPLING_RENAMED = {"temperature": "sampling.temperature", "top_p": "sampling.top_p",
                    "max_new_tokens": "sampling.max_new_tokens"}
"""The flat sampling keys of older versions -> their place in an embedded ``sampling`` (TreeConfig, EvalSpec,
GenerateConfig, SpanConfig)."""


@dataclass(frozen=True)
class SamplingConfig:
    """One decode call: how tokens are drawn and when a sample ends (``Sampling.call`` builds it from a
    config's sampling settings; benchmarks and tests build it directly)."""

    n: int = 1
    """Samples per prompt."""
    temperature: float = 1.0
    """Softmax temperature for drawing; 0 means greedy (argmax)."""
    top_p: float = 1.0
    """Nucleus sampling: draw from the smallest top set with probability >= top_p (after temperature)."""
    max_new_tokens: int = MAX_NEW_TOKENS
    """Hard cap on sampled tokens per sample (finish reason ``length``)."""
    seed: int = 0
    """Seed of the counter-based RNG."""
    eos_ids: tuple[int, ...] | None = None
    """Tokens that end a sample; None means ``policy.eos_ids``, () never stops on a token (benchmarks)."""

    def __post_init__(self) -> None:
        # these usually come from a user's config or command line, hence SectreeError
        if self.n < 1:
            raise SectreeError(f"sampling: n must be at least 1, got {self.n}")
        if self.max_new_tokens < 1:
            raise SectreeError(f"sampling: max_new_tokens must be at least 1, got {self.max_new_tokens}")
        if not 0 < self.top_p <= 1:
            raise SectreeError(f"sampling: top_p must be in (0, 1], got {self.top_p}")
        if self.temperature < 0:
            raise SectreeError(f"sampling: temperature must be >= 0 (0 is greedy), got {self.temperature}")


# ------------------------------------------------------------------------------------------ one run


@dataclass
class TreeConfig:
    """How trees are grown (symbols as in the TSP paper where it has them)."""

    RENAMED: ClassVar[dict[str, str]] = SAMPLING_RENAMED
    """Keys of older versions -> where they are now (a one-line error names the new place)."""

    strategies: list[str] = field(default_factory=lambda: ["diff", "entropy"])
    """Risk-node strategies in priority order: diff, oracle, entropy."""
    max_nodes: int = 3
    """Cap on risk nodes per tree."""
    entropy_k: int = 2
    """Top-k entropy positions offered by the entropy strategy."""
    branches: int = 4
    """B: opponent continuations sampled at each risk node."""
    max_branches: int = 12
    """Adaptive branching: a node without a secure/vulnerable contrast is resampled up to this many branches."""
    leaf_budget: int = 24
    """Most sampled leaves per tree (bounds oracle calls)."""
    depth2: bool = False
    """Fork again inside sampled branches at their highest-entropy token."""
    depth2_branches: int = 2
    """Branches per depth-2 fork."""
    depth2_forks: int = 2
    """Most depth-2 forks per tree (vulnerable branches first)."""
    oracle_samples: int = 4
    """Samples drawn (and judged) per task for the oracle strategy."""
    sampling: Sampling = field(default_factory=Sampling)
    """How opponents sample branches (temperature 1.0, top_p 0.95, max_new_tokens 256 by default); the
    functionality guard and self-play sample with these too."""
    rewards: dict = field(default_factory=lambda: dict(REWARDS_DEFAULT))
    """Leaf reward per verdict status (e.g. broken -0.5 to punish breaking the code)."""
    template: str = "direct"
    """Prompt template of the policy opponent (and of the trees' prompts)."""
    leaf: LeafMode = LeafMode.SPAN
    """span: branches are decision spans (to the end of the statement, the golden body resumes); rest: to
    the end of the function."""
    opponents: list[Opponent] = field(default_factory=lambda: [Opponent.POLICY])
    """Who branches at each node: policy (θ_{t-1}), attacker (θ_{t-1} with the attacker prompt), reference
    (the task's unsafe hunk at its diff node; span leaves only). B leaves per node are shared: one per
    reference hunk first, the rest alternating policy, attacker."""
    seed: int = 0
    """Base seed of the trees' sampling (each draw: ``derive_seed(seed, task id, what)``)."""

    def __post_init__(self) -> None:
        # YAML gives names; the config holds closed Enums (an unknown name lists the choices)
        try:
            self.leaf = LeafMode(self.leaf)
        except ValueError:
            raise bad("leaf", self.leaf, f"must be one of {', '.join(m.value for m in LeafMode)}") from None
        try:
            self.opponents = [Opponent(o) for o in self.opponents]
        except ValueError:
            raise bad("opponents", self.opponents,
                      f"each must be one of {', '.join(o.value for o in Opponent)}") from None
        if not self.opponents or len(set(self.opponents)) != len(self.opponents):
            raise bad("opponents", [o.value for o in self.opponents], "list at least one opponent, each once")
        if Opponent.REFERENCE in self.opponents and self.leaf != LeafMode.SPAN:
            raise bad("opponents", [o.value for o in self.opponents],
                      "reference needs tree.leaf: span (the unsafe hunk is spliced as a span)")
        check_strategies(self.strategies)
        for name in ("max_nodes", "branches", "max_branches", "leaf_budget"):
            if getattr(self, name) < 1:
                raise bad(name, getattr(self, name), "must be >= 1")
        if self.max_branches < self.branches:
            raise bad("max_branches", self.max_branches, f"must be >= branches ({self.branches})")
        if set(self.rewards) != set(REWARDS_DEFAULT):
            raise bad("rewards", self.rewards, f"give a reward for each of {', '.join(sorted(REWARDS_DEFAULT))}")


@dataclass(frozen=True)
class TrainConfig:
    """One round of policy training (node-DPO by default). lr and epochs are the fit check's (issue #11.4): one
    round on the Python train split's trees fits its decisions (>= 90%); beta and the LoRA shape are untuned."""

    beta: float = 0.1
    """β: DPO inverse temperature; how strongly the policy may move away from π_ref."""
    alpha: float = 1.0
    """α: weight of the per-token NLL anchor on the chosen continuation (0 = plain DPO). Checked on train
    decisions only: against 4 (× w_function 0/0.5/1, lr 3e-4 × 3 epochs, validation split of the Python train
    tasks) 4 was never better (benchmarks/RESULTS.md, "NLL weight (alpha) × function-pair weight")."""
    loss: str = "node-dpo"
    """Objective, a name in sectree.train.losses.LOSSES (node-dpo, sequence-dpo, sft)."""
    lr: float = 1e-3
    """AdamW learning rate (constant). With ``epochs`` 3, one round on 26 Python train trees (all their 145 pairs)
    took those trees' decisions from 0.48 to 0.96 secure-preferred and 6 held-out train tasks' from 0.17 to 0.50
    (benchmarks/fit_bench.py; benchmarks/RESULTS.md, "Fit check"); 1e-4 × 3 did not fit (on 11 trees: 0.55 → 0.55). A run on
    only a few trees fits without generalising: the v2 experiments set their own (lr 3e-4), chosen on held-out
    train decisions at their size."""
    weight_decay: float = 0.0
    """AdamW weight decay."""
    epochs: int = 3
    """Passes over all trees (see ``lr``)."""
    trees_per_step: int = 2
    """Trees in one padded, packed forward/backward (the micro-batch)."""
    grad_accum: int = 1
    """Micro-batches per optimizer step (a step sees trees_per_step × grad_accum trees)."""
    max_grad_norm: float | None = 1.0
    """Clip the global gradient norm to this; None disables clipping."""
    lora: bool = True
    """Train a LoRA adapter (peft) instead of all weights."""
    lora_r: int = 16
    """LoRA rank r of a new adapter."""
    lora_alpha: float = 32.0
    """LoRA scaling numerator (the update is scaled by lora_alpha / r); not the NLL weight α."""
    lora_dropout: float = 0.05
    """Dropout on the LoRA branch's input."""
    target_modules: tuple[str, ...] = LLAMA_TARGETS
    """Module names that get LoRA layers (Llama/SmolLM2 attention and MLP projections)."""
    seed: int = 0
    """Seeds LoRA initialisation, dropout and tree order (the caller's global RNG is left untouched)."""
    packed: bool = True
    """Score all of a tree's continuations in one packed forward; False = one forward per sequence."""
    dtype: str = "float32"
    """Training dtype (float32, bfloat16, float16, float64); the policy's model is cast to it."""
    w_security: float = 1.0
    """w_sec: loss weight of a security pair (the rejected leaf is vulnerable)."""
    w_function: float = 0.5
    """w_fun: loss weight of a function pair (the rejected leaf is broken); below w_sec because broken leaves
    far outnumber vulnerable ones and teach only 'do not break the code' (docs/losses.md). Checked on train
    decisions only (validation split of the Python train tasks, benchmarks/RESULTS.md, "NLL weight (alpha) ×
    function-pair weight"): 1 was worse and 0 better, each by one task in one of two draws (within noise, so
    0.5 stays; 0 is the candidate to re-check on a larger validation set)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "target_modules", tuple(self.target_modules))
        checks = [
            ("beta", self.beta > 0, "must be > 0 (β is the DPO inverse temperature, e.g. 0.1)"),
            ("alpha", self.alpha >= 0, "must be >= 0 (0 disables the NLL anchor)"),
            ("loss", self.loss in LOSS_NAMES, f"must be one of {', '.join(LOSS_NAMES)}"),
            ("lr", self.lr > 0, "must be > 0, e.g. 1e-3"),
            ("weight_decay", self.weight_decay >= 0, "must be >= 0"),
            ("epochs", self.epochs >= 1, "must be >= 1"),
            ("trees_per_step", self.trees_per_step >= 1, "must be >= 1"),
            ("grad_accum", self.grad_accum >= 1, "must be >= 1"),
            ("max_grad_norm", self.max_grad_norm is None or self.max_grad_norm > 0, "must be > 0, or None to disable"),
            ("lora_r", self.lora_r >= 1, "must be >= 1"),
            ("lora_alpha", self.lora_alpha > 0, "must be > 0"),
            ("lora_dropout", 0 <= self.lora_dropout < 1, "must be in [0, 1)"),
            ("target_modules", len(self.target_modules) > 0, "must name at least one module"),
            ("dtype", self.dtype in DTYPE_NAMES, f"must be one of {', '.join(DTYPE_NAMES)}"),
            ("w_security", self.w_security >= 0, "must be >= 0 (loss weight of security pairs, e.g. 1.0)"),
            ("w_function", self.w_function >= 0, "must be >= 0 (loss weight of function pairs, e.g. 0.5)"),
        ]
        for name, ok, fix in checks:
            if not ok:
                raise bad(name, getattr(self, name), fix)

    @property
    def torch_dtype(self):
        """The ``torch.dtype`` of ``dtype``."""
        import torch  # lazy(heavy): configs load without torch (a bad config fails before seconds of imports)

        return getattr(torch, self.dtype)


@dataclass
class GuardConfig:
    """Functionality guard: sample held-out train tasks each round and watch the broken rate."""

    dev_tasks: int = 2
    """Train-split tasks held out from pair building (chosen with the seed)."""
    samples: int = 4
    """Samples per dev task per round."""
    max_broken_increase: float = 0.25
    """Roll back a round whose dev broken rate exceeds the round-0 rate by more than this (absolute)."""
    action: str = "rollback"
    """'rollback' (keep θ_{t-1} and continue), 'stop' (end training) or 'record' (only log)."""

    def __post_init__(self) -> None:
        if self.action not in ("rollback", "stop", "record"):
            raise bad("action", self.action, "must be rollback, stop or record")


@dataclass
class RunConfig:
    """One training run (``sectree train``). YAML presets set only what differs; CLI flags override."""

    RENAMED: ClassVar[dict[str, str]] = {"train": "update"}
    """Keys of older versions -> where they are now (``train:`` nested in an experiment's ``train:``)."""

    method: str = "tsp"
    """tsp (ours: oracle-labelled tree pairs), tsp-paper (golden vs every branch), selfplay, sft, contrast
    (the SVEN/SafeCoder-style ablation: the same trees and pair rule as tsp, but the only opponent is the task's
    unsafe reference hunk, no sampled branch: tree.opponents is forced to [reference] and tree.strategies to
    [diff], the only nodes a reference hunk hangs at; what tsp adds over it is what self-play adds)."""
    model: str = "smollm2-135m"
    """Model spec of θ_0."""
    init: str | None = None
    """'sft' = warm start from an SFT run trained first in <out>/sft-init; or a model spec; None = model."""
    suite: str | list[str] = "builtin"
    """Task suite spec, or a list of specs whose tasks train together (e.g. [builtin:python,
    safecoder:../shared/data/safecoder/train/sec-new-desc.jsonl]); ``pairs/suite/<suite>`` counts pairs by the
    tasks' suite (``Task.suite``: builtin:python, safecoder:<path>, ...)."""
    suite_tasks: dict = field(default_factory=dict)
    """Suite spec (one of ``suite``) -> use at most this many of its tasks (after the split and language
    filters): a fixed draw (seed 0, whatever the run's seed), so every method and seed of an experiment trains
    on the same subset, e.g. {safecoder:../shared/data/safecoder/train/sec-new-desc.jsonl: 40}."""
    split: str = "train"
    """The split the run trains on (its dev tasks are held out of it)."""
    language: str | list[str] | None = None
    """Only tasks in this language, or in these languages (e.g. python; [c, cpp] for the transfer experiment)."""
    max_tasks: int | None = None
    """Use at most this many train tasks (after holding out dev tasks), chosen with the seed."""
    rounds: int = 2
    """T: self-play rounds."""
    keep_pairs: bool = False
    """Train round t on P_t ∪ P_<t instead of P_t only."""
    selfplay_samples: int | None = None
    """Whole samples per task for selfplay; default tree.leaf_budget (same oracle budget as TSP)."""
    selfplay_pairs: str = "oracle"
    """selfplay pairs: 'oracle' (secure sample vs vulnerable sample) or 'spin' (golden vs each sample)."""
    sft_epochs: int = 3
    """Epochs of the SFT baseline / warm start."""
    tree: TreeConfig = field(default_factory=TreeConfig)
    """How trees grow, and how every sample of the run is drawn (``tree.sampling``: trees, guard, self-play)."""
    update: TrainConfig = field(default_factory=TrainConfig)
    """The policy update of every round (node-DPO, LoRA, optimiser); ``train:`` before it was renamed."""
    guard: GuardConfig = field(default_factory=GuardConfig)
    """The functionality guard on held-out dev tasks."""
    workers: int | None = None
    """Oracle sandboxes (default: cores)."""
    no_sandbox: bool = False
    """UNSAFE: judge without bubblewrap."""
    seed: int = 0
    """Which train and dev tasks (and the guard's sampling seed); the experiment sets it with tree.seed and
    update.seed."""

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise bad("method", self.method, f"method must be one of {', '.join(METHODS)}")
        if self.rounds < 1:
            raise bad("rounds", self.rounds, "must be >= 1")
        if self.selfplay_pairs not in ("oracle", "spin"):
            raise bad("selfplay_pairs", self.selfplay_pairs, "must be oracle or spin")
        if isinstance(self.suite, list) and (not self.suite or len(set(self.suite)) != len(self.suite)):
            raise bad("suite", self.suite, "need one spec or a list of distinct specs")
        for spec, k in self.suite_tasks.items():
            if spec not in self.suites:
                raise bad(f"suite_tasks.{spec}", k, f"not one of suite ({', '.join(self.suites)})")
            if not isinstance(k, int) or isinstance(k, bool) or k < 1:
                raise bad(f"suite_tasks.{spec}", k, "need a task count >= 1")
        if self.method == "contrast":  # the method is defined by its opponent: override what a shared config set
            if isinstance(self.tree, TreeConfig):
                self.tree.opponents, self.tree.strategies = [Opponent.REFERENCE], ["diff"]
                self.tree.leaf = LeafMode.SPAN  # reference hunks are spliced as spans

    @property
    def suites(self) -> list[str]:
        return self.suite if isinstance(self.suite, list) else [self.suite]


# ------------------------------------------------------------------------------------------ evaluation


@dataclass
class GenerateConfig:
    """What to sample; recorded in every sample so that results name their settings (``settings()``: flat, as
    before ``sampling`` was embedded)."""

    RENAMED: ClassVar[dict[str, str]] = SAMPLING_RENAMED
    """Keys of older versions -> where they are now (a mapping built with ``config.build`` fails naming them)."""

    model: str = "smollm2-135m"
    """Model spec (smollm2-135m, tiny-random, hf:<path>[+lora:<adapter>])."""
    suite: str = "builtin:python"
    """Task suite spec."""
    split: str | None = None
    """Only tasks of this split (train/test)."""
    cwes: list[int] = field(default_factory=list)
    """Only tasks with one of these CWEs."""
    language: str | None = None
    """Only tasks in this language."""
    mode: str = "full"
    """full: the model writes the function; completion: it continues the golden code before the decision."""
    template: str = "direct"
    """Prompt template (direct, security-reminder)."""
    n: int = 5
    """Samples per task."""
    sampling: Sampling = field(default_factory=lambda: Sampling(temperature=0.8))
    """How samples are drawn: temperature 0.8, top_p 0.95, max_new_tokens 256 by default (``sectree generate`` /
    ``eval`` pass 384 tokens explicitly: a whole function; an experiment copies ``eval.sampling``)."""
    seed: int = 0
    """Base seed; each group of tasks samples with task_seed(seed, the group's task ids)."""
    batch_tasks: int = 8
    """Tasks sampled together in one batch (n rows each); on a CPU a wide batch is far faster per token."""

    def __post_init__(self) -> None:
        if self.mode not in PROMPT_MODES:
            raise SectreeError(f"--mode must be one of {PROMPT_MODES}, got {self.mode!r}")
        if self.n < 1 or self.batch_tasks < 1:
            raise SectreeError(f"--n and batch_tasks must be >= 1, got {self.n} and {self.batch_tasks}")

    def settings(self) -> dict:
        """The fields that must match for samples to belong to the same run (resume check)."""
        return flat_settings(self)


def flat_settings(cfg) -> dict:
    """``asdict(cfg)`` with its ``sampling`` section spliced in flat where the field sits (temperature, top_p,
    max_new_tokens): the shape and key order every samples file and spec.json recorded before GenerateConfig and
    SpanConfig embedded ``Sampling``, which resume and ``share:`` compare (and which keeps rewritten records
    byte-identical)."""
    out: dict = {}
    for k, v in asdict(cfg).items():
        if k == "sampling":
            out.update(v)
        else:
            out[k] = v
    return out


@dataclass(frozen=True)
class DecisionEval:
    """The model, tasks and prompt of a per-decision evaluation: the fields SpanConfig and ChoiceConfig share. A
    subclass's own fields follow these (and ChoiceConfig's own ``suite`` default keeps its place), so ``asdict``
    gives the key order both classes had before they shared them: recorded in every span sample and choice
    results.json, compared as mappings on resume, and kept so rewritten records stay byte-identical.
    GenerateConfig repeats these fields rather than sharing them: its ``mode`` sits between ``language`` and
    ``template`` in every samples file it recorded, and it is not frozen."""

    model: str = "smollm2-135m"
    """Model spec (smollm2-135m, tiny-random, hf:<path>, any of them +lora:<adapter>)."""
    suite: str = "builtin:python"
    """Task suite spec (builtin, builtin:<lang>, dir:<path>, cweval:<path>)."""
    split: str | None = None
    """Only tasks of this split (train/test)."""
    cwes: list[int] = field(default_factory=list)
    """Only tasks with one of these CWEs."""
    language: str | None = None
    """Only tasks in this language."""
    template: str = "direct"
    """Prompt template, rendered as completion mode renders it."""


@dataclass(frozen=True)
class SpanConfig(DecisionEval):
    """What to sample; recorded in every sample (``settings()``: flat, as before ``sampling`` was embedded)."""

    RENAMED: ClassVar[dict[str, str]] = SAMPLING_RENAMED
    """Keys of older versions -> where they are now."""

    n: int = 5
    """Samples per decision."""
    sampling: Sampling = field(default_factory=lambda: Sampling(temperature=0.8, max_new_tokens=192))
    """How spans are drawn: temperature 0.8, top_p 0.95 and 192 tokens per span by default (a span is one or a
    few statements; the secure hunks of the built-in tasks are at most ~150 tokens)."""
    seed: int = 0
    """Base seed; each group of decisions samples with task_seed(seed, the group's keys)."""
    batch_decisions: int = 8
    """Decisions sampled together in one batch (n rows each)."""

    def __post_init__(self) -> None:
        if self.n < 1 or self.batch_decisions < 1:
            raise SectreeError(f"--n and batch_decisions must be >= 1, got {self.n} and {self.batch_decisions}")

    def settings(self) -> dict:
        return {**flat_settings(self), "mode": SPAN_MODE}


@dataclass(frozen=True)
class ChoiceConfig(DecisionEval):
    """What to score."""

    suite: str = "builtin"
    """Task suite spec (builtin, builtin:<lang>, dir:<path>, cweval:<path>); every language by default."""
    max_batch_tokens: int = 8192
    """Padded context tokens per forward (policy.scoring.score_many)."""
    seed: int = 0
    """Bootstrap seed."""
    resamples: int = RESAMPLES
    """Bootstrap resamples."""

    def __post_init__(self) -> None:
        if self.max_batch_tokens < 1 or self.resamples < 1:
            raise SectreeError("choice: max_batch_tokens and resamples must be >= 1")


@dataclass
class EvalSpec:
    """What every trained model is evaluated on (one ``GenerateConfig`` per mode and language)."""

    RENAMED: ClassVar[dict[str, str]] = SAMPLING_RENAMED
    """Keys of older versions -> where they are now."""

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
    sampling: Sampling = field(default_factory=lambda: Sampling(temperature=0.8))
    """How every part samples (temperature 0.8, top_p 0.95, max_new_tokens 256 by default); span parts cap
    their tokens with span_max_new_tokens instead."""
    template: str = "direct"
    """Prompt template (direct, security-reminder)."""
    cwes: list[int] | str = field(default_factory=list)
    """Only tasks with one of these CWEs; 'unseen' = CWEs of the eval tasks that no train-split task of the
    training suite (run.suite / run.language) has."""
    findings: str = "record"
    """Oracle finding policy: record or veto."""
    batch_tasks: int = 8
    """Tasks sampled together in one batch (n rows each; GenerateConfig.batch_tasks)."""

    def __post_init__(self) -> None:
        if self.batch_tasks < 1:
            raise bad("batch_tasks", self.batch_tasks, "must be >= 1")
        if not self.modes or len(set(self.modes)) != len(self.modes) or set(self.modes) - set(EVAL_MODES):
            raise bad("modes", self.modes, f"need distinct modes out of {', '.join(EVAL_MODES)}")
        if not set(self.modes) & set(GEN_MODES):  # the report's tables come from judged samples
            raise bad("modes", self.modes, f"need at least one of {', '.join(GEN_MODES)} besides choice "
                      "(choice alone: `sectree eval --mode choice`)")
        if self.span_n < 1 or self.span_max_new_tokens < 1:
            raise bad("span_n" if self.span_n < 1 else "span_max_new_tokens",
                      self.span_n if self.span_n < 1 else self.span_max_new_tokens, "must be >= 1")
        if self.gen_cwes is not None and self.gen_cwes < 1:
            raise bad("gen_cwes", self.gen_cwes, "must be >= 1 or null")
        if isinstance(self.cwes, str) and self.cwes != "unseen":
            raise bad("cwes", self.cwes, "a list of CWE ids or 'unseen'")
        if isinstance(self.language, list) and (not self.language or len(set(self.language)) != len(self.language)):
            raise bad("language", self.language, "need distinct languages")
        if self.n < 1:
            raise bad("n", self.n, "must be >= 1")
        if self.findings not in ("record", "veto"):
            raise bad("findings", self.findings, "must be record or veto")

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
        unknown = [a for a in self.analyses if a not in ANALYSES]
        if unknown:
            raise bad("analyses", unknown[0], f"unknown (known: {', '.join(ANALYSES)})")
        if self.trees < 0:
            raise bad("trees", self.trees, "must be >= 0")
