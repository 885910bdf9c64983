"""A lint for suite tests: comparisons on values a test has not type-checked (``tasks check`` reports them).

A candidate's function can return an object whose ``__eq__`` always answers True (or whose ``__contains__``
always answers False, or whose ``__le__`` lies): ``assert f(x) == "ok"`` then passes on anything. Tests
should compare such results with ``sectree_check.assert_same`` (type and value) or first pin their type with
``sectree_check.exact`` (docs/task-format.md, "Writing tests"). This scan finds, in every function of a
test file, an ``assert`` with a comparison (``==``, ``!=``, ``in``, ``not in``, ``<``, ``<=``, ``>``, ``>=``)
one of whose operands is *unchecked*, i.e. may be, hold or be computed by a candidate's object:

- a call of the candidate's functions (names imported from ``<stem>_task``), through attributes and
  subscripts (``f(x)[0] == 1``, ``f(x).value == 1``);
- a name the function bound to an unchecked value (``out = f(x)`` ... ``"secret" not in out``; tuple and
  ``for`` targets too; a name bound both ways counts as unchecked: control flow is not followed);
- any other call with an unchecked argument or receiver (``html.unescape(out)`` returns ``out`` itself when
  it can; ``out.count("\\n")`` runs the candidate's ``count``); a helper function of the test file counts as
  checked only if every value it returns is (iterated to a fixed point: ``def run(*a): return
  subprocess.run(...)`` is, ``def accepted(v): return parse_port(v)`` is not);
- except calls that return a genuine built-in value whatever their arguments (``TRUSTED_CALLS``: ``len``,
  ``int``, ``float``, ``isinstance``, ``exact``, ``subprocess.run``, ``json.loads``, ...; not ``str()``,
  ``repr()`` or ``bytes()``, which return what ``__str__``/``__repr__``/``__bytes__`` give, subclasses too).

Also flagged: ``sectree_check`` imported below the candidate's import (see ``_helpers_after_candidate``).
``is``/``is not`` and bare truth tests are never flagged; parameters (fixtures), module constants and
library modules are checked. The scan is syntactic and errs both ways in corners (a fixture object the
candidate was handed and changed counts as checked; a library call on a genuine value that the scan cannot
prove genuine counts as unchecked): it is a warning, and ``assert_same`` silences it where in doubt.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from sectree.errors import SectreeError
from sectree.tasks.grammar import parse_python

# calls whose result is a genuine built-in value of a fixed type whatever their arguments are (int() and
# float() convert what __int__/__float__ return; str(), repr(), bytes() and abs() may return a subclass)
TRUSTED_CALLS = frozenset({
    "len", "int", "float", "bool", "type", "isinstance", "issubclass", "id", "hash", "callable", "ord",
    "exact", "sectree_check.exact", "assert_same", "sectree_check.assert_same",
    "subprocess.run", "subprocess.check_output", "subprocess.check_call", "subprocess.call", "subprocess.Popen",
    "json.loads",  # builds dicts, lists, strs, numbers of its own
    "sqlite3.connect",  # its rows are built by the sqlite3 module
})
COMPARE_OPS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


@dataclass(frozen=True)
class Unchecked:
    """One assert that compares an unchecked value."""

    line: int
    """1-based line of the ``assert`` in the test file."""
    function: str
    """The function it is in."""
    text: str
    """The assert's first source line, stripped."""

    def __str__(self) -> str:
        return f"line {self.line} ({self.function}): {self.text}"


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _root(node: ast.AST) -> ast.AST:
    """``a.b[0].c`` -> ``a``; ``f(x)[0]`` -> the call."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node


class _Module:
    """What a test file's top level says about names: those imported from the candidate's module
    (``from <stem>_task import f``, ``import <stem>_task as t``), and its own helper functions whose every
    return value is checked when their arguments are (found by iterating to a fixed point:
    ``def run(*a): return subprocess.run(...)`` is trusted, ``def accepted(v): return parse_port(v)`` not)."""

    def __init__(self, tree: ast.Module):
        self.candidate: set[str] = set()
        self.trusted: set[str] = set()
        self.helpers: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("_task"):
                self.candidate |= {a.asname or a.name for a in node.names}
            elif isinstance(node, ast.Import):
                self.candidate |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.endswith("_task")}
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.helpers[node.name] = node
        changed = True
        while changed:
            changed = False
            for name, fn in self.helpers.items():
                if name not in self.trusted and _returns_checked(fn, self):
                    self.trusted.add(name)
                    changed = True


def _returns_checked(fn: ast.FunctionDef | ast.AsyncFunctionDef, module: _Module) -> bool:
    scope = _Function(fn, module)
    nodes = [n for stmt in fn.body for n in _walk_own(stmt)]
    if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in nodes):
        return False
    return all(n.value is None or scope.checked(n.value) for n in nodes if isinstance(n, ast.Return))


class _Function:
    """The names one function binds, each as checked (True) or not (False); a name bound both ways is
    unchecked (the scan does not follow control flow)."""

    def __init__(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, module: _Module):
        self.module = module
        a = fn.args
        # parameters (fixtures, parametrized values) are the test's own, callable ones included
        self.names: dict[str, bool] = {p.arg: True for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg,
                                                              a.kwarg] if p is not None}
        body = [n for stmt in fn.body for n in _walk_own(stmt)]
        # two passes: `r = subprocess.run(...)` then `out = r.stdout` needs r first, whatever the order
        for _ in range(2):
            for node in body:
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        self._bind(target, node.value)
                elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                    self._bind(node.target, node.value)
                elif isinstance(node, ast.NamedExpr):
                    self._bind(node.target, node.value)
                elif isinstance(node, (ast.For, ast.AsyncFor)):
                    self._bind(node.target, node.iter)

    def _bind(self, target: ast.AST, value: ast.AST) -> None:
        checked = self.checked(value)
        for t in ast.walk(target):
            if isinstance(t, ast.Name):
                self.names[t.id] = self.names.get(t.id, True) and checked

    def checked(self, node: ast.AST) -> bool:
        """Whether a value cannot be (or hold, or be computed by) a candidate's object: a candidate's value
        flows through every call but those in TRUSTED_CALLS, so a call is checked only if its arguments (and
        the object whose method it is) are, and a call of the candidate's functions never is."""
        node = _root(node)
        m = self.module
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in ("exact", "sectree_check.exact") and len(node.args) > 1 and _shallow(node.args[1]):
                return False  # exact(x, dict) pins the dict, not what it holds: its == runs the values' __eq__
            if name in TRUSTED_CALLS:
                return True
            args_ok = all(self.checked(a) for a in [*node.args, *(k.value for k in node.keywords)])
            f = node.func
            if isinstance(f, ast.Name):
                if f.id in self.names:  # a parameter (a fixture's callable), or a callable bound here
                    return self.names[f.id] and args_ok
                if f.id in m.candidate:
                    return False
                if f.id in m.helpers:
                    return f.id in m.trusted and args_ok
                return args_ok  # a built-in, a library function or class, a class of the test file
            return self.checked(f) and args_ok  # a method: of a checked object, or a library module's function
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            return node.id not in m.candidate  # a fixture, a parameter, a constant, a module
        if isinstance(node, ast.Lambda):
            return self.checked(node.body)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            # the loop variables are as checked as what they loop over, for the element's sake
            saved = dict(self.names)
            try:
                ok = True
                for gen in node.generators:
                    ok = ok and self.checked(gen.iter)
                    for t in ast.walk(gen.target):
                        if isinstance(t, ast.Name):
                            self.names[t.id] = ok
                elts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
                return ok and all(self.checked(e) for e in elts)
            finally:
                self.names = saved
        return all(self.checked(c) for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr))


_CONTAINERS = frozenset({"list", "dict", "set", "frozenset", "tuple"})


def _shallow(spec: ast.AST) -> bool:
    """Whether an ``exact`` spec names a container without its items' types (``dict``, ``tuple[dict, str]``)."""
    if isinstance(spec, ast.Name):
        return spec.id in _CONTAINERS
    if isinstance(spec, ast.Subscript):
        return _shallow(spec.slice) if not isinstance(spec.slice, ast.Tuple) else any(
            _shallow(e) for e in spec.slice.elts)
    if isinstance(spec, ast.BinOp):  # a union
        return _shallow(spec.left) or _shallow(spec.right)
    return False


def _walk_own(node: ast.AST):
    """ast.walk without descending into nested functions, lambdas and classes (their names are their own)."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield from _walk_own(child)


def _compares(test: ast.AST):
    """The comparisons an assert's condition is made of (through and/or/not), not those inside calls."""
    if isinstance(test, ast.Compare):
        yield test
    elif isinstance(test, ast.BoolOp):
        for v in test.values:
            yield from _compares(v)
    elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        yield from _compares(test.operand)


def scan_source(source: str, filename: str = "<test>") -> list[Unchecked]:
    """Every assert in ``source`` that compares an unchecked value (module docstring)."""
    try:
        tree = parse_python(source, filename=filename)
    except SyntaxError as e:
        raise SectreeError(f"{filename}: line {e.lineno}: syntax error: {e.msg}") from None
    lines = source.splitlines()
    found: list[Unchecked] = []
    module = _Module(tree)
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        scope = _Function(fn, module)
        for node in (n for stmt in fn.body for n in _walk_own(stmt)):
            if not isinstance(node, ast.Assert):
                continue
            for cmp in _compares(node.test):
                operands = [cmp.left, *cmp.comparators]
                risky = any(isinstance(op, COMPARE_OPS) for op in cmp.ops)
                if risky and not all(scope.checked(o) for o in operands):
                    found.append(Unchecked(node.lineno, fn.name, lines[node.lineno - 1].strip()))
                    break
    found += _helpers_after_candidate(tree, lines)
    return sorted(found, key=lambda u: u.line)


def _helpers_after_candidate(tree: ast.Module, lines: list[str]) -> list[Unchecked]:
    """``import sectree_check`` below the candidate's import: the candidate's import-time code could have
    put a fake module in ``sys.modules`` first (above it, the report channel sees a rebinding)."""
    first = None
    out = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            mods = [node.module or ""]
        elif isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        else:
            continue
        if first is None and any(m.endswith("_task") for m in mods):
            first = node.lineno
        elif first is not None and "sectree_check" in mods:
            out.append(Unchecked(node.lineno, "<module>", lines[node.lineno - 1].strip()
                                 + f"  (below the candidate's import on line {first}: move it above)"))
    return out


def scan_file(path: Path) -> list[Unchecked]:
    try:
        source = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise SectreeError(f"{path}: cannot read ({e})") from None
    return scan_source(source, str(path))
