# SECURITY-CRITICAL: decodes what an untrusted candidate process sends to the process that holds the report key.
"""The wire between a pytest job's test process and its candidate process (``candidate_proxy``).

Frames: 4-byte big-endian length + UTF-8 JSON. Values are plain data, tagged so that exact types survive:
``None``/``bool``/``int``/``float``/``str`` as JSON itself; ``["l"|"t"|"s"|"f", [items]]`` list, tuple, set,
frozenset; ``["d", [[k, v], ...]]`` dict; ``["b"|"ba", base64]`` bytes, bytearray; ``["dt"|"date"|"time",
iso]``, ``["td", days, seconds, microseconds]``, ``["dec", str]``, ``["path", str]`` for the standard
library's value types; ``["H", owner, id, type name]`` a handle on an object that stays in its owner's
process (``"C"`` the candidate's, ``"T"`` the test's).

``decode`` builds only these types (never unpickles, never imports, never calls a constructor the sender
names): decoding what a hostile candidate sends runs no candidate code. ``encode`` checks exact types with
``type()``: a ``str`` subclass with an always-true ``__eq__`` is not a ``str`` here, it becomes a handle.
Standard library only (runs inside the sandbox).
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import os
import pathlib
import struct

MAX_FRAME = 64 << 20  # a bigger frame is a protocol error (a test never needs this much)
MAX_DEPTH = 100


class WireError(Exception):
    """The other side sent something that is not a well-formed frame."""


def read_exact(fd: int, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def recv(fd: int) -> dict:
    (n,) = struct.unpack(">I", read_exact(fd, 4))
    if n > MAX_FRAME:
        raise WireError(f"frame of {n} bytes")
    try:
        msg = json.loads(read_exact(fd, n))
    except (ValueError, RecursionError) as e:
        raise WireError(f"malformed frame: {type(e).__name__}") from None
    if type(msg) is not dict:
        raise WireError("frame is not an object")
    return msg


def send(fd: int, msg: dict) -> None:
    data = json.dumps(msg, separators=(",", ":")).encode()
    data = struct.pack(">I", len(data)) + data
    while data:
        data = data[os.write(fd, data):]


_SCALARS = (type(None), bool, int, float, str)
_SEQ = {list: "l", tuple: "t", set: "s", frozenset: "f"}
_SEQ_BACK = {"l": list, "t": tuple, "s": set, "f": frozenset}


def encode(x, handle, depth: int = 0):
    """``x`` as wire data; ``handle(x)`` gives ``["H", owner, id, type name]`` for anything else."""
    t = type(x)
    if t in _SCALARS:
        return x
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    if t in _SEQ:
        return [_SEQ[t], [encode(i, handle, depth + 1) for i in x]]
    if t is dict:
        return ["d", [[encode(k, handle, depth + 1), encode(v, handle, depth + 1)] for k, v in x.items()]]
    if t is bytes:
        return ["b", base64.b64encode(x).decode()]
    if t is bytearray:
        return ["ba", base64.b64encode(x).decode()]
    if t is datetime.datetime:
        return ["dt", x.isoformat()]
    if t is datetime.date:
        return ["date", x.isoformat()]
    if t is datetime.time:
        return ["time", x.isoformat()]
    if t is datetime.timedelta:
        return ["td", x.days, x.seconds, x.microseconds]
    if t is decimal.Decimal:
        return ["dec", str(x)]
    if t is pathlib.PosixPath:
        return ["path", str(x)]
    return handle(x)


def decode(v, handle, depth: int = 0):
    """Wire data back to values; ``handle(owner, id, type name)`` for handles. Raises WireError."""
    t = type(v)
    if t in _SCALARS:
        return v
    if t is not list or not v or type(v[0]) is not str or depth > MAX_DEPTH:
        raise WireError("bad value")
    tag = v[0]
    try:
        if tag in _SEQ_BACK and len(v) == 2 and type(v[1]) is list:
            return _SEQ_BACK[tag](decode(i, handle, depth + 1) for i in v[1])
        if tag == "d" and len(v) == 2 and type(v[1]) is list:
            out = {}
            for kv in v[1]:
                if type(kv) is not list or len(kv) != 2:
                    raise WireError("bad dict item")
                out[decode(kv[0], handle, depth + 1)] = decode(kv[1], handle, depth + 1)
            return out
        if len(v) == 2 and type(v[1]) is str:
            s = v[1]
            if tag == "b":
                return base64.b64decode(s, validate=True)
            if tag == "ba":
                return bytearray(base64.b64decode(s, validate=True))
            if tag == "dt":
                return datetime.datetime.fromisoformat(s)
            if tag == "date":
                return datetime.date.fromisoformat(s)
            if tag == "time":
                return datetime.time.fromisoformat(s)
            if tag == "dec":
                return decimal.Decimal(s)
            if tag == "path":
                return pathlib.PosixPath(s)
        if tag == "td" and len(v) == 4 and all(type(i) is int for i in v[1:]):
            return datetime.timedelta(days=v[1], seconds=v[2], microseconds=v[3])
        if tag == "H" and len(v) == 4 and v[1] in ("C", "T") and type(v[2]) is int and type(v[3]) is str:
            return handle(v[1], v[2], v[3])
    except WireError:
        raise
    except (ValueError, TypeError, OverflowError, decimal.InvalidOperation) as e:  # unhashable key, bad iso...
        raise WireError(f"bad {tag} value: {type(e).__name__}") from None
    raise WireError(f"unknown tag {tag[:20]!r}")


def type_name(x) -> str:
    t = type(x)
    return f"{getattr(t, '__module__', '?')}.{getattr(t, '__qualname__', '?')}"[:200]
