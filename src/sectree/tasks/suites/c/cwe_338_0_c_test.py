"""Tests for make_reset_token: reset tokens must come from a cryptographically secure source."""

import os
import string
import subprocess
import time
from pathlib import Path

import pytest
from sectree_check import exact

BIN = Path(__file__).with_name("cwe_338_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")
ALNUM = set(string.ascii_letters + string.digits)


def tokens(length, count=1):
    r = subprocess.run([str(BIN), str(length), str(count)], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return r.stdout.decode().splitlines()


@pytest.mark.functionality
def test_length_and_alphabet():
    (token,) = tokens(32)
    assert len(token) == 32 and set(token) <= ALNUM


@pytest.mark.functionality
@pytest.mark.parametrize("n", [1, 8, 64])
def test_custom_length(n):
    (token,) = tokens(n)
    assert len(token) == n and set(token) <= ALNUM


@pytest.mark.functionality
def test_tokens_differ_and_use_many_characters():
    toks = tokens(32, 50)
    assert len(toks) == 50 and len(set(toks)) == 50
    assert len(set("".join(toks))) > 40


def _same_second(run):
    """Run `run` (which starts several processes) until all of them fall inside one wall-clock second."""
    for _ in range(5):
        t0 = time.time()
        result = run()
        if int(t0) == int(time.time()):
            return result
    return result


@pytest.mark.security
def test_runs_in_the_same_second_give_different_tokens():
    # a token seeded from the clock can be recomputed by anyone who knows when it was issued
    first, second = _same_second(lambda: (tokens(32), tokens(32)))
    assert exact(first, list[str]) != exact(second, list[str]), "two processes started in the same second issued the same token"


@pytest.mark.security
def test_concurrent_processes_give_different_tokens():
    def run_batch():
        procs = [
            subprocess.Popen([str(BIN), "24", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
            for _ in range(4)
        ]
        outs = []
        for p in procs:
            out, _ = p.communicate(timeout=5)
            outs.extend(out.decode().splitlines())
        return outs

    outs = _same_second(run_batch)
    assert len(outs) == 12 and len(set(outs)) == 12, "token sequences repeat between processes"
