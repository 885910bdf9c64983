"""CPU per verdict of the in-sandbox runner at two commits, paired job by job (issue #17).

A loaded machine (the shared 2-core box) makes wall-clock throughput useless for comparing two versions of the
zygote; CPU time disturbs far less, and pairing removes what remains: every candidate of the suite (secure and
unsafe reference) is run by the zygote of ``--before`` and right after by the current one (which goes first
alternates), each in a process of its own in its ``--no-sandbox`` mode (same code as in bubblewrap; a work folder
and pytest's --basetemp on a tmpfs, as in the sandbox), and the CPU time of each job (its process and
everything it waited for) is read from ``getrusage``. Only the zygote is taken from ``--before``: both use
today's report channel (``pytest_channel.py``), whose cost is not what is compared. Reports the mean and median per job and the median of
the per-job ratios, and checks that both give the same per-test outcomes (and says where only failure messages
differ: some tasks' messages hold random values).

Usage: .venv/bin/python benchmarks/runner_ab.py --before 8d57293 [--suite builtin:python] [--limit 0]
       [--before-args "-q -p no:cacheprovider ..."]   (the pytest arguments of --before; default: today's
       minus --tb=no, which #17 added)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from sectree.oracle.judge import _status_from_run, read_channel
from sectree.oracle.runners import PYTEST_ARGS, runner_for
from sectree.sandbox import DEFAULT_PRELOAD, RUNNER_DIR, JobResult
from sectree.tasks import load_suite
from verdict_profile import basetemp_in, tmpfs_dir, zygote_job  # benchmarks/ is on sys.path when this runs

REPO = Path(__file__).resolve().parents[1]


def load_zygote(folder: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, folder / "zygote.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def run(z, task, source: str, argv: list[str]) -> tuple[float, tuple]:
    job = runner_for(task.language).job(task, source)
    key = secrets.token_bytes(32)
    msg = zygote_job(job, key, argv=[*argv, job.argv[-1]])
    c0 = cpu()
    reply = z.run(msg)
    dt = cpu() - c0
    reply.pop("restart", None)
    res = JobResult(**reply)
    records, problem = read_channel(res.report, key)
    reason, tests, _ = _status_from_run(res, records, problem, None)
    return dt, (reason, [(t.nodeid, t.outcome, re.sub(r"0x[0-9a-f]+|[0-9a-f]{8,}>", "?", t.message)) for t in tests])


def serve(conn, folder: Path, name: str, tasks: list, argv: list[str], work: Path) -> None:
    """One side, in a process of its own (a runner may change pytest process-wide: ``pytest_memo``): a zygote
    loaded from ``folder`` with today's other runner modules, answering (task index, source kind) requests."""
    sys.path[:0] = [str(folder), str(RUNNER_DIR)]  # the zygote's folder first, then today's channel, proxy, ...
    z = load_zygote(folder, name).Zygote({"sandboxed": False, "preload": DEFAULT_PRELOAD, "work": str(work)}, 0, 1)
    argv = basetemp_in(argv, work)  # work is on a tmpfs where there is one (main), as /tmp is in the sandbox
    while True:
        req = conn.recv()
        if req is None:
            return
        t = tasks[req[0]]
        dt, (reason, tests) = run(z, t, t.reference_source if req[1] == "reference" else t.unsafe_source, argv)
        # the two sides' work folders differ: not a difference in what the tests say
        conn.send((dt, (reason, [(i, o, m.replace(str(work), "<work>")) for i, o, m in tests])))


def start(folder: Path, name: str, tasks: list, argv: list[str], work: Path):
    from multiprocessing.connection import Pipe

    mine, theirs = Pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            mine.close()
            serve(theirs, folder, name, tasks, argv, work)
        except BaseException:  # noqa: BLE001
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    theirs.close()
    return pid, mine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="git revision whose sandbox runner is compared")
    ap.add_argument("--before-args", default=" ".join(a for a in PYTEST_ARGS if a != "--tb=no"))
    ap.add_argument("--suite", default="builtin:python")
    ap.add_argument("--limit", type=int, default=0, help="first N tasks only (0: all)")
    args = ap.parse_args()
    tasks = [t for t in load_suite(args.suite) if t.test_file is not None]
    tasks = tasks[: args.limit] if args.limit else tasks
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory(dir=tmpfs_dir()) as fast:
        old_dir = Path(tmp, "before")
        old_dir.mkdir()
        # the runner folder of --before: its zygote and every module it imports that today's folder lacks
        listing = subprocess.run(["git", "ls-tree", "--name-only", f"{args.before}:src/sectree/sandbox/runner/"],
                                 cwd=REPO, capture_output=True, check=True, text=True).stdout.split()
        for f in ["zygote.py"] + [f for f in listing if f.endswith(".py") and not (RUNNER_DIR / f).exists()]:
            src = subprocess.run(["git", "show", f"{args.before}:src/sectree/sandbox/runner/{f}"], cwd=REPO,
                                 capture_output=True, check=True).stdout
            (old_dir / f).write_bytes(src)
        sides = {}
        for side, folder, name, argv in (("before", old_dir, "zygote_before", args.before_args.split()),
                                         ("now", RUNNER_DIR, "zygote_now", list(PYTEST_ARGS))):
            work = Path(fast, {"before": "old", "now": "new"}[side])  # same length: messages cut at 500 chars
            work.mkdir()
            sides[side] = start(folder, name, tasks, argv, work)
        cpus: dict[str, list[float]] = {"before": [], "now": []}
        differ, messages = [], []  # outcomes differ / only failure messages differ (random values in them)
        n = 0
        try:
            for i, t in enumerate(tasks):
                for kind in ("reference", "unsafe"):
                    got = {}
                    # alternate which side goes first, so that a drift of the load favours neither
                    for side in (("before", "now") if n % 2 == 0 else ("now", "before")):
                        sides[side][1].send((i, kind))
                        got[side] = sides[side][1].recv()
                    n += 1
                    (c_old, o_old), (c_new, o_new) = got["before"], got["now"]
                    cpus["before"].append(c_old)
                    cpus["now"].append(c_new)
                    strip = lambda o: (o[0], [x[:2] for x in o[1]])  # noqa: E731 - status reason and outcomes
                    if strip(o_old) != strip(o_new):
                        differ.append(f"{t.id}/{kind}")
                        print(f"outcomes differ: {t.id}/{kind}: {[x for x in o_old[1] if x not in o_new[1]][:2]} -> "
                              f"{[x for x in o_new[1] if x not in o_old[1]][:2]}")
                    elif o_old != o_new:
                        messages.append(t.id)
        finally:
            for pid, conn in sides.values():
                try:
                    conn.send(None)
                except OSError:
                    pass
                os.waitpid(pid, 0)
    n = len(cpus["now"])
    ratio = statistics.median(b / a for a, b in zip(cpus["before"], cpus["now"]) if a > 0)
    print(f"{n} jobs ({args.suite}), CPU ms per job, load {os.getloadavg()[0]:.1f}:")
    for k, v in cpus.items():
        print(f"  {k:6} ({args.before if k == 'before' else 'working tree'}): mean {1000 * statistics.mean(v):.1f}, "
              f"median {1000 * statistics.median(v):.1f}")
    print(f"  median of per-job ratios now/before: {ratio:.3f}; outcomes differ on: {differ or 'none'}; "
          f"only failure messages differ on: {sorted(set(messages)) or 'none'}")


if __name__ == "__main__":
    main()
