"""Experiments: every method × seed trained (``sectree.train.tsp.run``) and evaluated in every prompt mode.

    for method in methods, seed in seeds:
        train  -> <out>/runs/<method>-s<seed>/      (skipped for `base`; skipped when final.json exists)
        eval   -> <out>/evals/<method>-s<seed>/     (generate per mode [× language], then judge all samples
                                                     with one shared Oracle; skipped when results.json exists)
    report -> <out>/results.json, report.md, report.html     (sectree.experiment.report)

Resume: a finished run (``final.json``) or evaluation (``results.json``) is never recomputed; an interrupted one
continues (``run(..., resume=True)`` skips finished rounds, ``generate`` skips finished tasks). A folder made
with other settings is refused (the differing fields are named) instead of being silently reused.

Seeds: the experiment's seed sets ``RunConfig.seed`` (which train/dev tasks), ``tree.seed``, ``train.seed`` and
the evaluation's sampling seed, so a seed changes everything random in its run.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from sectree import config as cfgmod
from sectree.errors import SectreeError
from sectree.experiment.config import (  # noqa: F401  (re-exported: sectree.experiment.runner.<name> still works)
    ANALYSES,
    CHOICE_RECORDS,
    GEN_MODES,
    METHOD_PRESETS,
    MODES,
    QUICK_TRAIN,
    RESERVED,
    EvalSpec,
    ExperimentConfig,
    ReportSpec,
    RunConfig,
    eval_parts,
    eval_tasks,
    load_experiment,
    part_settings,
    quick_overrides,
    run_config,
    select_tasks,
    unseen_cwes,
)
from sectree.experiment.estimate import TINY, Speeds, estimate_minutes  # noqa: F401  (re-exported)
from sectree.evaluate import choice  # choice.score_choices looked up at the call (tests count the calls)
from sectree.evaluate.run import evaluate, generate, read_samples
from sectree.evaluate.span import generate_spans
from sectree.experiment.report import write_report
from sectree.io import read_jsonl, write_json_atomic, write_jsonl_gz_atomic, write_text_atomic
from sectree.oracle.backend import make_oracle
from sectree.policy import load_policy
from sectree.settings import Opponent
from sectree.tasks.decisions import decisions
from sectree.train import tsp
from sectree.train.stats import PAIR_KINDS, VERDICTS, read_rounds


# ------------------------------------------------------------------------------------------ resume checks


def _jsonable(x):
    return json.loads(json.dumps(x))


def _differences(want: dict, got: dict, prefix: str = "") -> list[str]:
    out = []
    for k in sorted(set(want) | set(got)):
        a, b = want.get(k), got.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{prefix}{k}.")
        elif a != b:
            out.append(f"{prefix}{k}")
    return out


def _recorded(path: Path) -> dict:
    """A folder's recorded settings; a run's config.json written before keys were renamed (``train:`` ->
    ``update:``, ``tree.max_new_tokens`` -> ``tree.sampling.max_new_tokens``, ...) in today's shape, so a run
    made by an older version is resumed or shared when its settings are the same."""
    got = json.loads(path.read_text())
    return cfgmod.upgrade(RunConfig, got) if path.name == "config.json" else got


def _check_same(path: Path, want: dict, what: str) -> None:
    """Refuse to reuse ``path``'s folder when it was made with other settings."""
    if not path.exists():
        return
    got = _recorded(path)
    diff = _differences(_jsonable(want), got)
    if diff:
        raise SectreeError(f"{path.parent} was {what} with other settings ({', '.join(diff[:6])}); delete that "
                           f"folder to redo it, or use another --out")


# ------------------------------------------------------------------------------------------ the runner


class _Progress:
    """A tqdm bar on stderr, created on the first update (so finished parts print nothing); without a
    terminal (logs, make demo | tee) a plain line at every quarter instead."""

    def __init__(self, desc: str, quiet: bool, say: Callable[[str], None]):
        self.desc, self.quiet, self.say, self.bar, self.done = desc, quiet, say, None, 0

    def step(self, i: int, total: int) -> None:
        self.done += 1
        if self.quiet:
            return
        if not sys.stderr.isatty():
            if self.done == total or self.done % max(1, -(-total // 4)) == 0:
                self.say(f"{self.desc}: {self.done}/{total}")
            return
        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.desc, file=sys.stderr, leave=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Runner:
    """Runs one experiment into ``out``; one Oracle for every evaluation, the last loaded policy kept."""

    def __init__(self, cfg: ExperimentConfig, out: Path, say: Callable[[str], None], quiet: bool = False):
        self.cfg, self.out, self.say, self.quiet = cfg, Path(out), say, quiet
        self._oracle = None
        self._policy: tuple[str, Any] | None = None

    # ---- shared resources
    def oracle(self):
        if self._oracle is None:
            self._oracle = make_oracle(no_sandbox=self.cfg.no_sandbox, workers=self.cfg.workers,
                                       findings=self.cfg.eval.findings, backend=self.cfg.oracle)
            if hasattr(self._oracle, "actors"):
                self.say(f"oracle: {len(self._oracle.actors)} Ray actor(s) on the cluster "
                         f"{self.cfg.oracle.address or '(private, this process)'}")
        return self._oracle

    def policy(self, spec: str):
        if self._policy is None or self._policy[0] != spec:
            self._policy = None  # free the old model before loading the next
            self._policy = (spec, load_policy(spec, merge=True))  # evaluation only: LoRA folded in
        return self._policy[1]

    def close(self) -> None:
        if self._oracle is not None:
            self._oracle.close()
            self._oracle = None
        self._policy = None

    # ---- take a finished run / evaluation from cfg.share
    def adopt(self, kind: str, rid: str, spec_file: str, want: dict, done_file: str) -> bool:
        """Copy ``<share>/<kind>/<rid>`` here when it is finished and was made with exactly ``want``; True if so."""
        if not self.cfg.share:
            return False
        dst, src = self.out / kind / rid, Path(self.cfg.share) / kind / rid
        if dst.exists() or not (src / done_file).is_file() or not (src / spec_file).is_file():
            return False
        diff = _differences(_jsonable(want), _recorded(src / spec_file))
        if diff:
            self.say(f"{rid}: not taken from {src}: other settings ({', '.join(diff[:4])})")
            return False
        tmp = dst.with_name(dst.name + ".sharing")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp, symlinks=True)
        write_json_atomic(tmp / "shared-from.json", {"source": str(src.resolve())})
        tmp.rename(dst)
        self.say(f"{rid}: {'run' if kind == 'runs' else 'evaluation'} taken from {src} (same settings)")
        return True

    # ---- train one method × seed
    def train(self, method: str, seed: int) -> dict:
        rid = f"{method}-s{seed}"
        rc = run_config(self.cfg, method, seed)
        if rc is None:
            return {"model_spec": self.cfg.model, "trained": False, "oracle_calls": 0, "tokens_generated": 0,
                    "train_tokens": 0, "wall_seconds": 0.0}
        rdir = self.out / "runs" / rid
        self.adopt("runs", rid, "config.json", asdict(rc), "final.json")
        _check_same(rdir / "config.json", asdict(rc), "trained")
        timing_path = rdir / "experiment-timing.json"
        if (rdir / "final.json").exists():
            self.say(f"{rid}: training finished earlier, skipped")
        else:
            resumed = rdir.exists() and any(rdir.iterdir())
            self.say(f"{rid}: {'resuming' if resumed else 'training'} ({rc.method}"
                     f"{', init ' + rc.init if rc.init else ''}) -> {rdir}")
            self._policy = None  # training loads its own copy
            t0 = time.monotonic()
            tsp.run(rc, rdir, resume=True, say=lambda m: self.say(f"{rid}: {m}"), backend=self.cfg.oracle,
                rollout=self.cfg.rollout)
            write_json_atomic(timing_path, {"wall_seconds": round(time.monotonic() - t0, 1), "resumed": resumed})
        info = train_info(rc, rdir)
        timing = json.loads(timing_path.read_text()) if timing_path.exists() else {}
        shared = (rdir / "shared-from.json").is_file()
        return {"trained": True, "dir": str(rdir), "settings": asdict(rc), "shared": shared,
                "wall_seconds": timing.get("wall_seconds"), "resumed": timing.get("resumed"), **info}

    # ---- evaluate one model in every mode (× language)
    def evaluate(self, rid: str, seed: int, model_spec: str) -> dict:
        edir = self.out / "evals" / rid
        parts = eval_parts(self.cfg, seed)
        spec = {"model_spec": model_spec, "parts": {k: part_settings(g) for k, g in parts.items()},
                "findings": self.cfg.eval.findings, "sandboxed": not self.cfg.no_sandbox}
        self.adopt("evals", rid, "spec.json", spec, "results.json")
        _check_same(edir / "spec.json", spec, "evaluated")
        timing_path = edir / "timing.json"
        if (edir / "results.json").exists():
            self.say(f"{rid}: evaluation finished earlier, skipped")
        else:
            write_json_atomic(edir / "spec.json", spec)
            timing = json.loads(timing_path.read_text()) if timing_path.exists() else {}
            self.say(f"{rid}: evaluating {model_spec} in {', '.join(parts)} -> {edir}")
            gen = {k: g for k, g in parts.items() if not k.startswith("choice")}
            self.choose(rid, {k: g for k, g in parts.items() if k.startswith("choice")}, model_spec, edir, timing)
            for name, g in gen.items():
                bar = _Progress(f"{rid} sampling {name}", self.quiet, self.say)
                t0 = time.monotonic()
                # the policy is only loaded once per model, and not at all when every part is complete
                if name.startswith("span"):
                    info = generate_spans(g, edir / f"samples-{name}.jsonl", policy=_LazyPolicy(self, model_spec),
                                          progress=bar.step)
                    # batches of decisions, not tasks: say what was sampled
                    what = f"{info['sampled_groups']} batch(es) of the {info['decisions']} decisions of {info['tasks']} tasks"
                    info["sampled_tasks"] = info["sampled_groups"] and what
                else:
                    info = generate(g, edir / f"samples-{name}.jsonl", policy=_LazyPolicy(self, model_spec),
                                    progress=bar.step)
                bar.close()
                timing.setdefault("generate_seconds", {})
                timing["generate_seconds"][name] = round(timing["generate_seconds"].get(name, 0.0)
                                                         + time.monotonic() - t0, 2)
                write_json_atomic(timing_path, timing)
                if info["sampled_tasks"]:
                    what = info["sampled_tasks"] if isinstance(info["sampled_tasks"], str) else \
                        f"{info['sampled_tasks']} tasks"
                    self.say(f"{rid}: {name}: {what} sampled, {info['tokens']} tokens, {info['seconds']} s")
            # one samples file with every part, rebuilt from the per-part files (atomic)
            write_text_atomic(edir / "samples.jsonl",
                              "".join((edir / f"samples-{k}.jsonl").read_text() for k in gen))
            n = len(read_samples(edir / "samples.jsonl"))
            bar = _Progress(f"{rid} judging", self.quiet, self.say)
            evaluate(edir / "samples.jsonl", edir / "results.json", oracle=self.oracle(),
                     progress=lambda i, _n=n, _b=bar: _b.step(i, _n))
            bar.close()
        results = json.loads((edir / "results.json").read_text())
        timing = json.loads(timing_path.read_text()) if timing_path.exists() else {}
        tokens = sum(int(r.get("n_tokens") or 0) for r in read_jsonl(edir / "samples.jsonl"))
        return {"dir": str(edir), "results_file": str(edir / "results.json"), "model_spec": model_spec,
                "seed": seed, "settings": spec["parts"], "oracle_calls": results["oracle"]["calls"],
                "sandboxed": results["oracle"]["sandboxed"], "tokens": tokens,
                "generate_seconds": round(sum(timing.get("generate_seconds", {}).values()), 2),
                "judge_seconds": results["wall_seconds"], "n_samples": results["n_samples"],
                "n_tasks": results["n_tasks"], "shared": (edir / "shared-from.json").is_file(),
                "choices_file": str(edir / CHOICE_RECORDS) if (edir / CHOICE_RECORDS).is_file() else None,
                "choice_seconds": timing.get("choice_seconds", 0.0)}

    # ---- choice mode: every decision scored teacher-forced (no oracle); resumable as a whole file
    def choose(self, rid: str, parts: dict, model_spec: str, edir: Path, timing: dict) -> None:
        if not parts or (edir / CHOICE_RECORDS).is_file():
            return
        # choice is deterministic (no sampling): the same model scored with the same settings in another run of
        # this experiment (base at every seed) gives the same records, so they are copied, not recomputed
        want = {k: {**part_settings(c), "seed": None} for k, c in parts.items()}
        for other in sorted((self.out / "evals").glob(f"*/{CHOICE_RECORDS}")):
            spec = other.parent / "spec.json"
            got = json.loads(spec.read_text()) if spec.is_file() else {}
            if other.parent != edir and got.get("model_spec") == model_spec and \
                    {k: {**v, "seed": None} for k, v in got.get("parts", {}).items() if k in want} == want:
                shutil.copy2(other, edir / (CHOICE_RECORDS + ".tmp"))
                (edir / (CHOICE_RECORDS + ".tmp")).rename(edir / CHOICE_RECORDS)
                self.say(f"{rid}: choice: the same model's records copied from {other.parent.name} (deterministic)")
                return
        t0 = time.monotonic()
        records = []
        for name, c in parts.items():
            tasks = [t for t in select_tasks(c.suite, c.split, c.language, c.cwes) if decisions(t)]
            records += choice.score_choices(self.policy(model_spec), tasks, template=c.template,
                                            max_batch_tokens=c.max_batch_tokens, model=model_spec)
        write_jsonl_gz_atomic(edir / CHOICE_RECORDS, records)
        timing["choice_seconds"] = round(time.monotonic() - t0, 2)
        write_json_atomic(edir / "timing.json", timing)
        self.say(f"{rid}: choice: {len(records)} decisions scored in {timing['choice_seconds']} s")


class _LazyPolicy:
    """Stands in for a policy: loads it (through the runner's cache) on first attribute access."""

    def __init__(self, runner: Runner, spec: str):
        self._runner, self._spec = runner, spec

    def __getattr__(self, name):
        return getattr(self._runner.policy(self._spec), name)


def train_info(rc, rdir: Path) -> dict:
    """Oracle calls, tokens and round times of a finished run from its stats (SFT warm start included).

    Oracle calls = judged leaves/samples (``oracle/calls``) + functionality-guard samples (dev_tasks × samples,
    twice in the round that also measured the 'before' rates); computed from the stats, so resumes count right.
    """
    rows = [r for d in ([rdir / "sft-init"] if rc.init == "sft" else []) + [rdir] for r in read_rounds(d)]
    dev = rc.guard.dev_tasks * rc.guard.samples
    calls = sum(r.oracle_calls + dev * (1 + r.measured_before) for r in rows)
    return {
        "model_spec": json.loads((rdir / "final.json").read_text())["model_spec"],
        "rounds": len([r for r in rows if r.method == rc.method]),
        "accepted_rounds": sum(r.accepted for r in rows if r.method == rc.method),
        "oracle_calls": calls,
        "tokens_generated": sum(r.tokens_generated for r in rows),
        "train_tokens": sum(r.train_tokens for r in rows),
        "pairs": sum(r.pairs or 0 for r in rows),
        # tree leaves by opponent and verdict and pairs by kind (#11)
        "leaves_by_opponent": {o.value: {v: sum(r.leaves.get(o.value, {}).get(v, 0) for r in rows) for v in VERDICTS}
                               for o in Opponent if any(o.value in r.leaves for r in rows)},
        "pairs_by_kind": {k: sum(r.pairs_by_kind[k] for r in rows) for k in PAIR_KINDS},
        "round_seconds": round(sum(r.seconds for r in rows), 1),
    }


def cores_in_use(seconds: float = 0.5) -> float:
    """How many cores other processes keep busy right now: /proc/stat sampled over ``seconds``.

    Not the load average: it trails the last minute, so a job that has just finished (a benchmark, a dry run)
    would still count as running. Falls back to the load average where /proc/stat is missing."""
    def ticks() -> tuple[int, int] | None:
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
        return sum(v[:8]) - idle, sum(v[:8])

    a = ticks()
    if a is None:
        return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    time.sleep(seconds)
    b = ticks()
    if b is None or b[1] == a[1]:
        return 0.0
    return (b[0] - a[0]) / (b[1] - a[1]) * (os.cpu_count() or 1)


def set_threads(threads: int | None, out: Path | None = None) -> int:
    """Set PyTorch's intra-op threads (see ExperimentConfig.threads); returns the number used.

    With ``out`` and ``threads=None``, the count chosen when the experiment in ``out`` first started
    (``out/threads.json``) is used again, so that a resumed run computes what the uninterrupted one would."""
    record = out / "threads.json" if out is not None else None
    if threads is None and record is not None and record.is_file():
        try:
            threads = int(json.loads(record.read_text())["threads"])
        except (ValueError, KeyError, TypeError):
            threads = None  # a damaged record: choose again (and rewrite it below)
        if threads is not None and threads < 1:
            threads = None
    if threads is None:
        cores = os.cpu_count() or 1
        threads = 1 if cores_in_use() >= 0.75 else cores  # someone else is running: don't fight over the cores
    if record is not None:
        write_json_atomic(record, {"threads": threads})
    torch.set_num_threads(threads)
    return threads


def run_experiment(cfg: ExperimentConfig, out: str | Path, *, say: Callable[[str], None] | None = None,
                   quiet: bool = False, config_file: str | None = None, command: str | None = None) -> dict:
    """Train and evaluate every method × seed into ``out``, then write results.json, report.md, report.html.

    Returns the results dict (what results.json holds)."""
    say = say or (lambda m: print(m, file=sys.stderr, flush=True))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # fail early: every eval part must select tasks
    for name, g in eval_parts(cfg, cfg.seeds[0]).items():
        if not eval_tasks(g):
            raise SectreeError(f"eval: no tasks in {g.suite!r} match part {name} (split {g.split}, language "
                               f"{g.language}, cwes {g.cwes or 'any'})")
    threads = set_threads(cfg.threads, out)
    est = estimate_minutes(cfg, threads=threads)
    say(f"experiment {cfg.name}: {len(cfg.methods)} method(s) × {len(cfg.seeds)} seed(s) -> {out}; "
        f"rough estimate {est['total']} min (train {est['train']}, eval {est['eval']}) with nothing cached; "
        f"torch threads: {threads}")
    if cfg.budget_minutes and est["total"] > 1.5 * cfg.budget_minutes:
        say(f"warning: the estimate ({est['total']} min) clearly exceeds budget_minutes ({cfg.budget_minutes})")
    if cfg.share and not Path(cfg.share).is_dir():
        say(f"share: {cfg.share} does not exist; every run and evaluation is computed here")
    runner = Runner(cfg, out, say, quiet)
    records = []
    t0 = time.monotonic()
    try:
        for method in cfg.methods:
            for seed in cfg.seeds:
                rid = f"{method}-s{seed}"
                train = runner.train(method, seed)
                ev = runner.evaluate(rid, seed, train["model_spec"])
                records.append({"id": rid, "method": method, "seed": seed, "model_spec": train["model_spec"],
                                "train": train, "eval": ev})
    finally:
        runner.close()
    wall = time.monotonic() - t0
    write_json_atomic(out / "experiment.json", {"config": asdict(cfg), "config_file": config_file, "command": command})
    results = write_report(cfg, out, records, estimate=est, config_file=config_file, session_seconds=wall,
                           command=command)
    total = results["wall_seconds_total"] / 60
    if cfg.budget_minutes and total > 1.5 * cfg.budget_minutes:
        say(f"warning: the runs took {total:.1f} min, clearly more than budget_minutes ({cfg.budget_minutes})")
    return results


# ------------------------------------------------------------------------------------------ demo


def demo_config_path() -> Path:
    """configs/experiments/demo.yaml of the checkout this package is installed from (pip install -e .)."""
    here = Path(__file__).resolve()
    for root in here.parents:
        p = root / "configs" / "experiments" / "demo.yaml"
        if p.is_file():
            return p
    raise SectreeError("configs/experiments/demo.yaml not found next to the installed package: install sectree "
                       "from a clone with `pip install -e .` (or pass the file to `sectree experiment`)")


__all__ = [
    "ANALYSES",
    "METHOD_PRESETS",
    "EvalSpec",
    "ExperimentConfig",
    "ReportSpec",
    "Runner",
    "Speeds",
    "demo_config_path",
    "estimate_minutes",
    "eval_parts",
    "load_experiment",
    "run_config",
    "run_experiment",
    "unseen_cwes",
]
