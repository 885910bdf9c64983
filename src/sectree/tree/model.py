"""The TSP tree: data model, value backup, the pair rule, JSONL (de)serialisation.

A tree belongs to one task. Token sequences are relative to the *trunk start*: the model input up to the
first token of the golden body (``prompt_ids``). Every node is a token **segment** hanging off its parent's
end; the tokens before a node are its ancestors' segments, so ``prefix_len`` is the sum of their lengths.

    root (segment [], the prompt)
     └─ trunk 0: golden g[0:p1]                          (prefix_len 0)
         ├─ trunk 1: golden g[p1:p2]                      (prefix_len p1)
         │   ├─ trunk 2: golden g[p2:]  -> golden leaf    (secure by definition, reward 1)
         │   └─ sampled leaves from g[:p2] ...
         └─ sampled leaves from g[:p1]: s[0:]   (depth 2: a leaf can be split at an entropy peak q into
                                                  s[0:q] with children s[q:] and new samples from g[:p1]+s[:q])

Span leaves (``tree.leaf: span``): a sampled leaf holds only the opponent's decision span (to the end of the
statement); the golden body resumes after it in the judged candidate, but those rejoined tokens are not part
of the tree. The branching trunk node then records ``span_end``, where the golden (secure) span ends on the
trunk, so the golden side of a pair is the secure span too, not the whole rest of the body.

Leaves carry the assembled candidate, its ``Verdict``, a reward and the ``Opponent`` that produced them;
internal nodes carry the backed-up value (mean reward of the leaves below) and visits (leaves below).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import Iterator

from sectree.errors import SectreeError
from sectree.io import append_jsonl, read_jsonl
from sectree.oracle.verdict import Status, Verdict
from sectree.settings import REWARDS_DEFAULT, Opponent  # noqa: F401  (closed sets live with the configs)



class NodeKind(str, Enum):
    """root: the prompt; trunk: golden tokens; sample: tokens an opponent produced."""

    ROOT = "root"
    TRUNK = "trunk"
    SAMPLE = "sample"


class PairKind(str, Enum):
    """What a pair teaches: security (the rejected leaf is vulnerable) or function (it is broken)."""

    SECURITY = "security"
    FUNCTION = "function"


class PairRule(str, Enum):
    """oracle: our rule (``Tree.pairs``); paper: the TSP authors' golden-vs-every-branch rule."""

    ORACLE = "oracle"
    PAPER = "paper"


@dataclass
class Node:
    id: int
    parent: int | None
    prefix_len: int
    """Tokens (after the trunk start) before this node's segment."""
    segment: list[int]
    """This node's own token ids."""
    text: str
    """Decoded segment."""
    kind: NodeKind
    """root, trunk (golden tokens) or sample (produced by an opponent)."""
    children: list[int] = field(default_factory=list)
    strategy: str = ""
    """Why the node's end is a branching point ('diff', 'oracle', 'entropy', 'depth2'); '' if not one."""
    logprobs: list[float] = field(default_factory=list)
    """Opponent log-probs of the segment's tokens (sampled nodes; empty for trunk and reference leaves)."""
    entropies: list[float] = field(default_factory=list)
    opponent: Opponent | None = None
    """Who produced a sampled node (None for root and trunk)."""
    span_end: int | None = None
    """Branching trunk node in span mode: trunk-relative token index where the secure span ends (None: the
    golden side runs to the end of the body)."""
    # leaves
    candidate: str | None = None
    verdict: Verdict | None = None
    reward: float | None = None
    # backed up
    value: float | None = None
    visits: int = 0

    @property
    def is_leaf(self) -> bool:
        return not self.children and self.kind != NodeKind.ROOT

    @property
    def status(self) -> Status | None:
        """The leaf's verdict status (None if unjudged)."""
        return self.verdict.status if self.verdict is not None else None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["kind"] = self.kind.value
        d["opponent"] = self.opponent.value if self.opponent is not None else None
        d["verdict"] = self.verdict.to_dict() if self.verdict is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict, task_id: str) -> "Node":
        d = dict(d)
        d["kind"] = NodeKind(d["kind"])
        d["opponent"] = Opponent(d["opponent"]) if d.get("opponent") else None
        if d.get("verdict") is not None:
            v = d["verdict"]
            # trees written before verdicts were typed stored the golden leaf as {"status": "secure", ...}:
            # fill the fields it lacks (a reference solution parses) so such files still load
            d["verdict"] = Verdict.from_dict({"task_id": task_id, "parseable": v.get("status") != "broken", **v})
        return cls(**d)


@dataclass
class Pair:
    """One preference pair at a node: chosen and rejected continuations of the same prefix."""

    task_id: str
    node: int
    prefix_ids: list[int]
    """Tokens after the trunk start shared by both continuations (the node's prefix)."""
    chosen_ids: list[int]
    rejected_ids: list[int]
    chosen_status: Status
    rejected_status: Status
    chosen_leaf: int
    rejected_leaf: int
    kind: PairKind = PairKind.SECURITY
    """security (rejected leaf vulnerable) or function (rejected leaf broken); weights the loss term."""
    opponent: Opponent | None = None
    """Who produced the rejected leaf."""

    @classmethod
    def from_dict(cls, d: dict) -> "Pair":
        """A pair from a pairs.jsonl row (extra keys such as the decoded texts are ignored)."""
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        kw["chosen_status"], kw["rejected_status"] = Status(kw["chosen_status"]), Status(kw["rejected_status"])
        kw["kind"] = PairKind(kw.get("kind", PairKind.SECURITY.value))
        kw["opponent"] = Opponent(kw["opponent"]) if kw.get("opponent") else None
        return cls(**kw)


@dataclass
class Tree:
    task_id: str
    prompt_ids: list[int]
    """Model input up to the trunk start (chat-rendered prompt + the task prompt's code)."""
    prompt_text: str
    nodes: list[Node]
    model: str = ""
    round: int = 0
    stats: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ structure
    def node(self, i: int) -> Node:
        return self.nodes[i]

    def add(self, parent: int | None, segment: list[int], text: str, kind: NodeKind | str, **kw) -> Node:
        prefix = 0 if parent is None else self.nodes[parent].prefix_len + len(self.nodes[parent].segment)
        n = Node(id=len(self.nodes), parent=parent, prefix_len=prefix, segment=list(segment), text=text,
                 kind=NodeKind(kind), **kw)
        self.nodes.append(n)
        if parent is not None:
            self.nodes[parent].children.append(n.id)
        return n

    def path(self, i: int) -> list[int]:
        """Node ids from the root to ``i``."""
        out = []
        while i is not None:
            out.append(i)
            i = self.nodes[i].parent
        return out[::-1]

    def tokens_to(self, i: int) -> list[int]:
        """All tokens from the trunk start through the end of node ``i``."""
        return [t for j in self.path(i) for t in self.nodes[j].segment]

    def leaves(self, i: int = 0) -> Iterator[Node]:
        n = self.nodes[i]
        if n.is_leaf:
            yield n
        for c in n.children:
            yield from self.leaves(c)

    def node_leaves(self, i: int) -> list[tuple[int, Node]]:
        """The continuations *of node i*: (child id, leaf) for the leaves below its sampled children and the
        golden leaf below its trunk child. Sampled leaves further down the trunk belong to later nodes."""
        out = []
        for c in self.nodes[i].children:
            for leaf in self.leaves(c):
                if self.nodes[c].kind != NodeKind.TRUNK or leaf.kind == NodeKind.TRUNK:
                    out.append((c, leaf))
        return out

    # ------------------------------------------------------------------ values
    def backup(self) -> None:
        """value(node) = mean reward of the leaves below it; visits = their number (post-order).

        Unjudged leaves (tasks without tests: no rule decided, ``Status.UNJUDGED``) have no reward and are left
        out: value and visits count the judged leaves only (a node with none has value None)."""

        def visit(i: int) -> tuple[float, int]:
            n = self.nodes[i]
            if n.is_leaf:
                if n.reward is None and n.status == Status.UNJUDGED:
                    n.value, n.visits = None, 0
                    return 0.0, 0
                if n.reward is None:
                    raise ValueError(f"tree {self.task_id}: leaf {i} has no reward")
                n.value, n.visits = n.reward, 1
                return n.reward, 1
            tot, cnt = 0.0, 0
            for c in n.children:
                s, k = visit(c)
                tot, cnt = tot + s * k, cnt + k
            n.value, n.visits = (tot / cnt if cnt else None), cnt
            return (n.value or 0.0), cnt

        visit(0)

    # ------------------------------------------------------------------ pairs
    def continuation(self, node: Node, leaf: Node) -> list[int]:
        """The tokens of ``leaf`` after ``node``'s end; the golden side stops at the node's ``span_end``."""
        end = node.prefix_len + len(node.segment)
        toks = self.tokens_to(leaf.id)[end:]
        if leaf.kind == NodeKind.TRUNK and node.span_end is not None:
            toks = toks[: node.span_end - end]
        return toks

    def pairs(self, rule: PairRule | str = PairRule.ORACLE, max_per_node: int | None = None) -> list[Pair]:
        """Preference pairs at every branching node (see ``node_pairs``), in node order."""
        try:
            rule = PairRule(rule)
        except ValueError:
            raise SectreeError(f"unknown pair rule {rule!r}: use {' or '.join(r.value for r in PairRule)}") from None
        out: list[Pair] = []
        for n in self.nodes:
            if len(n.children) >= 2:
                out += node_pairs(self, n, rule, max_per_node)
        return out

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict:
        return {"task_id": self.task_id, "prompt_ids": self.prompt_ids, "prompt_text": self.prompt_text,
                "model": self.model, "round": self.round, "stats": self.stats,
                "nodes": [n.to_dict() for n in self.nodes]}

    @classmethod
    def from_dict(cls, d: dict) -> "Tree":
        try:
            nodes = [Node.from_dict(n, d["task_id"]) for n in d["nodes"]]
            return cls(task_id=d["task_id"], prompt_ids=list(d["prompt_ids"]), prompt_text=d.get("prompt_text", ""),
                       nodes=nodes, model=d.get("model", ""), round=int(d.get("round", 0)), stats=d.get("stats", {}))
        except KeyError as e:
            raise SectreeError(f"not a sectree tree record (missing field {e})") from None
        except (TypeError, ValueError, AttributeError) as e:
            raise SectreeError(f"not a sectree tree record ({e})") from None


# ------------------------------------------------------------------------------------------ the pair rule


def node_pairs(tree: Tree, n: Node, rule: PairRule, max_per_node: int | None = None) -> list[Pair]:
    """Pairs at branching node ``n``; the one rule every method uses (tsp, selfplay; tsp-paper uses ``paper``).

    Only the continuations of ``n`` take part (``Tree.node_leaves``: its sampled subtrees and the golden
    leaf). ``oracle`` (ours): every non-secure one is rejected — a vulnerable one as a ``security``
    pair, a broken one as a ``function`` pair — against a secure leaf from a *different* child of ``n`` (so
    the pair diverges exactly at ``n``): the sampled secure leaves in turn, else the golden leaf; no pair if
    neither exists. Vulnerable leaves come first, so a ``max_per_node`` cap keeps security pairs.
    ``paper`` (the authors' code): the golden continuation against every sampled branch at a trunk node,
    whatever its verdict (kind ``function`` if the branch is broken, else ``security``: the paper treats
    every branch as the insecure one).
    """
    child_of = {leaf.id: c for c, leaf in tree.node_leaves(n.id)}
    leaves = [tree.nodes[i] for i in child_of]
    golden = [x for x in leaves if x.kind == NodeKind.TRUNK]
    if rule == PairRule.PAPER:
        if not golden:
            return []
        chosen_for = {x.id: golden[0] for x in leaves if x.kind != NodeKind.TRUNK}
        rejected = [x for x in leaves if x.kind != NodeKind.TRUNK]
    else:
        secure = [x for x in leaves if x.status == Status.SECURE and x.kind != NodeKind.TRUNK]
        rejected = sorted((x for x in leaves if x.status in (Status.VULNERABLE, Status.BROKEN)),
                          key=lambda x: (x.status != Status.VULNERABLE, x.id))
        chosen_for, turn = {}, 0
        for x in rejected:
            pool = [s for s in secure if child_of[s.id] != child_of[x.id]]
            if pool:
                chosen_for[x.id] = pool[turn % len(pool)]
                turn += 1
            elif golden and child_of[golden[0].id] != child_of[x.id]:
                chosen_for[x.id] = golden[0]
    out: list[Pair] = []
    seen: set[tuple[int, ...]] = set()
    prefix = tree.tokens_to(n.id) if n.kind != NodeKind.ROOT else []
    for x in rejected:
        win = chosen_for.get(x.id)
        if win is None:
            continue
        chosen, rej = tree.continuation(n, win), tree.continuation(n, x)
        if not chosen or not rej or tuple(rej) in seen or rej == chosen:
            continue
        seen.add(tuple(rej))
        kind = PairKind.FUNCTION if x.status == Status.BROKEN else PairKind.SECURITY
        out.append(Pair(tree.task_id, n.id, prefix, chosen, rej, win.status or Status.SECURE,
                        x.status or Status.BROKEN, win.id, x.id, kind, x.opponent))
        if max_per_node is not None and len(out) >= max_per_node:
            break
    return out


def pair_counts(pairs: list[Pair]) -> dict[str, int]:
    """``pairs/…`` counts: total, by kind and by the rejected leaf's opponent."""
    out = {"pairs/total": len(pairs)}
    for k in PairKind:
        out[f"pairs/{k.value}"] = sum(p.kind == k for p in pairs)
    for o in Opponent:
        out[f"pairs/{o.value}"] = sum(p.opponent == o for p in pairs)
    return out


def save_trees(path: str | Path, trees: list[Tree]) -> None:
    """Append trees, one JSON line each, atomically per call."""
    append_jsonl(path, [t.to_dict() for t in trees])


def load_trees(path: str | Path) -> list[Tree]:
    out = []
    for i, d in enumerate(read_jsonl(path)):
        try:
            out.append(Tree.from_dict(d))
        except SectreeError as e:
            raise SectreeError(f"{path}:{i + 1}: {e}") from None
    return out


def dumps(tree: Tree) -> str:
    return json.dumps(tree.to_dict())
