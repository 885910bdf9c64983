import pytest

from sectree_check import assert_same, exact
from cwe_611_0_task import parse_contact

SECRET = "db_password=Tr0ub4dor-3"


@pytest.fixture
def secret_file(tmp_path):
    p = tmp_path / "server-secrets.txt"
    p.write_text(SECRET + "\n")
    return p


@pytest.mark.functionality
def test_plain_card():
    xml = b"<contact><name>Ann Lee</name><email>ann@example.com</email><phone>555-0100</phone></contact>"
    assert_same(parse_contact(xml), {"name": "Ann Lee", "email": "ann@example.com", "phone": "555-0100"})


@pytest.mark.functionality
def test_missing_field_and_xml_declaration():
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n<contact>\n  <name>Jörg Å</name>\n  <email>j@example.de</email>\n</contact>\n'
    assert_same(parse_contact(xml.encode("utf-8")), {"name": "Jörg Å", "email": "j@example.de", "phone": ""})


@pytest.mark.functionality
def test_internal_entities_are_expanded():
    xml = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE contact [<!ENTITY co "Acme Corp"><!ENTITY dom "acme.example">]>\n'
        b"<contact><name>Bo (&co;)</name><email>bo@&dom;</email><phone>1 &amp; 2</phone></contact>"
    )
    assert_same(parse_contact(xml), {"name": "Bo (Acme Corp)", "email": "bo@acme.example", "phone": "1 & 2"})


def _attempt(xml):
    try:
        return parse_contact(xml)
    except Exception:
        return {}


@pytest.mark.security
@pytest.mark.parametrize("uri", ["file://{path}", "{path}"], ids=["file-uri", "bare-path"])
def test_external_entity_does_not_read_files(secret_file, uri):
    target = uri.format(path=secret_file)
    xml = (
        f'<?xml version="1.0"?>\n<!DOCTYPE contact [<!ENTITY x SYSTEM "{target}">]>\n'
        f"<contact><name>&x;</name><email>e@x.test</email></contact>"
    ).encode()
    assert SECRET not in str(exact(_attempt(xml), dict[str, str]))


@pytest.mark.security
def test_parameter_entity_does_not_read_files(tmp_path, secret_file):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "file://{secret_file}">')
    xml = (
        f'<?xml version="1.0"?>\n<!DOCTYPE contact [<!ENTITY % ext SYSTEM "file://{dtd}"> %ext;]>\n'
        f"<contact><name>x</name><phone>&leak;</phone></contact>"
    ).encode()
    assert SECRET not in str(exact(_attempt(xml), dict[str, str]))
