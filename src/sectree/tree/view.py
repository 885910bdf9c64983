"""A self-contained HTML view of TSP trees (no dependencies, no network at view time).

``render_html(trees)`` returns one page: a header with totals (``summarize``) and a legend, a table of
contents, then one section per tree with its counts, the golden trunk as code with every branching point
marked inline at the character where it happens, and under each branching point its children (the golden
continuation and the sampled branches, recursively for depth-2 nodes), coloured by the leaf verdict. A
leaf's failing tests, static findings and the oracle's reason open on click (``<details>``) and the reason
also shows on hover.

Everything taken from a tree (code, task ids, test ids, messages) is untrusted generated text: it only ever
reaches the page through ``html.escape``; the summary JSON embedded for tools escapes ``<``, ``>`` and
``&`` so no string can close its ``<script>`` block; and a Content-Security-Policy (``default-src
'none'``, the page's own script and style allowed by hash) stops any request and any other script.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable
from html import escape
from pathlib import Path

from sectree.io import write_text_atomic
from sectree.tree.model import Node, NodeKind, Opponent, Tree

STATUSES = ("secure", "vulnerable", "broken")
"""Oracle verdicts; a leaf without a verdict is 'golden' secure (trunk) or 'unjudged' (sample)."""

DECISION_MAX_CHARS = 80
"""Cap on the highlighted decision span: the segment's first non-blank line."""

SEGMENT_MAX_CHARS = 1500
"""A branch's code is cut after this many characters (the page stays small for 50 trees x 30 leaves)."""

MAX_ITEMS = 12
"""Failing tests / findings listed per leaf."""


# ------------------------------------------------------------------------------------------ counting


def leaf_status(n: Node) -> str:
    """The verdict status of a leaf: one of ``STATUSES`` or 'unjudged' (no verdict)."""
    if n.verdict is None:
        return "secure" if n.kind == NodeKind.TRUNK else "unjudged"
    return n.verdict.status.value


def leaf_opponent(n: Node) -> str:
    """Who produced a leaf: 'golden' for the trunk, else the opponent ('policy' for trees made before
    opponents were recorded)."""
    if n.kind == NodeKind.TRUNK:
        return "golden"
    return (n.opponent or Opponent.POLICY).value


def interest(tree: Tree) -> tuple:
    """Sort key for picking example trees: most kinds of verdict among the leaves first (a tree with secure,
    vulnerable and broken leaves shows the most), then the most leaves, then the task id."""
    st = [leaf_status(n) for n in tree.leaves()]
    return (-len(set(st) & set(STATUSES)), -len(st), tree.task_id)


def _pairs(tree: Tree) -> list | None:
    """``tree.pairs()``; on a tree whose values were never backed up, on a backed-up copy; None if impossible."""
    backed_up = all(n.value is not None for n in tree.nodes if n.children)
    try:
        if backed_up:
            return tree.pairs()
    except (TypeError, ValueError):
        pass
    try:
        t = copy.deepcopy(tree)
        t.backup()
        return t.pairs()
    except (TypeError, ValueError):
        return None


_UNSET: list = []


def tree_counts(tree: Tree, pairs: list | None = _UNSET) -> dict:
    """Per-tree counts: nodes, leaves (by status), branching nodes, pairs, distinct rejected, root value.
    ``pairs``: ``tree.pairs()`` if already computed (None: not computable)."""
    if pairs is _UNSET:
        pairs = _pairs(tree)
    by = dict.fromkeys(STATUSES, 0)
    by_opp: dict[str, dict[str, int]] = {}
    leaves = 0
    for n in tree.nodes:
        if n.is_leaf:
            leaves += 1
            s = leaf_status(n)
            by[s] = by.get(s, 0) + 1
            opp = by_opp.setdefault(leaf_opponent(n), dict.fromkeys(STATUSES, 0))
            opp[s] = opp.get(s, 0) + 1
    rejected = {tuple(p.prefix_ids + p.rejected_ids) for p in pairs} if pairs is not None else set()
    root = tree.nodes[0] if tree.nodes else None
    return {
        "task_id": tree.task_id,
        "model": tree.model,
        "round": tree.round,
        "nodes": len(tree.nodes),
        "leaves": leaves,
        "leaves_by_status": by,
        "leaves_by_opponent": by_opp,
        "branching_nodes": sum(1 for n in tree.nodes if len(n.children) >= 2),
        "pairs": len(pairs) if pairs is not None else None,
        "distinct_rejected": len(rejected) if pairs is not None else None,
        "root_value": root.value if root is not None else None,
    }


def summarize(trees: list[Tree], _counts: list[dict] | None = None) -> dict:
    """Totals over ``trees``: trees, nodes, leaves (by status), pairs, branching nodes, distinct rejected
    continuations (a rejected token sequence counted once per task even if several nodes reject it), and
    ``trees_without_pairs`` (trees whose pairs could not be computed: a leaf without a reward)."""
    counts = _counts if _counts is not None else [tree_counts(t) for t in trees]
    by = dict.fromkeys(STATUSES, 0)
    by_opp: dict[str, dict[str, int]] = {}
    for c in counts:
        for s, k in c["leaves_by_status"].items():
            by[s] = by.get(s, 0) + k
        for o, st in c.get("leaves_by_opponent", {}).items():
            tot = by_opp.setdefault(o, dict.fromkeys(STATUSES, 0))
            for s, k in st.items():
                tot[s] = tot.get(s, 0) + k
    return {
        "trees": len(counts),
        "nodes": sum(c["nodes"] for c in counts),
        "leaves": sum(c["leaves"] for c in counts),
        "leaves_by_status": by,
        "leaves_by_opponent": by_opp,
        "pairs": sum(c["pairs"] or 0 for c in counts),
        "branching_nodes": sum(c["branching_nodes"] for c in counts),
        "distinct_rejected": sum(c["distinct_rejected"] or 0 for c in counts),
        "trees_without_pairs": sum(1 for c in counts if c["pairs"] is None),
    }


# ------------------------------------------------------------------------------------------ page parts

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222;background:#fafafa}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin:0}
pre,code{font:12px/1.35 ui-monospace,Menlo,Consolas,monospace}
pre{margin:0;white-space:pre-wrap;word-break:break-all}
.tot span,.cnt span{margin-right:1em}
.tot b,.cnt b{font-weight:600}
table.toc{border-collapse:collapse;margin:.6em 0;font-size:13px}
.toc td,.toc th{border:1px solid #ddd;padding:1px 6px;text-align:right}.toc td:first-child{text-align:left}
section.tree{background:#fff;border:1px solid #ccc;border-radius:6px;margin:1em 0;padding:.6em .9em}
.meta{color:#666;font-weight:normal;font-size:.85em}
pre.trunk{background:#f4f7ff;border:1px solid #d5def5;padding:.5em;max-height:40em;overflow:auto}
a.bp{background:#ffd84d;color:#000;border-radius:3px;padding:0 3px;text-decoration:none;font:bold 10px/1 sans-serif;vertical-align:1px}
a.bp:hover{background:#f0b400}
.bpb{border-left:3px solid #ffd84d;margin:.6em 0 .6em .2em;padding-left:.6em}
.bpb .bpb{border-left-color:#c9a9ff}
.hd{font-size:12.5px;color:#444}.ctx{color:#888}
.ch{margin:.25em 0;border:1px solid #ddd;border-left-width:6px;border-radius:3px;background:#fff}
.ch>summary,.ch>.row{cursor:pointer;padding:1px 6px;list-style:none}
.ch>.row{cursor:default}
.ch>summary::-webkit-details-marker{display:none}
.ch>summary::before{content:"\\25B8 ";color:#999}.ch[open]>summary::before{content:"\\25BE "}
code.c{display:block;white-space:pre-wrap;word-break:break-all;padding:2px 6px}
.secure{border-left-color:#2e9e44;background:#eefaf0}
.vulnerable{border-left-color:#d33;background:#fdeeee}
.broken{border-left-color:#999;background:#f1f1f1}
.unjudged,.other{border-left-color:#bbb;border-style:dashed}
.inner{border-left-color:#6b7fd7}
.tag{display:inline-block;min-width:8em;margin-right:.4em;font:bold 11px/1.5 sans-serif;text-transform:uppercase}
.secure .tag,.k-secure{color:#1d7a31}.vulnerable .tag,.k-vulnerable{color:#b51f1f}.broken .tag,.k-broken{color:#666}
.num{color:#555;font-size:12px;margin-left:.5em}
mark{background:#fff3a3;border-bottom:2px solid #e0b000}
.why{padding:3px 8px 5px 22px;font-size:12.5px;border-top:1px dashed #ccc}
.why ul{margin:.1em 0;padding-left:1.2em}.why li{margin:.1em 0}
.more{color:#888;font-style:italic}
.legend span{margin-right:1.2em}
.legend i{display:inline-block;width:1em;height:1em;vertical-align:-2px;margin-right:.3em;border-style:solid;border-width:0 0 0 6px}
.bar button,.bar label{font-size:12px;margin-right:.6em}
body.h-secure .ch.secure,body.h-vulnerable .ch.vulnerable,body.h-broken .ch.broken{display:none}
"""

_JS = """
document.addEventListener('click',function(e){var b=e.target.closest('button[data-open]');if(!b)return;
var o=b.dataset.open==='1';document.querySelectorAll('details').forEach(function(d){d.open=o;});});
document.addEventListener('change',function(e){var c=e.target;if(c.dataset&&c.dataset.hide)
document.body.classList.toggle('h-'+c.dataset.hide,c.checked);});
"""


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _json_for_script(obj) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&`` survive literally."""
    return (json.dumps(obj, ensure_ascii=False).replace("&", "\\u0026").replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _clip(text: str, limit: int) -> tuple[str, int]:
    return (text, 0) if len(text) <= limit else (text[:limit], len(text) - limit)


def _decision_code(text: str, limit: int = SEGMENT_MAX_CHARS) -> str:
    """The segment as escaped code with its decision tokens (first non-blank line, capped) in ``<mark>``."""
    body, cut = _clip(text, limit)
    lead = len(body) - len(body.lstrip())
    end = body.find("\n", lead)
    end = len(body) if end < 0 else end
    end = min(end, lead + DECISION_MAX_CHARS)
    out = escape(body[:lead]) + (f"<mark>{escape(body[lead:end])}</mark>" if end > lead else "") + escape(body[end:])
    if cut:
        out += f'<span class="more">… ({cut} more chars)</span>'
    return out


def _counts_html(c: dict, cls: str = "cnt") -> str:
    by = c["leaves_by_status"]
    extra = "".join(f"<span>{escape(s)} <b>{k}</b></span>" for s, k in by.items() if s not in STATUSES and k)
    pairs = "–" if c["pairs"] is None else c["pairs"]
    rej = "–" if c["distinct_rejected"] is None else c["distinct_rejected"]
    parts = [f'<div class="{cls}">']
    if "trees" in c:
        parts.append(f"<span>trees <b>{c['trees']}</b></span>")
    parts.append(
        f"<span>nodes <b>{c['nodes']}</b></span><span>leaves <b>{c['leaves']}</b>:</span>"
        f'<span class="k-secure">secure <b>{by["secure"]}</b></span>'
        f'<span class="k-vulnerable">vulnerable <b>{by["vulnerable"]}</b></span>'
        f'<span class="k-broken">broken <b>{by["broken"]}</b></span>{extra}'
        f"<span>branching nodes <b>{c['branching_nodes']}</b></span>"
        f"<span>pairs <b>{pairs}</b></span><span>distinct rejected <b>{rej}</b></span>")
    if "root_value" in c:
        parts.append(f"<span>root value <b>{_num(c['root_value'])}</b></span>")
    opp = c.get("leaves_by_opponent") or {}
    if opp:  # leaves by who produced them, e.g. "attacker: secure 1 · vulnerable 3 · broken 4"
        parts.append('<br><span class="opp">by opponent:</span>' + "".join(
            f"<span>{escape(o)}: " + " · ".join(f'<span class="k-{s}">{s} <b>{st.get(s, 0)}</b></span>'
                                                for s in STATUSES) + "</span>"
            for o, st in sorted(opp.items())))
    parts.append("</div>")
    return "".join(parts)


def _test_item(t) -> str:
    return (f"<li>[{escape(str(t.outcome))}] <code>{escape(str(t.nodeid))}</code>"
            f"{' (' + escape(str(t.kind)) + ')' if t.kind else ''}"
            f"{': ' + escape(str(t.message)[:400]) if t.message else ''}</li>")


def _finding_item(f) -> str:
    return (f"<li><code>{escape(str(f.tool))}:{escape(str(f.rule))}</code>"
            f"{' CWE-' + escape(str(f.cwe)) if f.cwe is not None else ''}"
            f" line {escape(str(f.line))}"
            f"{' [' + escape(str(f.severity)) + ']' if f.severity else ''}"
            f"{': ' + escape(str(f.message)[:300]) if f.message else ''}</li>")


def _capped_list(label: str, items: list, item: Callable) -> str:
    """``label`` over a list of the first MAX_ITEMS ``items`` (``item`` renders one ``<li>``), then how many more."""
    more = f'<li class="more">… {len(items) - MAX_ITEMS} more</li>' if len(items) > MAX_ITEMS else ""
    return f"<div>{label}:</div><ul>{''.join(item(x) for x in items[:MAX_ITEMS])}{more}</ul>"


def _why(n: Node) -> str:
    """Reason, failing tests and findings of a leaf's verdict (escaped), or '' if there is nothing to say."""
    v = n.verdict
    if v is None:
        return ""
    out = []
    if v.reason:
        out.append(f"<div>reason: {escape(str(v.reason))}</div>")
    failing = [t for t in v.tests if t.outcome != "passed"]
    if failing:
        out.append(_capped_list("failing tests", failing, _test_item))
    if v.findings:
        out.append(_capped_list("findings", v.findings, _finding_item))
    return f'<div class="why">{"".join(out)}</div>' if out else ""


class _TreeView:
    def __init__(self, tree: Tree, idx: int, pairs: list | None):
        self.t, self.idx = tree, idx
        self.pairs_at: dict[int, int] = {}
        for p in pairs or []:
            self.pairs_at[p.node] = self.pairs_at.get(p.node, 0) + 1
        self.trunk = self._trunk_chain()
        self.on_trunk = set(self.trunk)

    def anchor(self, i: int) -> str:
        return f"t{self.idx}n{i}"

    def _trunk_chain(self) -> list[int]:
        """Root, then the golden nodes in order (following trunk children; id order as a fallback)."""
        if not self.t.nodes:
            return []
        chain, seen, i = [0], {0}, 0
        while True:
            nxt = [c for c in self.t.nodes[i].children if self.t.nodes[c].kind == "trunk" and c not in seen]
            if not nxt:
                break
            i = nxt[0]
            chain.append(i)
            seen.add(i)
        rest = [n.id for n in self.t.nodes if n.kind == "trunk" and n.id not in seen]
        return chain + rest

    def _bp_label(self, n: Node) -> str:
        strat = escape(n.strategy or "branch")
        return f"{strat} v={_num(n.value)}"

    def trunk_html(self) -> str:
        """The golden continuation with a marker at each branching point on it."""
        out = []
        for i in self.trunk:
            n = self.t.nodes[i]
            if n.kind == "trunk":
                out.append(escape(n.text))
            if self._has_block(n):
                out.append(f'<a class="bp" href="#{self.anchor(i)}" title="node {i}: {escape(n.strategy or "")}'
                           f' value {_num(n.value)}, {n.visits} leaves below">{self._bp_label(n)}</a>')
        last = self.t.nodes[self.trunk[-1]] if self.trunk else None
        if last is not None and last.is_leaf:
            st = leaf_status(last)
            out.append(f'<span class="k-{escape(st)}"> ■ golden leaf: {escape(st)} r={_num(last.reward)}</span>')
        return f'<pre class="trunk">{"".join(out)}</pre>'

    def _has_block(self, n: Node) -> bool:
        """A block is drawn for a branching node, or any node with a branch off the trunk."""
        return len(n.children) >= 2 or any(self.t.nodes[c].kind != "trunk" for c in n.children)

    def _prefix_tail(self, n: Node, k: int = 60) -> str:
        text = "".join(self.t.nodes[j].text for j in self.t.path(n.id) if self.t.nodes[j].kind != "root")
        if not text:
            return ""
        tail = text[-k:]
        return f' <span class="ctx">after <code>{"…" if len(text) > k else ""}{escape(tail)}</code></span>'

    def block(self, n: Node) -> str:
        """A branching point: header, then its children (recursively for non-golden internal children)."""
        np_ = self.pairs_at.get(n.id, 0)
        head = (f'<div class="hd"><b>node {n.id}</b> · {escape(n.strategy or "—")} · value {_num(n.value)}'
                f" · {n.visits} leaves · {len(n.children)} children · pairs {np_}{self._prefix_tail(n)}</div>")
        kids = [self.child(self.t.nodes[c]) for c in n.children]
        return f'<div class="bpb" id="{self.anchor(n.id)}">{head}{"".join(kids)}</div>'

    def child(self, c: Node) -> str:
        golden = c.kind == "trunk"
        who = escape(leaf_opponent(c))  # golden, or the opponent that produced the branch
        if c.is_leaf:
            st = leaf_status(c)
            why = _why(c)
            reason = c.verdict.reason if c.verdict is not None else ""
            title = f' title="{escape(str(reason)[:200])}"' if reason else ""
            code = _decision_code(c.text)
            summ = (f'<span class="tag">{escape(st)}</span>{who} · node {c.id}'
                    f'<span class="num">r={_num(c.reward)}</span>')
            if why:
                return (f'<details class="ch {escape(st)}"><summary{title}>{summ}<code class="c">{code}</code></summary>'
                        f"{why}</details>")
            return f'<div class="ch {escape(st)}"><div class="row">{summ}<code class="c">{code}</code></div></div>'
        # internal child
        num = f'<span class="num">v={_num(c.value)} · {c.visits} leaves</span>'
        if golden and c.id in self.on_trunk:
            # the golden continuation: its own branching points are drawn in trunk order
            code = _decision_code(c.text, limit=DECISION_MAX_CHARS * 2)
            link = ""
            nxt = self._next_block_on_trunk(c.id)
            if nxt is not None:
                link = f' <a href="#{self.anchor(nxt)}">→ next branching point (node {nxt})</a>'
            return (f'<div class="ch inner"><div class="row"><span class="tag">golden</span>node {c.id}{num}'
                    f'{link}<code class="c">{code}</code></div></div>')
        label = escape(c.strategy) + " " if c.strategy else ""
        inner = self.block(c) if len(c.children) >= 2 else "".join(self.child(self.t.nodes[g]) for g in c.children)
        return (f'<div class="ch inner"><div class="row"><span class="tag">{label}{who}</span>node {c.id}{num}'
                f'<code class="c">{_decision_code(c.text)}</code></div>{inner}</div>')

    def _next_block_on_trunk(self, i: int) -> int | None:
        pos = self.trunk.index(i)
        for j in self.trunk[pos:]:
            if self._has_block(self.t.nodes[j]):
                return j
        return None

    def section(self, counts: dict) -> str:
        t = self.t
        head = (f'<h2>{escape(t.task_id)} <span class="meta">model {escape(t.model or "?")} · round {t.round}'
                f"</span></h2>")
        prompt = ""
        if t.prompt_text:
            tail, cut = t.prompt_text[-1200:], max(0, len(t.prompt_text) - 1200)
            more = f'<span class="more">… {cut} earlier chars</span>\n' if cut else ""
            prompt = f"<details><summary>prompt (tail)</summary><pre>{more}{escape(tail)}</pre></details>"
        blocks = "".join(self.block(t.nodes[i]) for i in self.trunk if self._has_block(t.nodes[i]))
        return (f'<section class="tree" id="t{self.idx}">{head}{_counts_html(counts)}{prompt}'
                f"{self.trunk_html()}{blocks}</section>")


def render_html(trees: list[Tree], title: str = "sectree trees") -> str:
    """One self-contained HTML page showing ``trees`` (see the module docstring)."""
    pairs = [_pairs(t) for t in trees]
    counts = [tree_counts(t, p) for t, p in zip(trees, pairs)]
    total = summarize(trees, counts)
    style, script = _CSS, _JS
    csp = (f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
           "img-src 'none'; form-action 'none'; base-uri 'none'")
    legend = ('<div class="legend"><span><i class="secure"></i>secure</span>'
              '<span><i class="vulnerable"></i>vulnerable</span><span><i class="broken"></i>broken</span>'
              '<span><i class="inner"></i>internal node (value = mean reward below)</span>'
              '<span><a class="bp">strategy v=value</a> branching point</span>'
              "<span><mark>decision tokens</mark> (first line of a branch)</span>"
              "<span>click a branch: failing tests, findings, reason</span></div>")
    bar = ('<div class="bar"><button data-open="1">expand all</button><button data-open="0">collapse all</button>'
           + "".join(f'<label><input type="checkbox" data-hide="{s}"> hide {s}</label>' for s in STATUSES)
           + "</div>")
    toc_rows = "".join(
        f'<tr><td><a href="#t{i}">{escape(c["task_id"])}</a></td><td>{escape(c["model"] or "?")}</td>'
        f'<td>{c["round"]}</td><td>{c["leaves"]}</td><td class="k-secure">{c["leaves_by_status"]["secure"]}</td>'
        f'<td class="k-vulnerable">{c["leaves_by_status"]["vulnerable"]}</td>'
        f'<td class="k-broken">{c["leaves_by_status"]["broken"]}</td><td>{c["branching_nodes"]}</td>'
        f'<td>{"–" if c["pairs"] is None else c["pairs"]}</td><td>{_num(c["root_value"])}</td></tr>'
        for i, c in enumerate(counts))
    toc = ('<table class="toc"><tr><th>task</th><th>model</th><th>round</th><th>leaves</th><th>secure</th>'
           "<th>vuln</th><th>broken</th><th>branching</th><th>pairs</th><th>root value</th></tr>"
           f"{toc_rows}</table>") if trees else "<p>no trees</p>"
    sections = "".join(_TreeView(t, i, p).section(c) for i, (t, p, c) in enumerate(zip(trees, pairs, counts)))
    data = _json_for_script({"summary": total, "trees": counts})
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        f'<meta name="referrer" content="no-referrer"><title>{escape(title)}</title>'
        f"<style>{style}</style></head>\n<body><h1>{escape(title)}</h1>{_counts_html(total, 'tot')}{legend}{bar}"
        f"{toc}\n{sections}\n"
        f'<script type="application/json" id="sectree-data">{data}</script>'
        f"<script>{script}</script></body></html>\n")


def write_html(trees: list[Tree], path: str | Path, title: str = "sectree trees") -> Path:
    """Render ``trees`` and write the page to ``path`` atomically; returns the path."""
    path = Path(path)
    write_text_atomic(path, render_html(trees, title=title))
    return path
