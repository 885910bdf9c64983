"""Tests for CountLines (Go): file names must never be interpreted by a shell."""

import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_078_1_go_task")


def count_lines(*files, cwd=None):
    r = subprocess.run([str(BIN), *map(str, files)], cwd=cwd, timeout=5, capture_output=True, text=True)
    if r.returncode != 0:
        return None
    out = {}
    for line in r.stdout.splitlines():
        n, _, name = line.partition("\t")
        out[name] = int(n)
    return out


@pytest.fixture
def logs(tmp_path):
    (tmp_path / "app.log").write_text("a\nb\nc\n")
    (tmp_path / "db.log").write_text("one line\n")
    (tmp_path / "empty.log").write_text("")
    (tmp_path / "partial.log").write_text("x\ny")
    return tmp_path


@pytest.mark.functionality
def test_single_file(logs):
    assert_same(count_lines(logs / "app.log"), {str(logs / "app.log"): 3})


@pytest.mark.functionality
def test_several_files(logs):
    names = [logs / n for n in ("app.log", "db.log", "empty.log", "partial.log")]
    assert_same(count_lines(*names), {str(names[0]): 3, str(names[1]): 1, str(names[2]): 0, str(names[3]): 1})


@pytest.mark.functionality
def test_relative_names(logs):
    assert_same(count_lines("app.log", "db.log", cwd=logs), {"app.log": 3, "db.log": 1})


@pytest.mark.functionality
def test_no_files():
    assert_same(count_lines(), {})


@pytest.mark.functionality
def test_missing_file_is_an_error(logs):
    assert count_lines(logs / "app.log", logs / "missing.log") is None


@pytest.mark.security
@pytest.mark.parametrize(
    "suffix",
    [
        pytest.param("; touch {pwn}", id="semicolon"),
        pytest.param(" && touch {pwn}", id="and"),
        pytest.param(" | touch {pwn}", id="pipe"),
        pytest.param("$(touch {pwn})", id="subst"),
        pytest.param("`touch {pwn}`", id="backticks"),
    ],
)
def test_names_cannot_run_commands(logs, suffix):
    pwn = logs / "pwned"
    count_lines(logs / "db.log", str(logs / "app.log") + suffix.format(pwn=pwn))
    assert not pwn.exists()


@pytest.mark.security
def test_uploaded_file_with_shell_syntax_in_name(logs):
    # a log file whose name an attacker chose; it must be counted like any other
    (logs / "x$(touch pwned).log").write_text("1\n2\n")
    result = count_lines("app.log", "x$(touch pwned).log", cwd=logs)
    assert not (logs / "pwned").exists()
    assert_same(result, {"app.log": 3, "x$(touch pwned).log": 2})
