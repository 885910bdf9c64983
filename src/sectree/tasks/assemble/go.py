"""Go import lines for candidate assembly: move an answer's imports up to the header's, and make the task's
header import exactly the packages the candidate names (Go refuses unused or missing imports)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sectree.tasks.assemble.braces import _mask
from sectree.tasks.assemble.text import _remove_ranges
from sectree.tasks.model import Task


_GO_IMPORT = re.compile(r"^import[ \t]*(?:\((?P<block>[^)]*)\)|(?P<one>[^\n]*))[ \t]*\n?", re.MULTILINE)


def _hoist_go_imports(head: str, code: str) -> tuple[str, str]:
    """Move the answer's Go imports into ``head`` (Go wants them right after the package clause); only
    import paths ``head`` lacks are added, as one ``import (…)`` block after ``head``'s last import."""
    masked = _mask(code, "go")
    specs, ranges = [], []
    for m in _GO_IMPORT.finditer(masked):
        raw = code[m.start(): m.end()]
        inner = re.sub(r"^import[ \t]*\(?", "", raw.strip()).rstrip(")")
        specs += [s.strip() for s in inner.splitlines() if s.strip() and not s.strip().startswith("//")]
        ranges.append((m.start(), m.end()))
    if not ranges:
        return head, code
    def path(spec: str) -> str:
        m = re.search(r"\"([^\"]+)\"", spec)
        return m.group(1) if m else spec

    have = {path(s) for m in _GO_IMPORT.finditer(head) for s in re.findall(r"\"[^\"]+\"", m.group(0))}
    new = [s for s in specs if path(s) not in have]
    code = _remove_ranges(code, ranges)
    if new:
        block = "import (\n" + "".join(f"\t{s}\n" for s in dict.fromkeys(new)) + ")\n"
        last = list(_GO_IMPORT.finditer(_mask(head, "go")))
        pkg = re.search(r"^package[ \t]+\w+[^\n]*\n?", head, re.MULTILINE)
        at = last[-1].end() if last else (pkg.end() if pkg else 0)
        head = head[:at] + ("\n" if at and head[at - 1: at] != "\n" else "") + block + head[at:]
    return head, code


_GO_SPEC = re.compile(r'^[ \t]*(?:(?P<alias>[A-Za-z_]\w*|[._])[ \t]+)?"(?P<path>[^"]+)"[ \t]*(?://[^\n]*)?$')


def _go_package_name(path: str) -> str | None:
    """The name a Go import path binds without an alias, where it is plain: the last path element
    (``math/rand/v2`` -> ``rand``); None where a module's name may differ from its path (then keep it)."""
    parts = path.split("/")
    name = parts[-2] if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]) else parts[-1]
    return name if re.fullmatch(r"[A-Za-z_]\w*", name) else None


def go_known_imports(task: Task) -> list[str]:
    """Import specs a Go candidate of ``task`` may need: those of the task's secure and unsafe references."""
    texts = [task.header, task.unsafe_file_text, *task.unsafe_sources]
    return [sp for text in texts for sp in go_import_specs(text)]


def go_import_specs(source: str) -> list[str]:
    """The import specs (``"os"``, ``r "crypto/rand"``) of a Go file's import declarations."""
    specs = []
    for m in _GO_IMPORT.finditer(source):
        lines = (m.group("block") or "").split("\n") if m.group("one") is None else [m.group("one")]
        specs += [ln.strip() for ln in lines if _GO_SPEC.match(ln)]
    return specs


def _go_spec_name(spec: str) -> str | None:
    m = _GO_SPEC.match(spec)
    if not m or m.group("alias") in ("_", "."):
        return None
    return m.group("alias") or _go_package_name(m.group("path"))


def fix_go_header_imports(program: str, header: str, known: Sequence[str] = ()) -> str:
    """Make the task's own ``header`` import exactly the packages the rest of ``program`` names.

    Go refuses to compile an unused import or an unimported package. The header is the task's, not the
    model's: a candidate whose body (a sampled span, a spliced unsafe hunk, an answer written another way)
    no longer needs one of the header's packages, or needs one that the task's other reference imports
    (``known``: specs from the task's files, e.g. the unsafe reference's ``"math/rand"``), would otherwise be
    judged broken for an import line it never wrote. A use is ``name.`` outside comments and strings. Blank
    ``_`` and dot imports, and paths whose package name is unclear, are never dropped; only ``known`` specs
    are ever added (this is no goimports). ``program`` must start with ``header``, else it is returned as is.
    """
    if not header or not program.startswith(header) or not _GO_IMPORT.search(header):
        return program
    used = set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)[ \t]*\.", _mask(program[len(header):], "go")))
    have = {_go_spec_name(sp) for sp in go_import_specs(header)}
    add = []
    for spec in known:
        name = _go_spec_name(spec)
        if name and name in used and name not in have and spec not in add:
            add.append(spec)
            have.add(name)
    first = True

    def rewrite(m: re.Match) -> str:
        nonlocal first
        lines = (m.group("block") or "").split("\n") if m.group("one") is None else [m.group("one")]
        kept = [ln for ln in lines if not _GO_SPEC.match(ln) or _go_spec_name(ln) in (None, *used)]
        extra = add if first else []
        first = False
        if len(kept) == len(lines) and not extra:
            return m.group(0)  # nothing to change: the declaration stays byte for byte
        kept += [f"\t{sp}" for sp in extra]
        specs = [ln.strip() for ln in kept if _GO_SPEC.match(ln)]
        if not specs:
            return ""  # nothing left to import: drop the whole declaration
        return "import (\n" + "".join(f"\t{sp}\n" for sp in specs) + ")\n"

    return _GO_IMPORT.sub(rewrite, header) + program[len(header):]

