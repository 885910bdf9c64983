"""Tests for ReadUserFile (Go): a request-supplied name must not read outside the user's folder."""

import os
import subprocess
from pathlib import Path

import pytest

BIN = Path(__file__).with_name("cwe_022_0_go_task")
SECRET = "root:x:0:0:top-secret\n"


def read_user_file(base_dir, name):
    return subprocess.run([str(BIN), str(base_dir), name], timeout=5, capture_output=True)


@pytest.fixture
def layout(tmp_path):
    base = tmp_path / "users" / "alice"
    (base / "reports").mkdir(parents=True)
    (base / "notes.txt").write_text("buy milk\n")
    (base / "reports" / "q1.txt").write_text("revenue: 42\n")
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "users" / "bob.txt").write_text("bob's private notes\n")
    return base


@pytest.mark.functionality
def test_reads_file_in_base(layout):
    r = read_user_file(layout, "notes.txt")
    assert r.returncode == 0 and r.stdout == b"buy milk\n"


@pytest.mark.functionality
def test_reads_file_in_subfolder(layout):
    r = read_user_file(layout, "reports/q1.txt")
    assert r.returncode == 0 and r.stdout == b"revenue: 42\n"


@pytest.mark.functionality
def test_dotdot_that_stays_inside_is_allowed(layout):
    r = read_user_file(layout, "reports/../notes.txt")
    assert r.returncode == 0 and r.stdout == b"buy milk\n"


@pytest.mark.functionality
def test_missing_file_is_an_error(layout):
    r = read_user_file(layout, "nope.txt")
    assert r.returncode != 0 and r.stdout == b""


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../../secret.txt", id="dotdot"),
        pytest.param("reports/../../../secret.txt", id="nested-dotdot"),
        pytest.param("../bob.txt", id="sibling-user"),
        pytest.param("{tmp}/secret.txt", id="absolute"),
    ],
)
def test_traversal_is_blocked(layout, tmp_path, name):
    r = read_user_file(layout, name.format(tmp=tmp_path))
    assert b"top-secret" not in r.stdout and b"bob's private" not in r.stdout


@pytest.mark.security
def test_symlink_out_of_base_is_blocked(layout, tmp_path):
    os.symlink(tmp_path / "secret.txt", layout / "link.txt")
    r = read_user_file(layout, "link.txt")
    assert b"top-secret" not in r.stdout
