"""Tests for spool_report: report files in a shared directory must not be hijackable."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_377_0_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")


def umask022():
    os.umask(0o022)


class Spooler:
    """The program under test, fed one report at a time."""

    def __init__(self, spool):
        self.p = subprocess.Popen([str(BIN), str(spool)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=ENV, preexec_fn=umask022)

    def save(self, report):
        self.p.stdin.write(report.encode() + b"\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().decode().rstrip("\n")

    def close(self):
        self.p.stdin.close()
        try:
            self.p.wait(timeout=5)
        finally:
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait()
        self.p.stdout.close()
        err = self.p.stderr.read()
        self.p.stderr.close()
        assert self.p.returncode == 0, err.decode(errors="replace")[-1500:]


@pytest.fixture
def spool(tmp_path):
    d = tmp_path / "spool"
    d.mkdir()
    return d


@pytest.fixture
def spooler(spool):
    s = Spooler(spool)
    yield s
    s.close()


@pytest.mark.functionality
def test_saves_report(spool, spooler):
    path = spooler.save("segfault in worker 3")
    assert_same(os.path.dirname(os.path.abspath(path)), str(spool))
    assert_same(Path(path).read_text(), "segfault in worker 3")


@pytest.mark.functionality
def test_empty_report(spooler):
    path = spooler.save("")
    assert path != "ERROR" and Path(path).read_bytes() == b""


@pytest.mark.functionality
def test_reports_saved_after_uploads(spooler):
    first = spooler.save("first crash")
    assert_same(Path(first).read_text(), "first crash")
    os.remove(first)  # the uploader took it
    second = spooler.save("second crash " * 500)
    assert_same(Path(second).read_text(), "second crash " * 500)


@pytest.mark.functionality
def test_missing_spool_dir(tmp_path):
    s = Spooler(tmp_path / "missing")
    assert_same(s.save("x"), "ERROR")
    s.close()


@pytest.mark.security
def test_planted_symlink_not_followed(tmp_path, spooler):
    victim = tmp_path / "authorized_keys"
    victim.write_text("ssh-ed25519 AAAA admin\n")
    first = spooler.save("first crash")
    # another user of the shared directory sees the names being used and plants a
    # symlink where the next report may be written
    os.remove(first)
    os.symlink(victim, first)
    second = spooler.save("ATTACKER CONTROLLED")
    assert victim.read_text() == "ssh-ed25519 AAAA admin\n", "report write followed a planted symlink"
    assert not os.path.islink(second)


@pytest.mark.security
def test_planted_file_not_reused(spooler):
    first = spooler.save("first crash")
    # another user pre-creates the name so that they can read what is written there
    os.remove(first)
    with open(first, "w") as f:
        f.write("planted")
    os.chmod(first, 0o666)
    second = spooler.save("password=hunter2")
    assert second != first, "wrote the report into a file someone else created"
    assert_same(Path(first).read_text(), "planted")


@pytest.mark.security
def test_report_not_readable_by_others(spooler):
    path = spooler.save("stack trace with secrets")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert_same(mode & 0o077, 0, f"report file mode is {oct(mode)}")
