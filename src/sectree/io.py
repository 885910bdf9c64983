"""Atomic file output: a reader never sees a half-written file, an interrupted writer leaves no debris."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import zlib
from pathlib import Path
from contextlib import contextmanager
from typing import Any, BinaryIO, Iterable, Iterator

from sectree.errors import SectreeError


@contextmanager
def _atomic_binary(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only once the ``with`` block has written it whole: a temp file in
    the same folder, fsynced, then ``os.replace``d; on any error (a kill, a full disk) the temp file is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; outputs should read like any other file
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and ``os.replace``."""
    with _atomic_binary(path) as f:
        f.write(text.encode("utf-8"))


def write_json_atomic(path: str | Path, obj: Any) -> None:
    write_text_atomic(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


def append_jsonl(path: str | Path, records: Iterable[dict]) -> None:
    """Append records as JSON lines with one ``write`` call of whole lines, then fsync.

    A crash can lose the records of this call but never corrupts earlier ones: a torn last line is
    skipped by ``read_jsonl`` and cut off by the next append.
    """
    data = "".join(json.dumps(r, sort_keys=False) + "\n" for r in records)
    if not data:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        # a previous crash may have left a torn last line (no "\n"): cut it off before appending
        size = os.fstat(fd).st_size
        if size > 0:
            with open(path, "rb") as f:
                f.seek(max(0, size - (1 << 20)))
                tail = f.read()
            if not tail.endswith(b"\n"):
                cut = tail.rfind(b"\n")
                os.truncate(path, size - len(tail) + cut + 1 if cut >= 0 else max(0, size - len(tail)))
        os.write(fd, data.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_jsonl(path: str | Path, *, tolerate_torn_tail: bool = True) -> Iterator[dict]:
    """Yield the JSON objects of a JSONL file; a malformed line is a SectreeError naming file and line.

    With ``tolerate_torn_tail`` a malformed *last* line (an append cut short by a crash) is skipped.
    """
    path = Path(path)
    if not path.is_file():
        raise SectreeError(f"{path}: no such file")
    lines = path.read_text(encoding="utf-8").split("\n")
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        obj = _json_object(path, i, line, torn_ok=tolerate_torn_tail and i == last)
        if obj is None:
            return
        yield obj


def _json_object(path: Path, i: int, line: str, torn_ok: bool = False) -> dict | None:
    """Line ``i`` (0-based) of ``path`` as a JSON object; None when it is not JSON and ``torn_ok``."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        if torn_ok:
            return None
        raise SectreeError(f"{path}:{i + 1}: not valid JSON ({e.msg})") from None
    if not isinstance(obj, dict):
        raise SectreeError(f"{path}:{i + 1}: expected a JSON object, got {type(obj).__name__}")
    return obj


def write_jsonl_gz_atomic(path: str | Path, records: Iterable[dict]) -> int:
    """Write ``records`` as gzip-compressed JSON lines, streamed into a temp file then ``os.replace``d; returns
    the number of records. The gzip header carries no time stamp or name, so equal records give equal bytes
    (committed record files do not change when re-written)."""
    n = 0
    with _atomic_binary(path) as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            for r in records:
                gz.write((json.dumps(r, sort_keys=False) + "\n").encode("utf-8"))
                n += 1
    return n


def read_jsonl_gz(path: str | Path) -> Iterator[dict]:
    """Yield the JSON objects of a gzip-compressed JSONL file (streamed); a missing or corrupt file or a
    malformed line is a SectreeError naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise SectreeError(f"{path}: no such file")
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                if line.strip():
                    yield _json_object(path, i, line)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as e:
        raise SectreeError(f"{path}: not a readable gzip JSONL file ({e})") from None
