"""Fault injection for long runs: SIGKILL `sectree experiment` at random moments, resume, compare.

    python benchmarks/fault_bench.py                      # 20 kills on configs/experiments/quick.yaml (tiny-random)
    python benchmarks/fault_bench.py --kills 5 --seed 1   # what tests/test_reliability.py runs in CI

One uninterrupted reference run, then faulty runs: each is started, killed with SIGKILL (its whole process group:
the sandbox workers too) after a random delay drawn uniformly from (0, reference wall time), restarted with the same
command (which resumes), killed again, ... until it finishes on its own; faulty runs repeat until ``--kills`` kills
have happened. Every finished faulty run must equal the reference: results.json and every JSONL / JSONL.gz record
file under the output folder (samples, verdicts, trees, pairs, stats), after dropping what legitimately differs
between two runs (wall times, timings, the output folder's own path). The table says how many kills landed in
which stage (the last line the run printed before it died) and whether each run matched.

Each faulty folder starts with the reference's threads.json: the experiment chooses its PyTorch thread count by
the machine's load when it first starts, and floats differ in their last digits with that count, so two runs are
comparable only at the same count. Every restart then chooses by that record, as a user's resume does; without
it, a restart under another load would not continue the same computation (what an earlier version did).

Writes benchmarks/results/fault.json (``--json`` to change). The moments are random but seeded (``--seed``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VOLATILE_KEYS = {"timings", "date", "command", "machine", "versions", "threads", "load", "markdown", "resumed"}
"""Keys whose values differ between two identical runs (clocks, the command line, the machine; ``markdown``
renders the compared aggregates together with the wall time; ``resumed`` says a run was resumed) ..."""
VOLATILE_SUFFIXES = ("seconds", "_s")
"""... and keys ending so (``judge_seconds``, ``train/wall_s``, ``train/tokens_per_s``), or holding "wall"."""


def _volatile(key: str) -> bool:
    return key in VOLATILE_KEYS or key.endswith(VOLATILE_SUFFIXES) or "wall" in key


def normalise(obj, out: str):
    """Drop volatile keys recursively; replace the output folder's path with a placeholder."""
    if isinstance(obj, dict):
        return {k: normalise(v, out) for k, v in obj.items() if not _volatile(k)}
    if isinstance(obj, list):
        return [normalise(v, out) for v in obj]
    if isinstance(obj, str):
        return obj.replace(out, "<out>")
    return obj


def _records(path: Path) -> list:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def snapshot(out: Path) -> dict[str, object]:
    """Everything a finished run is judged by: results.json and every record file, normalised."""
    snap: dict[str, object] = {}
    for p in sorted(out.rglob("*")):
        rel = str(p.relative_to(out))
        if p.name.startswith(".") or "checkpoint" in p.parts:
            continue
        if p.name == "results.json" or p.name.endswith((".jsonl", ".jsonl.gz")):
            data = json.loads(p.read_text()) if p.suffix == ".json" else _records(p)
            snap[rel] = normalise(data, str(out))
    return snap


def first_difference(a: dict, b: dict) -> str | None:
    if set(a) != set(b):
        return f"files differ: only in reference {sorted(set(a) - set(b))[:3]}, only here {sorted(set(b) - set(a))[:3]}"
    for k in a:
        if a[k] != b[k]:
            return f"{k} differs"
    return None


def command(config: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "sectree", "experiment", str(config), "--out", str(out), "--quiet"]


def run_once(config: Path, out: Path, kill_after: float | None, log) -> tuple[str, float, str]:
    """Start the experiment; SIGKILL its process group after ``kill_after`` s. -> (outcome, seconds, last line)."""
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    t0 = time.monotonic()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(command(config, out), cwd=ROOT, stdout=err, stderr=subprocess.STDOUT,
                                start_new_session=True, env=env)
        try:
            proc.wait(timeout=kill_after)
            outcome = "finished" if proc.returncode == 0 else f"failed rc={proc.returncode}"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            outcome = "killed"
        err.seek(0)
        lines = [ln for ln in err.read().splitlines() if ln.strip()]
    if outcome.startswith("failed"):
        log("  run failed:\n    " + "\n    ".join(lines[-5:]))
    return outcome, time.monotonic() - t0, (lines[-1][:100] if lines else "(nothing printed yet)")


def inject(config: Path, kills: int, seed: int, work: Path, log=print) -> dict:
    rng = random.Random(seed)
    ref = work / "reference"
    outcome, ref_s, _ = run_once(config, ref, None, log)
    if outcome != "finished":
        raise RuntimeError(f"reference run {outcome}")
    reference = snapshot(ref)
    log(f"reference: {ref_s:.1f} s, {len(reference)} record files")
    runs, done_kills, k = [], 0, 0
    while done_kills < kills:
        out = work / f"faulty-{k}"
        out.mkdir(parents=True)
        (out / "threads.json").write_bytes((ref / "threads.json").read_bytes())  # the reference's count
        events = []
        while True:
            delay = rng.uniform(0.05, ref_s) if done_kills < kills else None
            outcome, secs, last = run_once(config, out, delay, log)
            events.append({"kill_after_s": None if delay is None else round(delay, 2), "outcome": outcome,
                           "last_line": last})
            if outcome == "killed":
                done_kills += 1
                continue
            break
        diff = first_difference(reference, snapshot(out)) if outcome == "finished" else outcome
        runs.append({"run": k, "kills": sum(e["outcome"] == "killed" for e in events), "events": events,
                     "finished": outcome == "finished", "equal_to_reference": diff is None, "difference": diff})
        log(f"faulty run {k}: {runs[-1]['kills']} kills, "
            f"{'equal to the reference' if diff is None else 'DIFFERS: ' + str(diff)}")
        k += 1
    return {"config": str(config.relative_to(ROOT) if config.is_relative_to(ROOT) else config), "seed": seed,
            "reference_seconds": round(ref_s, 1), "kills": done_kills, "runs": runs,
            "all_equal": all(r["equal_to_reference"] for r in runs)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "configs/experiments/quick.yaml"))
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=str(ROOT / "benchmarks/results/fault.json"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sectree-fault-") as tmp:
        res = inject(Path(args.config).resolve(), args.kills, args.seed, Path(tmp))
    res.update({"machine": f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "load": os.getloadavg()[0]})
    print("\n| faulty run | kills | equal to the reference |\n|---|---|---|")
    for r in res["runs"]:
        print(f"| {r['run']} | {r['kills']} | {'yes' if r['equal_to_reference'] else 'NO: ' + str(r['difference'])} |")
    print(f"\n{res['kills']} kills, {len(res['runs'])} resumed runs, all equal: {res['all_equal']}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(res, indent=2) + "\n")
    return 0 if res["all_equal"] else 1


if __name__ == "__main__":
    sys.exit(main())
