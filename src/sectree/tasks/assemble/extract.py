"""Take the code out of a model's answer: markdown fences, a ``<think>`` preamble, an echo of the prompt;
and whether code defines a function (which fenced block holds the answer, which assembly rule applies)."""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

from sectree.tasks.assemble.braces import _definitions
from sectree.tasks.assemble.python import _py_definition
from sectree.tasks.assemble.text import _ensure_nl
from sectree.tasks.grammar import parse_python

# fence info strings that name each language; an empty info string is compatible with every language
_LANG_TAGS: dict[str, frozenset[str]] = {
    "python": frozenset({"python", "py", "python3", "py3", "pycon"}),
    "c": frozenset({"c", "h"}),
    "cpp": frozenset({"cpp", "c++", "cc", "cxx", "hpp", "hh", "h"}),
    "go": frozenset({"go", "golang"}),
    "js": frozenset({"js", "javascript", "node", "nodejs", "jsx", "mjs", "cjs"}),
}


_OPEN_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*\r?\n?$")


_CLOSE_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*\r?\n?$")


def extract_code(answer: str, language: str, entry: str | None = None) -> str:
    """The code in ``answer``: the chosen fenced block's content, or ``answer`` itself when it has no fences.

    - Text up to a ``</think>`` (a reasoning model's thoughts) is dropped first.
    - Fences are ```` ``` ```` or ``~~~`` lines (three or more), optionally with an info string; prose outside
      them is dropped. An unterminated last fence (a generation cut off) takes everything after it. A lone
      bare fence with nothing but blank lines after it is a *closing* fence (the opening one was in the
      prompt): the code is what precedes it.
    - Blocks whose info string names another language (``bash``, ``text`` ...) are ignored unless no block
      fits. Among the rest, a block that defines ``entry`` wins over one that merely mentions it, which wins
      over the others; ties go to the earliest. When the winner defines ``entry``, earlier blocks that hold
      only imports/includes are prepended to it.
    - A first fence that is bare (no info string) and follows code (not prose) closes that code: the prompt
      opened the block. The code before it is then a block like the others.
    - Without fences the answer is returned unchanged (so well-formed code survives byte for byte).
    """
    if "</think>" in answer:
        answer = answer.rsplit("</think>", 1)[1].lstrip("\n")
    blocks, before_first = _fenced_blocks(answer)
    if not blocks:
        return answer
    if before_first.strip() and not blocks[0].info:
        if len(blocks) == 1 and not blocks[0].closed and not blocks[0].code.strip():
            return before_first
        if _looks_like_code(before_first, language):
            # the first fence closes code whose opening fence was in the prompt; fences after it pair up anew
            after = answer.splitlines(keepends=True)[len(before_first.splitlines()) + 1:]
            blocks = [_Block("", before_first, True)] + _fenced_blocks("".join(after))[0]
    tags = _LANG_TAGS.get(language, frozenset())
    fitting = [b for b in blocks if not b.info or b.info in tags] or blocks

    def rank(b: _Block) -> int:
        if entry and defines_function(b.code, entry, language):
            return 2
        if entry and re.search(rf"(?<![\w$]){re.escape(entry)}(?![\w$])", b.code):
            return 1
        return 0

    best = max(fitting, key=rank)  # max keeps the first of equal ranks
    code = best.code
    if rank(best) == 2:
        imports = [b.code for b in fitting[: fitting.index(best)] if _only_imports(b.code, language)]
        code = "".join(_ensure_nl(c) for c in imports) + code
    return code


def strip_answer_prefix(answer: str, *prefixes: str) -> str:
    """``answer`` without a leading verbatim echo of the first of ``prefixes`` it repeats.

    An echo matches line by line, ignoring leading blank lines and trailing whitespace on each line; a prefix
    ending in a partial line (no newline) must be continued by the answer's corresponding line, and only the
    continuation is kept. Blank prefixes never match. Returns ``answer`` unchanged when nothing matches.
    """
    for prefix in prefixes:
        rest = _strip_echo(answer, prefix)
        if rest is not None:
            return rest
    return answer


def defines_function(code: str, name: str, language: str) -> bool:
    """Whether ``code`` defines the function ``name`` (not merely declares or calls it).

    Python: a ``def name(`` (or ``class name``: an entry may be a class) at the code's outermost
    indentation. Brace languages: a declaration head at brace depth 0 (C/C++: a return type then ``name(``; Go: ``func [(recv)] name(``; JS: ``function name(``,
    ``const name = (…) =>`` / ``function``, ``exports.name = …``) followed by ``{`` before any ``;``;
    comments and string literals are ignored.
    """
    if language == "python":
        return _py_definition(name, indented=False).search(textwrap.dedent(code)) is not None
    return any(d.name == name and d.kind == "function" for d in _definitions(code, language))


@dataclass(frozen=True)
class _Block:
    info: str
    code: str
    closed: bool


def _fenced_blocks(text: str) -> tuple[list[_Block], str]:
    """The fenced blocks of ``text`` in order, and the text before the first fence."""
    lines = text.splitlines(keepends=True)
    blocks: list[_Block] = []
    before: list[str] = []
    i = 0
    while i < len(lines):
        m = _OPEN_FENCE.match(lines[i])
        if not m:
            if not blocks:
                before.append(lines[i])
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip().lower().strip("{}.")
        info = info.split()[0] if info else ""
        body: list[str] = []
        j = i + 1
        closed = False
        while j < len(lines):
            c = _CLOSE_FENCE.match(lines[j])
            if c and c.group("fence")[0] == fence[0] and len(c.group("fence")) >= len(fence):
                closed = True
                break
            body.append(lines[j])
            j += 1
        blocks.append(_Block(info, "".join(body), closed))
        i = j + 1
    return blocks, "".join(before)


_IMPORT_LINE = {
    "python": re.compile(r"^\s*(?:import\s+\S|from\s+\S+\s+import\s)"),
    "c": re.compile(r"^\s*#\s*include\b"),
    "cpp": re.compile(r"^\s*(?:#\s*include\b|using\s+namespace\s)"),
    "go": re.compile(r"^\s*(?:import\b|package\b|\)|\"|\w+\s+\")"),
    "js": re.compile(r"^\s*(?:import\s|(?:const|let|var)\s+[\w${},\s]+=\s*require\()"),
}


def _only_imports(code: str, language: str) -> bool:
    """Whether every non-blank, non-comment line of ``code`` is an import/include (or Go package) line."""
    pat = _IMPORT_LINE.get(language)
    comment = "#" if language == "python" else "//"
    lines = [ln for ln in code.splitlines() if ln.strip() and not ln.strip().startswith(comment)]
    return bool(pat and lines and all(pat.match(ln) for ln in lines))


def _looks_like_code(text: str, language: str) -> bool:
    """Whether ``text`` (what precedes a first, bare fence) is code rather than prose: Python that parses
    (possibly after its first line, which may continue a line of the prompt) to something more than bare
    names/constants; for brace languages, a line ending in ``;``, ``{`` or ``}``."""
    if language == "python":
        # the code may go on with a line of the prompt: then its first line alone does not parse
        for candidate in (text, text.partition("\n")[2]):
            try:
                tree = parse_python(textwrap.dedent(candidate))
            except SyntaxError:
                continue
            trivial = (ast.Name, ast.Constant)
            if any(not (isinstance(n, ast.Expr) and isinstance(n.value, trivial)) for n in tree.body):
                return True
        return False
    return re.search(r"[;{}][ \t]*$", text, re.MULTILINE) is not None


def _strip_echo(answer: str, prefix: str) -> str | None:
    """``answer`` after a verbatim echo of ``prefix`` (see strip_answer_prefix), or None when it does not echo."""
    if not prefix.strip():
        return None
    p = prefix.splitlines(keepends=True)
    while p and not p[0].strip():
        p.pop(0)
    a = answer.splitlines(keepends=True)
    while a and not a[0].strip():
        a.pop(0)
    partial = p.pop() if p and not p[-1].endswith("\n") else None
    if len(a) < len(p) + (partial is not None):
        return None
    if any(x.rstrip() != y.rstrip() for x, y in zip(p, a)):
        return None
    rest = a[len(p):]
    if partial is not None:
        if not rest[0].startswith(partial.rstrip()):
            return None
        cut = len(partial) if rest[0].startswith(partial) else len(partial.rstrip())
        rest[0] = rest[0][cut:]
    return "".join(rest)

