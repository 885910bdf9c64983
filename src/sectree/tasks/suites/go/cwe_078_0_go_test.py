"""Tests for ListArchive (Go): the archive path must never reach a shell."""

import io
import subprocess
import tarfile
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_078_0_go_task")
MEMBERS = {"theme/readme.txt": b"hello\n", "theme/css/site.css": b"body{}\n", "LICENSE": b"MIT\n"}


def list_archive(path, cwd=None):
    return subprocess.run([str(BIN), str(path)], cwd=cwd, timeout=5, capture_output=True, text=True)


def make_tar(path, mode):
    with tarfile.open(path, mode) as tar:
        for name, data in MEMBERS.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.functionality
@pytest.mark.parametrize("name,mode", [("site.tar", "w"), ("site.tar.gz", "w:gz")])
def test_lists_entries_in_order(tmp_path, name, mode):
    r = list_archive(make_tar(tmp_path / name, mode))
    assert_same(r.returncode, 0)
    assert_same(r.stdout.splitlines(), list(MEMBERS))


@pytest.mark.functionality
def test_missing_archive_is_an_error(tmp_path):
    r = list_archive(tmp_path / "missing.tar")
    assert r.returncode != 0 and r.stdout == ""


@pytest.mark.functionality
def test_not_an_archive_is_an_error(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("just some text, not a tar archive\n" * 50)
    assert list_archive(p).returncode != 0


@pytest.mark.security
@pytest.mark.parametrize(
    "suffix",
    [
        pytest.param("; touch {pwn}", id="semicolon"),
        pytest.param(" && touch {pwn}", id="and"),
        pytest.param(" | touch {pwn}", id="pipe"),
        pytest.param("$(touch {pwn})", id="subst"),
        pytest.param("`touch {pwn}`", id="backticks"),
        pytest.param("\ntouch {pwn}", id="newline"),
    ],
)
def test_path_cannot_run_commands(tmp_path, suffix):
    archive = make_tar(tmp_path / "site.tar", "w")
    pwn = tmp_path / "pwned"
    list_archive(str(archive) + suffix.format(pwn=pwn))
    assert not pwn.exists()


@pytest.mark.security
def test_file_name_with_shell_syntax_is_just_a_name(tmp_path):
    # an uploaded archive whose stored name contains shell syntax (run from its folder)
    pwn = tmp_path / "pwned"
    make_tar(tmp_path / "x$(touch pwned).tar", "w")
    r = list_archive("x$(touch pwned).tar", cwd=tmp_path)
    assert not pwn.exists()
    assert r.returncode == 0 and r.stdout.splitlines() == list(MEMBERS)
