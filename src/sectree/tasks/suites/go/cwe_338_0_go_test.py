"""Tests for NewRecoveryCode (Go): recovery codes must not be predictable from run to run."""

import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_338_0_go_task")
ALPHABET = set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")


def codes(n, count=1):
    r = subprocess.run([str(BIN), str(n), str(count)], timeout=5, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert len(out) == count
    return out


@pytest.mark.functionality
@pytest.mark.parametrize("n", [1, 8, 16, 64])
def test_length_and_alphabet(n):
    for code in codes(n, 5):
        assert len(code) == n and set(code) <= ALPHABET


@pytest.mark.functionality
def test_codes_in_one_process_differ():
    batch = codes(12, 200)
    assert len(set(batch)) == 200


@pytest.mark.functionality
def test_uses_whole_alphabet():
    assert_same(set("".join(codes(32, 100))), ALPHABET)


@pytest.mark.security
@pytest.mark.parametrize("n", [8, 16])
def test_fresh_process_gives_fresh_code(n):
    # a server restart (or a second worker process) must not hand out the same codes again
    first, second = codes(n)[0], codes(n)[0]
    assert first != second


@pytest.mark.security
def test_batches_from_two_processes_do_not_overlap():
    # an attacker who runs the same binary locally must not learn the codes a server will issue
    mine = set(codes(10, 50))
    theirs = set(codes(10, 50))
    assert not mine & theirs
