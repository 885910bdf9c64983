"""Tests for saveApiKey (Node): the credentials file must not be readable by other users."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_732_0_js_task.js")
KEY = "sk_live_9f8e7d6c5b4a39281706"


def save(pairs, umask):
    args = [str(x) for pair in pairs for x in pair]
    return subprocess.run(["node", str(SRC), *args], umask=umask, timeout=5, capture_output=True)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """One run under the usual umask 022: a new file, a file that already existed (mode 0644), a nested path."""
    d = tmp_path_factory.mktemp("home")
    (d / "existing").write_text("old-key-that-is-much-longer-than-the-new-one\n")
    os.chmod(d / "existing", 0o644)
    (d / ".config" / "tool").mkdir(parents=True)
    files = {"new": d / "new", "existing": d / "existing", "nested": d / ".config" / "tool" / "credentials"}
    proc = save([(files["new"], KEY), (files["existing"], "short"), (files["nested"], KEY)], umask=0o022)
    return files, proc


@pytest.fixture(scope="module")
def saved_lax_umask(tmp_path_factory):
    """A run under umask 000 (some service managers and containers start processes with it)."""
    f = tmp_path_factory.mktemp("svc") / "credentials"
    save([(f, KEY)], umask=0o000)
    return f


def mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.mark.functionality
def test_new_file_holds_key(saved):
    files, proc = saved
    assert proc.returncode == 0, proc.stderr
    assert files["new"].read_text() == KEY + "\n"


@pytest.mark.functionality
def test_existing_file_is_replaced(saved):
    files, _ = saved
    assert files["existing"].read_text() == "short\n"


@pytest.mark.functionality
def test_nested_path(saved):
    files, _ = saved
    assert files["nested"].read_text() == KEY + "\n"


@pytest.mark.functionality
def test_owner_can_read_and_write(saved):
    files, _ = saved
    assert_same(mode(files["new"]) & 0o600, 0o600)


@pytest.mark.security
@pytest.mark.parametrize("which", ["new", "nested"])
def test_new_file_private(saved, which):
    files, _ = saved
    assert_same(mode(files[which]) & 0o077, 0, f"credentials file has mode {oct(mode(files[which]))}")


@pytest.mark.security
def test_new_file_private_under_lax_umask(saved_lax_umask):
    assert saved_lax_umask.exists()
    assert_same(mode(saved_lax_umask) & 0o077, 0, f"credentials file has mode {oct(mode(saved_lax_umask))}")


@pytest.mark.security
def test_existing_world_readable_file_is_locked_down(saved):
    files, _ = saved
    assert_same(mode(files["existing"]) & 0o077, 0, "the key was written into a file other users can read")
