import io
import os
import tarfile

import pytest

from sectree_check import assert_same
from cwe_022_2_task import install_theme


def _make_tar(path, entries, mode="w:gz"):
    """entries: list of (name, bytes) for files, (name, None) for dirs, (name, ('sym', target)) for symlinks."""
    with tarfile.open(path, mode) as tar:
        for name, content in entries:
            info = tarfile.TarInfo(name)
            if content is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            elif isinstance(content, tuple):
                info.type = tarfile.SYMTYPE
                info.linkname = content[1]
                tar.addfile(info)
            else:
                info.size = len(content)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(content))
    return str(path)


@pytest.fixture
def themes(tmp_path):
    d = tmp_path / "site" / "themes"
    d.mkdir(parents=True)
    return d


@pytest.mark.functionality
def test_installs_files_and_dirs(tmp_path, themes):
    archive = _make_tar(
        tmp_path / "dark.tar.gz",
        [
            ("dark", None),
            ("dark/css", None),
            ("dark/css/main.css", b"body { color: #eee; }"),
            ("dark/theme.json", b'{"name": "dark"}'),
        ],
    )
    names = install_theme(archive, str(themes))
    assert_same(names, ["dark/css/main.css", "dark/theme.json"])
    assert_same((themes / "dark" / "css" / "main.css").read_bytes(), b"body { color: #eee; }")
    assert_same((themes / "dark" / "theme.json").read_bytes(), b'{"name": "dark"}')


@pytest.mark.functionality
def test_plain_tar_without_dir_entries(tmp_path, themes):
    archive = _make_tar(tmp_path / "light.tar", [("light/img/logo.svg", b"<svg/>"), ("light/README", b"hi")], mode="w")
    assert_same(install_theme(archive, str(themes)), ["light/README", "light/img/logo.svg"])
    assert_same((themes / "light" / "img" / "logo.svg").read_bytes(), b"<svg/>")


@pytest.mark.functionality
def test_symlinks_are_ignored(tmp_path, themes):
    archive = _make_tar(tmp_path / "t.tar.gz", [("t/a.txt", b"a"), ("t/link", ("sym", "a.txt"))])
    assert_same(install_theme(archive, str(themes)), ["t/a.txt"])
    assert not os.path.lexists(themes / "t" / "link")


@pytest.mark.functionality
def test_not_an_archive(tmp_path, themes):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"this is not a tarball")
    with pytest.raises(ValueError):
        install_theme(str(bogus), str(themes))


def _attempt(archive, themes):
    try:
        install_theme(archive, str(themes))
    except (ValueError, OSError):
        pass


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../../evil.txt", id="dotdot"),
        pytest.param("theme/../../../evil.txt", id="nested-dotdot"),
    ],
)
def test_relative_member_cannot_escape(tmp_path, themes, name):
    archive = _make_tar(tmp_path / "x.tar.gz", [("theme/ok.css", b"ok"), (name, b"pwned")])
    _attempt(archive, themes)
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.security
def test_absolute_member_cannot_escape(tmp_path, themes):
    victim = tmp_path / "site" / "config.py"
    victim.write_text("SECRET_KEY = 'abc'\n")
    archive = _make_tar(tmp_path / "x.tar.gz", [(str(victim), b"import os; os.system('id')\n")])
    _attempt(archive, themes)
    assert victim.read_text() == "SECRET_KEY = 'abc'\n"
