"""Host-side checks that a JavaScript candidate can load at all (issue #10: a sample that does not load is
broken, and its security tests are no alerts).

Python needs none: a candidate that does not import, or lacks its entry point, fails at collection and every
test is ``missing``. C, C++ and Go fail to build or link. A JavaScript task's tests, however, run
``node <stem>_task.js`` once per test, so a module that throws while loading, or never defines the entry
function the task's driver calls, fails every test through its output - its security tests included, which
would count as security alerts. Two static checks catch the common cases before anything runs (parsing only,
with tree-sitter; no candidate code runs on the host):

- the entry function, where the file calls or names it (our tasks' fixed driver does), is defined somewhere in
  the file: a function or class declaration, a variable declarator, or an assignment to a property of that
  name (``exports.f = ...``). A file that never names it (CWEval's unsafe references define and drive
  ``f_unsafe``) is not held to it;
- every ``require()`` of a string literal names a Node built-in module, a relative/absolute path or a package
  in the JS runner's NODE_PATH (CWEval's, where installed): the sandbox has no other ``node_modules`` and no
  network, so any other npm package can never load.

Not caught (such a candidate still fails its tests and can raise alerts): a module that throws at load for
another reason (a top-level TypeError, a missing relative file), or defines the entry only dynamically.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from functools import lru_cache

from sectree.oracle import runners
from sectree.tasks import Task
from sectree.tasks.grammar import parser

_LOCK = threading.Lock()  # tree-sitter parsers are not safe for concurrent parses; judge_many uses threads
DEFINES = {"function_declaration", "generator_function_declaration", "class_declaration", "variable_declarator"}


@lru_cache(maxsize=1)
def node_builtins() -> frozenset[str]:
    """Node's built-in module names (``require('module').builtinModules``), asked once; empty without node."""
    node = shutil.which("node")
    if node is None:
        return frozenset()
    try:
        out = subprocess.run([node, "-e", "console.log(JSON.stringify(require('module').builtinModules))"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        return frozenset(json.loads(out))
    except (OSError, subprocess.SubprocessError, ValueError):
        return frozenset()


def _loadable(mod: str, builtins: frozenset[str]) -> bool:
    """Whether ``require(mod)`` can find something in the sandbox (see the module docstring)."""
    if mod.startswith((".", "/", "node:")) or mod in builtins:
        return True
    pkg = "/".join(mod.split("/")[:2]) if mod.startswith("@") else mod.split("/")[0]
    node_path = getattr(runners, "NODE_MODULES", None)  # CWEval's packages, mounted with the virtualenv
    return pkg in builtins or (node_path is not None and (node_path / pkg).is_dir())


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


def js_load_problem(source: str, entry: str) -> str | None:
    """Why ``source`` cannot load as the task's module with ``entry`` defined, in a few words; None if it may."""
    with _LOCK:
        root = parser("js").parse(source.encode("utf-8", "replace")).root_node
    builtins = node_builtins()
    defined = named = False
    stack = [root]
    while stack:
        n = stack.pop()
        stack.extend(n.children)
        if n.type == "identifier" and _text(n) == entry:
            named = True
        if n.type in DEFINES:
            name = n.child_by_field_name("name")
            defined |= name is not None and _text(name) == entry
        elif n.type == "assignment_expression":
            left = n.child_by_field_name("left")
            prop = left.child_by_field_name("property") if left is not None and left.type == "member_expression" else None
            defined |= prop is not None and _text(prop) == entry
        elif n.type == "call_expression" and builtins:
            fn, args = n.child_by_field_name("function"), n.child_by_field_name("arguments")
            strings = [a for a in (args.named_children if args is not None else []) if a.type == "string"]
            if fn is not None and _text(fn) == "require" and len(strings) == 1 and len(args.named_children) == 1:
                mod = _text(strings[0])[1:-1]
                if not _loadable(mod, builtins):
                    return f"does not load: require('{mod}'): no such module in the sandbox"
    if named and not defined:
        return f"does not load: entry point {entry} is called but not defined"
    return None


def load_problem(task: Task, source: str) -> str | None:
    """Why the (parseable) candidate cannot load as ``task``'s module, or None (see the module docstring)."""
    if task.language == "js" and task.entry:
        return js_load_problem(source, task.entry)
    return None


__all__ = ["js_load_problem", "load_problem", "node_builtins"]
