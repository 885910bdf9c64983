"""Span leaves: a branch is the opponent's decision span; the golden body resumes after it.

At a ``diff`` node the branch starts where the secure and unsafe hunks first differ (``tasks.decisions``) and
runs to the end of the statement (``span_end``, the evaluation's span rule); at ``entropy``/``oracle``
nodes it runs to the end of the golden statement the node sits in and rejoins at the next golden line. The
judged candidate is the golden text before the node + the span + the golden body after the secure span
(the rejoined suffix is never sampled). Forking stays on the prefilled trunk cache, so a branch must start
at a token boundary: the node sits on the golden token that contains the decision point, and the few
characters of that token before the point (``lead``) belong to every continuation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sectree.tasks import Task
from sectree.tasks.decisions import Decision, span_end
from sectree.tree.nodes import Golden, RiskNode

FENCE = "```"


@dataclass(frozen=True)
class SpanPoint:
    """Where span branches start on the golden trunk, and how the golden body resumes after them."""

    position: int
    """Golden token index the branches start at (the token containing the decision point)."""
    char: int
    """Offset in ``golden.text`` where that token starts."""
    language: str
    """Task language (for ``span_end``)."""
    head: str
    """The current line before ``char`` (scanned first by ``span_end``: brackets opened before count)."""
    indent: str
    """Leading whitespace of the statement at the point."""
    block: bool
    """The secure span is (or opens) a compound statement: a span runs to the end of its block."""
    secure_end: int
    """Offset in ``golden.text`` where the secure span ends (the golden body resumes there)."""
    suffix: str
    """The golden body after the secure span."""
    unsafe: tuple[str, ...] = ()
    """Reference continuations from ``char`` (the unsafe hunks at this point, one per distinct variant)."""
    statements: int = 1
    """How many statements the secure span holds (``Decision.statements``): a sampled span runs as many (an
    inserted check takes the next shared line with it; one statement would splice a broken program)."""
    strategy: str = "diff"
    """The risk-node strategy that put the node here."""

    def end(self, text: str, pre: str = "") -> int | None:
        """Where a continuation ``text`` (after ``pre``, text the branch already holds) ends its span, or None.

        A closing markdown fence also ends it (a chat model closing its answer). Leading blank lines (a token
        that merges the newline with the next line's indentation) are skipped before the statement starts.
        """
        full = pre + text
        j = 0
        while j < len(full) and full[j] in " \t\r\n":
            j += 1
        j = full.rfind("\n", 0, j) + 1  # keep the indentation of the line the statement starts on
        if j == 0:
            e = span_end(full, self.language, block=self.block, indent=self.indent, head=self.head,
                         statements=self.statements)
        else:
            e = span_end(full[j:], self.language, block=self.block, indent=self.indent, statements=self.statements)
            e = None if e is None else e + j
        fence = full.find(FENCE, len(pre))
        if fence >= 0 and (e is None or fence < e):
            e = fence
        return None if e is None else max(e - len(pre), 0)

    def stop(self, pre: str = "") -> "SpanStop":
        return SpanStop(self, pre)


@dataclass(frozen=True)
class SpanStop:
    """A stop rule for the sampler (the ``StopRule`` interface: ``scanner()``) that ends a row at its span end."""

    point: SpanPoint
    pre: str = ""
    """Text of the branch before the sampled text (a depth-2 fork's branch tokens)."""

    def scanner(self) -> "_SpanScanner":
        return _SpanScanner(self)

    def cut(self, text: str) -> int | None:
        return self.point.end(text, self.pre)


class _SpanScanner:
    """Re-runs ``span_end`` on the text so far after every chunk (spans are short: O(n^2) on ~100 chars)."""

    def __init__(self, rule: SpanStop) -> None:
        self.rule, self.text = rule, ""

    def feed(self, chunk: str) -> int | None:
        self.text += chunk
        return self.rule.cut(self.text)


# ------------------------------------------------------------------------------------------ where spans start


def _line_before(trunk_code: str, golden: Golden, char: int) -> str:
    before = trunk_code + golden.text[:char]
    return before[before.rfind("\n") + 1:]


def _token_at_or_before(golden: Golden, char: int) -> int:
    """The golden token containing ``char`` (the last one starting at or before it)."""
    pos = 0
    for i, off in enumerate(golden.offsets):
        if off > char:
            break
        pos = i
    return pos


def decision_points(task: Task, golden: Golden, code: str, decisions: list[Decision]) -> list[SpanPoint]:
    """One point per distinct decision position; decisions of several unsafe variants at one point merge (the
    first one's statement count holds); decisions that are not ``aligned`` get no point."""
    by_pos: dict[int, SpanPoint] = {}
    for d in decisions:
        if not d.aligned:  # no span of whole statements reproduces the secure hunk here (as in span mode)
            continue
        dchar = golden.body_start + len(d.prefix)
        pos = _token_at_or_before(golden, dchar)
        char = golden.offsets[pos] if pos < len(golden.offsets) else dchar
        lead = golden.text[char:dchar]
        old = by_pos.get(pos)
        if old is not None:
            if lead + d.unsafe not in old.unsafe:
                by_pos[pos] = replace(old, unsafe=old.unsafe + (lead + d.unsafe,))
            continue
        by_pos[pos] = SpanPoint(position=pos, char=char, language=task.language,
                                head=_line_before(code, golden, char), indent=d.indent, block=d.block,
                                secure_end=dchar + len(d.secure), suffix=d.suffix, unsafe=(lead + d.unsafe,),
                                strategy="diff", statements=d.statements)
    return [by_pos[p] for p in sorted(by_pos)]


def statement_point(task: Task, golden: Golden, code: str, node: RiskNode) -> SpanPoint | None:
    """A point at an entropy/oracle node: the golden statement it sits in ends the span (None outside the body)."""
    char = golden.offsets[node.position]
    body_end = golden.body_start + len(golden.body)
    if char < golden.body_start or char >= body_end:
        return None
    head = _line_before(code, golden, char)
    line = head + golden.text[char:body_end].split("\n", 1)[0]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    p = SpanPoint(position=node.position, char=char, language=task.language, head=head, indent=indent,
                  block=False, secure_end=body_end, suffix="", strategy=node.strategy)
    e = p.end(golden.text[char:body_end])
    end = body_end if e is None else char + e
    return replace(p, secure_end=end, suffix=golden.text[end:body_end])


def splice(task: Task, golden: Golden, code: str, point: SpanPoint, span: str) -> str:
    """The candidate program: golden text up to the point + ``span`` + the golden body after the secure span.

    ``code`` is the trunk's prompt code (``task.prompt`` right-stripped); ``code + golden.text`` starts with
    ``task.prompt + task.solution``, so ``splice(.., golden.text[char:secure_end])`` is the reference source."""
    return task.header + code + golden.text[:point.char] + span + point.suffix + task.entrypoint
