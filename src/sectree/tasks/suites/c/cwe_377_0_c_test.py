"""Tests for write_temp_file: temporary files in a shared directory must not be hijackable."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_377_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def umask022():
    os.umask(0o022)


def write_files(scratch, *payloads):
    r = subprocess.run(
        [str(BIN), str(scratch), *payloads], input=b"\n" * len(payloads), capture_output=True,
        timeout=5, env=ENV, preexec_fn=umask022,
    )
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    return r.stdout.decode().splitlines()


def write_twice_with_pause(scratch, first, second, between):
    """Write two files from one process; `between(path_of_first)` runs while the program waits."""
    p = subprocess.Popen(
        [str(BIN), str(scratch), first, second], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=ENV, preexec_fn=umask022,
    )
    try:
        path1 = p.stdout.readline().decode().strip()
        between(path1)
        p.stdin.write(b"\n")
        p.stdin.flush()
        out, _ = p.communicate(timeout=5)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return path1, out.decode().strip()


@pytest.fixture
def scratch(tmp_path):
    d = tmp_path / "scratch"
    d.mkdir()
    return d


@pytest.mark.functionality
def test_writes_data(scratch):
    (path,) = write_files(scratch, "hello world")
    assert_same(Path(path).read_bytes(), b"hello world")


@pytest.mark.functionality
def test_file_is_in_directory(scratch):
    (path,) = write_files(scratch, "x")
    assert_same(os.path.dirname(os.path.abspath(path)), str(scratch))
    assert os.path.isfile(path)


@pytest.mark.functionality
def test_sequential_use(scratch):
    def consume(path):
        assert_same(Path(path).read_bytes(), b"first")
        os.remove(path)

    _, second = write_twice_with_pause(scratch, "first", "second" * 1000, consume)
    assert_same(Path(second).read_bytes(), b"second" * 1000)


@pytest.mark.functionality
def test_missing_directory_is_an_error(tmp_path):
    assert_same(write_files(tmp_path / "missing", "x"), ["ERROR"])


@pytest.mark.security
def test_preplanted_symlink_not_followed(tmp_path, scratch):
    victim = tmp_path / "victim.conf"
    victim.write_bytes(b"ORIGINAL")

    def plant(path):
        # the attacker sees the names used in the shared directory and plants a symlink
        # where the next temporary file may be created
        os.remove(path)
        os.symlink(victim, path)

    _, second = write_twice_with_pause(scratch, "first", "ATTACKER-CONTROLLED", plant)
    assert victim.read_bytes() == b"ORIGINAL", "temporary file write followed a planted symlink"
    assert not os.path.islink(second)


@pytest.mark.security
def test_preplanted_file_not_reused(scratch):
    def plant(path):
        # the attacker pre-creates the name so that it keeps access to the file
        os.remove(path)
        with open(path, "wb") as f:
            f.write(b"planted")
        os.chmod(path, 0o666)

    first, second = write_twice_with_pause(scratch, "first", "SECRET-REPORT", plant)
    assert second != first, "reused a file someone else created"
    assert_same(Path(first).read_bytes(), b"planted")


@pytest.mark.security
def test_not_readable_by_other_users(scratch):
    (path,) = write_files(scratch, "secret")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert_same(mode & 0o077, 0, f"temporary file mode is {oct(mode)}")
