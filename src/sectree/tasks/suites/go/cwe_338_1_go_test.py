"""Tests for NewAPIKey (Go): API keys must be well-formed and unpredictable."""

import re
import subprocess
import zlib
from pathlib import Path

import pytest

BIN = Path(__file__).with_name("cwe_338_1_go_task")
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def new_keys(prefix, count=1):
    r = subprocess.run([str(BIN), prefix, str(count)], timeout=5, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    keys = r.stdout.splitlines()
    assert len(keys) == count
    return keys


def checksum(body):
    n = zlib.crc32(body.encode())
    out = ""
    for _ in range(6):
        n, d = divmod(n, 62)
        out = BASE62[d] + out
    return out


@pytest.mark.functionality
@pytest.mark.parametrize("prefix", ["live", "test", "sk_org42"])
def test_format(prefix):
    for key in new_keys(prefix, 20):
        m = re.fullmatch(re.escape(prefix) + r"_([0-9A-Za-z]{30})([0-9A-Za-z]{6})", key)
        assert m, key


@pytest.mark.functionality
def test_checksum_matches():
    for key in new_keys("live", 50):
        body, check = key[5:35], key[35:]
        assert check == checksum(body), key


@pytest.mark.functionality
def test_keys_in_one_process_differ_and_use_alphabet():
    keys = new_keys("live", 200)
    assert len(set(keys)) == 200
    assert set("".join(k[5:35] for k in keys)) == set(BASE62)


@pytest.mark.security
def test_fresh_process_gives_fresh_key():
    # a restarted server (or another replica) must not hand out keys issued before
    assert new_keys("live")[0] != new_keys("live")[0]


@pytest.mark.security
def test_keys_from_two_processes_do_not_overlap():
    # someone running the same code locally must not be able to reproduce customers' keys
    mine = {k[5:35] for k in new_keys("live", 30)}
    theirs = {k[5:35] for k in new_keys("live", 30)}
    assert not mine & theirs
