"""Experiments v2 (issue #18): choice and span modes inside experiments with paired comparisons, the `contrast`
method, a fixed SafeCoder subset, the estimator's new units, hyperparameter selection, and `--quick` runs of the
three shipped configs on tiny-random whose report numbers must equal their per-sample records'."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest
import yaml

from sectree.experiment import load_experiment
from sectree.experiment.runner import estimate_minutes, eval_parts, quick_overrides, select_tasks

from tests.test_safecoder import C_AFTER, C_BEFORE, PY2_AFTER, PY2_BEFORE, PY_AFTER, PY_BEFORE, row

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs" / "experiments"


# ------------------------------------------------------------------------------------------ units


def _records(rates: dict[str, list[bool]]) -> list[dict]:
    """Choice records: task -> secure_preferred per decision (margins +1 / -1)."""
    out = []
    for tid, prefs in rates.items():
        for i, p in enumerate(prefs):
            out.append({"task_id": tid, "suite": "s", "language": "python", "cwes": [1], "split": "test",
                        "tier": None, "seen": False, "variant": 0, "index": i, "secure_logprob": 0.0,
                        "unsafe_logprob": 0.0, "secure_tokens": 1, "unsafe_tokens": 1, "margin": 1.0 if p else -1.0,
                        "secure_preferred": p, "secure_preferred_sum": p})
    return out


def test_choice_comparison_unsafe_reduction_and_paired_ci():
    from sectree.experiment.choice_report import compare

    base = _records({"a": [False, False], "b": [True, False], "c": [False], "d": [True]})  # rates 0, .5, 0, 1
    meth = _records({"a": [True, False], "b": [True, True], "c": [False], "d": [True]})  # rates .5, 1, 0, 1
    c = compare(base, meth, resamples=400)
    o = c["overall"]
    assert o["a"] == pytest.approx(0.375) and o["b"] == pytest.approx(0.625)
    assert o["diff"]["value"] == pytest.approx(0.25)
    # unsafe-choice rate 0.625 -> 0.375: reduction (0.625 - 0.375) / 0.625 = 0.4
    assert o["unsafe_reduction"]["value"] == pytest.approx(0.4)
    lo, hi = o["unsafe_reduction"]["ci"]
    assert lo <= 0.4 <= hi and lo < hi
    assert set(c["by_seen"]) == {"unseen"} and set(c["by_language"]) == {"python"}
    with pytest.raises(ValueError):  # different decisions cannot be paired
        compare(base, _records({"a": [True]}))


def test_suite_tasks_is_one_subset_for_every_seed():
    from sectree.train.tsp import GuardConfig, RunConfig, split_tasks

    def used(seed):
        tr, dev = split_tasks(RunConfig(suite=["builtin:python", "builtin:go"], language=None, seed=seed,
                                        suite_tasks={"builtin:go": 3}, guard=GuardConfig(dev_tasks=1)))
        return {t.id for t in tr + dev if t.language == "go"}, {t.id for t in tr + dev if t.language == "python"}

    go0, py0 = used(0)
    assert len(go0) == 3 and all(used(s)[0] == go0 for s in (1, 2, 3))
    assert len(py0) == len(select_tasks("builtin:python", "train", None))  # the other suite is not cut


def test_suite_tasks_must_name_a_training_suite():
    from sectree.errors import SectreeError
    from sectree.train.tsp import RunConfig

    with pytest.raises(SectreeError, match="suite_tasks"):
        RunConfig(suite="builtin:python", suite_tasks={"builtin:go": 3})


def test_estimate_knows_choice_span_and_contrast():
    from sectree.experiment.runner import ExperimentConfig

    def est(**kw):
        data = {"name": "e", "methods": ["base", "tsp", "contrast"], "seeds": [0],
                "run": {"suite": "builtin:python", "max_tasks": 4, "rounds": 1,
                          "tree": {"opponents": ["policy", "reference"]}},
                "eval": {"suite": "builtin:python", "split": "test", **kw}}
        from sectree import config as cfgmod

        return estimate_minutes(cfgmod.build(ExperimentConfig, data))

    plain, span, both = est(modes=["completion"]), est(modes=["completion", "span"]), \
        est(modes=["completion", "span", "choice"])
    assert plain["total"] < span["total"] < both["total"]
    assert both["parts"]["eval choice (per model)"] > 0 and both["parts"]["eval span (per model)"] > 0
    # contrast samples nothing and trains on a few reference leaves per tree: cheaper than tsp
    assert both["parts"]["train contrast (per seed)"] < both["parts"]["train tsp (per seed)"]
    assert est(modes=["completion"], span_n=8)["eval"] == plain["eval"]  # span_n only counts in span mode
    assert est(modes=["span"], span_n=8)["eval"] > est(modes=["span"], span_n=2)["eval"]


def test_estimate_with_two_threads_scales_choice_and_training_not_decoding():
    cfg = load_experiment(CONFIGS / "python.yaml")
    one, two = estimate_minutes(cfg, threads=1), estimate_minutes(cfg, threads=2)
    assert one["threads"] == 1 and two["threads"] == 2
    assert two["parts"]["eval choice (per model)"] < one["parts"]["eval choice (per model)"]
    assert two["parts"]["train tsp (per seed)"] < one["parts"]["train tsp (per seed)"]
    assert two["parts"]["eval span (per model)"] == one["parts"]["eval span (per model)"]  # decoding: no gain
    assert estimate_minutes(cfg)["total"] == one["total"]  # threads unset in the config: one thread assumed
    # python.yaml ran with 2 threads in 114.3 min (results/python/results.json): the estimate is within 10%
    import json

    measured = json.loads((ROOT / "results" / "python" / "results.json").read_text())["wall_seconds_total"] / 60
    assert abs(two["total"] - measured) < 0.1 * measured


def test_quick_overrides_cut_every_budget_but_not_the_design():
    cfg = load_experiment(CONFIGS / "python.yaml")
    q = load_experiment(CONFIGS / "python.yaml", quick=True)
    assert q.model == "tiny-random" and q.seeds == cfg.seeds[:1] and q.methods == cfg.methods
    assert q.eval.modes == cfg.eval.modes and q.report.analyses == cfg.report.analyses
    assert q.run.suite == cfg.run.suite and q.run.max_tasks == 2
    for m in q.methods:
        from sectree.experiment.runner import run_config

        rc = run_config(q, m, 0)
        if rc is not None:
            assert rc.rounds == 1 and rc.tree.leaf_budget <= 2 and rc.update.epochs == 1
    # --set on top of --quick wins
    q2 = load_experiment(CONFIGS / "python.yaml", {"eval.span_n": 2}, quick=True)
    assert q2.eval.span_n == 2
    assert quick_overrides(cfg)["share"] == ""


def test_select_hparams_prefers_validation_then_regularisation():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from select_hparams import choose, split

    runs = [{"lr": 1e-3, "epochs": 3, "alpha": 1.0, "validation": 0.60, "fit": 1.0},
            {"lr": 1e-4, "epochs": 3, "alpha": 1.0, "validation": 0.58, "fit": 0.7},
            {"lr": 1e-4, "epochs": 1, "alpha": 4.0, "validation": 0.55, "fit": 0.5}]
    assert choose(runs, tie=0.0)["lr"] == 1e-3  # the best validation rate, not the best fit... (same here)
    assert choose(runs, tie=0.03) == runs[1]  # within the tie: the lower lr
    assert choose(runs, tie=0.1) == runs[2]  # then fewer epochs
    runs[0]["fit"] = 0.1
    assert choose(runs, tie=0.0) == runs[0]  # fit is never the criterion
    tasks = [type("T", (), {"id": f"t{i}"})() for i in range(10)]
    fit, val = split(tasks, 3, seed=0)
    assert len(val) == 3 and not {t.id for t in fit} & {t.id for t in val}
    assert [t.id for t in split(tasks, 3, seed=0)[1]] == [t.id for t in val]


def test_select_hparams_ties_on_w_function_go_to_the_default_then_the_lower_weight():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from select_hparams import _weights, choose

    from sectree.settings import TrainConfig

    base = {"lr": 3e-4, "epochs": 3, "alpha": 1.0, "fit": 0.7}
    runs = [{**base, "w_function": 1.0, "validation": 0.40},
            {**base, "w_function": 0.0, "validation": 0.35},
            {**base, "w_function": 0.5, "validation": 0.30}]
    assert choose(runs, tie=0.0) == runs[0]  # the best validation rate, whatever its weight
    assert choose(runs, tie=0.06) == runs[1]  # a tie between 1.0 and 0.0 (no default among them): the lower
    assert choose(runs, tie=0.11, default_w_function=0.5) == runs[2]  # the documented default wins a tie
    assert choose(runs, tie=0.11, default_w_function=1.0) == runs[0]  # ... whichever it is
    assert choose(runs, tie=0.11)["w_function"] == TrainConfig.w_function  # TrainConfig's default by default
    # the other keys come first: a higher alpha (more regularised) beats the default weight
    runs.append({**base, "alpha": 4.0, "w_function": 1.0, "validation": 0.30})
    assert choose(runs, tie=0.11) == runs[3]
    # a sweep from before the option (no w_function key) ran with the default
    assert choose([{**base, "validation": 0.3}, {**base, "w_function": 0.0, "validation": 0.3}], tie=0.0) == \
        {**base, "validation": 0.3}
    assert _weights("0,0.5,1") == [0.0, 0.5, 1.0]
    for bad in ("0,x", "-1"):
        with pytest.raises(argparse.ArgumentTypeError):
            _weights(bad)


# ------------------------------------------------------------------------------------------ --quick per config


@pytest.fixture(scope="module")
def rows_file(tmp_path_factory) -> Path:
    """SafeCoder-format rows standing in for ../shared/data (not part of a clone): Python and C fixes."""
    d = tmp_path_factory.mktemp("safecoder") / "train"  # the folder name gives the rows the train split
    d.mkdir()
    f = d / "rows.jsonl"
    f.write_text("\n".join([row(PY_BEFORE, PY_AFTER), row(PY2_BEFORE, PY2_AFTER, "cwe-078"),
                            row(C_BEFORE, C_AFTER, "cwe-787", "name.c")]) + "\n")
    return f


def _swap_safecoder(config: Path, rows: Path) -> dict:
    """Overrides pointing the config's SafeCoder training suite at ``rows`` (same subset size, capped)."""
    train = yaml.safe_load(config.read_text())["run"]
    suites = train["suite"] if isinstance(train["suite"], list) else [train["suite"]]
    old = [s for s in suites if s.startswith("safecoder:")]
    if not old:
        return {}
    new = f"safecoder:{rows}"
    return {"run.suite": [new if s in old else s for s in suites],
            "run.suite_tasks": {new: 2 for s in train.get("suite_tasks", {}) if s in old}}


def _choice_decisions(cfg) -> int:
    from sectree.tasks.decisions import decisions

    return sum(len(decisions(t)) for name, g in eval_parts(cfg, 0).items() if name.startswith("choice")
               for t in select_tasks(g.suite, g.split, g.language, g.cwes))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["python", "unseen-cwe", "transfer-c"])
def test_quick_run_of_each_config(tmp_path, rows_file, name):
    """`sectree experiment <config> --quick`: the whole design on tiny-random; the report's structure, choice on
    every decision, and every number equal to the per-sample records'."""
    from sectree.experiment.choice_report import read_choice_records
    from sectree.experiment.report import read_records, recompute
    from sectree.experiment.runner import run_experiment

    path = CONFIGS / f"{name}.yaml"
    cfg = load_experiment(path, _swap_safecoder(path, rows_file), quick=True)
    out = tmp_path / name
    res = run_experiment(cfg, out, quiet=True, say=lambda m: None, config_file=str(path))
    # structure: every method, every sampled mode, the analyses, the choice block and its comparisons
    assert res["methods"] == cfg.methods and len(res["runs"]) == len(cfg.methods) * len(cfg.seeds)
    gen = [m for m in cfg.eval.modes if m != "choice"]
    assert res["modes"] == gen and "choice" in cfg.eval.modes and "span" in gen
    assert set(res["analyses"]) == set(cfg.report.analyses)
    ch = res["choice"]
    assert set(ch["per_method"]) == set(cfg.methods)
    want = _choice_decisions(cfg) * len(cfg.seeds)  # choice scores every decision, whatever gen_cwes cut
    assert all(p["n_decisions"] == want for p in ch["per_method"].values())
    for m in cfg.methods:
        if m != "base":
            o = ch["comparisons"][f"{m} vs base"]["overall"]
            for k in ("diff", "ratio", "unsafe_reduction"):
                assert set(o[k]) == {"value", "ci"}
    if "sft" in cfg.methods:
        assert f"{cfg.report.method} vs sft" in ch["comparisons"]
    langs = set(cfg.eval.languages) - {None}
    if langs:
        assert set(ch["per_method"]["base"]["by_language"]) == langs
    md = (out / "report.md").read_text()
    assert "## Forced choice" in md and "### Mode: span" in md and "unsafe-choice reduction" in md
    # every number equals the records': recompute from samples.jsonl.gz and choices.jsonl.gz
    samples, choices = read_records(out), read_choice_records(out)
    assert sum(len(v) for v in choices.values()) == want * len(cfg.methods)
    again = recompute(json.loads((out / "results.json").read_text()), samples, choices)
    saved = json.loads((out / "results.json").read_text())
    assert again["table"] == saved["table"] and again["choice"] == saved["choice"]
    assert {k: v["data"] for k, v in again["analyses"].items()} == {k: v["data"] for k, v in saved["analyses"].items()}
    assert [r["metrics"] for r in again["runs"]] == [r["metrics"] for r in saved["runs"]]
    # a tampered record changes the recomputed choice block (the check above can fail)
    rid = next(iter(choices))
    choices[rid][0]["secure_preferred"] = not choices[rid][0]["secure_preferred"]
    assert recompute(saved, samples, choices)["choice"] != saved["choice"]
    if "contrast" in cfg.methods:
        rc = json.loads((out / "runs" / f"contrast-s{cfg.seeds[0]}" / "config.json").read_text())
        assert rc["tree"]["opponents"] == ["reference"]


def test_cli_quick_dry_run_prints_every_part(rows_file):
    import subprocess

    path = CONFIGS / "transfer-c.yaml"
    sets = [x for k, v in _swap_safecoder(path, rows_file).items() for x in ("--set", f"{k}={json.dumps(v)}")]
    r = subprocess.run([sys.executable, "-m", "sectree", "experiment", str(path), "--quick", "--dry-run", *sets],
                       capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "eval part choice-go:" in r.stdout and "every decision scored" in r.stdout
    assert "runs/experiments/transfer-c-quick" in r.stdout and "train tsp (per seed)" in r.stdout



@pytest.mark.slow
def test_choice_records_of_the_same_model_are_copied_not_recomputed(tmp_path, monkeypatch):
    """base at seeds 0 and 1: choice is deterministic, so the second evaluation copies the first's records."""
    import sectree.evaluate.choice as choice
    from sectree.experiment.runner import run_experiment

    calls = []
    real = choice.score_choices
    monkeypatch.setattr(choice, "score_choices", lambda *a, **k: calls.append(1) or real(*a, **k))
    cfg = load_experiment(CONFIGS / "quick.yaml", {"methods": ["base"], "seeds": [0, 1],
                                                    "eval.modes": ["completion", "choice"]})
    said = []
    res = run_experiment(cfg, tmp_path / "q", quiet=True, say=said.append)
    assert len(calls) == 1 and any("base-s1: choice: the same model's records copied" in m for m in said)
    a, b = ((tmp_path / "q" / "evals" / f"base-s{s}" / "choices.jsonl.gz").read_bytes() for s in (0, 1))
    assert a == b and res["choice"]["per_method"]["base"]["n_decisions"] == 2 * _choice_decisions(cfg)
    # the report's wall time counts choice scoring beside sampling and judging
    runs = res["runs"]
    assert runs[0]["eval"]["choice_seconds"] > 0.05
    assert res["wall_seconds_total"] == round(sum(r["eval"]["generate_seconds"] + r["eval"]["judge_seconds"]
                                                  + r["eval"]["choice_seconds"] for r in runs), 1)


@pytest.mark.slow
def test_select_hparams_runs_on_held_out_train_tasks_only(tmp_path):
    """benchmarks/select_hparams.py end to end on tiny-random: reference-leaf trees of 4 Python train tasks, a
    2-setting grid; the validation tasks are train-split tasks without training pairs, never test tasks."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import select_hparams

    from sectree.oracle import Oracle, OracleConfig
    from sectree.policy import load_policy
    from sectree.tree.build import TreeConfig, build_trees
    from sectree.tree.model import PairRule, save_trees

    tasks = select_tasks("builtin:python", "train", None)[:4]
    policy = load_policy("tiny-random")
    oracle = Oracle(OracleConfig())
    try:
        trees = build_trees(policy, tasks, oracle, TreeConfig(opponents=["reference"], strategies=["diff"]),
                            pair_mode=PairRule.ORACLE, model_spec="tiny-random")
    finally:
        oracle.close()
    save_trees(tmp_path / "trees.jsonl", trees)
    out = tmp_path / "hp.json"
    res = select_hparams.main(["--trees", str(tmp_path / "trees.jsonl"), "--model", "tiny-random", "--lrs", "1e-4,1e-2",
                               "--epochs", "1", "--alphas", "1", "--held-out", "1", "--out", str(out)])
    saved = json.loads(out.read_text())
    assert len(saved["runs"]) == 2 and saved["chosen"]["validation"] == max(r["validation"] for r in saved["runs"])
    test_ids = {t.id for t in select_tasks("builtin:python", "test", None)}
    assert len(saved["validation_tasks"]) == 1 and not set(saved["validation_tasks"]) & test_ids
    assert not set(saved["validation_tasks"]) & set(saved["fit_tasks"])
    assert res["chosen"]["beats_theta0"] == (res["chosen"]["validation"] > res["before"]["validation"])
    # experiment-sized draws: each setting trained twice on 2 of the 3 fit trees (the same draws for every setting)
    res = select_hparams.main(["--trees", str(tmp_path / "trees.jsonl"), "--model", "tiny-random", "--lrs", "1e-4,1e-2",
                               "--epochs", "1", "--alphas", "1", "--held-out", "1", "--fit-trees", "2", "--draws", "2",
                               "--out", str(out)])
    assert len(res["draws"]) == 2 and all(len(d) == 2 and set(d) <= set(res["fit_tasks"]) for d in res["draws"])
    for run in res["runs"]:
        assert len(run["per_draw"]) == 2
        assert run["validation"] == pytest.approx(sum(r["validation"] for r in run["per_draw"]) / 2)
        assert run["w_function"] == 0.5 and run["w_security"] == 1.0  # without --w-functions: TrainConfig's
    # --w-functions: alpha × w_function settings, each recorded (w_function 0 trains only the security pairs)
    import torch

    threads = torch.get_num_threads()  # --threads sets it process-wide: give the next tests theirs back
    try:
        res = select_hparams.main(["--trees", str(tmp_path / "trees.jsonl"), "--model", "tiny-random", "--lrs", "1e-2",
                                   "--epochs", "1", "--alphas", "1", "--w-functions", "0,1", "--held-out", "1",
                                   "--threads", "1", "--out", str(out)])
    finally:
        torch.set_num_threads(threads)
    assert [(r["alpha"], r["w_function"]) for r in json.loads(out.read_text())["runs"]] == [(1.0, 0.0), (1.0, 1.0)]
    assert res["torch_threads"] == 1 and "w_function" in res["chosen"]
    with pytest.raises(SystemExit, match="--fit-trees must be between 1 and 3"):
        select_hparams.main(["--trees", str(tmp_path / "trees.jsonl"), "--model", "tiny-random", "--held-out", "1",
                             "--fit-trees", "9", "--out", str(out)])
