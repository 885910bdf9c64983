"""Tests for parse_event: a webhook body must be parsed as data, never run as code."""

import subprocess  # noqa: F401 (loads Popen, so the "subclasses" payload finds it on every run)

import pytest

from sectree_check import assert_same
from cwe_094_3_task import parse_event


@pytest.mark.functionality
def test_example_event():
    body = '{"type": "charge.paid", "amount": 1250, "live": false, "note": null}'
    assert_same(parse_event(body), {"type": "charge.paid", "amount": 1250, "live": False, "note": None})


@pytest.mark.functionality
def test_nested_event():
    body = '{"data": {"items": [{"sku": "A1", "qty": 2}, {"sku": "B", "qty": 1.5}]}, "ok": true, "who": "Zo\\u00eb"}'
    assert_same(parse_event(body), {"data": {"items": [{"sku": "A1", "qty": 2}, {"sku": "B", "qty": 1.5}]},
                                 "ok": True, "who": "Zoë"})


@pytest.mark.functionality
@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42"])
def test_non_object_rejected(body):
    with pytest.raises(ValueError):
        parse_event(body)


@pytest.mark.security
@pytest.mark.parametrize(
    "body",
    [
        pytest.param("__import__('os').system('touch {pwn}')", id="system"),
        pytest.param('{{"type": open("{pwn}", "w").name}}', id="open-in-value"),
        pytest.param('[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "Popen"][0](["touch", "{pwn}"]).wait()',
                     id="subclasses"),
    ],
)
def test_body_is_not_executed(tmp_path, body):
    pwn = tmp_path / "pwned"
    try:
        parse_event(body.format(pwn=pwn))
    except Exception:
        pass
    assert not pwn.exists()
