"""Tests for listAlbum (Node): the album name from the URL must not list folders outside the gallery."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_022_1_js_task.js")


@pytest.fixture
def gallery(tmp_path):
    g = tmp_path / "data" / "gallery"
    (g / "2024" / "summer").mkdir(parents=True)
    (g / "2024" / "summer" / "beach.JPG").write_bytes(b"j")
    (g / "2024" / "summer" / "a.png").write_bytes(b"p")
    (g / "2024" / "summer" / "notes.txt").write_text("n")
    (g / "2024" / "summer" / "raw.gif").mkdir()
    (g / "cats").mkdir()
    (g / "cats" / "tom.jpeg").write_bytes(b"j")
    private = tmp_path / "data" / "private"
    private.mkdir()
    (private / "passport.jpg").write_bytes(b"j")
    (tmp_path / "data" / "gallery-drafts").mkdir()
    (tmp_path / "data" / "gallery-drafts" / "unreleased.png").write_bytes(b"p")
    return tmp_path, g


def albums(gallery_dir, *names):
    r = subprocess.run(["node", str(SRC), str(gallery_dir), *names], capture_output=True, text=True, timeout=5)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == len(names)
    return [json.loads(line) for line in lines]


@pytest.mark.functionality
def test_albums(gallery):
    _, g = gallery
    assert_same(albums(g, "2024/summer", "cats", "2024", "dogs"), [["a.png", "beach.JPG"], ["tom.jpeg"], [], []])


@pytest.mark.security
@pytest.mark.parametrize(
    "album",
    [
        pytest.param("../private", id="dotdot"),
        pytest.param("cats/../../private", id="nested-dotdot"),
        pytest.param("../gallery-drafts", id="sibling-with-same-prefix"),
        pytest.param("{tmp}/data/private", id="absolute"),
    ],
)
def test_album_outside_gallery_is_empty(gallery, album):
    tmp_path, g = gallery
    assert_same(albums(g, album.format(tmp=tmp_path)), [[]])


@pytest.mark.security
def test_symlinked_album_outside_gallery_is_empty(gallery):
    tmp_path, g = gallery
    os.symlink(tmp_path / "data" / "private", g / "shared")
    assert_same(albums(g, "shared"), [[]])
