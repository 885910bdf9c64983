"""Tree-sitter grammars for the five task languages: does a text parse, and where does a function body start.

Pure text (tasks layer): the SafeCoder loader uses it to cut a function's signature from its body, and the
test-less oracle (``oracle/static.py``) to tell a leaf that does not parse. One grammar package per language
(``tree-sitter-python``, ``-javascript`` (JSX included), ``-c``, ``-cpp``, ``-go``, all PyPI wheels).

SafeCoder's functions are cut out of real files, so many are not a whole translation unit: a JavaScript method
(``render () {...}``) parses only inside a class, a Go closure (``r.HandleFunc(..., func(...) {...})``) only
inside a function, a C definition whose return type sat on the line above only with a type in front. A
``Frame`` is such a fixed wrapper; ``frame_for`` picks, per task, the first frame in which the secure
reference parses, and every leaf of that task is parsed inside the same frame. What no frame fixes
(mostly C code built on project macros) is reported by ``frame_for`` as ``None``.
"""

from __future__ import annotations

import ast
import importlib
import textwrap
import threading
from dataclasses import dataclass
from functools import lru_cache

from sectree.errors import SectreeError

AST_LOCK = threading.Lock()
"""Held around every host-side ``ast.parse`` that may run beside another thread (the oracle's ``judge_many``
threads, a Ray actor's chunks, bandit in-process). CPython before 3.12 keeps the AST constructor's recursion
depth in interpreter-wide state: two threads parsing at once (a garbage-collector finalizer lets the GIL
switch mid-parse) fail with a spurious ``SystemError: AST constructor recursion depth mismatch``
(python/cpython#106905); one ``oracle_bench`` run in three on this machine died of it."""


def parse_python(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse`` under ``AST_LOCK`` (same errors: SyntaxError, ValueError for null bytes, ...)."""
    with AST_LOCK:
        return ast.parse(source, filename=filename)

# language -> the grammar package's module (its ``language()`` returns the compiled grammar)
GRAMMARS: dict[str, str] = {
    "python": "tree_sitter_python",
    "js": "tree_sitter_javascript",
    "c": "tree_sitter_c",
    "cpp": "tree_sitter_cpp",
    "go": "tree_sitter_go",
}
# node types that hold a function's body (the field ``body`` of a function-like node)
BODY_TYPES = {"block", "compound_statement", "statement_block"}
FUNCTION_TYPES = {
    "function_definition", "function_declaration", "method_definition", "method_declaration", "func_literal",
    "function_expression", "arrow_function", "generator_function_declaration", "function",
}


@dataclass(frozen=True)
class Frame:
    """Fixed text around a candidate so that a function cut out of its file parses on its own."""

    prefix: str = ""
    """Text put before the candidate (e.g. ``class _ {``)."""
    suffix: str = ""
    """Text put after it (e.g. ``}``)."""
    dedent: bool = False
    """Remove the common indentation first (Python methods are indented in their class)."""
    name: str = "none"
    """A short name for reports."""

    def apply(self, source: str) -> str:
        return self.prefix + (textwrap.dedent(source) if self.dedent else source) + self.suffix


NO_FRAME = Frame()
# tried in order; the first one in which the secure reference parses is the task's frame
FRAMES: dict[str, tuple[Frame, ...]] = {
    "python": (Frame(dedent=True, name="dedent"),),
    "js": (NO_FRAME, Frame("class _ {\n", "\n}", name="class body"), Frame("f({\n", "", name="argument list"),
           Frame("({\n", "\n})", name="object literal"), Frame("function _() {\n", "\n}", name="function body")),
    "go": (NO_FRAME, Frame("func _() {\n", "\n}", name="function body")),
    "c": (NO_FRAME, Frame("int ", "", name="return type"), Frame("void _() {\n", "\n}", name="function body")),
    "cpp": (NO_FRAME, Frame("int ", "", name="return type"), Frame("void _() {\n", "\n}", name="function body"),
            Frame("class _ {\n", "\n};", name="class body")),
}


@lru_cache(maxsize=None)
def parser(language: str):
    """A tree-sitter parser for ``language`` (one per process; parsers are cheap to reuse, not thread-safe
    across concurrent parses, so callers parse from one thread)."""
    if language not in GRAMMARS:
        raise SectreeError(f"no tree-sitter grammar for language {language!r} (known: {', '.join(GRAMMARS)})")
    try:
        import tree_sitter
        module = importlib.import_module(GRAMMARS[language])
    except ImportError as e:
        raise SectreeError(f"parsing {language} needs the PyPI packages tree-sitter and "
                           f"{GRAMMARS[language].replace('_', '-')} ({e.name} is missing); run `make setup`") from None
    return tree_sitter.Parser(tree_sitter.Language(module.language()))


def syntax_errors(source: str, language: str) -> list[int]:
    """0-based lines of every ERROR or MISSING node in ``source`` (empty: it parses)."""
    root = parser(language).parse(source.encode("utf-8", "replace")).root_node
    if not root.has_error:
        return []
    out, stack = [], [root]
    while stack:  # only subtrees that contain an error are walked
        n = stack.pop()
        if n.is_error or n.is_missing:
            out.append(n.start_point[0])
            continue
        stack.extend(c for c in n.children if c.has_error or c.is_missing)
    return sorted(out)


def frame_for(source: str, language: str) -> Frame | None:
    """The first frame of ``FRAMES[language]`` inside which ``source`` parses; None if none does."""
    for frame in FRAMES.get(language, (NO_FRAME,)):
        if not syntax_errors(frame.apply(source), language):
            return frame
    return None


def body_start(source: str, language: str) -> int | None:
    """Character offset in ``source`` just past the line that opens the first function body (after the
    ``{`` line in C-like languages, after the ``def ...:`` line in Python), plus a leading docstring (Python)
    or comment lines at the top of the body; None if no function body is found.

    Parsed in the task's frame (a method inside a class body, ...), offsets mapped back to ``source``."""
    frame = frame_for(source, language) or FRAMES.get(language, (NO_FRAME,))[0]
    if frame.dedent:  # offsets of a dedented text do not map back; Python's own indentation is kept here
        frame = Frame(prefix="if 1:\n", name="indented") if source[:1] in (" ", "\t") else NO_FRAME
    text = frame.apply(source).encode("utf-8")
    root = parser(language).parse(text).root_node
    func = _first(root, lambda n: n.type in FUNCTION_TYPES and n.child_by_field_name("body") is not None)
    if func is None:
        return None
    body = func.child_by_field_name("body")
    if body.type not in BODY_TYPES:
        return None  # an arrow function with an expression body: no statements to decide on
    start = len(frame.prefix.encode("utf-8"))
    if language == "python":
        first = body.children[0] if body.children else None
        if first is None:
            return None
        if first.type == "expression_statement" and first.children and first.children[0].type == "string":
            cut = first.end_byte  # the docstring belongs to the prompt
        else:  # the body starts on the line of its first statement: cut at that line's start
            cut = text.rfind(b"\n", 0, first.start_byte)
            if cut < start:
                return None  # a one-line function (def f(): return x): nothing to decide on
    else:
        cut = body.start_byte + 1  # past the "{"
        for child in body.children[1:]:  # comments right at the top of the body document the function
            if child.type != "comment":
                break
            cut = child.end_byte
    # the cut ends its line: the body starts on a fresh line
    nl = text.find(b"\n", cut)
    cut = len(text) if nl < 0 else nl + 1
    cut -= start
    if cut <= 0:
        return None
    return len(text[start:start + cut].decode("utf-8"))


def _first(node, pred):
    """Pre-order search for the first node satisfying ``pred``."""
    stack = [node]
    while stack:
        n = stack.pop()
        if pred(n):
            return n
        stack.extend(reversed(n.children))
    return None


__all__ = ["Frame", "FRAMES", "GRAMMARS", "NO_FRAME", "body_start", "frame_for", "parser", "syntax_errors"]
