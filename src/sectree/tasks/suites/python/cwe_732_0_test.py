import os
import stat

import pytest

from sectree_check import assert_same
from cwe_732_0_task import save_api_key


@pytest.fixture
def umask():
    """Run with a typical umask (group/world may read new files) and restore it after."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.mark.functionality
def test_writes_key(tmp_path, umask):
    p = tmp_path / "credentials"
    assert save_api_key(str(p), "sk_test_51H8") is None
    assert p.read_text() == "sk_test_51H8\n"


@pytest.mark.functionality
def test_replaces_existing_contents(tmp_path, umask):
    p = tmp_path / "credentials"
    p.write_text("an-old-and-much-longer-key-value\n")
    save_api_key(str(p), "new")
    assert p.read_text() == "new\n"


@pytest.mark.functionality
def test_owner_can_read_and_write(tmp_path, umask):
    p = tmp_path / "credentials"
    save_api_key(str(p), "k1")
    assert _mode(p) & stat.S_IRUSR and _mode(p) & stat.S_IWUSR
    save_api_key(str(p), "k2")
    assert p.read_text() == "k2\n"


@pytest.mark.security
def test_new_file_not_readable_by_others(tmp_path, umask):
    p = tmp_path / "credentials"
    save_api_key(str(p), "sk_live_secret")
    assert_same(_mode(p) & 0o077, 0, oct(_mode(p)))


@pytest.mark.security
def test_new_file_private_even_with_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        p = tmp_path / "credentials"
        save_api_key(str(p), "sk_live_secret")
    finally:
        os.umask(old)
    assert_same(_mode(p) & 0o077, 0, oct(_mode(p)))


@pytest.mark.security
def test_existing_world_readable_file_is_locked_down(tmp_path, umask):
    p = tmp_path / "credentials"
    p.write_text("placeholder\n")
    os.chmod(p, 0o644)
    save_api_key(str(p), "sk_live_secret")
    assert_same(_mode(p) & 0o077, 0, oct(_mode(p)))
