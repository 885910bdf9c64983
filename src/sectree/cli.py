"""The ``sectree`` command line (typer). Every user error is one ``error: ...`` line and exit status 2.

Each command imports the sectree layers it needs (and yaml or tqdm) inside its function, by design: ``sectree
--help``, a typo or a bad config must not wait for torch/transformers (seconds). Below the CLI, modules import
each other at module level unless a ``# lazy(<reason>)`` comment says why not (tests/test_imports.py).
"""

from __future__ import annotations

import errno
import json
import re
import shlex
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

import typer

from sectree.errors import SectreeError
from sectree.settings import PROMPT_MODES, SPAN_MODE

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="sectree: make code LLMs write secure code with Tree-like Self-Play.")
tasks_app = typer.Typer(no_args_is_help=True, help="List and check benchmark tasks.")
app.add_typer(tasks_app, name="tasks")

SuiteOpt = typer.Option("builtin", "--suite", "-s",
                        help="builtin, builtin:<lang>, dir:<path>, cweval:<path> or safecoder:<jsonl or folder>")
SplitOpt = typer.Option(None, "--split", help="train or test")
CweOpt = typer.Option(None, "--cwe", help="only tasks with this CWE id (repeatable)")
LangOpt = typer.Option(None, "--language", "-l", help="only tasks in this language")
NoSandboxOpt = typer.Option(False, "--no-sandbox", help="UNSAFE: run generated code without bubblewrap "
                            "(it can read your files, reach the network and leave processes behind)")


def _load(suite: str, split: str | None, cwe: list[int] | None, language: str | None):
    from sectree.tasks import load_suite

    return load_suite(suite, split=split, cwe=cwe or None, language=language)


StrictOpt = typer.Option(False, "--strict", help="a task that cannot be read or lacks a dependency is an error "
                         "(default: skipped with its reason)")


def _load_usable(suite: str, split: str | None, cwe: list[int] | None, language: str | None, strict: bool):
    """(tasks, skipped): tasks that load and have what they need here; the rest as ``Skipped`` with reasons
    (a ``cweval:`` task that cannot be read; any task that ``needs`` what this machine lacks)."""
    from sectree.oracle.needs import split_runnable
    from sectree.tasks import load_suite

    skipped: list = []
    tasks = load_suite(suite, split=split, cwe=cwe or None, language=language, strict=strict, skipped=skipped)
    tasks, lacking = split_runnable(tasks)
    skipped += lacking
    if strict and skipped:
        raise SectreeError(f"suite {suite!r}: task {skipped[0].id}: {skipped[0].reason} ({len(skipped)} task(s) "
                           f"cannot be used; without --strict they are skipped)")
    return tasks, skipped


def _skip_kind(reason: str) -> str:
    """A skip reason without its specifics, to count skips by kind: 'needs <what>' or 'cannot be read'."""
    return re.sub(r" \([^)]*\)", "", reason) if reason.startswith("needs ") else "cannot be read"


def _language_summary(tasks, skipped, agree: dict[str, bool] | None = None) -> dict:
    """Per language: tasks found, loaded, skipped (by kind of reason) and, after a check, how many agree."""
    out = {}
    for lang in sorted({t.language for t in tasks} | {s.language for s in skipped}):
        mine, gone = [t for t in tasks if t.language == lang], [s for s in skipped if s.language == lang]
        kinds: dict[str, int] = {}
        for s in gone:
            kinds[_skip_kind(s.reason)] = kinds.get(_skip_kind(s.reason), 0) + 1
        row = {"found": len(mine) + len(gone), "loaded": len(mine), "skipped": len(gone), "skipped_by_reason": kinds}
        if agree is not None:
            row["agree"] = sum(agree[t.id] for t in mine)
        out[lang] = row
    return out


def _echo_language_summary(summary: dict) -> None:
    for lang, r in summary.items():
        why = "; ".join(f"{k}: {v}" for k, v in r["skipped_by_reason"].items())
        agree = f", {r['agree']}/{r['loaded']} agree" if "agree" in r else ""
        typer.echo(f"{lang}: {r['loaded']} loaded, {r['skipped']} skipped" + (f" ({why})" if why else "") + agree)


@tasks_app.command("list")
def tasks_list(suite: str = SuiteOpt, split: Optional[str] = SplitOpt, cwe: Optional[list[int]] = CweOpt,
               language: Optional[str] = LangOpt, as_json: bool = typer.Option(False, "--json"),
               strict: bool = StrictOpt) -> None:
    """Table of tasks: id, language, CWE, family, split, tier, CWE tier (test tasks: CWE seen in training or not);
    then the tasks skipped (cannot be read, or need what this machine lacks) and per-language counts."""
    tasks, skipped = _load_usable(suite, split, cwe, language, strict)
    sc = None
    if suite.startswith("safecoder:"):  # test-less SafeCoder fixes: also which rows were skipped and why
        from sectree.tasks.safecoder import load_safecoder

        sc = load_safecoder(suite.partition(":")[2], suite=suite)
    if as_json:  # {"summary", "tasks"}; a SafeCoder suite adds "skipped", "signature_changed"
        out = sc.to_dict(tasks) if sc else {"summary": _split_summary(tasks), "tasks": [t.to_dict() for t in tasks]}
        if skipped or not sc:  # "skipped_tasks": a SafeCoder suite's "skipped" are its unusable rows
            out["skipped_tasks"] = [s.to_dict() for s in skipped]
            out["by_language"] = _language_summary(tasks, skipped)
        typer.echo(json.dumps(out, indent=2))
        return
    rows = [(t.id, t.language, ",".join(f"CWE-{c}" for c in t.cwes), t.family, t.split or "-", t.tier or "-",
             t.cwe_tier.value if t.cwe_tier else "-") for t in tasks]
    _table(("id", "language", "cwe", "family", "split", "tier", "cwe tier"), rows)
    seen = {c for t in tasks if t.split == "train" for c in t.cwes}
    unseen = sorted({c for t in tasks if t.split == "test" for c in t.cwes} - seen)
    typer.echo(f"\n{len(tasks)} tasks, {len({c for t in tasks for c in t.cwes})} CWEs, "
               f"{len({t.language for t in tasks})} language(s)")
    for lang, c in _split_summary(tasks)["by_language"].items():
        if c["test"]:
            typer.echo(f"{lang}: {c['train']} train, {c['test']} test ({c['test_seen_cwe']} seen-CWE, "
                       f"{c['test_unseen_cwe']} unseen-CWE)")
    if unseen:
        typer.echo("CWEs only in test tasks (unseen): " + ", ".join(f"CWE-{c}" for c in unseen))
    if skipped:
        typer.echo("")
        _table(("skipped task", "reason"), [(s.id, s.reason) for s in skipped])
    if skipped or suite.startswith("cweval:"):
        _echo_language_summary(_language_summary(tasks, skipped))
    if sc:
        summary = sc.summary(tasks)
        typer.echo("by language: " + ", ".join(f"{k} {v}" for k, v in summary["by_language"].items()))
        typer.echo(f"skipped rows: {summary['skipped']} (" + "; ".join(
            f"{k}: {v}" for k, v in summary["skipped_by_reason"].items()) + "); --json lists them with line numbers")


def _split_summary(tasks) -> dict:
    """Task counts per language: train, test, and the test tasks of the seen- and unseen-CWE tiers."""
    from sectree.tasks import CweTier

    by_language = {}
    for lang in sorted({t.language for t in tasks}):
        mine = [t for t in tasks if t.language == lang]
        by_language[lang] = {
            "tasks": len(mine),
            "train": sum(t.split == "train" for t in mine),
            "test": sum(t.split == "test" for t in mine),
            "test_seen_cwe": sum(t.cwe_tier is CweTier.SEEN for t in mine),
            "test_unseen_cwe": sum(t.cwe_tier is CweTier.UNSEEN for t in mine),
        }
    return {"tasks": len(tasks), "by_language": by_language}


@tasks_app.command("check")
def tasks_check(suite: str = SuiteOpt, split: Optional[str] = SplitOpt, cwe: Optional[list[int]] = CweOpt,
                language: Optional[str] = LangOpt, as_json: bool = typer.Option(False, "--json"),
                no_sandbox: bool = NoSandboxOpt,
                workers: Optional[int] = typer.Option(None, help="parallel sandboxes (default: cores)"),
                strict: bool = StrictOpt,
                wall_seconds: Optional[float] = typer.Option(None, help="wall-clock limit per sandbox job, build "
                                                             "included (default: the sandbox's 20 s)")) -> None:
    """Judge every task's secure reference (must be secure) and each unsafe reference (must be vulnerable);
    tasks that cannot be read or lack a dependency are skipped with the reason (--strict: an error)."""
    from sectree.oracle.backend import make_oracle

    tasks, skipped = _load_usable(suite, split, cwe, language, strict)
    if not tasks:
        raise SectreeError(f"suite {suite!r} has no usable tasks matching the filters"
                           + (f" ({len(skipped)} skipped, e.g. {skipped[0].id}: {skipped[0].reason})" if skipped else ""))
    from sectree.oracle.runners import runner_for

    for lang in sorted({t.language for t in tasks}):
        runner_for(lang).check_tools()  # one clear error before any sandbox starts
    t0 = time.monotonic()
    if wall_seconds is not None and wall_seconds <= 0:
        raise SectreeError(f"--wall-seconds must be > 0, got {wall_seconds}")
    with make_oracle(no_sandbox=no_sandbox, workers=workers, wall_seconds=wall_seconds) as oracle:
        # the tests each task expects, from its secure reference; one whose reference collects none (a build
        # error, a timeout) disagrees by itself instead of stopping the check of every other task
        def no_tests(t) -> str | None:
            try:
                oracle.expected_tests(t)
            except SectreeError as e:
                return str(e).replace(f"{t.test_file}: ", "")
            return None

        with ThreadPoolExecutor(max_workers=len(oracle.pool.workers)) as ex:
            failed = dict(zip([t.id for t in tasks], ex.map(no_tests, tasks)))
        disagree = [{"id": i, "problems": [f"secure reference: {why}"]} for i, why in failed.items() if why]
        judged = [t for t in tasks if not failed[t.id]]
        # every unsafe variant is judged (CWEval's numbered <entry>_unsafe_0, _1, ...): each must be vulnerable
        items = [(t, t.reference_source) for t in judged] + [(t, u) for t in judged for u in t.unsafe_sources]
        with _progress(len(items), "judging references", quiet=as_json) as bar:
            verdicts = oracle.judge_many(items, progress=bar.update) if items else []
    n = len(judged)
    unsafe_verdicts = iter(verdicts[n:])
    for t, vs in zip(judged, verdicts[:n]):
        problems = []
        if vs.status.value != "secure":
            problems.append(f"secure reference judged {vs.status.value} ({vs.reason})")
        many = len(t.unsafe_sources) > 1
        for i, vu in zip(range(len(t.unsafe_sources)), unsafe_verdicts):
            if vu.status.value != "vulnerable":
                name = f"unsafe reference {i}" if many else "unsafe reference"
                problems.append(f"{name} judged {vu.status.value} ({vu.reason or 'all tests pass'})")
        if problems:
            disagree.append({"id": t.id, "problems": problems})
    bad = {d["id"] for d in disagree}
    unchecked = _unchecked_comparisons(tasks)
    summary = {
        "suite": suite,
        "tasks": len(tasks),
        "languages": sorted({t.language for t in tasks}),
        "cwes": sorted({c for t in tasks for c in t.cwes}),
        "agree": len(tasks) - len(disagree),
        "disagree": disagree,
        "unsafe_variants": len(items) - n,
        "skipped": [s.to_dict() for s in skipped],
        "by_language": _language_summary(tasks, skipped, {t.id: t.id not in bad for t in tasks}),
        # a warning, not a disagreement: tests comparing values a candidate could fake (docs/task-format.md)
        "unchecked_comparisons": unchecked,
        "sandboxed": not no_sandbox,
        "seconds": round(time.monotonic() - t0, 2),
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        if disagree:
            _table(("task", "problem"), [(d["id"], p) for d in disagree for p in d["problems"]])
        if skipped:
            _table(("skipped task", "reason"), [(s.id, s.reason) for s in skipped])
        if unchecked:  # one row per task (a foreign suite can have hundreds); --json lists every one
            _table(("task", "warning: asserts comparing an unchecked result (use sectree_check.assert_same/exact)"),
                   [(i, ws[0] + (f"  (+{len(ws) - 1} more)" if len(ws) > 1 else "")) for i, ws in unchecked.items()])
        typer.echo(f"{summary['agree']}/{len(tasks)} tasks agree (secure reference secure, every unsafe reference "
                   f"vulnerable: {summary['unsafe_variants']} unsafe references); {len(skipped)} skipped; "
                   f"{len(summary['cwes'])} CWEs, {', '.join(summary['languages'])}; {summary['seconds']} s")
        _echo_language_summary(summary["by_language"])
        typer.echo(f"unchecked comparisons (warnings): {sum(map(len, unchecked.values()))} in {len(unchecked)} "
                   f"task(s)")
    if disagree:
        raise typer.Exit(1)


def _unchecked_comparisons(tasks) -> dict[str, list[str]]:
    """Per task id (only those with any): the asserts of its tests that compare a value the candidate could
    fake, e.g. ``assert f(x) == y`` without ``assert_same`` (sectree.tasks.testlint)."""
    from sectree.tasks.testlint import scan_file

    out: dict[str, list[str]] = {}
    for t in tasks:
        if t.test_file is None:
            continue
        try:
            found = [str(u) for u in scan_file(t.test_file)]
        except SectreeError as e:
            found = [f"not scanned: {e}"]
        if found:
            out[t.id] = found
    return out


# ------------------------------------------------------------------------------------------- evaluation

WHOLE_FUNCTION_TOKENS = 384
"""`sectree generate` / `sectree eval`'s token cap: a whole function (full mode), above the one default
(sectree.settings.MAX_NEW_TOKENS, 256) on purpose; experiments set eval.sampling.max_new_tokens."""
ModelOpt = typer.Option("smollm2-135m", "--model", "-m", help="smollm2-135m, tiny-random, hf:<path>[+lora:<adapter>]")
ModeOpt = typer.Option("full", "--mode", help="full (write the function) or completion (continue the golden "
                       "code from just before the decisive line)")


def _gen_config(model, suite, split, cwe, language, mode, template, n, temperature, top_p, max_new_tokens, seed,
                batch_tasks=8):
    from sectree.evaluate.run import GenerateConfig

    return GenerateConfig(model=model, suite=suite, split=split, cwes=list(cwe or []), language=language, mode=mode,
                          template=template, n=n, sampling=_sampling(temperature, top_p, max_new_tokens), seed=seed,
                          batch_tasks=batch_tasks)


def _sampling(temperature: float, top_p: float, max_new_tokens: int):
    """--temperature, --top-p and --max-new-tokens as the configs' Sampling (a bad value: one line naming it)."""
    from sectree.settings import Sampling

    return Sampling(temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens)


def _run_generate(cfg, out: str, quiet: bool, policy=None) -> dict:
    from sectree.evaluate.run import generate

    bar = None

    def progress(i: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, desc=f"sampling ({cfg.mode})", file=sys.stderr, disable=quiet)
        bar.update(1)

    try:
        info = generate(cfg, out, progress=progress, policy=policy)
    finally:
        if bar is not None:
            bar.close()
    for s in info.get("skipped", []):
        typer.echo(f"skipped {s['id']}: {s['reason']}", err=True)
    return info


def _run_evaluate(samples: str, out: str | None, no_sandbox: bool, workers: int | None, findings: str, quiet: bool,
                  skipped: list[dict] | None = None) -> dict:
    from sectree.evaluate.run import evaluate, read_samples
    from sectree.oracle.backend import oracle_config

    cfg = oracle_config(no_sandbox=no_sandbox, workers=workers, findings=findings)
    with _progress(len(read_samples(samples)), "judging", quiet=quiet) as bar:
        return evaluate(samples, out, oracle_config=cfg, progress=bar.update, skipped=skipped)


def _print_results(results: dict, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({k: v for k, v in results.items() if k not in ("samples", "markdown")}, indent=2))
    else:
        typer.echo(results["markdown"])


@app.command()
def generate(model: str = ModelOpt, suite: str = typer.Option("builtin:python", "--suite", "-s"),
             split: Optional[str] = SplitOpt, cwe: Optional[list[int]] = CweOpt, language: Optional[str] = LangOpt,
             mode: str = ModeOpt, template: str = typer.Option("direct", help="direct or security-reminder"),
             n: int = typer.Option(5, "--n", help="samples per task"), temperature: float = 0.8, top_p: float = 0.95,
             max_new_tokens: int = WHOLE_FUNCTION_TOKENS, seed: int = 0,
             batch_tasks: int = typer.Option(8, help="tasks sampled together in one batch"),
             out: str = typer.Option(..., "--out", "-o", help="samples JSONL (resumed if it exists)")) -> None:
    """Sample answers for every task into a JSONL file (resumable)."""
    cfg = _gen_config(model, suite, split, cwe, language, mode, template, n, temperature, top_p, max_new_tokens, seed,
                      batch_tasks)
    info = _run_generate(cfg, out, quiet=False)
    typer.echo(f"{info['sampled_tasks']}/{info['tasks']} tasks sampled ({info['tokens']} tokens, "
               f"{info['seconds']} s) -> {out}")


@app.command()
def evaluate(samples: str = typer.Argument(..., help="samples JSONL from `sectree generate`"),
             out: str = typer.Option("results.json", "--out", "-o"), no_sandbox: bool = NoSandboxOpt,
             workers: Optional[int] = None, findings: str = typer.Option("record", help="record or veto"),
             as_json: bool = typer.Option(False, "--json", help="print the summary as JSON")) -> None:
    """Judge every sample with the oracle; write results.json and results.md."""
    _print_results(_run_evaluate(samples, out, no_sandbox, workers, findings, quiet=as_json), as_json)


EVAL_MODES = (*PROMPT_MODES, "both", "choice", SPAN_MODE)
"""`sectree eval --mode`: the prompt modes, both of them, choice and span (the modes themselves: sectree.settings)."""


@app.command("eval")
def eval_(model: str = ModelOpt, suite: str = typer.Option("builtin:python", "--suite", "-s"),
          split: Optional[str] = SplitOpt, cwe: Optional[list[int]] = CweOpt, language: Optional[str] = LangOpt,
          mode: str = typer.Option("full", "--mode", help="full, completion, both, choice (score the secure vs the "
                                   "unsafe continuation at each decision) or span (write the decision's statement)"),
          template: str = "direct", n: int = typer.Option(5, "--n"), temperature: float = 0.8, top_p: float = 0.95,
          max_new_tokens: int = WHOLE_FUNCTION_TOKENS, seed: int = 0,
          batch_tasks: int = typer.Option(8, help="tasks sampled together in one batch"),
          out_dir: str = typer.Option("runs/eval", "--out-dir", help="samples-<mode>.jsonl and results.json go here"),
          no_sandbox: bool = NoSandboxOpt, workers: Optional[int] = None, findings: str = "record",
          as_json: bool = typer.Option(False, "--json")) -> None:
    """generate + evaluate in one go (resumable); --mode both runs both prompt modes; --mode choice scores the
    decisions teacher-forced (no sampling, no oracle); --mode span samples --n spans per decision and judges them."""
    from sectree.policy import load_policy

    if mode not in EVAL_MODES:
        raise SectreeError(f"--mode must be one of {', '.join(EVAL_MODES)}, got {mode!r}")
    if mode == "choice":
        from sectree.evaluate.choice import ChoiceConfig, run_choice

        ccfg = ChoiceConfig(model=model, suite=suite, split=split, cwes=list(cwe or []), language=language,
                            template=template, seed=seed)
        cres = run_choice(ccfg, Path(out_dir) / "results.json")
        _print_results({k: v for k, v in cres.items() if k != "choices"}, as_json)
        return
    if mode == "span":
        from sectree.evaluate.span import SpanConfig, generate_spans

        scfg = SpanConfig(model=model, suite=suite, split=split, cwes=list(cwe or []), language=language,
                          template=template, n=n, sampling=_sampling(temperature, top_p, max_new_tokens), seed=seed,
                          batch_decisions=batch_tasks)
        spans = Path(out_dir) / "samples-span.jsonl"
        generate_spans(scfg, spans)
        results = _run_evaluate(str(spans), str(Path(out_dir) / "results.json"), no_sandbox, workers, findings, as_json)
        _print_results(results, as_json)
        if not as_json:
            typer.echo(f"results: {Path(out_dir) / 'results.json'}")
        return
    modes = ["full", "completion"] if mode == "both" else [mode]
    samples = Path(out_dir) / "samples.jsonl"
    policy = None
    for m in modes:
        cfg = _gen_config(model, suite, split, cwe, language, m, template, n, temperature, top_p, max_new_tokens, seed,
                          batch_tasks)
        part = Path(out_dir) / f"samples-{m}.jsonl"
        if policy is None:
            policy = load_policy(model, merge=True)  # once for both modes (a finished resume still pays the load)
        skipped = _run_generate(cfg, str(part), quiet=as_json, policy=policy).get("skipped")  # same for every mode
    # one samples file with every mode, rebuilt atomically from the per-mode files
    from sectree.io import write_text_atomic

    write_text_atomic(samples, "".join((Path(out_dir) / f"samples-{m}.jsonl").read_text() for m in modes))
    results = _run_evaluate(str(samples), str(Path(out_dir) / "results.json"), no_sandbox, workers, findings, as_json,
                            skipped=skipped)
    _print_results(results, as_json)
    if not as_json:
        typer.echo(f"results: {Path(out_dir) / 'results.json'}")


# ------------------------------------------------------------------------------------------- trees / train

trees_app = typer.Typer(no_args_is_help=True, help="Grow and view TSP trees.")
app.add_typer(trees_app, name="trees")


def _overrides(pairs: list[str] | None) -> dict:
    """--set tree.branches=8 style overrides, values parsed as YAML scalars."""
    import yaml

    out = {}
    for item in pairs or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SectreeError(f"--set expects key=value, got {item!r}")
        out[key.strip()] = yaml.safe_load(value)
    return out


@trees_app.command("build")
def trees_build(model: str = ModelOpt, suite: str = typer.Option("builtin:python", "--suite", "-s"),
                split: Optional[str] = typer.Option("train", "--split"), cwe: Optional[list[int]] = CweOpt,
                language: Optional[str] = LangOpt, config: Optional[str] = typer.Option(None, "--config", "-c",
                help="YAML with tree settings (the `tree:` section of a train config, or top-level fields)"),
                set_: Optional[list[str]] = typer.Option(None, "--set", help="override, e.g. branches=8"),
                pair_mode: str = typer.Option("oracle", help="oracle (ours) or paper (golden vs every branch)"),
                max_tasks: Optional[int] = None, no_sandbox: bool = NoSandboxOpt, workers: Optional[int] = None,
                out: str = typer.Option(..., "--out", "-o", help="trees JSONL (appended; finished tasks skipped)")) -> None:
    """Grow one tree per task with the model as opponent; leaves judged in the sandbox."""
    from sectree import config as cfgmod
    from sectree.oracle.backend import make_oracle
    from sectree.policy import load_policy
    from sectree.tasks import load_suite
    from sectree.tree.build import TreeConfig, build_trees
    from sectree.tree.model import load_trees, save_trees

    # the tree: section of a run config, or a file of tree fields only; the one loader every config goes through
    tcfg = cfgmod.load(TreeConfig, config, {k.removeprefix("tree."): v for k, v in _overrides(set_).items()},
                       section="tree")
    tasks = load_suite(suite, split=split, cwe=cwe or None, language=language)[: max_tasks or None]
    done = {t.task_id for t in load_trees(out)} if Path(out).exists() else set()
    todo = [t for t in tasks if t.id not in done]
    if not todo:
        typer.echo(f"all {len(tasks)} trees already in {out}")
        return
    policy = load_policy(model, merge=True)  # trees only sample and score: LoRA folded in
    with make_oracle(no_sandbox=no_sandbox, workers=workers) as oracle:
        for k in range(0, len(todo), 4):
            batch = build_trees(policy, todo[k: k + 4], oracle, tcfg, pair_mode=pair_mode, model_spec=model,
                                progress=lambda m: typer.echo(m, err=True))
            save_trees(out, batch)
    trees = load_trees(out)
    from sectree.tree.view import summarize

    typer.echo(json.dumps(summarize(trees)))


@trees_app.command("show")
def trees_show(trees_file: str = typer.Argument(..., help="trees JSONL"),
               out: str = typer.Option("trees.html", "--out", "-o")) -> None:
    """Render trees as a self-contained HTML page (no network needed to view it)."""
    from sectree.tree.model import load_trees
    from sectree.tree.view import write_html

    trees = load_trees(trees_file)
    write_html(trees, out)
    typer.echo(f"{len(trees)} trees -> {out}")


@app.command()
def train(config: Optional[str] = typer.Option(None, "--config", "-c", help="YAML run config (configs/*.yaml)"),
          method: Optional[str] = typer.Option(None, help="tsp, tsp-paper, selfplay, sft or contrast (reference "
                                               "opponent only)"),
          model: Optional[str] = typer.Option(None, "--model", "-m"),
          init: Optional[str] = typer.Option(None, help="sft: warm start from an SFT run; or a model spec"),
          suite: Optional[str] = typer.Option(None, "--suite", "-s"), split: Optional[str] = None,
          language: Optional[str] = LangOpt, rounds: Optional[int] = None,
          max_tasks: Optional[int] = None, seed: Optional[int] = None,
          set_: Optional[list[str]] = typer.Option(None, "--set", help="override any field: tree.branches=8"),
          no_sandbox: Optional[bool] = typer.Option(None, "--no-sandbox", help="UNSAFE: judge without bubblewrap"),
          out: str = typer.Option(..., "--out", "-o", help="run folder"),
          resume: bool = typer.Option(False, "--resume", help="continue an interrupted run in --out")) -> None:
    """Self-play training (tsp, tsp-paper, selfplay), the contrast ablation or the SFT baseline; resumable."""
    from sectree import config as cfgmod
    from sectree.train.tsp import RunConfig, run

    flags = {"method": method, "model": model, "init": init, "suite": suite, "split": split, "language": language,
             "rounds": rounds, "max_tasks": max_tasks, "seed": seed, "no_sandbox": no_sandbox}
    cfg = cfgmod.load(RunConfig, config, {**flags, **_overrides(set_)})
    history = run(cfg, out, resume=resume, say=lambda m: typer.echo(m, err=True))
    typer.echo(json.dumps({"rounds": len(history), "out": out, "final": json.loads((__import__("pathlib").Path(out) / "final.json").read_text())}))


@app.command("export-pairs")
def export_pairs_cmd(pairs_file: str = typer.Argument(..., help="pairs.jsonl of a training round"),
                     fmt: str = typer.Option("trl", "--format", help="trl or llama-factory"),
                     out: str = typer.Option(..., "--out", "-o")) -> None:
    """Export preference pairs for TRL's DPOTrainer or LLaMA-Factory (JSONL, plain text)."""
    from sectree.io import read_jsonl, write_text_atomic
    from sectree.train.tsp import export_pairs

    rows = list(read_jsonl(pairs_file))
    for i, r in enumerate(rows):
        if not {"prompt_text", "chosen_text", "rejected_text"} <= set(r):
            raise SectreeError(f"{pairs_file}:{i + 1}: not a sectree pairs record (needs prompt_text, chosen_text, rejected_text)")
    recs = export_pairs(rows, fmt)
    write_text_atomic(out, "".join(json.dumps(r) + "\n" for r in recs))
    typer.echo(f"{len(recs)} pairs -> {out} ({fmt})")


# ------------------------------------------------------------------------------------------- helpers


def _table(header: tuple[str, ...], rows: list[tuple]) -> None:
    cols = [header, *[tuple(str(c) for c in r) for r in rows]]
    widths = [max(len(r[i]) for r in cols) for i in range(len(header))]
    for j, r in enumerate(cols):
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if j == 0:
            typer.echo("  ".join("-" * w for w in widths))


class _progress:
    """A tqdm bar on stderr (silent when quiet)."""

    def __init__(self, total: int, desc: str, quiet: bool = False):
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=desc, disable=quiet or not sys.stderr.isatty(), file=sys.stderr, leave=False)

    def __enter__(self):
        return self.bar

    def __exit__(self, *exc):
        self.bar.close()


# ------------------------------------------------------------------------------------------- experiments


def _experiment(config: str, out: str | None, overrides: dict, quiet: bool, dry_run: bool = False,
                quick: bool = False) -> None:
    from sectree.experiment.report import tables_md
    from sectree.experiment.runner import estimate_minutes, eval_parts, eval_tasks, load_experiment, run_experiment

    cfg = load_experiment(config, overrides, quick=quick)
    out = out or str(Path("runs") / "experiments" / (cfg.name + ("-quick" if quick else "")))
    if dry_run:
        est = estimate_minutes(cfg)
        for name, g in eval_parts(cfg, cfg.seeds[0]).items():
            per = ("every decision scored" if name.startswith("choice") else
                   f"{g.n} samples per decision" if name.startswith("span") else f"{g.n} samples per task")
            typer.echo(f"eval part {name}: {len(eval_tasks(g))} tasks, {per}")
        for part, minutes in est.get("parts", {}).items():
            typer.echo(f"  {part}: {minutes} min")
        two = "" if cfg.threads else f"; {estimate_minutes(cfg, threads=2)['total']} min with --threads 2 on an idle machine"
        typer.echo(f"{cfg.name}: methods {', '.join(cfg.methods)}; seeds {cfg.seeds}; -> {out}\n"
                   f"estimate: {est['total']} min (train {est['train']}, eval {est['eval']}) with "
                   f"{est['threads']} torch thread(s){two}"
                   + (f"; budget {cfg.budget_minutes} min" if cfg.budget_minutes else ""))
        return
    command = "sectree " + shlex.join(sys.argv[1:]) if sys.argv[1:2] in (["experiment"], ["demo"]) else None
    res = run_experiment(cfg, out, quiet=quiet, config_file=config, say=lambda m: typer.echo(m, err=True),
                         command=command)
    typer.echo(tables_md(res))
    typer.echo(f"report: {Path(out) / 'report.md'}\nhtml report: {(Path(out) / 'report.html').resolve()}")


@app.command()
def experiment(config: str = typer.Argument(..., help="experiment YAML (configs/experiments/*.yaml)"),
               out: Optional[str] = typer.Option(None, "--out", "-o",
                                                 help="report folder (default runs/experiments/<name>)"),
               set_: Optional[list[str]] = typer.Option(None, "--set", help="override a field: eval.n=1, "
                                                        "train.rounds=2, seeds=[0]"),
               no_sandbox: Optional[bool] = typer.Option(None, "--no-sandbox", help="UNSAFE: judge without bubblewrap"),
               workers: Optional[int] = typer.Option(None, help="parallel sandboxes (default: cores)"),
               threads: Optional[int] = typer.Option(None, help="torch threads (default: 1 on a busy CPU, else all)"),
               dry_run: bool = typer.Option(False, "--dry-run", help="validate, print the plan and estimate only"),
               quick: bool = typer.Option(False, "--quick", help="the same config on tiny-random with tiny budgets "
                                          "(a smoke run: nothing is learned; default --out runs/experiments/"
                                          "<name>-quick)"),
               quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bars")) -> None:
    """Train and evaluate every method × seed of an experiment; write results.json, report.md, report.html.

    Resumable: rerunning skips finished runs and evaluations and continues interrupted ones."""
    # an option left unset must not undo the same field given with --set (--set threads=1)
    given = {k: v for k, v in {"no_sandbox": no_sandbox, "workers": workers, "threads": threads}.items()
             if v is not None}
    _experiment(config, out, {**_overrides(set_), **given}, quiet, dry_run, quick)


@app.command()
def demo(out: str = typer.Option("runs/demo", "--out", "-o", help="report folder"),
         no_sandbox: Optional[bool] = typer.Option(None, "--no-sandbox", help="UNSAFE: judge without bubblewrap"),
         threads: Optional[int] = typer.Option(None, help="torch threads (default: 1 on a busy CPU, else all)"),
         quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bars")) -> None:
    """Base SmolLM2 vs one TSP round on a few Python tasks (configs/experiments/demo.yaml), ~5–10 min on a
    2-core CPU; prints the table and the HTML report's path. A second run reuses everything finished."""
    from sectree.experiment import demo_config_path

    _experiment(str(demo_config_path()), out, {"no_sandbox": no_sandbox, "threads": threads}, quiet)


def main() -> None:
    try:
        app()
    except SectreeError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(2)
    except OSError as e:
        if e.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        # a full disk: one line naming where, not a traceback (outputs are written atomically, so nothing
        # half-written is left under its final name)
        where = f"{e.filename}: " if e.filename else ""
        typer.echo(f"error: {where}no space left on device while writing outputs; free space or choose another "
                   f"output folder, then run the same command again to resume", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
