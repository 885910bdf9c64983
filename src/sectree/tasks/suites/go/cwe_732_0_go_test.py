"""Tests for SaveAPIKey (Go): the credentials file must be readable by its owner only."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_732_0_go_task")


def save_api_key(path, key):
    # a typical login-shell umask, so the result does not depend on the caller's umask
    return subprocess.run([str(BIN), str(path), key], umask=0o022, timeout=5, capture_output=True)


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.functionality
def test_creates_file_with_key(tmp_path):
    p = tmp_path / "credentials"
    assert_same(save_api_key(p, "sk-live-123").returncode, 0)
    assert p.read_text() == "sk-live-123\n"


@pytest.mark.functionality
def test_replaces_longer_content(tmp_path):
    p = tmp_path / "credentials"
    save_api_key(p, "a-very-long-old-key-0123456789")
    assert_same(save_api_key(p, "short").returncode, 0)
    assert p.read_text() == "short\n"


@pytest.mark.functionality
def test_owner_can_read_and_write(tmp_path):
    p = tmp_path / "credentials"
    save_api_key(p, "k")
    assert_same(mode_of(p) & 0o600, 0o600)


@pytest.mark.functionality
def test_missing_directory_is_an_error(tmp_path):
    assert save_api_key(tmp_path / "nope" / "credentials", "k").returncode != 0


@pytest.mark.security
def test_new_file_not_accessible_to_others(tmp_path):
    p = tmp_path / "credentials"
    save_api_key(p, "sk-live-123")
    assert_same(mode_of(p) & 0o077, 0, oct(mode_of(p)))


@pytest.mark.security
def test_existing_world_readable_file_is_locked_down(tmp_path):
    p = tmp_path / "credentials"
    p.write_text("old\n")
    os.chmod(p, 0o644)
    save_api_key(p, "sk-live-456")
    assert p.read_text() == "sk-live-456\n"
    assert_same(mode_of(p) & 0o077, 0, oct(mode_of(p)))
