"""Direct tests of the sandbox: limits, environment, network, job folder, missing bubblewrap, --no-sandbox,
worker lifetime, cleanup between jobs, the memory cgroup, and verdict determinism."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from sectree import sandbox
from sectree.errors import SectreeError
from sectree.oracle import Oracle, OracleConfig, Status
from sectree.sandbox import SANDBOX_ENV, SandboxConfig, Worker
from sectree.tasks import parse_task

# where the interpreter or virtualenv lives under /tmp (a CI clone, say) its read-only bind shows up there
BIND_PARENTS_IN_TMP = sorted({Path(p).resolve().parts[2] for p in (sys.prefix, sys.base_prefix)
                              if Path(p).resolve().parts[1:2] == ("tmp",)})

SUITE = Path(__file__).resolve().parents[1] / "src" / "sectree" / "tasks" / "suites" / "python"
UID_BASE = 64000 + (os.getpid() % 500) * 2
CFG = SandboxConfig(wall_seconds=5, cpu_seconds=3, memory_mb=512, processes=32, job_uid_base=UID_BASE)


def py(worker: Worker, code: str, **files: bytes):
    """Run a Python snippet as a job; returns the JobResult."""
    return worker.run({"job.py": code.encode(), **files}, kind="exec", argv=[sys.executable, "-s", "-B", "job.py"])


@pytest.fixture(scope="module")
def worker():
    os.environ["SECTREE_TEST_HOST_SECRET"] = "host-secret-value"  # set before the sandbox starts
    w = Worker(CFG)
    yield w
    w.close()
    os.environ.pop("SECTREE_TEST_HOST_SECRET", None)


def test_limits_are_applied(worker):
    res = py(worker, "import resource as r\n"
                     "print([r.getrlimit(x) for x in (r.RLIMIT_CPU, r.RLIMIT_AS, r.RLIMIT_NPROC, r.RLIMIT_FSIZE)])")
    mb = 1 << 20
    assert res.exit_code == 0, res.output
    assert res.output.strip() == str([(3, 3), (512 * mb, 512 * mb), (32, 32), (64 * mb, 64 * mb)])


def test_environment_is_scrubbed(worker):
    res = py(worker, "import os\nprint(sorted(os.environ.items()))\n"
                     "try:\n    print(open('/proc/1/environ', 'rb').read())\nexcept OSError as e:\n    print(type(e).__name__)")
    lines = res.output.splitlines()
    assert lines[0] == str(sorted(SANDBOX_ENV.items()))
    assert "host-secret-value" not in res.output
    # the sandbox's init (bwrap) itself was started without our environment: readable to a non-root job
    assert "host-secret-value" not in Path(f"/proc/{worker.proc.pid}/environ").read_bytes().decode(errors="replace")


def test_only_loopback(worker):
    res = py(worker, "import socket\nprint([n for _, n in socket.if_nameindex()])\n"
                     "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\nexcept OSError as e:\n"
                     "    print('refused', type(e).__name__)")
    assert res.output.splitlines() == ["['lo']", "refused OSError"]


def test_cwd_holds_only_the_job_files(worker):
    res = py(worker, "import os\nprint(os.getcwd(), sorted(os.listdir('.')))", **{"data/a.txt": b"x", "b.txt": b"y"})
    assert res.output.strip() == "/sbx/job ['b.txt', 'data', 'job.py']"
    res = py(worker, "import os\nprint(sorted(os.listdir('.')), os.listdir('/tmp'))")
    assert res.output.strip() == f"['job.py'] {BIND_PARENTS_IN_TMP}", "files of the previous job are gone"


def test_timeout_keeps_the_worker(worker):
    pid = worker.proc.pid
    res = worker.run({}, kind="exec", argv=["/bin/sleep", "60"])
    assert res.timed_out and res.signal == 9 and not res.worker_died
    assert py(worker, "print('still here')").output == "still here\n"
    assert worker.proc.pid == pid, "the zygote survived the timeout (no restart)"


def test_no_state_survives_a_job(worker):
    """SysV IPC objects and POSIX queues outlive processes; the worker's IPC namespace is shared by its jobs."""
    res = py(worker, "import ctypes, os\nlibc = ctypes.CDLL(None)\nrt = ctypes.CDLL('librt.so.1')\n"
                     "print(libc.shmget(0x5853, 1 << 20, 0o1666), libc.msgget(0x5854, 0o1666),"
                     " libc.semget(0x5855, 1, 0o1666), rt.mq_open(b'/sx', os.O_CREAT | os.O_RDWR, 0o600, None))\n"
                     "os.makedirs('/dev/shm/x/y')\nopen('/tmp/left', 'w').write('x')\n"
                     "if os.fork() == 0:\n    os.setsid()\n    import time; time.sleep(60)")
    assert "-1" not in res.output.split(), res.output
    res = py(worker, "import os\n"
                     "print([open(f'/proc/sysvipc/{k}').read().count(chr(10)) for k in ('shm', 'msg', 'sem')],"
                     " os.listdir('/dev/mqueue'), os.listdir('/dev/shm'), os.listdir('/tmp'),"
                     " [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getppid(), os.getpid())"
                     # but the zygote's spare candidate process, forked after the last job (zygote._fork_spare)
                     "  and open(f'/proc/{p}/cmdline', 'rb').read() != open(f'/proc/{os.getppid()}/cmdline', 'rb').read()]"
                     " == [])")
    assert res.output.strip() == f"[1, 1, 1] [] [] {BIND_PARENTS_IN_TMP} True"  # header lines only


def test_worker_survives_the_thread_that_started_it():
    """bwrap --die-with-parent fires when the *thread* that forked it exits (PR_SET_PDEATHSIG)."""
    w = Worker(CFG)
    try:
        t = threading.Thread(target=w.start)
        t.start()
        t.join()
        time.sleep(0.3)
        assert w.proc.poll() is None
        assert py(w, "print(1)").output == "1\n"
    finally:
        w.close()


def test_total_memory_is_bounded():
    cfg = SandboxConfig(wall_seconds=8, memory_mb=256, total_memory_mb=512, processes=32, job_uid_base=UID_BASE)
    probe = sandbox._memory_cgroup(f"sectree-probe-{os.getpid()}", 64)
    if probe is None:
        pytest.skip("no writable memory cgroup here (needs root or a delegated cgroup v2)")
    swap_limited = any((Path(probe) / f).exists() for f in ("memory.swap.max", "memory.memsw.limit_in_bytes"))
    os.rmdir(probe)
    if len(Path("/proc/swaps").read_text().splitlines()) > 1 and not swap_limited:
        pytest.skip("swap is on and this kernel does not account it per cgroup: RAM is bounded, RAM+swap is not")
    w = Worker(cfg)
    # 6 processes x 192 MiB, each under RLIMIT_AS: only 2 fit in 512 MiB at once. Count the children that
    # hold their 192 MiB *at the end*, not those that ever did: the OOM killer may pick an earlier child
    # (the largest) and let a later one finish its allocation, so "ever allocated" can exceed 2.
    job = """import os, time
pids = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        hog = bytearray(192 << 20)
        hog[::4096] = b'x' * len(hog[::4096])
        open(f'done-{os.getpid()}', 'w').close()
        time.sleep(30)
        os._exit(0)
    pids.append(pid)
time.sleep(3)
holding = [p for p in pids if os.waitpid(p, os.WNOHANG) == (0, 0) and os.path.exists(f'done-{p}')]
print('started', len(pids), 'holding', len(holding))
"""
    try:
        res = py(w, job)
        assert "started 6" in res.output, res.output
        holding = int(res.output.split()[-1])
        assert holding <= 2, res.output
        assert w.proc.poll() is None, "the zygote itself was spared"
        assert py(w, "print(1)").output == "1\n"
        cgroup = w._cgroup
        assert cgroup and Path(cgroup).is_dir()
    finally:
        w.close()
    assert not Path(cgroup).exists(), "the worker's cgroup is removed with it"


def test_missing_bubblewrap_names_the_fix(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(SectreeError) as e:
        Worker(CFG).start()
    msg = str(e.value)
    assert "bubblewrap" in msg and "apt-get install bubblewrap" in msg and "--no-sandbox" in msg


def test_no_sandbox_still_runs_a_job():
    w = Worker(SandboxConfig(enabled=False, wall_seconds=5))
    try:
        res = py(w, "print('hello')")
        assert res.exit_code == 0 and res.output == "hello\n"
    finally:
        w.close()


def test_no_sandbox_workers_do_not_share_pytest_tmp():
    """--no-sandbox runs on the host's /tmp: each worker's pytest jobs get a --basetemp of their own."""
    test = b"def test_where(tmp_path):\n    print('TMP', tmp_path)\n    assert 0\n"
    argv = ["-q", "-s", "--basetemp=/tmp/pytest", "-p", "no:cacheprovider", "t_test.py"]
    ws = [Worker(SandboxConfig(enabled=False, wall_seconds=20), i) for i in range(2)]
    try:
        where = [w.run({"t_test.py": test}, kind="pytest", argv=argv).output for w in ws]
        dirs = [next(line.split()[1] for line in out.splitlines() if line.startswith("TMP")) for out in where]
        assert all(d.startswith(w._unsafe_dir + "/") for d, w in zip(dirs, ws)), dirs
    finally:
        for w in ws:
            w.close()


def test_verdicts_are_deterministic():
    task = parse_task(SUITE, "cwe_078_0")
    with Oracle(OracleConfig(sandbox=CFG, workers=2, analyzers=False, cache=False)) as o:
        vs = [o.judge(task, task.unsafe_source) for _ in range(3)]
    views = [(v.status, v.reason, [(t.nodeid, t.kind, t.outcome) for t in v.tests]) for v in vs]
    assert vs[0].status == Status.VULNERABLE
    assert views[0] == views[1] == views[2]


PREBUILT_CHECK = r'''
import base64, json, os, secrets, sys, tempfile
from pathlib import Path
from sectree.oracle.judge import read_channel
from sectree.oracle.runners import runner_for
from sectree.sandbox import RUNNER_DIR, SANDBOX_ENV, SandboxConfig
from sectree.tasks import parse_task
sys.path.insert(0, str(RUNNER_DIR))
import zygote
task = parse_task(Path(sys.argv[1]), sys.argv[2])
z = zygote.Zygote({"sandboxed": False, "preload": ["pytest"], "work": tempfile.mkdtemp()}, 0, 1)
cfg = SandboxConfig(enabled=False)
out = []
for prebuilt in (True, False):
    for src in (task.reference_source, task.unsafe_source, "import os\nos._exit(0)\n"):
        job = runner_for("python").job(task, src)
        args = tuple(job.argv[:-1])
        if not prebuilt:
            z.pytest_configs[args] = None  # what the zygote falls back to when it cannot build one: pytest.main
        key = secrets.token_bytes(32)
        res = z.run({"files": {k: base64.b64encode(v).decode() for k, v in job.files.items()}, "kind": "pytest",
                     "argv": job.argv, "key": key.hex(), "limits": cfg.limits(), "env": dict(SANDBOX_ENV),
                     "prepare": [], "executable": []})
        records, problem = read_channel(res["report"], key)
        out.append({"prebuilt": z.pytest_configs[args] is not None, "exit": res["exit_code"], "problem": problem,
                    "records": [{k: v for k, v in r.items() if k != "seq"} for r in records]})
print(json.dumps(out))
'''


def test_prebuilt_pytest_config_judges_like_pytest_main(tmp_path):
    """The zygote builds pytest's Config once and each job parses its arguments on a forked copy (#17); the
    report channel must say exactly what plain pytest.main says, for a secure, a vulnerable and a candidate
    that exits at import."""
    import json
    import subprocess

    res = subprocess.run([sys.executable, "-c", PREBUILT_CHECK, str(SUITE), "cwe_078_0"], capture_output=True,
                         text=True, timeout=300, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    runs = json.loads(res.stdout.strip().splitlines()[-1])
    fast, plain = runs[:3], runs[3:]
    assert all(r["prebuilt"] for r in fast) and not any(r["prebuilt"] for r in plain)
    assert [r["exit"] for r in fast] == [r["exit"] for r in plain] == [0, 1, 0]
    assert [r["records"] for r in fast] == [r["records"] for r in plain]
    assert all(r["problem"] is None for r in runs)
    outcomes = [{r["id"]: r["outcome"] for r in run["records"] if r["ev"] == "test"} for run in fast[:2]]
    assert set(outcomes[0].values()) == {"passed"} and "failed" in outcomes[1].values()
    assert not any(r["ev"] == "done" for r in fast[2]["records"])  # exit at import: no done record either way


FORK_HOLD = """import os, time
n = 0
while True:
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    n += 1
print('forked', n, flush=True)
time.sleep(4)
"""


def _processes_of(uid: int) -> int:
    n = 0
    for pid in os.listdir("/proc"):
        try:
            n += pid.isdigit() and f"\nUid:\t{uid}\t" in Path(f"/proc/{pid}/status").read_text()
        except OSError:
            pass
    return n


@pytest.mark.skipif(os.geteuid() != 0, reason="job uids are leased only as root (else a user namespace maps them)")
def test_concurrent_oracles_have_their_own_job_uids():
    """Two oracles side by side (issue #15): one's fork-heavy job holds every process its uid may have, the
    other still judges; with a shared job uid (both worker 0 of the same job_uid_base) the second one's
    subprocess could not start and its verdict would be broken."""
    base = UID_BASE + 1000
    cfg = SandboxConfig(wall_seconds=8, cpu_seconds=3, memory_mb=512, processes=16, job_uid_base=base, job_uids=8)
    task = parse_task(SUITE, "cwe_078_0")  # its function runs grep in a subprocess: it needs a free process slot
    with Oracle(OracleConfig(sandbox=cfg, workers=1, analyzers=False, cache=False)) as a, \
            Oracle(OracleConfig(sandbox=cfg, workers=1, analyzers=False, cache=False)) as b:
        a.pool.workers[0].start()
        b.expected_tests(task)  # starts b's worker (and collects its tests) before a's flood
        out = {}
        flood = threading.Thread(target=lambda: out.setdefault("a", py(a.pool.workers[0], FORK_HOLD)))
        flood.start()
        deadline = time.monotonic() + 6
        while _processes_of(a.pool.workers[0].job_uid) < 15 and time.monotonic() < deadline:
            time.sleep(0.05)  # until a's job holds (nearly) every process its uid may have
        assert _processes_of(a.pool.workers[0].job_uid) >= 15, "the flood did not start in time"
        v = b.judge(task, task.reference_source + "\n# judged beside a fork flood\n")
        flood.join()
        uids = {a.pool.workers[0].job_uid, b.pool.workers[0].job_uid}
    assert "forked" in out["a"].output, out["a"].output  # it ran into RLIMIT_NPROC (else it would be killed)
    assert v.status == Status.SECURE, v.reason
    assert len(uids) == 2 and all(base <= u < base + 8 for u in uids), uids


@pytest.mark.skipif(os.geteuid() != 0, reason="job uids are leased only as root")
def test_job_uid_leases_run_out_with_one_clear_error():
    cfg = SandboxConfig(job_uid_base=UID_BASE + 2000, job_uids=1)
    first, second = Worker(cfg, 0), Worker(cfg, 1)
    try:
        first.start()
        with pytest.raises(SectreeError, match="job_uids"):
            second.start()
        assert second.proc is None
        first.close()
        second.start()  # the lease is free again once its worker has gone
        assert second.job_uid == UID_BASE + 2000
    finally:
        first.close()
        second.close()


def test_file_flood_gets_a_fresh_sandbox_not_a_slow_wipe():
    """A job that leaves more files than the zygote wipes one by one (WIPE_MAX_ENTRIES; #15 item 3: 500k
    empty files held a worker ~18 s) ends its sandbox instead; its result still comes back, the next job runs
    in a fresh one, and a job with a few files keeps the warm sandbox."""
    sys.path.insert(0, str(sandbox.RUNNER_DIR))
    import zygote

    w = Worker(CFG)
    try:
        few = py(w, "import os\nos.makedirs('/tmp/d')\nfor i in range(100):\n    open(f'/tmp/d/{i}', 'w').close()\nprint('ok')")
        pid = w.proc.pid
        assert few.output == "ok\n" and py(w, "print(1)").output == "1\n" and w.proc.pid == pid
        n = zygote.WIPE_MAX_ENTRIES + 500
        flood = py(w, f"import os\nos.makedirs('/dev/shm/d')\nfor i in range({n}):\n    open(f'/dev/shm/d/{{i}}', 'w').close()\n"
                      "print('made', len(os.listdir('/dev/shm/d')))")
        assert flood.exit_code == 0 and flood.output == f"made {n}\n" and not flood.worker_died
        assert w.proc is None, "the flooded sandbox was ended"
        res = py(w, "import os\nprint(os.listdir('/dev/shm'), os.listdir('/tmp'))")
        assert res.output.strip() == f"[] {BIND_PARENTS_IN_TMP}" and w.proc.pid != pid
    finally:
        w.close()


def test_zygote_wakes_on_the_job_exit_not_on_its_pipes():
    """The zygote's wait for a job wakes when the job's process exits (a pidfd), even while its output pipe
    is still open elsewhere (the candidate process holds it): waking only on the pipes lost a race with the
    exit in about one job of three and slept 50 ms (#17, benchmarks/oracle_gap.py). Here the pipe stays open
    for good, so only the exit can end the wait early."""
    sys.path.insert(0, str(sandbox.RUNNER_DIR))
    import zygote

    r, w = os.pipe()  # we keep the write end: the stream never reaches EOF
    pid = os.fork()
    if pid == 0:
        time.sleep(0.05)
        os._exit(0)
    exited = zygote._pidfd(pid)
    assert exited is not None, "pidfd_open is missing (Linux < 5.3?)"
    try:
        stream = zygote._Capped(r, 1 << 10)
        t0 = time.monotonic()
        zygote._pump([stream], timeout=10, wake=exited)
        assert time.monotonic() - t0 < 5, "the wait ran to its timeout: the job's exit did not wake it"
        assert os.waitpid(pid, os.WNOHANG)[0] == pid, "woken, but the job is not reapable yet"
    finally:
        os.close(exited)
        os.close(r)
        os.close(w)
