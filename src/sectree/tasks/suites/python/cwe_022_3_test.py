"""Tests for unpack_upload: member names must not place files outside the destination (zip slip)."""

import os
import zipfile

import pytest

from sectree_check import assert_same
from cwe_022_3_task import unpack_upload


def make_zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name), data)
    return path


@pytest.fixture
def dest(tmp_path):
    d = tmp_path / "site" / "uploads" / "u17"
    d.mkdir(parents=True)
    return d


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


@pytest.mark.functionality
def test_extracts_nested_files(tmp_path, dest):
    z = make_zip(tmp_path / "in.zip", [("readme.txt", b"hello"), ("img/", b""), ("img/a.png", b"\x89PNG"), ("docs/x/y.md", b"# y")])
    names = unpack_upload(str(z), str(dest))
    assert_same(sorted(names), ["docs/x/y.md", "img/a.png", "readme.txt"])
    assert_same((dest / "readme.txt").read_bytes(), b"hello")
    assert_same((dest / "img" / "a.png").read_bytes(), b"\x89PNG")
    assert_same((dest / "docs" / "x" / "y.md").read_text(), "# y")


@pytest.mark.functionality
def test_empty_archive(tmp_path, dest):
    z = make_zip(tmp_path / "empty.zip", [])
    assert_same(unpack_upload(str(z), str(dest)), [])


@pytest.mark.functionality
def test_overwrites_previous_upload(tmp_path, dest):
    (dest / "notes.txt").write_text("old")
    z = make_zip(tmp_path / "in.zip", [("notes.txt", b"new")])
    assert_same(unpack_upload(str(z), str(dest)), ["notes.txt"])
    assert_same((dest / "notes.txt").read_text(), "new")


@pytest.mark.functionality
def test_harmless_dots_in_names(tmp_path, dest):
    z = make_zip(tmp_path / "in.zip", [("a/../b.txt", b"b"), ("v1..2.txt", b"v")])
    unpack_upload(str(z), str(dest))
    assert_same((dest / "b.txt").read_bytes(), b"b")
    assert_same((dest / "v1..2.txt").read_bytes(), b"v")


def _attempt(z, dest):
    try:
        unpack_upload(str(z), str(dest))
    except Exception:
        pass


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../../evil.txt", id="dotdot"),
        pytest.param("img/../../../evil.txt", id="nested-dotdot"),
        pytest.param("../u17-evil/evil.txt", id="sibling-prefix"),
    ],
)
def test_relative_escape_blocked(tmp_path, dest, name):
    z = make_zip(tmp_path / "evil.zip", [("ok.txt", b"ok"), (name, b"PWNED")])
    _attempt(z, dest)
    outside = [p for p in files_under(tmp_path) if not p.startswith(os.path.relpath(dest, tmp_path) + os.sep)]
    assert_same(outside, ["evil.zip"], f"files written outside the destination: {outside}")


@pytest.mark.security
def test_absolute_name_blocked(tmp_path, dest):
    target = tmp_path / "etc" / "cron.d" / "job"
    z = make_zip(tmp_path / "evil.zip", [(str(target), b"* * * * * root sh")])
    _attempt(z, dest)
    assert not target.exists()


@pytest.mark.security
def test_cannot_overwrite_app_files(tmp_path, dest):
    app = tmp_path / "site" / "app.py"
    app.write_text("print('app')")
    z = make_zip(tmp_path / "evil.zip", [("../../app.py", b"import os; os.system('id')")])
    _attempt(z, dest)
    assert app.read_text() == "print('app')"
