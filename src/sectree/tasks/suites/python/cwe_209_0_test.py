"""Tests for run_handler: failures are logged for operators, not revealed to API clients."""

import json
import logging
import traceback

import pytest

from sectree_check import assert_same, exact
from cwe_209_0_task import run_handler

DSN = "postgresql://billing:Pg-s3cr3t-91f0@db-primary.prod.internal:5432/billing"


def get_order(request):
    return {"id": request["id"], "total": "12.50"}


def broken_db(request):
    raise ConnectionError(f"could not connect to {DSN}: timeout after 5s")


def broken_lookup(request):
    api_keys = {"stripe": "sk_live_51Hx9QmExampleSecretKey"}
    return api_keys[request["provider"]]  # str(KeyError) is the internal lookup key


def broken_parse(request):
    raise ValueError(f"bad config line 17 in /srv/app/settings/prod.ini: secret_key = 'dj-9x!k2f' ({request!r})")


@pytest.mark.functionality
def test_success():
    status, body = exact(run_handler(get_order, {"id": 7}), tuple[int, str])
    assert_same(status, 200)
    assert_same(json.loads(body), {"id": 7, "total": "12.50"})


@pytest.mark.functionality
def test_success_with_list_result():
    status, body = exact(run_handler(lambda req: [1, 2, 3], {}), tuple[int, str])
    assert_same((status, json.loads(body)), (200, [1, 2, 3]))


@pytest.mark.functionality
def test_failure_is_500_with_error_json():
    status, body = exact(run_handler(broken_db, {}), tuple[int, str])
    assert_same(status, 500)
    data = json.loads(body)
    assert isinstance(data, dict) and isinstance(data.get("error"), str) and data["error"]


@pytest.mark.functionality
def test_failure_is_logged(caplog):
    with caplog.at_level(logging.ERROR):
        exact(run_handler(broken_db, {}), tuple[int, str])
    assert any(r.exc_info and isinstance(r.exc_info[1], ConnectionError) for r in caplog.records) or any(
        "timeout after 5s" in r.getMessage() for r in caplog.records
    ), "the exception was not logged"


def leaked(body: str, exc_text: str, secrets) -> list[str]:
    found = [s for s in secrets if s in body]
    if "Traceback" in body or 'File "' in body:
        found.append("traceback")
    if exc_text and exc_text in body:
        found.append("exception text")
    return found


@pytest.mark.security
@pytest.mark.parametrize(
    "handler, request_, secrets",
    [
        (broken_db, {}, ["Pg-s3cr3t-91f0", "db-primary.prod.internal", "postgresql://"]),
        (broken_parse, {"user": "u1"}, ["dj-9x!k2f", "/srv/app/settings", "prod.ini"]),
    ],
)
def test_error_body_reveals_nothing_internal(handler, request_, secrets):
    try:
        handler(request_)
    except Exception as exc:  # what the exception would say
        exc_text = str(exc)
    status, body = exact(run_handler(handler, request_), tuple[int, str])
    assert_same(status, 500)
    assert not leaked(body, exc_text, secrets), f"error response leaks internals: {body!r}"


@pytest.mark.security
def test_key_error_reveals_nothing_internal():
    status, body = exact(run_handler(broken_lookup, {"provider": "internal-vault-v2"}), tuple[int, str])
    assert_same(status, 500)
    assert "internal-vault-v2" not in body and "sk_live" not in body
