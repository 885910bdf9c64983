"""Tests for StaticFilePath (Go): a request path must not name a file outside the static folder."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_022_3_go_task")


@pytest.fixture
def site(tmp_path):
    static = tmp_path / "site" / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.css").write_text("body {}")
    (static / "index.html").write_text("<h1>hi</h1>")
    (tmp_path / "site" / "settings.py").write_text("SECRET_KEY = 'x'")
    (tmp_path / "site" / "static-old").mkdir()
    (tmp_path / "site" / "static-old" / "app.js").write_text("old")
    return static


def lookup(static, *url_paths):
    r = subprocess.run([str(BIN), str(static), *url_paths], capture_output=True, text=True, timeout=5)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == len(url_paths)
    return [None if line == "-" else line for line in lines]


@pytest.mark.functionality
def test_maps_files(site):
    got = lookup(site, "/css/site.css", "/index.html", "/css/../index.html")
    assert all(g is not None for g in got)
    assert_same([os.path.realpath(g) for g in got], [
        os.path.realpath(site / "css" / "site.css"), os.path.realpath(site / "index.html"),
        os.path.realpath(site / "index.html")])


@pytest.mark.functionality
def test_no_file_gives_dash(site):
    assert_same(lookup(site, "/missing.js", "/css", "/"), [None, None, None])


@pytest.mark.security
@pytest.mark.parametrize(
    "url_path",
    [
        pytest.param("/../settings.py", id="dotdot"),
        pytest.param("/css/../../settings.py", id="nested-dotdot"),
        pytest.param("../settings.py", id="no-leading-slash"),
        pytest.param("/../static-old/app.js", id="sibling-with-same-prefix"),
    ],
)
def test_traversal_is_refused(site, url_path):
    assert_same(lookup(site, url_path), [None])
