"""Typed configuration: dataclasses filled from YAML, then CLI overrides; every bad value names its field.

The dataclasses themselves are in ``sectree.settings``. ``load(cls, path, overrides, section=...)`` is the one
way a YAML file becomes a config (``sectree train``, ``sectree trees build``, experiments): it reads the file
(``read``), takes one ``section`` of it where asked (``tree:`` of a run config), applies ``overrides`` given as
``{"tree.branches": 8}`` and builds the dataclass (``build``). Unknown keys, wrong types and the dataclasses'
own ``__post_init__`` checks all raise ``SectreeError`` as one line ``<file>: <section.field>[=value]: <what to
do>``; a key a newer version renamed (a dataclass's ``RENAMED``) says where it went. ``upgrade`` moves the
renamed keys of a mapping written by an older version (a run folder's config.json) to their new place.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from sectree.errors import SectreeError


def _type_ok(value: Any, tp: Any) -> bool:
    origin = typing.get_origin(tp)
    if tp is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, a) for a in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin in (list, tuple):
        args = typing.get_args(tp)
        return isinstance(value, (list, tuple)) and (not args or all(_type_ok(v, args[0]) for v in value))
    if origin is dict or tp is dict:
        return isinstance(value, dict)
    if isinstance(tp, type):
        return isinstance(value, tp)
    return True


def _field_default(f: dataclasses.Field):
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def _embedded_defaults(f: dataclasses.Field, tp) -> dict:
    """The fields where an embedding's default differs from its class's own defaults, e.g. ``eval.sampling``
    (temperature 0.8) vs ``Sampling()`` (1.0): a YAML section that sets only max_new_tokens keeps the 0.8."""
    if f.default_factory is dataclasses.MISSING:
        return {}
    mine = f.default_factory()
    return {g.name: getattr(mine, g.name) for g in dataclasses.fields(tp)
            if not dataclasses.is_dataclass(getattr(mine, g.name)) and getattr(mine, g.name) != _field_default(g)}


def renamed_error(cls, key: str, prefix: str, source: str) -> SectreeError | None:
    """The one-line error for an old key of ``cls`` (``cls.RENAMED``: old name -> new dotted path), else None."""
    new = getattr(cls, "RENAMED", {}).get(key)
    if new is None:
        return None
    return SectreeError(f"{source}: {prefix}{key}: renamed to {prefix}{new}: (move its settings there; "
                        "docs/configs.md lists the renamed keys)")


def build(cls, data: dict, where: str = "", source: str = "config"):
    """Instantiate dataclass ``cls`` from a mapping, recursively, validating names and types."""
    if not isinstance(data, dict):
        raise SectreeError(f"{source}: {where or 'top level'}: expected a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        prefix = f"{where}." if where else ""
        for key in unknown:
            if (err := renamed_error(cls, key, prefix, source)) is not None:
                raise err
        raise SectreeError(f"{source}: {prefix}{unknown[0]}: unknown field (known: {', '.join(sorted(fields))})")
    kwargs = {}
    for name, value in data.items():
        tp = hints[name]
        path = f"{where}.{name}" if where else name
        if dataclasses.is_dataclass(tp):
            if isinstance(value, tp):  # already built (a caller's override)
                kwargs[name] = value
                continue
            if isinstance(value, dict) or value is None:
                value = {**_embedded_defaults(fields[name], tp), **(value or {})}
            kwargs[name] = build(tp, value, path, source)
            continue
        if isinstance(value, int) and not isinstance(value, bool) and tp is float:
            value = float(value)
        if isinstance(tp, type) and issubclass(tp, enum.Enum) and not isinstance(value, tp):
            choices = [m.value for m in tp]  # closed set: YAML gives the value, the config holds the member
            if value not in choices:
                raise SectreeError(f"{source}: {path}: must be one of {', '.join(map(str, choices))}, got {value!r}")
            value = tp(value)
        item = (typing.get_args(tp) or (None,))[0] if typing.get_origin(tp) is list else None
        if isinstance(item, type) and issubclass(item, enum.Enum) and isinstance(value, list):
            choices = [m.value for m in item]  # a list of a closed set, e.g. tree.opponents: [policy, attacker]
            bad = [v for v in value if not isinstance(v, item) and v not in choices]
            if bad:
                raise SectreeError(f"{source}: {path}: each must be one of {', '.join(map(str, choices))}, "
                                   f"got {bad[0]!r}")
            value = [item(v) for v in value]
        if not _type_ok(value, tp):
            raise SectreeError(f"{source}: {path}: expected {getattr(tp, '__name__', tp)}, got {value!r}")
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except SectreeError as e:
        raise SectreeError(f"{source}: {_at(where, str(e), fields)}") from None


def _at(where: str, msg: str, fields) -> str:
    """A nested dataclass's own check, placed: ``max_new_tokens=0: ...`` under ``run.tree.sampling`` becomes
    ``run.tree.sampling.max_new_tokens=0: ...``; a message that already names its section is left alone."""
    if not where or msg.startswith(where.rsplit(".", 1)[-1] + ".") or msg.startswith(where):
        return msg
    head = re.match(r"(\w+)[.=:]", msg)
    if head and head.group(1) in fields:
        return f"{where}.{msg}"
    return f"{where}: {msg}"


def set_path(data: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    cur = data
    for k in keys[:-1]:
        cur = cur.setdefault(k, {})
        if not isinstance(cur, dict):
            raise SectreeError(f"override {dotted}: {k} is not a section")
    cur[keys[-1]] = value


def read(path: str | Path | None, overrides: dict[str, Any] | None = None, section: str | None = None
         ) -> tuple[dict, str]:
    """YAML file (optional; only its ``section`` when it has one) + dotted overrides -> (mapping, source name)."""
    data: dict = {}
    source = "config"
    if path is not None:
        p = Path(path)
        source = str(p)
        if not p.is_file():
            raise SectreeError(f"{p}: no such config file")
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise SectreeError(f"{p}: not valid YAML ({str(e).splitlines()[0]})") from None
        if not isinstance(data, dict):
            raise SectreeError(f"{p}: top level: expected a mapping, got {type(data).__name__}")
        if section is not None and isinstance(data.get(section), dict):
            data = data[section]  # e.g. the tree: section of a run config; a file of only that section also works
    for k, v in (overrides or {}).items():
        if v is not None:
            set_path(data, k, v)
    return data, source


def load(cls, path: str | Path | None, overrides: dict[str, Any] | None = None, section: str | None = None):
    """YAML file (optional) + dotted overrides -> validated ``cls`` instance: the one way configs are loaded."""
    data, source = read(path, overrides, section)
    return build(cls, data, source=source)


def upgrade(cls, data: Any) -> Any:
    """``data`` (a mapping of ``cls`` written by an older version, e.g. a run folder's config.json) with every
    renamed key (``RENAMED`` of ``cls`` and of its nested dataclasses) moved to its new place."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    for old, new in getattr(cls, "RENAMED", {}).items():
        if old in data:
            value = data.pop(old)
            head, _, rest = new.partition(".")
            if rest:
                data[head] = dict(data.get(head) or {})
                set_path(data[head], rest, value)
            else:
                data[new] = value
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp) and isinstance(data.get(f.name), dict):
            data[f.name] = upgrade(tp, data[f.name])
    return data


def to_dict(obj) -> dict:
    return dataclasses.asdict(obj)
