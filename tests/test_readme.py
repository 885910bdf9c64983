"""The README's generated results blocks equal what the committed results/<name>/ give (recomputed from the
per-sample records where an experiment has them)."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("readme_results", ROOT / "tools" / "readme_results.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_readme_results_blocks_match_results_json():
    tool = _tool()
    text = (ROOT / "README.md").read_text()
    names = [m["name"] for m in tool.BLOCK.finditer(text)]
    assert "python" in names  # the headline experiment is reported
    assert tool.render(text) == text


def test_every_percentage_in_a_block_comes_from_its_results():
    from sectree.experiment.report import columns

    tool = _tool()
    for m in tool.BLOCK.finditer((ROOT / "README.md").read_text()):
        if m["name"] == "claims":  # the claims table: tests/test_claims.py
            continue
        res = tool.load(m["name"])  # recomputed from the per-sample records where there are some
        keys = [k for _, k in columns(res)]
        for mode in res["modes"]:
            for method in res["methods"]:
                ov = res["table"][mode][method]["overall"]
                row = re.search(rf"^\| {re.escape(method)} \| (\d+) \| (\d+) \| (.*) \|$",
                                m["body"].split(f"Mode: {mode}")[1], re.M)
                assert row, (m["name"], mode, method)
                assert int(row[2]) == res["table"][mode][method]["n_samples"]
                cells = [c.strip() for c in row[3].split("|")]
                assert len(cells) == len(keys)
                for cell, key in zip(cells, keys):
                    v = ov[key]["value"]
                    assert cell == "–" if v is None else abs(float(cell.split(" ")[0]) - 100 * v) < 0.051, key


def test_blocks_are_recomputed_from_per_sample_records(tmp_path):
    """A version-2 experiment folder: its README block is a function of samples.jsonl.gz (change one verdict and
    the block changes), equal to what write_report put in results.json; without the records it is an error."""
    import gzip
    import json

    import pytest

    from sectree.experiment import EvalSpec, ExperimentConfig, ReportSpec
    from sectree.experiment.report import RECORDS, readme_md, write_report

    from tests.test_experiment import _fake_eval

    cfg = ExperimentConfig(name="t", methods=["base", "tsp"], seeds=[0], eval=EvalSpec(modes=["full"], n=2),
                           report=ReportSpec(analyses=["transfer"], trees=0))
    data = {"base": {"cwe_001_0": ["vulnerable", "broken"], "cwe_002_0_go": ["vulnerable", "secure"]},
            "tsp": {"cwe_001_0": ["secure", "vulnerable"], "cwe_002_0_go": ["secure", "broken"]}}
    records = []
    for m, st in data.items():
        f = tmp_path / "evals" / f"{m}-s0" / "results.json"
        _fake_eval(f, st)
        records.append({"id": f"{m}-s0", "method": m, "seed": 0, "model_spec": "m", "train": {},
                        "eval": {"results_file": str(f), "settings": {"full": {"cwes": []}}, "oracle_calls": 4,
                                 "tokens": 7, "generate_seconds": 3.0, "judge_seconds": 1.0}})
    root = tmp_path / "results"
    res = write_report(cfg, root / "t", records)
    assert res["metrics_version"] == 2 and (root / "t" / RECORDS).is_file()
    tool = _tool()
    text = "x\n<!-- results:t -->\nold\n<!-- /results:t -->\n"
    block = tool.render(text, root)
    assert block == "x\n<!-- results:t -->\n\n" + readme_md(res) + "<!-- /results:t -->\n"
    assert "superseded" not in block and "vulnerable among functional@1" in block
    # flip one of base's vulnerable samples to secure in the records: the block follows the records
    recs = [json.loads(x) for x in gzip.open(root / "t" / RECORDS, "rt")]
    i = next(i for i, r in enumerate(recs) if r["run"] == "base-s0" and r["verdict"]["status"] == "vulnerable")
    recs[i]["verdict"] = {**recs[i]["verdict"], "status": "secure",
                          "tests": [{**t, "outcome": "passed"} for t in recs[i]["verdict"]["tests"]]}
    with gzip.open(root / "t" / RECORDS, "wt") as f:
        f.writelines(json.dumps(r) + "\n" for r in recs)
    changed = tool.load("t", root)
    assert changed["table"]["full"]["base"]["overall"]["secure_pass@1"]["value"] == pytest.approx(0.5)
    assert res["table"]["full"]["base"]["overall"]["secure_pass@1"]["value"] == pytest.approx(0.25)
    assert tool.render(text, root) != block
    (root / "t" / RECORDS).unlink()
    with pytest.raises(SystemExit, match="per-sample records"):
        tool.render(text, root)
