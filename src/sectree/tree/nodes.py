"""Risk nodes: where on the golden path to branch, found without a paid LLM.

Strategies (a small registry; each returns ``RiskNode``s = token positions on the golden continuation):

- ``diff``: line-diff the secure and the unsafe reference (or a fix's after/before versions) and put a node
  at the start of every line of the secure version the fix touched;
- ``oracle``: from policy samples the oracle judged vulnerable, take the lines named by analyzer findings and,
  for failing security tests, the first line where the sample departs from the golden body; map each to
  the closest golden line;
- ``entropy``: the top-k positions of the policy's token entropy along the golden path (teacher-forced);
- ``union``: any combination, deduplicated and capped per task (earlier strategies have priority).
(The TSP authors had GPT-4o pick one line per node.)
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable, Sequence

from sectree.errors import SectreeError
from sectree.oracle.analyzers import counts_as_vulnerability
from sectree.oracle.verdict import Verdict
from sectree.settings import STRATEGIES, check_strategies  # noqa: F401  (re-exported)
from sectree.tasks import divergent_lines


@dataclass(frozen=True)
class RiskNode:
    position: int
    """Token index into the golden continuation: branch *before* this token."""
    strategy: str
    line: int | None = None
    """0-based line of the golden body, when the node sits at a line start."""


@dataclass
class Golden:
    """The golden continuation as the model sees it: token ids, their character offsets, the body lines."""

    ids: list[int]
    text: str
    offsets: list[int]
    """offsets[i] = character offset in ``text`` where token i starts (len(offsets) == len(ids))."""
    body_start: int
    """Character offset in ``text`` where the task's solution body starts."""
    body: str
    """The solution body (``task.solution``)."""
    entropies: list[float] | None = None
    """Teacher-forced policy entropy at each golden token (filled by the tree builder)."""

    def line_start_char(self, line: int) -> int:
        lines = self.body.splitlines(keepends=True)
        line = max(0, min(line, len(lines)))
        start = self.body_start + sum(len(x) for x in lines[:line])
        if line < len(lines):  # skip the indentation: the decision starts at the first code character
            start += len(lines[line]) - len(lines[line].lstrip(" \t"))
        return start

    def token_at_char(self, char: int) -> int:
        """The first token that starts at or after ``char`` (a node branches before that token)."""
        for i, off in enumerate(self.offsets):
            if off >= char:
                return i
        return len(self.ids)

    def node_at_line(self, line: int, strategy: str) -> RiskNode:
        return RiskNode(self.token_at_char(self.line_start_char(line)), strategy, line)


def token_offsets(decode: Callable[[list[int]], str], ids: Sequence[int]) -> list[int]:
    """Character offset where each token starts, from decoding growing prefixes (O(n^2) decode, n ~ 200)."""
    return [len(decode(list(ids[:i]))) for i in range(len(ids))]


# ------------------------------------------------------------------------------------------ strategies


def diff_nodes(golden: Golden, unsafe_body: str) -> list[RiskNode]:
    """A node at the start of each golden body line the secure->unsafe diff touches."""
    return [golden.node_at_line(i, "diff") for i in divergent_lines(golden.body, unsafe_body)]


def _candidate_body(candidate: str, context: str) -> str:
    """The part of a candidate after the prompt, when it starts with it; else the whole candidate."""
    i = candidate.find(context.strip()) if context.strip() else -1
    return candidate[i + len(context.strip()):].lstrip("\n") if i >= 0 else candidate


def oracle_nodes(golden: Golden, vulnerable: Sequence[tuple[str, Verdict]], context: str) -> list[RiskNode]:
    """Nodes at golden lines matching where judged-vulnerable samples go wrong.

    ``vulnerable``: (candidate source, verdict) of samples judged vulnerable. Each finding that counts
    as a vulnerability names a candidate line; its text is matched to the most similar golden body line.
    A failing security test names no line: the first line where the sample's body departs from the golden
    body is used instead.
    """
    gold_lines = [ln.strip() for ln in golden.body.splitlines()]
    out: list[RiskNode] = []
    for cand, verdict in vulnerable:
        cand_lines = cand.splitlines()
        for f in verdict.findings:
            if not counts_as_vulnerability(f) or not 1 <= f.line <= len(cand_lines):
                continue
            text = cand_lines[f.line - 1].strip()
            match = difflib.get_close_matches(text, gold_lines, n=1, cutoff=0.5)
            if match:
                out.append(golden.node_at_line(gold_lines.index(match[0]), "oracle"))
        if verdict.failed_security:
            lines = divergent_lines(golden.body, _candidate_body(cand, context))
            if lines:
                out.append(golden.node_at_line(lines[0], "oracle"))
    return out


def entropy_nodes(golden: Golden, k: int, min_gap: int = 4) -> list[RiskNode]:
    """The ``k`` highest-entropy golden tokens, at least ``min_gap`` tokens apart."""
    if golden.entropies is None:
        raise SectreeError("entropy risk nodes need the policy's entropies along the golden path")
    order = sorted(range(len(golden.entropies)), key=lambda i: -golden.entropies[i])
    picked: list[int] = []
    for i in order:
        if len(picked) >= k:
            break
        if all(abs(i - j) >= min_gap for j in picked):
            picked.append(i)
    return [RiskNode(i, "entropy") for i in sorted(picked)]


def union(groups: Sequence[Sequence[RiskNode]], cap: int, min_gap: int = 2) -> list[RiskNode]:
    """Merge node lists in priority order, dropping near-duplicates (< ``min_gap`` tokens apart); cap."""
    out: list[RiskNode] = []
    for group in groups:
        for n in group:
            if len(out) >= cap:
                break
            if all(abs(n.position - m.position) >= min_gap for m in out):
                out.append(n)
    return sorted(out, key=lambda n: n.position)


