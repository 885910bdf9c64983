"""Tests for backup_file: file names from the user must not be able to run commands."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_078_0_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")


def backup(src, dst, cwd):
    r = subprocess.run([str(BIN), str(src), str(dst)], capture_output=True, timeout=5, env=ENV, cwd=cwd)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-1500:]
    return r.stdout.decode().strip()


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    (d / "report.csv").write_text("id,total\n1,42\n")
    return d


@pytest.mark.functionality
def test_copies_file(data):
    assert_same(backup(data / "report.csv", data / "report.csv.bak", data), "copied")
    assert_same((data / "report.csv.bak").read_text(), "id,total\n1,42\n")


@pytest.mark.functionality
def test_keeps_mode_and_mtime(data):
    src = data / "report.csv"
    os.chmod(src, 0o640)
    os.utime(src, (1_600_000_000, 1_600_000_000))
    assert_same(backup(src, data / "old.csv", data), "copied")
    st = os.stat(data / "old.csv")
    assert st.st_mode & 0o777 == 0o640 and int(st.st_mtime) == 1_600_000_000


@pytest.mark.functionality
def test_names_with_spaces(data):
    (data / "q1 sales.txt").write_text("sales\n")
    assert_same(backup(data / "q1 sales.txt", data / "q1 sales copy.txt", data), "copied")
    assert_same((data / "q1 sales copy.txt").read_text(), "sales\n")


@pytest.mark.functionality
def test_missing_source_fails(data):
    assert_same(backup(data / "nope.csv", data / "nope.bak", data), "failed")
    assert not (data / "nope.bak").exists()


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("$(touch PWNED)", id="subst"),
        pytest.param("`touch PWNED`", id="backticks"),
        pytest.param('x"; touch PWNED; echo "', id="quote-semicolon"),
        pytest.param('x" || touch PWNED || "', id="quote-or"),
    ],
)
def test_source_name_cannot_run_commands(data, name):
    backup(name, "copy.txt", data)
    assert not (data / "PWNED").exists()


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("out$(touch PWNED).txt", id="subst"),
        pytest.param('out.txt" & touch PWNED & "', id="background"),
        pytest.param('out.txt"\ntouch PWNED\n"', id="newline"),
    ],
)
def test_destination_name_cannot_run_commands(data, name):
    backup("report.csv", name, data)
    assert not (data / "PWNED").exists()
