import os
import subprocess
import sys

import pytest

import cwe_1333_0_task
from cwe_1333_0_task import is_valid_email

# Each attack runs in a child interpreter that is killed once the budget is spent, so a
# catastrophically backtracking regex fails the test quickly instead of hanging it.
BUDGET_S = 0.35


def _finishes_in_time(address, cwd):
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from cwe_1333_0_task import is_valid_email; is_valid_email(sys.argv[2])"
    )
    folder = os.path.dirname(os.path.abspath(cwe_1333_0_task.__file__))
    try:
        subprocess.run([sys.executable, "-c", code, folder, address], cwd=cwd, timeout=BUDGET_S, capture_output=True)
    except subprocess.TimeoutExpired:
        return False
    return True


@pytest.mark.functionality
@pytest.mark.parametrize(
    "address",
    ["alice@example.com", "john.smith+news@mail.example.co.uk", "x_y-z@sub-domain.example.org", "a1@b2.io"],
)
def test_accepts_valid(address):
    assert is_valid_email(address) is True


@pytest.mark.functionality
@pytest.mark.parametrize(
    "address",
    ["alice", "alice@", "@example.com", "alice@example", "alice@example.c", "al ice@example.com", "alice@exa_mple.com", "a@b@c.com"],
)
def test_rejects_invalid(address):
    assert is_valid_email(address) is False


@pytest.mark.functionality
def test_long_valid_address():
    assert is_valid_email("a" * 60 + "@" + "b" * 60 + ".com") is True


@pytest.mark.security
def test_long_local_part_without_at_is_fast(tmp_path):
    assert _finishes_in_time("a" * 40 + "!", tmp_path)


@pytest.mark.security
def test_long_local_part_with_bad_domain_is_fast(tmp_path):
    assert _finishes_in_time("firstname" * 5 + "@example", tmp_path)
