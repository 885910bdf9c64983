"""The candidate process of a pytest job: imports the candidate module and serves the test process's calls.

In an oracle job this is the zygote's spare: a process the zygote forked while idle, before the job (hence
its key) arrived, that took the job's uid and limits and then serves the test process over two pipes
(``serve``). Elsewhere - and after a test interrupted a call - ``candidate_proxy`` starts it as ``python -s -B
candidate_host.py <module> <rfd> <wfd>``, a fresh interpreter. Never a fork of the process that holds the
report key. Nothing here is trusted: the candidate runs in this process and may
change any of it; the test process decodes what we send as plain data only (``candidate_wire``).

Per call the test process sends the shared state it changed (environment, working directory, umask, the
``random`` module's state, ``tempfile.tempdir``, module attributes a test monkeypatched); we apply it, run
the call and send back what the candidate changed, so that the two processes behave like one for these.
Standard library only.
"""

from __future__ import annotations

import builtins
import importlib
import logging
import os
import random
import sys
import tempfile
import types

import candidate_wire as wire

_objects: dict[int, object] = {}  # handle id -> object of ours the test process holds a handle on
_ids: dict[int, int] = {}  # id(object) -> handle id
_module = None
RFD = WFD = -1


def _handle(x):
    key = id(x)
    hid = _ids.get(key)
    if hid is None:
        hid = len(_objects) + 1
        _objects[hid], _ids[key] = x, hid
    if isinstance(x, type) and x.__module__ not in (getattr(_module, "__name__", None), "__main__"):
        mod = sys.modules.get(x.__module__)
        if mod is not None and getattr(mod, x.__qualname__, None) is x:
            return ["H", "C", hid, "class " + x.__module__ + "." + x.__qualname__]
    return ["H", "C", hid, wire.type_name(x)]


class TestObject:
    """An object of the test process (an sqlite3 connection, a callback): every use is a request to it."""

    def __init__(self, hid: int, tname: str):
        object.__setattr__(self, "_sx_h", (hid, tname))

    def __getattr__(self, name):
        return _request({"op": "tget", "h": self._sx_h[0], "name": name})

    def __call__(self, *args, **kwargs):
        return _request({"op": "tcall", "h": self._sx_h[0], "name": None, "args": enc(list(args)),
                         "kwargs": [[k, enc(v)] for k, v in kwargs.items()]})

    def _sx_call(self, name, *args):
        return _request({"op": "tcall", "h": self._sx_h[0], "name": name, "args": enc(list(args)), "kwargs": []})

    def __iter__(self):
        return self._sx_call("__iter__")

    def __next__(self):
        return self._sx_call("__next__")

    def __len__(self):
        return self._sx_call("__len__")

    def __getitem__(self, k):
        return self._sx_call("__getitem__", k)

    def __enter__(self):
        return self._sx_call("__enter__")

    def __exit__(self, *exc):
        # the exception itself stays here: the test-side object learns only that the block ended
        self._sx_call("__exit__", exc[0] is not None)
        return False

    def __repr__(self):
        return f"<test-side {self._sx_h[1]}>"


def _dec_handle(owner, hid, tname):
    if owner == "C":
        if hid not in _objects:
            raise wire.WireError("unknown candidate handle")
        return _objects[hid]
    return TestObject(hid, tname)


def enc(x):
    return wire.encode(x, _handle)


def dec(v):
    return wire.decode(v, _dec_handle)


def _exc(e: BaseException) -> dict:
    t = type(e)
    bases = [c.__name__ for c in t.__mro__ if getattr(builtins, c.__name__, None) is c]
    try:
        args = enc(list(e.args))
        if any(type(a) is list and a and a[0] == "H" for a in args[1]):
            args = None
    except Exception:
        args = None
    try:
        msg = str(e)[:2000]
    except Exception:
        msg = "?"
    return {"mod": str(t.__module__), "name": str(t.__qualname__), "bases": bases, "args": args, "msg": msg,
            "cand": t.__module__ == getattr(_module, "__name__", None)}


def _request(msg: dict):
    """Ask the test process (while it waits for our answer to its call)."""
    wire.send(WFD, msg)
    reply = wire.recv(RFD)
    if "ok" in reply:
        return dec(reply["ok"])
    err = reply.get("err") or {}
    cls = _exc_class(err)
    raise cls(*(dec(err["args"]) if err.get("args") is not None else [err.get("msg", "")]))


def _exc_class(err: dict):
    mod = sys.modules.get(err.get("mod", ""))
    cls = mod
    for part in str(err.get("name", "")).split("."):
        cls = getattr(cls, part, None)
    if isinstance(cls, type) and issubclass(cls, BaseException):
        return cls
    for b in err.get("bases", []):
        c = getattr(builtins, b, None)
        if isinstance(c, type) and issubclass(c, BaseException):
            return c
    return RuntimeError


# ---------------------------------------------------------------- shared state
_ORIG = object()
_patched: dict[str, object] = {}  # "module:attr" -> our original value
_leveled: set = set()  # loggers whose level the test process set


def _state() -> dict:
    u = os.umask(0)
    os.umask(u)
    # raw values: compared before and after a call, encoded only when they changed (``_changed``)
    return {"env": dict(os.environ), "cwd": os.getcwd(), "umask": u, "random": random.getstate(),
            "tempdir": tempfile.tempdir}


def _changed(before: dict, after: dict) -> dict:
    return {k: enc(v) if k in ("env", "random") else v for k, v in after.items() if v != before.get(k)}


def _apply(state: dict) -> None:
    if "env" in state:
        env = dec(state["env"])
        for k in [k for k in os.environ if k not in env]:
            del os.environ[k]
        for k, v in env.items():
            if os.environ.get(k) != v:
                os.environ[k] = v
    if "cwd" in state:
        os.chdir(state["cwd"])
    if "umask" in state:
        os.umask(state["umask"])
    if "random" in state:
        random.setstate(dec(state["random"]))
    if "tempdir" in state:
        tempfile.tempdir = state["tempdir"]
    if "loglevels" in state:
        levels = dec(state["loglevels"])
        for name in _leveled - levels.keys():
            logging.getLogger(name or None).setLevel(logging.NOTSET)
        for name, level in levels.items():
            logging.getLogger(name or None).setLevel(level)
        _leveled.clear()
        _leveled.update(levels)
    for key, v in state.get("patches", {}).items():
        modname, _, attr = key.partition(":")
        mod = importlib.import_module(modname)
        if key not in _patched:
            _patched[key] = getattr(mod, attr, _ORIG)
        value = _patched[key] if v == ["orig"] else _ORIG if v == ["del"] else dec(v)
        if value is _ORIG:
            if hasattr(mod, attr):
                delattr(mod, attr)
        else:
            setattr(mod, attr, value)


_PEAK = [None]  # peak traced memory of the last traced call
_WB: list = []  # the call's mutable arguments, sent back after it (the test process updates its own)
_IN_CALL = [False]  # the test process is waiting for us: log records may go to it


class _Forward(logging.Handler):
    """Sends log records to the test process, where pytest's caplog and log capture see them."""

    def emit(self, record):
        if not _IN_CALL[0]:
            return
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001
            msg = str(record.msg)
        exc = _exc(record.exc_info[1]) if record.exc_info and record.exc_info[1] is not None else None
        _request({"op": "log", "name": record.name, "level": record.levelno, "msg": msg[:20000], "exc": exc})


def _ref(r):
    if r == ["m"]:
        return _module
    if type(r) is list and len(r) == 2 and r[0] == "h" and r[1] in _objects:
        return _objects[r[1]]
    raise wire.WireError("bad object reference")


_DUNDER = {"__len__": len, "__iter__": iter, "__next__": next, "__str__": str, "__bool__": bool,
           "__getitem__": lambda o, k: o[k]}


def _serve(msg: dict) -> dict:
    op = msg.get("op")
    obj = _ref(msg.get("obj"))
    if op == "get":
        return enc(getattr(obj, msg["name"]))
    if op == "set":
        setattr(obj, msg["name"], dec(msg["value"]))
        return None
    if op == "del":
        delattr(obj, msg["name"])
        return None
    if op == "new":  # a standard-library object made here, for use with ours (sectree_check.beside)
        modname, _, attr = str(msg.get("path", "")).rpartition(".")
        factory = getattr(importlib.import_module(modname), attr)
        return enc(factory(*dec(msg.get("args", ["l", []]))))
    if op == "isinstance":
        return isinstance(obj, _ref(msg["cls"]))
    if op == "call":
        args = dec(msg.get("args", ["l", []]))
        kwargs = {k: dec(v) for k, v in msg.get("kwargs", [])}
        name = msg.get("name")
        if name in _DUNDER:
            return enc(_DUNDER[name](obj, *args))
        fn = obj if name is None else getattr(obj, name)
        wb = msg.get("wb") or {"a": [], "k": []}
        _WB[:] = [args[i] for i in wb["a"]] + [kwargs[k] for k in wb["k"]]
        if not msg.get("trace"):
            return enc(fn(*args, **kwargs))
        import tracemalloc  # the test measures this call's memory (sectree_check.traced_memory)

        tracemalloc.start()
        try:
            return enc(fn(*args, **kwargs))
        finally:
            _PEAK[0] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    raise wire.WireError(f"unknown op {op!r}")


def _names() -> dict:
    out = {}
    for k, v in list(vars(_module).items()):
        if isinstance(v, type) and issubclass(v, BaseException):
            out[k] = ["exception", v.__qualname__, [c.__name__ for c in v.__mro__
                                                     if getattr(builtins, c.__name__, None) is c]]
        elif isinstance(v, type):
            out[k] = ["class"]
        elif isinstance(v, types.ModuleType):
            out[k] = ["module"]
        elif callable(v):
            out[k] = ["function"]
        else:
            out[k] = ["data"]
    return out


def main() -> None:
    name, rfd, wfd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sys.argv[:] = [sys.argv[0]]
    serve(rfd, wfd, name)


def serve(rfd: int, wfd: int, name: str | None = None) -> None:
    """Import the candidate named in the test process's first message (or ``name``), then serve calls."""
    global _module, RFD, WFD
    RFD, WFD = rfd, wfd
    logging.getLogger().addHandler(_Forward())
    first = wire.recv(RFD)
    _apply(first.get("state", {}))  # the job folder is the working directory from here on
    name = name or str(first.get("module"))
    sys.path.insert(0, os.getcwd())
    _IN_CALL[0] = True
    try:
        _module = importlib.import_module(name)
        names = _names()
    except BaseException as e:  # noqa: BLE001 - reported to the test process as an import failure
        wire.send(WFD, {"import_error": _exc(e)})
        return
    _IN_CALL[0] = False
    wire.send(WFD, {"ready": {"names": names, "pid": os.getpid()}})
    while True:
        try:
            msg = wire.recv(RFD)
        except EOFError:
            return
        _IN_CALL[0] = True
        _WB.clear()
        _PEAK[0] = None
        before = _state()  # (again after the test process's state is applied)
        try:
            _apply(msg.get("state", {}))
            before = _state()
            reply = {"ok": _serve(msg)}
        except BaseException as e:  # noqa: BLE001 - the test process raises it
            reply = {"err": _exc(e)}
        _IN_CALL[0] = False
        if _PEAK[0] is not None:
            reply["peak"] = _PEAK[0]
        if msg.get("wb"):
            reply["wb"] = [enc(a) for a in _WB] if len(_WB) == len(msg["wb"]["a"]) + len(msg["wb"]["k"]) else []
        reply["state"] = _changed(before, _state())
        try:
            wire.send(WFD, reply)
        except (ValueError, TypeError):  # our reply would not encode
            wire.send(WFD, {"err": {"mod": "builtins", "name": "TypeError", "bases": ["TypeError"], "args": None,
                                    "msg": "candidate result could not be sent", "cand": False},
                            "state": reply["state"]})


if __name__ == "__main__":
    main()
