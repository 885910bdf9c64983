# SECURITY-CRITICAL: keeps the candidate out of the process that holds the report channel's key.
"""The candidate runs in a process of its own; the test process imports a proxy module in its place.

A pytest job's tests import the candidate module (``from cwe_022_0_task import read_user_file``). With
``install(name)`` (done by the zygote before pytest starts) that import gives a ``CandidateModule``: each call
``read_user_file(base, name)`` is sent over a pipe to a separate process (``candidate_host.py``, a fresh
interpreter started from here: never a fork, so it holds no copy of the key), which imported the real
candidate, runs the call and sends back the result as plain data (``candidate_wire``): ``str``, ``bytes``,
``int``, ``float``, ``bool``, ``None``, lists, tuples, dicts, sets and frozensets of them, dates, times,
``Decimal``, ``Path``. Anything else - an instance of a class the candidate defined, a ``str`` subclass with
an always-true ``__eq__``, a generator - stays in the candidate process and comes back as a
``CandidateObject`` handle: attribute reads, calls, iteration, ``len``, ``[]``, ``str()`` and ``with`` are
forwarded; ``==``, ``hash`` and ordering are the handle's own identity, so no candidate code ever answers
an equality in a test. Exceptions come back as the same class when it is a built-in or belongs to a module
the test process has loaded (``sqlite3.IntegrityError``), as a stand-in subclass of the nearest built-in
base for the candidate's own exception classes (``module.AccessDenied`` is that stand-in), with the
message; a candidate process that dies, or sends anything but a well-formed frame, ends the test process
too (no ``done`` record: the run is broken, as when the candidate killed pytest in-process before).

Objects the tests pass in that are not data (an ``sqlite3`` connection, a callback, an instance of a class
the test file defines) stay here; the candidate gets a handle whose uses come back as requests, served
only for public attributes (no leading ``_``) of such objects and of what they return (cursors, rows,
files), and calls of the callables the test passed or those objects' own methods. Frames, functions'
globals and closures - where this process's key lives - are never reachable that way.

Shared state is kept in step on every call, in both directions: the environment, the working directory,
the umask, ``random``'s state, ``tempfile.tempdir``, the root logger's level, and every module attribute a
test set with pytest's ``monkeypatch`` (a patched callable becomes a callback into the test). Log records the
candidate emits during a call are re-emitted here (``caplog`` sees them). Files are shared as they are:
both processes run in the same folders as the same uid.

Before the candidate process starts, every ``sys.path`` entry the job can write to (the job folder) leaves
this process's ``sys.path``: a module file the candidate drops there is never imported here.

What this does NOT protect against: a candidate that behaves well only while tested, and tests that trust
what a handle's forwarded ``str()``, ``bool()``, iteration or attributes say (the candidate answers those).
Standard library only (runs inside the sandbox).
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.machinery
import logging
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import types

import candidate_wire as wire

HOST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "candidate_host.py")
_MISSING = object()
METERS: list = []  # open sectree_check.traced_memory() blocks: candidate calls made in them are traced
LINKS: list = []  # the live candidate process (one per job)
# module attributes set through pytest's monkeypatch: "module:attr" -> the value before the first patch
_PATCHED: dict[str, object] = {}
# kinds of test-side objects whose public attributes the candidate may use (besides test-file classes)
_SHAREABLE: tuple = (sqlite3.Connection, sqlite3.Cursor, sqlite3.Row, __import__("io").IOBase)
try:  # lxml trees the tests build (XPath tasks); loaded by the zygote when installed
    from lxml import etree as _etree

    _SHAREABLE += (_etree._Element, _etree._ElementTree)
except ImportError:
    pass
# public methods that would run code of the candidate's choosing here: sqlite3 loads native extensions
_DENIED = frozenset({"enable_load_extension", "load_extension"})
_COERCE = (bool, int, float, str, bytes, tuple, list, dict, set, frozenset)
_META = frozenset({"__name__", "__qualname__", "__doc__", "__module__"})
_ALLOWED_DUNDERS = frozenset({"__iter__", "__next__", "__len__", "__getitem__", "__enter__", "__exit__"})


class CandidateDied(Exception):
    pass


class _Link:
    """The pipe pair to one candidate process, and both sides' handle tables."""

    def __init__(self, module_name: str, test_modules: frozenset, spare: tuple[int, int] | None = None):
        self.name = module_name
        self.spare = spare  # (read fd, write fd) of the zygote's spare candidate process, used for the first start
        self.proc: subprocess.Popen | None = None
        self.pid = 0
        self.test_modules = test_modules
        self.objects: dict[int, object] = {}  # test-side handle id -> object the candidate may use
        self.ids: dict[int, int] = {}
        self.handles: dict[int, CandidateObject] = {}  # candidate handle id -> our handle object
        self.exc_classes: dict[str, type] = {}
        self.generation = 0  # candidate processes started before the current one
        _strip_writable_paths()
        self._start()
        LINKS.append(self)

    def _start(self) -> None:
        self.sent: dict[str, object] = {}  # the shared state as the candidate process last had it
        if self.spare is not None:  # forked by the zygote before this job's key existed, already warm
            (self.rfd, self.wfd), self.spare, self.proc = self.spare, None, None
        else:  # a fresh interpreter
            c2t_r, c2t_w = os.pipe()
            t2c_r, t2c_w = os.pipe()
            self.proc = subprocess.Popen([sys.executable, "-s", "-B", HOST, self.name, str(t2c_r), str(c2t_w)],
                                         stdin=subprocess.DEVNULL, pass_fds=(t2c_r, c2t_w), close_fds=True,
                                         cwd=os.getcwd(), env=dict(os.environ))
            os.close(t2c_r)
            os.close(c2t_w)
            self.rfd, self.wfd = c2t_r, t2c_w
        self._send({"module": self.name, "state": self._state_diff()})
        reply = self._wait()
        if "import_error" in reply:
            e = reply["import_error"]
            self._kill()
            for fd in (self.rfd, self.wfd):
                os.close(fd)
            raise ImportError(f"candidate module {self.name} failed to import: "
                              f"{_str(e.get('name'))}: {_str(e.get('msg'))}")
        names = reply.get("ready", {}).get("names") if type(reply.get("ready")) is dict else None
        if type(names) is not dict:
            self.died("malformed first message")
        self.names = names
        pid = reply["ready"].get("pid")
        self.pid = pid if type(pid) is int and pid > 1 and pid != os.getpid() else 0

    def restart(self) -> None:
        """A call was interrupted here (a test's timeout raised in this process while the candidate still ran):
        as the interrupt would have stopped the candidate in-process, its process is ended and a fresh one
        imports it anew. Handles on module attributes follow by name; other handles die with the old
        process."""
        self._kill()
        for fd in (self.rfd, self.wfd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.handles.clear()
        self.generation += 1
        self._start()

    # ---- framing
    def _send(self, msg: dict) -> None:
        try:
            wire.send(self.wfd, msg)
        except OSError:
            self.died("pipe closed")

    def _recv(self) -> dict:
        try:
            return wire.recv(self.rfd)
        except OSError as e:
            if type(e) is not OSError:  # e.g. TimeoutError from a test's alarm handler: the caller restarts us
                raise
            self.died(f"{type(e).__name__}: {e}")
        except (EOFError, wire.WireError) as e:
            self.died(f"{type(e).__name__}: {e}")

    def _kill(self) -> int:
        """End the candidate process; its exit status (1 when it is not our child: the zygote's spare)."""
        try:
            if self.proc is not None:
                self.proc.kill()
                return self.proc.wait()
            if self.pid:  # the pid it reported (a lie hits only processes of the job's own uid)
                os.kill(self.pid, 9)
        except OSError:
            pass
        return 1

    def died(self, why: str):
        """The candidate process is gone or broke the protocol: end this run as its death in-process would."""
        code = self._kill()
        try:
            sys.stdout.flush()
            sys.stderr.write(f"\nsectree: the candidate process ended ({why}; status {code})\n")
            sys.stderr.flush()
        finally:
            os._exit(code if code and code > 0 else 1)

    def _wait(self) -> dict:
        """The candidate's answer, serving its requests (callbacks, test-side objects, log records) meanwhile."""
        while True:
            msg = self._recv()
            op = msg.get("op")
            if op is None:
                return msg
            try:
                out = {"ok": self._serve(op, msg)}
            except BaseException as e:  # noqa: BLE001 - goes back to the candidate as its exception
                out = {"err": exc_desc(e)}
            self._send(out)

    # ---- what the candidate may ask of us
    def _serve(self, op: str, msg: dict):
        if op == "log":
            return self._log(msg)
        h = msg.get("h")
        if type(h) is not int or h not in self.objects:
            raise TypeError("unknown test-side object")
        obj, name = self.objects[h], msg.get("name")
        if name is not None and (type(name) is not str or (name.startswith("_") and name not in _ALLOWED_DUNDERS)
                                 or name in _DENIED):
            raise AttributeError(f"{name!r}: the candidate may use only public attributes of test objects")
        if op == "tget":
            if not self._shareable(obj):
                raise TypeError(f"the candidate cannot read attributes of a {wire.type_name(obj)}")
            value = getattr(obj, name)
            if type(value) in (types.MethodType, types.BuiltinMethodType) and getattr(value, "__self__", None) is obj:
                return self.enc(value)  # the object's own method: a handle the candidate may call
            return self.enc_result(value)
        if op == "tcall":
            args = self.dec(msg.get("args", ["l", []]))
            kwargs = {str(k): self.dec(v) for k, v in msg.get("kwargs", [])}
            if name is None:
                if not callable(obj):
                    raise TypeError(f"a {wire.type_name(obj)} is not callable")
                return self.enc_result(obj(*args, **kwargs))
            if not self._shareable(obj):
                raise TypeError(f"the candidate cannot use a {wire.type_name(obj)}")
            if name == "__exit__":  # the candidate's exception stays there; only "it failed" crosses
                fail = bool(args and args[0])
                return self.enc_result(obj.__exit__(*(RuntimeError, RuntimeError("candidate block failed"),
                                                      None) if fail else (None, None, None)))
            if name in ("__iter__", "__next__", "__len__"):
                return self.enc_result({"__iter__": iter, "__next__": next, "__len__": len}[name](obj))
            if name == "__getitem__":
                return self.enc_result(obj[args[0]])
            return self.enc_result(getattr(obj, name)(*args, **kwargs))
        raise TypeError(f"unknown request {op!r}")

    def _shareable(self, obj) -> bool:
        return isinstance(obj, _SHAREABLE) or type(obj).__module__ in self.test_modules

    def _log(self, msg: dict):
        exc = msg.get("exc")
        exc_info = None
        if type(exc) is dict:
            e = self.exception(exc)
            exc_info = (type(e), e, None)
        rec = logging.LogRecord(_str(msg.get("name")) or "root", int(msg.get("level", 0)), "<candidate>", 0,
                                _str(msg.get("msg")), None, exc_info)
        logger = logging.getLogger(rec.name if rec.name != "root" else None)
        if logger.isEnabledFor(rec.levelno):
            logger.handle(rec)
        return None

    # ---- values
    def _handle(self, x):
        """A handle on a test-side object the tests hand to the candidate."""
        if isinstance(x, CandidateObject):
            return ["H", "C", x._sx_ref()[1], ""]
        for base in _COERCE:  # a test-side str subclass (an lxml result, an IntEnum): its plain value
            if isinstance(x, base) and not isinstance(x, _SHAREABLE):
                return self.enc(base(x))
        key = id(x)
        hid = self.ids.get(key)
        if hid is None:
            hid = len(self.objects) + 1
            self.objects[hid], self.ids[key] = x, hid
        return ["H", "T", hid, wire.type_name(x)]

    def enc(self, x):
        return wire.encode(x, self._handle)

    def enc_result(self, x):
        """What a test-side object returned to the candidate: data, with handles only on shareable objects."""
        return wire.encode(x, self._result_handle)

    def _result_handle(self, y):
        if isinstance(y, CandidateObject) or self._shareable(y) or isinstance(y, _COERCE):
            return self._handle(y)
        raise TypeError(f"a {wire.type_name(y)} cannot be handed to the candidate")

    def _dec_handle(self, owner, hid, tname):
        if owner == "T":
            if hid not in self.objects:
                raise wire.WireError("unknown test-side handle")
            return self.objects[hid]
        h = self.handles.get(hid)
        if h is None:
            h = self.handles[hid] = CandidateObject(self, hid, tname)
        return h

    def dec(self, v):
        try:
            return wire.decode(v, self._dec_handle)
        except wire.WireError as e:
            self.died(str(e))

    # ---- shared state
    def _state_now(self) -> dict:
        u = os.umask(0)
        os.umask(u)
        st = {"env": dict(os.environ), "cwd": os.getcwd(), "umask": u, "random": random.getstate(),
              "tempdir": tempfile.tempdir, "loglevels": _log_levels()}
        for key, orig in _PATCHED.items():
            mod, _, attr = key.partition(":")
            st["patch:" + key] = getattr(sys.modules.get(mod), attr, _MISSING) if mod in sys.modules else _MISSING
        return st

    def _state_diff(self) -> dict:
        now = self._state_now()
        out: dict = {}
        for k, v in now.items():
            last = self.sent.get(k, _MISSING)
            if last is v or (k[:6] != "patch:" and last == v):
                continue
            self.sent[k] = v
            if k.startswith("patch:"):
                key = k[6:]
                out.setdefault("patches", {})[key] = (["orig"] if v is _PATCHED.get(key) else
                                                      ["del"] if v is _MISSING else self.enc(v))
            elif k in ("env", "random", "loglevels"):
                out[k] = self.enc(v)
            else:
                out[k] = v
        return out

    def _take_state(self, st) -> None:
        """The shared state the candidate changed during a call, applied here."""
        if type(st) is not dict:
            self.died("malformed state")
        if "env" in st:
            env = self.dec(st["env"])
            if type(env) is not dict or not all(type(k) is str and type(v) is str for k, v in env.items()):
                self.died("malformed environment")
            for k in [k for k in os.environ if k not in env]:
                del os.environ[k]
            os.environ.update(env)
            self.sent["env"] = dict(os.environ)
        try:
            if type(st.get("cwd")) is str:
                os.chdir(st["cwd"])
                self.sent["cwd"] = os.getcwd()
            if type(st.get("umask")) is int:
                os.umask(st["umask"] & 0o777)
                self.sent["umask"] = st["umask"] & 0o777
            if "random" in st:
                random.setstate(self.dec(st["random"]))
                self.sent["random"] = random.getstate()
            if "tempdir" in st and type(st["tempdir"]) in (str, type(None)):
                tempfile.tempdir = st["tempdir"]
                self.sent["tempdir"] = tempfile.tempdir
        except (OSError, TypeError, ValueError) as e:
            self.died(f"bad state: {type(e).__name__}")

    # ---- calls
    def request(self, msg: dict, targets=()):
        msg["state"] = self._state_diff()
        try:
            self._send(msg)
            reply = self._wait()
        except BaseException:  # interrupted here mid-call (died() never returns): the candidate must stop too
            self.restart()
            raise
        self._take_state(reply.get("state", {}))
        if msg.get("trace") and type(reply.get("peak")) is int:
            for m in METERS:
                m.peak = max(m.peak, reply["peak"])
        if targets:
            after = reply.get("wb")
            if type(after) is not list or len(after) != len(targets):
                self.died("malformed reply")
            for old, new in zip(targets, after):
                _merge(old, self.dec(new))
        if "ok" in reply:
            return self.dec(reply["ok"])
        if type(reply.get("err")) is not dict:
            self.died("malformed reply")
        raise self.exception(reply["err"])

    def exception(self, e: dict) -> BaseException:
        """The candidate's exception as one of ours (never a class or code of the candidate's)."""
        mod, name = _str(e.get("mod")), _str(e.get("name"))
        bases = [b for b in e.get("bases", []) if type(b) is str] if type(e.get("bases")) is list else []
        msg = _str(e.get("msg"))
        cls = None
        if e.get("cand") is True or mod == self.name:
            cls = self.exc_class(name, bases)
        elif mod in sys.modules and mod != self.name:
            cls = sys.modules[mod]
            for part in name.split("."):
                cls = getattr(cls, part, None) if not part.startswith("_") or part == name else None
            if not (isinstance(cls, type) and issubclass(cls, BaseException)):
                cls = None
        if cls is None:
            cls = next((c for c in (getattr(builtins, b, None) for b in bases)
                        if isinstance(c, type) and issubclass(c, BaseException)), RuntimeError)
        args = None
        if e.get("args") is not None:
            try:
                args = wire.decode(e["args"], _refuse_handle)
            except wire.WireError:
                args = None
        for attempt in ((lambda: cls(*args)) if type(args) is list else None, lambda: cls(msg),
                        lambda: _loose(cls)(msg)):
            if attempt is None:
                continue
            try:
                return attempt()
            except Exception:  # noqa: BLE001 - a constructor that wants other arguments
                continue
        return RuntimeError(f"{name}: {msg}")

    def exc_class(self, qualname: str, bases: list[str]) -> type:
        """A stand-in for an exception class of the candidate: a subclass of its nearest built-in base."""
        cls = self.exc_classes.get(qualname)
        if cls is None:
            base = next((c for c in (getattr(builtins, b, None) for b in bases)
                         if isinstance(c, type) and issubclass(c, BaseException)), Exception)
            if base is BaseException or not issubclass(base, Exception) and base not in (KeyboardInterrupt,
                                                                                          SystemExit):
                base = Exception
            cls = self.exc_classes[qualname] = type(qualname.rpartition(".")[2] or "CandidateError", (base,),
                                                    {"__module__": self.name, "__qualname__": qualname})
        return cls


_MUTABLE = (list, dict, set, bytearray)


def _merge(old, new, depth: int = 0) -> None:
    """Make ``old`` (a test's list/dict/set/bytearray) hold ``new``'s contents, in place, recursively where
    both hold a container of the same kind at the same place (a test's reference to an inner dict stays
    live)."""
    if type(new) is not type(old) or depth > wire.MAX_DEPTH:
        return
    if type(old) is dict:
        for k in [k for k in old if k not in new]:
            del old[k]
        for k, v in new.items():
            if k in old and type(old[k]) in _MUTABLE and type(v) is type(old[k]):
                _merge(old[k], v, depth + 1)
            else:
                old[k] = v
    elif type(old) is list:
        for i in range(min(len(old), len(new))):
            if type(old[i]) in _MUTABLE and type(new[i]) is type(old[i]):
                _merge(old[i], new[i], depth + 1)
            else:
                old[i] = new[i]
        del old[len(new):]
        old.extend(new[len(old):])
    elif type(old) is set:
        old.clear()
        old.update(new)
    else:
        old[:] = new


_LOOSE: dict[type, type] = {}


def _loose(cls: type) -> type:
    """A subclass of ``cls`` built from a message alone (lxml's XMLSyntaxError wants five arguments)."""
    if cls not in _LOOSE:
        _LOOSE[cls] = type(cls.__name__, (cls,), {"__init__": lambda self, *a: BaseException.__init__(self, *a),
                                                  "__module__": cls.__module__, "__qualname__": cls.__qualname__})
    return _LOOSE[cls]


def _str(x) -> str:
    return x if type(x) is str else ""


def _refuse(x):
    raise TypeError(wire.type_name(x))


def _refuse_handle(owner, hid, tname):
    raise wire.WireError("handle in exception arguments")


def exc_desc(e: BaseException) -> dict:
    """An exception raised here (a callback's), for the candidate process."""
    t = type(e)
    try:
        args = wire.encode(list(e.args), _refuse)
    except Exception:  # noqa: BLE001
        args = None
    return {"mod": t.__module__, "name": t.__qualname__, "args": args, "msg": str(e)[:2000],
            "bases": [c.__name__ for c in t.__mro__ if getattr(builtins, c.__name__, None) is c]}


def _log_levels() -> dict:
    """Levels set on loggers here (caplog.at_level sets them): the candidate process logs at the same ones."""
    out = {"": logging.getLogger().level}
    for name, lg in list(logging.root.manager.loggerDict.items()):
        if isinstance(lg, logging.Logger) and lg.level:
            out[name] = lg.level
    return out


def _strip_writable_paths() -> None:
    """Drop every import path the job can write to (the job folder that pytest put first, anything in the
    sandbox's writable folders): from now on a module file the candidate writes there is not imported by
    this process. The interpreter's own paths stay (read-only in the sandbox)."""
    keep, cwd = [], os.getcwd()
    own = tuple(os.path.realpath(p) + "/" for p in {sys.prefix, sys.base_prefix})
    for p in sys.path:
        full = os.path.realpath(p or ".")
        inside = any(full == d or full.startswith(d + "/") for d in (cwd, "/sbx", "/tmp", "/dev/shm"))
        if inside and not (full + "/").startswith(own) and os.path.isdir(full) and os.access(full, os.W_OK):
            sys.path_importer_cache.pop(p, None)
            sys.path_importer_cache.pop(full, None)
            continue
        keep.append(p)
    sys.path[:] = keep


# --------------------------------------------------------------------- proxies


class CandidateObject:
    """A handle on an object that lives in the candidate process."""

    __slots__ = ("_sx_link", "_sx_id", "_sx_type", "_sx_gen", "_sx_name")

    def __init__(self, link: _Link, hid: int, tname: str):
        object.__setattr__(self, "_sx_link", link)
        object.__setattr__(self, "_sx_id", hid)
        object.__setattr__(self, "_sx_type", tname)
        object.__setattr__(self, "_sx_gen", link.generation)
        object.__setattr__(self, "_sx_name", None)  # the module attribute it is, if any

    def _sx_ref(self) -> list:
        link = object.__getattribute__(self, "_sx_link")
        if object.__getattribute__(self, "_sx_gen") != link.generation:  # its process was restarted
            name = object.__getattribute__(self, "_sx_name")
            if name is None:
                raise RuntimeError("a candidate object from before an interrupted call")
            fresh = link.request({"op": "get", "obj": ["m"], "name": name})
            if not isinstance(fresh, CandidateObject):
                raise RuntimeError(f"candidate attribute {name} changed kind")
            object.__setattr__(self, "_sx_id", object.__getattribute__(fresh, "_sx_id"))
            object.__setattr__(self, "_sx_gen", link.generation)
            link.handles[object.__getattribute__(self, "_sx_id")] = self
        return ["h", object.__getattribute__(self, "_sx_id")]

    def _sx(self, op: str, _sx_targets=(), **kw):
        link = object.__getattribute__(self, "_sx_link")
        return link.request({"op": op, "obj": self._sx_ref(), **kw}, targets=_sx_targets)

    def __getattribute__(self, name):
        if name in _META:  # the class's own would answer (``__module__`` = "candidate_proxy"): ask the object's
            return object.__getattribute__(self, "_sx")("get", name=name)
        return object.__getattribute__(self, name)

    def __getattr__(self, name):
        if name[:2] == "__":
            raise AttributeError(name)  # copy/pickle/pytest probes: never the candidate's to answer
        return self._sx("get", name=name)

    def __setattr__(self, name, value):
        link = object.__getattribute__(self, "_sx_link")
        self._sx("set", name=name, value=link.enc(value))

    def __delattr__(self, name):
        self._sx("del", name=name)

    def __call__(self, *args, **kwargs):
        link = object.__getattribute__(self, "_sx_link")
        # lists, dicts, sets and bytearrays the call may change: their contents come back (in place here)
        wb = {"a": [i for i, a in enumerate(args) if type(a) in _MUTABLE],
              "k": [k for k, v in kwargs.items() if type(v) in _MUTABLE]}
        targets = [args[i] for i in wb["a"]] + [kwargs[k] for k in wb["k"]]
        return self._sx("call", name=None, args=link.enc(list(args)),
                        kwargs=[[k, link.enc(v)] for k, v in kwargs.items()], wb=wb, _sx_targets=targets,
                        trace=bool(METERS))

    def _sx_dunder(self, name, *args):
        link = object.__getattribute__(self, "_sx_link")
        return self._sx("call", name=name, args=link.enc(list(args)), kwargs=[])

    def __iter__(self):
        return self._sx_dunder("__iter__")

    def __next__(self):
        return self._sx_dunder("__next__")

    def __len__(self):
        n = self._sx_dunder("__len__")
        if type(n) is not int:
            raise TypeError("len() of a candidate object: not an int")
        return n

    def __getitem__(self, k):
        return self._sx_dunder("__getitem__", k)

    def __str__(self):
        s = self._sx_dunder("__str__")
        return s if type(s) is str else "<candidate object>"

    def __bool__(self):
        b = self._sx_dunder("__bool__")
        return b if type(b) is bool else True

    def __enter__(self):
        return self._sx("call", name="__enter__", args=["l", []], kwargs=[])

    def __exit__(self, *exc):
        self._sx("call", name="__exit__", args=["l", [None, None, None]], kwargs=[])
        return False

    def _sx_new(self, path: str, args: list):
        link = object.__getattribute__(self, "_sx_link")
        return self._sx("new", path=path, args=link.enc(list(args)))

    def __instancecheck__(self, obj):
        if not isinstance(obj, CandidateObject):
            return False
        link = object.__getattribute__(self, "_sx_link")
        return link.request({"op": "isinstance", "obj": obj._sx_ref(), "cls": self._sx_ref()}) is True

    def __repr__(self):
        return f"<candidate {object.__getattribute__(self, '_sx_type')}>"

    __eq__ = object.__eq__  # identity: a candidate's __eq__ never answers here
    __hash__ = object.__hash__


class CandidateModule(types.ModuleType):
    """Stands for the candidate module in the test process; every use goes to the candidate process."""

    def __getattribute__(self, name):
        # data is read from the candidate process every time (the candidate may change its globals); the copy
        # kept in __dict__ is for pytest's monkeypatch, which reads a module's old value from there
        if name[:2] != "__" and name != "_sx_link":
            d = types.ModuleType.__getattribute__(self, "__dict__")
            link = d.get("_sx_link")
            if link is not None and link.names.get(name, ("",))[0] == "data":
                d[name] = value = link.request({"op": "get", "obj": ["m"], "name": name})
                return value
        return types.ModuleType.__getattribute__(self, name)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        link = self.__dict__["_sx_link"]
        kind = link.names.get(name)
        if kind is None:
            try:
                return link.request({"op": "get", "obj": ["m"], "name": name})
            except AttributeError:
                raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None
        if kind[0] == "exception":
            return link.exc_class(str(kind[1]), [b for b in kind[2] if type(b) is str])
        if kind[0] == "data":
            return link.request({"op": "get", "obj": ["m"], "name": name})
        value = link.request({"op": "get", "obj": ["m"], "name": name})
        if isinstance(value, CandidateObject):  # found again by name in a restarted candidate process
            object.__setattr__(value, "_sx_name", name)
        self.__dict__[name] = value  # functions, classes, modules: the same object every time
        return value

    def __setattr__(self, name, value):
        link = self.__dict__.get("_sx_link")
        if link is None or name.startswith("__"):
            return super().__setattr__(name, value)
        link.request({"op": "set", "obj": ["m"], "name": name, "value": link.enc(value)})
        self.__dict__.pop(name, None)
        link.names[name] = ["data"] if type(value) in (int, str, float, bool, bytes, type(None)) else ["function"]
        if link.names[name][0] == "data":
            self.__dict__[name] = value

    def __delattr__(self, name):
        link = self.__dict__["_sx_link"]
        link.request({"op": "del", "obj": ["m"], "name": name})
        self.__dict__.pop(name, None)
        link.names.pop(name, None)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, name: str, test_modules: frozenset, spare: tuple[int, int] | None):
        self.name, self.test_modules, self.spare = name, test_modules, spare

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, origin="<candidate process>")

    def create_module(self, spec):
        m = CandidateModule(spec.name)
        # the candidate's source file in the job folder (tests may read it: inspect.getsource, a subprocess)
        m.__dict__["__file__"] = os.path.join(os.getcwd(), spec.name + ".py")
        # the zygote's spare serves one import: a candidate that failed to import is imported anew, by a
        # fresh interpreter, when a test imports it again (tests that import it lazily)
        spare, self.spare = self.spare, None
        link = _Link(spec.name, self.test_modules, spare)
        m.__dict__["_sx_link"] = link
        return m

    def exec_module(self, module):
        pass


def install(module_name: str, test_modules: frozenset = frozenset(), spare: tuple[int, int] | None = None) -> None:
    """Make ``import <module_name>`` in this process give the proxy (before anything imports it). ``spare``:
    (read fd, write fd) of a candidate process the zygote prepared (``candidate_host.serve``); without it the
    first import starts a fresh interpreter."""
    sys.meta_path.insert(0, _Finder(module_name, frozenset(test_modules), spare))


def forward_patches(patches: list[tuple[str, str, object]]) -> None:
    """Module attributes the test file rebound at import, before importing the candidate ((module, name, value
    before) each; ``pytest_channel`` finds them): forwarded on every call like ``monkeypatch``'s, so that the
    candidate meets them as it would in-process (CWEval's cwe_377_0 spots ``tempfile.mktemp`` so). Called
    before the candidate process is told to import the candidate."""
    for modname, attr, before in patches:
        _PATCHED.setdefault(f"{modname}:{attr}", before)


def _wrap_monkeypatch() -> None:
    """Record every module attribute pytest's monkeypatch sets, so that each call forwards it (see above).
    Done once, in the zygote, before the report channel takes its baseline."""
    try:
        from _pytest.monkeypatch import MonkeyPatch
    except ImportError:
        return
    orig_set, orig_del = MonkeyPatch.setattr, MonkeyPatch.delattr

    def _note(target, name):
        if isinstance(target, str) and "." in target and name is not None:
            return
        if isinstance(target, str):
            modname, _, attr = target.rpartition(".")
            target = sys.modules.get(modname)
        else:
            attr = name
        if (isinstance(target, types.ModuleType) and not isinstance(target, CandidateModule)
                and type(attr) is str):
            key = f"{target.__name__}:{attr}"
            if key not in _PATCHED:
                _PATCHED[key] = getattr(target, attr, _MISSING)

    def setattr(self, target, name, value=_MISSING, raising=True):  # noqa: A001 - pytest's own name
        if value is _MISSING:
            _note(target, None)
            return orig_set(self, target, name, raising=raising)
        _note(target, name)
        return orig_set(self, target, name, value, raising=raising)

    def delattr(self, target, name=_MISSING, raising=True):  # noqa: A001
        _note(target, None if name is _MISSING else name)
        if name is _MISSING:
            return orig_del(self, target, raising=raising)
        return orig_del(self, target, name, raising=raising)

    setattr.__doc__, delattr.__doc__ = orig_set.__doc__, orig_del.__doc__
    MonkeyPatch.setattr, MonkeyPatch.delattr = setattr, delattr


_wrap_monkeypatch()
