"""The hostile corpus: each file in candidates/ attacks the sandbox or the report channel as the answer to a
real task, and is judged through one shared, warm Oracle (so a candidate that poisons its worker is caught by
the next judgement).

A candidate's docstring says what it attacks and what must happen, plus keys:
``task`` (the task it answers), ``expect`` (``broken`` or ``not-secure``), optional ``reason`` (a substring of
the verdict's reason), ``script: yes`` (also run as a plain script, outside pytest, whose stdout is inspected:
the exfiltration attempts print what they got), ``forbid`` (comma-separated words that must not appear in that
stdout), ``slow: yes`` and ``known-hole`` (a documented limitation: strict xfail).

For every candidate: the verdict is never ``secure``; the host canaries (random content, in the home directory
and the repository root) and a secret environment variable set on the host appear in no verdict and no output;
no connection reaches the listener this module opens on the host; no file appears on the host; the virtualenv
is unchanged; no process of the job uids (or showing the marker) survives the judgement; a probe job on the
same worker finds no leftover files, IPC objects or processes; and an ordinary verdict right after is secure.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from sectree.oracle import Oracle, OracleConfig, Status
from sectree.sandbox import SandboxConfig, Worker
from sectree.tasks import parse_task

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SUITE = REPO / "src" / "sectree" / "tasks" / "suites" / "python"
# every candidate's files, processes and probe lines carry "SXHOSTILEX", made unique to this session here (so
# that parallel test sessions do not see each other's processes and files)
MARKER = f"SXHOSTILEX{secrets.token_hex(3).upper()}"
WORKERS = 2
UID_BASE = 61000 + (os.getpid() % 1000) * WORKERS  # our own job uids: other test sessions may run beside us
CANDIDATES = sorted((HERE / "candidates").glob("*.py"))

LIMITS = SandboxConfig(wall_seconds=5, cpu_seconds=3, memory_mb=512, total_memory_mb=1536, tmpfs_mb=64,
                       file_size_mb=16, processes=32, output_bytes=256 << 10, job_uid_base=UID_BASE,
                       job_uids=WORKERS)  # exactly our uids, so that leftover_processes sees every job process

PROBE = r'''
import os
# read-only binds (a virtualenv under /tmp, say) and the folders leading to them are the sandbox's, not leftovers
mounts = [l.split()[4] for l in open("/proc/self/mountinfo")]
ours = lambda p: any(m == p or m.startswith(p + "/") for m in mounts if m not in ("/sbx", "/tmp", "/dev/shm", "/dev/mqueue"))
found = []
for top in ("/sbx", "/tmp", "/dev/shm", "/dev/mqueue"):
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not ours(os.path.join(root, d)) or os.path.join(root, d) == "/sbx/job"]
        found += [os.path.join(root, n) for n in dirs + files if os.path.join(root, n) not in ("/sbx/job", "/sbx/job/probe.py")]
for kind in ("shm", "msg", "sem"):
    found += [f"sysv {kind}: {l.split()[:2]}" for l in open(f"/proc/sysvipc/{kind}").read().splitlines()[1:]]
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
# the zygote's spare candidate process (forked before each job, zygote._fork_spare) is the zygote's, not a leftover
zygote = open(f"/proc/{os.getppid()}/cmdline", "rb").read()
spare = [p for p in pids if p not in (1, os.getpid(), os.getppid()) and open(f"/proc/{p}/cmdline", "rb").read() == zygote
         and open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[1] == str(os.getppid())][:1]
print("LEFTOVERS", found)
print("PIDS", len(pids) - len(spare), [open(f"/proc/{p}/cmdline", "rb").read()[:60] for p in pids if p not in (1, os.getpid(), os.getppid(), *spare)])
'''


@dataclass
class Meta:
    task: str
    expect: str
    reason: str = ""
    script: bool = False
    forbid: tuple[str, ...] = ()
    slow: bool = False
    known_hole: str = ""


def meta(path: Path) -> Meta:
    doc = re.match(r'\s*"""(.*?)"""', path.read_text(), re.DOTALL)
    assert doc, f"{path.name}: no docstring"
    text = doc.group(1)
    assert text.startswith("ATTACK:") and "MUST" in text.splitlines()[0] or "KNOWN LIMITATION" in text, path.name
    kv = dict(re.findall(r"^([a-z-]+): (.*)$", text, re.MULTILINE))
    m = Meta(task=kv["task"], expect=kv["expect"], reason=kv.get("reason", ""), script=kv.get("script") == "yes",
             forbid=tuple(w.strip() for w in kv.get("forbid", "").split(",") if w.strip()),
             slow=kv.get("slow") == "yes", known_hole=kv.get("known-hole", ""))
    assert m.expect in ("broken", "not-secure"), path.name
    return m


def params():
    for path in CANDIDATES:
        m = meta(path)
        marks = [pytest.mark.slow] if m.slow else []
        if m.known_hole:
            marks.append(pytest.mark.xfail(strict=True, reason=f"known limitation: {m.known_hole}"))
        yield pytest.param(path, m, marks=marks, id=path.stem)


# ------------------------------------------------------------------------------------------- the host side


class Listener:
    """TCP on every host address and an abstract unix socket: records anything that connects."""

    def __init__(self):
        self.hits: list[str] = []
        self.tcp = socket.socket()
        self.tcp.bind(("0.0.0.0", 0))
        self.tcp.listen()
        self.port = self.tcp.getsockname()[1]
        self.abstract = f"{MARKER}-{secrets.token_hex(4)}"
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix.bind("\0" + self.abstract)
        self.unix.listen()
        for s in (self.tcp, self.unix):
            threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, s: socket.socket) -> None:
        while True:
            try:
                conn, addr = s.accept()
            except OSError:
                return
            self.hits.append(f"{addr}: {conn.recv(200)!r}")
            conn.close()

    def close(self) -> None:
        for s in (self.tcp, self.unix):
            s.close()


def host_ips() -> list[str]:
    ips = set()
    try:
        ips.update(a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET))
    except OSError:
        pass
    try:  # the source address of the default route (no packet is sent)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            ips.add(s.getsockname()[0])
    except OSError:
        pass
    return sorted(ip for ip in ips if not ip.startswith("127."))


def venv_fingerprint() -> str:
    h = hashlib.sha256()
    for d in {Path(sys.prefix), Path(sys.base_prefix)}:
        for p in [d / "pyvenv.cfg", *sorted(d.glob("lib/python*/site-packages"))]:
            if p.is_dir():
                h.update(repr(sorted(os.listdir(p))).encode())
            elif p.exists():
                h.update(p.read_bytes())
    h.update(Path(pytest.__file__).read_bytes())
    return h.hexdigest()


class Host:
    def __init__(self):
        self.canary_name = f".sectree-hostile-canary-{secrets.token_hex(4)}"
        self.home_canary = Path.home() / self.canary_name
        self.repo_canary = REPO / self.canary_name
        self.secret_env = f"{MARKER}_SECRET_{secrets.token_hex(4).upper()}"
        self.values = {  # what must never come out
            self.home_canary: f"home-canary-{secrets.token_hex(16)}",
            self.repo_canary: f"repo-canary-{secrets.token_hex(16)}",
        }
        self.env_value = f"env-secret-{secrets.token_hex(16)}"
        for p, v in self.values.items():
            p.write_text(v)
        os.environ[self.secret_env] = self.env_value
        self.listener = Listener()
        self.venv = venv_fingerprint()

    def fill(self, src: str) -> str:
        subs = {"__HOME_CANARY__": str(self.home_canary), "__REPO_CANARY__": str(self.repo_canary),
                "__CANARY_NAME__": self.canary_name, "__REPO_DIR__": str(REPO),
                "__HOST_PORT__": str(self.listener.port), "__HOST_IPS__": repr(host_ips()),
                "__SECRET_ENV_NAME__": self.secret_env, "__ABSTRACT_SOCK__": self.listener.abstract}
        src = src.replace("SXHOSTILEX", MARKER)  # first: some values below contain MARKER already
        for k, v in subs.items():
            src = src.replace(k, v)
        return src

    def secrets(self) -> list[str]:
        return [*self.values.values(), self.env_value]

    def assert_intact(self) -> None:
        for p, v in self.values.items():
            assert p.read_text() == v, f"canary {p} changed"
        assert self.listener.hits == [], f"connections reached the host: {self.listener.hits}"
        escaped = [p for d in (Path.home(), REPO, Path("/tmp"), Path("/"), Path("/etc"), Path(sys.prefix))
                   for p in d.glob(f"*{MARKER}*")]
        assert escaped == [], f"files appeared on the host: {escaped}"
        assert venv_fingerprint() == self.venv, "the virtualenv changed"

    def close(self) -> None:
        self.listener.close()
        os.environ.pop(self.secret_env, None)
        for p in self.values:
            p.unlink(missing_ok=True)


def leftover_processes() -> list[str]:
    """Host processes of our job uids, or showing the marker (cmdline or name)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        uid = int(re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE).group(1))
        if UID_BASE <= uid < UID_BASE + WORKERS or MARKER.encode() in cmdline or MARKER in status:
            found.append(f"pid {pid} uid {uid} {cmdline[:80]!r}")
    return found


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def host():
    h = Host()  # before the oracle: its sandboxes start with the secret in our environment
    yield h
    h.close()


@pytest.fixture(scope="module")
def oracle(host):
    o = Oracle(OracleConfig(sandbox=LIMITS, workers=WORKERS, analyzers=False))
    yield o
    o.close()
    assert leftover_processes() == [], "processes survived closing the oracle"
    host.assert_intact()


@pytest.fixture(scope="module")
def tasks():
    return {t: parse_task(SUITE, t) for t in ("cwe_078_0", "cwe_022_0")}


def run_script(oracle: Oracle, name: str, src: str):
    return oracle.pool.run({name: src.encode()}, kind="exec", argv=[sys.executable, "-s", "-B", name])


def assert_worker_clean(oracle: Oracle) -> None:
    """A probe job (on the worker that just ran: the pool hands out the last one freed) sees nothing left."""
    res = run_script(oracle, "probe.py", PROBE)
    assert "LEFTOVERS []" in res.output, res.output
    assert "PIDS 3 []" in res.output, res.output  # bwrap's init, the zygote, the probe (and the zygote's spare)


# --------------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("path, m", list(params()))
def test_hostile_candidate(path: Path, m: Meta, oracle: Oracle, host: Host, tasks):
    task = tasks[m.task]
    src = host.fill(path.read_text())

    v = oracle.judge(task, src)
    assert v.status != Status.SECURE, f"{path.stem} judged secure"
    if m.expect == "broken":
        assert v.status == Status.BROKEN, (v.status, v.reason)
    assert m.reason in v.reason, v.reason
    assert not any(s in repr(v) for s in host.secrets()), "a host secret is in the verdict"
    assert leftover_processes() == [], "processes survived the judgement"
    host.assert_intact()

    if m.script:  # the same attack outside pytest: its stdout says what it got
        res = run_script(oracle, "attack.py", src)
        if "def _probe" in src:
            assert f"{MARKER}-PROBE" in res.output, f"the attack did not run: {res.output[-2000:]}"
        assert not any(s in res.output for s in host.secrets()), f"a host secret got out: {res.output[-2000:]}"
        bad = [w for w in m.forbid if w in res.output]
        assert bad == [], f"{bad} in {res.output[-3000:]}"
        assert leftover_processes() == [], "processes survived the script run"
        host.assert_intact()

    assert_worker_clean(oracle)
    follow = oracle.judge(task, task.reference_source + f"\n# follow-up after {path.stem}\n")
    assert follow.status == Status.SECURE, f"the next verdict after {path.stem}: {follow.reason}"
    assert leftover_processes() == []


def test_exfiltration_probes_are_not_vacuous(host: Host, tmp_path):
    """Without the sandbox (UNSAFE mode) the same probes do read the canary and reach the listener: the checks
    above would see a leak."""
    # a generous wall: a busy CI machine once took over 10 s for the unsandboxed directory search
    w = Worker(SandboxConfig(enabled=False, wall_seconds=60, job_uid_base=UID_BASE))
    try:
        for name, needle in (("read_canary_home", host.values[host.home_canary]),
                             ("read_canary_repo", host.values[host.repo_canary]),
                             ("network_connect", "CONNECTED")):
            src = host.fill((HERE / "candidates" / f"{name}.py").read_text())
            res = w.run({"attack.py": src.encode()}, kind="exec", argv=[sys.executable, "-s", "-B", "attack.py"])
            assert needle in res.output, (name, res.output[-1000:])
    finally:
        w.close()
    assert host.listener.hits, "the unsandboxed probe should have reached the listener"
    host.listener.hits.clear()


def test_corpus_is_complete():
    assert len(CANDIDATES) >= 30
    for path in CANDIDATES:
        meta(path)
