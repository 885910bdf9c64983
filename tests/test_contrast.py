"""The `contrast` method (issue #18): the SVEN/SafeCoder-style ablation. Same loop, trees and pair rule as tsp,
but the only opponent is the task's unsafe reference hunk: no branch is sampled, so every pair's rejected side
is a reference hunk (judged by the oracle like any leaf)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sectree import config as cfgmod

SMOKE = Path(__file__).resolve().parents[1] / "configs" / "tiny-smoke.yaml"


def test_contrast_forces_the_reference_opponent_whatever_the_config_says():
    from sectree.train.tsp import RunConfig
    from sectree.tree.model import Opponent

    cfg = cfgmod.load(RunConfig, SMOKE, {"method": "contrast", "tree.opponents": ["policy", "attacker"],
                                         "tree.strategies": ["diff", "entropy"]})
    assert cfg.tree.opponents == [Opponent.REFERENCE] and cfg.tree.strategies == ["diff"]
    tsp = cfgmod.load(RunConfig, SMOKE, {"method": "tsp", "tree.opponents": ["policy", "attacker"]})
    assert tsp.tree.opponents == [Opponent.POLICY, Opponent.ATTACKER]  # other methods keep theirs


@pytest.mark.slow
def test_contrast_round_trains_on_reference_hunks_only(tmp_path):
    from sectree.tasks import load_suite
    from sectree.train.tsp import RunConfig, run
    from sectree.tree.model import NodeKind, load_trees

    cfg = cfgmod.load(RunConfig, SMOKE, {"method": "contrast", "tree.opponents": ["policy"]})
    out = tmp_path / "contrast"
    run(cfg, out, say=lambda m: None)
    rd = out / "round-1"
    stats = json.loads((rd / "stats.json").read_text())
    assert stats["method"] == "contrast"
    assert json.loads((out / "config.json").read_text())["tree"]["opponents"] == ["reference"]
    trees = load_trees(rd / "trees.jsonl")
    leaves = [n for t in trees for n in t.nodes if n.kind == NodeKind.SAMPLE]
    assert leaves and {str(getattr(n.opponent, "value", n.opponent)) for n in leaves} == {"reference"}
    assert stats["tree/tokens_generated"] == 0  # nothing sampled
    tasks = {t.id: t for t in load_suite("builtin:python", split="train")}
    pairs = [json.loads(x) for x in (rd / "pairs.jsonl").open()]
    assert stats["pairs/total"] == len(pairs) == stats["pairs/reference"] > 0 and stats["train/steps"] >= 1
    for p in pairs:  # every rejected side is text of the task's unsafe reference, never of its secure one
        unsafe = "".join(tasks[p["task_id"]].unsafe_sources)
        assert p["rejected_text"].strip() and p["rejected_text"].strip() in unsafe
