# SECURITY-CRITICAL: the suites' tests compare untrusted return values with these.
"""Type-and-value checks for suite tests: ``from sectree_check import assert_same, exact``.

A candidate's function returns objects the candidate made, and ``==``, ``in`` and ``<`` run *its* methods:
an object whose ``__eq__`` always answers True (a ``str`` subclass, say) passes ``assert f(x) == "ok"``, one
whose ``__contains__`` answers False passes ``assert "secret" not in f(x)`` while holding the secret
(tests/hostile/candidates/always_equal.py). These helpers check the exact type first, with ``type()``, which
no object can fake, and compare only values of built-in types, whose comparisons a candidate cannot change:

- ``assert_same(actual, expected, msg=None, *, rel_tol=0.0, abs_tol=0.0)``: ``type(actual) is
  type(expected)`` and equal values, recursively through lists, tuples, dicts (keys too), sets and
  frozensets; ``True`` is not ``1``, ``1.0`` is not ``1``, a ``str`` subclass is not a ``str``. Floats equal
  exactly unless a tolerance is given (then ``math.isclose`` with it, NaN never equal).
- ``exact(value, spec, msg=None) -> value``: checks that ``value`` has exactly the type ``spec``
  (``str``, ``list[str]``, ``dict[str, int]``, ``tuple[int, ...]``, ``bytes | None``, ...) and returns it,
  so that later ``in``/``<``/method calls on it run the built-in type's code:
  ``out = exact(read_user_file(base, name), str)``. A bare container (``dict``, ``list``) pins only
  itself, not its items, whose ``__eq__`` its ``==`` runs: name the items' types, or use ``assert_same``.
- ``traced_memory()``, ``beside(obj, "ssl.MemoryBIO")``, ``type_name(obj)``: for tests whose subject is the
  candidate's process (in the oracle a Python candidate runs in a process of its own, ``candidate_proxy``):
  its peak memory, an object made next to one of its objects, the type it reports for one.

Where this is imported: the sandbox's runner folder is on ``sys.path`` of every pytest job, and the zygote
imports this module once before any job (``zygote.Zygote``), so a job's ``import sectree_check`` is the
module loaded then: a candidate cannot shadow it with a file of its own. The built-ins used here are bound to
private module names at import, so a candidate that assigns ``sectree_check.type = ...`` (a new global) does
not reach them; replacing a binding of this module, or the code of one of its functions, is tampering the
report channel catches (baseline bindings and the audit hook, ``pytest_channel``); replacing the test module's
own ``assert_same`` while the test module imports the candidate is caught by the channel's snapshot of the
test module's names taken before that import.

What this does NOT protect against: a test that does not use it (``tasks check`` lints for equality,
membership and ordering on unchecked call results); values of a type that is not built in (the type is
checked exactly, then that type's own ``==`` decides: a class the candidate defines can say what it likes);
a candidate that behaves well only on the tested inputs; and everything the report channel itself does
not catch (its docstring lists what).

Standard library only: runs inside the sandbox, where sectree is not importable.
"""

from __future__ import annotations

import contextlib
import math
import sys
import tracemalloc
import types
import typing

__all__ = ["assert_same", "exact", "traced_memory", "beside", "type_name"]

# bound once at import (in the zygote, before any candidate runs): a candidate adding a global named
# ``type`` to this module, or replacing builtins.type, changes nothing here
_type, _len, _isinstance, _repr, _id = type, len, isinstance, repr, id
_isclose, _isnan = math.isclose, math.isnan
_get_origin, _get_args = typing.get_origin, typing.get_args
_Union, _UnionType, _NoneType = typing.Union, types.UnionType, type(None)
_AssertionError, _TypeError = AssertionError, TypeError
_str_new, _tuple, _list, _dict, _set, _frozenset, _float = str, tuple, list, dict, set, frozenset, float
_any, _all, _zip, _range, _Exception, _Ellipsis = any, all, zip, range, Exception, Ellipsis
_MAX_SHOWN = 120


def _is_scalar(t, _scalars=(str, bytes, int, float, bool, complex, _NoneType, bytearray, range)) -> bool:
    """Whether ``t`` is a type whose equality and hashing are the interpreter's own (an exact instance cannot
    lie). Matched by identity: ``t in some_set`` would hash ``t`` with its metaclass's __hash__, which a
    candidate can write. The types sit in a default (a tuple; replacing ``__defaults__`` is audited), not in
    a module global a candidate could rebind unnoticed (only callables' bindings are compared)."""
    for s in _scalars:
        if t is s:
            return True
    return False


def _show(x, depth: int = 0) -> str:
    """A short repr for messages; never runs a candidate's __repr__ (only built-in values are shown)."""
    t = _type(x)
    if _is_scalar(t):
        r = _repr(x)
    elif depth < 3 and (t is _list or t is _tuple or t is _set or t is _frozenset):
        items = [_show(i, depth + 1) for i in (x if t is not _set and t is not _frozenset else _list(x))[:8]]
        more = ", ..." if _len(x) > 8 else ""
        r = {_list: "[{}]", _tuple: "({})", _set: "{{{}}}", _frozenset: "frozenset({{{}}})"}[t].format(
            ", ".join(items) + more)
    elif depth < 3 and t is _dict:
        items = [f"{_show(k, depth + 1)}: {_show(_dict.__getitem__(x, k), depth + 1)}" for k in _list(x)[:8]]
        r = "{" + ", ".join(items) + (", ..." if _len(x) > 8 else "") + "}"
    else:
        return f"<{_name(t)} object>"
    return r if _len(r) <= _MAX_SHOWN else r[: _MAX_SHOWN - 3] + "..."


def _name(t) -> str:
    try:
        return _str_new(t.__qualname__) if _type(t.__qualname__) is _str_new else "?"
    except _Exception:  # noqa: BLE001 - a hostile metaclass
        return "?"


def _fail(path: str, what: str, msg) -> None:
    where = f" at {path}" if path else ""
    text = f"assert_same{where}: {what}"
    raise _AssertionError(f"{msg}: {text}" if msg is not None else text)


def _key(x):
    """A hashable stand-in for a value built only of built-in scalars and tuples/frozensets of them, whose
    hash and equality are the interpreter's (type included, so 1 and True differ); None for anything else."""
    t = _type(x)
    if _is_scalar(t) and t is not bytearray:
        return (t, x)
    if t is _tuple or t is _frozenset:
        keys = [_key(i) for i in x]
        if _any(k is None for k in keys):
            return None
        return (t, _tuple(keys) if t is _tuple else _frozenset(keys))
    return None


def _same(a, e, path: str, msg, tol: tuple[float, float] | None) -> None:
    ta, te = _type(a), _type(e)
    if ta is not te:
        _fail(path, f"got {_name(ta)} {_show(a)}, expected {_name(te)} {_show(e)}", msg)
    if te is _float and tol is not None:
        if _isnan(a) or _isnan(e) or not _isclose(a, e, rel_tol=tol[0], abs_tol=tol[1]):
            _fail(path, f"{_show(a)} != {_show(e)} (rel_tol={tol[0]}, abs_tol={tol[1]})", msg)
    elif _is_scalar(te):
        if not a == e:  # both exact built-in instances: the interpreter's own comparison
            _fail(path, f"{_show(a)} != {_show(e)}", msg)
    elif te is _list or te is _tuple:
        if _len(a) != _len(e):
            _fail(path, f"{_name(te)} of length {_len(a)}, expected length {_len(e)}", msg)
        for i in _range(_len(e)):
            _same(a[i], e[i], f"{path}[{i}]", msg, tol)
    elif te is _dict:
        if _len(a) != _len(e):
            _fail(path, f"dict of {_len(a)} keys, expected {_len(e)}", msg)
        for ka, ke in _match(_list(a), _list(e), path, msg, tol):
            _same(a[ka], e[ke], f"{path}[{_show(ke)}]", msg, tol)
    elif te is _set or te is _frozenset:
        if _len(a) != _len(e):
            _fail(path, f"{_name(te)} of {_len(a)} items, expected {_len(e)}", msg)
        _match(_list(a), _list(e), path, msg, tol)
    elif not a == e:  # a type that is not built in: checked exactly above, its own == decides
        _fail(path, f"{_show(a)} != {_show(e)}", msg)


def _match(actual: list, expected: list, path: str, msg, tol) -> list[tuple]:
    """Pairs (actual item, expected item) of two equally long collections of distinct items (set elements,
    dict keys), each actual item the same (type and value) as its expected one; fails if there are none."""
    keyed = {_key(x): x for x in expected}
    pairs = []
    if None not in keyed and _len(keyed) == _len(expected):
        for x in actual:
            k = _key(x)
            if k is None or k not in keyed:
                _fail(path, f"unexpected item {_show(x)} ({_name(_type(x))})", msg)
            pairs.append((x, keyed.pop(k)))
        return pairs
    left = _list(expected)  # items that are not built-in values: pair them one by one
    for x in actual:
        for j in _range(_len(left)):
            try:
                _same(x, left[j], path, msg, tol)
            except _AssertionError:
                continue
            pairs.append((x, left.pop(j)))
            break
        else:
            _fail(path, f"unexpected item {_show(x)} ({_name(_type(x))})", msg)
    return pairs


def assert_same(actual, expected, msg=None, *, rel_tol: float = 0.0, abs_tol: float = 0.0) -> None:
    """Fail unless ``actual`` has exactly ``expected``'s type and value, recursively through lists, tuples,
    dicts, sets and frozensets (module docstring). ``rel_tol``/``abs_tol``: floats compare with
    ``math.isclose`` instead of exactly."""
    tol = (_float(rel_tol), _float(abs_tol)) if rel_tol or abs_tol else None
    _same(actual, expected, "", msg, tol)


def _conforms(x, spec) -> bool:
    if spec is None or spec is _NoneType:
        return x is None
    origin = _get_origin(spec)
    if origin is _Union or origin is _UnionType:
        return _any(_conforms(x, s) for s in _get_args(spec))
    if origin is None:
        if not _isinstance(spec, _type):
            raise _TypeError(f"exact: {spec!r} is not a type")
        return _type(x) is spec
    if _type(x) is not origin:
        return False
    args = _get_args(spec)
    if not args:
        return True
    if origin is _dict:
        return _all(_conforms(k, args[0]) and _conforms(v, args[1]) for k, v in _dict.items(x))
    if origin is _tuple:
        if _len(args) == 2 and args[1] is _Ellipsis:
            return _all(_conforms(i, args[0]) for i in x)
        return _len(x) == _len(args) and _all(_conforms(i, s) for i, s in _zip(x, args))
    if origin is _list or origin is _set or origin is _frozenset:
        return _all(_conforms(i, args[0]) for i in x)
    raise _TypeError(f"exact: {spec!r} is not supported (built-in types, list/set/frozenset/tuple/dict of them, "
                     f"unions)")


def exact(value, spec, msg=None):
    """Return ``value`` if its type is exactly ``spec`` (e.g. ``str``, ``list[str]``, ``dict[str, int]``,
    ``tuple[int, ...]``, ``bytes | None``); fail otherwise."""
    if not _conforms(value, spec):
        text = f"exact: got {_show(value)} ({_name(_type(value))}), expected exactly {_spec_name(spec)}"
        raise _AssertionError(f"{msg}: {text}" if msg is not None else text)
    return value


def _spec_name(spec) -> str:
    return _name(spec) if _isinstance(spec, _type) else _str_new(spec)


class _Meter:
    peak: int = 0
    """Peak traced memory in bytes (``tracemalloc``) of what the block ran."""


@contextlib.contextmanager
def traced_memory():
    """``with traced_memory() as mem: f(x)`` then ``mem.peak``: the peak memory (``tracemalloc``) the
    candidate's code used in the block, measured in the process it runs in. In an oracle job the candidate
    runs in a process of its own (``candidate_proxy``): each of its calls in the block is traced there and
    ``mem.peak`` is the largest; elsewhere (the candidate imported directly) this process is traced."""
    meter = _Meter()
    proxy = sys.modules.get("candidate_proxy")
    if proxy is not None and proxy.LINKS:
        proxy.METERS.append(meter)
        try:
            yield meter
        finally:
            proxy.METERS.remove(meter)
        return
    tracemalloc.start()
    try:
        yield meter
    finally:
        meter.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def _candidate_object(obj):
    proxy = sys.modules.get("candidate_proxy")
    return proxy is not None and _isinstance(obj, proxy.CandidateObject)


def beside(obj, factory: str, *args):
    """``factory(*args)`` (a dotted standard-library name, e.g. ``"ssl.MemoryBIO"``) made in the process
    where ``obj`` lives, for use with it: ``obj`` may be a handle on an object of the candidate's process
    (``ctx.wrap_bio(beside(ctx, "ssl.MemoryBIO"), ...)`` needs BIOs of that process); else made here."""
    if _candidate_object(obj):
        return obj._sx_new(factory, list(args))
    import importlib

    modname, _, attr = factory.rpartition(".")
    return getattr(importlib.import_module(modname), attr)(*args)


def type_name(obj) -> str:
    """``"module.QualName"`` of ``obj``'s type. For a handle on an object of the candidate's process this is
    what that process reported when the handle was made: the candidate's word, not a proof."""
    if _candidate_object(obj):
        return object.__getattribute__(obj, "_sx_type")
    t = _type(obj)
    return f"{t.__module__}.{t.__qualname__}"
