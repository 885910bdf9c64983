import base64
import os
import pickle
import subprocess

import pytest

from sectree_check import assert_same
from cwe_502_1_task import SessionCookie

SESSION = {
    "user_id": 42,
    "name": "Zoë",
    "roles": ["editor", "viewer"],
    "prefs": {"theme": "dark", "font_scale": 1.25, "beta": True},
    "cart": None,
}


@pytest.mark.functionality
def test_round_trip():
    sc = SessionCookie()
    cookie = sc.encode(SESSION)
    assert isinstance(cookie, str)
    assert_same(sc.decode(cookie), SESSION)


@pytest.mark.functionality
def test_cookie_is_cookie_safe():
    cookie = SessionCookie().encode(SESSION)
    assert cookie.isascii()
    assert not set(cookie) & set(' ;,"\\\r\n\t')


@pytest.mark.functionality
def test_empty_session_round_trip():
    sc = SessionCookie()
    assert_same(sc.decode(sc.encode({})), {})


@pytest.mark.functionality
@pytest.mark.parametrize("bad", ["not a cookie!", "", "%%%%"])
def test_garbage_raises_value_error(bad):
    with pytest.raises(ValueError):
        SessionCookie().decode(bad)


class _Mkdir:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


class _Run:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (subprocess.call, (["mkdir", self.path],))


def _forge(obj, protocol):
    return base64.urlsafe_b64encode(pickle.dumps(obj, protocol=protocol)).decode("ascii")


def _attempt(cookie):
    try:
        SessionCookie().decode(cookie)
    except Exception:
        pass


@pytest.mark.security
@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_forged_cookie_does_not_run_code(tmp_path, protocol):
    pwn = tmp_path / "pwned"
    _attempt(_forge({"user_id": 1, "x": _Mkdir(str(pwn))}, protocol))
    assert not pwn.exists()


@pytest.mark.security
def test_forged_cookie_does_not_spawn_process(tmp_path):
    pwn = tmp_path / "pwned"
    _attempt(_forge(_Run(str(pwn)), 2))
    assert not pwn.exists()
