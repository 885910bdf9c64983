"""Per-language stop rules: end a sample at the end of the function, checked incrementally on decoded text.

A ``StopRule`` is primed with the text the model continues (its ``context``: the code so far, possibly
opened by a markdown fence), so it knows whether generation starts inside the target function, inside a
fence, and how deep in braces. Each sample then gets its own ``StopScanner`` copy and feeds it the newly
decoded text after every token; the scanner looks at each character once, so checking is O(new text).

Rules (offsets are into the generated text; ``cut`` is where the returned text ends):

- any language: inside a markdown fence, a line starting with three backticks ends the sample (cut before it).
- Python, continuing a function (the context declares a ``def``, or a ``class`` whose methods the task asks
  for): the first line at or left of the outermost such definition's indentation that is not blank, not a
  comment, not inside a string or bracket, after the body started (``\\ndef``, ``\\nif __name__``,
  ``\\nclass``, ``\\nprint(`` ...). Cut after the last body line, so trailing blank lines and column-0
  comments (``# Example usage:``) are dropped. Nested defs and further methods stay inside.
- Python, writing a whole answer inside a fence (chat ``full`` mode): the closing fence, or a top-level
  statement after a function body that is not another ``def``/``class``/decorator/import.
- C, C++, Go, JS: the ``}`` that balances the function's opening brace (cut after it). Strings, character
  literals and comments are skipped. In chat ``full`` mode inside a fence, only the closing fence ends it,
  since the answer may hold several top-level blocks (structs, helpers).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cached_property

from sectree.tasks.decisions import span_end

BRACE_LANGUAGES = ("c", "cpp", "go", "js")
FENCE = "```"
_PY_DEF = re.compile(r"(?:async\s+def|def|class)\s")
"""A definition line: the function (or class, for tasks that ask for methods) being written."""
_PY_DEFINITION_STARTS = ("def ", "async def ", "class ", "@", "import ", "from ")


@dataclass(frozen=True)
class StopRule:
    """Where samples for one prompt end: a language and the text the model continues."""

    language: str
    """Task language: python, c, cpp, go or js; anything else stops only at a closing fence (or EOS)."""
    context: str = ""
    """The text right before the generation (the code so far, possibly starting with a ``` fence line)."""

    @cached_property
    def _primed(self) -> StopScanner:
        scanner: StopScanner
        if self.language == "python":
            scanner = PythonScanner()
        elif self.language in BRACE_LANGUAGES:
            scanner = BraceScanner(backtick_strings=self.language in ("go", "js"))
        else:
            scanner = StopScanner()
        scanner.prime(self.context)
        return scanner

    def scanner(self) -> StopScanner:
        """A fresh scanner in the state right after ``context`` (one per sample)."""
        return copy.deepcopy(self._primed)

    def cut(self, text: str) -> int | None:
        """Where ``text`` (a whole generation) would be cut, or None if the rule never fires (for tests)."""
        return self.scanner().feed(text)


@dataclass
class StopScanner:
    """Base scanner: tracks lines and markdown fences only."""

    pos: int = 0
    """Offset of the next character in generated-text coordinates (negative while priming)."""
    line: str = ""
    """The current line so far."""
    line_start: int = 0
    """Offset of the current line's first character."""
    in_fence: bool = False
    """Inside a markdown code fence (an opening ``` line was seen)."""
    armed: bool = True
    """False while priming: state updates, but nothing stops."""

    def prime(self, context: str) -> None:
        """Consume the context without stopping, then restart offsets at 0 for the generated text."""
        self.armed = False
        self.pos = -len(context)
        self.line_start = self.pos
        self.feed(context)
        self.armed = True
        self.on_primed()

    def on_primed(self) -> None:
        """Hook: note what the context established (e.g. whether a function is open)."""

    def feed(self, chunk: str) -> int | None:
        """Consume newly decoded text; returns the cut offset once the rule fires (then stop feeding)."""
        for ch in chunk:
            cut = self.step(ch)
            self.pos += 1
            if cut is not None and self.armed:
                return max(cut, 0)
        return None

    def step(self, ch: str) -> int | None:
        if ch == "\n":
            cut = self.end_line(self.line)
            self.line, self.line_start = "", self.pos + 1
            return cut
        self.line += ch
        if ch == "`" and self.in_fence and self.line.lstrip() == FENCE:
            return self.line_start
        return self.char(ch)

    def end_line(self, line: str) -> int | None:
        """Hook for a completed line; the base opens a fence on a ``` line."""
        if not self.in_fence and line.lstrip().startswith(FENCE):
            self.in_fence = True
        return None

    def char(self, ch: str) -> int | None:
        """Hook for a non-newline character (already appended to ``line``)."""
        return None


@dataclass
class PythonScanner(StopScanner):
    """Python: dedent to the ``def``'s level ends the function (see module docstring)."""

    def_indent: int | None = None
    """Indentation of the outermost open ``def``/``class`` (the function being written), once one was seen."""
    header_open: bool = False
    """Between a ``def`` line and the end of its signature (the first line end at bracket depth 0)."""
    body_started: bool = False
    """A line deeper than ``def_indent`` followed the signature."""
    target_in_context: bool = False
    """The context declared the function (we are continuing it), so any dedent ends it."""
    depth: int = 0
    """Open brackets at the end of the last complete line (continuation lines never stop)."""
    triple: str | None = None
    """Open triple-quote delimiter at the end of the last complete line."""
    continued: bool = False
    """The last complete line ended with a backslash."""
    decided: bool = False
    """The current line's first non-blank character was already judged."""
    pending_top_level: bool = False
    """Fenced full-answer mode: a column-0 line to judge once complete (needs its first word)."""
    keep_end: int = 0
    """Cut offset for a dedent stop: just after the last line that belongs to the function."""

    def on_primed(self) -> None:
        # the context's last line is still open (prompts end mid-line, see prompts.heal): it may be the def
        self.target_in_context = self.def_indent is not None or bool(_PY_DEF.match(self.line.strip()))

    def char(self, ch: str) -> int | None:
        if self.decided or ch in " \t":
            return None
        self.decided = True
        if self.triple or self.depth > 0 or self.continued or self.def_indent is None or self.header_open:
            return None
        indent = _indent(self.line)
        if indent > self.def_indent:
            self.body_started = True
            return None
        if not self.body_started or ch == "#":
            return None
        if self.target_in_context or not self.in_fence:
            return self.keep_end
        self.pending_top_level = True  # a new def/import is fine in a whole answer; decide at line end
        return None

    def end_line(self, line: str) -> int | None:
        starts_logical_line = not (self.triple or self.depth > 0 or self.continued)
        stripped = line.strip()
        if self.pending_top_level:
            self.pending_top_level = False
            if not stripped.startswith(_PY_DEFINITION_STARTS):
                return self.keep_end
        if starts_logical_line and _PY_DEF.match(stripped) and (self.def_indent is None or _indent(line) <= self.def_indent):
            self.def_indent, self.header_open, self.body_started = _indent(line), True, False
        self.triple, self.depth = _scan_python_line(line, self.triple, self.depth)
        self.continued = line.endswith("\\")
        if self.header_open and self.depth == 0 and not self.continued:
            self.header_open = False
        if stripped and not (starts_logical_line and stripped.startswith("#") and _indent(line) == 0):
            self.keep_end = self.pos + 1  # include this line's newline
        self.decided = False
        return super().end_line(line)


@dataclass
class BraceScanner(StopScanner):
    """C-family: the brace that closes the function ends it (see module docstring)."""

    backtick_strings: bool = False
    """Go raw strings and JS template literals: ` quotes a (possibly multi-line) string."""
    depth: int = 0
    """Brace depth outside strings and comments."""
    opened: bool = False
    """Some brace was opened (in the context or the generation) since depth was last 0."""
    target_in_context: bool = False
    """Generation starts inside a block opened by the context (we are continuing a function)."""
    quote: str | None = None
    """Open string/char quote."""
    escape: bool = False
    """The previous character inside a string was a backslash."""
    comment: str | None = None
    """'//' or '/*' while inside a comment."""
    prev: str = ""
    """The previous character (for comment delimiters)."""
    fence_started_with_answer: bool = False
    """A fence opened during generation (chat full mode): only the closing fence ends the sample."""
    held: str = ""
    """Backticks opening the current line, not yet lexed: they may start a ``` fence line."""
    fence_line: bool = False
    """The current line is a fence line (not code)."""

    def on_primed(self) -> None:
        self.target_in_context = self.depth > 0

    def end_line(self, line: str) -> int | None:
        was_in_fence = self.in_fence
        super().end_line(line)
        if self.in_fence and not was_in_fence and self.armed:
            self.fence_started_with_answer = True
        return None

    def step(self, ch: str) -> int | None:
        cut = super().step(ch)
        if cut is not None:
            return cut
        if self.fence_line:
            self.fence_line = ch != "\n"
            return None
        if self.held or (ch == "`" and self.quote is None and self.comment is None):
            # a line opening with backticks may be a ``` fence, not a Go/JS string: hold them until we know
            stripped = self.line.lstrip()
            if ch != "\n" and stripped and FENCE.startswith(stripped):
                self.held += ch
                self.fence_line = stripped == FENCE
                self.held = "" if self.fence_line else self.held
                return None
            held, self.held = self.held, ""
            for c in held:
                self._lex(c)
        return self._lex(ch)

    def _lex(self, ch: str) -> int | None:
        """Advance the string/comment/brace lexer by one character."""
        prev, self.prev = self.prev, ch
        if self.comment == "//":
            if ch == "\n":
                self.comment = None
            return None
        if self.comment == "/*":
            if prev == "*" and ch == "/":
                self.comment, self.prev = None, ""
            return None
        if self.quote:
            if self.escape:
                self.escape = False
            elif ch == "\\":
                self.escape = True
            elif ch == self.quote or (ch == "\n" and self.quote != "`"):
                self.quote = None  # a newline ends a stray '"' or "'" so one typo cannot hide every brace
            return None
        return self._code_char(prev, ch)

    def _code_char(self, prev: str, ch: str) -> int | None:
        if prev == "/" and ch in "/*":
            self.comment, self.prev = prev + ch, ""
        elif ch in "\"'" or (ch == "`" and self.backtick_strings):
            self.quote = ch
        elif ch == "{":
            self.depth += 1
            self.opened = True
        elif ch == "}":
            self.depth = max(self.depth - 1, 0)
            if self.depth == 0 and self.opened:
                self.opened = False
                if self.target_in_context or not (self.in_fence and self.fence_started_with_answer):
                    return self.pos + 1
        return None


@dataclass(frozen=True)
class SpanStop:
    """Stop a decision span where its statement(s) end (``tasks.decisions.span_end``), for ``--mode span``
    and span leaves of trees. Duck-types ``StopRule`` for the sampler (``scanner()``, ``cut()``).

    The model continues a context that ends at or a little before the decision point (``base``: the body text
    the context covers; ``head`` its last line). Whitespace the model writes first (a newline and indentation
    when the context ended before them) belongs to no statement; the statement starts at its first other
    character. A line opening with three backticks (a chat model closing its code fence) ends the span before it.
    """

    language: str
    """Task language (python, c, cpp, go, js)."""
    block: bool
    """``Decision.block``: a compound statement runs to the end of its block."""
    head: str = ""
    """The current line of the context up to where generation starts (after the context's last newline)."""
    statements: int = 1
    """``Decision.statements``: how many statements the span runs."""

    def scanner(self) -> SpanScanner:
        return SpanScanner(self)

    def cut(self, text: str) -> int | None:
        return self.scanner().feed(text)


@dataclass
class SpanScanner:
    """Re-runs ``span_end`` on the text so far after every chunk (spans are short: O(span length) per token)."""

    rule: SpanStop
    text: str = ""

    def feed(self, chunk: str) -> int | None:
        self.text += chunk
        text = self.text
        fence = re.search(r"(?m)^[ \t]*```", text)
        if fence is not None and (fence.start() > 0 or not self.rule.head.strip()):
            text = text[: fence.start()]  # what follows a closing fence is not code
        lead = len(text) - len(text.lstrip())
        if lead == len(text):
            return fence.start() if fence is not None else None
        # the statement's line: the context's line, or the line the model's leading newline opened
        ws = text[:lead]
        head = (self.rule.head + ws) if "\n" not in ws else ws[ws.rfind("\n") + 1 :]
        end = span_end(text[lead:], self.rule.language, block=self.rule.block, head=head,
                       statements=self.rule.statements)
        if end is None:
            return fence.start() if fence is not None else None
        return lead + end


def _indent(line: str) -> int:
    """Indentation width of ``line`` (a tab counts as 8, as Python's tokenizer does)."""
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width = (width // 8 + 1) * 8
        else:
            break
    return width


def _scan_python_line(line: str, triple: str | None, depth: int) -> tuple[str | None, int]:
    """Open triple-quote delimiter and bracket depth after ``line`` (a light lexer, not a parser)."""
    i, quote = 0, None
    while i < len(line):
        if triple:
            j = line.find(triple, i)
            if j < 0:
                return triple, depth
            i, triple = j + 3, None
            continue
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif line.startswith(('"""', "'''"), i):
            triple, i = line[i : i + 3], i + 2
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        i += 1
    return triple, depth
