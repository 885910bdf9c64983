"""Turn a model's raw answer into the candidate source file the oracle judges.

The candidate is ``header + context + completion + entrypoint`` where ``context`` is ``task.prompt``
(``mode="full"``) or ``task.completion_context`` (``mode="completion"``: the model continued the golden code
from just before the decisive line). The answer is cleaned up first:

1. :func:`extract_code` takes the code out of markdown fences (and drops a ``<think>`` preamble);
2. :func:`strip_answer_prefix` drops an echo of the context (chat models often repeat the prompt);
3. an answer that *defines* ``task.entry`` replaces the prompt's declaration of that function (prompt text
   above the declaration is kept); anything else is a *continuation* appended to the context, indented
   (Python) or brace-closed (C, C++, Go, JS) as needed.
4. what the answer adds must not break the file: Python drops top-level example usage (``print(...)``, a
   ``__main__`` block, calls of the entry); C/C++/Go/JS drop the answer's definitions of names the header,
   prompt or entrypoint already define (its own ``main``, a helper from the prompt), JS drops top-level
   ``console.*``/entry calls and a ``require.main`` block the entrypoint already has, Go drops ``package``
   and moves new imports up to the header's; a ``from __future__`` import moves to the top.
5. top-level items the secure reference has after the entry function (a JS ``module.exports``, a ``main``
   that a misspelt entrypoint marker left in the solution) are added when the answer lacks them.

Every step leaves well-formed input untouched: ``assemble(task, task.solution)`` is exactly
``task.reference_source``, and so is a completion-mode answer holding the golden rest of the body. The
entrypoint always goes last, unchanged. All functions are pure.
"""

from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

from sectree.tasks import Task

MODES = ("full", "completion")
BRACE_LANGUAGES = ("c", "cpp", "go", "js")

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


# --------------------------------------------------------------------------------------------------
# public entry point


def assemble(task: Task, answer: str, mode: str = "full", *, healed: bool = False) -> str:
    """The candidate source file for ``answer`` to ``task`` (see the module docstring for the rules).

    ``mode="full"``: the model saw ``task.prompt``; ``mode="completion"``: it saw ``task.completion_context``.
    ``healed=True``: the model continued the context *right-stripped* (``sectree.policy.prompts.heal``), so
    a continuation is joined to ``context.rstrip()`` and may go on with the context's last line; it usually
    starts with the newline the stripping removed. Use it for raw continuations, not for free (fenced) chat
    answers. Raises ValueError for an unknown mode. Never fails on a malformed answer: the oracle judges it.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (expected one of {MODES})")
    lang = task.language
    context = task.prompt if mode == "full" else task.completion_context
    code = extract_code(answer, lang, entry=task.entry)
    # an echo of the prompt (not of the golden prefix) in completion mode means the model wrote the body afresh
    for echoed, ctx in ((task.header + context, context), (context, context),
                        (task.header + task.prompt, task.prompt), (task.prompt, task.prompt)):
        rest = _strip_echo(code, echoed)
        if rest is not None:
            code, context, healed = rest, ctx, False  # what follows an echo starts on a line of its own
            break
    if defines_function(code, task.entry, lang):
        body = _assemble_definition(task, code)
    else:
        if healed:
            context, code = _unheal(context, code)
        if lang == "python":
            body = _continue_python(task.header, context, code, task.entry)
        else:
            body = _continue_braces(task, context, code)
    if lang in BRACE_LANGUAGES:
        body = _add_missing_tail(task, body)
    program = _join(body, task.entrypoint)
    return fix_go_header_imports(program, task.header, go_known_imports(task)) if lang == "go" else program


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


# --------------------------------------------------------------------------------------------------
# fences


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
                tree = ast.parse(textwrap.dedent(candidate))
            except SyntaxError:
                continue
            trivial = (ast.Name, ast.Constant)
            if any(not (isinstance(n, ast.Expr) and isinstance(n.value, trivial)) for n in tree.body):
                return True
        return False
    return re.search(r"[;{}][ \t]*$", text, re.MULTILINE) is not None


# --------------------------------------------------------------------------------------------------
# echoes and joining


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


def _unheal(context: str, code: str) -> tuple[str, str]:
    """``(context, code)`` for a ``code`` that continued ``context.rstrip()``: a continuation starting with a
    line break gets it as the context's last newline; any other continues the context's last line."""
    stripped = context.rstrip()
    if code.startswith(("\n", "\r\n")):
        return stripped + "\n", code[code.index("\n") + 1:]
    return stripped, code


def _ensure_nl(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def _join(body: str, entrypoint: str) -> str:
    """``body + entrypoint``, with a newline between them when ``body`` lacks one and there is an entrypoint."""
    return (_ensure_nl(body) if entrypoint else body) + entrypoint


def _remove_ranges(text: str, ranges: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for start, end in sorted(ranges):
        if start >= pos:
            out.append(text[pos:start])
            pos = end
        else:
            pos = max(pos, end)
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# answers that define the entry function


def _assemble_definition(task: Task, code: str) -> str:
    """``header + prompt-before-the-declaration + answer``, the answer cleaned for its language."""
    lang, entry = task.language, task.entry
    prefix = task.prompt[: _declaration_start(task.prompt, entry, lang)]
    head = task.header + prefix
    if lang == "python":
        code = _clean_python_answer(textwrap.dedent(code), entry)
        future = re.findall(r"^from[ \t]+__future__[ \t]+import[^\n]*\n?", code, re.MULTILINE)
        if future:  # a __future__ import must open the file
            code = re.sub(r"^from[ \t]+__future__[ \t]+import[^\n]*\n?", "", code, flags=re.MULTILINE)
            head = "".join(_ensure_nl(f) for f in future if f.strip() not in head) + head
        return head + _ensure_nl(code)
    code = _drop_redefinitions(code, lang, elsewhere=head + "\n" + task.entrypoint, keep=entry)
    if lang == "js":
        code = _remove_ranges(code, _js_usage(code, entry, main_guard="require.main" in task.entrypoint))
    if lang == "go":
        head, code = _hoist_go_imports(head, code)
    return head + _ensure_nl(code)


def _declaration_start(prompt: str, entry: str, language: str) -> int:
    """Offset of the line that starts the prompt's (last) declaration of ``entry``; ``len(prompt)`` if none.

    Python: the ``def``/``class`` line, or the first of the decorator lines right above it.
    """
    if language == "python":
        hits = list(_py_definition(entry, indented=True).finditer(prompt))
        if not hits:
            return len(prompt)
        start = hits[-1].start()
        lines_before = prompt[:start].splitlines(keepends=True)
        while lines_before and lines_before[-1].lstrip().startswith("@"):
            start -= len(lines_before.pop())
        return start
    masked = _mask(prompt, language)
    heads = [m.start() for m in _heads(masked, language) if m.group("name") == entry]
    if not heads:  # e.g. the return type on a line of its own: the line naming the function
        depth = _depths(masked)
        heads = [masked.rfind("\n", 0, m.start()) + 1 for m in re.finditer(rf"(?<![\w$]){re.escape(entry)}[ \t]*\(", masked)
                 if depth[m.start()] == 0]
    return heads[-1] if heads else len(prompt)


def _py_definition(name: str, indented: bool) -> re.Pattern[str]:
    """A Python ``def name(`` / ``async def name(`` / ``class name`` line (a task's entry may be a class)."""
    lead = r"[ \t]*" if indented else ""
    return re.compile(rf"^{lead}(?:(?:async[ \t]+)?def[ \t]+{re.escape(name)}[ \t]*\(|class[ \t]+{re.escape(name)}\b[ \t]*[:(])",
                      re.MULTILINE)


_KEEP_NODES = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
               ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Pass)


def _keep_python_stmt(node: ast.stmt, entry: str) -> bool:
    """Top-level statements an answer may add: imports, defs, classes, assignments (and if/try blocks made of
    those, except a ``__main__`` guard); never a statement that calls ``entry`` (example usage)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    calls_entry = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == entry
                      for n in ast.walk(node))
    if calls_entry:
        return False
    if isinstance(node, _KEEP_NODES):
        return True
    if isinstance(node, ast.If):
        if "__name__" in ast.unparse(node.test):
            return False
        return all(_keep_python_stmt(n, entry) for n in node.body + node.orelse)
    if isinstance(node, ast.Try):
        return all(_keep_python_stmt(n, entry) for n in node.body)
    return False


def _python_drop_ranges(tree: ast.Module, entry: str, first_line: int) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of top-level statements to drop that start at or after ``first_line``."""
    out = []
    for node in tree.body:
        if node.lineno >= first_line and not _keep_python_stmt(node, entry):
            out.append((node.lineno, node.end_lineno or node.lineno))
    return out


def _drop_lines(text: str, ranges: list[tuple[int, int]], offset: int = 0) -> str:
    """``text`` without the 1-based inclusive line ranges (numbered from ``offset + 1``); lines shared with a
    kept statement (``a; print(a)``) are dropped too, which only happens in odd one-liners."""
    if not ranges:
        return text
    lines = text.splitlines(keepends=True)
    drop = {ln - 1 - offset for a, b in ranges for ln in range(a, b + 1)}
    return "".join(line for i, line in enumerate(lines) if i not in drop)


def _clean_python_answer(code: str, entry: str) -> str:
    """Drop example usage from a whole-module answer: top-level statements other than imports, defs,
    classes and assignments (see _keep_python_stmt). Unparsable answers lose only ``__main__`` blocks."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return _drop_main_guard(code)
    return _drop_lines(code, _python_drop_ranges(tree, entry, 1))


def _drop_main_guard(code: str) -> str:
    """Remove ``if __name__ == "__main__":`` blocks by indentation (for code that does not parse)."""
    out, skipping = [], False
    for line in code.splitlines(keepends=True):
        if re.match(r"^if\s+__name__\s*==\s*['\"]__main__['\"]\s*:", line):
            skipping = True
            continue
        if skipping and (not line.strip() or line[0] in " \t"):
            continue
        skipping = False
        out.append(line)
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# Python continuations


def _continue_python(header: str, context: str, code: str, entry: str) -> str:
    """``header + context + code``; ``code`` indented into the open function body when it starts unindented,
    and top-level example usage it adds after the body dropped (see _keep_python_stmt)."""
    if context and not context.endswith("\n"):
        # continues a partial line; an answer that restates that line's start only continues it
        partial = context.splitlines()[-1].strip()
        stripped = code.lstrip(" \t")
        cont = stripped[len(partial): len(partial) + 1]
        if partial and stripped.startswith(partial) and not (cont and (cont.isalnum() or cont == "_") and partial[-1].isalnum()):
            code = stripped[len(partial):]
            if context[-1] in " \t":
                code = code.lstrip(" \t")
    else:
        code = _indent_python(header + context, code)
    text = header + context + code
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    offset = (header + context).count("\n")  # the answer's first line is line offset + 1
    first = offset + 1 if (header + context).endswith("\n") or not (header + context) else offset + 2
    ranges = _python_drop_ranges(tree, entry, first)
    if not ranges:
        return text
    return header + context + _drop_lines(code, ranges, offset)


def _indent_python(before: str, code: str) -> str:
    """``code`` indented to continue ``before`` when its first non-blank line is not indented but ``before``
    ends inside a block. The body's indentation comes from ``before``'s last logical lines (one level deeper
    after a line ending in ``:``); when that does not parse, the enclosing blocks' indentations are tried,
    each both for the whole answer and for its first line only (answers whose first line lost its indent)."""
    first = next((ln for ln in code.splitlines() if ln.strip()), "")
    if not first or first[0] in " \t":
        return code
    indents = _open_indents(before)
    if not indents:
        return code
    lines = code.splitlines(keepends=True)
    k = next(i for i, ln in enumerate(lines) if ln.strip())
    variants = []
    for ind in indents:
        variants.append(textwrap.indent(code, ind))
        variants.append("".join(lines[:k]) + ind + "".join(lines[k:]))
    for v in variants:
        try:
            ast.parse(before + v)
            return v
        except SyntaxError:
            continue
    return variants[0]


def _open_indents(text: str) -> list[str]:
    """Indentations a continuation of ``text`` may take, best first; [] when ``text`` ends at module level."""
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return _open_indents_raw(text)
    stack: list[str] = []
    pending = 0
    last_indent, last_colon = "", False
    at_start, cur_indent, prev = True, "", ""
    for tok in toks:
        if tok.type == tokenize.ENDMARKER:
            break  # the DEDENTs just before it only close blocks at end of file
        if tok.type == tokenize.DEDENT:
            pending += 1
            continue
        if pending:
            del stack[len(stack) - pending:]
            pending = 0
        if tok.type == tokenize.INDENT:
            stack.append(tok.string)
        elif tok.type == tokenize.NEWLINE:
            last_indent, last_colon, at_start = cur_indent, prev == ":", True
        elif tok.type not in (tokenize.NL, tokenize.COMMENT):
            if at_start:
                cur_indent, at_start = tok.line[: tok.start[1]], False
            prev = tok.string
    unit = stack[0] if stack else ("\t" if "\t" in last_indent else "    ")
    target = last_indent + unit if last_colon else (stack[-1] if stack else "")
    out = [target] if target else []
    out += [s for s in reversed(stack) if s and s not in out]
    return out


def _open_indents_raw(text: str) -> list[str]:
    """_open_indents for text that does not tokenize: the last non-blank line's indentation."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    if not lines:
        return []
    last = lines[-1]
    ind = last[: len(last) - len(last.lstrip())]
    if last.rstrip().endswith(":"):
        ind += "\t" if "\t" in ind else "    "
    return [ind] if ind else []


# --------------------------------------------------------------------------------------------------
# brace languages


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


def _reference_tail(task: Task) -> list[tuple[str, str]]:
    """Top-level items the secure reference has *after* the entry function, as ``(key, text)``: definitions
    keyed by name (e.g. ``main`` when a task file misspells its entrypoint marker) and, for JS, export
    statements keyed ``"exports"`` (``module.exports = f;``)."""
    lang = task.language
    before = task.header + task.prompt
    text = before + task.solution
    masked = _mask(text, lang)
    start = _declaration_start(task.prompt, task.entry, lang) + len(task.header)
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


def _body_brace(masked: str, pos: int, language: str) -> int | None:
    """The ``{`` opening the body of a definition whose head ends at ``pos``; None when a ``;`` comes first
    (a prototype, a call, a plain assignment). Parentheses are skipped; so are Go's ``struct{…}`` and
    ``interface{…}`` type literals in a signature."""
    paren = 1 if masked[pos - 1: pos] == "(" else 0
    i = pos
    while i < len(masked):
        ch = masked[i]
        if ch in "([":
            paren += 1
        elif ch in ")]":
            paren -= 1
        elif paren <= 0 and ch == ";":
            return None
        elif ch == "{":
            if language == "go" and re.search(r"\b(?:struct|interface)[ \t]*$", masked[:i]):
                i = _match_brace(masked, i)
                continue
            if paren <= 0:
                return i
        i += 1
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
    i, paren = pos, 0
    while i < len(masked):
        ch = masked[i]
        if ch in "([":
            paren += 1
        elif ch in ")]":
            paren -= 1
        elif ch == "{":
            i = _match_brace(masked, i)
            continue
        elif paren <= 0 and (ch == ";" or (ch == "\n" and language == "go")):
            return _to_line_end(masked, i if ch == "\n" else i + 1)
        elif paren <= 0 and ch == "\n" and language == "js" and not re.search(r"[=,(+\-*/&|?:]\s*$", masked[pos:i]):
            return i + 1
        i += 1
    return len(masked)


def _drop_redefinitions(code: str, language: str, elsewhere: str, keep: str) -> str:
    """``code`` without its top-level definitions of names ``elsewhere`` already defines (the prompt's helpers,
    the entrypoint's ``main``), except ``keep``; a redefinition would not compile. Go's ``package`` clause goes too."""
    theirs = {d.name for d in _definitions(elsewhere, language)}
    drop = [(d.start, d.end) for d in _definitions(code, language) if d.name in theirs and d.name != keep]
    if language == "go":
        drop += [(m.start(), m.end()) for m in re.finditer(r"^package[ \t]+\w+[ \t]*\n?", _mask(code, language), re.MULTILINE)]
    return _remove_ranges(code, drop)


_GO_IMPORT = re.compile(r"^import[ \t]*(?:\((?P<block>[^)]*)\)|(?P<one>[^\n]*))[ \t]*\n?", re.MULTILINE)


def _hoist_go_imports(head: str, code: str) -> tuple[str, str]:
    """Move the answer's Go imports into ``head`` (Go wants them right after the package clause); only
    import paths ``head`` lacks are added, as one ``import (…)`` block after ``head``'s last import."""
    masked = _mask(code, "go")
    specs, ranges = [], []
    for m in _GO_IMPORT.finditer(masked):
        raw = code[m.start(): m.end()]
        inner = re.sub(r"^import[ \t]*\(?", "", raw.strip()).rstrip(")")
        specs += [s.strip() for s in inner.splitlines() if s.strip() and not s.strip().startswith("//")]
        ranges.append((m.start(), m.end()))
    if not ranges:
        return head, code
    def path(spec: str) -> str:
        m = re.search(r"\"([^\"]+)\"", spec)
        return m.group(1) if m else spec

    have = {path(s) for m in _GO_IMPORT.finditer(head) for s in re.findall(r"\"[^\"]+\"", m.group(0))}
    new = [s for s in specs if path(s) not in have]
    code = _remove_ranges(code, ranges)
    if new:
        block = "import (\n" + "".join(f"\t{s}\n" for s in dict.fromkeys(new)) + ")\n"
        last = list(_GO_IMPORT.finditer(_mask(head, "go")))
        pkg = re.search(r"^package[ \t]+\w+[^\n]*\n?", head, re.MULTILINE)
        at = last[-1].end() if last else (pkg.end() if pkg else 0)
        head = head[:at] + ("\n" if at and head[at - 1: at] != "\n" else "") + block + head[at:]
    return head, code


_GO_SPEC = re.compile(r'^[ \t]*(?:(?P<alias>[A-Za-z_]\w*|[._])[ \t]+)?"(?P<path>[^"]+)"[ \t]*(?://[^\n]*)?$')


def _go_package_name(path: str) -> str | None:
    """The name a Go import path binds without an alias, where it is plain: the last path element
    (``math/rand/v2`` -> ``rand``); None where a module's name may differ from its path (then keep it)."""
    parts = path.split("/")
    name = parts[-2] if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]) else parts[-1]
    return name if re.fullmatch(r"[A-Za-z_]\w*", name) else None


def go_known_imports(task: Task) -> list[str]:
    """Import specs a Go candidate of ``task`` may need: those of the task's secure and unsafe references."""
    texts = [task.header, task.unsafe_file_text, *task.unsafe_sources]
    return [sp for text in texts for sp in go_import_specs(text)]


def go_import_specs(source: str) -> list[str]:
    """The import specs (``"os"``, ``r "crypto/rand"``) of a Go file's import declarations."""
    specs = []
    for m in _GO_IMPORT.finditer(source):
        lines = (m.group("block") or "").split("\n") if m.group("one") is None else [m.group("one")]
        specs += [ln.strip() for ln in lines if _GO_SPEC.match(ln)]
    return specs


def _go_spec_name(spec: str) -> str | None:
    m = _GO_SPEC.match(spec)
    if not m or m.group("alias") in ("_", "."):
        return None
    return m.group("alias") or _go_package_name(m.group("path"))


def fix_go_header_imports(program: str, header: str, known: Sequence[str] = ()) -> str:
    """Make the task's own ``header`` import exactly the packages the rest of ``program`` names.

    Go refuses to compile an unused import or an unimported package. The header is the task's, not the
    model's: a candidate whose body (a sampled span, a spliced unsafe hunk, an answer written another way)
    no longer needs one of the header's packages, or needs one that the task's other reference imports
    (``known``: specs from the task's files, e.g. the unsafe reference's ``"math/rand"``), would otherwise be
    judged broken for an import line it never wrote. A use is ``name.`` outside comments and strings. Blank
    ``_`` and dot imports, and paths whose package name is unclear, are never dropped; only ``known`` specs
    are ever added (this is no goimports). ``program`` must start with ``header``, else it is returned as is.
    """
    if not header or not program.startswith(header) or not _GO_IMPORT.search(header):
        return program
    used = set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)[ \t]*\.", _mask(program[len(header):], "go")))
    have = {_go_spec_name(sp) for sp in go_import_specs(header)}
    add = []
    for spec in known:
        name = _go_spec_name(spec)
        if name and name in used and name not in have and spec not in add:
            add.append(spec)
            have.add(name)
    first = True

    def rewrite(m: re.Match) -> str:
        nonlocal first
        lines = (m.group("block") or "").split("\n") if m.group("one") is None else [m.group("one")]
        kept = [ln for ln in lines if not _GO_SPEC.match(ln) or _go_spec_name(ln) in (None, *used)]
        extra = add if first else []
        first = False
        if len(kept) == len(lines) and not extra:
            return m.group(0)  # nothing to change: the declaration stays byte for byte
        kept += [f"\t{sp}" for sp in extra]
        specs = [ln.strip() for ln in kept if _GO_SPEC.match(ln)]
        if not specs:
            return ""  # nothing left to import: drop the whole declaration
        return "import (\n" + "".join(f"\t{sp}\n" for sp in specs) + ")\n"

    return _GO_IMPORT.sub(rewrite, header) + program[len(header):]


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


__all__ = ["MODES", "assemble", "defines_function", "extract_code", "strip_answer_prefix"]
