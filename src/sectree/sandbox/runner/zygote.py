# SECURITY-CRITICAL: this file runs inside the sandbox and forks every untrusted candidate.
"""The in-sandbox executor ("zygote"): pre-imports pytest once, then forks one child per job.

Protocol (stdin/stdout of this process, 4-byte big-endian length + JSON): the host sends one ``init``
message, then jobs; for each job we answer one result. A job is::

    {"files": {relpath: base64}, "kind": "pytest"|"exec", "argv": [...], "limits": {...},
     "key": hex, "env": {...}}

For a Python job whose tests import a candidate module (``"candidate"``), the candidate runs apart from pytest:
a spare process, forked from here while idle (before the job, hence its key, arrived), takes the job's uid and
limits and serves the test process over two pipes (``candidate_host``/``candidate_proxy``).

Per job the child: becomes the unprivileged job uid (when we run as root in the sandbox), sets rlimits,
creates a fresh ``/sbx/job`` holding only the job's files, points fd 1/2 at a capped output pipe and fd 3
at the report channel, closes every other descriptor, then runs pytest in-process (kind ``pytest``) or
``execve``s argv (kind ``exec``). When the child exits or the wall clock runs out, *every* process in the
sandbox's pid namespace but us and its init is SIGKILLed (setsid daemons included), and the writable
folders (/sbx, /tmp, /dev/shm) are wiped by a helper running as the job uid, so jobs cannot see each other.

What this does NOT protect against on its own: everything outside this process's namespaces. The host side
(``sectree.sandbox``) starts us under bubblewrap with no network, read-only system paths and fresh
pid/ipc/uts namespaces; without that (``--no-sandbox``) only rlimits and process-group kills apply.

Standard library only: this file must not import sectree (the package is not mounted in the sandbox).
"""

from __future__ import annotations

import base64
import gc
import json
import os
import resource
import select
import signal
import struct
import sys
import time

import candidate_wire as wire  # lives next to this file (sys.path[0]: we run as a script from this folder)

RUNNER_DIR = os.path.dirname(os.path.abspath(__file__))


BUILD_FAILED = 125  # exit status of a job whose "prepare" (build) step failed


def recv(fd: int) -> dict:
    """One message from the host (trusted: no size cap or type check, unlike ``candidate_wire.recv``)."""
    (n,) = struct.unpack(">I", wire.read_exact(fd, 4))
    return json.loads(wire.read_exact(fd, n))


def send(fd: int, obj: dict) -> None:
    data = json.dumps(obj).encode()
    os.write(fd, struct.pack(">I", len(data)) + data)


class Zygote:
    def __init__(self, init: dict, ctl_in: int, ctl_out: int):
        self.sandboxed: bool = init["sandboxed"]
        self.job_uid: int | None = init.get("job_uid")  # set when we are root inside the sandbox
        self.ctl = (ctl_in, ctl_out)
        self.own_pidns = init.get("host_pidns")
        self.work: str = init.get("work", "/sbx")
        self.job_dir = os.path.join(self.work, "job")
        self.wipe_dirs = (self.work, "/tmp", "/dev/shm", "/dev/mqueue") if self.sandboxed else (self.work,)
        if self.sandboxed and os.readlink("/proc/self/ns/pid") == self.own_pidns:
            # kill(-1) below would hit the host's processes: refuse to run rather than risk it
            raise SystemExit("zygote: sandboxed mode but not in a new pid namespace")
        for mod in init.get("preload", []):
            try:
                __import__(mod)
            except Exception:  # a missing optional module only costs speed
                pass
        if "pytest" in sys.modules:
            # pytest.main imports its ~30 built-in plugins on every call: import them once, here
            import _pytest.config

            for name in _pytest.config.default_plugins:
                try:
                    __import__("_pytest." + name)
                except Exception:
                    pass
        self.channel_baseline = None
        self.pytest_configs: dict[tuple, object] = {}  # pytest arguments but the test file -> a built Config
        if "pytest" in sys.modules:
            sys.path.insert(0, RUNNER_DIR)
            import pytest_channel  # noqa: E402 - lives next to this file
            # the suites' test helpers: loaded here, before any job, so a job's `from sectree_check import
            # assert_same` is this module (a candidate's file of that name is never imported) and its bindings
            # are in the baseline below (replacing one is tampering)
            import sectree_check  # noqa: E402, F401
            # the candidate's stand-in (a proxy module; the candidate runs in a process of its own): loaded
            # here so that its hook on pytest's monkeypatch is part of the baseline below
            import candidate_proxy  # noqa: E402, F401
            # pytest work that is the same in every job, done here once (the test file's assertion rewriting,
            # the wrapped-fixture check on pytest's own objects): its wrappers are in the baseline below too
            import pytest_memo  # noqa: E402

            pytest_memo.install()

            # what every module binds, taken before any job runs: each job's report channel compares
            # against it to catch a candidate that monkeypatches the stdlib/pytest (see pytest_channel)
            self.channel_baseline = pytest_channel.prepare()
        gc.collect()
        gc.freeze()  # children's collections skip everything imported so far
        if self.sandboxed:
            _set_nondumpable()
        self.spare: tuple | None = None  # (pid, control socket, write fd, read fd) of the spare candidate process
        self._fork_spare()

    # ---------------------------------------------------------------- the spare candidate process
    def _fork_spare(self) -> None:
        """Fork the process that will import the next Python job's candidate, now, while no job's key is in
        our memory (the key arrives with the job): warm (everything we preloaded) and clean of the key. It
        waits for the job's uid and limits (``_spare``), then serves that job's test process over two pipes
        (``candidate_host.serve``). Killed with the job's other processes when the job ends."""
        if "pytest" not in sys.modules or self.spare is not None:
            return
        import socket

        ctl, ctl_child = socket.socketpair()
        t2c_r, t2c_w = os.pipe()
        c2t_r, c2t_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _close_all_but({ctl_child.fileno(), t2c_r, c2t_w})
                self._spare(ctl_child, t2c_r, c2t_w)
            except BaseException:  # noqa: BLE001 - a spare never raises into the zygote's code
                code = 1
            finally:
                os._exit(code)
        ctl_child.close()
        os.close(t2c_r)
        os.close(c2t_w)
        self.spare = (pid, ctl, t2c_w, c2t_r)

    def _spare(self, ctl, rfd: int, wfd: int) -> None:
        import socket

        msg, fds, _, _ = socket.recv_fds(ctl, 1 << 20, 1)
        ctl.close()
        if not msg or len(fds) != 1:
            return  # the zygote dropped us (a job that is not Python, or its end)
        setup, out_w = json.loads(msg), fds[0]
        self._become_job(setup["limits"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        for fd in (null, out_w):
            if fd > 2:
                os.close(fd)
        os.environ.clear()
        os.environ.update(setup["env"])
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        sys.dont_write_bytecode = True
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
        import candidate_host  # noqa: E402 - lives next to this file

        candidate_host.serve(rfd, wfd)
        sys.stdout.flush()
        sys.stderr.flush()

    def _close_spare_pipes(self) -> None:
        """Our copies of the spare's control socket and pipes (the test process has its own): closed, so that
        each side sees the other's end."""
        if self.spare is not None and self.spare[1] is not None:
            pid, ctl, t2c_w, c2t_r = self.spare
            ctl.close()
            os.close(t2c_w)
            os.close(c2t_r)
            self.spare = (pid, None, None, None)

    def _drop_spare(self) -> None:
        if self.spare is None:
            return
        self._close_spare_pipes()
        pid = self.spare[0]
        self.spare = None
        for kill in (os.killpg, os.kill):  # its group when it took the job (setsid), else itself
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # reaped already (with the job's processes)
            pass

    # ---------------------------------------------------------------- one job
    def run(self, job: dict) -> dict:
        cpu0 = _cpu_times()
        result = self._run(job)
        t = time.monotonic()
        self._drop_spare()  # unused by this job: the next job gets a fresh one all the same
        if not result["restart"]:
            self._fork_spare()
        phases = result["phases"]
        phases["spare"] = time.monotonic() - t
        cpu1 = _cpu_times()
        phases["cpu_zygote"] = cpu1[0] - cpu0[0]
        phases["cpu_children"] = cpu1[1] - cpu0[1]
        return result

    def _run(self, job: dict) -> dict:
        limits = job["limits"]
        t_prep = time.monotonic()
        out_r, out_w = os.pipe()
        rep_r, rep_w = os.pipe()
        if job["kind"] == "pytest":
            self._pytest_config(tuple(job["argv"][:-1]))  # built here, in the parent: inherited by the fork
            self._precompile(job)
        spare = self.spare if job["kind"] == "pytest" and job.get("candidate") else None
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:  # child: never returns
            try:
                os.close(out_r)
                os.close(rep_r)
                if spare is not None:
                    spare[1].close()
                self._child(job, out_w, rep_w, spare[2:] if spare else None)
            except BaseException as e:  # noqa: BLE001 - report setup failures on the output pipe
                msg = f"\nsectree-zygote: job setup failed: {e!r}\n".encode()
                for fd in (out_w, 2):
                    try:
                        os.write(fd, msg)
                        break
                    except OSError:
                        continue
                os._exit(126)
        if spare is not None:  # the spare takes the job's uid and limits, and prints where the job does
            import socket

            try:
                socket.send_fds(spare[1], [json.dumps({"limits": limits, "env": job.get("env", {})}).encode()],
                                [out_w])
            except OSError:  # it died: the test process sees its pipes closed and ends the run
                pass
            self._close_spare_pipes()
        os.close(out_w)
        os.close(rep_w)
        out = _Capped(out_r, limits["output_bytes"])
        rep = _Capped(rep_r, limits["report_bytes"])
        deadline = t0 + limits["wall_seconds"]
        status, timed_out, t_eof = None, False, None
        # the job's exit wakes the loop below (a pidfd is readable once the process is a zombie): waking only
        # on its pipes raced its exit (the pipes close just before the process turns reapable), and the lost
        # race cost a 50 ms sleep in about one job of three
        exited = _pidfd(pid)
        try:
            while status is None:
                now = time.monotonic()
                if now >= deadline:
                    timed_out = True
                    break
                _pump([out, rep], timeout=min(0.05, deadline - now), wake=exited)
                if rep.eof and t_eof is None:
                    t_eof = time.monotonic()
                wpid, st = os.waitpid(pid, os.WNOHANG)
                if wpid == pid:
                    status = st
        finally:
            if exited is not None:
                os.close(exited)
        t1 = time.monotonic()
        wall = t1 - t0
        reaped = self._kill_job(pid)
        if spare is not None:  # the candidate's process is the job's too (unsandboxed: not in its group)
            self._drop_spare()
        if status is None:
            # _kill_job reaps every dead child, the job's own included: take its status from there
            status = reaped if reaped is not None else os.waitpid(pid, 0)[1]
        t2 = time.monotonic()
        # every writer is dead now: drain to EOF (bounded by the caps)
        while not (out.eof and rep.eof):
            _pump([out, rep], timeout=0.2)
        t3 = time.monotonic()
        clean = self._wipe()
        # seconds per phase, for the host's profiling (benchmarks/oracle_gap.py); no job decides anything here
        phases = {"prep": t0 - t_prep, "job": wall, "kill": t2 - t1, "drain": t3 - t2, "wipe": time.monotonic() - t3,
                  "exit_seen": t1 - t_eof if t_eof is not None else 0.0}
        return {
            "phases": phases,
            "restart": not clean,
            "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "timed_out": timed_out,
            "wall": wall,
            "output": out.data.decode("utf-8", "replace"),
            "output_truncated": out.truncated,
            "report": rep.data.decode("utf-8", "replace"),
            "report_truncated": rep.truncated,
        }

    def _become_job(self, limits: dict) -> None:
        """Make this fork (the job's process or the spare candidate process) one of the job's: a session of its
        own (unsandboxed, the zygote kills the job's process groups), first for the OOM killer, the job uid, the
        job's rlimits. Runs before any job file is written or any candidate code runs."""
        os.setsid()
        try:  # when the worker's memory cgroup is full, the OOM killer takes the job's processes, not us
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("1000")
        except OSError:
            pass
        if self.job_uid is not None:
            os.setgroups([])
            os.setgid(self.job_uid)
            os.setuid(self.job_uid)  # drops every capability we held
        os.umask(0o022)
        _setrlimits(limits)

    def _child(self, job: dict, out_w: int, rep_w: int, spare: tuple | None = None) -> None:
        limits = job["limits"]
        self._become_job(limits)
        os.makedirs(self.job_dir, mode=0o755, exist_ok=True)
        for rel, b64 in job["files"].items():
            path = os.path.normpath(os.path.join(self.job_dir, rel))
            if not path.startswith(self.job_dir + "/"):
                raise ValueError(f"file outside the job dir: {rel}")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(base64.b64decode(b64))
            if rel in job.get("executable", []):
                os.chmod(path, 0o755)
        os.chdir(self.job_dir)
        # fd 0 <- /dev/null, 1/2 -> capped output, 3 -> report channel; nothing else survives
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        os.dup2(rep_w, 3)
        if spare is not None:  # the pipes to the spare candidate process: 4 to it, 5 from it
            import fcntl

            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in spare]
            os.dup2(high[0], 4)
            os.dup2(high[1], 5)
            os.closerange(6, _max_fd())
        else:
            os.closerange(4, _max_fd())
        env = dict(job.get("env", {}))
        os.environ.clear()
        os.environ.update(env)
        for argv in job.get("prepare", []):
            # build steps (a compiler) run before any candidate code; failing one means "does not build"
            import subprocess

            if subprocess.run(argv, stdin=0, env=env).returncode != 0:
                os._exit(BUILD_FAILED)
        if job["kind"] == "exec":
            os.execve(job["argv"][0], job["argv"], env)
        # kind == "pytest": run in this (forked, pre-warmed) interpreter, with Python's usual SIGPIPE handling
        # (ignored, so a test writing to a program that already exited gets EPIPE, not death)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        sys.path.insert(0, RUNNER_DIR)
        sys.dont_write_bytecode = True
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
        import pytest  # pre-imported by the zygote: this is a dictionary lookup
        import pytest_channel  # noqa: E402 - lives next to this file

        if job.get("candidate"):
            # the tests import a proxy; the candidate itself runs in a fresh interpreter (never a fork of this
            # one, which is about to hold the key) and answers calls with plain data
            import candidate_proxy  # noqa: E402 - loaded by the zygote already

            test_module = os.path.splitext(os.path.basename(job["argv"][-1]))[0]
            candidate_proxy.install(job["candidate"], frozenset({test_module}), (5, 4) if spare else None)
            # the candidate process runs as our uid: it must not read our memory (/proc/<us>/mem) or ptrace us,
            # with or without the sandbox (sandboxed, the zygote is nondumpable already and we inherit it)
            _set_nondumpable()
        plugin = pytest_channel.make_plugin(fd=3, key=bytes.fromhex(job["key"]), baseline=self.channel_baseline,
                                            candidate=job.get("candidate") or None)
        job["key"] = ""
        config = self.pytest_configs.get(tuple(job["argv"][:-1]))
        if config is not None:
            code = _pytest_main(config, job["argv"], plugin)
        else:
            code = pytest.main(job["argv"], plugins=[plugin])
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(code))

    def _pytest_config(self, args: tuple) -> None:
        """Build pytest's plugin manager and Config for these arguments once, in the zygote, before any job
        uses them; every job's fork inherits a private copy. ``pytest.main`` builds them anew on each call
        (~30 plugins imported and registered, every option declared: ~15 ms of CPU per verdict).

        ``args`` are a job's pytest arguments but the last (its test file). Only their ``-p no:...`` act at
        this stage, as in ``pytest.main``; each job then parses its own full arguments on its copy. The
        invocation folder is the job folder (where ``pytest.main`` would be called from). Nothing here runs
        job code: the zygote stays as trusted as before. A failure leaves the job on plain ``pytest.main``."""
        if args in self.pytest_configs or "pytest" not in sys.modules or len(self.pytest_configs) >= 8:
            return
        try:
            import pathlib

            from _pytest.config import Config, PytestPluginManager, default_plugins

            pm = PytestPluginManager()
            params = Config.InvocationParams(args=args, plugins=None, dir=pathlib.Path(self.job_dir))
            config = Config(pm, invocation_params=params)
            pm.consider_preparse(list(args), exclude_only=True)
            for spec in default_plugins:
                pm.import_plugin(spec)
        except Exception:  # noqa: BLE001 - an unexpected pytest version: plain pytest.main still works
            config = None
        self.pytest_configs[args] = config
        gc.freeze()  # what was just built is shared with the children, not scanned by their collections

    def _precompile(self, job: dict) -> None:
        """The job's test file, compiled with its asserts rewritten, here in the parent (``pytest_memo``): the
        job's pytest uses it when it reads the same bytes at the same path. Only the host's test file is read;
        nothing of it runs here."""
        memo = sys.modules.get("pytest_memo")
        test = job["argv"][-1] if job["argv"] else ""
        if memo is None or not test.endswith(".py") or test not in job["files"]:
            return
        memo.precompile(os.path.join(self.job_dir, test), base64.b64decode(job["files"][test]))

    def _kill_job(self, pid: int) -> int | None:
        """SIGKILL everything the job started, daemons included, then reap what is ours.

        Returns the wait status of ``pid`` if it was reaped here."""
        if not self.sandboxed:
            try:
                os.killpg(pid, signal.SIGKILL)  # the child called setsid(); escaped daemons survive
            except ProcessLookupError:
                pass
            return None
        me, status = os.getpid(), None
        for _ in range(1000):
            try:
                os.kill(-1, signal.SIGKILL)  # everything but us and the namespace's init
            except ProcessLookupError:
                pass
            others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
            status = _reap(pid, status)
            if not others:
                return status
            time.sleep(0.001)
        # something of the job survived every SIGKILL: never hand this sandbox to another job. Exiting
        # ends bwrap's init, and with it the pid namespace and everything left in it.
        raise SystemExit("zygote: job processes survived SIGKILL")

    def _wipe(self) -> bool:
        """Remove everything the job wrote, as the job uid (the files are its own). False, with the wipe given
        up, when the job left more than WIPE_MAX_ENTRIES files and folders (sandboxed only): deleting a file
        flood one by one holds the worker for seconds per 100k files, while ending the sandbox frees its
        tmpfs mounts and IPC namespace at once; ``main`` then exits and the host starts a fresh sandbox."""
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                if self.job_uid is not None:
                    os.setgroups([])
                    os.setgid(self.job_uid)
                    os.setuid(self.job_uid)
                if self.sandboxed:
                    _WIPE_BUDGET[0] = WIPE_MAX_ENTRIES
                for top in self.wipe_dirs:
                    for name in os.listdir(top) if os.path.isdir(top) else []:
                        _rmtree(os.path.join(top, name))
                if self.sandboxed:  # our own IPC namespace; unsandboxed these would be the host's
                    _remove_sysv_ipc()
            except _Flood:
                code = WIPE_GAVE_UP
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        return not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == WIPE_GAVE_UP)


# -------------------------------------------------------------------- helpers


class _Capped:
    """Reads a pipe, keeping at most ``cap`` bytes; the rest is read and dropped (never blocks the writer)."""

    def __init__(self, fd: int, cap: int):
        self.fd, self.cap = fd, cap
        self.data = b""
        self.truncated = False
        self.eof = False

    def pump(self) -> None:
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.eof = True
            os.close(self.fd)
            return
        room = self.cap - len(self.data)
        if len(chunk) > room:
            self.truncated = True
        self.data += chunk[: max(room, 0)]


def _pidfd(pid: int) -> int | None:
    """A descriptor that turns readable when ``pid`` has exited (Linux 5.3+), or None where there is none."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _pump(streams: list[_Capped], timeout: float, wake: int | None = None) -> None:
    """Read what the streams have, waiting at most ``timeout`` for one of them (or ``wake``) to be ready."""
    live = [s for s in streams if not s.eof]
    fds = [s.fd for s in live] + ([wake] if wake is not None else [])
    if not fds:
        time.sleep(timeout)
        return
    ready, _, _ = select.select(fds, [], [], timeout)
    for s in live:
        if s.fd in ready:
            s.pump()


def _pytest_main(config, argv: list[str], plugin) -> int:
    """``pytest.main(argv, plugins=[plugin])`` on a Config built before the fork (``Zygote._pytest_config``):
    the same steps as pytest's own ``_main`` from the point where it has built one."""
    import pytest
    from _pytest.config import ExitCode, UsageError

    os.environ["PYTEST_VERSION"] = pytest.__version__
    pm = config.pluginmanager
    try:
        pm.register(plugin)
        config = pm.hook.pytest_cmdline_parse(pluginmanager=pm, args=argv)
        try:
            return int(config.hook.pytest_cmdline_main(config=config))
        finally:
            config._ensure_unconfigure()
    except UsageError as e:
        sys.stderr.write(f"ERROR: {e}\n")
        return int(ExitCode.USAGE_ERROR)


def _cpu_times() -> tuple[float, float]:
    """(CPU seconds of this process, CPU seconds of its reaped children)."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime


def _setrlimits(limits: dict) -> None:
    mb = 1024 * 1024
    table = {
        resource.RLIMIT_CPU: limits["cpu_seconds"],
        resource.RLIMIT_AS: limits["memory_mb"] * mb if limits["memory_mb"] else None,
        resource.RLIMIT_FSIZE: limits["file_size_mb"] * mb,
        resource.RLIMIT_NOFILE: limits["open_files"],
        resource.RLIMIT_NPROC: limits["processes"],
        resource.RLIMIT_CORE: 0,
    }
    for res, value in table.items():
        if value is not None:
            resource.setrlimit(res, (value, value))


def _remove_sysv_ipc() -> None:
    """IPC_RMID every SysV shm segment, message queue and semaphore set in our IPC namespace.

    They outlive the processes that made them and the namespace is shared by all of this worker's jobs: a
    job could otherwise hand state to the next one, or pile up shared memory (no rlimit counts it) across
    jobs. Runs as the job uid, which owns them."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
    except Exception:
        return
    rmid = {"shm": lambda i: libc.shmctl(i, 0, None), "msg": lambda i: libc.msgctl(i, 0, None),
            "sem": lambda i: libc.semctl(i, 0, 0)}  # IPC_RMID = 0
    for kind, remove in rmid.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                ids = [int(line.split()[1]) for line in f.read().splitlines()[1:] if line.strip()]
        except (OSError, ValueError, IndexError):
            continue
        for i in ids:
            remove(i)


def _set_nondumpable() -> None:
    """PR_SET_DUMPABLE=0: same-uid processes can no longer ptrace us or read /proc/<us>/mem."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:
        pass


def _reap(want: int, status: int | None) -> int | None:
    """Reap every dead child; return the wait status of ``want`` if reaped now, else ``status``."""
    while True:
        try:
            pid, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return status
        if pid == 0:
            return status
        if pid == want:
            status = st


WIPE_MAX_ENTRIES = 20_000  # a job that leaves more files than this gets a fresh sandbox instead of a wipe
WIPE_GAVE_UP = 3  # exit status of the wipe helper that met more
_WIPE_BUDGET = [-1]  # entries the wipe helper may still delete; -1: no limit (--no-sandbox: host files)


class _Flood(Exception):
    """More entries than the wipe budget allows."""


def _spend(n: int) -> None:
    if _WIPE_BUDGET[0] >= 0:
        _WIPE_BUDGET[0] -= n
        if _WIPE_BUDGET[0] < 0:
            raise _Flood


def _rmtree(path: str) -> None:
    try:
        _spend(1)
        if os.path.ismount(path):  # a read-only bind (e.g. a virtualenv under /tmp): not ours to wipe
            return
        if os.path.islink(path) or not os.path.isdir(path):
            os.unlink(path)
            return
        os.chmod(path, 0o700)
        names = os.listdir(path)
        if _WIPE_BUDGET[0] >= 0 and len(names) > _WIPE_BUDGET[0]:
            raise _Flood  # known before deleting any of them
        for name in names:
            _rmtree(os.path.join(path, name))
        os.rmdir(path)
    except OSError:
        pass


def _close_all_but(keep: set) -> None:
    lo = 3
    for fd in sorted(keep):
        if fd >= lo:
            os.closerange(lo, fd)
            lo = fd + 1
    os.closerange(lo, _max_fd())


def _max_fd() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return min(soft, 65536) if soft != resource.RLIM_INFINITY else 65536


def main() -> None:
    ctl_in, ctl_out = os.dup(0), os.dup(1)
    # our own stdout must never be the control channel for anything else we print
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(2, 1)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    zygote = Zygote(recv(ctl_in), ctl_in, ctl_out)
    send(ctl_out, {"ready": True, "pid": os.getpid()})
    while True:
        try:
            job = recv(ctl_in)
        except EOFError:
            return
        result = zygote.run(job)
        send(ctl_out, result)
        if result["restart"]:
            # the job left a file flood: end the sandbox (its tmpfs mounts go with it), the host starts anew
            return


if __name__ == "__main__":
    main()
