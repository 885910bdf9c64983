"""Policy training: node-level DPO on tree pairs with one packed forward per tree, and the SFT baseline.

Typical use::

    stats = train_pairs(policy, [(tree.prompt_ids, tree.pairs()) for tree in trees], TrainConfig(beta=0.1))
    spec = policy.save(run_dir / "round-1")      # '<base>+lora:<dir>', reloadable with load_policy(spec)

Objectives and logged metrics: docs/losses.md.
"""

from sectree.train.losses import LOSSES, Loss, LossOutput, PairLogps, get_loss
from sectree.train.packing import (
    PackedTree,
    Target,
    pack_tree,
    packed_logps,
    packed_logps_batch,
    per_pair_logps,
    per_pair_logps_batch,
)
from sectree.train.trainer import TrainConfig, train_pairs, train_sft

__all__ = [
    "LOSSES",
    "Loss",
    "LossOutput",
    "PackedTree",
    "PairLogps",
    "Target",
    "TrainConfig",
    "get_loss",
    "pack_tree",
    "packed_logps",
    "packed_logps_batch",
    "per_pair_logps",
    "per_pair_logps_batch",
    "train_pairs",
    "train_sft",
]
