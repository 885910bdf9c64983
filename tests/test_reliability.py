"""Long runs survive faults: SIGKILL at random moments, torn and corrupted records, a full disk, a damaged checkpoint.

The kill test is benchmarks/fault_bench.py at a small size (5 kills); the script runs 20+ (docs/reliability.md).
All on configs/experiments/quick.yaml (tiny-random), whose runs are deterministic.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUICK = ROOT / "configs" / "experiments" / "quick.yaml"

_spec = importlib.util.spec_from_file_location("fault_bench", ROOT / "benchmarks" / "fault_bench.py")
fault_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fault_bench)

pytestmark = pytest.mark.slow


def experiment(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(fault_bench.command(QUICK, out), cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "run"
    r = experiment(out)
    assert r.returncode == 0, r.stderr[-2000:]
    return out


def copy_run(reference: Path, tmp_path: Path) -> Path:
    out = tmp_path / "run"
    shutil.copytree(reference, out)
    return out


def same_as_reference(reference: Path, out: Path) -> str | None:
    """First difference of two finished runs; paths are made relative to each run's folder (a copied run still
    names the reference's checkpoint in final.json: that path is the copy's own as far as results go)."""
    a = fault_bench.snapshot(reference)
    b = fault_bench.normalise(fault_bench.snapshot(out), str(reference))
    return fault_bench.first_difference(a, b)


def test_normalise_keeps_what_matters():
    # the candidate's text must survive normalisation ("candidate" contains "date"): only clocks and paths go
    rec = {"candidate": "x = 1", "judge_seconds": 1.2, "train/wall_s": 3, "dir": "/o/evals", "timings": {"a": 1}}
    assert fault_bench.normalise(rec, "/o") == {"candidate": "x = 1", "dir": "<out>/evals"}
    assert fault_bench.first_difference({"a": [1]}, {"a": [2]}) == "a differs"


def test_sigkill_at_random_moments_then_resume_equals_uninterrupted(tmp_path):
    res = fault_bench.inject(QUICK, kills=5, seed=1, work=tmp_path, log=lambda *_: None)
    assert res["kills"] >= 5
    bad = [r for r in res["runs"] if not r["equal_to_reference"]]
    assert not bad, bad


def test_torn_last_line_of_samples_is_recovered(reference, tmp_path):
    out = copy_run(reference, tmp_path)
    samples = out / "evals" / "base-s0" / "samples-full.jsonl"
    text = samples.read_text()
    samples.write_text(text[: len(text) - 7])  # the last record cut short, as by a crash mid-append
    (out / "evals" / "base-s0" / "results.json").unlink()
    (out / "results.json").unlink()
    r = experiment(out)
    assert r.returncode == 0, r.stderr[-2000:]
    assert same_as_reference(reference, out) is None


@pytest.mark.parametrize("rel", ["runs/tsp-s0/round-1/trees.jsonl", "evals/base-s0/samples-full.jsonl"])
def test_corrupted_record_in_the_middle_is_one_error_naming_file_and_line(reference, tmp_path, rel):
    out = copy_run(reference, tmp_path)
    path = out / rel
    lines = path.read_text().splitlines(keepends=True)
    assert len(lines) >= 2
    lines[0] = '{"not json\n'
    path.write_text("".join(lines))
    # make the run read the file again: drop what was computed from it
    shutil.rmtree(out / "evals")
    (out / "results.json").unlink()
    if "round-1" in rel:
        (out / "runs" / "tsp-s0" / "round-1" / "stats.json").unlink()
        (out / "runs" / "tsp-s0" / "stats.jsonl").unlink()
        (out / "runs" / "tsp-s0" / "final.json").unlink()
        shutil.rmtree(out / "runs" / "tsp-s0" / "round-1" / "checkpoint")
    r = experiment(out)
    if r.returncode == 0:  # recovered: then it must have recomputed exactly the reference
        assert same_as_reference(reference, out) is None
    else:
        assert r.returncode == 2, r.stderr[-2000:]
        err = r.stderr.strip().splitlines()  # progress lines, then the one error line
        assert err[-1].startswith("error: ") and f"{path}:1" in err[-1], err[-3:]
        assert not any(line.startswith(("Traceback", "error: ")) for line in err[:-1]), err


def test_damaged_checkpoint_is_one_error_naming_it(tmp_path):
    out = tmp_path / "run"  # a run of its own: a copied run's final.json still names the original's checkpoint
    assert experiment(out).returncode == 0
    ckpt = out / "runs" / "tsp-s0" / "round-1" / "checkpoint"
    weights = ckpt / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    shutil.rmtree(out / "evals" / "tsp-s0")
    (out / "results.json").unlink()
    r = experiment(out)
    assert r.returncode == 2, r.stderr[-2000:]
    err = r.stderr.strip().splitlines()  # progress lines, then the one error line
    assert err[-1].startswith("error: ") and str(ckpt) in err[-1], err[-3:]
    assert not any(line.startswith(("Traceback", "error: ")) for line in err[:-1]), err


def test_full_disk_is_one_error_and_nothing_half_written(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        r = experiment(mnt / "run")
        assert r.returncode == 2, r.stderr[-2000:]
        err = r.stderr.strip().splitlines()
        assert err[-1].startswith("error: ") and "no space left on device" in err[-1], err[-3:]
        assert not any(line.startswith("Traceback") for line in err)
        leftovers = [p for p in mnt.rglob("*") if p.name.endswith(".tmp") or ".tmp." in p.name]
        assert not leftovers, leftovers
    finally:
        subprocess.run(["umount", str(mnt)], check=False)
