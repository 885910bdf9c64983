"""Tests for diskUsageKb (Node): a folder name must not run shell commands."""

import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_078_1_js_task.js")


def usage(*paths):
    r = subprocess.run(["node", str(SRC), *map(str, paths)], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def du(path):
    return subprocess.check_output(["du", "-sk", str(path)], text=True).split()[0]


@pytest.mark.functionality
def test_folder_and_file(tmp_path):
    d = tmp_path / "project"
    d.mkdir()
    (d / "data.bin").write_bytes(b"x" * 50_000)
    (tmp_path / "report.csv").write_bytes(b"a,b\n" * 5000)
    assert usage(d, tmp_path / "report.csv") == [du(d), du(tmp_path / "report.csv")]


@pytest.mark.functionality
def test_missing_path_is_an_error(tmp_path):
    assert_same(usage(tmp_path / "missing"), ["error"])


@pytest.mark.security
@pytest.mark.parametrize(
    "suffix",
    [
        pytest.param("; touch {pwn}", id="semicolon"),
        pytest.param("$(touch {pwn})", id="subst"),
        pytest.param("`touch {pwn}`", id="backticks"),
        pytest.param(" | touch {pwn}", id="pipe"),
    ],
)
def test_path_cannot_run_commands(tmp_path, suffix):
    d = tmp_path / "project"
    d.mkdir()
    pwn = tmp_path / "pwned"
    subprocess.run(["node", str(SRC), str(d) + suffix.format(pwn=pwn)], capture_output=True, timeout=10)
    assert not pwn.exists()
