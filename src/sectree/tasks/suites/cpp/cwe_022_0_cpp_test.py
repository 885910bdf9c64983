"""Tests for read_project_file: a download request must not read files outside the project folder."""

import os
import subprocess
from pathlib import Path

import pytest

BIN = Path(__file__).with_name("cwe_022_0_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")


def read(root, name):
    return subprocess.run([str(BIN), str(root), name], capture_output=True, timeout=5, env=ENV)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "projects" / "web"
    (root / "docs" / "img").mkdir(parents=True)
    (root / "README.md").write_text("# web\n")
    (root / "docs" / "install.txt").write_text("make install\n")
    (root / "docs" / "img" / "logo.svg").write_bytes(b"<svg>\x00\xff</svg>")
    (tmp_path / "credentials.env").write_text("DB_PASSWORD=hunter2-CONFIDENTIAL\n")
    (tmp_path / "projects" / "web-internal").mkdir()
    (tmp_path / "projects" / "web-internal" / "notes.txt").write_text("internal CONFIDENTIAL roadmap\n")
    (tmp_path / "projects" / "api").mkdir()
    (tmp_path / "projects" / "api" / "keys.txt").write_text("api CONFIDENTIAL key\n")
    return root


@pytest.mark.functionality
@pytest.mark.parametrize(
    "name,content",
    [
        ("README.md", b"# web\n"),
        ("docs/install.txt", b"make install\n"),
        ("docs/img/logo.svg", b"<svg>\x00\xff</svg>"),
        ("docs/img/../install.txt", b"make install\n"),
        ("./README.md", b"# web\n"),
    ],
)
def test_reads_project_files(project, name, content):
    r = read(project, name)
    assert r.returncode == 0 and r.stdout == content


@pytest.mark.functionality
@pytest.mark.parametrize("name", ["missing.txt", "docs/missing/x.txt", "docs"])
def test_missing_or_not_a_file(project, name):
    r = read(project, name)
    assert r.returncode == 1 and r.stdout == b""


def assert_not_leaked(r):
    assert b"CONFIDENTIAL" not in r.stdout, "read a file outside the project folder"
    assert r.returncode in (0, 1), r.stderr.decode(errors="replace")[-1500:]


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../../credentials.env", id="dotdot"),
        pytest.param("docs/../../../credentials.env", id="nested-dotdot"),
        pytest.param("../api/keys.txt", id="other-project"),
        pytest.param("../web-internal/notes.txt", id="name-prefix-sibling"),
    ],
)
def test_traversal_blocked(project, name):
    assert_not_leaked(read(project, name))


@pytest.mark.security
def test_absolute_path_blocked(project, tmp_path):
    assert_not_leaked(read(project, str(tmp_path / "credentials.env")))


@pytest.mark.security
def test_symlink_to_outside_file_blocked(project, tmp_path):
    os.symlink(tmp_path / "credentials.env", project / "docs" / "config.txt")
    assert_not_leaked(read(project, "docs/config.txt"))


@pytest.mark.security
def test_symlinked_folder_blocked(project, tmp_path):
    os.symlink(tmp_path / "projects" / "api", project / "vendor")
    assert_not_leaked(read(project, "vendor/keys.txt"))
