"""Configs written for the version before issue 13's renames (experiment ``train:`` -> ``run:``, RunConfig
``train:`` -> ``update:``, flat ``temperature`` / ``top_p`` / ``max_new_tokens`` -> ``sampling:``).

tests/data/configs-v1/ holds the shipped configs as they were before the renames (configs/*.yaml,
configs/experiments/*.yaml) and four config.json files of runs the old code made (runs/experiments/python).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sectree import config as cfgmod
from sectree.errors import SectreeError
from sectree.experiment.config import ExperimentConfig, eval_parts, load_experiment, part_settings, run_config, \
    upgrade_experiment
from sectree.experiment.runner import _check_same
from sectree.settings import GenerateConfig, RunConfig, SpanConfig

ROOT = Path(__file__).resolve().parents[1]
V1 = Path(__file__).parent / "data" / "configs-v1"
EXPERIMENTS = ["demo", "python", "quick", "transfer-c", "unseen-cwe"]


def _plain(x):
    return json.loads(json.dumps(dataclasses.asdict(x) if dataclasses.is_dataclass(x) else x))


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_new_experiment_configs_load_to_the_old_values(name):
    """configs/experiments/<name>.yaml resolves to exactly what its pre-rename version meant: the same
    experiment, the same RunConfig for every method and seed, the same eval parts."""
    new = load_experiment(ROOT / "configs" / "experiments" / f"{name}.yaml")
    old_data = upgrade_experiment(yaml.safe_load((V1 / "experiments" / f"{name}.yaml").read_text()))
    old = cfgmod.build(ExperimentConfig, old_data, source="v1")
    assert _plain(new) == _plain(old)
    for m in new.methods:
        for seed in new.seeds:
            assert _plain(run_config(new, m, seed)) == _plain(run_config(old, m, seed)), (m, seed)
    assert {k: part_settings(g) for k, g in eval_parts(new, 0).items()} == \
        {k: part_settings(g) for k, g in eval_parts(old, 0).items()}


@pytest.mark.parametrize("name", ["tiny-smoke", "tsp-python"])
def test_new_run_configs_load_to_the_old_values(name):
    new = cfgmod.load(RunConfig, ROOT / "configs" / f"{name}.yaml")
    old = cfgmod.build(RunConfig, cfgmod.upgrade(RunConfig, yaml.safe_load((V1 / f"{name}.yaml").read_text())))
    assert _plain(new) == _plain(old)
    assert new.update.epochs >= 1 and new.tree.sampling.max_new_tokens < 256  # the files' own values arrived


@pytest.mark.parametrize("rid", ["tsp-s0", "sft-s1", "contrast-s2", "tsp-sft-s0"])
def test_old_run_folders_are_the_same_settings(tmp_path, rid):
    """A run the old code trained for python.yaml (its config.json) has the settings the new python.yaml gives
    that method and seed: resume and ``share`` take it instead of refusing it; another setting is refused."""
    method, seed = rid.rsplit("-s", 1)
    rc = run_config(load_experiment(ROOT / "configs" / "experiments" / "python.yaml"), method, int(seed))
    run = tmp_path / rid
    run.mkdir()
    (run / "config.json").write_text((V1 / "runs" / f"python-{rid}.json").read_text())
    assert "train" in json.loads((run / "config.json").read_text())  # really the old shape
    _check_same(run / "config.json", dataclasses.asdict(rc), "trained")  # no error: the same settings
    other = dataclasses.replace(rc, update=dataclasses.replace(rc.update, epochs=rc.update.epochs + 1))
    with pytest.raises(SectreeError, match=r"update\.epochs"):
        _check_same(run / "config.json", dataclasses.asdict(other), "trained")
    other = dataclasses.replace(rc, tree=dataclasses.replace(rc.tree, sampling=dataclasses.replace(
        rc.tree.sampling, max_new_tokens=rc.tree.sampling.max_new_tokens + 1)))
    with pytest.raises(SectreeError, match=r"tree\.sampling\.max_new_tokens"):
        _check_same(run / "config.json", dataclasses.asdict(other), "trained")


@pytest.mark.parametrize("body,needle", [
    ("name: x\ntrain: {rounds: 1}\n", "train: renamed to run:"),
    ("name: x\nrun: {train: {epochs: 1}}\n", "run.train: renamed to run.update:"),
    ("name: x\nrun: {tree: {max_new_tokens: 12}}\n", "run.tree.max_new_tokens: renamed to run.tree.sampling.max_new_tokens:"),
    ("name: x\neval: {temperature: 0.5}\n", "eval.temperature: renamed to eval.sampling.temperature:"),
])
def test_old_keys_fail_naming_the_new_key(tmp_path, body, needle):
    p = tmp_path / "old.yaml"
    p.write_text(body)
    with pytest.raises(SectreeError) as e:
        load_experiment(p)
    assert str(e.value).startswith(f"{p}: {needle}") and "\n" not in str(e.value)


def test_cli_old_config_one_line(tmp_path):
    """An old experiment config and an old run config: one line naming the renamed key, exit 2, nothing run."""
    r = subprocess.run([sys.executable, "-m", "sectree", "experiment", str(V1 / "experiments" / "quick.yaml"),
                        "--out", str(tmp_path / "e")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        f"error: {V1 / 'experiments' / 'quick.yaml'}: train: renamed to run: (move its settings there; "
        "docs/configs.md lists the renamed keys)"]
    r = subprocess.run([sys.executable, "-m", "sectree", "train", "-c", str(V1 / "tiny-smoke.yaml"), "--out",
                        str(tmp_path / "t")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "train: renamed to update:" in r.stderr
    assert not (tmp_path / "e").exists() and not (tmp_path / "t").exists()


def test_eval_parts_record_the_settings_old_folders_hold():
    """GenerateConfig and SpanConfig embed ``sampling``, but what they record (each sample's settings, an
    evaluation's spec.json; resume and ``share`` compare it) keeps the flat keys in their old order: the
    spec.json the old code wrote for python.yaml's tsp-s0 (choice and span parts) is what python.yaml gives now,
    key for key and in the same order (rewritten records stay byte-identical)."""
    recorded = json.loads((V1 / "evals" / "python-tsp-s0-spec.json").read_text())["parts"]
    now = {k: part_settings(g) for k, g in eval_parts(load_experiment(ROOT / "configs" / "experiments" /
                                                                     "python.yaml"), 0).items()}
    assert now == recorded
    assert [list(p) for p in now.values()] == [list(p) for p in recorded.values()]
    assert list(GenerateConfig().settings()) == ["model", "suite", "split", "cwes", "language", "mode", "template",
                                                 "n", "temperature", "top_p", "max_new_tokens", "seed", "batch_tasks"]
    # the defaults did not move: 0.8 / 0.95 / 256 for whole answers, 0.8 / 0.95 / 192 for spans
    assert [GenerateConfig().settings()[k] for k in ("temperature", "top_p", "max_new_tokens")] == [0.8, 0.95, 256]
    assert [SpanConfig().settings()[k] for k in ("temperature", "top_p", "max_new_tokens")] == [0.8, 0.95, 192]
    with pytest.raises(SectreeError, match=r"^x: temperature: renamed to sampling\.temperature"):
        cfgmod.build(GenerateConfig, {"temperature": 0.5}, source="x")


def test_embedded_sampling_keeps_its_section_default(tmp_path):
    """eval.sampling defaults to temperature 0.8 (tree.sampling to 1.0): a YAML section that sets only
    max_new_tokens keeps its embedding's temperature, not the Sampling class's."""
    p = tmp_path / "e.yaml"
    p.write_text("name: x\neval: {sampling: {max_new_tokens: 64}}\nrun: {tree: {sampling: {max_new_tokens: 32}}}\n")
    cfg = load_experiment(p)
    assert (cfg.eval.sampling.temperature, cfg.eval.sampling.max_new_tokens) == (0.8, 64)
    assert (cfg.run.tree.sampling.temperature, cfg.run.tree.sampling.max_new_tokens) == (1.0, 32)
    p.write_text("name: x\nrun: {tree: {sampling: {max_new_tokens: 0}}}\n")
    with pytest.raises(SectreeError, match=r"run\.tree\.sampling\.max_new_tokens=0: must be >= 1"):
        load_experiment(p)


def test_every_config_field_has_a_docstring():
    """Every field of every config dataclass (sectree/settings.py, experiment/config.py) is followed by its
    docstring: the reference a YAML preset's reader has (the check found ExperimentConfig.eval and .report bare)."""
    import ast

    bare = []
    for f in (ROOT / "src/sectree/settings.py", ROOT / "src/sectree/experiment/config.py"):
        for node in ast.parse(f.read_text()).body:
            if not (isinstance(node, ast.ClassDef) and any(
                    getattr(d, "id", getattr(getattr(d, "func", None), "id", None)) == "dataclass"
                    for d in node.decorator_list)):
                continue
            for i, s in enumerate(node.body):
                nxt = node.body[i + 1] if i + 1 < len(node.body) else None
                if isinstance(s, ast.AnnAssign) and not (isinstance(nxt, ast.Expr) and isinstance(
                        getattr(nxt, "value", None), ast.Constant) and isinstance(nxt.value.value, str)):
                    bare.append(f"{node.name}.{s.target.id}")
    assert bare == []
