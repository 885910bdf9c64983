"""The report as text: report.md and report.html from the sections (``sections.py``) and the figures
(``figures.py``), and the lines every report starts with (provenance, aggregation, metrics, machine).

A section is {"title", "notes": [str], "header": [str], "rows": [[str]]}: rendered to Markdown and HTML alike.
report.html holds no external reference (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from sectree.experiment.report.stats import version

AGGREGATION = ("seeds pooled per task: each task's samples from all seeds together (seeds × n per task); "
               "per-task metrics (secure-pass@1, func@1) = c / (seeds·n) averaged over tasks, pooled rates "
               "(SPR@1, alert rate) over all parseable samples; 95% CI = percentile bootstrap over tasks "
               "(1000 resamples), so it covers task and sampling variation, not run-to-run training variance "
               "(see the per-seed table)")


METRIC_TEXT = ("Metrics (sectree.evaluate.metrics, version 2): secure-pass@1 = functional and secure; SPR@1 = "
               "parseable samples without a security alert / parseable samples (the TSP paper's SPR@1; an alert is a "
               "security test that ran and failed or a matching analyzer finding, and a sample that does not import "
               "has none); func@1 = all functionality tests pass; vulnerable among functional@1 = (func@1 − "
               "secure-pass@1) / func@1 (CWEval's); alert rate = 1 − SPR@1.")


METRIC_TEXT_V1 = ("Metrics (sectree.evaluate.metrics, version 1, superseded): secure-pass@1 = functional and secure; "
                  "SPR@1 = parseable samples without a security failure (any security test not passed, missing ones "
                  "included, or a matching analyzer finding) / parseable samples; func@1 = all functionality tests "
                  "pass; vulnerable rate = 1 − SPR@1.")


def machine_line(m: Mapping) -> str:
    return f"{m['cores']} cores, {m['cpu']}"


def _context(res: dict, mode: str | None) -> str:
    c, e = res["config"], res["config"]["eval"]
    e = {**e, **e.get("sampling", {})}  # eval.sampling; results.json written before it have the fields flat
    calls = res["oracle_calls"]
    ev_calls = calls["eval_by_mode"].get(mode, 0) if mode else calls["eval"]
    per = (f"samples per decision: {e['span_n']} per seed; temperature: {e['temperature']}; max_new_tokens: "
           f"{e['span_max_new_tokens']}" if mode == "span" and "span_n" in e else
           f"samples per task: {e['n']} per seed; temperature: {e['temperature']}; max_new_tokens: "
           f"{e['max_new_tokens']}")
    return (f"model: {c['model']}; prompt mode: {mode or ', '.join(e['modes'])}; seeds: {c['seeds']}; "
            f"{per}; eval: {e['suite']} split {e['split']}"
            f"{'' if e['language'] is None else ', language ' + str(e['language'])}"
            f"{', CWEs ' + res['eval_cwes_text'] if res['eval_cwes_text'] else ''}; oracle calls: "
            f"{ev_calls} eval ({mode or 'all modes'}) + {calls['train']} training; wall time: "
            f"{res['wall_seconds_total'] / 60:.1f} min (all runs: training, sampling, judging); machine: "
            f"{machine_line(res['machine'])}; date: {res['date']}")


def section_md(s: dict) -> str:
    text = f"### {s['title']}\n\n" + "".join(f"{n}\n\n" for n in s["notes"])
    if s["rows"]:
        lines = ["| " + " | ".join(s["header"]) + " |", "|" + "|".join("---" for _ in s["header"]) + "|"]
        text += "\n".join(lines + ["| " + " | ".join(r) + " |" for r in s["rows"]]) + "\n\n"
    return text


def render_md(res: dict, sections: dict[str, list[dict]]) -> str:
    c = res["config"]
    head = (f"# Experiment: {c['name']}\n\n{provenance(res)}\n\n"
            f"Methods {', '.join(res['methods'])}; seeds {c['seeds']}; model {c['model']}; "
            f"{machine_line(res['machine'])}; {res['date']}.\n\n"
            f"Aggregation over seeds: {AGGREGATION}.\n\n"
            f"{METRIC_TEXT if version(res) >= 2 else METRIC_TEXT_V1} Values in percent, [95% CI].\n\n")
    if shared_line(res):
        head += shared_line(res) + "\n\n"
    body = []
    for title, secs in sections.items():
        if secs:
            body.append(f"## {title}\n\n" + "".join(section_md(s) for s in secs))
    return head + "".join(body)


_CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:13px}th,td{border:1px solid #ccc;padding:3px 7px;
text-align:left}th{background:#f3f3f3}td:not(:first-child){font-variant-numeric:tabular-nums}
.note{color:#555;font-size:12.5px;margin:.2em 0}img{max-width:100%;border:1px solid #eee}
iframe{width:100%;height:720px;border:1px solid #ccc}h2{border-bottom:1px solid #ddd;padding-bottom:.2em}"""


def section_html(s: dict) -> str:
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in s["notes"])
    table = ""
    if s["rows"]:
        table = ("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in s["header"]) + "</tr>"
                 + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in s["rows"])
                 + "</table>")
    return f"<h3>{escape(s['title'])}</h3>{notes}{table}"


def srcdoc(page: str) -> str:
    """``page`` as an iframe srcdoc attribute value: escaped, with ':' as '&#58;' (decoded back by the browser)."""
    return escape(page, quote=True).replace(":", "&#58;")


def render_html(res: dict, sections: dict[str, list[dict]], figures: dict[str, str | None],
                trees: tuple[str, list[str]] | None) -> str:
    c = res["config"]
    csp = "img-src data:; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    parts = [f"<h1>Experiment: {escape(c['name'])}</h1>",
             f'<p class="note">{escape(provenance(res))}</p>',
             f'<p class="note">{escape(_context(res, None))}</p>',
             *([f'<p class="note">{escape(shared_line(res))}</p>'] if shared_line(res) else []),
             f'<p class="note">Aggregation over seeds: {escape(AGGREGATION)}.</p>']
    for title, secs in sections.items():
        if secs:
            parts.append(f"<h2>{escape(title)}</h2>" + "".join(section_html(s) for s in secs))
    captions = {"bars": "Metrics per method with 95% CIs", "heat": "Alert rate (1 − SPR@1) per CWE (methods × CWEs)",
                "curves": "Training curves (from the runs' stats.jsonl)"}
    parts.append("<h2>Figures</h2>")
    for key, cap in captions.items():
        b64 = figures.get(key)
        parts.append(f"<h3>{escape(cap)}</h3>" + (f'<img alt="{escape(cap)}" src="data:image/png;base64,{b64}">'
                                                   if b64 else '<p class="note">nothing to plot</p>'))
    parts.append("<h2>Example trees</h2>")
    if trees:
        page, ids = trees
        parts.append(f'<p class="note">tasks: {escape(", ".join(ids))} (the tree viewer, sectree trees show)</p>'
                     f'<iframe sandbox="allow-scripts" title="example trees" srcdoc="{srcdoc(page)}"></iframe>')
    else:
        parts.append('<p class="note">no trees (no tree-building method in this experiment)</p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{csp}"><meta name="referrer" content="no-referrer">'
            f"<title>{escape(c['name'])}: sectree experiment</title><style>{_CSS}</style></head>\n<body>"
            + "\n".join(parts) + "\n</body></html>\n")


def provenance(res: dict) -> str:
    """One line: how the results were made (command, machine, date, wall time, oracle calls)."""
    calls = res["oracle_calls"]
    cmd = res.get("command") or f"sectree experiment {res.get('config_file') or '<config>'}"
    return (f"Command: `{cmd}`; {machine_line(res['machine'])}; {res['date']}; wall time "
            f"{res['wall_seconds_total'] / 60:.1f} min over all runs; oracle calls: {calls['train']} in training, "
            f"{calls['eval']} in evaluation.")


def shared_line(res: dict) -> str:
    """Which runs and evaluations were taken from another experiment (``share``); "" when none were."""
    sh = res.get("shared") or {}
    if not (sh.get("runs") or sh.get("evals")):
        return ""
    return (f"Taken from {sh['from']} (same settings, copied, not recomputed; their wall times are those runs'): "
            f"training {', '.join(sh['runs']) or 'none'}; evaluations {', '.join(sh['evals']) or 'none'}.")
