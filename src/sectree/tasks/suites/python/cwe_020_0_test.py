"""Tests for parse_port: out-of-range values must be rejected, not passed on to bind()."""

import pytest

from sectree_check import assert_same, exact
from cwe_020_0_task import parse_port


@pytest.mark.functionality
@pytest.mark.parametrize("value, port", [("8080", 8080), ("443", 443), ("1", 1), ("65535", 65535), (" 5000\n", 5000)])
def test_valid(value, port):
    assert_same(parse_port(value), port)


@pytest.mark.functionality
@pytest.mark.parametrize("value", ["http", "", "80.5", "8o80", "80 80"])
def test_not_a_number(value):
    with pytest.raises(ValueError):
        parse_port(value)


@pytest.mark.functionality
def test_returns_int():
    assert type(parse_port("22")) is int


def accepted(value):
    try:
        return parse_port(value)
    except ValueError:
        return None


@pytest.mark.security
@pytest.mark.parametrize("value", ["0", "65536", "-1", "70000", "99999999999999999999", "-65535"])
def test_out_of_range_rejected(value):
    port = exact(accepted(value), int | None)
    if port is None:
        return
    # port 0 makes bind() pick a random port; others crash or wrap around later
    assert 1 <= port <= 65535, f"parse_port({value!r}) returned {port}"
