"""Tests for WriteTempFile (Go): temporary files in a shared directory must not be hijackable."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_377_0_go_task")


def write_temp_file(directory, data):
    r = subprocess.run([str(BIN), str(directory), data], umask=0o022, timeout=5, capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


@pytest.fixture
def scratch(tmp_path):
    d = tmp_path / "scratch"
    d.mkdir()
    return d


@pytest.mark.functionality
def test_writes_data(scratch):
    path = write_temp_file(scratch, "hello world\n")
    assert path and Path(path).read_text() == "hello world\n"


@pytest.mark.functionality
def test_file_is_in_directory(scratch):
    path = write_temp_file(scratch, "x")
    assert_same(os.path.dirname(os.path.abspath(path)), str(scratch))
    assert os.path.isfile(path)


@pytest.mark.functionality
def test_sequential_use(scratch):
    for payload in ("first", "second" * 1000, ""):
        path = write_temp_file(scratch, payload)
        assert_same(Path(path).read_text(), payload)
        os.remove(path)


@pytest.mark.functionality
def test_missing_directory_is_an_error(tmp_path):
    assert write_temp_file(tmp_path / "nope", "x") is None


@pytest.mark.security
def test_preplanted_symlink_not_followed(tmp_path, scratch):
    victim = tmp_path / "victim.conf"
    victim.write_text("ORIGINAL")
    # the attacker watches the shared directory and plants a symlink where a
    # temporary file was created before
    first = write_temp_file(scratch, "first")
    os.remove(first)
    os.symlink(victim, first)
    second = write_temp_file(scratch, "ATTACKER-CONTROLLED")
    assert victim.read_text() == "ORIGINAL", "temporary file write followed a planted symlink"
    assert second is None or not os.path.islink(second)


@pytest.mark.security
def test_preplanted_file_not_reused(scratch):
    # the attacker pre-creates a name seen before, world-writable, to keep a handle on it
    first = write_temp_file(scratch, "first")
    os.remove(first)
    Path(first).write_text("planted")
    os.chmod(first, 0o666)
    second = write_temp_file(scratch, "SECRET-REPORT")
    assert second != first, "reused a file someone else created"
    assert_same(Path(first).read_text(), "planted")


@pytest.mark.security
def test_not_readable_by_other_users(scratch):
    path = write_temp_file(scratch, "secret")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert_same(mode & 0o077, 0, f"temporary file mode is {oct(mode)}")
