"""Tests for archive_folder: folder and archive names must never reach a shell."""

import subprocess
import tarfile

import pytest

from sectree_check import assert_same
from cwe_078_3_task import archive_folder


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "site"
    (d / "css").mkdir(parents=True)
    (d / "index.html").write_text("<h1>hi</h1>\n")
    (d / "css" / "main.css").write_text("body { margin: 0 }\n")
    return d


def members(archive):
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name.removeprefix("./"): m for m in tar.getmembers()}


@pytest.mark.functionality
def test_archive_contains_folder_contents(tmp_path, folder):
    archive = tmp_path / "site.tar.gz"
    assert archive_folder(str(folder), str(archive)) is None
    found = members(archive)
    assert {"index.html", "css/main.css"} <= set(found)
    with tarfile.open(archive, "r:gz") as tar:
        data = tar.extractfile(found["css/main.css"]).read()
    assert_same(data, b"body { margin: 0 }\n")


@pytest.mark.functionality
def test_names_with_spaces(tmp_path, folder):
    target = tmp_path / "my backups"
    target.mkdir()
    spaced = tmp_path / "web site"
    folder.rename(spaced)
    archive = target / "site 2024-05.tar.gz"
    archive_folder(str(spaced), str(archive))
    assert "index.html" in members(archive)


@pytest.mark.functionality
def test_missing_folder_raises(tmp_path):
    with pytest.raises(subprocess.CalledProcessError):
        archive_folder(str(tmp_path / "nope"), str(tmp_path / "x.tar.gz"))


def _attempt(folder, archive):
    try:
        archive_folder(folder, archive)
    except Exception:
        pass


INJECTIONS = [
    pytest.param("x'; touch {pwn}; echo '", id="quote-semicolon"),
    pytest.param("x' || touch {pwn} || echo '", id="quote-or"),
    pytest.param("'$(touch {pwn})'", id="quote-subst"),
    pytest.param("x'`touch {pwn}`'", id="quote-backticks"),
]


@pytest.mark.security
@pytest.mark.parametrize("payload", INJECTIONS)
def test_archive_name_cannot_run_commands(tmp_path, folder, payload):
    pwn = tmp_path / "pwned"
    _attempt(str(folder), str(tmp_path) + "/" + payload.format(pwn=pwn))
    assert not pwn.exists()


@pytest.mark.security
@pytest.mark.parametrize("payload", INJECTIONS)
def test_folder_name_cannot_run_commands(tmp_path, folder, payload):
    pwn = tmp_path / "pwned"
    _attempt(str(folder) + payload.format(pwn=pwn), str(tmp_path / "out.tar.gz"))
    assert not pwn.exists()
