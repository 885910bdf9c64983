"""The HTML tree view: escaping of untrusted code, no external resources, counts, structure, atomic write."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
from html import escape
from html.parser import HTMLParser

import pytest

from sectree.oracle.verdict import Verdict
from sectree.tree.model import Tree
from sectree.tree.view import render_html, summarize, tree_counts, write_html

HOSTILE = "</script><script>alert(1)</script>"
VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "area", "base", "embed", "source", "track"}


def verdict(status, reason="", tests=(), findings=()):
    return Verdict.from_dict({"task_id": "t", "status": status, "parseable": status != "broken", "reason": reason,
                              "tests": list(tests), "findings": list(findings)})


def tres(nodeid, kind, outcome, message=""):
    return {"nodeid": nodeid, "kind": kind, "outcome": outcome, "message": message}





def finding(rule, cwe, line, message):
    return {"tool": "bandit", "rule": rule, "cwe": cwe, "line": line, "severity": "HIGH", "confidence": "HIGH",
            "message": message}


def make_tree(task_id: str = "py/cwe-079 <b>&amp; " + HOSTILE, backup: bool = True) -> Tree:
    """root -> T1 (diff) -> T2 (oracle) -> T3 (golden leaf); sampled leaves of each status at T1 and T2;
    a depth-2 node under T1 with a continuation and a new sample."""
    t = Tree(task_id=task_id, prompt_ids=[1, 2], prompt_text="def render(name):\n", nodes=[],
             model="smol <i>", round=2)
    root = t.add(None, [], "", "root")
    t1 = t.add(root.id, [10, 11], "    # check & escape\n", "trunk", strategy="diff")
    t2 = t.add(t1.id, [12, 13], f"    name = html.escape(name)  # {HOSTILE}\n", "trunk", strategy="oracle")
    t.add(t2.id, [14], "    return '<b>' + name + '</b>'\n", "trunk", reward=1.0)
    # sampled at T1
    t.add(t1.id, [20, 21], "    name = bleach.clean(name)\n    return '<b>' + name + '</b>'\n", "sample",
          reward=1.0, verdict=verdict("secure"))
    t.add(t1.id, [22, 23], f"    return '<b>' + name + '</b>'  # {HOSTILE}\n", "sample", reward=0.0,
          verdict=verdict("vulnerable", "security test failed",
                          [tres("test_x.py::test_func", "functionality", "passed"),
                           tres("test_x.py::test_xss_<script>", "security", "failed",
                                 "assert '<script>' not in out " + HOSTILE)],
                          [finding("B703_django_mark_safe", 79, 2, "Potential XSS <img src=x onerror=alert(1)>")]))
    d2 = t.add(t1.id, [24], "    if name:\n", "sample", strategy="depth2")
    t.add(d2.id, [25, 26], "        return name <\n", "sample", reward=0.0,
          verdict=verdict("broken", "syntax error", [tres("test_x.py::test_func", "functionality", "error",
                                                           "SyntaxError: invalid syntax")]))
    t.add(d2.id, [27], "        return f'<b>{name}</b>'\n", "sample", reward=0.0,
          verdict=verdict("vulnerable", "security test failed",
                          [tres("test_x.py::test_xss_basic", "security", "failed", "XSS & more")]))
    # sampled at T2
    t.add(t2.id, [30], "    return name & (\n", "sample", reward=0.0, verdict=verdict("broken", "syntax error"))
    t.add(t2.id, [31], "    return '<b>%s</b>' % name\n", "sample", reward=1.0, verdict=verdict("secure"))
    t.add(t2.id, [32], "    return '<b>' + name.strip() + '</b>'\n", "sample", reward=0.0,
          verdict=verdict("vulnerable", "", [], [finding("B308", 79, 3, "mark_safe")]))
    if backup:
        t.backup()
    return t


class StrictParser(HTMLParser):
    """Fails on unbalanced tags; collects ids with their enclosing ids, script bodies and the CSP."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.errors: list[str] = []
        self.parents: dict[str, list[str]] = {}
        self.scripts: list[tuple[dict, str]] = []
        self.csp = ""
        self.attrs_seen: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in attrs:
            self.attrs_seen.append((tag, k, v or ""))
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a["content"]
        if a.get("id"):
            self.parents[a["id"]] = [i for _, i in self.stack if i]
        if tag == "script":
            self.scripts.append((a, ""))
        if tag not in VOID:
            self.stack.append((tag, a.get("id")))

    def handle_startendtag(self, tag, attrs):
        self.errors.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> does not close {self.stack[-1:]}")
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "script":
            a, s = self.scripts[-1]
            self.scripts[-1] = (a, s + data)


def parse(page: str) -> StrictParser:
    p = StrictParser()
    p.feed(page)
    p.close()
    assert not p.errors, p.errors[:5]
    assert not p.stack, p.stack
    return p


@pytest.fixture
def tree() -> Tree:
    return make_tree()


def test_hostile_text_is_escaped(tree):
    page = render_html([tree], title="view <title> & " + HOSTILE)
    low = page.lower()
    assert "<script>alert" not in low
    assert "<img" not in low and "'<b>'" not in low and "<b>&amp;" not in low and "<i>" not in low
    assert "<title> &" not in low and "&lt;title&gt; &amp;" in page
    assert escape(HOSTILE) in page
    assert "&lt;b&gt;" in page and "&amp;" in page
    # exactly our two script blocks
    p = parse(page)
    assert len(p.scripts) == 2
    assert low.count("<script") == 2 and low.count("</script") == 2


def test_no_external_resources(tree):
    page = render_html([tree])
    low = page.lower()
    assert "http://" not in low and "https://" not in low
    for bad in ('src="http', "href=\"http", "@import", "url(http", "url(", "//fonts", "<link", "<iframe"):
        assert bad not in low, bad
    p = parse(page)
    for tag, k, v in p.attrs_seen:
        if k in ("src", "href", "action"):
            assert v.startswith("#"), (tag, k, v)
    # the CSP forbids everything but the page's own script and style, allowed by hash
    assert "default-src 'none'" in p.csp
    own = [s for a, s in p.scripts if a.get("type") != "application/json"]
    assert len(own) == 1
    h = base64.b64encode(hashlib.sha256(own[0].encode()).digest()).decode()
    assert f"'sha256-{h}'" in p.csp


def test_embedded_json_is_safe_and_matches_summary(tree):
    other = make_tree(task_id="js/" + HOSTILE + "\u2028")
    page = render_html([tree, other])
    p = parse(page)
    data = [s for a, s in p.scripts if a.get("type") == "application/json"]
    assert len(data) == 1
    assert "<" not in data[0] and ">" not in data[0]
    d = json.loads(data[0])
    assert d["summary"] == summarize([tree, other])
    assert [c["task_id"] for c in d["trees"]] == [tree.task_id, other.task_id]


def test_counts_and_contents(tree):
    page = render_html([tree])
    c = tree_counts(tree)
    assert c["nodes"] == 12 and c["leaves"] == 8
    assert c["leaves_by_status"] == {"secure": 3, "vulnerable": 3, "broken": 2}
    assert c["branching_nodes"] == 3
    assert c["pairs"] == len(tree.pairs()) > 0
    assert c["root_value"] == pytest.approx(3 / 8)
    assert escape(tree.task_id) in page
    assert "secure <b>3</b>" in page and "vulnerable <b>3</b>" in page and "broken <b>2</b>" in page
    assert "branching nodes <b>3</b>" in page and f"pairs <b>{c['pairs']}</b>" in page
    assert "root value <b>0.38</b>" in page
    for st in ("secure", "vulnerable", "broken"):
        assert f'class="ch {st}"' in page
    # failing tests (not the passing one) and findings, with the reason
    assert escape("test_x.py::test_xss_<script>") in page
    assert "test_x.py::test_xss_basic" in page and "SyntaxError: invalid syntax" in page
    assert "B703_django_mark_safe" in page and "CWE-79" in page and "bandit:B308" in page
    assert "reason: security test failed" in page
    assert "[passed]" not in page
    # strategies and values at the branching points
    assert "diff v=0.38" in page and "oracle v=0.50" in page and "depth2" in page


def test_trunk_markers_at_branching_characters(tree):
    page = render_html([tree])
    t1, t2 = tree.nodes[1], tree.nodes[2]
    # the marker for a node sits right after the node's text, i.e. where its children branch
    assert escape(t1.text) + '<a class="bp" href="#t0n1"' in page
    assert escape(t2.text) + '<a class="bp" href="#t0n2"' in page
    trunk = page[page.index('<pre class="trunk">'):]
    trunk = trunk[:trunk.index("</pre>")]
    assert trunk.index("#t0n1") < trunk.index("#t0n2")
    assert "golden leaf: secure" in trunk


def test_depth2_nested_and_decisions_marked(tree):
    page = render_html([tree])
    p = parse(page)
    d2 = next(n for n in tree.nodes if n.strategy == "depth2")
    assert p.parents[f"t0n{d2.id}"][-1] == "t0n1"  # the depth-2 block sits inside the T1 block
    assert p.parents["t0n1"][-1] == "t0" and p.parents["t0n2"][-1] == "t0"
    # decision tokens: the first non-blank line of each branch
    assert "    <mark>name = bleach.clean(name)</mark>\n" in page
    assert "<mark>return f&#x27;&lt;b&gt;{name}&lt;/b&gt;&#x27;</mark>" in page


def test_unbacked_tree_renders_without_mutation():
    t = make_tree(backup=False)
    before = copy.deepcopy(t)
    page = render_html([t])
    assert t == before  # pairs were computed on a backed-up copy
    c = tree_counts(t)
    assert c["pairs"] == len(make_tree().pairs())
    parse(page)


def test_missing_reward_still_renders():
    t = make_tree(backup=False)
    t.nodes[-1].reward = None
    page = render_html([t])
    assert tree_counts(t)["pairs"] is None and "pairs <b>–</b>" in page
    assert summarize([t])["trees_without_pairs"] == 1
    parse(page)


def test_summarize_totals(tree):
    other = make_tree(task_id="other")
    s = summarize([tree, other])
    one = tree_counts(tree)
    assert s["trees"] == 2 and s["nodes"] == 24 and s["leaves"] == 16
    assert s["leaves_by_status"] == {"secure": 6, "vulnerable": 6, "broken": 4}
    assert s["pairs"] == 2 * one["pairs"] and s["branching_nodes"] == 6
    rejected = {tuple(p.prefix_ids + p.rejected_ids) for p in tree.pairs()}
    assert s["distinct_rejected"] == 2 * len(rejected) <= s["pairs"]
    assert summarize([]) == {"trees": 0, "nodes": 0, "leaves": 0,
                             "leaves_by_status": {"secure": 0, "vulnerable": 0, "broken": 0},
                             "leaves_by_opponent": {}, "pairs": 0,
                             "branching_nodes": 0, "distinct_rejected": 0, "trees_without_pairs": 0}
    parse(render_html([]))


def test_long_segment_is_clipped():
    t = make_tree()
    t.nodes[5].text = "x = 1\n" * 2000
    page = render_html([t])
    assert "more chars)" in page
    assert len(page) < 60_000


def test_fifty_trees_stay_small(tree):
    trees = []
    for i in range(50):
        t = copy.deepcopy(tree)
        t.task_id = f"task-{i}"
        trees.append(t)
    page = render_html(trees)
    assert len(page.encode()) < 2_000_000
    p = parse(page)
    assert all(f"t{i}" in p.parents for i in range(50))


def test_write_html_is_atomic(tree, tmp_path, monkeypatch):
    out = tmp_path / "sub" / "trees.html"
    assert write_html([tree], out) == out
    text = out.read_text(encoding="utf-8")
    assert text == render_html([tree])
    parse(text)
    assert sorted(p.name for p in out.parent.iterdir()) == ["trees.html"]

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_html([make_tree(task_id="new")], out)
    assert out.read_text(encoding="utf-8") == text  # the old page is intact
    assert sorted(p.name for p in out.parent.iterdir()) == ["trees.html"]  # no temp file left


def test_page_has_legend_and_controls(tree):
    page = render_html([tree])
    assert 'class="legend"' in page and "decision tokens" in page
    assert re.search(r'<button data-open="1">', page) and 'data-hide="secure"' in page
