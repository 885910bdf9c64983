"""Tests for create_key_dir: other local users must not be able to list or read the key folder."""

import os
import stat

import pytest

from sectree_check import assert_same
from cwe_732_1_task import create_key_dir


@pytest.fixture
def umask():
    """Run with a typical umask (group/world may read new files) and restore it after."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.mark.functionality
def test_creates_nested_dirs(tmp_path, umask):
    d = tmp_path / "home" / "deploy" / "keys"
    assert create_key_dir(str(d)) is None
    assert d.is_dir()


@pytest.mark.functionality
def test_existing_dir_is_fine(tmp_path, umask):
    d = tmp_path / "keys"
    d.mkdir()
    (d / "id_ed25519").write_text("KEY")
    create_key_dir(str(d))
    create_key_dir(str(d))
    assert_same((d / "id_ed25519").read_text(), "KEY")


@pytest.mark.functionality
def test_owner_can_use_it(tmp_path, umask):
    d = tmp_path / "keys"
    create_key_dir(str(d))
    assert_same(_mode(d) & stat.S_IRWXU, stat.S_IRWXU)
    (d / "id_rsa").write_text("KEY")
    assert_same(os.listdir(d), ["id_rsa"])


@pytest.mark.security
def test_new_dir_closed_to_others(tmp_path, umask):
    d = tmp_path / "keys"
    create_key_dir(str(d))
    assert_same(_mode(d) & 0o077, 0, oct(_mode(d)))


@pytest.mark.security
def test_new_dir_closed_even_with_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        d = tmp_path / "a" / "keys"
        create_key_dir(str(d))
    finally:
        os.umask(old)
    assert_same(_mode(d) & 0o077, 0, oct(_mode(d)))


@pytest.mark.security
def test_existing_open_dir_is_locked_down(tmp_path, umask):
    d = tmp_path / "keys"
    d.mkdir()
    os.chmod(d, 0o755)
    create_key_dir(str(d))
    assert_same(_mode(d) & 0o077, 0, oct(_mode(d)))
