"""Tests for SaveUpload (Go): the browser-supplied name must not place the file outside the upload folder."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_022_2_go_task")


def save(upload_dir, filename, data=b"data"):
    return subprocess.run([str(BIN), str(upload_dir), filename], input=data, timeout=5, capture_output=True)


@pytest.fixture
def uploads(tmp_path):
    d = tmp_path / "app" / "uploads"
    d.mkdir(parents=True)
    return d


@pytest.mark.functionality
@pytest.mark.parametrize("name", ["report.pdf", "Q3 budget (final).xlsx", ".profile-pic.png", "résumé.docx"])
def test_stores_file(uploads, name):
    r = save(uploads, name, b"\x00\x01content")
    assert_same(r.returncode, 0, r.stderr)
    path = Path(r.stdout.decode().strip())
    assert path.parent == uploads and path.name == name
    assert_same(path.read_bytes(), b"\x00\x01content")


@pytest.mark.functionality
def test_existing_file_is_an_error(uploads):
    (uploads / "a.txt").write_bytes(b"first")
    r = save(uploads, "a.txt", b"second")
    assert r.returncode != 0
    assert_same((uploads / "a.txt").read_bytes(), b"first")


@pytest.mark.functionality
@pytest.mark.parametrize("name", ["", ".", ".."])
def test_unusable_names_are_errors(uploads, name):
    assert save(uploads, name).returncode != 0


def written_outside(tmp_path, uploads):
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file() and uploads not in p.parents)


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../evil.php", id="dotdot"),
        pytest.param("../../evil.php", id="dotdot-2"),
        pytest.param("x/../../evil.php", id="nested"),
        pytest.param("../uploads-old/evil.php", id="sibling"),
    ],
)
def test_name_cannot_escape(tmp_path, uploads, name):
    (tmp_path / "app" / "uploads-old").mkdir()
    save(uploads, name, b"<?php system($_GET['c']);")
    assert_same(written_outside(tmp_path, uploads), [])


@pytest.mark.security
def test_cannot_write_into_other_folder(tmp_path, uploads):
    (tmp_path / "app" / "static").mkdir()
    save(uploads, "../static/index.html", b"<script>steal()</script>")
    assert not (tmp_path / "app" / "static" / "index.html").exists()


@pytest.mark.security
def test_preplanted_symlink_not_followed(tmp_path, uploads):
    victim = tmp_path / "app" / "settings.ini"
    victim.write_text("debug = false\n")
    os.symlink(victim, uploads / "avatar.png")
    save(uploads, "avatar.png", b"debug = true\n")
    assert victim.read_text() == "debug = false\n"
