"""Brace-language scanning for candidate assembly (C, C++, Go, JS): mask comments and literals, find top-level
function and type definitions by brace depth, close an open body, drop an answer's redefinitions and JS example
usage, and add the reference's tail items (a JS ``module.exports``, a ``main``) an answer lacks.

This is a scanner, not a parser: patterns find definition heads at brace depth 0 of the masked text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sectree.tasks.assemble.text import _ensure_nl, _remove_ranges
from sectree.tasks.model import Task


# language -> patterns of a definition head; each has a 'name' group and starts at a line start
_HEADS: dict[str, list[re.Pattern[str]]] = {
    "c": [re.compile(
        r"^[ \t]*(?!(?:return|else|case|goto|throw|new|delete|sizeof|do|if|while|for|switch|typedef)\b)"
        r"[A-Za-z_][\w:<>,\t \*&]*?[\t \*&](?:\w+::)*(?P<name>~?[A-Za-z_]\w*)[ \t]*\(", re.MULTILINE)],
    "go": [re.compile(r"^func[ \t]+(?:\([^)\n]*\)[ \t]*)?(?P<name>\w+)[ \t]*(?:\[[^\]\n]*\])?[ \t]*\(", re.MULTILINE)],
    "js": [
        re.compile(r"^[ \t]*(?:export[ \t]+(?:default[ \t]+)?)?(?:async[ \t]+)?function[ \t]*\*?[ \t]*"
                   r"(?P<name>[\w$]+)[ \t]*\(", re.MULTILINE),
        re.compile(r"^[ \t]*(?:export[ \t]+)?(?:const|let|var)[ \t]+(?P<name>[\w$]+)[ \t]*=[ \t]*"
                   r"(?:async\b[ \t]*)?(?:function\b|\(|[\w$]+[ \t]*=>)", re.MULTILINE),
        re.compile(r"^[ \t]*(?:module\.)?exports\.(?P<name>[\w$]+)[ \t]*=[ \t]*"
                   r"(?:async\b[ \t]*)?(?:function\b|\(|[\w$]+[ \t]*=>)", re.MULTILINE),
    ],
}


_HEADS["cpp"] = _HEADS["c"]


# language -> patterns of a type / variable definition head, with a 'name' group
_TYPE_HEADS: dict[str, list[re.Pattern[str]]] = {
    "c": [re.compile(r"^[ \t]*(?:typedef[ \t]+)?(?:struct|union|enum|class)[ \t]*(?P<name>\w*)[ \t\n]*\{", re.MULTILINE)],
    "go": [re.compile(r"^type[ \t]+(?P<name>\w+)\b", re.MULTILINE)],
    "js": [re.compile(r"^[ \t]*(?:export[ \t]+)?class[ \t]+(?P<name>[\w$]+)", re.MULTILINE),
           re.compile(r"^[ \t]*(?:export[ \t]+)?(?:const|let|var)[ \t]+(?P<name>[\w$]+)[ \t]*=", re.MULTILINE)],
}


_TYPE_HEADS["cpp"] = _TYPE_HEADS["c"]


@dataclass(frozen=True)
class _Def:
    name: str
    start: int
    """Offset of the definition's first line."""
    end: int
    """Offset just past it (its closing brace, a trailing ``;`` and the rest of that line)."""
    kind: str
    """'function' or 'type' (types, classes and JS/Go top-level variables)."""


def _mask(code: str, language: str) -> str:
    """``code`` with the contents of comments and string/char literals replaced by spaces (same length,
    newlines kept), so braces and names inside them are invisible to the scanners above."""
    quotes = {"go": "\"'`", "js": "\"'`"}.get(language, "\"'")
    out = list(code)
    n, i = len(code), 0

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        if code.startswith("//", i):
            j = code.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif code.startswith("/*", i):
            j = code.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
        elif code[i] in quotes:
            q, j = code[i], i + 1
            while j < n and code[j] != q:
                if code[j] == "\\" and q != "`":
                    j += 2
                    continue
                if code[j] == "\n" and q != "`":
                    break  # an unterminated literal ends at the line's end
                j += 1
            blank(i + 1, min(j, n))
            i = min(j + 1, n)
        else:
            i += 1
    return "".join(out)


def _heads(masked: str, language: str) -> list[re.Match[str]]:
    pats = _HEADS.get(language, _HEADS["c"])
    return sorted((m for p in pats for m in p.finditer(masked)), key=lambda m: m.start())


def _depths(masked: str) -> list[int]:
    """Brace depth before each offset of ``masked`` (one more entry than characters)."""
    out, d = [0], 0
    for ch in masked:
        d += (ch == "{") - (ch == "}")
        out.append(d)
    return out


def _match_brace(masked: str, open_at: int) -> int:
    """Offset just past the ``}`` matching the ``{`` at ``open_at`` (end of text when unmatched)."""
    d = 0
    for i in range(open_at, len(masked)):
        d += (masked[i] == "{") - (masked[i] == "}")
        if d == 0:
            return i + 1
    return len(masked)


def _to_line_end(masked: str, pos: int) -> int:
    """``pos`` moved past a trailing ``;`` and the rest of its line when that rest is blank."""
    m = re.compile(r"[ \t]*;?[ \t]*(?:\n|$)").match(masked, pos)
    return m.end() if m else pos


def _top_level(masked: str, pos: int, paren: int, skip_block: Callable[[int], bool]) -> Iterator[tuple[int, str]]:
    """``(offset, char)`` of ``masked`` from ``pos`` outside parentheses/brackets (``paren`` of them are open at
    ``pos``); a ``{`` at an offset ``skip_block`` accepts is jumped over to its matching ``}``."""
    i = pos
    while i < len(masked):
        ch = masked[i]
        if ch in "([":
            paren += 1
        elif ch in ")]":
            paren -= 1
        elif ch == "{" and skip_block(i):
            i = _match_brace(masked, i)
            continue
        elif paren <= 0:
            yield i, ch
        i += 1


def _body_brace(masked: str, pos: int, language: str) -> int | None:
    """The ``{`` opening the body of a definition whose head ends at ``pos``; None when a ``;`` comes first
    (a prototype, a call, a plain assignment). Parentheses are skipped; so are Go's ``struct{…}`` and
    ``interface{…}`` type literals in a signature."""
    def type_literal(i: int) -> bool:
        return language == "go" and re.search(r"\b(?:struct|interface)[ \t]*$", masked[:i]) is not None

    for i, ch in _top_level(masked, pos, 1 if masked[pos - 1: pos] == "(" else 0, type_literal):
        if ch == ";":
            return None
        if ch == "{":
            return i
    return None


def _definitions(code: str, language: str) -> list[_Def]:
    """Top-level (brace depth 0) function and type definitions in ``code``, in order."""
    masked = _mask(code, language)
    depth = _depths(masked)
    out: list[_Def] = []
    for m in _heads(masked, language):
        if depth[m.start()] != 0:
            continue
        brace = _body_brace(masked, m.end(), language)
        if brace is None:
            continue
        out.append(_Def(m.group("name"), m.start(), _to_line_end(masked, _match_brace(masked, brace)), "function"))
    for pat in _TYPE_HEADS.get(language, []):
        for m in pat.finditer(masked):
            if depth[m.start()] != 0 or any(d.start <= m.start() < d.end for d in out):
                continue
            end = _type_end(masked, m.end(), language)
            names = [m.group("name")]
            if language in ("c", "cpp"):  # typedef struct {…} Alias;
                alias = re.match(r"[ \t\n]*(\w+)", masked[end:])
                names.append(alias.group(1) if alias else "")
                semi = masked.find(";", end)
                end = _to_line_end(masked, semi + 1 if semi >= 0 else end)
            for name in filter(None, names):
                out.append(_Def(name, m.start(), end, "type"))
    return sorted(out, key=lambda d: d.start)


def _type_end(masked: str, pos: int, language: str) -> int:
    """End of a type/variable definition whose head ends at ``pos``: past the matching brace of a ``{``
    (C/C++: just past ``}``; the caller extends to the ``;``), or the end of the statement/line."""
    if masked[pos - 1: pos] == "{":
        return _match_brace(masked, pos - 1)
    for i, ch in _top_level(masked, pos, 0, lambda _: True):
        if ch == ";" or (ch == "\n" and language == "go"):
            return _to_line_end(masked, i if ch == "\n" else i + 1)
        if ch == "\n" and language == "js" and not re.search(r"[=,(+\-*/&|?:]\s*$", masked[pos:i]):
            return i + 1
    return len(masked)


def _drop_redefinitions(code: str, language: str, elsewhere: str, keep: str) -> str:
    """``code`` without its top-level definitions of names ``elsewhere`` already defines (the prompt's helpers,
    the entrypoint's ``main``), except ``keep``; a redefinition would not compile. Go's ``package`` clause goes too."""
    theirs = {d.name for d in _definitions(elsewhere, language)}
    drop = [(d.start, d.end) for d in _definitions(code, language) if d.name in theirs and d.name != keep]
    if language == "go":
        drop += [(m.start(), m.end()) for m in re.finditer(r"^package[ \t]+\w+[ \t]*\n?", _mask(code, language), re.MULTILINE)]
    return _remove_ranges(code, drop)


def _js_usage(code: str, entry: str, start: int = 0, main_guard: bool = False) -> list[tuple[int, int]]:
    """Spans of top-level example usage in JS at or after ``start``: statements at brace depth 0 that begin
    with a call of ``entry`` or of ``console.*`` (they would run when the tests load the module), and with
    ``main_guard`` (the entrypoint has its own) ``if (require.main === module) {…}`` blocks."""
    masked = _mask(code, "js")
    depth = _depths(masked)
    pat = re.compile(rf"^[ \t]*(?:await[ \t]+)?(?:console\.\w+|{re.escape(entry)})[ \t]*\(", re.MULTILINE)
    out = [(m.start(), _type_end(masked, m.end(), "js")) for m in pat.finditer(masked, start) if depth[m.start()] == 0]
    if main_guard:
        guard = re.compile(r"^[ \t]*if[ \t]*\([ \t]*require\.main[ \t]*===?[ \t]*module[ \t]*\)[ \t]*\{", re.MULTILINE)
        out += [(m.start(), _to_line_end(masked, _match_brace(masked, m.end() - 1)))
                for m in guard.finditer(masked, start) if depth[m.start()] == 0]
    return out


def _continue_braces(task: Task, context: str, code: str) -> str:
    """``header + context + code`` with missing closing braces appended (one per level, indented) and the
    answer's redefinitions of functions the file already defines (e.g. its own ``main``) dropped."""
    lang = task.language
    before = task.header + context
    text = before + code
    masked = _mask(text, lang)
    depth = masked.count("{") - masked.count("}")
    if depth > 0:
        unit = "\t" if lang == "go" else "    "
        text = _ensure_nl(text) + "".join(unit * (depth - 1 - i) + "}\n" for i in range(depth))
    defined_before = {d.name for d in _definitions(before, lang)} | {d.name for d in _definitions(task.entrypoint, lang)}
    drop = [(d.start, d.end) for d in _definitions(text, lang)
            if d.start >= len(before) and d.name != task.entry and d.name in defined_before]
    if lang == "js":
        drop += _js_usage(text, task.entry, len(before), main_guard="require.main" in task.entrypoint)
    return _remove_ranges(text, drop)


def _brace_declaration_start(prompt: str, entry: str, language: str) -> int:
    """Offset of the line that starts the prompt's (last) declaration of ``entry``; ``len(prompt)`` if none."""
    masked = _mask(prompt, language)
    heads = [m.start() for m in _heads(masked, language) if m.group("name") == entry]
    if not heads:  # e.g. the return type on a line of its own: the line naming the function
        depth = _depths(masked)
        heads = [masked.rfind("\n", 0, m.start()) + 1 for m in re.finditer(rf"(?<![\w$]){re.escape(entry)}[ \t]*\(", masked)
                 if depth[m.start()] == 0]
    return heads[-1] if heads else len(prompt)


def _reference_tail(task: Task) -> list[tuple[str, str]]:
    """Top-level items the secure reference has *after* the entry function, as ``(key, text)``: definitions
    keyed by name (e.g. ``main`` when a task file misspells its entrypoint marker) and, for JS, export
    statements keyed ``"exports"`` (``module.exports = f;``)."""
    lang = task.language
    before = task.header + task.prompt
    text = before + task.solution
    masked = _mask(text, lang)
    start = _brace_declaration_start(task.prompt, task.entry, lang) + len(task.header)
    brace = masked.find("{", start)
    if brace < 0 or brace >= len(before) + len(task.solution):
        return []
    end = _to_line_end(masked, _match_brace(masked, brace))
    if end >= len(text):
        return []
    out = [(d.name, text[d.start: d.end]) for d in _definitions(text, lang) if d.start >= end]
    if lang == "js":
        depth = _depths(masked)
        for m in re.finditer(r"^[ \t]*(?:module\.)?exports\b", masked[: len(text)], re.MULTILINE):
            if m.start() >= end and depth[m.start()] == 0:
                out.append(("exports", text[m.start(): _type_end(masked, m.end(), lang)]))
    return out


def _add_missing_tail(task: Task, body: str) -> str:
    """``body`` plus the reference's tail items (see _reference_tail) that neither ``body`` nor the entrypoint
    has: without them a candidate that stops at the function's end would not link or export."""
    have = {d.name for d in _definitions(body, task.language)} | {d.name for d in _definitions(task.entrypoint, task.language)}
    if task.language == "js" and re.search(r"^[ \t]*(?:module\.)?exports\b", _mask(body + "\n" + task.entrypoint, "js"), re.MULTILINE):
        have.add("exports")
    missing = [text for key, text in _reference_tail(task) if key not in have]
    if not missing:
        return body
    return _ensure_nl(body) + "".join("\n" + _ensure_nl(t) for t in missing)

