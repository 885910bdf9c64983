import datetime

import pytest

from sectree_check import assert_same
from cwe_502_0_task import load_config


@pytest.mark.functionality
def test_nested_config(tmp_path):
    p = tmp_path / "app.yaml"
    p.write_text(
        "server:\n"
        "  host: 0.0.0.0\n"
        "  port: 8080\n"
        "debug: false\n"
        "admins:\n"
        "  - alice\n"
        "  - bob\n"
        "ratio: 0.75\n"
        "release: 2024-03-01\n"
    )
    assert_same(load_config(str(p)), {
        "server": {"host": "0.0.0.0", "port": 8080},
        "debug": False,
        "admins": ["alice", "bob"],
        "ratio": 0.75,
        "release": datetime.date(2024, 3, 1),
    })


@pytest.mark.functionality
def test_empty_file(tmp_path):
    p = tmp_path / "empty.yaml"
    p.write_text("")
    assert_same(load_config(str(p)), {})


@pytest.mark.functionality
def test_anchors_and_unicode(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("base: &b {retries: 3}\nprod:\n  <<: *b\n  name: Zürich\n", encoding="utf-8")
    assert_same(load_config(str(p)), {"base": {"retries": 3}, "prod": {"retries": 3, "name": "Zürich"}})


def _attempt(path):
    try:
        return load_config(str(path))
    except Exception:
        return None


@pytest.mark.security
@pytest.mark.parametrize(
    "doc",
    [
        pytest.param('x: !!python/object/apply:os.mkdir ["{pwn}"]\n', id="apply-os-mkdir"),
        pytest.param(
            'x: !!python/object/apply:subprocess.check_output [["mkdir", "{pwn}"]]\n', id="apply-subprocess"
        ),
        pytest.param(
            "x: !!python/object/new:type\n"
            "  args: ['z', !!python/tuple [], {{'e': !!python/object/apply:os.mkdir ['{pwn}']}}]\n",
            id="new-type",
        ),
    ],
)
def test_python_tags_do_not_execute(tmp_path, doc):
    pwn = tmp_path / "pwned"
    p = tmp_path / "evil.yaml"
    p.write_text(doc.format(pwn=pwn))
    _attempt(p)
    assert not pwn.exists()


@pytest.mark.security
def test_python_tags_do_not_build_objects(tmp_path):
    p = tmp_path / "evil.yaml"
    p.write_text("handler: !!python/name:os.system\n")
    result = _attempt(p)
    assert result is None or not callable(result.get("handler"))
