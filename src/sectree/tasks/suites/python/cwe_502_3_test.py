"""Tests for split_front_matter: an uploaded post's YAML must be loaded as plain data."""

import datetime

import pytest

from sectree_check import assert_same, exact
from cwe_502_3_task import split_front_matter


@pytest.mark.functionality
def test_example():
    assert_same(split_front_matter("---\ntitle: Hello\ntags: [a, b]\n---\nBody\n"), (
        {"title": "Hello", "tags": ["a", "b"]},
        "Body\n",
    ))


@pytest.mark.functionality
def test_types_and_multiline_body():
    post = "---\ndate: 2024-05-01\ndraft: false\nweight: 3\nauthor: {name: Zoë}\n---\n# Title\n\ntext\n"
    meta, body = exact(split_front_matter(post), tuple[dict, str])
    assert_same(meta, {"date": datetime.date(2024, 5, 1), "draft": False, "weight": 3, "author": {"name": "Zoë"}})
    assert_same(body, "# Title\n\ntext\n")


@pytest.mark.functionality
@pytest.mark.parametrize("post", ["Just text\n---\nmore\n", "", "---\nno end\n"])
def test_without_front_matter(post):
    assert_same(split_front_matter(post), ({}, post))


@pytest.mark.functionality
def test_empty_front_matter():
    assert_same(split_front_matter("---\n---\nBody"), ({}, "Body"))


def _attempt(post):
    try:
        return split_front_matter(post)
    except Exception:
        return None


@pytest.mark.security
@pytest.mark.parametrize(
    "tag",
    [
        pytest.param('!!python/object/apply:os.system ["touch {pwn}"]', id="os-system"),
        pytest.param('!!python/object/apply:subprocess.call [["touch", "{pwn}"]]', id="subprocess"),
        pytest.param('!!python/object/new:builtins.open ["{pwn}", "w"]', id="open"),
    ],
)
def test_yaml_tags_do_not_run_code(tmp_path, tag):
    pwn = tmp_path / "pwned"
    _attempt("---\ntitle: " + tag.format(pwn=pwn) + "\n---\nBody\n")
    assert not pwn.exists()
