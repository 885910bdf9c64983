"""sectree.experiment: config validation, the report's numbers, and quick.yaml end to end on tiny-random."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sectree.errors import SectreeError
from sectree.evaluate.metrics import format_metric, summarize
from sectree.experiment import load_experiment
from sectree.experiment.report import COLUMNS, paired, write_report
from sectree.settings import RunConfig
from sectree.experiment.runner import (
    EvalSpec,
    ExperimentConfig,
    ReportSpec,
    eval_parts,
    unseen_cwes,
)

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs" / "experiments"
URL = re.compile(r"https?://", re.IGNORECASE)


def cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sectree", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, check=False)


# ------------------------------------------------------------------------------------------ config


@pytest.mark.parametrize("name", ["quick", "demo", "python", "unseen-cwe", "transfer-c"])
def test_shipped_configs_load(name):
    cfg = load_experiment(CONFIGS / f"{name}.yaml")
    assert cfg.name == name and cfg.methods and cfg.seeds
    assert eval_parts(cfg, 0)


@pytest.mark.parametrize("body,field", [
    ("name: x\nmethods: [base, tsq]\n", "methods"),
    ("name: x\nevals: {n: 2}\n", "evals"),
    ("name: x\neval: {n: two}\n", "eval.n"),
    ("name: x\neval: {modes: [fulll]}\n", "eval.modes"),
    ("name: x\nrun: {tree: {branchez: 4}}\n", "run.tree.branchez"),
    ("name: x\nrun: {rounds: 0}\n", "run"),
    ("name: x\nrun: {seed: 3}\n", "run.seed"),
    ("name: x\nmethod_train: {sft: {sft_epochs: 2}}\n", "method_train.sft"),
    # per-method overrides are RunConfig fields, checked when the experiment loads (issue 13)
    ("name: x\nmethod_train: {tsp: {roundz: 2}}\n", "method_train.tsp.roundz: unknown field"),
    ("name: x\nmethod_train: {tsp: {update: {lrr: 1}}}\n", "method_train.tsp.update.lrr: unknown field"),
    ("name: x\nmethod_train: {tsp: {update: {lr: -1}}}\n", "method_train.tsp.update.lr=-1.0: must be > 0"),
    ("name: x\nmethod_train: {tsp: {train: {lr: 1}}}\n", "method_train.tsp.train: renamed to method_train.tsp.update"),
    ("name: x\nmethod_train: {base: {rounds: 2}}\n", "method_train.base={'rounds': 2}: base is not trained"),
    ("name: x\nmethod_train: {tsp: {seed: 3}}\n", "method_train.tsp.seed=3: set by the experiment"),
    ("name: x\nmethod_train: {tsp: {update: {seed: 3}}}\n", "method_train.tsp.update.seed=3: set by the experiment"),
    ("methods: [base]\n", "name"),
    ("name: x\nreport: {analyses: [nope]}\n", "report.analyses"),
])
def test_malformed_config_names_the_field(tmp_path, body, field):
    p = tmp_path / "bad.yaml"
    p.write_text(body)
    with pytest.raises(SectreeError) as e:
        load_experiment(p)
    assert f"{p}: {field}" in str(e.value)


def test_cli_typo_in_a_per_method_override_is_one_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\nmethods: [base, tsp]\nmethod_train: {tsp: {update: {epoch: 2}}}\n")
    r = cli("experiment", str(p), "--out", str(tmp_path / "out"), "--dry-run", timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith(f"error: {p}: method_train.tsp.update.epoch: unknown field (known: ")
    assert not (tmp_path / "out").exists()


def test_cli_malformed_config_one_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\nmethods: [base]\neval: {temprature: 0.5}\n")
    r = cli("experiment", str(p), "--out", str(tmp_path / "out"), timeout=120)
    assert r.returncode == 2 and r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    assert "eval.temprature: unknown field" in r.stderr
    assert not (tmp_path / "out").exists()


def test_unseen_cwes_are_test_only(tmp_path):
    cfg = ExperimentConfig(name="u", run=RunConfig(suite="builtin:python"),
                           eval=EvalSpec(suite="builtin:python", split="test", cwes="unseen"))
    from sectree.tasks import CweTier, builtin_root, load_suite

    seen = {c for t in load_suite("builtin:python", split="train") for c in t.cwes}
    got = unseen_cwes(cfg)
    assert got and not set(got) & seen
    # builtin:python's test split holds a seen-CWE tier, which the filter removes, so it is kept: it selects
    # exactly the unseen-CWE tier
    assert all(g.cwes == got for g in eval_parts(cfg, 0).values())
    tests = load_suite("builtin:python", split="test")
    assert {t.id for t in load_suite("builtin:python", split="test", cwe=got)} == {
        t.id for t in tests if t.cwe_tier is CweTier.UNSEEN} != {t.id for t in tests}
    # over both splits the filter removes the train tasks too
    both = ExperimentConfig(name="u", run=RunConfig(suite="builtin:python"),
                            eval=EvalSpec(suite="builtin:python", split=None, cwes="unseen"))
    assert all(g.cwes == got for g in eval_parts(both, 0).values())
    # a suite whose test tasks are all unseen: the filter keeps every task, so it is dropped (a no-op), which
    # makes these parts equal an unfiltered evaluation's (and shareable with it)
    root = tmp_path / "suite"
    root.mkdir()
    for stem in ("cwe_022_0", "cwe_020_0"):
        for kind in ("task", "unsafe", "test"):
            shutil.copy(builtin_root() / "python" / f"{stem}_{kind}.py", root)
    (root / "suite.toml").write_text('[tasks.cwe_022_0]\nsplit = "train"\n[tasks.cwe_020_0]\nsplit = "test"\n')
    spec = f"dir:{root}"
    only = ExperimentConfig(name="u", run=RunConfig(suite=spec), eval=EvalSpec(suite=spec, split="test", cwes="unseen"))
    plain = eval_parts(ExperimentConfig(name="p", eval=EvalSpec(suite=spec, split="test")), 0)
    assert unseen_cwes(only) == [20]
    assert {k: g.settings() for k, g in eval_parts(only, 0).items()} == {k: g.settings() for k, g in plain.items()}


# ------------------------------------------------------------------------------------------ report numbers

def _verdict(status: str, parseable: bool, func: str, sec: str, reason: str = "") -> dict:
    """A verdict dict shaped as the real oracle's Verdict.to_dict() (tests/test_alerts.py checks these shapes
    against real verdicts): one functionality and one security test with the given outcomes."""
    tests = [{"nodeid": "t.py::test_f", "kind": "functionality", "outcome": func, "message": "", "import_error": False},
             {"nodeid": "t.py::test_s", "kind": "security", "outcome": sec, "message": "", "import_error": False}]
    return {"status": status, "parseable": parseable, "reason": reason, "tests": tests, "finding_match": False,
            "failed_security": [] if sec == "passed" else ["t.py::test_s"]}


VERDICTS = {  # status -> what the real oracle returns for such a sample
    "secure": _verdict("secure", True, "passed", "passed"),
    "vulnerable": _verdict("vulnerable", True, "passed", "failed", "security test failed: t.py::test_s"),
    # parseable but does not import: collection error, every expected test 'missing' (listed in failed_security,
    # which is not an alert: metrics version 1 counted it as vulnerable)
    "broken": _verdict("broken", True, "missing", "missing", "collection error: ImportError: cannot import name"),
    "unparseable": _verdict("broken", False, "missing", "missing", "syntax error: line 3: invalid syntax"),
}


def _fake_eval(path: Path, statuses: dict[str, list[str]], mode: str = "full",
               seen: dict[str, bool] | None = None) -> dict:
    samples = [{"task_id": tid, "mode": mode, "template": "direct", "model": "m", "sample_idx": i,
                "language": "go" if tid.endswith("_go") else "python", "cwes": [int(tid.split("_")[1])],
                "split": "test", "family": tid, "seen": (seen or {}).get(tid),
                "verdict": VERDICTS[s]} for tid, sts in statuses.items() for i, s in enumerate(sts)]
    results = {"results": {mode: summarize(samples)}, "samples": samples, "oracle": {"calls": len(samples)},
               "wall_seconds": 1.0, "n_samples": len(samples), "n_tasks": len(statuses)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results))
    return results


def test_report_pools_seeds_and_matches_each_eval(tmp_path):
    """2 methods × 2 seeds of hand-made verdicts: per-seed rows equal each eval's results.json, the pooled table
    equals summarize() over both seeds' samples, and the paired ratio equals the ratio of the pooled values."""
    data = {
        ("sft", 0): {"cwe_001_0": ["secure", "vulnerable"], "cwe_002_0": ["vulnerable", "broken"],
                     "cwe_003_0": ["unparseable", "secure"]},
        ("sft", 1): {"cwe_001_0": ["vulnerable", "vulnerable"], "cwe_002_0": ["secure", "broken"],
                     "cwe_003_0": ["vulnerable", "secure"]},
        ("tsp", 0): {"cwe_001_0": ["secure", "secure"], "cwe_002_0": ["vulnerable", "secure"],
                     "cwe_003_0": ["broken", "secure"]},
        ("tsp", 1): {"cwe_001_0": ["secure", "vulnerable"], "cwe_002_0": ["secure", "secure"],
                     "cwe_003_0": ["unparseable", "vulnerable"]},
    }
    cfg = ExperimentConfig(name="t", methods=["sft", "tsp"], seeds=[0, 1], eval=EvalSpec(modes=["full"], n=2),
                           report=ReportSpec(analyses=["paper-ratio", "vulnerable-reduction"], trees=0))
    records, own = [], {}
    for (m, s), st in data.items():
        f = tmp_path / "evals" / f"{m}-s{s}" / "results.json"
        own[(m, s)] = _fake_eval(f, st)
        records.append({"id": f"{m}-s{s}", "method": m, "seed": s, "model_spec": "m",
                        "train": {"trained": True, "oracle_calls": 10, "tokens_generated": 5, "wall_seconds": 2.0},
                        "eval": {"results_file": str(f), "settings": {"full": {"cwes": []}}, "oracle_calls": 6,
                                 "tokens": 7, "generate_seconds": 3.0, "judge_seconds": 1.0}})
    res = write_report(cfg, tmp_path, records)
    md = (tmp_path / "report.md").read_text()
    saved = json.loads((tmp_path / "results.json").read_text())
    for r in saved["runs"]:
        mine = own[(r["method"], r["seed"])]["results"]["full"]["overall"]
        assert r["metrics"]["full"] == mine
        cells = [format_metric(mine[k]) for _, k in COLUMNS]
        assert f"| {r['method']} | {r['seed']} | full | " + " | ".join(cells) + " |" in md
    for m in ("sft", "tsp"):
        pooled = summarize([x for s in (0, 1) for x in own[(m, s)]["samples"]])["overall"]
        assert saved["table"]["full"][m]["overall"] == pooled
        assert f"| {m} | 3 | 12 | " + " | ".join(format_metric(pooled[k]) for _, k in COLUMNS) + " |" in md
    # hand check: tsp pooled secure-pass@1 = mean over tasks of secure/4 = (3/4 + 3/4 + 1/4) / 3
    assert saved["table"]["full"]["tsp"]["overall"]["secure_pass@1"]["value"] == pytest.approx(7 / 12)
    t, s = saved["table"]["full"]["tsp"]["overall"], saved["table"]["full"]["sft"]["overall"]
    ratio = res["analyses"]["paper-ratio"]["data"]["full"]["spr@1"]
    assert ratio["value"] == pytest.approx(t["spr@1"]["value"] / s["spr@1"]["value"])
    red = res["analyses"]["vulnerable-reduction"]["data"]["full"]["sft"]
    rb, rt = s["alert_rate"]["value"], t["alert_rate"]["value"]
    assert red["value"] == pytest.approx((rb - rt) / rb)
    assert "(rate_baseline − rate_tsp) / rate_baseline" in md and "75.8/57.0 = 1.33" in md
    html = (tmp_path / "report.html").read_text()
    assert not URL.search(html) and 'src="data:image/png;base64,' in html
    assert html.count('<img alt="') == 2  # bars and CWE heat map; no training stats here, so no curves


def test_report_seen_and_unseen_cwes(tmp_path):
    """Issue #10 item 4: the report shows the seen- and unseen-CWE test tiers apart, from the samples' ``seen``."""
    data = {"sft": {"cwe_001_0": ["secure", "vulnerable"], "cwe_002_0": ["vulnerable", "broken"]},
            "tsp": {"cwe_001_0": ["secure", "secure"], "cwe_002_0": ["broken", "broken"]}}
    cfg = ExperimentConfig(name="t", methods=["sft", "tsp"], seeds=[0], eval=EvalSpec(modes=["full"], n=2),
                           report=ReportSpec(trees=0))
    records = []
    for m, st in data.items():
        f = tmp_path / "evals" / f"{m}-s0" / "results.json"
        _fake_eval(f, st, seen={"cwe_001_0": True, "cwe_002_0": False})
        records.append({"id": f"{m}-s0", "method": m, "seed": 0, "model_spec": "m",
                        "train": {"trained": True, "oracle_calls": 1, "tokens_generated": 1, "wall_seconds": 1.0},
                        "eval": {"results_file": str(f), "settings": {"full": {"cwes": []}}, "oracle_calls": 4,
                                 "tokens": 1, "generate_seconds": 1.0, "judge_seconds": 1.0}})
    write_report(cfg, tmp_path, records)
    saved = json.loads((tmp_path / "results.json").read_text())
    by = saved["table"]["full"]["tsp"]["by_seen"]
    assert by["seen"]["secure_pass@1"]["value"] == 1.0 and by["unseen"]["secure_pass@1"]["value"] == 0.0
    assert saved["table"]["full"]["sft"]["by_seen"]["seen"]["secure_pass@1"]["value"] == 0.5
    md = (tmp_path / "report.md").read_text()
    assert "## Seen and unseen CWEs" in md
    for m, tier in [("sft", "seen"), ("sft", "unseen"), ("tsp", "seen"), ("tsp", "unseen")]:
        cells = [format_metric(saved["table"]["full"][m]["by_seen"][tier].get(k)) for _, k in COLUMNS]
        assert f"| {m} | {tier} | 1 | " + " | ".join(cells) + " |" in md
    # without the tier in the samples (records written before it) there is no such section
    for m, st in data.items():
        _fake_eval(tmp_path / "evals" / f"{m}-s0" / "results.json", st)
    write_report(cfg, tmp_path, records)
    assert "Seen and unseen CWEs" not in (tmp_path / "report.md").read_text()


def test_transfer_section_per_language(tmp_path):
    data = {"base": {"cwe_001_0": ["vulnerable", "vulnerable"], "cwe_002_0_go": ["vulnerable", "secure"],
                     "cwe_003_0_go": ["broken", "vulnerable"]},
            "tsp": {"cwe_001_0": ["secure", "vulnerable"], "cwe_002_0_go": ["secure", "secure"],
                    "cwe_003_0_go": ["secure", "vulnerable"]}}
    cfg = ExperimentConfig(name="t", methods=["base", "tsp"], seeds=[0], eval=EvalSpec(modes=["full"], n=2),
                           report=ReportSpec(analyses=["transfer"], trees=0))
    records = []
    for m, st in data.items():
        f = tmp_path / "evals" / f"{m}-s0" / "results.json"
        _fake_eval(f, st)
        records.append({"id": f"{m}-s0", "method": m, "seed": 0, "model_spec": "m", "train": {},
                        "eval": {"results_file": str(f), "settings": {"full": {"cwes": []}}, "oracle_calls": 6,
                                 "tokens": 7, "generate_seconds": 3.0, "judge_seconds": 1.0}})
    res = write_report(cfg, tmp_path, records)
    got = res["analyses"]["transfer"]["data"]["full"]
    assert set(got) == {"python", "go"}
    # go: alert rate base 2/4 (the broken sample did not import: its security tests are missing, no alert;
    # metrics version 1 counted it, 3/4), tsp 1/4 -> Δ = -0.25; secure-pass@1 base (1/2 + 0) / 2, tsp
    # (1 + 1/2) / 2 -> Δ = +0.5
    assert got["go"]["alert_rate"]["value"] == pytest.approx(-0.25)
    assert got["go"]["secure_pass@1"]["value"] == pytest.approx(0.5)
    assert got["python"]["alert_rate"]["value"] == pytest.approx(-0.5)
    md = (tmp_path / "report.md").read_text()
    assert "Transfer: tsp vs base per evaluated language" in md
    assert "| full | go | 4 → 4 | 50.0 [" in md  # parseable samples (the rate's denominator), then the rate
    assert "### Per language, mode: full" in md


def test_paired_ci_contains_value_and_handles_zero():
    a = [{"task_id": f"t{i}", "language": "python", "cwes": [1], "split": "test",
          "verdict": VERDICTS["secure" if i % 2 else "vulnerable"]} for i in range(6)]
    b = [{**x, "verdict": VERDICTS["vulnerable"]} for x in a]
    r = paired(a, b, "alert_rate", "reduction")
    assert r["value"] == pytest.approx(0.5) and r["ci"][0] <= 0.5 <= r["ci"][1]
    assert paired(b, a, "secure_pass@1", "ratio")["value"] == 0.0  # 0 / 0.5 is fine
    assert paired(a, b, "secure_pass@1", "ratio") is None  # 0.5 / 0 is undefined


# ------------------------------------------------------------------------------------------ end to end


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("quick") / "report"
    r = cli("experiment", str(CONFIGS / "quick.yaml"), "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr[-3000:]
    return out, r


@pytest.mark.slow
def test_quick_report_folder(quick):
    out, r = quick
    assert {"results.json", "report.md", "report.html", "runs", "evals", "samples.jsonl.gz"} <= {p.name for p in out.iterdir()}
    res = json.loads((out / "results.json").read_text())
    # the per-sample records reproduce every number the samples determine (what tools/readme_results.py shows)
    from sectree.experiment.report import read_records, recompute

    again = recompute(res, read_records(out))
    assert again["table"] == res["table"] and again["analyses"] == res["analyses"] and again["runs"] == res["runs"]
    assert sum(len(v) for v in read_records(out).values()) == sum(r["eval"]["oracle_calls"] for r in res["runs"])
    assert all((out / "evals" / r["id"] / "results.samples.jsonl.gz").is_file() for r in res["runs"])
    for key in ("config", "machine", "date", "aggregation", "runs", "table", "oracle_calls", "tokens",
                "wall_seconds_total", "modes", "methods", "seeds"):
        assert key in res, key
    assert [x["id"] for x in res["runs"]] == ["base-s0", "tsp-s0"] and res["modes"] == ["full", "completion"]
    assert res["command"] == f"sectree experiment {CONFIGS / 'quick.yaml'} --out {out} --quiet"
    for run in res["runs"]:
        assert {"settings", "oracle_calls", "tokens", "generate_seconds", "judge_seconds"} <= set(run["eval"])
        assert run["eval"]["oracle_calls"] == 4 and run["seed"] == 0
    tsp = res["runs"][1]["train"]
    assert tsp["trained"] and tsp["oracle_calls"] > 0 and tsp["settings"]["method"] == "tsp"
    assert "+lora:" in res["runs"][1]["model_spec"]
    md = (out / "report.md").read_text()
    for mode in ("full", "completion"):
        assert f"### Mode: {mode}" in md
        block = md.split(f"### Mode: {mode}")[1].split("###")[0]
        assert "| method | tasks | samples | secure-pass@1 (95% CI) | SPR@1 (95% CI) | func@1 (95% CI) |" in block
        assert "| base |" in block and "| tsp |" in block and " cores, " in block and "oracle calls: " in block
    html = (out / "report.html").read_text()
    assert not URL.search(html)
    assert '<img alt="' in html and 'src="data:image/png;base64,' in html
    assert "<iframe" in html and "srcdoc=" in html  # example trees from the tsp run
    assert not re.search(r"<(script|link)[^>]*(src|href)=", html.split("srcdoc=")[0])
    assert "report.html" in r.stdout and "| tsp |" in r.stdout


@pytest.mark.slow
def test_quick_numbers_equal_each_evaluation(quick):
    out, _ = quick
    res = json.loads((out / "results.json").read_text())
    md = (out / "report.md").read_text()
    for run in res["runs"]:
        own = json.loads(Path(run["eval"]["results_file"]).read_text())
        assert Path(run["eval"]["results_file"]).parent == out / "evals" / run["id"]
        for mode in ("full", "completion"):
            mine = own["results"][mode]["overall"]
            assert run["metrics"][mode] == mine
            assert res["table"][mode][run["method"]]["overall"] == mine  # one seed: pooled == the run's own
            cells = " | ".join(format_metric(mine[k]) for _, k in COLUMNS)
            assert f"| {run['method']} | 0 | {mode} | {cells} |" in md
            n = own["results"][mode]["n_samples"]
            assert f"| {run['method']} | {own['results'][mode]['n_tasks']} | {n} | {cells} |" in md


@pytest.mark.slow
def test_quick_second_run_recomputes_nothing(quick):
    out, _ = quick
    files = {p: p.stat().st_mtime_ns for d in ("runs", "evals") for p in (out / d).rglob("*") if p.is_file()}
    before = json.loads((out / "results.json").read_text())
    r = cli("experiment", str(CONFIGS / "quick.yaml"), "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr[-3000:]
    assert "tsp-s0: training finished earlier, skipped" in r.stderr
    assert "base-s0: evaluation finished earlier, skipped" in r.stderr and "tsp-s0: evaluation finished earlier" in r.stderr
    after = {p: p.stat().st_mtime_ns for d in ("runs", "evals") for p in (out / d).rglob("*") if p.is_file()}
    assert after == files
    res = json.loads((out / "results.json").read_text())
    assert res["table"] == before["table"] and res["wall_seconds_total"] == before["wall_seconds_total"]
    # other settings in the same folder are refused, naming the field, instead of reusing stale results
    r = cli("experiment", str(CONFIGS / "quick.yaml"), "--out", str(out), "--set", "eval.n=2", timeout=300)
    assert r.returncode == 2 and "other settings" in r.stderr and ".n" in r.stderr


def test_transfer_trains_on_c_and_cpp_only():
    from sectree.experiment import run_config
    from sectree.train.tsp import split_tasks

    cfg = load_experiment(CONFIGS / "transfer-c.yaml")
    rc = run_config(cfg, "tsp", 0)
    assert rc.language == ["c", "cpp"] and rc.seed == rc.tree.seed == rc.update.seed == 0
    train, dev = split_tasks(rc)
    assert {t.language for t in train + dev} <= {"c", "cpp"} and len(train) == rc.max_tasks
    assert all(t.split == "train" for t in train + dev)
    langs = {g.language for g in eval_parts(cfg, 0).values()}
    assert langs == {"python", "go", "js"}


@pytest.mark.slow
def test_share_takes_identical_runs_and_recomputes_the_rest(quick, tmp_path):
    src, _ = quick
    before = json.loads((src / "results.json").read_text())
    out = tmp_path / "shared"
    r = cli("experiment", str(CONFIGS / "quick.yaml"), "--out", str(out), "--quiet", "--set", f"share={src}")
    assert r.returncode == 0, r.stderr[-3000:]
    for rid in ("base-s0", "tsp-s0"):
        assert f"{rid}: evaluation taken from {src / 'evals' / rid} (same settings)" in r.stderr
        assert (out / "evals" / rid / "shared-from.json").is_file()
    assert f"tsp-s0: run taken from {src / 'runs' / 'tsp-s0'}" in r.stderr
    assert "training (tsp" not in r.stderr and "evaluating" not in r.stderr
    res = json.loads((out / "results.json").read_text())
    assert res["table"] == before["table"]
    assert res["shared"]["runs"] == ["tsp-s0"] and res["shared"]["evals"] == ["base-s0", "tsp-s0"]
    assert "Taken from" in (out / "report.md").read_text()
    # other eval settings: the training run is still taken, the evaluations are computed here
    out2 = tmp_path / "partly"
    r = cli("experiment", str(CONFIGS / "quick.yaml"), "--out", str(out2), "--quiet", "--set", f"share={src}",
            "--set", "eval.sampling.temperature=0.5")
    assert r.returncode == 0, r.stderr[-3000:]
    assert "tsp-s0: run taken from" in r.stderr and "base-s0: not taken from" in r.stderr
    assert "base-s0: evaluating" in r.stderr and not (out2 / "evals" / "base-s0" / "shared-from.json").exists()
    # a share folder that does not exist is said, not silently ignored (here everything is already finished)
    r = cli("experiment", str(CONFIGS / "quick.yaml"), "--out", str(out2), "--quiet", "--set",
            f"share={tmp_path / 'nope'}", "--set", "eval.sampling.temperature=0.5")
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"share: {tmp_path / 'nope'} does not exist" in r.stderr


def test_cores_in_use_sees_a_busy_core_now():
    """The auto thread choice looks at the CPU now, not the trailing load average."""
    from sectree.experiment.runner import cores_in_use

    spin = subprocess.Popen([sys.executable, "-c", "import time\nt = time.time() + 3\nwhile time.time() < t: pass"])
    try:
        time.sleep(0.5)
        assert cores_in_use(0.5) >= 0.75
    finally:
        spin.kill()
        spin.wait()


def test_a_resumed_experiment_keeps_the_thread_count_it_started_with(tmp_path, monkeypatch):
    """Float sums depend on the thread count: the auto choice is made once per output folder (threads.json)."""
    import torch

    from sectree.experiment import runner

    before = torch.get_num_threads()
    try:
        monkeypatch.setattr(runner, "cores_in_use", lambda *a, **k: 0.0)  # idle at the first start: all cores
        monkeypatch.setattr("os.cpu_count", lambda: 3)
        assert runner.set_threads(None, tmp_path) == 3
        assert json.loads((tmp_path / "threads.json").read_text()) == {"threads": 3}
        monkeypatch.setattr(runner, "cores_in_use", lambda *a, **k: 2.0)  # busy when resumed: still 3
        assert runner.set_threads(None, tmp_path) == 3 and torch.get_num_threads() == 3
        assert runner.set_threads(None, tmp_path / "other") == 1  # a new folder chooses by the load now
        assert runner.set_threads(2, tmp_path) == 2  # an explicit count wins, and is what a later resume uses
        assert runner.set_threads(None, tmp_path) == 2
        (tmp_path / "threads.json").write_text("{torn")  # a damaged record: chosen again, rewritten
        assert runner.set_threads(None, tmp_path) == 1
        assert json.loads((tmp_path / "threads.json").read_text()) == {"threads": 1}
    finally:
        torch.set_num_threads(before)


def test_set_threads_is_not_undone_by_the_unset_threads_option(tmp_path):
    """`--set threads=1` used to be overwritten by the --threads option's default (None): auto threads ran."""
    from typer.testing import CliRunner

    from sectree import cli as climod

    seen = []
    real = climod._experiment
    climod._experiment = lambda config, out, overrides, *a, **k: seen.append(overrides)
    try:
        runner = CliRunner()
        runner.invoke(climod.app, ["experiment", str(CONFIGS / "quick.yaml"), "--set", "threads=1",
                                   "--set", "workers=3"])
        runner.invoke(climod.app, ["experiment", str(CONFIGS / "quick.yaml"), "--set", "threads=1", "--threads", "2"])
    finally:
        climod._experiment = real
    assert seen[0]["threads"] == 1 and seen[0]["workers"] == 3
    assert seen[1]["threads"] == 2  # the option, when given, wins
