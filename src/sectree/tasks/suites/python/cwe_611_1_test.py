"""Tests for sitemap_urls: a submitted sitemap must not make the parser read local files."""

import pytest
from lxml import etree

from sectree_check import assert_same, exact
from cwe_611_1_task import sitemap_urls

SECRET = "aws_secret_access_key=wJalrXUtnFEMI"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
OPEN = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


@pytest.fixture
def secret_file(tmp_path):
    p = tmp_path / "credentials"
    p.write_text(SECRET + "\n")
    return p


@pytest.mark.functionality
def test_lists_urls_in_order():
    xml = (HEAD + OPEN + "<url><loc>https://example.com/</loc><lastmod>2024-01-01</lastmod></url>"
           "<url><loc>\n  https://example.com/about?x=1&amp;y=2 </loc></url></urlset>")
    assert_same(sitemap_urls(xml.encode()), ["https://example.com/", "https://example.com/about?x=1&y=2"])


@pytest.mark.functionality
def test_empty_sitemap_and_other_namespaces():
    assert_same(sitemap_urls((OPEN + "</urlset>").encode()), [])
    assert_same(sitemap_urls(b"<urlset><url><loc>https://x.test/</loc></url></urlset>"), [])


@pytest.mark.functionality
def test_malformed_xml_raises():
    with pytest.raises(etree.XMLSyntaxError):
        sitemap_urls(b"<urlset><url>")


def _attempt(xml):
    try:
        return sitemap_urls(xml.encode())
    except Exception:
        return []


@pytest.mark.security
@pytest.mark.parametrize("uri", ["file://{path}", "{path}"], ids=["file-uri", "bare-path"])
def test_external_entity_is_not_read(secret_file, uri):
    xml = (HEAD + f'<!DOCTYPE urlset [<!ENTITY x SYSTEM "{uri.format(path=secret_file)}">]>\n'
           + OPEN + "<url><loc>https://example.com/&x;</loc></url></urlset>")
    assert SECRET not in str(exact(_attempt(xml), list[str]))


@pytest.mark.security
def test_parameter_entity_is_not_read(tmp_path, secret_file):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "file://{secret_file}">')
    xml = (HEAD + f'<!DOCTYPE urlset [<!ENTITY % ext SYSTEM "file://{dtd}"> %ext;]>\n'
           + OPEN + "<url><loc>&leak;</loc></url></urlset>")
    assert SECRET not in str(exact(_attempt(xml), list[str]))
