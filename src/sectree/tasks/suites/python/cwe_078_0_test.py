import pytest

from sectree_check import assert_same
from cwe_078_0_task import search_log

LOG = (
    "2024-05-01 10:00:01 INFO user login ok: alice\n"
    "2024-05-01 10:00:07 WARN disk usage 91%\n"
    "2024-05-01 10:01:13 INFO user login ok: bob\n"
    "2024-05-01 10:02:00 ERROR payment failed [order=17]\n"
)


@pytest.fixture
def log_file(tmp_path):
    p = tmp_path / "app.log"
    p.write_text(LOG)
    return p


@pytest.mark.functionality
def test_matching_lines(log_file):
    assert_same(search_log("user login", str(log_file)), [
        "2024-05-01 10:00:01 INFO user login ok: alice",
        "2024-05-01 10:01:13 INFO user login ok: bob",
    ])


@pytest.mark.functionality
def test_pattern_is_literal(log_file):
    assert_same(search_log("[order=17]", str(log_file)), ["2024-05-01 10:02:00 ERROR payment failed [order=17]"])
    assert_same(search_log("91%", str(log_file)), ["2024-05-01 10:00:07 WARN disk usage 91%"])


@pytest.mark.functionality
def test_no_match(log_file):
    assert_same(search_log("CRITICAL", str(log_file)), [])


def _attempt(pattern, log_file):
    try:
        search_log(pattern, log_file)
    except Exception:
        pass


@pytest.mark.security
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("x' /dev/null; touch {pwn}; echo '", id="quote-semicolon"),
        pytest.param("x' /dev/null || touch {pwn} || echo '", id="quote-or"),
        pytest.param("'$(touch {pwn})'", id="quote-subst"),
    ],
)
def test_pattern_cannot_run_commands(tmp_path, log_file, payload):
    pwn = tmp_path / "pwned"
    _attempt(payload.format(pwn=pwn), str(log_file))
    assert not pwn.exists()


@pytest.mark.security
@pytest.mark.parametrize(
    "suffix",
    [
        pytest.param("; touch {pwn}", id="semicolon"),
        pytest.param(" $(touch {pwn})", id="subst"),
        pytest.param(" `touch {pwn}`", id="backticks"),
        pytest.param(" | touch {pwn}", id="pipe"),
    ],
)
def test_file_name_cannot_run_commands(tmp_path, log_file, suffix):
    pwn = tmp_path / "pwned"
    _attempt("INFO", str(log_file) + suffix.format(pwn=pwn))
    assert not pwn.exists()
