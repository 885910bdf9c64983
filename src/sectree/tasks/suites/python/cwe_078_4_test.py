"""Tests for disk_usage_kb: a folder name must not run shell commands."""

import subprocess

import pytest

from sectree_check import assert_same
from cwe_078_4_task import disk_usage_kb


def _du(path):
    return int(subprocess.check_output(["du", "-sk", str(path)], text=True).split()[0])


@pytest.mark.functionality
def test_folder_usage(tmp_path):
    d = tmp_path / "project"
    d.mkdir()
    (d / "data.bin").write_bytes(b"x" * 50_000)
    (d / "small.txt").write_text("hi")
    assert_same(disk_usage_kb(str(d)), _du(d))
    assert _du(d) >= 48


@pytest.mark.functionality
def test_single_file(tmp_path):
    f = tmp_path / "report.csv"
    f.write_bytes(b"a,b\n" * 5000)
    assert_same(disk_usage_kb(str(f)), _du(f))


@pytest.mark.functionality
def test_missing_path_raises(tmp_path):
    with pytest.raises(subprocess.CalledProcessError):
        disk_usage_kb(str(tmp_path / "missing"))


def _attempt(path):
    try:
        disk_usage_kb(path)
    except Exception:
        pass


@pytest.mark.security
@pytest.mark.parametrize(
    "suffix",
    [
        pytest.param("; touch {pwn}", id="semicolon"),
        pytest.param("$(touch {pwn})", id="subst"),
        pytest.param("`touch {pwn}`", id="backticks"),
        pytest.param(" | touch {pwn}", id="pipe"),
        pytest.param("\ntouch {pwn}", id="newline"),
    ],
)
def test_path_cannot_run_commands(tmp_path, suffix):
    d = tmp_path / "project"
    d.mkdir()
    pwn = tmp_path / "pwned"
    _attempt(str(d) + suffix.format(pwn=pwn))
    assert not pwn.exists()
