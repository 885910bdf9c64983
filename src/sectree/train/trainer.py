"""The policy update: DPO-style training on tree pairs (``train_pairs``) and the SFT baseline (``train_sft``).

One round, top to bottom (``_train``)::

    cast the model to config.dtype
    reference log-probs, once, with the current weights    (π_ref = the previous iterate = the policy now)
    attach LoRA (or unfreeze an adapter from an earlier round, or unfreeze everything when lora=False)
    for each epoch: shuffle trees; micro-batches of trees_per_step trees, one packed forward each;
        an AdamW step every grad_accum micro-batches, gradients clipped to max_grad_norm
    model back to eval mode; policy.model is the trained model

Because the reference is the policy at the start of the round, its log-probs are computed before the first
update and cached: no second model copy, no reference forward per step.

Across processes (``accelerate launch``, docs/scale.md): each optimizer step's micro-batches are dealt out to
the ranks, each rank backpropagates its share of the step's loss, and the gradients are summed over the ranks
(``_DataParallel``) before clipping and the AdamW step, so every rank applies the update one process would
for the same global batch (tests/test_scale.py: within 1e-5 with 2 CPU processes). Launched with an FSDP config,
the model is sharded instead (``_Sharded``, train/sharding.py): the same dealing of micro-batches, FSDP sums the
gradients in backward, each rank updates its shards; afterwards ``policy.model`` is an ordinary model again.

LoRA across rounds. A policy loaded with a ``+lora:`` adapter (an earlier round's checkpoint) keeps training
**that** adapter: the cumulative update stays a LoRA adapter on the unchanged base, so ``Policy.save`` writes
only the adapter and returns ``<base spec>+lora:<folder>``, which ``load_policy`` reloads. (The alternative,
merging and attaching a fresh adapter, would make every checkpoint after round 1 a full model.) The rank of a
continued adapter is the adapter's own; a different ``lora_r`` etc. in the config is ignored, with a warning.
With ``lora=False`` an existing adapter is merged first and all weights are trained; the policy then saves
as a full model folder (``hf:<folder>``).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

import torch
import torch.distributed as dist

from sectree.errors import SectreeError
from sectree.policy.model import Policy, load_policy, quiet_peft
from sectree.settings import DTYPE_NAMES, LLAMA_TARGETS, TrainConfig  # noqa: F401  (re-exported)
from sectree.train.losses import LOSSES, Loss, PairLogps, get_loss
from sectree.train.packing import (
    PairLike,
    Target,
    count_tokens,
    packed_logps_batch,
    per_pair_logps_batch,
)
from sectree.train.sharding import fsdp_settings, full_trainable, shard

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16, "float64": torch.float64}
assert tuple(DTYPES) == DTYPE_NAMES, "sectree.settings.DTYPE_NAMES must list DTYPES (TrainConfig.dtype checks it)"

Unit = tuple[list[int], list[PairLike]]
"""One tree's training data: (prompt_ids, its pairs)."""
Progress = Callable[[int, int, dict[str, float]], None]
"""progress(step, total_steps, metrics of that optimizer step)."""


# --------------------------------------------------------------------------------------------------
# public entry points


def train_pairs(
    policy: Policy,
    trees_and_pairs: Sequence[tuple[Sequence[int], Sequence[PairLike]]],
    config: TrainConfig,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train ``policy`` in place on preference pairs, one ``(tree.prompt_ids, tree pairs)`` entry per tree.

    The reference π_ref is the policy as passed in. Returns stats: the per-step curves under ``loss/…`` (lists,
    one value per optimizer step) and ``train/…`` totals (see docs/losses.md, "Logged metrics").
    """
    loss = get_loss(config.loss)
    units = [(list(prompt), loss.prepare(pairs)) for prompt, pairs in trees_and_pairs if pairs]
    if not units:
        raise SectreeError("train_pairs: no preference pairs to train on (every tree's pair list is empty)")
    return _train(policy, units, loss, config, progress)


def train_sft(
    policy: Policy,
    examples: Sequence[tuple[Sequence[int], Sequence[int]]],
    config: TrainConfig,
    progress: Progress | None = None,
    *,
    epochs: int | None = None,
) -> dict[str, Any]:
    """Supervised baseline: minimise the mean token NLL of each ``target_ids`` after its ``prompt_ids``.

    Uses the ``sft`` loss whatever ``config.loss`` says (β, α unused); optimiser, LoRA etc. as in train_pairs.
    ``epochs``, when given, overrides ``config.epochs`` (the SFT baseline usually runs more passes).
    """
    units = [(list(prompt), [Target(list(target))]) for prompt, target in examples if target]
    if not units:
        raise SectreeError("train_sft: no examples with a non-empty target")
    if epochs is not None:
        config = replace(config, epochs=epochs)  # re-validated by __post_init__
    return _train(policy, units, LOSSES["sft"], config, progress)


# --------------------------------------------------------------------------------------------------
# the round


_LEADING: ContextVar[Callable[[str, list[Unit], Loss, TrainConfig], None] | None] = ContextVar("leading", default=None)
"""Set by ``leading``: this process is rank 0 of a launch that runs the whole loop (train/distributed.py --loop)."""


@contextmanager
def leading(send: Callable[[str, list[Unit], Loss, TrainConfig], None]) -> Iterator[None]:
    """While active, every round's training in this process first calls ``send(policy spec, units, loss,
    config)``, so the other ranks (waiting in ``distributed.follow``) load the same policy and join the same
    ``_train``. The loop (train/tsp.py) stays unaware of the other ranks."""
    token = _LEADING.set(send)
    try:
        yield
    finally:
        _LEADING.reset(token)


def _train(policy: Policy, units: list[Unit], loss: Loss, config: TrainConfig, progress: Progress | None) -> dict:
    send = _LEADING.get()
    if send is not None:  # the other ranks train these units with us (they load the same θ_{t-1} spec)
        send(policy.spec, units, loss, config)
    logps_fn = packed_logps_batch if config.packed else per_pair_logps_batch
    with _seeded(config.seed, policy.device):
        policy.model.to(config.torch_dtype)

        # reference log-probs, once, with the weights of the previous iterate
        t0 = time.perf_counter()
        refs = _reference_logps(policy, units, config, logps_fn) if loss.needs_reference else None
        ref_wall = time.perf_counter() - t0

        # trainable parameters and optimiser
        model = _prepare_trainable(policy, config)
        params = [p for p in model.parameters() if p.requires_grad]
        dp = _DataParallel.from_env(params, model, logps_fn, policy.pad_id)  # None in one process
        if dp is not None:
            params = dp.params  # under FSDP: this rank's shards (DTensors) of the trainable parameters
        optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)

        # policy update: an optimizer step per group of grad_accum micro-batches of trees_per_step trees
        steps = _schedule(len(units), config)
        step_fn = _StepRunner(model, units, refs, loss, config, logps_fn, policy.pad_id, dp)
        curves: dict[str, list[float]] = {}
        model.train()
        t0 = time.perf_counter()
        for n, group in enumerate(steps, 1):
            metrics = step_fn(group)
            if dp is not None:
                dp.sum_gradients()
            if config.max_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            for k, v in metrics.items():
                curves.setdefault(k, []).append(v)
            if progress is not None:
                progress(n, len(steps), metrics)
        wall = time.perf_counter() - t0
        model.eval()
        if dp is not None:
            dp.finish(policy, config)  # under FSDP: policy.model becomes an ordinary (unsharded) trained model

    return {
        **curves,
        "train/steps": len(steps),
        "train/trees": len(units),
        "train/pairs": sum(len(p) for _, p in units),
        "train/epochs": config.epochs,
        "train/trainable_params": sum(p.numel() for p in params),
        "train/pair_tokens": step_fn.pair_tokens,
        "train/forward_tokens": step_fn.forward_tokens,
        "train/tokens_per_s": step_fn.pair_tokens / wall if wall > 0 else 0.0,
        "train/wall_s": wall,
        "train/ref_wall_s": ref_wall,
    }


def _schedule(n_units: int, config: TrainConfig) -> list[list[list[int]]]:
    """Optimizer steps -> micro-batches -> tree indices, over all epochs; tree order reshuffled every epoch."""
    rng = torch.Generator().manual_seed(config.seed)
    steps: list[list[list[int]]] = []
    for _ in range(config.epochs):
        order = torch.randperm(n_units, generator=rng).tolist()
        micro = [order[i : i + config.trees_per_step] for i in range(0, n_units, config.trees_per_step)]
        steps += [micro[i : i + config.grad_accum] for i in range(0, len(micro), config.grad_accum)]
    return steps


class _StepRunner:
    """Forward/backward of one optimizer step's micro-batches; counts the tokens it processed."""

    def __init__(self, model, units: list[Unit], refs, loss: Loss, config: TrainConfig, logps_fn, pad_id: int,
                 dp: "_DataParallel | None" = None):
        self.model, self.units, self.refs, self.loss, self.config = model, units, refs, loss, config
        self.logps_fn, self.pad_id, self.dp = logps_fn, pad_id, dp
        self.pair_tokens = self.forward_tokens = 0

    def __call__(self, group: list[list[int]]) -> dict[str, float]:
        parts: list[dict[str, float]] = []
        mine = group if self.dp is None else group[self.dp.rank :: self.dp.world]  # this rank's micro-batches
        # under FSDP every forward/backward is a collective: a rank with one micro-batch fewer than the others
        # runs the step's first one again with weight 0 (no gradient, no metrics) to keep the ranks in step
        turns = len(mine) if self.dp is None or not self.dp.lockstep else -(-len(group) // self.dp.world)
        for k in range(turns):
            idx = mine[k] if k < len(mine) else group[0]
            batch = [self.units[i] for i in idx]
            out = self.loss(self._logps(batch, idx), beta=self.config.beta, alpha=self.config.alpha)
            if k < len(mine):
                (out.loss / len(group)).backward()  # the step's loss is the mean over its micro-batches
                parts.append(out.metrics)
            else:
                (out.loss * 0.0).backward()
        for idx in group:  # tokens of the whole step (all ranks together), as one process counts them
            separate, packed = _tokens([self.units[i] for i in idx])
            self.pair_tokens += separate
            self.forward_tokens += packed if self.config.packed else separate
        if self.dp is not None:
            return self.dp.mean_metrics(parts, len(group))
        return {k: sum(p[k] for p in parts) / len(parts) for k in parts[0]}

    def _logps(self, batch: list[Unit], idx: list[int]) -> PairLogps:
        if self.dp is not None and self.dp.root is not None:  # FSDP: the sharded root's forward scores the batch
            chosen, rejected, ntokens = self.dp.root(batch)  # (P,) each
        else:
            chosen, rejected, ntokens = self.logps_fn(self.model, batch, self.pad_id)  # (P,) each
        weights = torch.tensor([pair_weight(p, self.config) for _, pairs in batch for p in pairs],
                               dtype=chosen.dtype, device=chosen.device)  # (P,)
        if self.refs is None:
            return PairLogps(chosen, rejected, ntokens, weights=weights)
        ref_chosen = torch.cat([self.refs[i][0] for i in idx])  # (P,) log π_ref(y_w | x, p)
        ref_rejected = torch.cat([self.refs[i][1] for i in idx])  # (P,) log π_ref(y_l | x, p)
        return PairLogps(chosen, rejected, ntokens, ref_chosen, ref_rejected, weights)


def pair_weight(pair: PairLike, config: TrainConfig) -> float:
    """w_k of a pair's kind: ``w_function`` for a function pair, ``w_security`` otherwise (also for pairs
    without a kind, e.g. SFT targets, whose loss ignores weights)."""
    kind = getattr(pair, "kind", None)
    return config.w_function if kind is not None and getattr(kind, "value", kind) == "function" else config.w_security


class _DataParallel:
    """Data parallelism over the processes ``accelerate launch`` started: gradients summed over the ranks.

    Not a DDP wrapper: the packed forward calls the decoder and the LM head separately (packing.batch_logps),
    past a wrapper's ``forward``, so the gradient all-reduce DDP would do in its backward hooks is done here,
    once per optimizer step. Each rank's loss is already divided by the step's micro-batch count, so the sum over
    ranks is the one-process gradient. accelerate sets up the process group (gloo on CPU, NCCL on GPUs).
    """

    lockstep = False
    """Must every rank run as many forwards/backwards per step as the others? (FSDP: they are collectives.)"""
    root: Any = None
    """The module whose forward scores a batch, when the model is wrapped (FSDP); None: call logps_fn."""

    def __init__(self, params: list[torch.nn.Parameter], rank: int, world: int):
        self.params, self.rank, self.world = params, rank, world
        self.dist = dist
        for p in params:  # LoRA init is seeded alike on every rank; rank 0's copy makes that certain
            dist.broadcast(p.data, src=0)

    @classmethod
    def from_env(cls, params: list[torch.nn.Parameter], model: Any = None, logps_fn: Any = None,
                 pad_id: int = 0) -> "_DataParallel | None":
        """None in one process; ``_Sharded`` when ``accelerate launch`` asked for FSDP; else data parallel."""
        if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
            return None
        state = launch_state()
        if os.environ.get("ACCELERATE_USE_FSDP") == "true":
            return _Sharded(params, state.process_index, state.num_processes, model, logps_fn, pad_id,
                            fsdp_settings())
        return cls(params, state.process_index, state.num_processes)

    def finish(self, policy: Policy, config: TrainConfig) -> None:
        """After the last step: nothing to undo for data parallelism (every rank holds the whole model)."""

    def sum_gradients(self) -> None:
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        flat = torch.cat([g.reshape(-1) for g in grads])  # one all-reduce for every trainable tensor
        self.dist.all_reduce(flat, op=self.dist.ReduceOp.SUM)
        for p, g in zip(self.params, flat.split([q.numel() for q in self.params])):
            p.grad = g.view_as(p).clone()

    def mean_metrics(self, parts: list[dict[str, float]], n: int) -> dict[str, float]:
        """The step's metrics averaged over all ``n`` micro-batches of every rank (the one-process values)."""
        keys = sorted({k for p in parts for k in p})
        names: list[list[str]] = [None] * self.world  # type: ignore[list-item]
        self.dist.all_gather_object(names, keys)
        keys = sorted({k for ks in names for k in ks})
        sums = torch.tensor([sum(p.get(k, 0.0) for p in parts) for k in keys], dtype=torch.float64)
        self.dist.all_reduce(sums, op=self.dist.ReduceOp.SUM)
        return {k: v / n for k, v in zip(keys, sums.tolist())}


class _Sharded(_DataParallel):
    """FSDP2 over the ranks (train/sharding.py): each rank keeps a shard of every parameter; FSDP gathers a
    block's weights for its forward and backward and reduce-scatters (sums) the gradients in backward.

    The steps are dealt out as in ``_DataParallel``; the model is sharded after LoRA is attached and after the
    reference log-probs (every rank computes them, whole, as in one process). ``finish`` gathers the trained
    weights and puts an ordinary model back in ``policy.model`` (saving, generation and the next round need one).
    """

    lockstep = True

    def __init__(self, params: list[torch.nn.Parameter], rank: int, world: int, model: Any, logps_fn: Any,
                 pad_id: int, settings: Any):
        super().__init__(params, rank, world)  # rank 0's initial weights everywhere, before sharding
        self.root = shard(model, lambda m, batch: logps_fn(m, batch, pad_id), settings)
        self.params = [p for p in self.root.parameters() if p.requires_grad]  # (this rank's shards)

    def sum_gradients(self) -> None:
        """Nothing to do: FSDP summed them (reduce-scatter, divide factor 1) during backward."""

    def finish(self, policy: Policy, config: TrainConfig) -> None:
        """Gather the trained parameters whole, then give ``policy`` an unsharded model with them: a fresh load
        of its spec with the trainable part prepared as for training (the frozen weights did not change).
        Reloading uses only public APIs; FSDP2 has none to unshard a module for good."""
        trained = full_trainable(self.root)  # a collective: every rank, in the same order
        self.root = None
        fresh = load_policy(policy.spec, device=str(policy.device))
        fresh.model.to(config.torch_dtype)
        with warnings.catch_warnings():  # a continued adapter's ignored fields were already warned about
            warnings.simplefilter("ignore")
            model = _prepare_trainable(fresh, config)
        with torch.no_grad():
            named = dict(model.named_parameters())
            for name, value in trained.items():
                named[name].copy_(value)
        policy.model = model.eval()


def launch_state():
    """accelerate's PartialState of this rank (joins the process group ``accelerate launch`` describes in the
    environment); refuses DeepSpeed and FSDP settings the trainer cannot honour first, before any rank waits
    for the others."""
    if os.environ.get("ACCELERATE_USE_DEEPSPEED") == "true":
        raise SectreeError("accelerate launch with DeepSpeed: the trainer supports data parallelism and FSDP only "
                           "(configs/accelerate/ddp-*.yaml, fsdp-*.yaml; docs/scale.md)")
    if os.environ.get("ACCELERATE_USE_FSDP") == "true":
        fsdp_settings()  # refuses, with one line, what the trainer cannot honour
    try:
        from accelerate import PartialState  # lazy(optional): the scale extra, only multi-process runs need it
    except ImportError:
        raise SectreeError("training across processes needs accelerate: pip install 'sectree[scale]'") from None
    state = PartialState(cpu=use_cpu())
    if state.distributed_type.value not in ("MULTI_CPU", "MULTI_GPU"):
        raise SectreeError(f"accelerate distributed_type {state.distributed_type.value}: the trainer supports "
                           "data parallelism only (configs/accelerate/ddp-*.yaml; docs/scale.md)")
    return state


def use_cpu() -> bool:
    """Data parallelism on CPU processes (gloo): no GPU here, or ACCELERATE_USE_CPU set. accelerate's own
    MULTI_CPU launch needs mpirun, so CPU runs are launched like GPU ones (torchrun) and told here."""
    flag = os.environ.get("ACCELERATE_USE_CPU", "").lower() in ("1", "true", "yes")
    return flag or not torch.cuda.is_available()


@contextmanager
def _seeded(seed: int, device: torch.device) -> Iterator[None]:
    """Seed torch for the round without disturbing the caller's RNG streams."""
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _reference_logps(policy: Policy, units: list[Unit], config: TrainConfig, logps_fn) -> list[tuple]:
    """Per tree: (log π_ref(y_w|x,p) (P,), log π_ref(y_l|x,p) (P,)), computed in eval mode without gradients."""
    policy.model.eval()
    refs: list[tuple] = []
    with torch.no_grad():
        for i in range(0, len(units), config.trees_per_step):
            batch = units[i : i + config.trees_per_step]
            chosen, rejected, _ = logps_fn(policy.model, batch, policy.pad_id)  # (P,), (P,)
            for _, pairs in batch:
                n = len(pairs)
                refs.append((chosen[:n].detach(), rejected[:n].detach()))
                chosen, rejected = chosen[n:], rejected[n:]
    return refs


def _tokens(batch: list[Unit]) -> tuple[int, int]:
    """(tokens of the pairs as separate sequences, tokens of the packed trees)."""
    counts = [count_tokens(prompt, pairs) for prompt, pairs in batch]
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


# --------------------------------------------------------------------------------------------------
# trainable parameters: LoRA or full


def _prepare_trainable(policy: Policy, config: TrainConfig) -> Any:
    """Make the policy's model trainable as configured; ``policy.model`` is replaced when wrapped or merged."""
    if config.lora and policy.is_lora:
        _continue_adapter(policy.model, config)
    elif config.lora:
        policy.model = _new_adapter(policy.model, config)
    else:
        if policy.is_lora:
            policy.model = policy.model.merge_and_unload()
        policy.model.requires_grad_(True)
    return policy.model


def _new_adapter(model: Any, config: TrainConfig) -> Any:
    from peft import LoraConfig, get_peft_model  # lazy(heavy): peft costs seconds; the experiment layer imports this

    lora = LoraConfig(
        task_type="CAUSAL_LM",
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(config.target_modules),
    )
    try:
        with quiet_peft():
            return get_peft_model(model, lora)
    except ValueError as exc:  # e.g. no module matches target_modules
        raise SectreeError(f"TrainConfig.target_modules={config.target_modules!r}: {exc}") from exc


def _continue_adapter(model: Any, config: TrainConfig) -> None:
    """Unfreeze the active adapter loaded from an earlier round (``PeftModel.from_pretrained`` freezes it)."""
    name = model.active_adapter
    existing = model.peft_config[name]
    ignored = [f"{f}={getattr(config, f)!r} (adapter has {getattr(existing, key)!r})"
               for f, key in (("lora_r", "r"), ("lora_alpha", "lora_alpha"), ("lora_dropout", "lora_dropout"))
               if getattr(existing, key) != getattr(config, f)]
    if ignored:
        warnings.warn("continuing the policy's LoRA adapter; ignoring TrainConfig " + ", ".join(ignored), stacklevel=3)
    existing.inference_mode = False
    for pname, p in model.named_parameters():
        p.requires_grad_(f".{name}." in pname and "lora_" in pname)
    if not any(p.requires_grad for p in model.parameters()):
        raise SectreeError(f"the policy's LoRA adapter {name!r} has no trainable parameters")

