"""A finished round's statistics as a typed record: what the experiment runner and the report read back.

``train/tsp.py`` writes each round's stats once, as the flat namespaced mapping documented in docs/metrics.md
(``<run>/round-<t>/stats.json``, the rows of ``<run>/stats.jsonl``): its keys are open-ended (one per opponent
and verdict, per suite, per loss metric) and run folders of every earlier version use that format, so it stays
the format on disk. ``RoundStats.from_json`` is the one place that turns such a row into typed fields; the runner
(``experiment/runner.py`` ``train_info``) and the report's curves (``experiment/report/figures.py``) read these
fields instead of spelling the keys themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sectree.io import read_jsonl
from sectree.settings import Opponent

VERDICTS = ("secure", "vulnerable", "broken")
"""Leaf verdicts counted per opponent (``tree/leaves_<opponent>_<verdict>``)."""
PAIR_KINDS = ("security", "function")
"""Pair kinds counted per round (``pairs/<kind>``)."""


@dataclass(frozen=True)
class RoundStats:
    """One finished round (a row of ``stats.jsonl``)."""

    round: int
    """t, 1-based."""
    method: str
    """The run's method (an SFT warm start's rounds say ``sft``)."""
    accepted: bool
    """The functionality guard accepted the round (its checkpoint is θ_t)."""
    measured_before: bool
    """The guard also sampled the 'before' rates this round (the first round run): its dev samples count twice."""
    oracle_calls: int
    """Judged leaves or samples (``oracle/calls``; the guard's dev samples are not included)."""
    tokens_generated: int
    """Tokens the opponents sampled (``tree/tokens_generated``, or ``rollout/tokens`` of older runs)."""
    train_tokens: int
    """Tokens forwarded by the update (``train/forward_tokens``)."""
    pairs: int | None
    """Preference pairs trained on (``pairs/total``); None for a round without a pair step (sft)."""
    pairs_by_kind: dict[str, int]
    """security / function pairs (``pairs/<kind>``; 0 where the round has none)."""
    leaves: dict[str, dict[str, int]]
    """opponent -> verdict -> sampled leaves, for the opponents the round's trees had (``tree/leaves_*``)."""
    seconds: float
    """Wall time of the round (``time/round_seconds``)."""
    loss: float | None
    """``loss/total`` at the round's last optimizer step; None without an update."""
    loss_curve: list[float] = field(default_factory=list)
    """``loss/total`` per optimizer step (``curves``)."""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    """The row as written (every other metric: dev/..., loss/..., train/..., pairs/<opponent>, ...)."""

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RoundStats:
        """A row of stats.jsonl (any version's) -> the typed record."""
        return cls(
            round=int(d.get("round", 0)),
            method=str(d.get("method", "")),
            accepted=bool(d.get("accepted")),
            measured_before="dev/before_broken_rate" in d,
            oracle_calls=int(d.get("oracle/calls", 0)),
            tokens_generated=int(d.get("tree/tokens_generated", d.get("rollout/tokens", 0))),
            train_tokens=int(d.get("train/forward_tokens", 0)),
            pairs=int(d["pairs/total"]) if "pairs/total" in d else None,
            pairs_by_kind={k: int(d.get(f"pairs/{k}", 0)) for k in PAIR_KINDS},
            leaves={o.value: {v: int(d.get(f"tree/leaves_{o.value}_{v}", 0)) for v in VERDICTS}
                    for o in Opponent if f"tree/leaves_{o.value}_secure" in d},
            seconds=float(d.get("time/round_seconds", 0)),
            loss=d.get("loss/total"),
            loss_curve=list((d.get("curves") or {}).get("loss/total", [])),
            raw=dict(d),
        )


def read_rounds(run_dir: str | Path) -> list[RoundStats]:
    """The finished rounds of a run folder (``stats.jsonl``), in order; [] when it has none."""
    path = Path(run_dir) / "stats.jsonl"
    return [RoundStats.from_json(r) for r in read_jsonl(path)] if path.exists() else []


__all__ = ["PAIR_KINDS", "VERDICTS", "RoundStats", "read_rounds"]
