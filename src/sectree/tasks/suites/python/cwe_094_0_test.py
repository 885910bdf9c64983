import pytest

from sectree_check import assert_same, exact
from cwe_094_0_task import parse_setting


@pytest.mark.functionality
@pytest.mark.parametrize(
    "text,expected",
    [
        ("42", 42),
        ("-3.5", -3.5),
        ("'debug'", "debug"),
        ('"utf-8"', "utf-8"),
        ("True", True),
        ("None", None),
        ("[1, 2, 3]", [1, 2, 3]),
        ("(8080, 8443)", (8080, 8443)),
        ("{'retries': 3, 'hosts': ['a', 'b']}", {"retries": 3, "hosts": ["a", "b"]}),
        ("  {'nested': {'x': [1.5, False]}}\n", {"nested": {"x": [1.5, False]}}),
    ],
)
def test_parses_literals(text, expected):
    assert_same(parse_setting(text), expected)


@pytest.mark.functionality
@pytest.mark.parametrize("text", ["[1, 2", "debug", "{'a': }", ""])
def test_invalid_text_raises_value_error(text):
    with pytest.raises(ValueError):
        parse_setting(text)


def _attempt(text):
    try:
        return parse_setting(text)
    except Exception:
        return None


@pytest.mark.security
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("__import__('os').mkdir({pwn!r})", id="import-os"),
        pytest.param("open({pwn!r}, 'w').write('owned')", id="open-write"),
        pytest.param("[__import__('pathlib').Path({pwn!r}).touch(), 1][1]", id="in-list"),
    ],
)
def test_setting_cannot_run_code(tmp_path, payload):
    pwn = str(tmp_path / "pwned")
    _attempt(payload.format(pwn=pwn))
    assert not (tmp_path / "pwned").exists()


@pytest.mark.security
def test_setting_cannot_read_files(tmp_path):
    secret = tmp_path / "secret.env"
    secret.write_text("AWS_SECRET=abc123")
    # a scalar or None: str() of anything else could run the candidate's own __str__
    result = exact(_attempt(f"open({str(secret)!r}).read()"), str | bytes | int | float | bool | None)
    assert "abc123" not in str(result)
