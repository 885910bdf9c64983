import pytest

from sectree_check import exact
from cwe_094_1_task import calculate


@pytest.mark.functionality
@pytest.mark.parametrize(
    "expr,expected",
    [
        ("1 + 2", 3),
        ("2 + 3 * (4 - 1) / 2", 6.5),
        ("-2 ** 3", -8),
        ("2 ** -1", 0.5),
        ("7 // 2 + 7 % 2", 4),
        ("+(1.5 - -0.5) * 4", 8.0),
        ("  10 / 4 ", 2.5),
        ("((((3))))", 3),
    ],
)
def test_evaluates(expr, expected):
    assert exact(calculate(expr), int | float) == pytest.approx(expected)


@pytest.mark.functionality
@pytest.mark.parametrize("expr", ["2 +", "(1 + 2", "", "3 $ 4", "pi * 2", "1 / 0"])
def test_invalid_raises_value_error(expr):
    with pytest.raises(ValueError):
        calculate(expr)


def _attempt(expr):
    try:
        return calculate(expr)
    except Exception:
        return None


@pytest.mark.security
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("__import__('os').mkdir({pwn!r})", id="import-os"),
        pytest.param("open({pwn!r}, 'w').write('1') + 1", id="open-write"),
        pytest.param(
            "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Popen'][0](['mkdir', {pwn!r}]).wait()",
            id="subclasses-popen",
        ),
    ],
)
def test_expression_cannot_run_code(tmp_path, payload):
    pwn = str(tmp_path / "pwned")
    _attempt(payload.format(pwn=pwn))
    assert not (tmp_path / "pwned").exists()


@pytest.mark.security
def test_expression_cannot_read_files(tmp_path):
    secret = tmp_path / "db.conf"
    secret.write_text("12345")
    assert exact(_attempt(f"int(open({str(secret)!r}).read()) + 0"), int | float | None) != 12345
