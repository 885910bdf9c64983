"""The README's claims table (sectree.experiment.claims): the verdict rule, and rows that follow the records."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sectree.experiment.claims import claim_rows, claims_md, verdict

ROOT = Path(__file__).resolve().parents[1]


def test_verdict_needs_the_whole_ci_on_one_side():
    assert verdict({"value": 1.2, "ci": [1.01, 1.4]}, 1.0) == "holds"
    assert verdict({"value": 0.8, "ci": [0.6, 0.95]}, 1.0) == "reversed"
    assert verdict({"value": 1.2, "ci": [0.9, 1.4]}, 1.0).startswith("not resolved")
    assert verdict({"value": 0.0, "ci": [0.0, 0.0]}, 0.0).startswith("not resolved")  # no difference at all
    assert verdict({"value": None, "ci": None}, 0.0) == "not measurable"
    assert verdict({"value": 0.03, "ci": [0.01, 0.05]}, 0.0) == "holds"


def test_experiments_without_v2_choice_results_say_so():
    rows = claim_rows(lambda name: None)
    assert [r[2] for r in rows] == ["not yet run (v2)"] * 3
    assert claims_md(lambda name: None).count("\n") == 2 + 3


def test_transfer_rows_pooled_first_then_each_language(monkeypatch):
    """Claim 3 gets a pooled row (every Python, Go and JS decision) and one per language, each with its own
    verdict; the pooled row holding must not make a language's row hold."""
    import sectree.experiment.claims as claims

    def g(a, b, lo, hi):
        return {"a": a, "b": b, "value": b - a, "ci": [lo, hi], "diff": {"value": b - a, "ci": [lo, hi]}}

    cmp = {"overall": g(0.431, 0.471, 0.008, 0.083),
           "by_language": {"python": g(0.48, 0.507, 0.0, 0.08), "go": g(0.333, 0.344, -0.033, 0.067),
                           "js": g(0.5, 0.4, -0.2, -0.01)}}
    monkeypatch.setattr(claims, "_cmp", lambda res, ch, base, method: cmp if base == "base" else None)
    rows = [r for r in claim_rows(lambda name: ({}, {}) if name == "transfer-c" else None) if r[0].startswith("3.")]
    assert [r[0] for r in rows] == ["3. C/C++ training transfers to Python, Go and JS pooled",
                                    "3. C/C++ training transfers to Go", "3. C/C++ training transfers to JavaScript",
                                    "3. C/C++ training transfers to Python"]
    assert [r[3] for r in rows] == ["holds", "not resolved (the CI contains no difference)", "reversed",
                                    "not resolved (the CI contains no difference)"]
    assert rows[0][2] == "secure-choice rate 43.1 → 47.1; Δ +4.0 pp [+0.8, +8.3]"


@pytest.mark.slow
def test_claim_rows_follow_the_choice_records(tmp_path):
    """A quick python experiment (tiny-random): claim 1's rows are the paired tsp-vs-sft / tsp-vs-selfplay
    comparisons of its records; flipping tsp's choices changes the row."""
    out = tmp_path / "python"
    r = subprocess.run([sys.executable, "-m", "sectree", "experiment", str(ROOT / "configs/experiments/python.yaml"),
                        "--quick", "--out", str(out), "--quiet", "--set", "methods=[base,sft,selfplay,tsp]"],
                       capture_output=True, text=True, timeout=900, cwd=ROOT, env={"OMP_NUM_THREADS": "1",
                                                                                   **__import__("os").environ})
    assert r.returncode == 0, r.stderr[-3000:]
    spec = importlib.util.spec_from_file_location("readme_results", ROOT / "tools" / "readme_results.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    res_dir = tmp_path / "results"
    (res_dir / "python").mkdir(parents=True)
    for f in ("results.json", "samples.jsonl.gz", "choices.jsonl.gz"):
        (res_dir / "python" / f).write_bytes((out / f).read_bytes())
    rows = claim_rows(lambda n: tool.load_choice(n, res_dir))
    one = [r for r in rows if r[0].startswith("1.")]
    assert [r[0] for r in one] == ["1. TSP beats SFT", "1. TSP beats unstructured self-play"]
    res = json.loads((out / "results.json").read_text())
    cmp = res["choice"]["comparisons"]["tsp vs sft"]["overall"]
    assert f"ratio {cmp['ratio']['value']:.2f} [" in one[0][2]  # the same number results.json holds
    assert one[0][3] == verdict(cmp["ratio"], 1.0)
    assert [r[2] for r in rows if not r[0].startswith("1.")] == ["not yet run (v2)"] * 2
    # flip every tsp decision: the row must follow the records
    import gzip

    path = res_dir / "python" / "choices.jsonl.gz"
    recs = [json.loads(x) for x in gzip.open(path, "rt")]
    for c in recs:
        if c["method"] == "tsp":
            c["secure_preferred"] = not c["secure_preferred"]
    with gzip.open(path, "wt") as f:
        f.write("".join(json.dumps(c) + "\n" for c in recs))
    assert claim_rows(lambda n: tool.load_choice(n, res_dir))[0][2] != one[0][2]
