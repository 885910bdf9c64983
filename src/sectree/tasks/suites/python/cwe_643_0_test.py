"""Tests for get_account_role: user input must not change the meaning of the XPath query."""

import pytest
from lxml import etree

from sectree_check import assert_same, exact
from cwe_643_0_task import get_account_role

ACCOUNTS_XML = b"""<?xml version="1.0"?>
<accounts>
  <account name="root" token="f3a9c1d27be84e06a5d1" role="admin"/>
  <account name="ci-bot" token="0b7e55aa19c34d2f9e60" role="deployer"/>
  <account name="alice" token="7c2d9e41b0a6f8353c1e" role="developer"/>
  <account name="bob" token="e8f1a0b3c5d7926e4a11" role="viewer"/>
</accounts>
"""


@pytest.fixture
def accounts():
    return etree.fromstring(ACCOUNTS_XML)


@pytest.mark.functionality
@pytest.mark.parametrize(
    "name, token, role",
    [
        ("alice", "7c2d9e41b0a6f8353c1e", "developer"),
        ("root", "f3a9c1d27be84e06a5d1", "admin"),
        ("bob", "e8f1a0b3c5d7926e4a11", "viewer"),
    ],
)
def test_valid_credentials(accounts, name, token, role):
    assert_same(get_account_role(accounts, name, token), role)


@pytest.mark.functionality
@pytest.mark.parametrize(
    "name, token",
    [
        ("alice", "e8f1a0b3c5d7926e4a11"),  # bob's token
        ("mallory", "7c2d9e41b0a6f8353c1e"),
        ("alice", ""),
    ],
)
def test_invalid_credentials(accounts, name, token):
    assert exact(get_account_role(accounts, name, token), str | None) is None


@pytest.mark.functionality
def test_returns_plain_str(accounts):
    role = exact(get_account_role(accounts, "ci-bot", "0b7e55aa19c34d2f9e60"), str | None)
    assert type(role) is str and role == "deployer"


def lookup(accounts, name, token):
    try:
        return exact(get_account_role(accounts, name, token), str | None)
    except (ValueError, etree.XPathError):
        return None  # refusing odd input is fine


@pytest.mark.security
@pytest.mark.parametrize(
    "name, token",
    [
        ("root' or '1'='1", "wrong"),
        ("root", "x' or '1'='1"),
        ("' or @role='admin' or '", "x"),
        ("nobody", "x' or @name='root"),
        ("alice", "x' or not(@token='x"),
        ('root" or "1"="1', "wrong"),
    ],
)
def test_injection_does_not_authenticate(accounts, name, token):
    assert lookup(accounts, name, token) is None


@pytest.mark.security
def test_quotes_are_data(accounts):
    # a user name containing quotes is matched literally, never interpreted
    tree = etree.fromstring(b"""<accounts><account name="o'brien" token="t1" role="viewer"/>
        <account name="root" token="t0" role="admin"/></accounts>""")
    assert_same(lookup(tree, "o'brien", "t1"), "viewer")
    assert lookup(tree, "o'brien", "t0' or @role='admin") is None
