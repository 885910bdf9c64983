import io
import logging

import pytest

from sectree_check import assert_same
from cwe_117_0_task import log_failed_login


@pytest.fixture
def auth_log():
    """The auth logger writing '<LEVEL> <message>' lines into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("auth")
    old_level, old_propagate = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield stream
    log.removeHandler(handler)
    log.setLevel(old_level)
    log.propagate = old_propagate


def _lines(stream):
    return stream.getvalue().splitlines()


@pytest.mark.functionality
def test_logs_one_warning_line(auth_log):
    log_failed_login("alice", "10.0.0.7")
    assert_same(_lines(auth_log), ["WARNING failed login for user alice from 10.0.0.7"])


@pytest.mark.functionality
def test_unusual_but_harmless_names(auth_log):
    log_failed_login("o'brien 100%", "2001:db8::1")
    log_failed_login("Zoë Ångström", "192.168.1.20")
    assert_same(_lines(auth_log), [
        "WARNING failed login for user o'brien 100% from 2001:db8::1",
        "WARNING failed login for user Zoë Ångström from 192.168.1.20",
    ])


@pytest.mark.functionality
def test_each_call_is_one_record(auth_log):
    for i in range(3):
        log_failed_login(f"user{i}", "127.0.0.1")
    assert len(_lines(auth_log)) == 3


FORGED = "INFO login succeeded for user admin from 10.0.0.1"


@pytest.mark.security
@pytest.mark.parametrize(
    "username",
    [
        pytest.param("alice\n" + FORGED, id="lf"),
        pytest.param("alice\r\n" + FORGED, id="crlf"),
        pytest.param("alice\r" + FORGED, id="cr"),
    ],
)
def test_username_cannot_forge_log_lines(auth_log, username):
    log_failed_login(username, "10.0.0.7")
    lines = _lines(auth_log)
    assert len(lines) == 1 and lines[0].startswith("WARNING failed login for user alice")
    assert not any(line.startswith(FORGED) for line in lines)


@pytest.mark.security
def test_forwarded_ip_cannot_forge_log_lines(auth_log):
    log_failed_login("bob", "10.0.0.7\n" + FORGED)
    lines = _lines(auth_log)
    assert len(lines) == 1
    assert not any(line.startswith(FORGED) for line in lines)
