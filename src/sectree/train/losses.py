"""Training objectives, as a small registry: ``LOSSES[name]`` / ``get_loss(name)``. Formulas: docs/losses.md.

Every loss sees the same input, ``PairLogps``: per pair, the log-probabilities of the chosen continuation
y_w and the rejected continuation y_l given the prompt x and the node's prefix p, **summed over the
continuation's tokens only** (prefix tokens get no log-prob term), under the policy π and, when the loss
needs one, the reference π_ref (the previous iterate: the policy at the start of the round).

    node-dpo      L = −log σ(β·[(log π(y_w|x,p) − log π_ref(y_w|x,p)) − (log π(y_l|x,p) − log π_ref(y_l|x,p))])
                      + α · NLL(y_w|x,p)                                 NLL = −log π(y_w|x,p) / |y_w|
    sequence-dpo  the same with p = ∅ (prefix moved into both continuations: whole samples)
    sft           L = NLL(y_w|x,p)                                        (golden continuations)

Losses are means over the pairs of a micro-batch.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn.functional as F

from sectree.errors import SectreeError
from sectree.settings import LOSS_NAMES


@dataclass
class PairLogps:
    """Summed continuation log-probs of a batch of pairs under the policy (and the reference)."""

    chosen: torch.Tensor
    """(pairs,) log π(y_w | x, p), summed over y_w's tokens."""
    rejected: torch.Tensor
    """(pairs,) log π(y_l | x, p), summed over y_l's tokens."""
    chosen_ntokens: torch.Tensor
    """(pairs,) |y_w|, the number of chosen tokens."""
    ref_chosen: torch.Tensor | None = None
    """(pairs,) log π_ref(y_w | x, p); None for losses without a reference."""
    ref_rejected: torch.Tensor | None = None
    """(pairs,) log π_ref(y_l | x, p); None for losses without a reference."""
    weights: torch.Tensor | None = None
    """(pairs,) w_k of each pair's kind (security / function, ``TrainConfig.w_security`` / ``w_function``);
    None = all 1."""


@dataclass
class LossOutput:
    """A scalar loss to backpropagate and its ``loss/…`` metrics (plain floats)."""

    loss: torch.Tensor
    """() the micro-batch loss."""
    metrics: dict[str, float]
    """Namespaced metrics, e.g. ``loss/total``, ``loss/margin``."""


class Loss(ABC):
    """A training objective.

    Contract: ``__call__(logps, beta=β, alpha=α)`` takes one micro-batch's ``PairLogps`` (reference fields
    set iff ``needs_reference``) and returns a scalar loss, the mean over pairs, with its metrics.
    ``prepare(pairs)`` maps the trainer's pairs to the pairs the loss is defined on (default: unchanged).
    """

    name: ClassVar[str]
    needs_reference: ClassVar[bool]
    """Whether the trainer must compute log π_ref before training."""
    uses_rejected: ClassVar[bool]
    """Whether rejected continuations are scored at all (SFT skips them)."""

    @abstractmethod
    def __call__(self, logps: PairLogps, *, beta: float, alpha: float) -> LossOutput: ...

    def prepare(self, pairs: Sequence) -> list:
        return list(pairs)


def nll_per_token(logps: PairLogps) -> torch.Tensor:
    """(pairs,) NLL(y_w | x, p) = −log π(y_w | x, p) / |y_w|  (mean over the chosen tokens)."""
    return -logps.chosen / logps.chosen_ntokens.clamp(min=1).to(logps.chosen.dtype)  # (pairs,)


class NodeDPO(Loss):
    """Node-level DPO with an RPO-style NLL anchor on the chosen continuation (TSP's objective, our defaults)."""

    name = "node-dpo"
    needs_reference = True
    uses_rejected = True

    def __call__(self, logps: PairLogps, *, beta: float, alpha: float) -> LossOutput:
        if logps.ref_chosen is None or logps.ref_rejected is None:
            raise ValueError(f"loss {self.name!r} needs reference log-probs")
        # implicit rewards r = β (log π − log π_ref)                                          (DPO, eq. 5)
        chosen_reward = beta * (logps.chosen - logps.ref_chosen)  # (pairs,)
        rejected_reward = beta * (logps.rejected - logps.ref_rejected)  # (pairs,)
        margin = chosen_reward - rejected_reward  # (pairs,) β·[(π/π_ref)(y_w) − (π/π_ref)(y_l)] in logs
        dpo = -F.logsigmoid(margin)  # (pairs,)  −log σ(β·[…])                                  (DPO, eq. 7)
        # RPO anchor (Pang et al. 2024): α · per-token NLL of y_w. Why α > 0 by default: in a SmolLM2 pilot, plain
        # DPO (α = 0) drove insecure samples to 0% but broke half of all samples; the anchor keeps functionality.
        nll = nll_per_token(logps)  # (pairs,)
        # per-kind weight w_k (docs/losses.md, "Pair kinds"): security pairs teach the decision, function pairs
        # (rejected leaf broken) only not to break the code, and outnumber them
        w = logps.weights if logps.weights is not None else torch.ones_like(dpo)  # (pairs,)
        total = (w * (dpo + alpha * nll)).mean()  # ()  L = mean_i w_k(i) · ℓ_i
        metrics = {
            "loss/total": total.item(),
            "loss/dpo": dpo.mean().item(),
            "loss/nll": nll.mean().item(),
            "loss/margin": margin.mean().item(),
            "loss/accuracy": (margin > 0).to(margin.dtype).mean().item(),
            "loss/chosen_reward": chosen_reward.mean().item(),
            "loss/rejected_reward": rejected_reward.mean().item(),
        }
        return LossOutput(total, metrics)


class SequenceDPO(NodeDPO):
    """``node-dpo`` on whole samples: p = ∅, the prefix moved into both continuations (the unstructured baseline).

    The DPO term is unchanged by the move (log π(p·y_w) − log π(p·y_l) = log π(y_w|p) − log π(y_l|p) for
    both π and π_ref); the NLL anchor now covers the whole chosen sample, prefix included.
    """

    name = "sequence-dpo"

    def prepare(self, pairs: Sequence) -> list:
        return [whole_sequence(p) for p in pairs]


def whole_sequence(pair):
    """A pair with an empty prefix: ``(∅, p + y_w, p + y_l)``."""
    return dataclasses.replace(pair, prefix_ids=[], chosen_ids=[*pair.prefix_ids, *pair.chosen_ids],
                               rejected_ids=[*pair.prefix_ids, *pair.rejected_ids])


class SFT(Loss):
    """Supervised fine-tuning: mean token NLL of the golden (chosen) continuations; β and α are unused."""

    name = "sft"
    needs_reference = False
    uses_rejected = False

    def __call__(self, logps: PairLogps, *, beta: float, alpha: float) -> LossOutput:
        nll = nll_per_token(logps)  # (pairs,)  −log π(y_w | x, p) / |y_w|
        total = nll.mean()  # ()
        return LossOutput(total, {"loss/total": total.item(), "loss/nll": total.item()})

    def prepare(self, pairs: Sequence) -> list:
        # the rejected side is never scored: drop it so packing does not spend tokens on it
        return [dataclasses.replace(p, rejected_ids=[]) for p in pairs]


LOSSES: dict[str, Loss] = {cls.name: cls() for cls in (NodeDPO, SequenceDPO, SFT)}
assert tuple(LOSSES) == LOSS_NAMES, "sectree.settings.LOSS_NAMES must list LOSSES (TrainConfig.loss checks it)"
"""Loss name -> objective."""


def get_loss(name: str) -> Loss:
    """The registered loss called ``name``; an unknown name lists the available ones."""
    try:
        return LOSSES[name]
    except KeyError:
        raise SectreeError(f"unknown loss {name!r}; available: {', '.join(LOSSES)}") from None
