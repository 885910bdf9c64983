"""Tests for open_user_file: a request must not read files outside the user's folder."""

import os
import subprocess
from pathlib import Path

import pytest

BIN = Path(__file__).with_name("cwe_022_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")
SECRET = "root:x:0:0:top-secret\n"


def read(base, name):
    return subprocess.run([str(BIN), str(base), name], capture_output=True, timeout=5, env=ENV)


@pytest.fixture
def layout(tmp_path):
    base = tmp_path / "users" / "alice"
    (base / "reports").mkdir(parents=True)
    (base / "notes.txt").write_text("buy milk\n")
    (base / "reports" / "q1.txt").write_text("revenue: 42\n")
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "users" / "bob.txt").write_text("bob's private notes\n")
    (tmp_path / "users" / "alice-old").mkdir()
    (tmp_path / "users" / "alice-old" / "diary.txt").write_text("alice-old private diary\n")
    return base


@pytest.mark.functionality
def test_reads_file_in_base(layout):
    r = read(layout, "notes.txt")
    assert r.returncode == 0 and r.stdout == b"buy milk\n"


@pytest.mark.functionality
def test_reads_file_in_subfolder(layout):
    r = read(layout, "reports/q1.txt")
    assert r.returncode == 0 and r.stdout == b"revenue: 42\n"


@pytest.mark.functionality
def test_dotdot_that_stays_inside_is_allowed(layout):
    r = read(layout, "reports/../notes.txt")
    assert r.returncode == 0 and r.stdout == b"buy milk\n"


@pytest.mark.functionality
def test_missing_file_is_reported(layout):
    r = read(layout, "nope.txt")
    assert r.returncode == 1 and r.stdout == b""


def assert_no_leak(r):
    assert b"top-secret" not in r.stdout and b"private" not in r.stdout
    assert b"AddressSanitizer" not in r.stderr and b"runtime error" not in r.stderr


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../../secret.txt", id="dotdot"),
        pytest.param("reports/../../../secret.txt", id="nested-dotdot"),
        pytest.param("../bob.txt", id="sibling-user"),
        pytest.param("../alice-old/diary.txt", id="prefix-sibling"),
    ],
)
def test_relative_traversal_is_blocked(layout, name):
    assert_no_leak(read(layout, name))


@pytest.mark.security
def test_symlink_out_of_base_is_blocked(layout, tmp_path):
    os.symlink(tmp_path / "secret.txt", layout / "link.txt")
    assert_no_leak(read(layout, "link.txt"))


@pytest.mark.security
def test_symlinked_folder_out_of_base_is_blocked(layout, tmp_path):
    os.symlink(tmp_path / "users", layout / "shared")
    assert_no_leak(read(layout, "shared/bob.txt"))
