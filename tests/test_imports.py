"""The import graph of src/sectree (issue 13): no import circles, and the layers point one way.

Every module under src/sectree is parsed with ``ast`` (nothing is imported); every ``import``/``from ... import``
of a sectree module counts, at module level, inside functions and under ``if TYPE_CHECKING`` alike: an import
hidden in a function still ties the two modules together, it only defers the circle to run time. The task suites
(``tasks/suites/``: task files, not sectree code) are left out.

Layers, lowest first; a module may import its own layer and any lower one, never a higher one:

    base (errors, io, config, settings)  <-  tasks  <-  sandbox  <-  oracle  <-  policy  <-  tree  <-  train
        <-  evaluate  <-  experiment  <-  cli

The base modules import only each other (and the standard library / third-party packages).

Imports sit at module level. In the packages of ``LAZY_SCOPE`` an import inside a function (of a sectree module,
a third-party package or the standard library) must say why it cannot move up, with ``# lazy(<reason>): <why>``
on its line or in the comment lines right above it (a comment above a run of imports covers the run). The
reasons (``LAZY_REASONS``): ``circle`` (module level would close an import circle), ``heavy`` (torch,
transformers, peft, matplotlib: seconds that a light entry point such as ``sectree --help`` or a config load must
not pay), ``optional`` (an optional extra: ray, accelerate), ``process`` (code that runs in another process).
cli.py is outside the scope: every command imports its layer in its function, for the reason its comment gives.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "sectree"
SKIP = ("sectree.tasks.suites",)
"""Module prefixes that are not sectree code (the built-in tasks' reference and test files)."""

BASE = ("sectree", "sectree.errors", "sectree.io", "sectree.config", "sectree.settings")
"""Modules every layer may import; they import only each other (read from their imports: errors and stdlib,
yaml for config)."""
LAYERS = ("tasks", "sandbox", "oracle", "policy", "tree", "train", "evaluate", "experiment", "cli")
"""sectree.<layer> packages (and sectree.cli, sectree.__main__ on top), lowest first."""
LAZY_SCOPE = ("sectree.evaluate", "sectree.experiment", "sectree.train", "sectree.tree", "sectree.policy",
              "sectree.io", "sectree.settings")
"""Modules (and packages) whose function-level imports must carry a ``# lazy(<reason>): <why>`` comment."""
LAZY_REASONS = ("circle", "heavy", "optional", "process")
"""Why an import may sit inside a function (this file's docstring says what each means)."""
_LAZY = re.compile(r"#.*?\blazy\((\w+)\)\W*(\w.*)?$")


def modules(src: Path, package: str = PACKAGE) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package's ``__init__``) for every .py file of ``package`` under ``src``."""
    out = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_pkg else parts)
        if not name.startswith(SKIP):
            out[name] = (path, is_pkg)
    return out


def imports(name: str, path: Path, is_pkg: bool, known: set[str], package: str = PACKAGE) -> list[tuple[str, int]]:
    """(imported module, line) for every import of a ``package`` module anywhere in ``path`` (module level,
    functions, TYPE_CHECKING blocks). ``from a.b import c`` counts as ``a.b.c`` when that is a module, else ``a.b``;
    a name that is no module counts as its longest known prefix."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package, one level up per extra dot
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names]
        for t in targets:
            if t != package and not t.startswith(package + "."):
                continue
            while t not in known and "." in t:
                t = t.rsplit(".", 1)[0]
            if t != name:
                out.append((t, node.lineno))
    return out


def graph(src: Path = SRC, package: str = PACKAGE) -> dict[str, dict[str, list[int]]]:
    """module -> {imported module: [lines]} for every module of ``package``."""
    mods = modules(src, package)
    known = set(mods)
    out: dict[str, dict[str, list[int]]] = {m: {} for m in mods}
    for m, (path, is_pkg) in mods.items():
        for t, line in imports(m, path, is_pkg, known, package):
            lines = out[m].setdefault(t, [])
            if line not in lines:  # `from a import b, c` is one line
                lines.append(line)
    return out


def cycles(g: dict[str, dict[str, list[int]] | set[str]]) -> list[list[str]]:
    """The import circles of ``g``: its strongly connected components of two or more modules, and modules that
    import themselves (Tarjan's algorithm, iterative), each sorted, in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, iter(sorted(g.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in g.get(v, ()):
                    found.append(sorted(comp))
    return sorted(found)


def layer(module: str) -> int:
    """The rank of ``module``'s layer: 0 for the base modules, then LAYERS in order (cli and __main__ last)."""
    if module in BASE:
        return 0
    parts = module.split(".")
    if parts[1] == "__main__":
        return len(LAYERS)
    if parts[1] in LAYERS:
        return LAYERS.index(parts[1]) + 1
    raise AssertionError(f"{module}: in no layer: add it to BASE or LAYERS in tests/test_imports.py")


def upward(g: dict[str, dict[str, list[int]]]) -> list[str]:
    """Every import of a higher layer, as 'importer:line -> imported'."""
    return [f"{m}:{lines[0]} -> {t}" for m, ts in sorted(g.items()) for t, lines in sorted(ts.items())
            if layer(t) > layer(m)]


def lazy_imports(path: Path) -> list[tuple[int, str | None]]:
    """(line, reason or None) for every import inside a function of ``path``. The reason is read from a
    ``# lazy(<reason>): <why>`` comment on the import's lines or in the comment lines right above it, where
    import lines may sit in between (one comment covers a run of imports); None when there is none, when the
    reason is not one of LAZY_REASONS or when the why is missing."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found: dict[int, ast.AST] = {}
    for fn in ast.walk(ast.parse(text, str(path))):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    found[node.lineno] = node

    def reason(line: str) -> str | None:
        m = _LAZY.search(line)
        return m.group(1) if m and m.group(1) in LAZY_REASONS and m.group(2) else None

    out = []
    for lineno, node in sorted(found.items()):
        own = [reason(lines[i - 1]) for i in range(lineno, (node.end_lineno or lineno) + 1)]
        why = next((r for r in own if r), None)
        i = lineno - 1  # 1-based line above the import
        while why is None and i >= 1:
            above = lines[i - 1].strip()
            if above.startswith("#"):
                why = reason(above)
            elif not above.startswith(("import ", "from ")):
                break
            i -= 1
        out.append((lineno, why))
    return out


def unexplained_lazy_imports(src: Path = SRC, package: str = PACKAGE, scope=LAZY_SCOPE) -> list[str]:
    """'module:line' of every function-level import in ``scope`` without a lazy(<reason>) comment."""
    bad = []
    for name, (path, _) in modules(src, package).items():
        if any(name == s or name.startswith(s + ".") for s in scope):
            bad += [f"{name}:{line}" for line, why in lazy_imports(path) if why is None]
    return sorted(bad)


def _describe(g: dict[str, dict[str, list[int]]], comp: list[str]) -> str:
    return "; ".join(f"{a}:{','.join(map(str, g[a][b]))} -> {b}" for a in comp for b in sorted(g[a]) if b in comp)


# ------------------------------------------------------------------------------------------ the finder itself


def test_cycles_finds_planted_circles_and_nothing_else():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}, "b": set()}) == [["a"]]
    # two separate circles, joined by a one-way edge
    assert cycles({"a": {"b"}, "b": {"a", "c"}, "c": {"d"}, "d": {"c"}}) == [["a", "b"], ["c", "d"]]
    # a long chain: the iterative walk needs no recursion limit
    chain = {str(i): {str(i + 1)} for i in range(5000)}
    assert cycles(chain) == []
    chain["5000"] = {"0"}
    assert cycles(chain) == [sorted(str(i) for i in range(5001))]


def test_graph_sees_imports_in_functions_type_checking_and_relative(tmp_path):
    pkg = tmp_path / "fake"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("import os\n\ndef f():\n    from fake.b import g  # hidden in a function\n    return g\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fake import a\n"
                              "def g():\n    return 1\n")
    (pkg / "sub" / "__init__.py").write_text("from . import c\n")
    (pkg / "sub" / "c.py").write_text("from ..a import f\nimport fake.b.not_a_module\n")
    g = graph(tmp_path, "fake")
    assert g["fake.a"] == {"fake.b": [4]}
    assert g["fake.b"] == {"fake.a": [3]}
    assert g["fake.sub"] == {"fake.sub.c": [1]}
    assert g["fake.sub.c"] == {"fake.a": [1], "fake.b": [2]}  # fake.b.not_a_module: its longest known prefix
    assert cycles(g) == [["fake.a", "fake.b"]]


def test_layer_check_reports_an_upward_import():
    g = {"sectree.tasks": {"sectree.errors": [1]}, "sectree.oracle.judge": {"sectree.tasks": [2]},
         "sectree.tree.model": {"sectree.train.tsp": [7]}, "sectree.errors": {}}
    assert upward(g) == ["sectree.tree.model:7 -> sectree.train.tsp"]
    assert upward({"sectree.io": {"sectree.tasks": [3]}}) == ["sectree.io:3 -> sectree.tasks"]
    with pytest.raises(AssertionError, match="in no layer"):
        layer("sectree.newthing")


def test_lazy_imports_need_a_reason_comment(tmp_path):
    pkg = tmp_path / "fake"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(
        "import os\n"
        "def plain():\n    from fake.b import g\n    return g\n"                                      # 3: no reason
        "def tagged():\n    from fake.b import g  # lazy(circle): b imports a at module level\n"        # 6
        "def above():\n    # lazy(heavy): torch costs\n    # seconds\n    import torch\n    import numpy\n"  # 10, 11
        "def unknown():\n    import json  # lazy(convenience): shorter\n"                               # 13
        "def no_why():\n    import json  # lazy(heavy)\n"                                               # 15
        "def gap():\n    # lazy(heavy): a comment cut off by code\n    x = 1\n    import torch\n"      # 19
        "def multi():\n    from fake.b import (  # lazy(process): runs in the worker\n        g,\n    )\n"  # 21
        "class C:\n    def m(self):\n        def inner():\n            import re\n"                     # 27
        "            return re\n        return inner\n")
    (pkg / "b.py").write_text("def g():\n    import os  # lazy(optional): an extra\n    return os\n")
    got = dict(lazy_imports(pkg / "a.py"))
    assert got == {3: None, 6: "circle", 10: "heavy", 11: "heavy", 13: None, 15: None, 19: None, 21: "process",
                   27: None}
    assert unexplained_lazy_imports(tmp_path, "fake", ("fake.a",)) == \
        ["fake.a:13", "fake.a:15", "fake.a:19", "fake.a:27", "fake.a:3"]
    assert unexplained_lazy_imports(tmp_path, "fake", ("fake.b",)) == []
    assert unexplained_lazy_imports(tmp_path, "fake", ("fake.c",)) == []  # out of scope: not looked at


# ------------------------------------------------------------------------------------------ sectree's graph


def test_sectree_has_no_import_circles():
    g = graph()
    assert len(g) > 50 and "sectree.train.tsp" in g  # the walk found the package
    found = cycles(g)
    assert not found, "import circles (module:line -> module):\n" + "\n".join(_describe(g, c) for c in found)


def test_sectree_layers_point_one_way():
    bad = upward(graph())
    assert not bad, ("upward imports (a layer imports a higher one; see this file's docstring):\n" + "\n".join(bad))


def test_sectree_imports_sit_at_module_level_unless_a_comment_says_why():
    bad = unexplained_lazy_imports()
    assert not bad, ("imports inside functions without a '# lazy(<reason>): <why>' comment (reasons: "
                     f"{', '.join(LAZY_REASONS)}; see this file's docstring); move them to module level or say why:\n"
                     + "\n".join(bad))
