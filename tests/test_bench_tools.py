"""The oracle's measuring tools still run (issue #17): `benchmarks/runner_ab.py` and `benchmarks/verdict_profile.py`
were both broken by issue #15's changes to the zygote for hours without any test noticing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs the git checkout")
def test_runner_ab_pairs_two_runners():
    """Today's runner against HEAD's, on one task's two candidates: paired figures, identical outcomes."""
    from sectree.oracle.runners import PYTEST_ARGS

    res = subprocess.run([sys.executable, "benchmarks/runner_ab.py", "--before", "HEAD", "--before-args",
                          " ".join(PYTEST_ARGS), "--limit", "1"], cwd=REPO, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "2 jobs (builtin:python)" in res.stdout, res.stdout
    assert "outcomes differ on: none" in res.stdout, res.stdout


def test_verdict_profile_times_every_phase(tmp_path):
    """One Python task, once per candidate: every phase timed, the real oracle judges as the references say."""
    out = tmp_path / "profile.json"
    res = subprocess.run([sys.executable, "benchmarks/verdict_profile.py", "--tasks", "cwe_022_0", "--repeat", "1",
                          "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    task = json.loads(out.read_text())["tasks"][0]
    assert task["statuses"] == ["secure", "vulnerable"]
    for phase in ("session start", "test module import", "fixtures", "report channel"):
        assert task["phases"][phase]["cpu_ms"] > 0, phase


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_build_cost_times_the_runners_own_build_and_its_variant(tmp_path):
    """One C task: the oracle's build command and the variant both build, and the record names both."""
    out = tmp_path / "build.json"
    res = subprocess.run([sys.executable, "benchmarks/build_cost.py", "--suite", "builtin:c", "--limit", "1",
                          "--repeat", "1", "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    rec = json.loads(out.read_text())
    [(task, cpu)] = rec["per_task_median_cpu_ms"].items()
    assert rec["variant"] == "with -g" and cpu["oracle"] > 0 and cpu["with -g"] > 0, rec
    bad = subprocess.run([sys.executable, "benchmarks/build_cost.py", "--suite", "builtin:python", "--limit", "1",
                          "--out", str(tmp_path / "x.json")], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert bad.returncode != 0 and "must hold tasks of one of" in bad.stderr and not (tmp_path / "x.json").exists()
