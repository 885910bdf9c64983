"""The self-play loop trains on its method's pair rule (issue #10 item 6: nothing checked that tsp-paper's pairs
differ from tsp's). On tiny-random every sampled leaf is broken, where the two rules give the same pairs, so
the loop runs here on hand-made trees where they disagree: a secure sampled leaf is *chosen* by our rule and
*rejected* by the paper's golden-vs-every-branch rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sectree import config as cfgmod
from sectree.tree.model import load_trees

from tests.test_tree import hand_tree

SMOKE = Path(__file__).resolve().parents[1] / "configs" / "tiny-smoke.yaml"


def _key(pairs) -> list[tuple]:
    return [(p.node, list(p.chosen_ids), list(p.rejected_ids)) for p in pairs]


@pytest.mark.slow
@pytest.mark.parametrize(("method", "rule", "other"), [("tsp-paper", "paper", "oracle"), ("tsp", "oracle", "paper")])
def test_round_trains_on_its_methods_pair_rule(tmp_path, monkeypatch, method, rule, other):
    import sectree.train.tsp as tsp
    from sectree.train.tsp import RunConfig, run

    def hand_trees(policy, tasks, oracle, cfg, **kw):  # stands in for growing trees with the opponent
        out = []
        for task in tasks:
            t = hand_tree()
            t.task_id = task.id
            out.append(t)
        return out

    monkeypatch.setattr(tsp, "build_trees", hand_trees)  # where the loop looks it up
    cfg = cfgmod.load(RunConfig, SMOKE, {"method": method})
    out = tmp_path / method
    run(cfg, out, say=lambda m: None)
    rd = out / "round-1"
    pairs = [(p["node"], p["chosen_ids"], p["rejected_ids"]) for p in map(json.loads, (rd / "pairs.jsonl").open())]
    trees = load_trees(rd / "trees.jsonl")
    mine, theirs = [x for t in trees for x in _key(t.pairs(rule))], [x for t in trees for x in _key(t.pairs(other))]
    assert mine != theirs  # the trees discriminate the rules, so the check below can fail
    assert pairs == mine
    stats = json.loads((rd / "stats.json").read_text())
    assert stats["pairs/total"] == len(pairs) > 0 and stats["train/steps"] >= 1
