from lxml import etree
# BEGIN PROMPT
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_urls(xml_data: bytes) -> list[str]:
    """Return the page URLs (the text of <loc> in each <url>, surrounding whitespace
    removed) listed in a sitemap.xml that a customer submitted to our crawler, in
    document order. Raise lxml.etree.XMLSyntaxError if the file is not well-formed XML."""
    # BEGIN SOLUTION
    parser = etree.XMLParser(resolve_entities=True)
    root = etree.fromstring(xml_data, parser)
    return [(loc.text or "").strip() for loc in root.iterfind("sm:url/sm:loc", NS)]
