"""Forced-choice (``--mode choice``) and decision-span (``--mode span``) evaluation, batched scoring, SpanStop."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from sectree.evaluate.choice import (
    ChoiceConfig,
    compare_choice,
    records_file,
    run_choice,
    summarize_choice,
    task_contexts,
)
from sectree.policy import load_policy
from sectree.policy.sampling import score
from sectree.policy.scoring import score_many
from sectree.policy.stops import SpanStop
from sectree.tasks import builtin_root, load_suite
from sectree.tasks.decisions import decisions, splice

STEMS = {"python": ["cwe_022_0", "cwe_078_0"], "c": ["cwe_020_0_c"]}


@pytest.fixture(scope="module")
def tiny():
    return load_policy("tiny-random", device="cpu")


def small_suite(root: Path, langs=("python", "c")) -> Path:
    """A dir: suite with a few built-in tasks (their suite.toml entries, so splits and tiers are kept)."""
    import tomllib

    root.mkdir(parents=True, exist_ok=True)
    lines = []
    for lang in langs:
        src = builtin_root() / lang
        manifest = tomllib.loads((src / "suite.toml").read_text())["tasks"]
        for stem in STEMS[lang]:
            for f in src.glob(f"{stem}_*"):
                shutil.copy(f, root / f.name)
            lines.append(f"[tasks.{stem}]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in manifest[stem].items()]
    (root / "suite.toml").write_text("\n".join(lines) + "\n")
    return root


def cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sectree", *args], capture_output=True, text=True, timeout=timeout)


# ---------------------------------------------------------------- batched scoring


def test_score_many_equals_score(tiny):
    g = torch.Generator().manual_seed(0)
    items = []
    shared = torch.randint(3, 250, (40,), generator=g).tolist()
    for n in (5, 17, 40, 9, 1):
        ctx = torch.randint(3, 250, (n,), generator=g).tolist()
        conts = [torch.randint(3, 250, (m,), generator=g).tolist() for m in (1, 4, 13, 0)]
        items.append((ctx, conts))
        # contexts sharing a long prefix (decisions of one task) are grouped: their prefix runs once
        items.append((shared + ctx, conts[::-1]))
    items.append((shared, [[7, 8, 9]]))  # a group member that is the shared prefix itself
    items.append((shared + items[1][0][40:], [[5], [6, 7]]))  # the same context twice
    from sectree.policy.scoring import _groups

    assert max(len(m) for _, m in _groups([c for c, _ in items])) == 7  # the shared-prefix items form one group
    for budget in (10_000, 45, 100):  # one batch; batches of one or two contexts; of a few
        got = score_many(tiny, items, max_batch_tokens=budget)
        assert [len(r) for r in got] == [len(c) for _, c in items]
        for (ctx, conts), res in zip(items, got):
            for cont, lp in zip(conts, res):
                ref = score(tiny, ctx, cont)[0]
                assert lp.shape == ref.shape
                assert torch.allclose(lp, ref, atol=1e-4), (len(ctx), len(cont))
    with pytest.raises(ValueError):
        score_many(tiny, [([], [[5]])])


# ---------------------------------------------------------------- contexts


def test_contexts_are_the_completion_rendering_plus_the_body(tiny):
    for task in load_suite("builtin", ids=["cwe_022_0", "cwe_020_0_c"]):
        for c in task_contexts(tiny, task):
            d = c.decision
            # byte tokens: the boundary is exactly the decision point
            assert c.base == d.prefix
            text = tiny.decode(list(c.ids))
            assert text.endswith(task.prompt.rstrip() + task.prompt[len(task.prompt.rstrip()):] + d.prefix)
            assert tiny.decode(list(c.secure_ids)) == d.secure and tiny.decode(list(c.unsafe_ids)) == d.unsafe
            # the same rendering completion mode gives the model (chat template, fence, healed prompt)
            assert text.startswith(tiny.decode(tiny.encode(c.prompt_text)))


# ---------------------------------------------------------------- metrics


def rec(task, i, pref, margin, lang="python", split="test", seen=True, pref_sum=None):
    return {"task_id": task, "suite": "s", "language": lang, "cwes": [22], "split": split, "tier": None,
            "seen": seen, "variant": 0, "index": i, "secure_logprob": -1.0, "unsafe_logprob": -2.0,
            "secure_tokens": 2, "unsafe_tokens": 2, "margin": margin, "secure_preferred": pref,
            "secure_preferred_sum": pref if pref_sum is None else pref_sum}


def test_summarize_choice_averages_tasks_then_groups():
    records = [rec("a", 0, True, 0.5), rec("a", 1, False, -0.1), rec("b", 0, False, -1.0, lang="c", seen=False),
               rec("c", 0, True, 0.2, split="train", seen=None)]
    s = summarize_choice(records, resamples=200)
    assert s["overall"]["secure_choice_rate"]["value"] == pytest.approx((0.5 + 0 + 1) / 3)
    assert s["overall"]["mean_margin"]["value"] == pytest.approx((0.2 + -1.0 + 0.2) / 3)
    assert s["by_language"]["python"]["secure_choice_rate"]["value"] == pytest.approx(0.75)
    assert s["by_seen"]["seen"]["secure_choice_rate"]["n_tasks"] == 1
    assert s["by_seen"]["unseen"]["secure_choice_rate"]["value"] == 0.0
    assert "train" in s["by_split"] and set(s["by_seen"]) == {"seen", "unseen"}
    lo, hi = s["overall"]["secure_choice_rate"]["ci"]
    assert lo < s["overall"]["secure_choice_rate"]["value"] < hi
    assert s["per_task"]["a"]["decisions"] == 2


def test_compare_choice_is_paired():
    a = [rec(f"t{i}", 0, i % 2 == 0, 0.1 * i) for i in range(20)]
    same = compare_choice(a, a, resamples=300)
    d = same["overall"]["secure_choice_rate"]
    assert d["diff"] == {"value": 0.0, "ci": [0.0, 0.0]} and d["ratio"]["value"] == 1.0
    # b prefers secure on every task: +0.5 with a paired interval that excludes 0
    b = [rec(f"t{i}", 0, True, 0.1 * i + 1) for i in range(20)]
    c = compare_choice(a, b, resamples=500)["overall"]
    assert c["secure_choice_rate"]["diff"]["value"] == pytest.approx(0.5)
    assert c["secure_choice_rate"]["diff"]["ci"][0] > 0
    assert c["secure_choice_rate"]["ratio"]["value"] == pytest.approx(2.0)
    assert c["mean_margin"]["diff"] == {"value": pytest.approx(1.0), "ci": [pytest.approx(1.0), pytest.approx(1.0)]}
    with pytest.raises(ValueError, match="different decisions"):
        compare_choice(a, b[:-1])


# ---------------------------------------------------------------- end to end


def test_choice_end_to_end_tiny_random(tiny, tmp_path):
    suite = small_suite(tmp_path / "suite")
    out = tmp_path / "run" / "results.json"
    res = run_choice(ChoiceConfig(model="tiny-random", suite=f"dir:{suite}", resamples=100), out, policy=tiny)
    tasks = load_suite(f"dir:{suite}")
    n_decisions = sum(len(decisions(t)) for t in tasks)
    assert res["n_decisions"] == n_decisions == len(res["choices"])
    with gzip.open(records_file(out), "rt") as f:
        records = [json.loads(line) for line in f]
    assert records == json.loads(json.dumps(res["choices"]))
    saved = json.loads(out.read_text())
    assert saved["records"] == records_file(out).name
    assert saved["results"]["choice"] == json.loads(json.dumps(summarize_choice(records, resamples=100)))
    assert set(saved["results"]["choice"]["by_language"]) == {"python", "c"}
    # each record's numbers are the policy's own: rescore one decision unbatched
    by_id = {t.id: t for t in tasks}
    r = records[0]
    c = task_contexts(tiny, by_id[r["task_id"]])[r["index"]]
    ls, lu = score(tiny, list(c.ids), list(c.secure_ids))[0], score(tiny, list(c.ids), list(c.unsafe_ids))[0]
    assert r["secure_logprob"] == pytest.approx(float(ls.sum()), abs=1e-3)
    assert r["unsafe_logprob"] == pytest.approx(float(lu.sum()), abs=1e-3)
    assert r["margin"] == pytest.approx(float(ls.mean() - lu.mean()), abs=1e-4)
    assert r["secure_preferred"] == (r["margin"] > 0)
    assert r["secure_tokens"] == len(c.secure_ids) and np.isclose(sum(r["secure_token_logprobs"]), r["secure_logprob"],
                                                                    atol=1e-3)


@pytest.mark.slow
def test_eval_choice_cli_and_errors(tmp_path):
    suite = small_suite(tmp_path / "suite", langs=("python",))
    r = cli("eval", "--mode", "choice", "--model", "tiny-random", "--suite", f"dir:{suite}", "--out-dir",
            str(tmp_path / "run"), "--json")
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout)
    lang = out["results"]["choice"]["by_language"]["python"]["secure_choice_rate"]
    assert lang["n_tasks"] == 2 and len(lang["ci"]) == 2
    # bad input: one error line, exit 2
    r = cli("eval", "--mode", "chioce", "--model", "tiny-random", "--suite", f"dir:{suite}")
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "--mode must be one of" in r.stderr
    r = cli("eval", "--mode", "choice", "--model", f"tiny-random+lora:{tmp_path / 'nope'}", "--suite", f"dir:{suite}",
            "--out-dir", str(tmp_path / "run2"))
    assert r.returncode == 2 and r.stderr.startswith("error: ") and "LoRA adapter" in r.stderr
    (suite / "cwe_078_0_unsafe.py").write_text((suite / "cwe_078_0_task.py").read_text())  # no decision left
    r = cli("eval", "--mode", "choice", "--model", "tiny-random", "--suite", f"dir:{suite}", "--out-dir",
            str(tmp_path / "run3"))
    assert r.returncode == 2 and "no decision to score" in r.stderr and r.stderr.strip().count("\n") == 0
    assert not (tmp_path / "run3" / "results.json").exists()
    (suite / "cwe_078_0_unsafe.py").unlink()
    shutil.copy(suite / "cwe_022_0_test.py", suite / "cwe_078_0_test.py")  # no '<entry>_unsafe' in it either
    r = cli("eval", "--mode", "choice", "--model", "tiny-random", "--suite", f"dir:{suite}")
    assert r.returncode == 2 and "missing unsafe reference" in r.stderr


# ---------------------------------------------------------------- span mode


@pytest.mark.parametrize("language, head, text, rule, expected", [
    # the model writes the newline + indentation the context stopped before
    ("python", "    x = 1", "\n    if bad(x):\n        raise E\n    return x\n", (True, 1), "\n    if bad(x):\n        raise E\n"),
    ("python", "    r = run(", "['ls', p], check=True)\n    return r\n", (False, 1), "['ls', p], check=True)\n"),
    ("c", "    ", "char *e;\n    long n = strtol(s, &e, 10);\n    if (n < 0)", (False, 2), "char *e;\n    long n = strtol(s, &e, 10);\n"),
    ("go", "\t", "if err != nil {\n\t\treturn err\n\t}\n\tf()\n", (True, 1), "if err != nil {\n\t\treturn err\n\t}\n"),
    ("js", "  ", "const x = a;\n```\n", (False, 2), "const x = a;\n"),  # a closing fence ends the span
    ("cpp", "    ", "return 0;\n}\n", (False, 3), "return 0;\n"),  # the model closes the function: span ends
])
def test_span_stop(language, head, text, rule, expected):
    stop = SpanStop(language, rule[0], head=head, statements=rule[1])
    assert text[: stop.cut(text)] == expected
    # streaming: fed a character at a time it fires at the same place
    sc, cut = stop.scanner(), None
    for ch in text:
        cut = sc.feed(ch)
        if cut is not None:
            break
    assert cut == len(expected)


def test_span_program_of_the_golden_span_is_the_reference(tiny):
    from sectree.evaluate.span import program, span_contexts

    tasks = load_suite("builtin", ids=["cwe_022_0", "cwe_078_0", "cwe_020_0_c", "cwe_347_0_go"])
    ctxs = span_contexts(tiny, tasks, "direct")
    assert {c.task.id for c in ctxs} == {t.id for t in tasks}
    for c in ctxs:
        assert program(c, c.decision.secure) == c.task.reference_source
        assert program(c, c.decision.unsafe) != c.task.reference_source
        assert splice(c.task, c.decision, c.decision.secure) == c.task.reference_source


@pytest.mark.slow
def test_eval_span_end_to_end_tiny_random(tmp_path):
    suite = small_suite(tmp_path / "suite", langs=("python",))
    r = cli("eval", "--mode", "span", "--model", "tiny-random", "--suite", f"dir:{suite}", "--n", "2",
            "--max-new-tokens", "24", "--out-dir", str(tmp_path / "run"), "--json")
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout)
    assert out["modes"] == ["span"]
    span = out["results"]["span"]
    n_dec = sum(len({(len(d.prefix), d.secure) for d in decisions(t) if d.aligned})
                for t in load_suite(f"dir:{suite}"))
    assert span["n_samples"] == 2 * n_dec
    samples = [json.loads(line) for line in (tmp_path / "run" / "samples-span.jsonl").read_text().splitlines()]
    by_id = {t.id: t for t in load_suite(f"dir:{suite}")}
    for s in samples:
        t = by_id[s["task_id"]]
        # the candidate is the golden body with the span in place of the secure hunk
        assert s["candidate"].startswith(t.header + t.prompt)
        assert s["candidate"].endswith(t.solution[t.solution.index(s["decision"]["secure"]) + len(s["decision"]["secure"]):]
                                       + t.entrypoint)
        assert s["completion"] in s["candidate"]
    # random tokens are not a secure program: every sample is judged, none is secure
    assert sum(row["secure"] for row in span["per_task"].values()) == 0
    assert sum(row["n"] + row["unjudged"] for row in span["per_task"].values()) == 2 * n_dec


def test_choice_sections_drop_a_subset_that_repeats_the_overall_row():
    """python.yaml evaluates Python only: its "language: python" rows would repeat "overall" word for word, while
    the seen and unseen tiers are strict subsets and stay (per method and in the paired comparisons)."""
    import json
    from pathlib import Path

    from sectree.experiment.choice_report import choice_sections

    res = json.loads((Path(__file__).parent.parent / "results" / "python" / "results.json").read_text())
    rates, comp = choice_sections(res)
    for section in (rates, comp):
        labels = [r[section["header"].index("subset")] for r in section["rows"]]
        assert "language: python" not in labels
        assert labels.count("overall") == labels.count("test, CWE seen") == labels.count("test, CWE unseen") > 0
    # a second language makes "language: python" a strict subset again: its rows come back
    for block in res["choice"]["per_method"].values():
        block["by_language"]["go"] = block["by_language"]["python"]
        block["by_language"]["python"] = {k: {**v, "n_tasks": v["n_tasks"] - 1} if isinstance(v, dict) and "n_tasks" in v
                                          else v for k, v in block["by_language"]["python"].items()}
    rates, _ = choice_sections(res)
    assert sum(r[1] == "language: python" for r in rates["rows"]) == len(res["choice"]["per_method"])
