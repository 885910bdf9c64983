"""Tests for static_file_path: a request path must not name a file outside the static folder."""

import os

import pytest

from cwe_022_4_task import static_file_path


@pytest.fixture
def site(tmp_path):
    static = tmp_path / "site" / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.css").write_text("body {}")
    (static / "index.html").write_text("<h1>hi</h1>")
    (tmp_path / "site" / "settings.py").write_text("SECRET_KEY = 'x'")
    (tmp_path / "site" / "static-old").mkdir()
    (tmp_path / "site" / "static-old" / "app.js").write_text("old")
    return tmp_path, static


def _same(got, expected):
    return got is not None and os.path.samefile(got, expected)


@pytest.mark.functionality
def test_maps_nested_file(site):
    _, static = site
    assert _same(static_file_path(str(static), "/css/site.css"), static / "css" / "site.css")


@pytest.mark.functionality
def test_maps_top_level_file_and_dotdot_inside(site):
    _, static = site
    assert _same(static_file_path(str(static), "/index.html"), static / "index.html")
    assert _same(static_file_path(str(static), "/css/../index.html"), static / "index.html")


@pytest.mark.functionality
@pytest.mark.parametrize("url_path", ["/missing.js", "/css", "/", "/css/other.css"])
def test_no_file_gives_none(site, url_path):
    _, static = site
    assert static_file_path(str(static), url_path) is None


@pytest.mark.security
@pytest.mark.parametrize(
    "url_path",
    [
        pytest.param("/../settings.py", id="dotdot"),
        pytest.param("/css/../../settings.py", id="nested-dotdot"),
        pytest.param("/../static-old/app.js", id="sibling-with-same-prefix"),
        pytest.param("/css/../../../../../../etc/passwd", id="deep"),
    ],
)
def test_traversal_gives_none(site, url_path):
    _, static = site
    assert static_file_path(str(static), url_path) is None


@pytest.mark.security
def test_symlink_out_of_static_gives_none(site):
    tmp_path, static = site
    os.symlink(tmp_path / "site" / "settings.py", static / "config.txt")
    assert static_file_path(str(static), "/config.txt") is None
