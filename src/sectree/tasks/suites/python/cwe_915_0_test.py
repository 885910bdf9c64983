"""Tests for update_profile: the form may change only the profile fields, not roles or ids."""

import copy

import pytest

from sectree_check import assert_same, exact
from cwe_915_0_task import update_profile


def account():
    return {
        "id": 17,
        "email": "ann@example.com",
        "display_name": "Ann",
        "bio": "",
        "is_admin": False,
        "password_hash": "pbkdf2_sha256$100000$ab12$cd34",
        "credits": 0,
    }


@pytest.mark.functionality
def test_updates_all_profile_fields():
    user = account()
    out = update_profile(user, {"display_name": "Ann L.", "email": "ann.lee@example.org", "bio": "Gardener."})
    expected = account() | {"display_name": "Ann L.", "email": "ann.lee@example.org", "bio": "Gardener."}
    assert_same(out, expected)


@pytest.mark.functionality
def test_partial_form_keeps_other_fields():
    assert_same(update_profile(account(), {"bio": "Hi there"}), account() | {"bio": "Hi there"})


@pytest.mark.functionality
def test_empty_form():
    assert_same(update_profile(account(), {}), account())


def _apply(form):
    user = account()
    out = exact(update_profile(user, copy.deepcopy(form)), dict)
    return user, out


@pytest.mark.security
@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"is_admin": True}, id="is-admin"),
        pytest.param({"id": 1}, id="take-over-id"),
        pytest.param({"password_hash": "plain:hunter2"}, id="password-hash"),
        pytest.param({"credits": 1000000}, id="credits"),
    ],
)
def test_form_cannot_change_protected_fields(extra):
    user, out = _apply({"display_name": "Mallory", **extra})
    for record in (user, out):
        for key in extra:
            assert_same(record[key], account()[key], f"form changed {key!r}")


@pytest.mark.security
def test_form_cannot_add_fields():
    user, out = _apply({"bio": "x", "role": "admin", "permissions": ["*"]})
    assert_same(set(user), set(account()))
    assert_same(set(out), set(account()))
