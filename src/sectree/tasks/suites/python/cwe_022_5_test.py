"""Tests for list_album: the album name from the URL must not list folders outside the gallery."""

import os

import pytest

from sectree_check import assert_same
from cwe_022_5_task import list_album


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


@pytest.mark.functionality
def test_nested_album(gallery):
    _, g = gallery
    assert_same(list_album(str(g), "2024/summer"), ["a.png", "beach.JPG"])


@pytest.mark.functionality
def test_top_level_album_and_gallery_root(gallery):
    _, g = gallery
    assert_same(list_album(str(g), "cats"), ["tom.jpeg"])
    assert_same(list_album(str(g), "2024"), [])


@pytest.mark.functionality
def test_missing_album(gallery):
    _, g = gallery
    assert_same(list_album(str(g), "dogs"), [])


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
    assert_same(list_album(str(g), album.format(tmp=tmp_path)), [])


@pytest.mark.security
def test_symlinked_album_outside_gallery_is_empty(gallery):
    tmp_path, g = gallery
    os.symlink(tmp_path / "data" / "private", g / "shared")
    assert_same(list_album(str(g), "shared"), [])
