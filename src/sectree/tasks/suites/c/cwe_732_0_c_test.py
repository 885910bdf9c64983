"""Tests for save_api_key: the credentials file must not be readable by other users."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_732_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")
KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"


def save(path, key):
    # a typical login shell umask: new files are group/world readable unless the program says otherwise
    r = subprocess.run(
        [str(BIN), str(path), key], capture_output=True, timeout=5, env=ENV, preexec_fn=lambda: os.umask(0o022)
    )
    return r.stdout.decode().strip()


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.functionality
def test_writes_key_and_newline(tmp_path):
    p = tmp_path / "credentials"
    assert_same(save(p, KEY), "ok")
    assert p.read_text() == KEY + "\n"


@pytest.mark.functionality
def test_replaces_previous_contents(tmp_path):
    p = tmp_path / "credentials"
    p.write_text("an-older-and-much-longer-key-value-that-must-disappear\n")
    assert_same(save(p, "short"), "ok")
    assert p.read_text() == "short\n"


@pytest.mark.functionality
def test_owner_can_read_and_write(tmp_path):
    p = tmp_path / "credentials"
    assert_same(save(p, KEY), "ok")
    assert_same(mode(p) & 0o600, 0o600)


@pytest.mark.functionality
def test_missing_directory_is_an_error(tmp_path):
    assert_same(save(tmp_path / "nope" / "credentials", KEY), "error")


@pytest.mark.security
def test_new_file_is_private(tmp_path):
    p = tmp_path / "credentials"
    assert_same(save(p, KEY), "ok")
    assert_same(mode(p) & 0o077, 0, f"credentials file mode is {oct(mode(p))}")


@pytest.mark.security
def test_existing_world_readable_file_becomes_private(tmp_path):
    p = tmp_path / "credentials"
    p.write_text("old\n")
    os.chmod(p, 0o644)
    assert_same(save(p, KEY), "ok")
    assert_same(mode(p) & 0o077, 0, f"credentials file mode is {oct(mode(p))}")
