"""Tests for fill_record: a long action name must not overrun the fixed-size field."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_787_0_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")
FIELD = 32


def fill(user_id, action):
    r = subprocess.run([str(BIN), str(user_id), action], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    return r.stdout.decode()


@pytest.mark.functionality
@pytest.mark.parametrize("action", ["login", "delete_invoice", "", "export report 2024-Q1"])
def test_short_actions(action):
    assert_same(fill(42, action), f"user=42 action={action} flags=0\n")


@pytest.mark.functionality
def test_longest_action_that_fits():
    action = "a" * (FIELD - 1)
    assert_same(fill(7, action), f"user=7 action={action} flags=0\n")


@pytest.mark.functionality
def test_user_id_kept():
    assert_same(fill(4000000000, "logout"), "user=4000000000 action=logout flags=0\n")


@pytest.mark.security
@pytest.mark.parametrize("length", [FIELD, FIELD + 2])
def test_action_just_too_long_is_cut(length):
    action = "".join(chr(ord("a") + i % 26) for i in range(length))
    assert_same(fill(1, action), f"user=1 action={action[:FIELD - 1]} flags=0\n")


@pytest.mark.security
@pytest.mark.parametrize("length", [64, 1000])
def test_oversized_action_does_not_overflow(length):
    action = "X" * length
    assert_same(fill(9, action), f"user=9 action={'X' * (FIELD - 1)} flags=0\n")
