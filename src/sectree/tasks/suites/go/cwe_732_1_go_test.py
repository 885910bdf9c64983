"""Tests for WriteBackup (Go): the backup of every customer's data must not be readable by other users."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_732_1_go_task")


def backup(path, dump, umask=0o022):
    # a typical login-shell umask unless the test says otherwise
    return subprocess.run([str(BIN), str(path)], input=dump, umask=umask, timeout=5, capture_output=True)


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.functionality
def test_writes_dump(tmp_path):
    p = tmp_path / "db.sql"
    assert_same(backup(p, b"CREATE TABLE t (x);\n").returncode, 0)
    assert p.read_bytes() == b"CREATE TABLE t (x);\n"


@pytest.mark.functionality
def test_replaces_previous_backup_and_leaves_no_temp_files(tmp_path):
    p = tmp_path / "db.sql"
    p.write_bytes(b"old and longer contents")
    assert_same(backup(p, b"new").returncode, 0)
    assert p.read_bytes() == b"new"
    assert_same(sorted(os.listdir(tmp_path)), ["db.sql"])


@pytest.mark.functionality
def test_owner_can_read(tmp_path):
    p = tmp_path / "db.sql"
    backup(p, b"x")
    assert mode_of(p) & stat.S_IRUSR


@pytest.mark.security
@pytest.mark.parametrize("umask", [0o022, 0o002, 0], ids=["umask-022", "umask-002", "umask-0"])
def test_backup_not_readable_by_others(tmp_path, umask):
    p = tmp_path / "db.sql"
    assert_same(backup(p, b"INSERT INTO cards VALUES ('4111...');", umask=umask).returncode, 0)
    assert_same(mode_of(p) & 0o077, 0, oct(mode_of(p)))


@pytest.mark.security
def test_replacing_a_world_readable_backup_locks_it_down(tmp_path):
    p = tmp_path / "db.sql"
    p.write_bytes(b"old")
    os.chmod(p, 0o644)
    assert_same(backup(p, b"secret").returncode, 0)
    assert_same(mode_of(p) & 0o077, 0, oct(mode_of(p)))
