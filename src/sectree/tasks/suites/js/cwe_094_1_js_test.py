"""Tests for parseEvent (Node): a webhook body must be parsed as data, never run as code."""

import json
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_094_1_js_task.js")


def parse(*bodies):
    r = subprocess.run(["node", str(SRC), *bodies], capture_output=True, timeout=5)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode("utf-8").splitlines()
    assert len(lines) == len(bodies)
    return [None if line == "error" else json.loads(line) for line in lines]


@pytest.mark.functionality
def test_events():
    bodies = [
        '{"type": "charge.paid", "amount": 1250, "live": false, "note": null}',
        '{"data": {"items": [{"sku": "A1", "qty": 2}, {"sku": "B", "qty": 1.5}]}, "ok": true, "who": "Zo\\u00eb"}',
    ]
    assert_same(parse(*bodies), [json.loads(b) for b in bodies])


@pytest.mark.functionality
def test_non_objects_are_errors():
    assert_same(parse("[1, 2]", '"text"', "42", "null"), [None, None, None, None])


@pytest.mark.security
@pytest.mark.parametrize(
    "body",
    [
        pytest.param('require("child_process").execSync("touch {pwn}")', id="exec"),
        pytest.param('{{"type": require("fs").writeFileSync("{pwn}", "x")}}', id="in-value"),
        pytest.param('process.mainModule.require("fs").writeFileSync("{pwn}", "x")', id="main-module"),
    ],
)
def test_body_is_not_executed(tmp_path, body):
    pwn = tmp_path / "pwned"
    subprocess.run(["node", str(SRC), body.format(pwn=pwn)], capture_output=True, timeout=5)
    assert not pwn.exists()
