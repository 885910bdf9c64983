"""How far the static analyzers agree with the tests: each analyzer on the built-in suite's references.

For every task the secure reference passes all tests and the unsafe reference fails a security test, so
they are labelled data. Per language and per analyzer (and for all analyzers of a language together,
which is what the oracle records):

  recall       tasks whose unsafe reference gets a finding that counts (what ``finding_match`` uses:
               ``counts_as_vulnerability`` and a CWE related to the task's)  / tasks
  specificity  tasks whose secure reference gets no such finding / tasks
  precision    flagged unsafe / (flagged unsafe + flagged secure)
  separates    tasks where the unsafe reference is flagged and the secure one is not
  any-*        the same with any finding that counts (severity MEDIUM or HIGH), whatever its CWE
  raw-*        the same with any finding at all (LOW severity too)

Usage: .venv/bin/python benchmarks/analyzer_agreement.py [--suite builtin] [--markdown]
Prints a table and writes benchmarks/results/analyzers.json (with tool versions and batch timings).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

from sectree.experiment.report.results import machine
from sectree.io import write_json_atomic
from sectree.oracle.analyzers import ANALYZERS, counts_as_vulnerability, related_cwes
from sectree.oracle.verdict import Finding
from sectree.tasks import load_suite

VERSION_CMDS = {
    "cppcheck": ["cppcheck", "--version"], "clang-analyzer": ["clang", "--version"],
    "flawfinder": ["flawfinder", "--version"], "go-vet": ["go", "version"],
}


def tool_version(analyzer) -> str:
    if analyzer.name == "bandit":
        import bandit
        return f"bandit {bandit.__version__}"
    if analyzer.name == "eslint":
        import json
        lock = json.loads((analyzer.dir / "package-lock.json").read_text())
        pk = lock["packages"]
        return (f"eslint {pk['node_modules/eslint']['version']}, "
                f"eslint-plugin-security {pk['node_modules/eslint-plugin-security']['version']}")
    try:
        out = subprocess.run(VERSION_CMDS[analyzer.name], capture_output=True, text=True, timeout=30).stdout
        return out.splitlines()[0].strip()
    except Exception:  # noqa: BLE001
        return "?"


def score(tasks, unsafe: list[list[Finding]], secure: list[list[Finding]]) -> dict:
    def flagged(fs: list[Finding], cwes, match: bool, counting: bool) -> bool:
        rel = related_cwes(cwes)
        return any((not counting or counts_as_vulnerability(f)) and (not match or f.cwe in rel) for f in fs)

    n, out = len(tasks), {"tasks": len(tasks)}
    for key, match, counting in (("", True, True), ("any_", False, True), ("raw_", False, False)):
        fu = [flagged(u, t.cwes, match, counting) for t, u in zip(tasks, unsafe)]
        fs = [flagged(s, t.cwes, match, counting) for t, s in zip(tasks, secure)]
        out[key + "recall"] = round(sum(fu) / n, 3)
        out[key + "specificity"] = round(1 - sum(fs) / n, 3)
        out[key + "precision"] = round(sum(fu) / (sum(fu) + sum(fs)), 3) if sum(fu) + sum(fs) else None
        out[key + "separates"] = sum(a and not b for a, b in zip(fu, fs))
        out[key + "flagged_unsafe"] = [t.id for t, f in zip(tasks, fu) if f]
        out[key + "flagged_secure"] = [t.id for t, f in zip(tasks, fs) if f]
    out["raw_findings_unsafe"] = sum(map(len, unsafe))
    out["raw_findings_secure"] = sum(map(len, secure))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="builtin")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "analyzers.json"))
    args = ap.parse_args()

    tasks = load_suite(args.suite)
    rows: list[dict] = []
    for lang in sorted({t.language for t in tasks}, key=["python", "c", "cpp", "go", "js"].index):
        lt = [t for t in tasks if t.language == lang]
        unsafe_all: list[list[Finding]] = [[] for _ in lt]
        secure_all: list[list[Finding]] = [[] for _ in lt]
        for a in ANALYZERS.get(lang, []):
            if not a.available():
                rows.append({"language": lang, "analyzer": a.name, "missing": True})
                continue
            batch = [t.unsafe_source for t in lt] + [t.reference_source for t in lt]
            t0 = time.perf_counter()
            found = a.analyze(batch)
            dt = time.perf_counter() - t0
            unsafe, secure = found[: len(lt)], found[len(lt):]
            for acc, fs in zip(unsafe_all, unsafe):
                acc.extend(fs)
            for acc, fs in zip(secure_all, secure):
                acc.extend(fs)
            rows.append({"language": lang, "analyzer": a.name, "version": tool_version(a),
                         "batch_sources": len(batch), "batch_seconds": round(dt, 2),
                         "ms_per_source": round(1000 * dt / len(batch), 1), **score(lt, unsafe, secure)})
        rows.append({"language": lang, "analyzer": "all", **score(lt, unsafe_all, secure_all)})

    cpu = machine()["cpu"]
    result = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "machine": f"{os.cpu_count()} cores, {cpu}",
              "suite": args.suite, "rows": rows}

    def pct(x) -> str:
        return "-" if x is None else f"{100 * x:.0f}%"

    head = ["language", "analyzer", "tasks", "recall", "specificity", "precision", "separates",
            "any: recall / spec. / prec.", "raw: recall / spec.", "s / batch of 2n"]
    lines = []
    for r in rows:
        if r.get("missing"):
            lines.append([r["language"], r["analyzer"], "missing"] + [""] * (len(head) - 3))
            continue
        lines.append([r["language"], r["analyzer"], str(r["tasks"]), pct(r["recall"]), pct(r["specificity"]),
                      pct(r["precision"]), str(r["separates"]),
                      f"{pct(r['any_recall'])} / {pct(r['any_specificity'])} / {pct(r['any_precision'])}",
                      f"{pct(r['raw_recall'])} / {pct(r['raw_specificity'])}", str(r.get("batch_seconds", ""))])
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for ln in lines:
            print("| " + " | ".join(ln) + " |")
    else:
        widths = [max(len(h), *(len(ln[i]) for ln in lines)) for i, h in enumerate(head)]
        print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
        for ln in lines:
            print("  ".join(c.ljust(w) for c, w in zip(ln, widths)))
    print(f"({result['machine']}, {result['date']})")
    write_json_atomic(args.out, result)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
