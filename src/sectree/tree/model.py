"""The TSP tree: data model, value backup, pair extraction, JSONL (de)serialisation.

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

Leaves carry the assembled candidate, its Verdict (as a dict) and a reward; internal nodes carry the
backed-up value (mean reward of the leaves below) and visits (number of leaves below).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from sectree.errors import SectreeError
from sectree.io import append_jsonl, read_jsonl

REWARDS_DEFAULT = {"secure": 1.0, "vulnerable": 0.0, "broken": 0.0}


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
    kind: str
    """'root', 'trunk' (golden tokens) or 'sample' (sampled by the opponent)."""
    children: list[int] = field(default_factory=list)
    strategy: str = ""
    """Why the node's end is a branching point ('diff', 'oracle', 'entropy', 'depth2'); '' if not one."""
    logprobs: list[float] = field(default_factory=list)
    """Opponent log-probs of the segment's tokens (sampled nodes; empty for trunk)."""
    entropies: list[float] = field(default_factory=list)
    # leaves
    candidate: str | None = None
    verdict: dict | None = None
    reward: float | None = None
    # backed up
    value: float | None = None
    visits: int = 0

    @property
    def is_leaf(self) -> bool:
        return not self.children and self.kind != "root"


@dataclass
class Pair:
    """One preference pair at a node: chosen and rejected continuations of the same prefix."""

    task_id: str
    node: int
    prefix_ids: list[int]
    """Tokens after the trunk start shared by both continuations (the node's prefix)."""
    chosen_ids: list[int]
    rejected_ids: list[int]
    chosen_status: str
    rejected_status: str
    chosen_leaf: int
    rejected_leaf: int


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

    def add(self, parent: int | None, segment: list[int], text: str, kind: str, **kw) -> Node:
        prefix = 0 if parent is None else self.nodes[parent].prefix_len + len(self.nodes[parent].segment)
        n = Node(id=len(self.nodes), parent=parent, prefix_len=prefix, segment=list(segment), text=text, kind=kind, **kw)
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

    # ------------------------------------------------------------------ values
    def backup(self) -> None:
        """value(node) = mean reward of the leaves below it; visits = their number (post-order)."""

        def visit(i: int) -> tuple[float, int]:
            n = self.nodes[i]
            if n.is_leaf:
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
    def best_leaf(self, i: int, worst: bool = False) -> Node:
        """The leaf below ``i`` with the highest (lowest) reward; ties go to golden/earlier leaves."""
        leaves = list(self.leaves(i))
        key = (lambda n: (n.reward, n.kind == "trunk")) if not worst else (lambda n: (-n.reward, n.kind != "trunk"))
        return max(leaves, key=key)

    def pairs(self, mode: str = "oracle", max_per_node: int = 4) -> list[Pair]:
        """Preference pairs.

        ``oracle`` (ours): at every internal node whose children differ in value, the best child's best leaf
        is chosen and each strictly worse child's worst leaf is rejected (distinct continuations, up to
        ``max_per_node``). ``paper`` (the authors' code): the golden continuation is chosen against every
        sampled branch at a trunk node, whatever the branch's verdict.
        """
        out: list[Pair] = []
        for n in self.nodes:
            if len(n.children) < 2:
                continue
            node_end = n.prefix_len + len(n.segment)
            prefix = self.tokens_to(n.id) if n.kind != "root" else []
            kids = [self.nodes[c] for c in n.children]
            if mode == "paper":
                golden = [k for k in kids if k.kind == "trunk"]
                if not golden:
                    continue
                win = self.best_leaf(golden[0].id)
                losers = [(k, self.best_leaf(k.id, worst=True)) for k in kids if k.kind != "trunk"]
            elif mode == "oracle":
                best = max(kids, key=lambda k: (k.value, k.kind == "trunk"))
                win = self.best_leaf(best.id)
                losers = [(k, self.best_leaf(k.id, worst=True)) for k in kids
                          if k.value is not None and best.value is not None and k.value < best.value]
                losers.sort(key=lambda kl: kl[0].value)
            else:
                raise SectreeError(f"unknown pair mode {mode!r} (oracle or paper)")
            chosen = self.tokens_to(win.id)[node_end:]
            seen: set[tuple[int, ...]] = set()
            for _, leaf in losers:
                rej = self.tokens_to(leaf.id)[node_end:]
                if tuple(rej) in seen or rej == chosen:
                    continue
                seen.add(tuple(rej))
                out.append(Pair(self.task_id, n.id, prefix, chosen, rej,
                                (win.verdict or {}).get("status", "secure"), (leaf.verdict or {}).get("status", "?"),
                                win.id, leaf.id))
                if len([p for p in out if p.node == n.id]) >= max_per_node:
                    break
        return out

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict:
        return {"task_id": self.task_id, "prompt_ids": self.prompt_ids, "prompt_text": self.prompt_text,
                "model": self.model, "round": self.round, "stats": self.stats,
                "nodes": [asdict(n) for n in self.nodes]}

    @classmethod
    def from_dict(cls, d: dict) -> "Tree":
        try:
            nodes = [Node(**n) for n in d["nodes"]]
            return cls(task_id=d["task_id"], prompt_ids=list(d["prompt_ids"]), prompt_text=d.get("prompt_text", ""),
                       nodes=nodes, model=d.get("model", ""), round=int(d.get("round", 0)), stats=d.get("stats", {}))
        except (KeyError, TypeError) as e:
            raise SectreeError(f"not a sectree tree record ({e})") from None


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
