"""FSDP for the trainer: what ``accelerate launch`` with an FSDP config asks for, and torch's ``fully_shard`` applied.

The trainer uses torch's FSDP2 (``torch.distributed.fsdp.fully_shard``) directly rather than
``Accelerator.prepare``: the packed forward calls the decoder and the LM head separately (packing.batch_logps),
past the causal LM's ``forward``, and FSDP unshards a module's parameters in that module's forward hook. So the
root that is sharded is ``ScoreModule``, a small module whose ``forward`` *is* the trainer's scoring call; each
transformer block (``fsdp_transformer_layer_cls_to_wrap``, default the model's ``_no_split_modules``) is sharded
on its own inside it, the rest (embeddings, final norm, the LM head, tied to the embeddings in SmolLM2) in the
root's group.

LoRA: FSDP2 shards each parameter on its own (no flat parameters), so frozen base weights and trainable LoRA
weights may share a group; FSDP1's ``use_orig_params=True`` / peft's ``fsdp_auto_wrap_policy`` is not needed.
FSDP1 (``fsdp_version: 1``) is refused rather than silently run as FSDP2.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import torch

from sectree.errors import SectreeError

_ASK = "configs/accelerate/fsdp-*.yaml; docs/scale.md"


@dataclass(frozen=True)
class FsdpSettings:
    """The parts of accelerate's FSDP plugin (read from the environment ``accelerate launch`` sets) we honour."""

    reshard_after_forward: bool
    """Free each block's gathered parameters after its forward (and gather again in backward): less memory."""
    block_classes: tuple[str, ...] | None
    """Class names sharded as units of their own; None: the model's ``_no_split_modules`` (LlamaDecoderLayer)."""


def fsdp_settings() -> FsdpSettings:
    """accelerate's FullyShardedDataParallelPlugin for this launch, checked: what the trainer cannot honour is
    refused with one line (never run as something else)."""
    try:
        from accelerate.utils import FullyShardedDataParallelPlugin  # lazy(optional): the scale extra
    except ImportError:
        raise SectreeError("training across processes needs accelerate: pip install 'sectree[scale]'") from None
    version = os.environ.get("FSDP_VERSION", "1")  # accelerate's default is FSDP1
    if version != "2":  # checked first: accelerate's FSDP1 plugin needs an accelerator device to be built at all
        raise SectreeError(f"accelerate launch with FSDP: fsdp_version: {version}: set 2 (the trainer uses FSDP2, "
                           f"torch's fully_shard) ({_ASK})")
    try:
        plugin = FullyShardedDataParallelPlugin()
    except (ValueError, KeyError, RuntimeError) as e:  # accelerate's own check of the fsdp_config values
        raise SectreeError(f"accelerate launch with FSDP: fsdp_config: {e}") from None
    refused = {
        "fsdp_offload_params": (type(plugin.cpu_offload).__name__ == "CPUOffloadPolicy",
                                "set false (CPU offload is not supported by the trainer)"),
        "fsdp_activation_checkpointing": (bool(plugin.activation_checkpointing), "set false (not supported)"),
        "fsdp_auto_wrap_policy": (plugin.auto_wrap_policy is not None
                                  and getattr(plugin.auto_wrap_policy, "__name__", "") != "transformer_auto_wrap_policy",
                                  "set TRANSFORMER_BASED_WRAP or NO_WRAP (the transformer blocks are the units)"),
        "mixed_precision": (os.environ.get("ACCELERATE_MIXED_PRECISION", "no") != "no"
                            or plugin.mixed_precision_policy is not None,
                            "set \"no\": the trainer's own dtype (TrainConfig.dtype) sets the precision"),
    }
    for field, (bad, fix) in refused.items():
        if bad:
            raise SectreeError(f"accelerate launch with FSDP: {field}: {fix} ({_ASK})")
    ignored = {
        "fsdp_cpu_ram_efficient_loading": (bool(plugin.cpu_ram_efficient_loading), "every rank loads the whole model"),
        "fsdp_state_dict_type": ("FULL" not in str(plugin.state_dict_type), "rank 0 saves the whole model"),
        "fsdp_ignored_modules": (bool(plugin.ignored_modules), "every parameter is sharded"),
    }
    for field, (bad, what) in ignored.items():
        if bad:
            warnings.warn(f"accelerate launch with FSDP: {field} is ignored by the trainer: {what}", stacklevel=2)
    names = plugin.transformer_cls_names_to_wrap
    return FsdpSettings(bool(plugin.reshard_after_forward), tuple(names) if names else None)


class ScoreModule(torch.nn.Module):
    """The FSDP root: ``forward(batch)`` is ``score(model, batch)``, so FSDP's hooks run around the whole
    scoring call, however it reaches the model's submodules."""

    def __init__(self, model: torch.nn.Module, score: Callable[[Any, Any], Any]):
        super().__init__()
        self.model = model
        self._score = score

    def forward(self, batch):
        return self._score(self.model, batch)


def shard(model: torch.nn.Module, score: Callable[[Any, Any], Any], settings: FsdpSettings) -> ScoreModule:
    """Shard ``model`` in place over the default process group: each block on its own, then the root.

    Gradients of the ranks are **summed** (divide factor 1): each rank's loss is already its share of the step's
    mean, as in the data-parallel path, so the sum is the one-process gradient.
    """
    from torch.distributed.fsdp import fully_shard  # lazy(heavy): ~2 s on top of torch; only FSDP launches need it

    lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    names = set(settings.block_classes or getattr(lm, "_no_split_modules", None) or ())
    blocks = [m for m in model.modules() if type(m).__name__ in names]
    if not blocks:
        raise SectreeError(f"accelerate launch with FSDP: fsdp_transformer_layer_cls_to_wrap: no module of "
                           f"class {sorted(names)} in {type(lm).__name__}: name its transformer block class ({_ASK})")
    for block in blocks:
        fully_shard(block, reshard_after_forward=settings.reshard_after_forward)
    root = ScoreModule(model, score)
    fully_shard(root, reshard_after_forward=settings.reshard_after_forward)
    for unit in [*blocks, root]:  # per FSDP unit: the root's setting does not reach the blocks' groups
        unit.set_gradient_divide_factor(1.0)
        # a plain SUM reduce-scatter (times 1): without it FSDP asks for PREMUL_SUM, which gloo lacks
        unit.set_force_sum_reduction_for_comms(True)
    return root


def full_trainable(root: ScoreModule) -> dict[str, torch.Tensor]:
    """The trainable parameters gathered whole, by their name in the unsharded model (a collective: every rank
    calls it, in the same order)."""
    out = {}
    for name, p in root.model.named_parameters():
        if p.requires_grad:
            full = p.full_tensor() if hasattr(p, "full_tensor") else p
            out[name] = full.detach().clone()
    return out


def main() -> int:
    """``accelerate launch --config_file <cfg> -m sectree.train.sharding``: print, as JSON, the FSDP settings the
    trainer takes from this launch (or its one-line refusal), without starting any training."""
    if os.environ.get("ACCELERATE_USE_FSDP") != "true":
        print("error: not an FSDP launch (accelerate launch --config_file configs/accelerate/fsdp-*.yaml "
              "-m sectree.train.sharding)", file=sys.stderr)
        return 2
    try:
        settings = fsdp_settings()
    except SectreeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"rank": int(os.environ.get("RANK", "0")), "world_size": int(os.environ.get("WORLD_SIZE", "1")),
                      "fsdp_version": 2, "reshard_after_forward": settings.reshard_after_forward,
                      "block_classes": list(settings.block_classes) if settings.block_classes else None}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
