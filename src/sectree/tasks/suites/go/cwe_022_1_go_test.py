"""Tests for InstallTheme (Go): entries of an uploaded zip must stay inside the themes folder."""

import os
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_022_1_go_task")


def make_zip(path, entries):
    """entries: (name, data) for files, (name/, None) for directories, (name, ("link", target)) for symlinks."""
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries:
            if isinstance(data, tuple):
                info = zipfile.ZipInfo(name)
                info.create_system = 3
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                z.writestr(info, data[1])
            elif data is None:
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
                z.writestr(info, b"")
            else:
                z.writestr(name, data)
    return path


def install(zip_path, themes):
    return subprocess.run([str(BIN), str(zip_path), str(themes)], timeout=5, capture_output=True, text=True)


@pytest.fixture
def themes(tmp_path):
    d = tmp_path / "site" / "themes"
    d.mkdir(parents=True)
    return d


@pytest.mark.functionality
def test_extracts_files_and_directories(tmp_path, themes):
    z = make_zip(tmp_path / "dark.zip", [
        ("dark/", None),
        ("dark/theme.json", b'{"name": "dark"}'),
        ("dark/css/main.css", b"body { background: #000 }"),
        ("dark/fonts/", None),
    ])
    r = install(z, themes)
    assert_same(r.returncode, 0, r.stderr)
    assert_same(r.stdout.splitlines(), ["dark/theme.json", "dark/css/main.css"])
    assert_same((themes / "dark" / "theme.json").read_bytes(), b'{"name": "dark"}')
    assert_same((themes / "dark" / "css" / "main.css").read_bytes(), b"body { background: #000 }")
    assert (themes / "dark" / "fonts").is_dir()


@pytest.mark.functionality
def test_inner_dotdot_that_stays_inside(tmp_path, themes):
    z = make_zip(tmp_path / "t.zip", [("light/img/../readme.txt", b"hi")])
    r = install(z, themes)
    assert_same(r.returncode, 0, r.stderr)
    assert_same((themes / "light" / "readme.txt").read_bytes(), b"hi")


@pytest.mark.functionality
def test_symlink_entries_skipped(tmp_path, themes):
    z = make_zip(tmp_path / "t.zip", [("blue/link", ("link", "/etc/hostname")), ("blue/a.txt", b"a")])
    r = install(z, themes)
    assert_same(r.returncode, 0, r.stderr)
    assert_same(r.stdout.splitlines(), ["blue/a.txt"])
    assert not os.path.lexists(themes / "blue" / "link")


@pytest.mark.functionality
def test_relative_themes_dir(tmp_path, themes):
    z = make_zip(tmp_path / "t.zip", [("red/a.txt", b"a")])
    r = subprocess.run([str(BIN), str(z), "."], cwd=themes, timeout=5, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert_same((themes / "red" / "a.txt").read_bytes(), b"a")


@pytest.mark.functionality
def test_not_a_zip(tmp_path, themes):
    p = tmp_path / "t.zip"
    p.write_bytes(b"PK but not really a zip file")
    assert install(p, themes).returncode != 0


def outside_files(tmp_path, themes):
    return sorted(
        str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")
        if p.is_file() and themes not in p.parents and p.suffix != ".zip"
    )


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../evil.txt", id="dotdot"),
        pytest.param("../../evil.txt", id="dotdot-2"),
        pytest.param("green/../../../evil.txt", id="nested"),
        pytest.param("../themes-backup/evil.txt", id="sibling-prefix"),
    ],
)
def test_entry_cannot_escape(tmp_path, themes, name):
    z = make_zip(tmp_path / "evil.zip", [("green/ok.txt", b"ok"), (name, b"PWNED")])
    install(z, themes)
    assert_same(outside_files(tmp_path, themes), [])


@pytest.mark.security
def test_entry_cannot_overwrite_site_file(tmp_path, themes):
    config = tmp_path / "site" / "config.php"
    config.write_text("<?php $debug = false;")
    z = make_zip(tmp_path / "evil.zip", [("../config.php", b"<?php system($_GET['c']);")])
    install(z, themes)
    assert config.read_text() == "<?php $debug = false;"
