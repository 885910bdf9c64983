"""CPU of the build step of a compiled-language verdict, per task, with the oracle's flags and a variant (issue #17).

For every task of ``--suite`` (C, C++ or Go) the secure reference is built with the exact command the oracle's
runner puts in the job (``runner.job(task, source).prepare[0]``), outside the sandbox, in a fresh temp folder
(and, for Go, a fresh GOCACHE and GOPATH, as the sandbox's /tmp is wiped after each job), ``--repeat`` times;
and the same with one change, to see what a flag costs:

- C / C++: with ``-g`` (debug info, which the oracle's builds dropped: the sanitizers print no symbols,
  ``symbolize=0``);
- Go: without ``-ldflags=-s -w`` (the symbol table and DWARF that the oracle's Go builds drop since 14171ac).

CPU = user + system seconds of the build's processes (compiler, assembler, linker), from ``getrusage``.

Usage: .venv/bin/python benchmarks/build_cost.py --suite builtin:c [--repeat 3] [--limit 0]
       [--out benchmarks/results/build_cost_c.json]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from sectree.experiment.report.results import machine
from sectree.io import write_json_atomic
from sectree.oracle.runners import GO_BUILD_FLAGS, runner_for
from sectree.tasks import load_suite

def with_debug_info(cmd: list[str]) -> list[str]:
    if "-g" in cmd or "-O1" not in cmd:
        raise SystemExit(f"build_cost: expected -O1 and no -g in the runner's build command {cmd}")
    i = cmd.index("-O1") + 1
    return [*cmd[:i], "-g", *cmd[i:]]


def without_ldflags(cmd: list[str]) -> list[str]:
    out = [a for a in cmd if a not in GO_BUILD_FLAGS]
    if len(out) != len(cmd) - len(GO_BUILD_FLAGS):
        raise SystemExit(f"build_cost: {GO_BUILD_FLAGS} not in the runner's build command {cmd}")
    return out


# language -> (the variant's name, the oracle's build command -> the variant's)
VARIANTS = {"c": ("with -g", with_debug_info), "cpp": ("with -g", with_debug_info),
            "go": ("with symbols (no -ldflags)", without_ldflags)}


def build_cpu(task, cmd: list[str]) -> float:
    """CPU seconds of one build of the task's secure reference with ``cmd``, in a fresh folder."""
    job = runner_for(task.language).job(task, task.reference_source)
    with tempfile.TemporaryDirectory(prefix="build-cost-") as d:
        for name, data in job.files.items():
            Path(d, name).parent.mkdir(parents=True, exist_ok=True)
            Path(d, name).write_bytes(data)
        env = {**os.environ, **job.env}
        if "GOCACHE" in env:
            env.update(GOCACHE=f"{d}/gocache", GOPATH=f"{d}/gopath:/usr/share/gocode")
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run(cmd, cwd=d, env=env, capture_output=True, text=True)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"build_cost: {task.id}: the build failed: {p.stderr[-500:]}")
    return (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="builtin:c")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N tasks (0: all)")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    tasks = [t for t in load_suite(args.suite) if t.test_file is not None]
    tasks = tasks[: args.limit] if args.limit else tasks
    langs = {t.language for t in tasks}
    if len(langs) != 1 or not langs <= set(VARIANTS):
        raise SystemExit(f"build_cost: --suite must hold tasks of one of {sorted(VARIANTS)}, got {sorted(langs)}")
    lang = langs.pop()
    name, change = VARIANTS[lang]
    load0 = os.getloadavg()[0]
    per_task = {}
    for t in tasks:
        cmd = runner_for(lang).job(t, t.reference_source).prepare[0]
        runs = {"oracle": [], name: []}
        for _ in range(args.repeat):  # alternating, so that a drift of the load favours neither
            runs["oracle"].append(build_cpu(t, cmd))
            runs[name].append(build_cpu(t, change(cmd)))
        per_task[t.id] = {k: round(1000 * statistics.median(v), 1) for k, v in runs.items()}
        print(f"{t.id:24} oracle {per_task[t.id]['oracle']:8.1f} ms   {name} {per_task[t.id][name]:8.1f} ms", flush=True)
    med = {k: round(statistics.median(r[k] for r in per_task.values()), 1) for k in ("oracle", name)}
    ratio = statistics.median(r["oracle"] / r[name] for r in per_task.values())
    result = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": f"{os.cpu_count()} cores, {machine()['cpu']}",
              "load_average_before_after": [round(load0, 2), round(os.getloadavg()[0], 2)],
              "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]), "suite": args.suite,
              "repeat": args.repeat, "variant": name, "median_cpu_ms_over_tasks": med,
              "median_ratio_oracle_over_variant": round(ratio, 3), "per_task_median_cpu_ms": per_task}
    print(f"median over {len(per_task)} tasks, CPU ms per build: oracle {med['oracle']}, {name} {med[name]}; "
          f"median per-task ratio oracle/variant {ratio:.3f}; load {result['load_average_before_after']}")
    out = args.out or str(Path(__file__).parent / "results" / f"build_cost_{lang}.json")
    write_json_atomic(out, result)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
