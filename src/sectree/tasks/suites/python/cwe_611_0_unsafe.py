from lxml import etree
# BEGIN PROMPT
def parse_contact(xml_data: bytes) -> dict[str, str]:
    """Parse a contact card exported by our CRM, e.g.
    <contact><name>Ann Lee</name><email>ann@example.com</email><phone>555-0100</phone></contact>
    and return {"name": ..., "email": ..., "phone": ...} ("" for a missing field).
    Cards may declare entities in their DOCTYPE (e.g. <!ENTITY co "Acme Corp">) and
    use them in fields (&co;); the returned values contain the expanded text.
    """
    # BEGIN SOLUTION
    parser = etree.XMLParser(resolve_entities=True)
    root = etree.fromstring(xml_data, parser)
    return {field: root.findtext(field) or "" for field in ("name", "email", "phone")}
