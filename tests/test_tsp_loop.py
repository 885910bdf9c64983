"""`sectree train` end to end on tiny-random: every method, resume after kill -9, config errors, export."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sectree import config as cfgmod
from sectree.errors import SectreeError
from sectree.train.tsp import RunConfig

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "configs" / "tiny-smoke.yaml"


def _train(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sectree", "train", "--config", str(SMOKE), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def _params(spec: str, merge: bool = False) -> dict:
    from sectree.policy import load_policy

    return {k: v.clone() for k, v in load_policy(spec, merge=merge).model.named_parameters()}


@pytest.mark.slow
def test_tsp_round_writes_trees_pairs_checkpoint_stats(tmp_path):
    out = tmp_path / "run"
    r = _train("--out", str(out))
    assert r.returncode == 0, r.stderr[-3000:]
    rd = out / "round-1"
    stats = json.loads((rd / "stats.json").read_text())
    for key in ("tree/leaves", "pairs/total", "oracle/calls", "dev/broken_rate", "time/round_seconds"):
        assert key in stats, key
    trees = [json.loads(x) for x in (rd / "trees.jsonl").read_text().splitlines()]
    assert len(trees) == 2 and all(t["round"] == 1 for t in trees)
    pairs = [json.loads(x) for x in (rd / "pairs.jsonl").read_text().splitlines()]
    assert len(pairs) == stats["pairs/total"] > 0
    final = json.loads((out / "final.json").read_text())["model_spec"]
    assert final == stats["checkpoint_spec"] and "+lora:" in final
    # the trained adapter changed the model: θ_1 (the adapter folded into the weights, so the same parameter
    # names) differs from θ_0; an untrained adapter (B = 0) folds to exactly θ_0
    before, after = _params("tiny-random"), _params(final, merge=True)
    assert set(after) == set(before)
    assert any(not (before[k] == after[k]).all() for k in before)
    # export for TRL / LLaMA-Factory
    exp = tmp_path / "pairs.trl.jsonl"
    e = subprocess.run([sys.executable, "-m", "sectree", "export-pairs", str(rd / "pairs.jsonl"), "--out", str(exp)],
                       capture_output=True, text=True, timeout=120)
    assert e.returncode == 0, e.stderr
    rows = [json.loads(x) for x in exp.read_text().splitlines()]
    assert len(rows) == len(pairs) and set(rows[0]) == {"prompt", "chosen", "rejected"}
    # a second run without --resume refuses to overwrite
    again = _train("--out", str(out))
    assert again.returncode == 2 and "--resume" in again.stderr


@pytest.mark.slow
@pytest.mark.parametrize("method", ["sft", "selfplay", "tsp-paper"])
def test_baselines_run(tmp_path, method):
    r = _train("--method", method, "--out", str(tmp_path / method))
    assert r.returncode == 0, r.stderr[-3000:]
    rd = tmp_path / method / "round-1"
    stats = json.loads((rd / "stats.json").read_text())
    assert stats["method"] == method
    final = json.loads((tmp_path / method / "final.json").read_text())["model_spec"]
    if method == "selfplay":
        # 2 tasks × leaf_budget 6 whole answers judged, as one-node trees under TSP's pair rule: every broken
        # answer is rejected (a function pair) against the golden body, as TSP does; none is dropped
        counts = [stats[f"tree/leaves_{s}"] for s in ("secure", "vulnerable", "broken")]
        assert stats["oracle/calls"] == 12 == sum(counts) == stats["tree/leaves"]
        assert 0 < stats["pairs/function"] <= stats["tree/leaves_broken"]
        assert stats["pairs/total"] == stats["pairs/function"] + stats["pairs/security"]
        assert (rd / "trees.jsonl").exists()
    if method == "sft":
        assert stats["train/steps"] >= 1
        before, after = _params("tiny-random"), _params(final, merge=True)
        assert any(not (before[k] == after[k]).all() for k in before)  # the golden targets moved the weights
    if method == "tsp-paper":
        from sectree.tree.model import load_trees

        # the pairs are the paper's rule on its own trees (golden vs every branch at a trunk node). On tiny-random
        # every branch is broken, so ours would give the same pairs here; tests/test_tree_opponents.py shows the
        # two rules differ on a real SmolLM2 tree
        pairs = [(p["node"], p["chosen_ids"], p["rejected_ids"]) for p in map(json.loads, (rd / "pairs.jsonl").open())]
        trees = load_trees(rd / "trees.jsonl")
        paper = [(p.node, p.chosen_ids, p.rejected_ids) for t in trees for p in t.pairs("paper")]
        assert stats["pairs/total"] == len(pairs) > 0
        assert pairs == paper


@pytest.mark.slow
def test_resume_after_kill_9(tmp_path):
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "sectree", "train", "--config", str(SMOKE), "--rounds", "2", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (out / "round-1" / "stats.json").exists():
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # mid round 2 (or right at its start)
    proc.wait()
    assert (out / "round-1" / "stats.json").exists()
    mtime = (out / "round-1" / "stats.json").stat().st_mtime
    r = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "round 1: finished earlier, skipped" in r.stderr
    assert (out / "round-1" / "stats.json").stat().st_mtime == mtime
    assert (out / "round-2" / "stats.json").exists()
    lines = (out / "stats.jsonl").read_text().splitlines()
    assert [json.loads(x)["round"] for x in lines] == [1, 2]


def test_resume_keeps_finished_trees(tmp_path, monkeypatch):
    """Trees already in an interrupted round's trees.jsonl are not rebuilt."""
    import sectree.train.tsp as tsp
    from sectree.oracle.verdict import Status, Verdict
    from sectree.tree.model import Tree, save_trees

    cfg = cfgmod.load(RunConfig, SMOKE)
    train, _dev = tsp.split_tasks(cfg)
    out = tmp_path / "run"
    (out / "round-1").mkdir(parents=True)
    stub = Tree(train[0].id, [1, 2], "p", [])
    root = stub.add(None, [], "", "root")
    leaf = stub.add(root.id, [3], "x", "trunk")
    leaf.reward, leaf.verdict = 1.0, Verdict(train[0].id, Status.SECURE, parseable=True)
    stub.backup()
    save_trees(out / "round-1" / "trees.jsonl", [stub])
    built: list[str] = []
    real = tsp.build_trees  # the builder the loop calls (imported by train/tsp.py from tree/build.py)

    def spy(policy, tasks, *a, **k):
        built.extend(t.id for t in tasks)
        return real(policy, tasks, *a, **k)

    monkeypatch.setattr(tsp, "build_trees", spy)
    tsp.run(cfg, out, resume=True, say=lambda m: None)
    assert train[0].id not in built and built == [t.id for t in train[1:]]


def test_a_resumed_round_counts_the_oracle_calls_of_its_kept_trees(tmp_path):
    """oracle/calls_total once counted only the resumed process's calls: a kill after some trees were saved made
    the stats differ from an uninterrupted run's (benchmarks/fault_bench.py found it). stats.jsonl is rebuilt from
    the rounds' stats.json, so a kill between the two writes loses no row."""
    import shutil

    import sectree.train.tsp as tsp

    cfg = cfgmod.load(RunConfig, SMOKE)
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    tsp.run(cfg, whole, resume=True, say=lambda m: None)
    shutil.copytree(whole, cut)
    # the moment of a kill: round 1's first tree saved, nothing after it
    for name in ("stats.jsonl", "final.json", "round-1/stats.json", "round-1/pairs.jsonl"):
        (cut / name).unlink()
    shutil.rmtree(cut / "round-1" / "checkpoint")
    trees = (cut / "round-1" / "trees.jsonl").read_text().splitlines(keepends=True)
    assert len(trees) >= 2
    (cut / "round-1" / "trees.jsonl").write_text(trees[0])
    tsp.run(cfg, cut, resume=True, say=lambda m: None)
    a, b = (json.loads((d / "round-1" / "stats.json").read_text()) for d in (whole, cut))
    assert a["oracle/calls_round"] == b["oracle/calls_round"] == a["oracle/calls_total"] > 0
    assert b["oracle/calls_total"] == a["oracle/calls_total"]
    # every round finished, but the kill came before stats.jsonl: the next start writes it
    (cut / "stats.jsonl").unlink()
    (cut / "final.json").unlink()
    tsp.run(cfg, cut, resume=True, say=lambda m: None)
    assert [json.loads(x)["round"] for x in (cut / "stats.jsonl").read_text().splitlines()] == [1]


@pytest.mark.parametrize(
    "yaml_text,needle",
    [("method: tsp\ntree:\n  brnaches: 3\n", "tree.brnaches: unknown field"),
     ("method: magic\n", "method must be one of"),
     ("rounds: two\n", "rounds: expected int"),
     ("update:\n  beta: -1\n", "beta"),
     ("train:\n  beta: -1\n", "train: renamed to update"),
     ("tree:\n  strategies: [gpt4]\n", "strategy"),
     ("guard:\n  action: panic\n", "guard.action"),
     ("[unclosed\n", "not valid YAML")],
)
def test_bad_configs_name_the_field(tmp_path, yaml_text, needle):
    p = tmp_path / "c.yaml"
    p.write_text(yaml_text)
    with pytest.raises(SectreeError, match=needle) as e:
        cfgmod.load(RunConfig, p)
    assert str(p) in str(e.value)


def test_cli_bad_config_one_line(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("tree:\n  brnaches: 3\n")
    r = subprocess.run([sys.executable, "-m", "sectree", "train", "--config", str(p), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "brnaches" in r.stderr
    assert not (tmp_path / "o").exists()


def test_cli_overrides_beat_the_file(tmp_path):
    cfg = cfgmod.load(RunConfig, SMOKE, {"rounds": 3, "tree.branches": 3})
    assert cfg.rounds == 3 and cfg.tree.branches == 3 and cfg.model == "tiny-random"


def test_pair_kind_weights_scale_the_loss():
    """node-dpo: L = mean_i w_k(i) · ℓ_i with w_k = TrainConfig.w_security / w_function by pair kind."""
    import torch

    from sectree.train.losses import PairLogps, get_loss
    from sectree.train.trainer import TrainConfig, pair_weight
    from sectree.tree.model import Pair, PairKind
    from sectree.oracle.verdict import Status

    loss = get_loss("node-dpo")
    lp = dict(chosen=torch.tensor([-3.0, -5.0]), rejected=torch.tensor([-4.0, -2.0]),
              chosen_ntokens=torch.tensor([3, 5]), ref_chosen=torch.tensor([-3.5, -4.0]),
              ref_rejected=torch.tensor([-3.0, -2.5]))
    each = [loss(PairLogps(**{k: v[i:i + 1] for k, v in lp.items()}), beta=0.1, alpha=1.0).loss for i in (0, 1)]
    w = loss(PairLogps(**lp, weights=torch.tensor([1.0, 0.25])), beta=0.1, alpha=1.0).loss
    assert w.item() == pytest.approx((each[0] + 0.25 * each[1]).item() / 2)
    cfg = TrainConfig(w_security=1.0, w_function=0.25)
    pair = Pair("t", 0, [], [1], [2], Status.SECURE, Status.BROKEN, 1, 2, PairKind.FUNCTION)
    assert pair_weight(pair, cfg) == 0.25
    assert pair_weight(Pair("t", 0, [], [1], [2], Status.SECURE, Status.VULNERABLE, 1, 2), cfg) == 1.0
    with pytest.raises(SectreeError, match="w_function"):
        TrainConfig(w_function=-1)
