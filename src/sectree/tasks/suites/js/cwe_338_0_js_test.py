"""Tests for generateResetToken (Node): reset tokens must not come from a predictable generator."""

import string
import subprocess
from pathlib import Path

import pytest

SRC = Path(__file__).with_name("cwe_338_0_js_task.js")
ALNUM = set(string.ascii_letters + string.digits)

# Preloaded before the program: Math.random() replays the same sequence in every run, as it does for an
# attacker who has recovered the xorshift128+ state of V8's Math.random (a few observed outputs suffice).
SEEDED_MATH_RANDOM = """
let s = 0x2545f491;
Math.random = function () {
  s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
  return s / 4294967296;
};
"""
CONSTANT_MATH_RANDOM = "Math.random = () => 0.4242;\n"


def tokens(*args, preload=None):
    cmd = ["node"]
    if preload is not None:
        cmd += ["--require", str(preload)]
    proc = subprocess.run(cmd + [str(SRC), *map(str, args)], timeout=5, capture_output=True, text=True)
    return proc.stdout.splitlines()


@pytest.fixture(scope="module")
def out():
    """One process: a default-length token, three of length 64, one of length 1, then 50 of length 32."""
    return tokens("default", 64, 64, 64, 1, *[32] * 50)


@pytest.mark.functionality
def test_default_length_and_alphabet(out):
    assert len(out) == 55 and len(out[0]) == 32 and set(out[0]) <= ALNUM


@pytest.mark.functionality
@pytest.mark.parametrize("i, n", [(1, 64), (2, 64), (3, 64), (4, 1)])
def test_custom_length(out, i, n):
    assert len(out) == 55 and len(out[i]) == n and set(out[i]) <= ALNUM


@pytest.mark.functionality
def test_tokens_differ_and_use_the_whole_alphabet(out):
    many = out[5:]
    assert len(many) == 50 and all(len(t) == 32 and set(t) <= ALNUM for t in many)
    assert len(set(many)) == 50
    assert len(set("".join(many))) > 55


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    """Two runs with the same known Math.random sequence, two tokens each."""
    pre = tmp_path_factory.mktemp("preload") / "seeded_random.js"
    pre.write_text(SEEDED_MATH_RANDOM)
    return tokens(32, 32, preload=pre), tokens(32, 32, preload=pre)


@pytest.mark.security
def test_token_not_replayable_from_known_generator_state(replayed):
    first, second = replayed
    assert len(first) == 2 and len(second) == 2
    assert first != second, "the same Math.random state gave the same tokens: an attacker can predict them"


@pytest.mark.security
def test_token_not_derived_from_math_random(tmp_path):
    pre = tmp_path / "constant_random.js"
    pre.write_text(CONSTANT_MATH_RANDOM)
    two = tokens(32, 32, preload=pre)
    assert len(two) == 2
    assert two[0] != two[1] and len(set(two[0])) > 4, "tokens follow Math.random(), which is not a CSPRNG"
