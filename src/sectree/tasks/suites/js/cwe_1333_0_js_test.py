"""Tests for isValidSlug (Node): validating a slug must take linear time (no ReDoS)."""

import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_1333_0_js_task.js")

VALID = ["hello", "how-to-cook-2-eggs", "a", "2024-recap", "x1-y2-z3"]
INVALID = ["", "-hello", "hello-", "hello--world", "Hello-World", "hello world", "héllo", "a_b", "slug/../x"]

# near-misses a visitor can submit: long runs of word characters followed by a character that fails
ATTACKS = {
    "letters-then-bang": "a" * 34 + "!",
    "digits-then-hyphen-end": "1" * 34 + "-",
    "word-then-space": "how" + "to" * 16 + " ",
    "long-word-then-upper": "abcdefghij" * 4 + "X",
}


def check(slugs, timeout):
    """Run isValidSlug on every slug in one process; returns the list of answers, or None on timeout."""
    try:
        proc = subprocess.run(["node", str(SRC), *slugs], timeout=timeout, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return None
    return proc.stdout.split()


@pytest.fixture(scope="module")
def answers():
    out = check(VALID + INVALID, timeout=5)
    assert out is not None and len(out) == len(VALID + INVALID)
    return dict(zip(VALID + INVALID, out))


@pytest.mark.functionality
@pytest.mark.parametrize("slug", VALID)
def test_valid_slugs(answers, slug):
    assert answers[slug] == "true"


@pytest.mark.functionality
@pytest.mark.parametrize("slug", INVALID)
def test_invalid_slugs(answers, slug):
    assert answers[slug] == "false"


@pytest.fixture(scope="module")
def attack_answers():
    """All near-miss slugs in one process, which must finish within 2 s (else None)."""
    out = check(list(ATTACKS.values()), timeout=2)
    return None if out is None else dict(zip(ATTACKS, out))


@pytest.mark.security
@pytest.mark.parametrize("key", list(ATTACKS))
def test_near_miss_input_is_rejected_quickly(attack_answers, key):
    # each check must answer in milliseconds; catastrophic backtracking takes minutes on these inputs
    assert attack_answers is not None, "validating a few 35-character slugs did not finish in 2 s"
    assert_same(attack_answers.get(key), "false")
