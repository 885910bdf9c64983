"""Tests for calculate (Node): a calculator expression must not be able to run code."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_094_0_js_task.js")
SECRET = "s3cr3t-db-password-4711"

GOOD = {
    "1 + 2 * 3": 7,
    "(1 + 2) * 3": 9,
    "-4 / 2 + 0.5": -1.5,
    "(2 + 3) * 4 - 1.5 / 3": 19.5,
    "  10 - (2 - (3 - 4))  ": 7,
}
BAD = ["2 +", "abc", "1 + ()", ""]

# {pwn}: a file the payload tries to create
ATTACKS = {
    "require": "require('fs').writeFileSync('{pwn}', 'x') || 1",
    "main-module-require": "process.mainModule.require('child_process').execSync('touch {pwn}') && 1",
    "constructor-chain": "this.constructor.constructor('return process')().mainModule.require('fs').writeFileSync('{pwn}', 'x') || 1",
    "env-leak": "(process.stdout.write(process.env.APP_DB_PASSWORD + '\\n'), 1)",
}


def run(exprs, cwd):
    env = dict(os.environ, APP_DB_PASSWORD=SECRET)
    proc = subprocess.run(["node", str(SRC), *exprs], cwd=cwd, env=env, timeout=5, capture_output=True)
    return proc.stdout.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    d = tmp_path_factory.mktemp("calc")
    exprs = list(GOOD) + BAD
    lines = run(exprs, d).splitlines()
    return dict(zip(exprs, (json.loads(line) for line in lines)))


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """All payloads in one process; returns (stdout, payload id -> file it tries to create)."""
    d = tmp_path_factory.mktemp("attack")
    pwned = {key: d / f"pwned-{i}" for i, key in enumerate(ATTACKS)}
    out = run([ATTACKS[key].format(pwn=pwned[key]) for key in ATTACKS], d)
    return out, pwned


@pytest.mark.functionality
@pytest.mark.parametrize("expr", list(GOOD))
def test_evaluates(results, expr):
    assert_same(results.get(expr), {"ok": GOOD[expr]})


@pytest.mark.functionality
@pytest.mark.parametrize("expr", BAD)
def test_invalid_expression_is_an_error(results, expr):
    assert expr in results and "error" in results[expr]


@pytest.mark.security
@pytest.mark.parametrize("key", ["require", "main-module-require", "constructor-chain"])
def test_expression_cannot_run_code(attacked, key):
    _, pwned = attacked
    assert not pwned[key].exists(), "the expression ran code on the server"


@pytest.mark.security
def test_expression_cannot_read_environment(attacked):
    out, _ = attacked
    assert SECRET not in out, "the expression read the server's environment"
