"""What the static judgement sees of SafeCoder's fixes: analyzers (and syntax) on before vs after versions.

SafeCoder rows have no tests: a leaf that matches neither reference is judged by the analyzers alone
(``oracle/static.py``). This measures, over the SafeCoder train and val rows that become tasks, how often
the analyzers tell the two known versions apart. A version is **flagged** when some analyzer gives it a
counting finding (``counts_as_vulnerability``) whose CWE is related to the row's (``related_cwes``), exactly
what rule 3 of the static oracle looks at. Per language and per CWE:

  rows          tasks (rows that load; skipped rows are listed by ``sectree tasks list``)
  parses        the after version parses in some frame (tree-sitter) / the before version in the same frame
  before        before (vulnerable) version flagged
  after clean   after (fixed) version not flagged
  before only   before flagged and after clean: the analyzers separate the pair
  both          both versions flagged (the finding is the project's baseline, not the fix)
  neither       neither flagged: the analyzers cannot see this weakness here
  after only    only the fixed version flagged
  new           before flagged by a finding the after version does not also draw (same tool, rule and line
                text): what the oracle calls vulnerable in a leaf resembling the before version
Per analyzer: before versions flagged by it alone.

Usage: .venv/bin/python benchmarks/safecoder_agreement.py [--data ../shared/data/safecoder] [--limit N]
Prints Markdown tables and writes benchmarks/results/safecoder_agreement.json (with tool versions).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from analyzer_agreement import tool_version
from sectree.io import write_json_atomic
from sectree.oracle.analyzers import ANALYZERS, counts_as_vulnerability, related_cwes
from sectree.oracle.static import _key, analyzer_source, task_facts
from sectree.tasks.grammar import syntax_errors
from sectree.tasks.safecoder import load_safecoder

COLUMNS = ("rows", "after_parses", "before_parses", "before", "after_clean", "before_only", "both", "neither",
           "after_only", "new")


def counting(fs, cwes) -> list:
    rel = related_cwes(cwes)
    return [f for f in fs if f.cwe in rel and counts_as_vulnerability(f)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared/data/safecoder"),
                    help="SafeCoder's data folder (its train/ and val/ .jsonl files are read)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N tasks (a quick check)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "safecoder_agreement.json"))
    args = ap.parse_args()

    data = Path(args.data)
    suites = [(split, load_safecoder(data / split)) for split in ("train", "val")]
    tasks = [t for _, s in suites for t in s.tasks][: args.limit]
    assert len({t.id for t in tasks}) == len(tasks), "task ids must be unique across the files"
    t_start = time.monotonic()
    facts = {t.id: task_facts(t) for t in tasks}

    # every analyzer of a language, separately, on the framed before and after versions
    by_lang: dict[str, list] = defaultdict(list)
    for t in tasks:
        by_lang[t.language].append(t)
    per_task: dict[str, dict] = {}
    timings, versions = {}, {}
    for lang, ts in by_lang.items():
        after_src = [analyzer_source(facts[t.id], t.reference_source, lang) for t in ts]
        before_src = [analyzer_source(facts[t.id], t.unsafe_source, lang) for t in ts]
        for t, a_src, b_src in zip(ts, after_src, before_src):
            f = facts[t.id]
            frame = f.frame
            per_task[t.id] = {
                "language": lang, "cwe": t.cwes[0], "split": t.split or "val",
                "after_parses": frame is not None,
                "before_parses": frame is not None and not syntax_errors(frame.apply(t.unsafe_source), lang),
                "before_by": [], "after_by": [], "new_by": [],
            }
        for a in ANALYZERS[lang]:
            if not a.available():
                versions[a.name] = "missing"
                continue
            versions.setdefault(a.name, tool_version(a))
            t0 = time.monotonic()
            found = a.analyze(after_src + before_src)
            timings[f"{lang}/{a.name}"] = round(time.monotonic() - t0, 2)
            n = len(ts)
            for k, t in enumerate(ts):
                fa, fb = counting(found[k], t.cwes), counting(found[n + k], t.cwes)
                base = {_key(x, after_src[k]) for x in found[k]}
                rec = per_task[t.id]
                if fa:
                    rec["after_by"].append(a.name)
                if fb:
                    rec["before_by"].append(a.name)
                if any(_key(x, before_src[k]) not in base for x in fb):
                    rec["new_by"].append(a.name)

    def row(recs: list[dict]) -> dict:
        out = dict.fromkeys(COLUMNS, 0)
        per_analyzer: dict[str, int] = defaultdict(int)
        for r in recs:
            b, a = bool(r["before_by"]), bool(r["after_by"])
            out["rows"] += 1
            out["after_parses"] += r["after_parses"]
            out["before_parses"] += r["before_parses"]
            out["before"] += b
            out["after_clean"] += not a
            out["before_only"] += b and not a
            out["both"] += b and a
            out["neither"] += not b and not a
            out["after_only"] += a and not b
            out["new"] += bool(r["new_by"])
            for name in r["before_by"]:
                per_analyzer[name] += 1
        out["before_by_analyzer"] = dict(sorted(per_analyzer.items()))
        return out

    recs = list(per_task.values())
    groups = {
        "total": row(recs),
        "by_split": {s: row([r for r in recs if r["split"] == s]) for s in sorted({r["split"] for r in recs})},
        "by_language": {lang: row([r for r in recs if r["language"] == lang])
                        for lang in sorted({r["language"] for r in recs})},
        "by_cwe": {f"CWE-{c}": row([r for r in recs if r["cwe"] == c]) for c in sorted({r["cwe"] for r in recs})},
        "by_language_cwe": {f"{lang} CWE-{c}": row([r for r in recs if r["language"] == lang and r["cwe"] == c])
                            for lang, c in sorted({(r["language"], r["cwe"]) for r in recs})},
    }
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": "benchmarks/safecoder_agreement.py" + (f" --limit {args.limit}" if args.limit else ""),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "loadavg": Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None,
        "data": {split: {"file_rows": s.summary()["tasks"] + s.summary()["skipped"], **s.summary()}
                 for split, s in suites},
        "tools": versions,
        "seconds": {"total": round(time.monotonic() - t_start, 1), **timings},
        **groups,
        "tasks": per_task,
    }
    write_json_atomic(args.out, result)

    head = ("| group | rows | parses (after / before) | before flagged | after clean | before only | both | neither "
            "| after only | new | before flagged, by analyzer |")
    print(head)
    print("|---|" + "---:|" * 9 + "---|")

    def line(name: str, r: dict) -> str:
        by = ", ".join(f"{k} {v}" for k, v in r["before_by_analyzer"].items()) or "-"
        return (f"| {name} | {r['rows']} | {r['after_parses']} / {r['before_parses']} | {r['before']} | "
                f"{r['after_clean']} | {r['before_only']} | {r['both']} | {r['neither']} | {r['after_only']} | "
                f"{r['new']} | {by} |")

    print(line("all", groups["total"]))
    for k, r in groups["by_split"].items():
        print(line(f"split {k}", r))
    for k, r in groups["by_language"].items():
        print(line(k, r))
    print()
    print(head.replace("| group |", "| language, CWE |"))
    print("|---|" + "---:|" * 9 + "---|")
    for k, r in groups["by_language_cwe"].items():
        print(line(k, r))
    print(f"\n{len(tasks)} tasks in {result['seconds']['total']} s; wrote {args.out}")


if __name__ == "__main__":
    main()
