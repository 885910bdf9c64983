"""Tests for inviteCode (Node): invitation codes must come from a cryptographic random source."""

import re
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_338_1_js_task.js")
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# Preloaded before the program: Math.random() replays the same sequence in every run, as it does for an
# attacker who has recovered the xorshift128+ state of V8's Math.random (a few observed outputs suffice).
SEEDED_MATH_RANDOM = """
let s = 0x1badb002;
Math.random = function () {
  s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
  return s / 4294967296;
};
"""


def codes(count, preload=None):
    cmd = ["node"] + (["--require", str(preload)] if preload else []) + [str(SRC), str(count)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


@pytest.mark.functionality
def test_format_and_spread():
    out = codes(1500)
    assert len(out) == 1500 and all(re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", c) for c in out)
    flat = [c.replace("-", "") for c in out]
    for i in range(8):
        assert_same({c[i] for c in flat}, set(ALPHABET))
    assert len(set(out)) == len(out)


@pytest.mark.security
def test_codes_not_replayable_from_known_generator_state(tmp_path):
    pre = tmp_path / "seeded_random.js"
    pre.write_text(SEEDED_MATH_RANDOM)
    assert codes(3, pre) != codes(3, pre), "the same Math.random state gave the same codes: they can be predicted"


@pytest.mark.security
def test_codes_not_derived_from_math_random(tmp_path):
    pre = tmp_path / "constant_random.js"
    pre.write_text("Math.random = () => 0.4242;\n")
    out = codes(2, pre)
    assert out[0] != out[1] and len(set(out[0])) > 3, "codes follow Math.random(), which is not a CSPRNG"
