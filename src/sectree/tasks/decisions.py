"""Decision points: where a task's secure and unsafe references part, as pure text.

A *decision* is one hunk of the line diff between the secure body (``task.solution``) and an unsafe body.
Its *point* is the first character where the two hunks differ, so text both share (``subprocess.run(``)
stays context. From there the secure continuation runs to the end of the secure hunk and the unsafe one to
the end of the unsafe hunk; the golden body resumes after the secure hunk (``suffix``). Evaluation modes and
the tree builder use the same three pieces:

- ``--mode choice`` scores ``secure`` and ``unsafe`` teacher-forced after the context (the prompt + ``prefix``);
- ``--mode span`` lets the model write from the point until ``span_end`` says its statement ended, and the
  oracle judges ``splice(task, d, span)``;
- span leaves of a tree are spliced the same way.

Rules (fixed; other code relies on them):

- hunks come from a whitespace-insensitive line diff that ignores blank lines (like ``divergent_lines``);
- the point never splits an identifier or a number: ``os.path.commonpath`` vs ``os.path.commonprefix``
  has its point after ``os.path.``;
- a pure insertion or deletion hunk (one side empty) is extended by the next shared line (at the end of
  the body: the previous one), so neither continuation is empty;
- invariant: ``prefix + secure + suffix == task.solution``, hence
  ``splice(task, d, d.secure) == task.reference_source``.

Pure text: no torch, no policy (tasks layer).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sectree.tasks.assemble import fix_go_header_imports, go_known_imports

LANGUAGE_KINDS = {"python": "python", "c": "brace", "cpp": "brace", "go": "brace", "js": "brace"}
"""Languages ``span_end`` knows; every brace language shares one scanner (with per-language details)."""


@dataclass(frozen=True)
class Decision:
    """One place where the secure and an unsafe reference part (see the module docstring)."""

    task_id: str
    """The task's id."""
    index: int
    """0-based hunk index within the task (for this unsafe variant)."""
    variant: int
    """Which unsafe reference: 0 for the first/only one; CWEval-style tasks may have several."""
    line: int
    """0-based line of ``task.solution`` where the secure hunk starts."""
    prefix: str
    """``task.solution`` up to the decision point."""
    secure: str
    """Secure continuation: from the decision point to the end of the secure hunk."""
    unsafe: str
    """Unsafe continuation: from the decision point to the end of the unsafe hunk."""
    suffix: str
    """``task.solution`` after the secure hunk (the golden body resumes here)."""
    block: bool
    """The secure hunk is (or opens, and holds the whole of) a compound statement: a span runs to the end of
    its block. False when the hunk is a simple statement, or only a compound statement's header line."""
    statements: int = 1
    """How many statements (judged with ``block``) the secure continuation holds: a span runs as many
    (``span_end(..., statements=d.statements)``) so that it replaces the whole secure hunk."""
    aligned: bool = True
    """The secure continuation is exactly ``statements`` whole statements, so a span can reproduce the
    reference. False where the hunk cuts across a compound statement (from inside a ``try`` body into its
    ``except`` clause, say): span mode skips such decisions (choice mode does not need statements)."""

    @property
    def head(self) -> str:
        """The current line up to the decision point (the tail of ``prefix`` after its last newline).

        Pass it to ``span_end(..., head=d.head)`` so brackets and keywords opened before the point count.
        """
        return self.prefix[self.prefix.rfind("\n") + 1 :]

    @property
    def indent(self) -> str:
        """Leading whitespace of the statement at the decision point (the line of ``head + secure``)."""
        line = self.head + self.secure
        return line[: len(line) - len(line.lstrip(" \t"))]

    def to_dict(self) -> dict:
        return {
            "task_id": self.task_id,
            "index": self.index,
            "variant": self.variant,
            "line": self.line,
            "block": self.block,
            "statements": self.statements,
            "aligned": self.aligned,
            "prefix": self.prefix,
            "secure": self.secure,
            "unsafe": self.unsafe,
            "suffix": self.suffix,
        }


# --------------------------------------------------------------------------------------------------
# decisions and splicing

_SENTINEL = "\n\x00\n"
"""Appended after a body when judging its statements, so a statement that ends the body is seen to end."""


def unsafe_bodies(task) -> list[str]:
    """Every unsafe body of ``task`` in variant order: ``task.unsafe_variants`` (CWEval's numbered unsafe
    references; its first is ``unsafe_solution``) or, where it is empty or absent, ``(unsafe_solution,)``."""
    variants = [v if isinstance(v, str) else v.unsafe_solution for v in getattr(task, "unsafe_variants", None) or ()]
    return variants or [task.unsafe_solution]


def decisions(task) -> list[Decision]:
    """Every hunk where the secure body and an unsafe body differ, for every unsafe variant, in order."""
    out: list[Decision] = []
    for variant, unsafe in enumerate(unsafe_bodies(task)):
        out.extend(body_decisions(task.id, task.language, task.solution, unsafe, variant=variant))
    return out


def body_decisions(task_id: str, language: str, solution: str, unsafe: str, *, variant: int = 0) -> list[Decision]:
    """``decisions`` for one (secure body, unsafe body) pair of texts."""
    s_lines = solution.splitlines(keepends=True)
    u_lines = unsafe.splitlines(keepends=True)
    s_offsets = _offsets(s_lines)
    out: list[Decision] = []
    hunks = _hunks(s_lines, u_lines)
    h = 0
    while h < len(hunks):
        s0, s1, u0, u1 = hunks[h]
        s_text = "".join(s_lines[s0:s1])
        u_text = "".join(u_lines[u0:u1])
        k = _decision_point(s_text, u_text)
        start = s_offsets[s0] + k
        end = s_offsets[s1]
        secure = solution[start:end]
        prefix, suffix = solution[:start], solution[end:]
        grown = _grow_to_statement(hunks, h, s_lines, u_lines, s_offsets, prefix, secure, suffix, language)
        if grown:
            continue  # the hunk now ends where its statement does (or merged with the next one): redo it
        h += 1
        block, count, aligned = _statement_shape(prefix, secure, suffix, language)
        out.append(
            Decision(
                task_id=task_id,
                index=len(out),
                variant=variant,
                line=s0,
                prefix=prefix,
                secure=secure,
                unsafe=u_text[k:],
                suffix=suffix,
                block=block,
                statements=count,
                aligned=aligned,
            )
        )
    return out


def _grow_to_statement(
    hunks: list, h: int, s_lines: list[str], u_lines: list[str], s_offsets: list[int],
    prefix: str, secure: str, suffix: str, language: str,
) -> bool:
    """If the statement at the point runs past the secure hunk (a multi-line call whose first line
    differs), extend hunk ``h`` on both sides by the shared lines that finish it, so that a span (one
    statement) replaces exactly the secure hunk. Returns whether ``hunks`` changed."""
    if language not in LANGUAGE_KINDS:
        return False
    head = prefix[prefix.rfind("\n") + 1 :]
    cuts = _cuts(secure + suffix + _SENTINEL, language, block=False, head=head, limit=len(secure))
    e = cuts[-1] if cuts else None
    if e is None or e <= len(secure) or not (secure + suffix)[len(secure) : e].strip():
        return False
    s0, s1, u0, u1 = hunks[h]
    target = len(prefix) + e  # the statement's end, an offset into the solution
    s1_new = s1
    while s1_new < len(s_lines) and s_offsets[s1_new] < target:
        s1_new += 1
    if h + 1 < len(hunks) and s1_new > hunks[h + 1][0]:
        n = hunks[h + 1]
        hunks[h : h + 2] = [(s0, max(s1, n[1]), u0, max(u1, n[3]))]  # the statement reaches the next hunk
        return True
    extra = sum(1 for line in s_lines[s1:s1_new] if line.strip())
    u1_new = u1
    while extra and u1_new < len(u_lines):
        extra -= bool(u_lines[u1_new].strip())
        u1_new += 1
    hunks[h] = (s0, s1_new, u0, u1_new)
    return s1_new != s1


def splice(task, d: Decision, span: str) -> str:
    """The whole candidate program with ``span`` in place of the secure hunk (same shape as reference_source)."""
    program = task.header + task.prompt + d.prefix + span + d.suffix + task.entrypoint
    # Go refuses unused and missing imports: a span is not broken for an import line of the task's header
    return fix_go_header_imports(program, task.header, go_known_imports(task)) if task.language == "go" else program


def _offsets(lines: Sequence[str]) -> list[int]:
    """Character offset of each line start, plus the total length at the end."""
    out, pos = [], 0
    for line in lines:
        out.append(pos)
        pos += len(line)
    out.append(pos)
    return out


def _hunks(s_lines: list[str], u_lines: list[str]) -> list[tuple[int, int, int, int]]:
    """Line ranges ``(s0, s1, u0, u1)`` (end-exclusive) of every differing hunk, both sides non-empty."""
    a_idx = [i for i, line in enumerate(s_lines) if line.strip()]
    b_idx = [j for j, line in enumerate(u_lines) if line.strip()]
    a = [s_lines[i].strip() for i in a_idx]
    b = [u_lines[j].strip() for j in b_idx]
    ops = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in
           difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if tag != "equal"]
    ops = _slide(ops, a, b, [s_lines[i] for i in a_idx], [u_lines[j] for j in b_idx])
    # a shared run of bracket-only lines (a lone '}') between two hunks is an accident of the diff, not
    # shared code: one change, one hunk
    merged: list[tuple[int, int, int, int]] = []
    for op in ops:
        if merged and all(not _WORDY.search(line) for line in a[merged[-1][1] : op[0]]):
            p = merged[-1]
            merged[-1] = (p[0], op[1], p[2], op[3])
        else:
            merged.append(op)
    raw: list[tuple[int, int, int, int]] = []
    for i1, i2, j1, j2 in merged:
        # ... and lines both sides end with (a merged lone '}') belong to the golden suffix
        while i2 - i1 > 1 and j2 - j1 > 1 and a[i2 - 1] == b[j2 - 1]:
            i2, j2 = i2 - 1, j2 - 1
        if i1 == i2 or j1 == j2:
            # pure insertion/deletion: take the next shared line into both sides (at the end of the body,
            # the previous one) so neither continuation is empty
            if i2 < len(a) and j2 < len(b):
                i2, j2 = i2 + 1, j2 + 1
            elif i1 > 0 and j1 > 0:
                i1, j1 = i1 - 1, j1 - 1
        s0 = a_idx[i1] if i1 < len(a_idx) else len(s_lines)
        s1 = a_idx[i2 - 1] + 1 if i2 > i1 else s0
        u0 = b_idx[j1] if j1 < len(b_idx) else len(u_lines)
        u1 = b_idx[j2 - 1] + 1 if j2 > j1 else u0
        raw.append((s0, s1, u0, u1))
    # an extension can make two hunks touch the same shared line: merge overlapping ones
    out: list[tuple[int, int, int, int]] = []
    for h in raw:
        if out and h[0] < out[-1][1]:
            p = out[-1]
            out[-1] = (p[0], max(p[1], h[1]), p[2], max(p[3], h[3]))
        else:
            out.append(h)
    return out


_WORDY = re.compile(r"\w")


def _slide(ops: list, a: list[str], b: list[str], a_raw: list[str], b_raw: list[str]) -> list:
    """Shift each pure insertion/deletion to its best place among the equivalent ones.

    A diff may put an inserted block anywhere along a run of repeated lines (``return err`` / ``}`` ...);
    like git's indent heuristic we prefer the place where the block's braces balance and its first line is
    least indented, so the block is whole statements (a check inserted before a shared line, not the tail
    of the previous block plus the head of the check).
    """
    out = []
    for n, (i1, i2, j1, j2) in enumerate(ops):
        if (i1 == i2) == (j1 == j2):
            out.append((i1, i2, j1, j2))
            continue
        lo_a = out[-1][1] if out else 0
        hi_a = ops[n + 1][0] if n + 1 < len(ops) else len(a)
        lo_b = out[-1][3] if out else 0
        hi_b = ops[n + 1][2] if n + 1 < len(ops) else len(b)
        lines, raw, x1, x2 = (a, a_raw, i1, i2) if i2 > i1 else (b, b_raw, j1, j2)
        shift_lo = 0  # how far up the block can move: the line above equals the block's last line
        while x1 + shift_lo - 1 >= (lo_a if lines is a else lo_b) and min(i1, j1) + shift_lo - 1 >= min(lo_a, lo_b) \
                and lines[x1 + shift_lo - 1] == lines[x2 + shift_lo - 1]:
            shift_lo -= 1
        shift_hi = 0  # how far down: the line below equals the block's first line
        while x2 + shift_hi < (hi_a if lines is a else hi_b) and lines[x1 + shift_hi] == lines[x2 + shift_hi]:
            shift_hi += 1

        def badness(k: int) -> tuple[bool, int, int]:
            block = raw[x1 + k : x2 + k]
            braces = sum(line.count("{") - line.count("}") for line in block)
            first = block[0]
            return braces != 0, len(first) - len(first.lstrip()), -k if k < 0 else k

        k = min(range(shift_lo, shift_hi + 1), key=badness)
        out.append((i1 + k, i2 + k, j1 + k, j2 + k))
    return out


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or ch == "$"


def _decision_point(s: str, u: str) -> int:
    """First differing character of two hunks, backed off so it splits no identifier/number and leaves
    neither continuation empty."""
    k = len(_common_prefix(s, u))

    def splits_word(k: int) -> bool:
        if k == 0 or not _is_word(s[k - 1]):
            return False
        return (k < len(s) and _is_word(s[k])) or (k < len(u) and _is_word(u[k]))

    while splits_word(k):
        k -= 1
    if k >= len(s) or k >= len(u):
        # one hunk is a prefix of the other (an extension line both share): decide at the start of that line
        k = s.rfind("\n", 0, max(k - 1, 0)) + 1
    return k


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return a[:n]


def _cuts(text: str, language: str, *, block: bool, head: str, limit: int) -> list[int] | None:
    """Where span_end's 1, 2, ... statements end in ``text`` (from the point), until one reaches ``limit``;
    None if the span cannot get there (a statement never ends, or the span stops before ``limit``).

    A statement that ends inside the ``_SENTINEL`` after a body ends with the body: a last line without its
    newline (SafeCoder functions end so) is cut at the body's end, not after the sentinel's newline."""
    body_end = len(text) - len(_SENTINEL) if text.endswith(_SENTINEL) else len(text)
    cuts: list[int] = []
    while not cuts or cuts[-1] < limit:
        end = span_end(text, language, block=block, head=head, statements=len(cuts) + 1)
        end = end if end is None else min(end, body_end)
        if not end or (cuts and end <= cuts[-1]):
            return None
        cuts.append(end)
    return cuts


def _statement_shape(prefix: str, secure: str, suffix: str, language: str) -> tuple[bool, int, bool]:
    """(block, statements, aligned) of a decision: how a span must run to replace exactly the secure hunk.

    block=True when whole compound statements (with their blocks) tile the hunk and that differs from judging
    headers alone; else the statements judged without blocks (a hunk holding only a header is one statement).
    """
    if language not in LANGUAGE_KINDS:
        return False, 1, False
    head = prefix[prefix.rfind("\n") + 1 :]
    rest = secure + suffix + _SENTINEL
    whole = _cuts(rest, language, block=True, head=head, limit=len(secure))
    simple = _cuts(rest, language, block=False, head=head, limit=len(secure))
    if whole and whole[-1] == len(secure) and whole != simple:
        return True, len(whole), True
    if simple and simple[-1] == len(secure):
        return False, len(simple), True
    # no tiling: count the statements a span would take before it stops
    n, last = 0, 0
    while True:
        end = span_end(rest, language, block=False, head=head, statements=n + 1)
        if not end or end <= last or end > len(secure):
            return False, max(n, 1), False
        n, last = n + 1, end


# --------------------------------------------------------------------------------------------------
# span_end: where a continuation's statement ends


def span_end(
    text: str,
    language: str,
    *,
    block: bool,
    indent: str | None = None,
    head: str = "",
    statements: int = 1,
) -> int | None:
    """Index in ``text`` (a continuation starting at a decision point) where its statement ends, or None.

    Strings, comments and brackets are balanced, language-aware:

    - python: the logical line ends at a newline outside brackets/strings (backslash continues it); with
      ``block=True`` a compound statement (a header line ending in ``:``) runs to its last line before the
      first non-blank, non-comment line dedented to ``indent`` or less that is not ``elif``/``else``/
      ``except``/``finally``.
    - c, cpp, go, js: a ``;`` at bracket depth 0; a ``{`` at depth 0 that opens a block (after a control
      header, a ``)``, ``=>``, ``else``/``do``/``try``/``func``... — not an initializer such as ``= {``) ends
      the header, or with ``block=True`` its matching ``}`` ends the statement (an ``else``/``catch``/
      ``finally`` (``while`` after ``do``) continues it); a ``}`` that closes the enclosing block ends the
      statement before it, or is the statement when the continuation opens with it; Go and JS also end a statement at a newline where automatic semicolon insertion
      would (the line ends in an identifier, literal, ``)``, ``]``, ``}``, ``++``/``--`` and, for JS, the next
      line does not start with an operator or ``.``).

    The cut includes the statement's final newline where there is one (and a trailing ``//`` comment on the
    same line); where code follows on the same line the cut is right after the ``;``. None means "not ended
    yet": more text is needed to know (e.g. a ``;`` not yet followed by its newline, a ``}`` whose next line
    might be ``else``). ``head`` is the current line before the point (``Decision.head``): it is scanned
    first so that brackets and keywords opened before the point count; the result is an index into ``text``.
    Without ``head``, closing brackets opened before the point are tolerated (depth never goes below 0).
    ``indent`` defaults to the leading whitespace of ``head + text``'s first line.

    ``statements`` > 1 runs the span over that many statements (``Decision.statements``: a secure hunk may hold
    several, e.g. a check inserted before a shared line), each judged by the same rules; it ends early where
    the model closes the enclosing block (a ``}``, or in Python a line dedented left of the first statement).
    """
    if statements < 1:
        raise ValueError(f"span_end: statements must be >= 1, got {statements}")
    end = _statement_end(text, language, block=block, indent=indent, head=head)
    pos, first_indent = end, indent if indent is not None else _leading(head + text)
    for _ in range(statements - 1):
        if pos is None or pos == 0:
            return pos
        rest = text[pos:]
        lead = _leading(rest.lstrip("\n")) if rest.strip() else None
        if lead is None:
            return None  # the next statement has not started yet
        if rest.lstrip().startswith("}") and _open_braces(text[:pos], language) <= 0:
            return pos  # the model closed the enclosing block: the span ends here, the golden body resumes
        if language == "python" and _width(lead) < _width(first_indent):
            return pos  # dedented left of the span's first statement: it left the block
        end = _statement_end(rest, language, block=block, indent=None, head="")
        if end is None:
            return None
        if end == 0:
            return pos
        pos += end
    return pos


def _open_braces(text: str, language: str) -> int:
    """``{`` minus ``}`` in ``text`` outside strings and comments (brace languages; 0 for Python)."""
    if LANGUAGE_KINDS.get(language) != "brace":
        return 0
    depth, i, n = 0, 0, len(text)
    quotes = "\"'`" if language in ("go", "js") else "\"'"
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            i = text.find("*/", i + 2)
            i = n if i < 0 else i + 2
        elif c == "/" and language == "js" and _regex_may_start(text, i):
            i = _regex_end(text, i) or n
        elif c in quotes:
            j = i + 1
            while j < n and text[j] != c and not (text[j] == "\n" and c != "`"):
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        else:
            depth += (c == "{") - (c == "}")
            i += 1
    return depth


def _leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _statement_end(text: str, language: str, *, block: bool, indent: str | None, head: str) -> int | None:
    """span_end for one statement."""
    kind = LANGUAGE_KINDS.get(language)
    if kind is None:
        raise ValueError(f"span_end: unknown language {language!r} (known: {', '.join(LANGUAGE_KINDS)})")
    full = head + text
    if indent is None:
        indent = full[: len(full) - len(full.lstrip(" \t"))]
    if kind == "python":
        end = _python_end(full, len(head), block=block, indent=indent)
    else:
        end = _BraceScan(full, len(head), language, block).run()
    return None if end is None else max(end - len(head), 0)


# ---- python


_PY_CONTINUE = re.compile(r"(elif|else|except|finally)\b")


def _width(ws: str) -> int:
    width = 0
    for ch in ws:
        width = (width // 8 + 1) * 8 if ch == "\t" else width + 1
    return width


def _py_logical_line(s: str, i: int) -> tuple[int | None, str]:
    """From a logical line's start ``i``: (index after its final newline or None, last code character)."""
    depth, last, n = 0, "", len(s)
    while i < n:
        c = s[i]
        if c == "#":
            j = s.find("\n", i)
            if j < 0:
                return None, last
            i = j
            continue
        if c in "\"'":
            triple = s.startswith(c * 3, i)
            q = c * 3 if triple else c
            j = i + len(q)
            while True:
                if j >= n:
                    return None, last
                if s[j] == "\\":
                    j += 2
                    continue
                if s.startswith(q, j):
                    j += len(q)
                    break
                if s[j] == "\n" and not triple:
                    break  # unterminated one-line string: a syntax error; let the newline end the line
                j += 1
            i, last = j, c
            continue
        if c == "\\" and s.startswith("\n", i + 1):
            i += 2
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(depth - 1, 0)  # a bracket opened before the point (no head given)
        elif c == "\n" and depth == 0:
            return i + 1, last
        if not c.isspace():
            last = c
        i += 1
    return None, last


def _python_end(s: str, start: int, *, block: bool, indent: str) -> int | None:
    # the logical line holding the point: scan from the start of its physical line (head included)
    end, last = _py_logical_line(s, 0)
    if end is None:
        return None
    if not block or last != ":":
        return end
    # a compound statement: run over its body until a line dedented to `indent` or less
    limit, keep, i = _width(indent), end, end
    while i < len(s):
        nl = s.find("\n", i)
        line = s[i:] if nl < 0 else s[i:nl]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if nl < 0:
                return None
            i = nl + 1
            continue
        ws = line[: len(line) - len(line.lstrip(" \t"))]
        if _width(ws) <= limit:
            m = re.match(r"[A-Za-z_]\w*", stripped)
            if m and m.end() == len(stripped) and nl < 0:
                return None  # the first word may still grow into 'else'
            if not _PY_CONTINUE.match(stripped):
                return keep
        nxt, _ = _py_logical_line(s, i)
        if nxt is None:
            return None
        i = keep = nxt
    return None


# ---- c, cpp, go, js

_HEADER_PAREN = re.compile(r"(?:if|for|while|switch|catch|with)\s*\(")
"""Control headers with a parenthesised condition: the body statement starts after the ``)``."""
_HEADER_WORD = re.compile(r"(?:else|do|try|finally)\b")
"""Headers without a condition: the body statement starts after the word."""
_BLOCK_OPENERS = re.compile(
    r"(?:if|for|while|switch|select|func|function|async|class|struct|union|enum|namespace|try|catch|finally|"
    r"else|do|go|defer|static|export|template|extern)\b"
)
"""A ``{`` ending a statement that starts with one of these opens a block, not an initializer."""
_CONTINUE_AFTER_BLOCK = ("else", "catch", "finally")
_ASI_END = re.compile(r"(?:[\w$'\"`)\]}]|\+\+|--)$")
"""Go/JS: a line ending in one of these ends the statement at the newline (automatic semicolons)."""
_JS_NO_ASI_NEXT = tuple(".?:+-*/%&|^=<>,([")


def _regex_may_start(s: str, i: int) -> bool:
    """JS: does the ``/`` at ``i`` open a regular-expression literal (not a division)?"""
    k = i - 1
    while k >= 0 and s[k] in " \t\n":
        k -= 1
    if k < 0 or s[k] in "(,=:[!&|?{};+-*%<>~^":
        return True
    m = re.search(r"(?:return|typeof|case|of|in)$", s[max(0, k - 6) : k + 1])
    return m is not None


def _regex_end(s: str, i: int) -> int | None:
    """End of the JS regex literal opening at ``i`` (flags included); a newline ends a broken one."""
    j, in_class = i + 1, False
    while j < len(s):
        ch = s[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "\n":
            return j
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            j += 1
            while j < len(s) and s[j].isalpha():
                j += 1
            return j
        j += 1
    return None


class _BraceScan:
    """One pass over ``head + text`` for the brace languages (see span_end)."""

    def __init__(self, s: str, start: int, language: str, block: bool) -> None:
        self.s, self.start, self.lang, self.block = s, start, language, block
        self.backtick = language in ("go", "js")
        self.asi = language in ("go", "js")

    def run(self) -> int | None:
        s, n = self.s, len(self.s)
        paren = 0  # ( and [ depth
        braces: list[bool] = []  # open { stack: True = a block (or inside one), False = an initializer
        stmt = 0  # where the current statement (or its body part, after a control header) starts
        has_code = False  # the current statement (part) has code since `stmt`
        first_word = ""  # the statement's opening keyword (for 'do ... while')
        header = False  # inside a control header's parenthesised condition
        after_header = False  # a control header ended and its body has not started
        line_last = ""  # the last two code characters of the current line (for ASI)

        def restart(at: int) -> None:
            nonlocal stmt, has_code, first_word, header, after_header
            stmt, has_code, first_word, header, after_header = at, False, "", False, False

        i = 0
        while i < n:
            c = s[i]
            # comments and strings
            if s.startswith("//", i):
                j = s.find("\n", i)
                if j < 0:
                    return None
                i = j
                continue
            if s.startswith("/*", i):
                j = s.find("*/", i + 2)
                if j < 0:
                    return None
                i = j + 2
                continue
            if c == "#" and self.lang in ("c", "cpp") and not has_code and not braces and paren == 0:
                j = i  # a preprocessor line (continued by backslashes) is a statement of its own
                while True:
                    j = s.find("\n", j)
                    if j < 0:
                        return None
                    if s[j - 1] != "\\":
                        break
                    j += 1
                if j + 1 > self.start:
                    return j + 1
                restart(j + 1)
                i = j + 1
                continue
            if c in "\"'" or (c == "`" and self.backtick) or (c == "/" and self.lang == "js" and _regex_may_start(s, i)):
                j = self._string_end(i) if c != "/" else _regex_end(s, i)
                if j is None:
                    return None
                has_code, line_last, i = True, c, j
                continue
            if c == "\n" and after_header and not has_code and not self.block and i + 1 > self.start:
                return i + 1  # a braceless control header on its own line: without block, the header alone
            if not has_code and not c.isspace():
                has_code, after_header = True, False
                if not braces and paren == 0:
                    # the first character of a statement (or of a control header's body)
                    rest = s[i : i + 16]
                    m = re.match(r"[A-Za-z_]\w*", rest)
                    word = m.group(0) if m else ""
                    if not first_word:
                        first_word = word
                    if _HEADER_PAREN.match(rest):
                        header = True
                    elif m and _HEADER_WORD.match(rest) and i + m.end() < n:
                        i += m.end()
                        stmt, has_code, line_last = i, False, word  # the body starts after 'else'/'do'/...
                        continue
            if c in "([":
                paren += 1
            elif c in ")]":
                paren = max(paren - 1, 0)
                if header and paren == 0 and not braces:
                    header, after_header = False, True
                    stmt, has_code, line_last = i + 1, False, c  # the condition closed: its body starts
                    i += 1
                    continue
            elif c == "{" and paren == 0:
                opens = bool(braces and braces[-1]) or (not braces and self._opens_block(s[stmt:i]))
                braces.append(opens)
                if opens and len(braces) == 1 and not self.block and i + 1 > self.start:
                    return self._line_end(i + 1)
            elif c == "}" and paren == 0:
                if not braces:
                    if i >= self.start and not s[self.start : i].strip():
                        # the continuation opens by closing the enclosing block: that '}' is its statement
                        end = self._after_block(i + 1, "")
                        if end is None:  # '} else {': the statement goes on into the else clause
                            restart(i + 1)
                            i += 1
                            continue
                        return None if end == -1 else end
                    # closes the enclosing block after some code: the statement ended before this brace
                    ls = s.rfind("\n", 0, i) + 1
                    return max(ls if not s[ls:i].strip() else i, self.start)
                was_block = braces.pop()
                if not braces and was_block:
                    end = self._after_block(i + 1, first_word)
                    if end == -1:
                        return None
                    if end is not None and end > self.start:
                        return end
                    if end is not None:  # a statement that ended inside head: start over
                        restart(end)
                        i = end
                        continue
                    stmt, has_code = i + 1, False  # 'else'/'catch'/'while'/';' go on: a header may follow
                    i += 1
                    continue
            elif c == ";" and paren == 0 and not braces:
                end = self._line_end(i + 1)
                if end is None or end > self.start:
                    return end
                restart(end)
                i = end
                continue
            elif c == "\n" and self.asi and paren == 0 and not braces and has_code:
                end = self._asi(i, s[stmt:i], line_last)
                if end == -1:
                    return None
                if end is not None and end > self.start:
                    return end
                if end is not None:
                    restart(end)
                    i = end
                    continue
            if c == "\n":
                line_last = ""
            elif not c.isspace():
                line_last = (line_last + c)[-2:]
            i += 1
        return None

    def _string_end(self, i: int) -> int | None:
        s, q, j = self.s, self.s[i], i + 1
        while j < len(s):
            ch = s[j]
            if ch == "\\" and q != "`" or (ch == "\\" and self.lang == "js"):
                j += 2
                continue
            if ch == q:
                return j + 1
            if ch == "\n" and q != "`":
                return j  # a stray quote: let the newline end it (as the function stop rule does)
            j += 1
        return None

    def _opens_block(self, before: str) -> bool:
        """Does a ``{`` after ``before`` (the statement so far) open a block rather than an initializer?"""
        b = before.strip()
        if not b or b.endswith((")", "=>")):
            return True  # a bare block, a control header's body, a function header, an arrow function
        if b.endswith(("=", ",", "(", "[", ":", "?", "return")):
            return False
        if self.lang == "go" and (re.match(r"(?:if|for|switch|select)\b", b) or re.search(r"\bfunc\b", b)):
            return True  # Go headers have no parentheses; a func literal may end in its result type
        return bool(_BLOCK_OPENERS.match(b))

    def _line_end(self, j: int) -> int | None:
        """After a statement's last character: include trailing blanks, a // comment and the newline."""
        s, n = self.s, len(self.s)
        k = j
        while k < n and s[k] in " \t":
            k += 1
        if s.startswith("//", k):
            k = s.find("\n", k)
            if k < 0:
                return None
        if k >= n:
            return None  # the newline (or more code) has not come yet
        if s[k] == "\n":
            return k + 1
        if s[k] == "\r" and s.startswith("\r\n", k):
            return k + 2
        return j  # code follows on the same line: cut right after the statement

    def _next_code(self, j: int) -> tuple[str, int] | None:
        """The next non-blank line's stripped text and its start, from offset ``j``; None if not there yet."""
        s = self.s
        while True:
            nl = s.find("\n", j)
            line = s[j:] if nl < 0 else s[j:nl]
            if line.strip():
                if nl < 0 and not re.search(r"\W", line.strip()):
                    return None  # one word, still growing
                return line.strip(), j
            if nl < 0:
                return None
            j = nl + 1

    def _after_block(self, j: int, first_word: str) -> int | None:
        """A block's closing ``}`` at depth 0 ended at ``j``: the statement's end, None to go on, -1 unknown."""
        s, n = self.s, len(self.s)
        k = j
        while k < n and s[k] in " \t":
            k += 1
        if k < n and s[k] in ";),":
            return None  # '};' or an argument list: the scanner goes on to the ';'
        cont = _CONTINUE_AFTER_BLOCK + (("while",) if first_word == "do" else ())
        if k < n and s[k] != "\n" and not s.startswith("//", k):
            word = re.match(r"[A-Za-z_]\w*", s[k:])
            if word and word.group(0) in cont:
                return None
            return j  # more code on the same line: cut right after the brace
        end = self._line_end(j)
        if end is None:
            return -1
        nxt = self._next_code(end)
        if nxt is None:
            return -1
        word = re.match(r"[A-Za-z_]\w*", nxt[0])
        if word and word.group(0) in cont:
            return None
        return end

    def _asi(self, i: int, stmt_text: str, line_last: str) -> int | None:
        """Go/JS newline at depth 0 (offset ``i``): statement end, None to go on, -1 unknown yet."""
        stripped = stmt_text.strip()
        if re.match(r"(?:if|for|while|switch|else|do|try|func|function|select|catch|finally)\b", stripped) and not stripped.endswith("}"):
            return None  # a control header still waiting for its body
        if not _ASI_END.search(line_last):
            return None
        if self.lang == "go":
            return i + 1
        nxt = self._next_code(i + 1)
        if nxt is None:
            return -1
        if nxt[0].startswith(_JS_NO_ASI_NEXT) and not nxt[0].startswith(("++", "--")):
            return None
        return i + 1


__all__ = ["Decision", "decisions", "body_decisions", "splice", "span_end", "unsafe_bodies"]
