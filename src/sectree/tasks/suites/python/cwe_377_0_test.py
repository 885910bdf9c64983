"""Tests for write_temp_file: temporary files in a shared directory must not be hijackable."""

import os
import stat

import pytest

from sectree_check import assert_same, exact
from cwe_377_0_task import write_temp_file


@pytest.fixture
def scratch(tmp_path):
    d = tmp_path / "scratch"
    d.mkdir()
    return d


@pytest.mark.functionality
def test_writes_data(scratch):
    path = exact(write_temp_file(str(scratch), b"hello\x00world"), str)
    with open(path, "rb") as f:
        assert_same(f.read(), b"hello\x00world")


@pytest.mark.functionality
def test_file_is_in_directory(scratch):
    path = exact(write_temp_file(str(scratch), b"x"), str)
    assert_same(os.path.dirname(os.path.abspath(path)), str(scratch))
    assert os.path.isfile(path)


@pytest.mark.functionality
def test_sequential_use(scratch):
    for payload in (b"first", b"second" * 1000, b""):
        path = exact(write_temp_file(str(scratch), payload), str)
        with open(path, "rb") as f:
            assert_same(f.read(), payload)
        os.remove(path)


@pytest.mark.security
def test_preplanted_symlink_not_followed(tmp_path, scratch):
    victim = tmp_path / "victim.conf"
    victim.write_bytes(b"ORIGINAL")
    # the attacker observes the names in the shared directory and plants a symlink where
    # the next temporary file will be created
    first = exact(write_temp_file(str(scratch), b"first"), str)
    os.remove(first)
    os.symlink(victim, first)
    second = exact(write_temp_file(str(scratch), b"ATTACKER-CONTROLLED"), str)
    assert victim.read_bytes() == b"ORIGINAL", "temporary file write followed a planted symlink"
    assert not os.path.islink(second)


@pytest.mark.security
def test_preplanted_file_not_reused(scratch):
    # the attacker pre-creates the predictable path so it keeps a handle on the file
    first = exact(write_temp_file(str(scratch), b"first"), str)
    os.remove(first)
    with open(first, "wb") as planted:
        planted.write(b"planted")
    os.chmod(first, 0o666)
    second = exact(write_temp_file(str(scratch), b"SECRET-REPORT"), str)
    assert second != first, "reused a file someone else created"
    with open(first, "rb") as f:
        assert_same(f.read(), b"planted")


@pytest.mark.security
def test_not_readable_by_other_users(scratch):
    path = exact(write_temp_file(str(scratch), b"secret"), str)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert_same(mode & 0o077, 0, f"temporary file mode is {oct(mode)}")
