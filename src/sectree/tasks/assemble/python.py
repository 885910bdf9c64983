"""Python repair for candidate assembly: find a definition, indent a continuation into the open body, and drop
top-level example usage (``print(...)``, a ``__main__`` block, calls of the entry) an answer adds.

The statement filter works on the AST when the text parses and falls back to indentation when it does not.
"""

from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize

from sectree.tasks.grammar import parse_python


def _py_declaration_start(prompt: str, entry: str) -> int:
    """Offset of the line that starts the prompt's (last) declaration of ``entry``: the ``def``/``class`` line,
    or the first of the decorator lines right above it; ``len(prompt)`` if none."""
    hits = list(_py_definition(entry, indented=True).finditer(prompt))
    if not hits:
        return len(prompt)
    start = hits[-1].start()
    lines_before = prompt[:start].splitlines(keepends=True)
    while lines_before and lines_before[-1].lstrip().startswith("@"):
        start -= len(lines_before.pop())
    return start


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
        tree = parse_python(code)
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
        tree = parse_python(text)
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
            parse_python(before + v)
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

