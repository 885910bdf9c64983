"""train/stats.py: a row of a run's stats.jsonl read back as a typed RoundStats (runner and report read these)."""

from __future__ import annotations

import json
from pathlib import Path

from sectree.train.stats import RoundStats, read_rounds

DATA = Path(__file__).parent / "data" / "runs"


def test_a_round_written_by_an_earlier_version_reads_back(tmp_path):
    """A tsp round of runs/experiments/python (written before RoundStats existed): every field from its keys."""
    row = json.loads((DATA / "python-tsp-s0-stats.jsonl").read_text())
    r = RoundStats.from_json(row)
    assert (r.round, r.method, r.accepted, r.measured_before) == (1, "tsp", row["accepted"], True)
    assert r.oracle_calls == row["oracle/calls"] == 18 and r.tokens_generated == row["tree/tokens_generated"]
    assert r.pairs == row["pairs/total"] and r.pairs_by_kind == {"security": 3, "function": 15}
    assert r.leaves == {"policy": {"secure": 0, "vulnerable": 0, "broken": 9},
                        "attacker": {"secure": 0, "vulnerable": 0, "broken": 6},
                        "reference": {"secure": 0, "vulnerable": 3, "broken": 0}}
    assert r.loss == row["loss/total"] and r.loss_curve == row["curves"]["loss/total"] and r.raw == row
    (tmp_path / "stats.jsonl").write_text(json.dumps(row) + "\n" + json.dumps({**row, "round": 2}) + "\n")
    assert [x.round for x in read_rounds(tmp_path)] == [1, 2] and read_rounds(tmp_path / "nope") == []


def test_missing_keys_mean_absent_not_zero():
    """An sft round has no pair step (pairs None, not 0) and no trees (no opponents); an old run's rollout/tokens
    still counts as tokens generated; a round without the 'before' rates measured the guard once."""
    r = RoundStats.from_json({"round": 1, "method": "sft", "accepted": True, "rollout/tokens": 7,
                              "train/forward_tokens": 11, "time/round_seconds": 2.5})
    assert r.pairs is None and r.leaves == {} and r.loss is None and r.loss_curve == []
    assert (r.tokens_generated, r.train_tokens, r.seconds, r.measured_before) == (7, 11, 2.5, False)
    only = RoundStats.from_json({"tree/leaves_attacker_secure": 2, "tree/leaves_attacker_broken": 1})
    assert only.leaves == {"attacker": {"secure": 2, "vulnerable": 0, "broken": 1}}
