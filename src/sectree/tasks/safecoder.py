"""``safecoder:<path>``: SafeCoder's vulnerability fixes (He et al., 2024) as test-less tasks.

Each row of a SafeCoder ``.jsonl`` file is one function from a real project, before (``func_src_before``,
vulnerable) and after (``func_src_after``, fixed) a security commit, with ``vul_type`` (``cwe-089``) and
``file_name``. One row becomes one task:

- language from ``file_name``'s extension (``EXTENSIONS``); Ruby and Java rows are skipped and counted;
- CWE from ``vul_type``;
- prompt = the fixed function's signature up to the line that opens its body, plus a docstring (Python) or
  the comment lines at the top of the body, as in the SafeCoder paper; golden body = the rest of
  ``func_src_after``; unsafe body = ``func_src_before`` after its own signature (the signature is the
  fixed one's when a fix also renamed a parameter; ``notes`` lists those tasks);
- no tests (``Task.test_file`` is None): ``oracle/static.py`` judges leaves by syntax, reference match and
  analyzers. ``split`` is the row file's folder name when that is ``train`` or ``test`` (SafeCoder's ``val``
  rows get no split: neither training nor held-out test material by default).

Rows that cannot become a task are reported, never silently dropped (``SkippedRow``): lines that are not
JSON, languages sectree does not judge, and fixes that change nothing in the body. A row that is JSON but
malformed (a field missing or of the wrong type, an unknown extension) is a user error: one line naming the
file, line and field.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from sectree.errors import SectreeError
from sectree.tasks.model import Task, divergent_lines, find_entry
from sectree.tasks.grammar import body_start

# file extension -> sectree language; None: a language sectree does not judge (counted, skipped)
EXTENSIONS: dict[str, str | None] = {
    "py": "python", "js": "js", "jsx": "js", "mjs": "js", "c": "c", "h": "c",
    "cc": "cpp", "cpp": "cpp", "cxx": "cpp", "hpp": "cpp", "C": "cpp", "go": "go",
    "rb": None, "java": None,
}
REQUIRED = ("func_src_before", "func_src_after", "vul_type", "file_name")
_CWE_RE = re.compile(r"^cwe-(\d+)$", re.I)
_REPO_RE = re.compile(r"github\.com/([^/]+/[^/]+)/")


class SkipReason(str, Enum):
    """Why a row is not a task."""

    NOT_JSON = "not valid JSON"
    LANGUAGE = "language not judged by sectree"
    IDENTICAL = "before and after are identical"
    WHITESPACE = "before and after differ only in whitespace"
    SIGNATURE_ONLY = "the fix changes only the signature, not the body"


@dataclass(frozen=True)
class SkippedRow:
    file: str
    line: int
    """1-based line of the row in ``file``."""
    reason: SkipReason
    detail: str = ""

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "reason": self.reason.value, "detail": self.detail}


@dataclass
class SafeCoderSuite:
    """What a ``safecoder:`` path holds: the tasks, the rows skipped and why, and per-task notes."""

    tasks: list[Task] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    signature_changed: list[str] = field(default_factory=list)
    """Tasks whose fix also changed the signature: the unsafe body is put under the fixed signature."""
    rows: dict[str, dict] = field(default_factory=dict)
    """Task id -> the row's provenance (file, line, func_name, commit_link, description)."""

    def summary(self, tasks: list[Task] | None = None) -> dict:
        """Counts of ``tasks`` (default: all; ``tasks list`` passes the filtered ones) and of skipped rows."""
        tasks = self.tasks if tasks is None else tasks
        return {
            "tasks": len(tasks),
            "by_language": dict(sorted(Counter(t.language for t in tasks).items())),
            "by_cwe": {f"CWE-{c}": n for c, n in sorted(Counter(c for t in tasks for c in t.cwes).items())},
            "by_language_cwe": {lang: {f"CWE-{c}": n for (la, c), n in sorted(Counter(
                (t.language, c) for t in tasks for c in t.cwes).items()) if la == lang}
                for lang in sorted({t.language for t in tasks})},
            "by_split": {str(k): n for k, n in sorted(Counter(t.split or "none" for t in tasks).items())},
            "skipped": len(self.skipped),
            "skipped_by_reason": dict(sorted(Counter(s.reason.value for s in self.skipped).items())),
            "skipped_languages": dict(sorted(Counter(s.detail for s in self.skipped
                                                     if s.reason == SkipReason.LANGUAGE).items())),
            "signature_changed": len(self.signature_changed),
        }

    def to_dict(self, tasks: list[Task] | None = None) -> dict:
        tasks = self.tasks if tasks is None else tasks
        return {"summary": self.summary(tasks), "tasks": [t.to_dict() for t in tasks],
                "skipped": [s.to_dict() for s in self.skipped], "signature_changed": self.signature_changed}


def row_files(path: Path) -> list[Path]:
    """``path`` itself (a ``.jsonl`` file) or every ``.jsonl`` file under it (a folder), sorted."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.jsonl") if p.is_file())
        if not files:
            raise SectreeError(f"{path}: no .jsonl files in this folder (a safecoder suite is a SafeCoder "
                               f".jsonl file or a folder of them)")
        return files
    if not path.exists():
        raise SectreeError(f"{path}: no such file or folder")
    if path.suffix != ".jsonl":
        raise SectreeError(f"{path}: unknown extension {path.suffix or '(none)'!r}: a safecoder suite is a "
                           f"SafeCoder .jsonl file or a folder of them")
    return [path]


_CACHE: dict[tuple, SafeCoderSuite] = {}


def load_safecoder(path: str | Path, suite: str = "") -> SafeCoderSuite:
    """Read every row of ``path`` (file or folder); see the module docstring for the rules.

    Memoised per process on the files' paths, sizes and modification times (``tasks list`` loads the suite
    twice: once through ``load_suite``'s filters, once for the skipped rows); treat the result as read-only."""
    path = Path(path).expanduser()
    files = row_files(path)
    key = (str(path.resolve()), suite, tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files))
    if key not in _CACHE:
        _CACHE[key] = _load(path, files, suite)
    return _CACHE[key]


def _load(path: Path, files: list[Path], suite: str) -> SafeCoderSuite:
    out = SafeCoderSuite()
    # ids name the file by its folder and stem (train/sec-new-desc.jsonl -> sc_train_sec-new-desc_0012), the
    # same whether the file or a folder above it was given, so SafeCoder's train/ and val/ files of the same
    # name never share ids; two files that would still collide are named by their whole relative path
    short = [f"{f.parent.name}/{f.stem}" for f in files]
    names = [s if short.count(s) == 1 else f.relative_to(path).with_suffix("").as_posix()
             for s, f in zip(short, files)]
    for f, name in zip(files, names):
        slug = re.sub(r"[^A-Za-z0-9-]+", "_", name).strip("_")
        split = f.parent.name if f.parent.name in ("train", "test") else None
        try:
            lines = f.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise SectreeError(f"{f}: cannot read ({e})") from None
        for lineno, text in enumerate(lines, 1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as e:
                out.skipped.append(SkippedRow(str(f), lineno, SkipReason.NOT_JSON, e.msg))
                continue
            _row_to_task(row, f, lineno, f"sc_{slug}_{lineno:04d}", split, suite or f"safecoder:{path}", out)
    if not out.tasks and not out.skipped:
        raise SectreeError(f"{path}: no rows (empty SafeCoder file)")
    return out


def _field(row: dict, name: str, where: str) -> str:
    if name not in row:
        raise SectreeError(f"{where}: field {name!r} is missing (each row needs {', '.join(REQUIRED)})")
    value = row[name]
    if not isinstance(value, str):
        raise SectreeError(f"{where}: field {name!r} must be a string, got {type(value).__name__}")
    return value


def _row_to_task(row, f: Path, lineno: int, task_id: str, split: str | None, suite: str,
                 out: SafeCoderSuite) -> None:
    where = f"{f}:{lineno}"
    if not isinstance(row, dict):
        raise SectreeError(f"{where}: a row must be a JSON object, got {type(row).__name__}")
    before, after = _field(row, "func_src_before", where), _field(row, "func_src_after", where)
    vul_type, file_name = _field(row, "vul_type", where), _field(row, "file_name", where)
    m = _CWE_RE.match(vul_type.strip())
    if not m:
        raise SectreeError(f"{where}: field 'vul_type' must look like 'cwe-089', got {vul_type!r}")
    ext = file_name.rsplit(".", 1)[-1] if "." in file_name else ""
    if ext not in EXTENSIONS:
        known = ", ".join(e for e, lang in EXTENSIONS.items() if lang)
        raise SectreeError(f"{where}: field 'file_name' {file_name!r}: unknown extension {ext!r} "
                           f"(judged: {known}; skipped: rb, java)")
    language = EXTENSIONS[ext]
    if language is None:
        out.skipped.append(SkippedRow(str(f), lineno, SkipReason.LANGUAGE, ext))
        return
    if before == after:
        out.skipped.append(SkippedRow(str(f), lineno, SkipReason.IDENTICAL))
        return
    if not divergent_lines(after, before):
        out.skipped.append(SkippedRow(str(f), lineno, SkipReason.WHITESPACE))
        return
    prompt, solution = _split_signature(after, language)
    b_prompt, unsafe = _split_signature(before, language)
    common = _common_lines(before, after)
    if before.startswith(prompt):  # the usual case: the fix left the signature alone
        unsafe = before[len(prompt):]
    elif b_prompt.split() == prompt.split():  # the same signature up to whitespace
        pass
    elif common:  # the fix changes a later line of a long signature: the prompt stops before it
        prompt, solution, unsafe = common, after[len(common):], before[len(common):]
    else:  # the first line changed: keep the fixed signature over the unsafe body (the body diff remains)
        out.signature_changed.append(task_id)
    if not divergent_lines(solution, unsafe):
        out.skipped.append(SkippedRow(str(f), lineno, SkipReason.SIGNATURE_ONLY))
        return
    name = str(row.get("func_name") or "")
    entry = name if re.fullmatch(r"[A-Za-z_$][\w$]*", name) else (find_entry(prompt, language) or "anonymous")
    repo = _REPO_RE.search(str(row.get("commit_link") or ""))
    out.tasks.append(Task(
        id=task_id, language=language, cwes=(int(m.group(1)),),
        # the same commit often fixes several functions: the repository groups those near-duplicates
        family=f"safecoder:{repo.group(1)}" if repo else "safecoder",
        split=split, tier=None, root=f.parent, header="", prompt=prompt, solution=solution, entrypoint="",
        unsafe_solution=unsafe, unsafe_file_text=prompt + unsafe, test_file=None, entry=entry, suite=suite,
    ))
    out.rows[task_id] = {"file": str(f), "line": lineno, "func_name": name,
                         "commit_link": row.get("commit_link"), "description": row.get("description")}


def _common_lines(a: str, b: str) -> str:
    """The whole lines ``a`` and ``b`` start with."""
    out = []
    for x, y in zip(a.splitlines(keepends=True), b.splitlines(keepends=True)):
        if x != y or not x.endswith("\n"):
            break
        out.append(x)
    return "".join(out)


def _split_signature(source: str, language: str) -> tuple[str, str]:
    """(prompt, body) of one function: ``grammar.body_start``, or the first line where no body is found."""
    cut = body_start(source, language)
    if cut is None or cut >= len(source):
        nl = source.find("\n")
        cut = len(source) if nl < 0 else nl + 1
    return source[:cut], source[cut:]


__all__ = ["EXTENSIONS", "SafeCoderSuite", "SkipReason", "SkippedRow", "load_safecoder", "row_files"]
