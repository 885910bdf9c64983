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

The steps live in submodules, one job each: ``extract`` (fences, ``<think>``, echoes; ``defines_function``),
``python`` (indentation and usage repair on the AST), ``braces`` (C/C++/Go/JS scanning by brace depth),
``go`` (Go import lines) and ``text`` (shared helpers). This module joins them.
"""

from __future__ import annotations

import re
import textwrap

from sectree.tasks.assemble.braces import (
    _add_missing_tail,
    _brace_declaration_start,
    _continue_braces,
    _drop_redefinitions,
    _js_usage,
)
from sectree.tasks.assemble.extract import _strip_echo, defines_function, extract_code, strip_answer_prefix
from sectree.tasks.assemble.go import _hoist_go_imports, fix_go_header_imports, go_import_specs, go_known_imports
from sectree.tasks.assemble.python import _clean_python_answer, _continue_python, _py_declaration_start
from sectree.tasks.assemble.text import _ensure_nl, _remove_ranges
from sectree.settings import PROMPT_MODES
from sectree.tasks.model import Task


MODES = PROMPT_MODES  # full, completion (defined once, sectree.settings)
BRACE_LANGUAGES = ("c", "cpp", "go", "js")


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
    """Offset of the line that starts the prompt's (last) declaration of ``entry``; ``len(prompt)`` if none."""
    if language == "python":
        return _py_declaration_start(prompt, entry)
    return _brace_declaration_start(prompt, entry, language)


def _unheal(context: str, code: str) -> tuple[str, str]:
    """``(context, code)`` for a ``code`` that continued ``context.rstrip()``: a continuation starting with a
    line break gets it as the context's last newline; any other continues the context's last line."""
    stripped = context.rstrip()
    if code.startswith(("\n", "\r\n")):
        return stripped + "\n", code[code.index("\n") + 1:]
    return stripped, code


def _join(body: str, entrypoint: str) -> str:
    """``body + entrypoint``, with a newline between them when ``body`` lacks one and there is an entrypoint."""
    return (_ensure_nl(body) if entrypoint else body) + entrypoint


__all__ = [
    "BRACE_LANGUAGES",
    "MODES",
    "assemble",
    "defines_function",
    "extract_code",
    "fix_go_header_imports",
    "go_import_specs",
    "go_known_imports",
    "strip_answer_prefix",
]
