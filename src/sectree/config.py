"""Typed configuration: dataclasses filled from YAML, then CLI overrides; every bad value names its field.

``load(cls, path, overrides)`` reads a YAML file whose keys mirror the dataclass fields (nested dataclasses
are nested mappings), applies ``overrides`` given as ``{"tree.branches": 8}``, and builds the dataclass.
Unknown keys, wrong types and the dataclasses' own ``__post_init__`` checks all raise ``SectreeError`` with
``<file>: <field.path>: <problem>``.
"""

from __future__ import annotations

import dataclasses
import enum
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


def build(cls, data: dict, where: str = "", source: str = "config"):
    """Instantiate dataclass ``cls`` from a mapping, recursively, validating names and types."""
    if not isinstance(data, dict):
        raise SectreeError(f"{source}: {where or 'top level'}: expected a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        prefix = f"{where}." if where else ""
        raise SectreeError(f"{source}: {prefix}{unknown[0]}: unknown field (known: {', '.join(sorted(fields))})")
    kwargs = {}
    for name, value in data.items():
        tp = hints[name]
        path = f"{where}.{name}" if where else name
        if dataclasses.is_dataclass(tp):
            kwargs[name] = build(tp, value or {}, path, source)
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
        raise SectreeError(f"{source}: {e}") from None


def set_path(data: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    cur = data
    for k in keys[:-1]:
        cur = cur.setdefault(k, {})
        if not isinstance(cur, dict):
            raise SectreeError(f"override {dotted}: {k} is not a section")
    cur[keys[-1]] = value


def load(cls, path: str | Path | None, overrides: dict[str, Any] | None = None):
    """YAML file (optional) + dotted overrides -> validated ``cls`` instance."""
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
    for k, v in (overrides or {}).items():
        if v is not None:
            set_path(data, k, v)
    return build(cls, data, source=source)


def to_dict(obj) -> dict:
    return dataclasses.asdict(obj)
