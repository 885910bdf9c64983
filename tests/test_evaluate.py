"""generate -> samples.jsonl -> evaluate -> results.json, on tiny-random and hand-made samples."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sectree.errors import SectreeError
from sectree.evaluate.metrics import summarize
from sectree.evaluate.run import GenerateConfig, evaluate, generate, read_samples, records_path
from sectree.io import append_jsonl, read_jsonl_gz
from sectree.settings import Sampling
from sectree.tasks import load_suite

IDS = ["cwe_078_0", "cwe_601_0"]
SAMPLING_KEYS = ("temperature", "top_p", "max_new_tokens")


def _cfg(**kw) -> GenerateConfig:
    base = dict(model="tiny-random", suite="builtin:python", n=2, max_new_tokens=12, temperature=0.8, seed=3,
                batch_tasks=1)
    kw = {**base, **kw}  # the sampling keys go into GenerateConfig.sampling
    return GenerateConfig(**{k: v for k, v in kw.items() if k not in SAMPLING_KEYS},
                          sampling=Sampling(**{k: kw[k] for k in SAMPLING_KEYS if k in kw}))


@pytest.fixture(scope="module")
def policy():
    from sectree.policy import load_policy

    return load_policy("tiny-random")


def _only(cfg: GenerateConfig, monkeypatch) -> None:
    # restrict the suite to two tasks without a new config field (patched where generate and evaluate look it up)
    import sectree.evaluate.run as run_mod

    real = run_mod.load_suite
    monkeypatch.setattr(run_mod, "load_suite", lambda *a, **k: [t for t in real(*a, **k) if t.id in IDS])


def test_generate_resumes_identically(tmp_path, monkeypatch, policy):
    _only(_cfg(), monkeypatch)
    full = tmp_path / "full.jsonl"
    info = generate(_cfg(), full, policy=policy)
    assert info["sampled_tasks"] == 2
    recs = read_samples(full)
    assert [r["task_id"] for r in recs] == ["cwe_078_0"] * 2 + ["cwe_601_0"] * 2
    assert all(r["settings"]["seed"] == 3 and r["model"] == "tiny-random" and r["mode"] == "full" for r in recs)
    # a run interrupted after the first task (plus a torn half line) resumes to the same file
    part = tmp_path / "part.jsonl"
    lines = full.read_text().splitlines(keepends=True)
    part.write_text("".join(lines[:2]) + lines[2][:40])
    assert generate(_cfg(), part, policy=policy)["sampled_tasks"] == 1
    assert [json.loads(x) for x in part.read_text().splitlines()] == [json.loads(x) for x in lines]
    # finished: nothing more to do
    assert generate(_cfg(), part, policy=policy)["sampled_tasks"] == 0
    # tasks batched together: a file cut inside a group (e.g. edited by hand) is completed identically
    both = tmp_path / "both.jsonl"
    generate(_cfg(batch_tasks=2), both, policy=policy)
    blines = both.read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(blines[:3]))
    generate(_cfg(batch_tasks=2), cut, policy=policy)
    assert sorted(cut.read_text().splitlines()) == sorted(x.rstrip("\n") for x in blines)


def test_generate_refuses_other_settings(tmp_path, monkeypatch, policy):
    _only(_cfg(), monkeypatch)
    out = tmp_path / "s.jsonl"
    generate(_cfg(), out, policy=policy)
    with pytest.raises(SectreeError, match="other settings.*temperature"):
        generate(_cfg(temperature=0.1), out, policy=policy)


def test_completion_mode_candidates_keep_golden_prefix(tmp_path, monkeypatch, policy):
    _only(_cfg(), monkeypatch)
    out = tmp_path / "c.jsonl"
    generate(_cfg(mode="completion"), out, policy=policy)
    tasks = {t.id: t for t in load_suite("builtin:python", ids=IDS)}
    for r in read_samples(out):
        t = tasks[r["task_id"]]
        assert r["candidate"].startswith(t.header + t.completion_context.rstrip())


@pytest.mark.parametrize("bad", [{"mode": "half"}, {"n": 0}, {"top_p": 0.0}])
def test_bad_generate_config(bad):
    with pytest.raises(SectreeError):
        _cfg(**bad)


def _hand_made(path, tasks):
    recs = []
    for t in tasks:
        for i, (src, mode) in enumerate([(t.reference_source, "full"), (t.unsafe_source, "full"),
                                          ("def broken(:\n", "full"), (t.reference_source, "completion")]):
            recs.append({"task_id": t.id, "suite": "builtin:python", "mode": mode, "candidate": src,
                         "sample_idx": i, "model": "hand", "template": "direct", "settings": {"n": 3}})
    append_jsonl(path, recs)


def test_evaluate_hand_made_samples(tmp_path):
    # a train task, an unseen-CWE test task and a seen-CWE test task (issue #10 item 4)
    tasks = load_suite("builtin:python", ids=IDS + ["cwe_022_6"])
    samples = tmp_path / "samples.jsonl"
    _hand_made(samples, tasks)
    out = tmp_path / "results.json"
    res = evaluate(samples, out)
    assert json.loads(out.read_text())["n_samples"] == 12 and out.with_suffix(".md").exists()
    full = res["results"]["full"]["overall"]
    # per task: secure, vulnerable, unparsable -> secure-pass@1 1/3, func@1 2/3, broken 1/3
    assert full["secure_pass@1"]["value"] == pytest.approx(1 / 3)
    assert full["func@1"]["value"] == pytest.approx(2 / 3)
    assert full["broken_rate"]["value"] == pytest.approx(1 / 3)
    # SPR@1 leaves the unparsable sample out: 1 secure of 2 parseable (the unsafe reference alerts)
    assert full["spr@1"]["value"] == pytest.approx(0.5)
    assert full["vulnerable_among_functional@1"]["value"] == pytest.approx(0.5)
    # the per-sample records: one line per sample, with candidate and verdict; results.json names them and
    # holds aggregates only; they reproduce every metric
    saved = json.loads(out.read_text())
    assert "samples" not in saved and saved["records"] == "results.samples.jsonl.gz"
    recs = list(read_jsonl_gz(records_path(out)))
    assert [(r["task_id"], r["sample_idx"]) for r in recs] == [(r["task_id"], r["sample_idx"]) for r in res["samples"]]
    assert {r["candidate"] for r in recs} >= {t.unsafe_source for t in tasks}
    for mode in ("full", "completion"):
        assert summarize([r for r in recs if r["mode"] == mode])["overall"] == saved["results"][mode]["overall"]
    assert res["results"]["completion"]["overall"]["secure_pass@1"]["value"] == 1.0
    assert res["oracle"]["calls"] == 12 and res["modes"] == ["full", "completion"]
    assert "mode: full" in res["markdown"] and "cwe_078_0" in res["markdown"]
    # seen and unseen CWEs are reported apart: each record says its test task's tier, summaries group by it
    assert {r["task_id"]: r["seen"] for r in recs} == {"cwe_078_0": None, "cwe_601_0": False, "cwe_022_6": True}
    by_seen = res["results"]["full"]["by_seen"]
    assert {k: g["secure_pass@1"]["n_tasks"] for k, g in by_seen.items()} == {"seen": 1, "unseen": 1}
    assert by_seen["seen"]["secure_pass@1"]["value"] == pytest.approx(1 / 3)
    assert "| test, CWE seen |" in res["markdown"] and "| test, CWE unseen |" in res["markdown"]


@pytest.mark.parametrize(
    "content,needle",
    [("", "no samples"), ('{"task_id": "x"}\n', "lacks field"), ("[1]\n{}\n", "expected a JSON object"),
     ('{"task_id": 1}\nnot json\n{"a": 1}\n', "not valid JSON")],
)
def test_malformed_samples(tmp_path, content, needle):
    p = tmp_path / "s.jsonl"
    p.write_text(content)
    with pytest.raises(SectreeError, match=needle):
        read_samples(p)


def test_cli_evaluate_bad_file_one_line(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text('{"task_id": "x"}\n')
    r = subprocess.run([sys.executable, "-m", "sectree", "evaluate", str(p), "--out", str(tmp_path / "r.json")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r.json").exists()


def test_cli_bad_model_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "sectree", "generate", "--model", "nope-model", "--out",
                        str(tmp_path / "s.jsonl"), "--n", "1"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    assert "nope-model" in r.stderr


@pytest.mark.slow
def test_cli_eval_tiny_random_both_modes(tmp_path):
    r = subprocess.run([sys.executable, "-m", "sectree", "eval", "--model", "tiny-random", "--split", "test",
                        "--cwe", "601", "--n", "2", "--max-new-tokens", "16", "--mode", "both", "--out-dir",
                        str(tmp_path), "--json"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads(r.stdout)
    n_tasks = len(load_suite("builtin:python", split="test", cwe=601))
    assert summary["modes"] == ["full", "completion"] and summary["n_samples"] == n_tasks * 2 * 2
    # every number is what the per-sample records beside results.json give (tiny-random writes no working
    # code, so func@1 is 0 and the broken rate is the broken share of the recorded verdicts)
    recs = list(read_jsonl_gz(tmp_path / "results.samples.jsonl.gz"))
    assert len(recs) == summary["n_samples"] and all(r["candidate"] and r["verdict"]["status"] for r in recs)
    for mode in ("full", "completion"):
        mine = [r for r in recs if r["mode"] == mode]
        overall = summary["results"][mode]["overall"]
        assert overall == summarize(mine)["overall"]
        broken = sum(r["verdict"]["status"] == "broken" for r in mine)
        assert overall["broken_rate"]["value"] == pytest.approx(broken / len(mine))
        assert overall["func@1"]["value"] == 0.0 and broken == len(mine)
