"""Tests for split_command: a line with too many words must not write past the words array."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_193_0_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")
MAX_WORDS = 8


def split(line):
    r = subprocess.run([str(BIN), line], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    lines = r.stdout.decode().split("\n")[:-1]
    if lines == ["TOO MANY"]:
        return None
    assert_same(lines[0], f"WORDS {len(lines) - 1}")
    assert all(w.startswith("[") and w.endswith("]") for w in lines[1:])
    return [w[1:-1] for w in lines[1:]]


@pytest.mark.functionality
@pytest.mark.parametrize(
    "line,words",
    [
        ("user add alice", ["user", "add", "alice"]),
        ("  restart   web-1  ", ["restart", "web-1"]),
        ("status", ["status"]),
        ("", []),
        ("     ", []),
    ],
)
def test_splits_words(line, words):
    assert_same(split(line), words)


@pytest.mark.functionality
def test_max_words():
    words = [f"w{i}" for i in range(MAX_WORDS)]
    assert_same(split(" ".join(words)), words)


@pytest.mark.functionality
def test_max_words_with_trailing_spaces():
    words = ["set", "quota", "alice", "10", "GB", "on", "disk", "2"]
    assert_same(split(" ".join(words) + "    "), words)


@pytest.mark.security
@pytest.mark.parametrize("n", [MAX_WORDS + 1, MAX_WORDS + 2, 40])
def test_too_many_words_rejected(n):
    assert split(" ".join(f"arg{i}" for i in range(n))) is None
