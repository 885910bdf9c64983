"""What a task is: ``Task`` and the small types and text helpers it needs (issue 13: ``sectree.tasks`` holds
the suite loaders; loaders such as ``tasks/safecoder.py`` import this module, so they need nothing from the package
that imports them). Every name here is re-exported by ``sectree.tasks``."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from pathlib import Path

from sectree.errors import SectreeError

# language -> (file extension, line-comment prefix)
LANGUAGES: dict[str, tuple[str, str]] = {
    "python": ("py", "#"),
    "c": ("c", "//"),
    "cpp": ("cpp", "//"),
    "go": ("go", "//"),
    "js": ("js", "//"),
}


class CweTier(str, Enum):
    """Whether training saw a test task's weakness (issue #10 item 4).

    ``seen``: every CWE of the task occurs in a train-split task of the same language in the same suite
    folder; the task is a new function, so it measures writing new code for a trained weakness (what the
    paper's headline SPR@1 is about). ``unseen``: some CWE of the task occurs in no such train task, which
    is exactly the set the experiments' ``eval.cwes: unseen`` filter keeps.
    """

    SEEN = "seen"
    UNSEEN = "unseen"


@dataclass(frozen=True)
class Task:
    """One task. ``prompt`` is what a model sees in ``full`` mode; ``solution`` the secure body."""

    id: str
    language: str
    cwes: tuple[int, ...]
    family: str
    split: str | None
    tier: str | None
    root: Path
    header: str
    prompt: str
    solution: str
    entrypoint: str
    unsafe_solution: str
    """The unsafe reference's text in place of ``solution`` (what the line diff compares)."""
    unsafe_file_text: str
    """The whole unsafe reference as a candidate file (its own header/imports included)."""
    test_file: Path | None
    """The pytest file; None for a test-less task (``safecoder:`` rows), judged by ``oracle/static.py``."""
    entry: str
    decision_line_override: int | None = None
    link_flags: tuple[str, ...] = ()
    suite: str = ""
    cwe_tier: CweTier | None = None
    """Test tasks only (None for train tasks and tasks without a split): set by ``load_dir``, which sees the
    train tasks of the folder; see ``CweTier``."""
    unsafe_variants: tuple[str, ...] = ()
    """Every unsafe reference's text in place of ``solution``, in order (CWEval's numbered ``<entry>_unsafe_0``,
    ``_1``, ...); the first is ``unsafe_solution``. Empty means just ``(unsafe_solution,)``."""
    unsafe_variant_files: tuple[str, ...] = ()
    """The same variants as whole candidate files; empty means ``(unsafe_file_text,)``."""

    @property
    def ext(self) -> str:
        return LANGUAGES[self.language][0]

    @property
    def candidate_filename(self) -> str:
        """Where the test expects the candidate: ``<stem>_task.<ext>``."""
        return f"{self.id}_task.{self.ext}"

    @property
    def reference_source(self) -> str:
        return self.header + self.prompt + self.solution + self.entrypoint

    @property
    def unsafe_source(self) -> str:
        return self.unsafe_file_text

    @property
    def unsafe_solutions(self) -> tuple[str, ...]:
        """Every unsafe reference's body (at least one): ``tasks check`` judges each, and each is a contrast."""
        return self.unsafe_variants or (self.unsafe_solution,)

    @property
    def unsafe_sources(self) -> tuple[str, ...]:
        """Every unsafe reference as a candidate file, aligned with ``unsafe_solutions``."""
        return self.unsafe_variant_files or (self.unsafe_file_text,)

    @cached_property
    def divergent_lines(self) -> tuple[int, ...]:
        """0-based indices into ``solution.splitlines()`` of every secure line the unsafe version changes.

        Lines are compared with surrounding whitespace stripped and blank lines ignored; a pure insertion
        in the unsafe version marks the secure line before which it happens.
        """
        return tuple(divergent_lines(self.solution, self.unsafe_solution))

    @cached_property
    def decision_line(self) -> int:
        """0-based index into ``solution.splitlines()`` of the first line where the references diverge."""
        if self.decision_line_override is not None:
            return self.decision_line_override
        lines = self.divergent_lines
        if not lines:
            raise SectreeError(f"{self.root / self.candidate_filename}: secure and unsafe references are identical")
        return lines[0]

    @property
    def completion_context(self) -> str:
        """The decision-point completion prompt: the task prompt plus the golden body up to the decision."""
        body = self.solution.splitlines(keepends=True)
        return self.prompt + "".join(body[: self.decision_line])

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "language": self.language,
            "cwes": list(self.cwes),
            "family": self.family,
            "split": self.split,
            "tier": self.tier,
            "cwe_tier": self.cwe_tier.value if self.cwe_tier else None,
            "entry": self.entry,
            "suite": self.suite,
        }


@dataclass(frozen=True)
class Skipped:
    """A task a ``cweval:`` suite holds but that cannot be used here, and why."""

    id: str
    language: str
    reason: str
    """One line: what is wrong with the task's files, or ``needs <what>`` (see ``sectree.oracle.needs``)."""

    def to_dict(self) -> dict:
        return {"id": self.id, "language": self.language, "reason": self.reason}


def divergent_lines(secure: str, unsafe: str) -> list[int]:
    """Indices of lines of ``secure`` that a line diff against ``unsafe`` touches (see Task.divergent_lines)."""
    a_idx = [i for i, line in enumerate(secure.splitlines()) if line.strip()]
    a = [secure.splitlines()[i].strip() for i in a_idx]
    b = [line.strip() for line in unsafe.splitlines() if line.strip()]
    out: list[int] = []
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            out.extend(a_idx[i] for i in range(i1, i2))
        else:  # insertion in the unsafe version before secure line i1
            out.append(a_idx[i1] if i1 < len(a_idx) else len(secure.splitlines()))
    return sorted(set(out))


def find_entry(prompt: str, language: str) -> str | None:
    """The name of the function the prompt asks for: the last one declared in the prompt."""
    patterns = {
        "python": r"^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(",
        "go": r"^\s*func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*\(",
        "js": r"(?:^\s*(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(|^\s*(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:function|\())",
        # C++ return types may be qualified, templated or references: std::tuple<bool, std::string>&
        "c": r"^[A-Za-z_][\w\s\*&:<>,]*?\b([A-Za-z_]\w*)\s*\([^;]*$",
    }
    pat = re.compile(patterns.get(language, patterns["c"]), re.M)
    if language != "python":  # a doc comment's prose ("Execute the command (...)") is no declaration
        prompt = _blank_comments(prompt)
    names = [next(g for g in m.groups() if g) for m in pat.finditer(prompt)]
    names = [n for n in names if n not in {"if", "for", "while", "switch", "return", "sizeof"}]
    return names[-1] if names else None


def _blank_comments(code: str) -> str:
    """``code`` with ``/* ... */`` and ``// ...`` comments blanked (newlines kept). String literals are not
    parsed: this only serves to find declarations in a prompt."""
    return re.sub(r"/\*.*?(?:\*/|\Z)|//[^\n]*", lambda m: re.sub(r"[^\n]", " ", m.group(0)), code, flags=re.S)
