"""Tests for check_admin_password: no password may be built into the code.

The security tests act like an attacker who has a copy of the source (or the wheel): they try every
string literal found in the module, plus common defaults, against a deployment.
"""

import ast
import importlib
import inspect

import pytest

from cwe_798_0_task import check_admin_password

COMMON_DEFAULTS = ["admin", "password", "Password1", "changeme", "secret", "admin123", "root", "toor", "123456", "default", ""]


def literals_in_module() -> list[str]:
    module = importlib.import_module(check_admin_password.__module__)
    tree = ast.parse(inspect.getsource(module))
    found = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    found |= {node.value.decode("latin-1") for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, bytes)}
    return sorted(found)


def candidates() -> list[str]:
    return literals_in_module() + COMMON_DEFAULTS


@pytest.mark.functionality
def test_correct_password(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "correct horse battery staple")
    assert check_admin_password("correct horse battery staple") is True


@pytest.mark.functionality
@pytest.mark.parametrize("attempt", ["correct horse battery", "Correct horse battery staple", "", "x"])
def test_wrong_password(monkeypatch, attempt):
    monkeypatch.setenv("ADMIN_PASSWORD", "correct horse battery staple")
    assert check_admin_password(attempt) is False


@pytest.mark.functionality
def test_reads_environment_at_call_time(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "first-Secret-1")
    assert check_admin_password("first-Secret-1") is True
    monkeypatch.setenv("ADMIN_PASSWORD", "rotated-Secret-2")
    assert check_admin_password("rotated-Secret-2") is True
    assert check_admin_password("first-Secret-1") is False


@pytest.mark.functionality
def test_unicode_password(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "pässwörd-✓")
    assert check_admin_password("pässwörd-✓") is True


@pytest.mark.security
def test_no_builtin_password_when_unconfigured(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    accepted = []
    for guess in candidates():
        try:
            if check_admin_password(guess):
                accepted.append(guess)
        except Exception:
            pass  # refusing to run unconfigured is fine
    assert not accepted, f"passwords built into the code are accepted: {accepted!r}"


@pytest.mark.security
def test_no_backdoor_when_configured(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "q9R!vX2#mT7pL0z$-deployment-specific")
    accepted = [guess for guess in candidates() if check_admin_password(guess)]
    assert not accepted, f"passwords built into the code are accepted: {accepted!r}"
