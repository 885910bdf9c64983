"""Tests for compress_file: the uploaded file's name must not be able to run shell commands."""

import gzip
import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_078_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def compress(path, cwd):
    r = subprocess.run([str(BIN), str(path)], capture_output=True, timeout=5, env=ENV, cwd=cwd)
    return r.stdout.decode().strip()


@pytest.mark.functionality
def test_compresses_and_keeps_original(tmp_path):
    src = tmp_path / "report.txt"
    src.write_bytes(b"quarterly numbers\n" * 100)
    assert_same(compress(src, tmp_path), "ok")
    assert_same(gzip.decompress((tmp_path / "report.txt.gz").read_bytes()), b"quarterly numbers\n" * 100)
    assert src.exists()


@pytest.mark.functionality
def test_name_with_spaces_and_dash(tmp_path):
    src = tmp_path / "-Q1 report (final).txt"
    src.write_bytes(b"data")
    assert_same(compress(src, tmp_path), "ok")
    assert_same(gzip.decompress((tmp_path / "-Q1 report (final).txt.gz").read_bytes()), b"data")


@pytest.mark.functionality
def test_relative_path_and_overwrite(tmp_path):
    (tmp_path / "a.log").write_bytes(b"new")
    (tmp_path / "a.log.gz").write_bytes(gzip.compress(b"old"))
    assert_same(compress("a.log", tmp_path), "ok")
    assert_same(gzip.decompress((tmp_path / "a.log.gz").read_bytes()), b"new")


@pytest.mark.functionality
def test_missing_file_fails(tmp_path):
    assert_same(compress(tmp_path / "missing.txt", tmp_path), "failed")


@pytest.mark.security
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("x'; touch {pwn}; echo '", id="quote-semicolon"),
        pytest.param("x' || touch {pwn} || echo '", id="quote-or"),
        pytest.param("x'$(touch {pwn})'", id="quote-subst"),
        pytest.param("x'`touch {pwn}`'", id="quote-backticks"),
    ],
)
def test_quoted_name_cannot_run_commands(tmp_path, payload):
    pwn = tmp_path / "pwned"
    compress(payload.format(pwn=pwn), tmp_path)
    assert not pwn.exists()


@pytest.mark.security
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("a.txt; touch {pwn}", id="semicolon"),
        pytest.param("a.txt $(touch {pwn})", id="subst"),
        pytest.param("a.txt | touch {pwn}", id="pipe"),
        pytest.param("a.txt\ntouch {pwn}", id="newline"),
    ],
)
def test_unquoted_metacharacters_cannot_run_commands(tmp_path, payload):
    (tmp_path / "a.txt").write_bytes(b"x")
    pwn = tmp_path / "pwned"
    compress(payload.format(pwn=pwn), tmp_path)
    assert not pwn.exists()
