"""Tasks in CWEval's layout, our suite manifest, and ``load_suite``.

A suite is a folder of tasks. A task is identified by a stem such as ``cwe_078_0`` (Python) or
``cwe_022_0_c`` (C) and consists of:

- ``<stem>_task.<ext>``: the secure reference. An optional header (imports/includes) sits above a line
  containing ``BEGIN PROMPT``; the prompt runs to the line containing ``BEGIN SOLUTION``; then the reference
  body; an optional line containing ``BEGIN ENTRYPOINT`` starts a driver (e.g. ``main``) that stays fixed.
  Without a ``BEGIN PROMPT`` line the prompt starts at the top of the file. A marker may appear more than
  once (CWEval repeats ``BEGIN PROMPT`` above helper functions or inside a doc comment, and ``BEGIN
  SOLUTION`` inside a body): as in CWEval's own generator, the prompt starts after the *last* ``BEGIN
  PROMPT`` line above the *first* ``BEGIN SOLUTION`` line; other marker lines stay, as the comments they
  are. Code above that line (imports, helper functions) is the header, which candidates keep.
- ``<stem>_unsafe.<ext>``: the insecure reference; for Python it may instead be functions in the test file,
  ``<entry>_unsafe`` or CWEval's numbered ``<entry>_unsafe_0``, ``<entry>_unsafe_1``, ... (all kept, in
  order: ``Task.unsafe_variants``).
- ``<stem>_test.py``: pytest tests marked ``functionality`` or ``security``.
- ``suite.toml`` (ours; optional for foreign suites): per task ``cwes``, ``family``, ``split``, ``tier``,
  and optional ``entry`` / ``decision_line`` / ``language`` / ``link_flags`` overrides. Without
  ``link_flags`` a C/C++ task links the libraries its references include (``<sqlite3.h>``: ``-lsqlite3``, ...).

A ``cweval:`` suite loads every task it can read: one that cannot be read is skipped with its reason
(``load_suite(..., skipped=[])`` collects them as ``Skipped``) unless ``strict=True``.

A test task's CWE tier (``Task.cwe_tier``, seen or unseen) is derived by ``load_dir`` from the train tasks
next to it, never declared, so it cannot go stale when tasks are added or moved between splits.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import replace
from importlib import resources
from pathlib import Path

from sectree.errors import SectreeError
from sectree.tasks.assemble.braces import _definitions, _mask
from sectree.tasks.grammar import parse_python
from sectree.tasks.model import LANGUAGES, CweTier, Skipped, Task, divergent_lines, find_entry
from sectree.tasks.safecoder import load_safecoder

EXT_TO_LANG = {ext: lang for lang, (ext, _) in LANGUAGES.items()}
# stem suffix in CWEval naming (cwe_022_0_c) -> language; no suffix means Python
STEM_SUFFIX_TO_LANG = {"c": "c", "cpp": "cpp", "go": "go", "js": "js", "py": "python"}
SPLITS = ("train", "test")
MANIFEST = "suite.toml"
MANIFEST_FIELDS = {"cwes", "family", "split", "tier", "entry", "decision_line", "language", "link_flags"}

_STEM_RE = re.compile(r"^cwe_(\d+)_(\d+)(?:_([a-z]+))?$")


def stem_language(stem: str) -> str:
    """The language a CWEval stem names (``cwe_022_0_c`` -> c; no suffix -> python); '?' when unknown."""
    m = _STEM_RE.match(stem)
    return STEM_SUFFIX_TO_LANG.get((m.group(3) if m else None) or "py", "?")


# --------------------------------------------------------------------------------------------------
# parsing one task


def _split_markers(text: str, path: Path) -> tuple[str, str, str, str]:
    """Split a task file into (header, prompt, solution, entrypoint). The three marker lines that split it are
    dropped; repeated markers follow CWEval's generator (see the module docstring), so other marker lines stay."""
    lines = text.splitlines(keepends=True)

    def hits(*markers: str) -> list[int]:
        return [i for i, line in enumerate(lines) if any(m in line for m in markers)]

    solutions = hits("BEGIN SOLUTION")
    if not solutions:
        raise SectreeError(f"{path}: no line containing 'BEGIN SOLUTION'")
    s = solutions[0]
    prompts = hits("BEGIN PROMPT")
    if prompts and prompts[0] > s:
        raise SectreeError(f"{path}: 'BEGIN PROMPT' must come before 'BEGIN SOLUTION'")
    p = max((i for i in prompts if i < s), default=None)
    # CWEval spells the last marker "BEGIN ENTRYPONT" in some files; accept both
    entries = hits("BEGIN ENTRYPOINT", "BEGIN ENTRYPONT")
    if entries and entries[0] < s:
        raise SectreeError(f"{path}: 'BEGIN ENTRYPOINT' must come after 'BEGIN SOLUTION'")
    e = entries[0] if entries else None
    header = "".join(lines[:p]) if p is not None else ""
    prompt = "".join(lines[(p + 1 if p is not None else 0) : s])
    solution = "".join(lines[s + 1 : e if e is not None else len(lines)])
    entrypoint = "".join(lines[e + 1 :]) if e is not None else ""
    return header, prompt, solution, entrypoint


def _unsafe_from_test_file(test_path: Path, entry: str) -> tuple[list[str], str]:
    """CWEval's Python convention: functions ``<entry>_unsafe`` or ``<entry>_unsafe_<n>`` in the test file.

    Returns their bodies (``_unsafe`` first, then by ``n``), and the test file's top-level imports and plain
    assignments that the bodies use, transitively (the unsafe candidate file needs them: ``hashlib`` or a
    ``type_to_key`` table may live in the test file only)."""
    src = test_path.read_text(encoding="utf-8")
    try:
        tree = parse_python(src)
    except SyntaxError as e:
        raise SectreeError(f"{test_path}:{e.lineno}: test file does not parse ({e.msg})") from None
    lines = src.splitlines(keepends=True)
    pat = re.compile(rf"^{re.escape(entry)}_unsafe(?:_(\d+))?$")
    found: list[tuple[int, str]] = []
    for node in tree.body:
        m = pat.match(getattr(node, "name", ""))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and m:
            body_start = node.body[0].lineno - 1
            # skip a docstring so the body lines up with the secure reference's body
            if isinstance(node.body[0], ast.Expr) and isinstance(getattr(node.body[0], "value", None), ast.Constant):
                if len(node.body) > 1:
                    body_start = node.body[1].lineno - 1
            found.append((int(m.group(1)) if m.group(1) else -1, "".join(lines[body_start : node.end_lineno])))
    bodies = [body for _, body in sorted(found)]

    def words(text: str) -> set[str]:
        return set(re.findall(r"[A-Za-z_]\w*", text))

    # top-level imports and plain assignments (``type_to_key = {...}``) the bodies use, transitively
    defs: list[tuple[int, set[str], str]] = []
    for node in tree.body:
        text = "".join(lines[node.lineno - 1 : node.end_lineno])
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            if module and not module.endswith("_task") and module.split(".")[0] != "pytest":
                defs.append((node.lineno, {(a.asname or a.name).split(".")[0] for a in node.names}, text))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and "pytest" not in words(text):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if all(isinstance(t, ast.Name) for t in targets):
                defs.append((node.lineno, {t.id for t in targets}, text))
    needed, keep = words("".join(bodies)), set()
    while True:
        more = {i for i, (_, names, _) in enumerate(defs) if names & needed} - keep
        if not more:
            break
        keep |= more
        needed |= set().union(*(words(defs[i][2]) for i in more))
    return bodies, "".join(_ensure_nl(defs[i][2]) for i in sorted(keep))


def _ensure_nl(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _function_body(code: str, entry: str, language: str) -> str | None:
    """The body of the top-level function ``entry`` (or the first whose name starts with it, e.g.
    ``<entry>_unsafe``) in brace-language ``code``: the lines after the one holding its opening brace, through
    its closing brace, like a secure body after ``BEGIN SOLUTION``. None when there is no such function."""
    defs = [d for d in _definitions(code, language) if d.kind == "function" and d.name.startswith(entry)]
    d = next((d for d in defs if d.name == entry), defs[0] if defs else None)
    if d is None:
        return None
    brace = _mask(code, language).find("{", d.start, d.end)
    line_end = code.find("\n", brace)
    return code[line_end + 1 : d.end] if brace >= 0 and 0 <= line_end < d.end else None


# ``#include`` -> what to link it with, for C/C++ tasks whose manifest names no link_flags (CWEval links
# every task with all of these; linking only what a reference includes keeps a missing library local)
INCLUDE_LINK_FLAGS: dict[str, tuple[str, ...]] = {
    "sqlite3.h": ("-lsqlite3",),
    "jwt.h": ("-ljwt",),
    "openssl/": ("-lssl", "-lcrypto"),
    "archive.h": ("-larchive",),
    "archive_entry.h": ("-larchive",),
    "libxml/": ("-I/usr/include/libxml2", "-lxml2"),
    "zlib.h": ("-lz",),
}


def infer_link_flags(*sources: str) -> tuple[str, ...]:
    """The link flags (``INCLUDE_LINK_FLAGS``) for the ``#include <...>`` lines of ``sources``, in order."""
    out: list[str] = []
    for header in re.findall(r"^[ \t]*#[ \t]*include[ \t]*<([^>]+)>", "\n".join(sources), re.M):
        for prefix, flags in INCLUDE_LINK_FLAGS.items():
            if header == prefix or (prefix.endswith("/") and header.startswith(prefix)):
                out += [f for f in flags if f not in out]
    return tuple(out)


def parse_task(root: Path, stem: str, meta: dict | None = None, suite: str = "") -> Task:
    """Parse one task folder entry; every problem is a SectreeError naming the file."""
    meta = dict(meta or {})
    m = _STEM_RE.match(stem)
    lang = meta.get("language")
    if lang is None:
        suffix = m.group(3) if m else None
        lang = STEM_SUFFIX_TO_LANG.get(suffix or "py", None)
    if lang not in LANGUAGES:
        raise SectreeError(f"{root / stem}: unknown language {lang!r} (known: {', '.join(LANGUAGES)})")
    ext = LANGUAGES[lang][0]
    task_path = root / f"{stem}_task.{ext}"
    test_path = root / f"{stem}_test.py"
    if not task_path.is_file():
        raise SectreeError(f"{task_path}: missing task file")
    if not test_path.is_file():
        raise SectreeError(f"{test_path}: missing test file for task {stem}")
    header, prompt, solution, entrypoint = _split_markers(task_path.read_text(encoding="utf-8"), task_path)
    entry = meta.get("entry") or find_entry(prompt, lang)
    if not entry:
        raise SectreeError(f"{task_path}: cannot find the function the prompt declares; set 'entry' in {MANIFEST}")

    unsafe_path = root / f"{stem}_unsafe.{ext}"
    variants: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    if unsafe_path.is_file():
        utext = unsafe_path.read_text(encoding="utf-8")
        if "BEGIN SOLUTION" in utext:
            parts = _split_markers(utext, unsafe_path)
            unsafe_solution = parts[2]
            utext = "".join(parts)  # same shape as reference_source: marker lines dropped
        else:  # a whole file: take what follows the shared prompt when it is there verbatim
            idx = utext.find(prompt.strip())
            unsafe_solution = utext[idx + len(prompt.strip()) :].lstrip("\n") if idx >= 0 and prompt.strip() else utext
            if entrypoint and unsafe_solution.endswith(entrypoint):
                unsafe_solution = unsafe_solution[: -len(entrypoint)]
            if idx < 0 and lang != "python":
                # CWEval's marker-less unsafe files rewrite the prompt (and often rename the function to
                # <entry>_unsafe): diff the entry function's body, not the whole file, against the secure body
                unsafe_solution = _function_body(utext, entry, lang) or unsafe_solution
    elif lang == "python":
        bodies, imports = _unsafe_from_test_file(test_path, entry)
        if not bodies:
            raise SectreeError(f"{unsafe_path}: missing unsafe reference (nor a '{entry}_unsafe' or "
                               f"'{entry}_unsafe_0' function in {test_path.name})")
        # every variant is a whole file: the task's own header and prompt, the test's imports it uses
        files = [header + imports + prompt + body + entrypoint for body in bodies]
        unsafe_solution, utext = bodies[0], files[0]
        if len(bodies) > 1:
            variants = (tuple(bodies), tuple(files))
    else:
        raise SectreeError(f"{unsafe_path}: missing unsafe reference")

    cwes = meta.get("cwes")
    if cwes is None:
        cwes = [int(m.group(1))] if m else []
    if isinstance(cwes, int):
        cwes = [cwes]
    if not isinstance(cwes, list) or not all(isinstance(c, int) for c in cwes):
        raise SectreeError(f"{root / MANIFEST}: tasks.{stem}.cwes must be a list of integers")
    split = meta.get("split")
    if split is not None and split not in SPLITS:
        raise SectreeError(f"{root / MANIFEST}: tasks.{stem}.split must be one of {SPLITS}, got {split!r}")
    dl = meta.get("decision_line")
    if dl is not None and (not isinstance(dl, int) or not 0 <= dl < max(1, len(solution.splitlines()))):
        raise SectreeError(f"{root / MANIFEST}: tasks.{stem}.decision_line must be a 0-based line index into the solution body")
    return Task(
        id=stem,
        language=lang,
        cwes=tuple(cwes),
        family=str(meta.get("family") or stem),
        split=split,
        tier=meta.get("tier"),
        root=root,
        header=header,
        prompt=prompt,
        solution=solution,
        entrypoint=entrypoint,
        unsafe_solution=unsafe_solution,
        unsafe_file_text=utext,
        test_file=test_path,
        entry=entry,
        decision_line_override=dl,
        link_flags=tuple(meta["link_flags"]) if "link_flags" in meta else (
            infer_link_flags(header + prompt + solution + entrypoint, utext) if lang in ("c", "cpp") else ()),
        suite=suite,
        unsafe_variants=variants[0],
        unsafe_variant_files=variants[1],
    )


# --------------------------------------------------------------------------------------------------
# suites


def read_manifest(root: Path) -> dict[str, dict]:
    path = root / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise SectreeError(f"{path}: not valid TOML ({e})") from None
    tasks = data.get("tasks", {})
    if not isinstance(tasks, dict):
        raise SectreeError(f"{path}: [tasks] must be a table of task tables")
    defaults = data.get("defaults", {})
    out = {}
    for stem, meta in tasks.items():
        if not isinstance(meta, dict):
            raise SectreeError(f"{path}: tasks.{stem} must be a table")
        unknown = set(meta) - MANIFEST_FIELDS
        if unknown:
            raise SectreeError(f"{path}: tasks.{stem}: unknown field(s) {sorted(unknown)} (known: {sorted(MANIFEST_FIELDS)})")
        out[stem] = {**defaults, **meta}
    return out


def load_dir(root: Path, suite: str = "", skipped: list[Skipped] | None = None) -> list[Task]:
    """The tasks of one folder. A task that cannot be read raises, or with a ``skipped`` list is appended to
    it (its reason names the file, relative to ``root``) and left out; a malformed manifest always raises."""
    root = Path(root)
    if not root.is_dir():
        raise SectreeError(f"{root}: not a folder")
    manifest = read_manifest(root)
    stems = sorted(
        {p.name.rsplit("_task.", 1)[0] for p in root.glob("*_task.*") if p.suffix.lstrip(".") in EXT_TO_LANG}
    )
    for stem in manifest:
        if stem not in stems:
            raise SectreeError(f"{root / MANIFEST}: task {stem!r} has no {stem}_task.* file")
    tasks = []
    for stem in stems:
        try:
            tasks.append(parse_task(root, stem, manifest.get(stem), suite=suite or f"dir:{root}"))
        except SectreeError as e:
            if skipped is None:
                raise
            skipped.append(Skipped(stem, manifest.get(stem, {}).get("language") or stem_language(stem),
                                   str(e).replace(f"{root}/", "")))
    return with_cwe_tiers(tasks)


def with_cwe_tiers(tasks: list[Task]) -> list[Task]:
    """``tasks`` with every test task's ``cwe_tier`` set from the train tasks of its language among them."""
    trained: dict[str, set[int]] = {}
    for t in tasks:
        if t.split == "train":
            trained.setdefault(t.language, set()).update(t.cwes)
    out = []
    for t in tasks:
        if t.split == "test":
            seen = bool(t.cwes) and set(t.cwes) <= trained.get(t.language, set())
            t = replace(t, cwe_tier=CweTier.SEEN if seen else CweTier.UNSEEN)
        out.append(t)
    return out


def builtin_root() -> Path:
    return Path(str(resources.files("sectree.tasks") / "suites"))


def builtin_languages() -> list[str]:
    return sorted(p.name for p in builtin_root().iterdir() if p.is_dir() and (p / MANIFEST).is_file())


def load_suite(
    spec: str = "builtin",
    *,
    split: str | None = None,
    cwe: int | list[int] | None = None,
    language: str | None = None,
    ids: list[str] | None = None,
    strict: bool = False,
    skipped: list[Skipped] | None = None,
) -> list[Task]:
    """Load tasks from ``builtin``, ``builtin:<lang>``, ``dir:<path>``, ``cweval:<path>`` or
    ``safecoder:<path>`` (SafeCoder fixes, test-less: see tasks/safecoder.py), then filter.

    ``cweval:<path>`` accepts CWEval's checkout root too: task folders are found recursively. A task of a
    ``cweval:`` suite that cannot be read is left out and appended to ``skipped`` (when given) with its
    reason; ``strict=True`` raises instead. Our own suites (builtin, dir) always raise.
    """
    unread: list[Skipped] | None = None
    kind, _, arg = spec.partition(":")
    if kind == "builtin":
        langs = [arg] if arg else builtin_languages()
        for lang in langs:
            if lang not in builtin_languages():
                raise SectreeError(f"unknown suite {spec!r}: built-in languages are {', '.join(builtin_languages())}")
        tasks = [t for lang in langs for t in load_dir(builtin_root() / lang, suite=f"builtin:{lang}")]
    elif kind in ("dir", "cweval") and arg:
        root = Path(arg).expanduser()
        if not root.is_dir():
            raise SectreeError(f"suite {spec!r}: {root} is not a folder")
        folders = sorted({p.parent for p in root.rglob("*_task.*")}) if kind == "cweval" else [root]
        unread = [] if kind == "cweval" and not strict else None
        tasks = [t for folder in folders for t in load_dir(folder, suite=spec, skipped=unread)]
    elif kind == "safecoder" and arg:
        tasks = load_safecoder(arg, suite=spec).tasks
    else:
        raise SectreeError(f"unknown suite {spec!r}: use builtin, builtin:<lang>, dir:<path>, cweval:<path> "
                           f"or safecoder:<path>")
    if split is not None:
        if split not in SPLITS:
            raise SectreeError(f"--split must be one of {SPLITS}, got {split!r}")
        tasks = [t for t in tasks if t.split == split]
    if cwe is not None:
        wanted = {cwe} if isinstance(cwe, int) else set(cwe)
        tasks = [t for t in tasks if wanted & set(t.cwes)]
    if language is not None:
        tasks = [t for t in tasks if t.language == language]
    if skipped is not None and unread:  # a skipped task has no split or CWE list to filter by, but a language
        skipped.extend(s for s in unread if language is None or s.language == language)
    if ids:
        known = {t.id for t in tasks}
        missing = [i for i in ids if i not in known]
        if missing:
            raise SectreeError(f"suite {spec!r} has no task(s) {', '.join(missing)}")
        tasks = [t for t in tasks if t.id in set(ids)]
    return tasks


__all__ = ["Task", "CweTier", "Skipped", "load_suite", "load_dir", "parse_task", "divergent_lines", "find_entry", "LANGUAGES"]
