# SECURITY-CRITICAL: how untrusted generated code is contained.
"""Run untrusted code under bubblewrap, fast: one warm sandbox per worker, one forked child per job.

Each worker is a ``bwrap`` process with no network (``--unshare-net``), new pid/ipc/uts/cgroup namespaces,
``--die-with-parent``, a cleared environment, read-only binds of the system and interpreter paths only
(not your home, not the repository: just the Python installation, the virtualenv and the small in-sandbox
runner), and fresh tmpfs mounts for ``/sbx`` (the job folder), ``/tmp`` and ``/dev/shm``. Inside it a small trusted
"zygote" (``runner/zygote.py``) pre-imports pytest and forks one child per job; the child runs as an
unprivileged uid, under rlimits (CPU seconds, address space, file size, open files, processes), with
stdout/stderr capped; after each job every process the job left (daemons too) is killed and the writable
folders are wiped. A wall-clock timeout kills the whole job; a worker whose zygote dies is restarted.

Uid: when sectree runs as root, bwrap runs without a user namespace and the zygote keeps only
CAP_SETUID/SETGID/KILL, so each job runs as a real unprivileged uid, leased by its worker host-wide (see
``SandboxConfig.job_uid_base``): it cannot read root-only files, cannot signal the zygote, and its process
limit is its own, even beside another oracle on the same host. As a normal
user, bwrap makes a user namespace and the job runs as uid 65534 inside it (its own uid on the host).

``SandboxConfig(enabled=False)`` (CLI ``--no-sandbox``) runs the same zygote directly on the host with
only rlimits and process-group kills. It is UNSAFE for untrusted code: generated code can then read your
files, use the network and leave processes behind. Never the default.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sectree.errors import SectreeError

RUNNER_DIR = Path(__file__).resolve().parent / "runner"
SANDBOX_RUNNER = "/opt/sectree-runner"
DEFAULT_PRELOAD = [
    "pytest", "_pytest.python", "_pytest.runner", "_pytest.fixtures", "_pytest.tmpdir", "_pytest.monkeypatch",
    "_pytest.assertion.rewrite", "json", "subprocess", "sqlite3", "hashlib", "hmac", "secrets", "random",
    "tempfile", "shutil", "pathlib", "re", "html", "urllib.parse", "logging", "gzip", "zipfile", "base64",
    "ipaddress", "ssl", "xml.etree.ElementTree", "yaml", "lxml.etree", "jwt",
    # CWEval's tests and references (`make cweval-deps`; skipped when absent): these load native code with
    # ctypes at import, which the report channel's audit hook takes for tampering once a job runs
    "wrapt_timeout_decorator", "Crypto.Cipher.AES", "Crypto.Cipher.DES", "Crypto.PublicKey.RSA",
    "Crypto.PublicKey.DSA", "Crypto.Random", "Crypto.Util.Padding", "argon2",
]


@dataclass
class SandboxConfig:
    """Limits and switches for running one job; every field has a safe default."""

    enabled: bool = True
    """Use bubblewrap. False is UNSAFE (see module docstring); the CLI calls it --no-sandbox."""
    wall_seconds: float = 20.0
    """Wall-clock limit per job; the whole job (all its processes) is killed when it runs out."""
    cpu_seconds: int = 10
    """RLIMIT_CPU per process."""
    memory_mb: int | None = 2048
    """RLIMIT_AS (address space) per process in MiB; None for unlimited (needed by AddressSanitizer)."""
    total_memory_mb: int | None = 4096
    """Memory of one worker's whole sandbox (zygote, every process of the job, its tmpfs files and shared
    memory), as a memory cgroup where sectree can create one (root, or a delegated cgroup v2); elsewhere
    only the per-process memory_mb applies. None: no cgroup."""
    file_size_mb: int = 64
    """RLIMIT_FSIZE: the largest file a job may write."""
    open_files: int = 256
    """RLIMIT_NOFILE."""
    processes: int = 64
    """RLIMIT_NPROC: processes/threads the job's uid may have at once."""
    output_bytes: int = 1 << 20
    """stdout+stderr kept per job; more is read and dropped and the job is flagged."""
    report_bytes: int = 4 << 20
    """Size cap of the structured report channel."""
    tmpfs_mb: int = 512
    """Size of each writable tmpfs (/sbx, /tmp, /dev/shm)."""
    job_uid_base: int = 60000
    """When sectree runs as root, each job runs as a uid of its worker's own, leased host-wide from
    [job_uid_base, job_uid_base + job_uids) for as long as the worker lives (worker i tries job_uid_base + i
    first): concurrent oracles on one host never share a job uid, hence never each other's per-uid process
    limit (RLIMIT_NPROC), files or signals."""
    job_uids: int = 4096
    """Size of the job uid range; a worker that finds every uid in it leased fails with an error."""
    extra_ro_binds: list[str] = field(default_factory=list)
    """More host paths to mount read-only at the same place (e.g. a toolchain outside /usr)."""
    preload: list[str] = field(default_factory=lambda: list(DEFAULT_PRELOAD))
    """Modules the zygote imports once so that each job starts warm."""

    def limits(self) -> dict:
        d = asdict(self)
        return {k: d[k] for k in ("wall_seconds", "cpu_seconds", "memory_mb", "file_size_mb", "open_files",
                                  "processes", "output_bytes", "report_bytes")}


BUILD_FAILED = 125
"""Exit status of a job whose prepare (build) step failed (set by the zygote before any candidate code)."""


@dataclass
class JobResult:
    exit_code: int | None
    signal: int | None
    timed_out: bool
    wall: float
    output: str
    output_truncated: bool
    report: str
    report_truncated: bool
    worker_died: bool = False
    """The zygote died during the job (e.g. the job killed it); the job gets no result of its own."""
    phases: dict = field(default_factory=dict)
    """Seconds the zygote spent per step of this job (prep, job, kill, drain, wipe, spare) and the CPU seconds
    of the zygote and of its reaped children (the job's processes, the candidate process, the wipe helper):
    for profiling only (``benchmarks/oracle_gap.py``), never part of a verdict."""


SANDBOX_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/sbx",
    "LANG": "C.UTF-8",
    "TMPDIR": "/tmp",
    "USER": "sandbox",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
}

_FIX = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; `make test` does it) and allow "
    "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 / "
    "kernel.apparmor_restrict_unprivileged_userns=0), or pass --no-sandbox (UNSAFE: runs generated code "
    "unconfined)"
)


UID_LEASES = Path(tempfile.gettempdir()) / "sectree-job-uids"
"""One lock file per job uid; a worker holds an exclusive flock on its uid's file while it lives (the kernel
drops the lock when the holder's descriptor closes, so a crashed process leaves no stale lease)."""


def lease_job_uid(base: int, count: int, first: int = 0) -> tuple[int, int]:
    """(uid, descriptor holding the lease): the first uid of [base, base + count), from ``base + first`` on,
    that no live worker on this host (this process or another) has leased. Close the descriptor to release."""
    import fcntl

    UID_LEASES.mkdir(mode=0o700, exist_ok=True)
    for i in range(count):
        uid = base + (first + i) % count
        fd = os.open(UID_LEASES / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            # flock, not fcntl locks: two workers of one process conflict too (locks per open file)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return uid, fd
        except BlockingIOError:
            os.close(fd)
    raise SectreeError(f"SandboxConfig.job_uids: all {count} job uids from {base} are leased by other sectree "
                       f"workers on this host; raise job_uids or choose another job_uid_base")


def _system_binds() -> list[str]:
    args: list[str] = []
    for p in ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt/conda"):
        if os.path.islink(p):
            args += ["--symlink", os.readlink(p), p]
        elif os.path.isdir(p):
            args += ["--ro-bind", p, p]
    return args


def _python_binds() -> list[str]:
    """The interpreter installation and the virtualenv (if any), read-only at their own paths."""
    paths = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), os.path.realpath(sys.exec_prefix)}
    args: list[str] = []
    for p in sorted(paths):
        if not any(p.startswith(q + "/") for q in ("/usr", "/etc")) and p not in ("/usr",):
            args += ["--ro-bind", p, p]
    # the venv may be reached through a symlinked path (sys.prefix is not resolved)
    if os.path.realpath(sys.prefix) != sys.prefix:
        args += ["--symlink", os.path.realpath(sys.prefix), sys.prefix]
    return args


def _parent_dirs(binds: list[str]) -> list[str]:
    """bwrap creates missing parents of a mount point as 0700; make them 0755 so the job uid can pass."""
    dests = [binds[i + 2] for i, a in enumerate(binds) if a in ("--ro-bind", "--symlink")]
    parents: list[str] = []
    for dest in dests:
        parts = Path(dest).parts[1:-1]
        for i in range(1, len(parts) + 1):
            d = "/" + "/".join(parts[:i])
            if d not in parents and d not in dests:
                parents.append(d)
    return [x for d in parents for x in ("--perms", "0755", "--dir", d)]


def bwrap_argv(cfg: SandboxConfig, python: str) -> list[str]:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SectreeError(f"the sandbox needs bubblewrap (bwrap), which is not installed: {_FIX}")
    root = os.geteuid() == 0
    argv = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv"]
    if root:
        # no user namespace: the zygote stays root with just enough capabilities to drop to a job uid
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL"]
    else:
        argv += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns"]
    # writable tmpfs first, so that binds below stay visible even if they live under /tmp
    # a fresh mqueue mount, so that the zygote can list (and wipe) POSIX message queues between jobs
    argv += ["--dev", "/dev", "--proc", "/proc", "--mqueue", "/dev/mqueue"]
    size = str(cfg.tmpfs_mb * 1024 * 1024)
    for d in ("/sbx", "/tmp", "/dev/shm"):
        argv += ["--perms", "1777", "--size", size, "--tmpfs", d]
    binds = _system_binds() + _python_binds()
    for p in cfg.extra_ro_binds:
        binds += ["--ro-bind", p, p]
    binds += ["--ro-bind", str(RUNNER_DIR), SANDBOX_RUNNER]
    argv += _parent_dirs(binds) + binds
    for k, v in SANDBOX_ENV.items():
        argv += ["--setenv", k, v]
    # -s: no user site-packages; -B: no .pyc writes (the binds are read-only anyway)
    argv += ["--chdir", "/sbx", python, "-s", "-B", f"{SANDBOX_RUNNER}/zygote.py"]
    return argv


# bwrap --die-with-parent is PR_SET_PDEATHSIG, which fires when the *thread* that forked bwrap exits, not the
# process: a worker started from a short-lived thread (judge_many's ThreadPoolExecutor) was SIGKILLed mid-job
# as soon as that thread ended. Every worker is therefore forked from this one thread, which lives as long as
# the process.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sectree-sandbox-spawn")


def _memory_cgroup(name: str, limit_mb: int) -> str | None:
    """Create a memory cgroup (v1 or v2) for one worker and return its directory, or None if we may not.

    RLIMIT_AS bounds a process, not a job: a job forking N processes (or filling SysV/memfd shared memory,
    which no rlimit counts) could otherwise take N x memory_mb and bring the host down."""
    limit = str(limit_mb << 20)
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        hid, ctrls, path = line.split(":", 2)
        if "memory" in ctrls.split(","):  # v1: a child of our own memory cgroup
            v2, bases = False, [Path("/sys/fs/cgroup/memory", path.lstrip("/"))]
        elif hid == "0" and not ctrls:  # v2: a child of ours, else a sibling (no processes in inner nodes)
            own = Path("/sys/fs/cgroup", path.lstrip("/"))
            v2, bases = True, [own, own.parent]
        else:
            continue
        for base in bases:
            d = base / name
            try:
                if v2 and "memory" not in (base / "cgroup.subtree_control").read_text().split():
                    (base / "cgroup.subtree_control").write_text("+memory")
                d.mkdir()
                (d / ("memory.max" if v2 else "memory.limit_in_bytes")).write_text(limit)
                try:  # no swapping past the limit either (absent without swap accounting)
                    (d / ("memory.swap.max" if v2 else "memory.memsw.limit_in_bytes")).write_text("0" if v2 else limit)
                except OSError:
                    pass
                return str(d)
            except OSError:
                try:
                    d.rmdir()
                except OSError:
                    pass
    return None


class Worker:
    """One warm sandbox (a bwrap process running the zygote). Not thread-safe: one job at a time."""

    _started = 0

    def __init__(self, cfg: SandboxConfig, index: int = 0):
        self.cfg, self.index = cfg, index
        self.proc: subprocess.Popen | None = None
        self._cgroup: str | None = None
        self.jobs_run = 0
        self.job_uid: int | None = None
        """The uid this worker's jobs run as (leased in ``start``), or None (not root, or --no-sandbox)."""
        self._uid_lease: int | None = None

    def start(self) -> None:
        python = sys.executable
        if self.cfg.enabled:
            argv = bwrap_argv(self.cfg, python)
        else:
            argv = [python, "-B", str(RUNNER_DIR / "zygote.py")]
        if self.cfg.enabled and os.geteuid() == 0 and self._uid_lease is None:  # before any process starts
            self.job_uid, self._uid_lease = lease_job_uid(self.cfg.job_uid_base, self.cfg.job_uids, self.index)
        self._log = tempfile.TemporaryFile()
        self._unsafe_dir = None if self.cfg.enabled else tempfile.mkdtemp(prefix="sectree-nosandbox-")
        Worker._started += 1
        self._cgroup = self.cfg.total_memory_mb and _memory_cgroup(
            f"sectree-{os.getpid()}-{self.index}-{Worker._started}", self.cfg.total_memory_mb)
        if self._cgroup:
            # join the cgroup before bwrap forks anything: the shell moves itself in, then becomes bwrap
            argv = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', self._cgroup, *argv]
        # bwrap gets the scrubbed environment too, not just the job: its pid-1 init stays inside the sandbox
        # with the environment it was started with, and without a root host that init has the job's uid, so
        # /proc/1/environ would hand the job every host secret (API keys, tokens).
        env = dict(SANDBOX_ENV) if self.cfg.enabled else {**SANDBOX_ENV, "PATH": os.environ.get("PATH", SANDBOX_ENV["PATH"])}
        popen = dict(stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, env=env, start_new_session=True)
        self.proc = _SPAWNER.submit(subprocess.Popen, argv, **popen).result()
        sandboxed = self.cfg.enabled
        init = {
            "sandboxed": sandboxed,
            "job_uid": self.job_uid,
            "host_pidns": os.readlink("/proc/self/ns/pid"),
            "preload": self.cfg.preload,
            "work": "/sbx" if sandboxed else self._unsafe_dir,
        }
        try:
            self._send(init)
            reply = self._recv(timeout=60)
        except (EOFError, BrokenPipeError, TimeoutError):
            reply = None
        if not reply or not reply.get("ready"):
            err = self._stderr_tail()
            self.close()
            if self.cfg.enabled and (not err or err.startswith("bwrap")):
                raise SectreeError(f"the bubblewrap sandbox failed to start ({err or 'no message'}): {_FIX}")
            raise SectreeError(f"the sandbox's job runner failed to start: {err or 'no message'}")

    def _stderr_tail(self) -> str:
        try:
            self._log.seek(0)
            return self._log.read().decode("utf-8", "replace").strip().splitlines()[-1][:300]
        except Exception:
            return ""

    def _send(self, obj: dict) -> None:
        data = json.dumps(obj).encode()
        assert self.proc and self.proc.stdin
        self.proc.stdin.write(struct.pack(">I", len(data)) + data)
        self.proc.stdin.flush()

    def _recv(self, timeout: float) -> dict:
        """Read one framed message, or raise TimeoutError/EOFError (a hung or dead zygote)."""
        assert self.proc and self.proc.stdout
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout

        def read(n: int) -> bytes:
            import select

            buf = b""
            while len(buf) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                r, _, _ = select.select([fd], [], [], left)
                if not r:
                    raise TimeoutError
                chunk = os.read(fd, n - len(buf))
                if not chunk:
                    raise EOFError
                buf += chunk
            return buf

        (n,) = struct.unpack(">I", read(4))
        return json.loads(read(n))

    def run(self, files: dict[str, bytes], *, kind: str, argv: list[str], key: str = "",
            executable: list[str] | None = None, prepare: list[list[str]] | None = None,
            limits: dict | None = None, env: dict[str, str] | None = None,
            candidate: str | None = None) -> JobResult:
        """Run one job: ``prepare`` commands (a build; exit status BUILD_FAILED if one fails), then pytest
        (``kind="pytest"``, argv = pytest arguments) or ``argv`` itself (``kind="exec"``). ``limits`` and
        ``env`` override the config's limits and add to the sandbox environment for this job only.
        ``candidate`` (pytest jobs): the module the tests import, which then runs in a process of its own
        (``runner/candidate_proxy.py``) so that the report key never enters the candidate's interpreter."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        if not self.cfg.enabled and kind == "pytest":
            # --no-sandbox: /tmp is the host's, shared by every worker and every sectree process, and pytest
            # empties its --basetemp first: each worker gets its own (two workers judging at once broke each
            # other's tests, one candidate's files showing up in another's tmp_path)
            argv = [f"--basetemp={self._unsafe_dir}/pytest-tmp" if a.startswith("--basetemp=") else a for a in argv]
        job = {
            "files": {k: base64.b64encode(v).decode() for k, v in files.items()},
            "kind": kind,
            "argv": argv,
            "key": key,
            "limits": {**self.cfg.limits(), **(limits or {})},
            "env": {**SANDBOX_ENV, **(env or {})},
            "prepare": prepare or [],
            "executable": executable or [],
            "candidate": candidate,
        }
        try:
            self._send(job)
            reply = self._recv(timeout=self.cfg.wall_seconds + 30)
        except (EOFError, BrokenPipeError, TimeoutError, OSError):
            # the job killed its zygote (or hung it): nothing it reported can be trusted
            self.close()
            return JobResult(None, None, False, 0.0, "", False, "", False, worker_died=True)
        self.jobs_run += 1
        if reply.pop("restart", False):
            # the job left more files than the zygote wipes one by one: it has exited, its sandbox (and the
            # files, on that sandbox's tmpfs) with it; the next job starts a fresh one
            self.close()
        return JobResult(**reply)

    def close(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for s in (self.proc.stdin, self.proc.stdout):
                try:
                    s and s.close()
                except OSError:
                    pass
            self.proc = None
        for _ in range(500):  # the cgroup can be removed once the last process in it has gone
            try:
                self._cgroup and os.rmdir(self._cgroup)
                break
            except FileNotFoundError:
                break
            except OSError:  # still exiting (the pid namespace dies with bwrap), or stray: kill, retry
                try:
                    for pid in Path(self._cgroup, "cgroup.procs").read_text().split():
                        os.kill(int(pid), 9)
                except (OSError, ValueError):
                    pass
                time.sleep(0.01)
        self._cgroup = None
        if self._uid_lease is not None:  # every process of the job uid is gone with the sandbox: release it
            os.close(self._uid_lease)
            self._uid_lease, self.job_uid = None, None
        if getattr(self, "_unsafe_dir", None):
            shutil.rmtree(self._unsafe_dir, ignore_errors=True)
            self._unsafe_dir = None


class Pool:
    """``n`` workers behind a lock each; ``run`` blocks until a worker is free. Thread-safe."""

    def __init__(self, cfg: SandboxConfig | None = None, workers: int | None = None):
        self.cfg = cfg or SandboxConfig()
        n = workers or max(1, min(os.cpu_count() or 1, 8))
        self.workers = [Worker(self.cfg, i) for i in range(n)]
        self._free: list[Worker] = list(self.workers)
        self._cv = threading.Condition()

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, files: dict[str, bytes], **kw) -> JobResult:
        with self._cv:
            while not self._free:
                self._cv.wait()
            w = self._free.pop()
        try:
            return w.run(files, **kw)
        finally:
            with self._cv:
                self._free.append(w)
                self._cv.notify()

    def close(self) -> None:
        for w in self.workers:
            w.close()


def check_sandbox(cfg: SandboxConfig | None = None) -> None:
    """Start and stop one worker: raises SectreeError with the fix when bubblewrap cannot run."""
    w = Worker(cfg or SandboxConfig())
    try:
        w.start()
    finally:
        w.close()


__all__ = ["SandboxConfig", "JobResult", "Worker", "Pool", "check_sandbox"]
