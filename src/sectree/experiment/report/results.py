"""An experiment's results: results.json assembled from the runs' records, the per-sample records beside it,
numbers recomputed from committed records, and ``write_report`` (results.json, report.md, report.html)."""

from __future__ import annotations

import json
import os
import platform
import re
import time
from dataclasses import asdict
from pathlib import Path

from sectree.errors import SectreeError
from sectree.evaluate.metrics import METRICS_VERSION
from sectree.experiment.choice_report import choice_results, choice_sections, load_choices, write_choice_records
from sectree.experiment.config import unseen_cwes
from sectree.experiment.report.figures import example_trees, fig_bars, fig_curves, fig_heat
from sectree.experiment.report.render import AGGREGATION, provenance, render_html, render_md, section_md
from sectree.experiment.report.sections import (
    analyses,
    language_table,
    leaves_table,
    method_table,
    seed_table,
    seen_table,
)
from sectree.experiment.report.stats import load_samples, pooled, tables, version
from sectree.io import read_jsonl_gz, write_json_atomic, write_jsonl_gz_atomic, write_text_atomic

RECORDS = "samples.jsonl.gz"
"""An experiment's per-sample records beside its results.json: every run's judged samples, one JSON line each
with ``run``, ``method`` and ``seed`` added (tools/readme_results.py recomputes the tables from them)."""


V1_NOTE = ("Computed under metrics version 1 and superseded: a security test that did not pass — missing or "
           "erroring because the sample did not even import — counted as a security failure, so broken code "
           "counted as vulnerable (SPR@1, vulnerable rate). These runs kept no per-sample records, so they cannot "
           "be recomputed under the current alert definition without re-running the experiment.")


def machine() -> dict:
    """Cores and CPU model (from /proc/cpuinfo where there is one)."""
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count() or 1, "cpu": model or platform.processor() or platform.machine(),
            "platform": platform.platform()}


def build_results(cfg, records: list[dict], estimate: dict | None = None, config_file: str | None = None,
                  session_seconds: float | None = None, command: str | None = None
                  ) -> tuple[dict, dict[str, list[dict]], dict[str, list[dict]]]:
    """results.json's content, the judged samples and the choice records per run id."""
    samples = {r["id"]: load_samples(r) for r in records}
    choices = {r["id"]: c for r in records if (c := load_choices(r)) is not None}
    modes, table, per_run = tables(list(cfg.eval.modes), list(cfg.methods), records, samples)
    runs = [{**r, **per_run[r["id"]]} for r in records]
    wall = sum((r["train"].get("wall_seconds") or 0) + r["eval"]["generate_seconds"] + r["eval"]["judge_seconds"]
               + (r["eval"].get("choice_seconds") or 0) for r in records)  # choice mode: scoring, no sampling
    by_mode = {mode: sum(table[mode][m]["n_samples"] for m in cfg.methods) for mode in modes}
    cwes = records[0]["eval"]["settings"][next(iter(records[0]["eval"]["settings"]))]["cwes"] if records else []
    res = {
        "name": cfg.name,
        "metrics_version": METRICS_VERSION,
        "records": RECORDS,
        "config": asdict(cfg),
        "config_file": config_file,
        "command": command,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "methods": list(cfg.methods),
        "seeds": list(cfg.seeds),
        "modes": modes,
        "eval_cwes": cwes,
        "eval_cwes_text": _cwes_text(cfg, cwes),
        "shared": {"from": cfg.share,
                   "runs": [r["id"] for r in records if r["train"].get("shared")],
                   "evals": [r["id"] for r in records if r["eval"].get("shared")]},
        "aggregation": AGGREGATION,
        "estimate_minutes": estimate,
        "wall_seconds_total": round(wall, 1),
        "wall_seconds_this_invocation": None if session_seconds is None else round(session_seconds, 1),
        "oracle_calls": {"train": sum(r["train"].get("oracle_calls", 0) for r in records),
                         "eval": sum(r["eval"]["oracle_calls"] for r in records), "eval_by_mode": by_mode},
        "tokens": {"train_generated": sum(r["train"].get("tokens_generated", 0) for r in records),
                   "train_forward": sum(r["train"].get("train_tokens", 0) for r in records),
                   "eval_generated": sum(r["eval"]["tokens"] for r in records)},
        "runs": runs,
        "table": table,
        "choice": choice_results(list(cfg.methods), records, choices),
        "analyses": {},
    }
    return res, samples, choices


def write_records(out: Path, records: list[dict], samples: dict[str, list[dict]]) -> int:
    """Every run's judged samples into ``out/samples.jsonl.gz`` (``run``, ``method``, ``seed`` added)."""
    return write_jsonl_gz_atomic(out / RECORDS, ({"run": r["id"], "method": r["method"], "seed": r["seed"], **x}
                                                 for r in records for x in samples[r["id"]]))


def read_records(folder: Path) -> dict[str, list[dict]]:
    """run id -> judged samples, from ``folder/samples.jsonl.gz`` (see write_records)."""
    out: dict[str, list[dict]] = {}
    for i, x in enumerate(read_jsonl_gz(folder / RECORDS)):
        if "run" not in x:
            raise SectreeError(f"{folder / RECORDS}:{i + 1}: record without 'run'")
        out.setdefault(x["run"], []).append({k: v for k, v in x.items() if k not in ("run", "method", "seed")})
    return out


def recompute(res: dict, samples: dict[str, list[dict]], choices: dict[str, list[dict]] | None = None) -> dict:
    """``res`` (a version-2 results.json) with every number that samples determine recomputed from ``samples``
    (run id -> judged samples): the pooled table, each run's own metrics and the analyses; with ``choices``
    (run id -> choice records, ``choice_report.read_choice_records``) the choice block too. What the README
    shows of an experiment is then a function of its committed per-sample records."""
    res = json.loads(json.dumps(res))  # a deep copy
    records = [{"id": r["id"], "method": r["method"], "seed": r["seed"]} for r in res["runs"]]
    missing = [r["id"] for r in records if r["id"] not in samples]
    if missing:
        raise SectreeError(f"{res['name']}: no per-sample records of run(s) {', '.join(missing)}")
    modes, table, per_run = tables(res["config"]["eval"]["modes"], res["methods"], records, samples)
    res.update(modes=modes, table=table, analyses={})
    for r in res["runs"]:
        r.update(per_run[r["id"]])
    analyses(res, lambda method, mode: pooled(records, samples, method, mode))
    if choices is not None and res.get("choice") is not None:
        res["choice"] = choice_results(res["methods"], records, choices,
                                       seed=res["choice"]["bootstrap"]["seed"],
                                       resamples=res["choice"]["bootstrap"]["resamples"])
    return res


def _cwes_text(cfg, cwes: list[int]) -> str:
    if cfg.eval.cwes == "unseen":
        every = "" if cwes else "; every eval task has one, so no task is filtered out"
        return f"unseen by training (no train-split task has them): {', '.join(map(str, unseen_cwes(cfg)))}{every}"
    return ", ".join(map(str, cwes))


def write_report(cfg, out: str | Path, records: list[dict], *, estimate: dict | None = None,
                 config_file: str | None = None, session_seconds: float | None = None,
                 command: str | None = None) -> dict:
    """Write results.json, report.md and report.html into ``out``; return the results."""
    import matplotlib  # lazy(heavy): a second or more to import (see figures.py); only writing a report needs it

    matplotlib.use("Agg")
    out = Path(out)
    res, samples, choices = build_results(cfg, records, estimate, config_file, session_seconds, command)

    def pooled_of(method: str, mode: str) -> list[dict]:
        return pooled(records, samples, method, mode)

    comparisons = analyses(res, pooled_of)
    langs = [t for t in (language_table(res, m) for m in res["modes"]) if t]
    seens = [t for t in (seen_table(res, m) for m in res["modes"]) if t]
    sections = {"Results": [method_table(res, m) for m in res["modes"]], "Forced choice": choice_sections(res),
                "Comparisons": comparisons,
                "Per language": langs, "Seen and unseen CWEs": seens, "Per seed": [seed_table(res)] + [t for t in [leaves_table(res)] if t]}
    write_records(out, records, samples)  # before results.json: results.json names a complete record file
    if choices:
        write_choice_records(out, records, choices)
    write_json_atomic(out / "results.json", res)
    write_text_atomic(out / "report.md", render_md(res, sections))
    figures = {"bars": fig_bars(res), "heat": fig_heat(res), "curves": fig_curves(res, records)}
    trees = example_trees(res, records, cfg.report.trees)
    write_text_atomic(out / "report.html", render_html(res, sections, figures, trees))
    return res


def readme_md(res: dict) -> str:
    """The README's generated block for one experiment: provenance, the per-mode tables and the analyses (a
    version-1 result says first that it is superseded)."""
    text = provenance(res) + "\n\n" + ("" if version(res) >= 2 else f"**{V1_NOTE}**\n\n")
    text += "".join(section_md(method_table(res, m)) for m in res["modes"])
    if res.get("choice"):
        text += "".join(section_md(s) for s in choice_sections(res))
    text += "".join(section_md(a["section"]) for a in res["analyses"].values())
    return re.sub(r"(?m)^### ", "#### ", text)


def tables_md(res: dict) -> str:
    """The per-mode method tables and, where choice was a mode, its rates and comparisons (what the CLI prints)."""
    return "".join(section_md(method_table(res, m)) for m in res["modes"]) + \
        "".join(section_md(s) for s in choice_sections(res))
