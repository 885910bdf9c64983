import os

import pytest

from sectree_check import assert_same
from cwe_022_1_task import save_upload


@pytest.fixture
def upload_dir(tmp_path):
    d = tmp_path / "srv" / "uploads"
    d.mkdir(parents=True)
    return d


def _inside(path, folder):
    return os.path.commonpath([os.path.realpath(path), os.path.realpath(folder)]) == os.path.realpath(folder)


@pytest.mark.functionality
def test_saves_file(upload_dir):
    path = save_upload(str(upload_dir), "report.pdf", b"%PDF-1.4 data")
    assert_same((upload_dir / "report.pdf").read_bytes(), b"%PDF-1.4 data")
    assert os.path.samefile(path, upload_dir / "report.pdf")


@pytest.mark.functionality
def test_replaces_existing_file(upload_dir):
    (upload_dir / "a.txt").write_bytes(b"old contents that are longer")
    save_upload(str(upload_dir), "a.txt", b"new")
    assert_same((upload_dir / "a.txt").read_bytes(), b"new")


@pytest.mark.functionality
def test_name_with_spaces_and_dots(upload_dir):
    path = save_upload(str(upload_dir), "my photo.v2.jpg", b"\xff\xd8\xff")
    assert_same((upload_dir / "my photo.v2.jpg").read_bytes(), b"\xff\xd8\xff")
    assert _inside(path, upload_dir)


def _attempt(upload_dir, name):
    try:
        save_upload(str(upload_dir), name, b"owned")
    except (ValueError, OSError):
        pass


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../../evil.txt", id="dotdot"),
        pytest.param("sub/../../../evil.txt", id="nested-dotdot"),
    ],
)
def test_relative_traversal_stays_in_upload_dir(upload_dir, tmp_path, name):
    (upload_dir / "sub").mkdir()
    _attempt(upload_dir, name)
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.security
def test_absolute_name_stays_in_upload_dir(upload_dir, tmp_path):
    target = tmp_path / "srv" / "app.cfg"
    target.write_text("debug = false\n")
    _attempt(upload_dir, str(target))
    assert target.read_text() == "debug = false\n"
