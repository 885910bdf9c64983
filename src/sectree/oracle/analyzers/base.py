"""The analyzer contract (``Analyzer``) and the shared runner for external tools (``ToolAnalyzer``): temp copies
of the sources, a batch timeout, a process group killed whole, a warning (never a crash) when a tool fails."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path

from sectree.oracle.verdict import Finding

log = logging.getLogger(__name__)

_batch = threading.local()  # .failed: set when a tool fails or times out in this thread's current batch


def batch_failed(reset: bool = False) -> bool:
    """Whether an analyzer failed (timed out, could not start, raised) in this thread since the last reset:
    such a batch gets no (or partial) findings, which a cache must not keep as the sources' answer. A tool
    run from a thread of the analyzer's own marks the caller's thread with ``mark_batch_failed``."""
    failed = getattr(_batch, "failed", False)
    if reset:
        _batch.failed = False
    return failed


def mark_batch_failed() -> None:
    _batch.failed = True


class Analyzer(ABC):
    """Runs over many candidate sources at once; returns one list of findings per source."""

    name: str
    language: str

    @abstractmethod
    def available(self) -> bool: ...

    @abstractmethod
    def analyze(self, sources: list[str]) -> list[list[Finding]]: ...


class ToolAnalyzer(Analyzer):
    """An analyzer that runs an external command over temp copies of the sources.

    ``command`` is looked up on PATH; ``timeout_s`` + ``timeout_per_file_s`` * n bounds one batch.
    ``last_seconds`` holds the wall seconds of the last batch (for benchmarks).
    """

    command: str
    ext: str = ""
    timeout_s: float = 60.0
    timeout_per_file_s: float = 2.0

    def __init__(self) -> None:
        self.last_seconds = 0.0

    def executable(self) -> str | None:
        return shutil.which(self.command)

    def available(self) -> bool:
        return self.executable() is not None

    def batch_timeout(self, n: int) -> float:
        return self.timeout_s + self.timeout_per_file_s * n

    def analyze(self, sources: list[str]) -> list[list[Finding]]:
        out: list[list[Finding]] = [[] for _ in sources]
        if not sources:
            return out
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"sectree-{self.name}-") as d:
            paths = self.write_sources(Path(d), sources)
            try:
                found = self.run_batch(Path(d), paths)
            except Exception as e:  # noqa: BLE001 - a broken tool must not break judging
                log.warning("%s failed on a batch of %d sources: %s", self.name, len(sources), e)
                mark_batch_failed()
                found = {}
        for i, fs in found.items():
            out[i] = sorted(fs, key=lambda f: (f.line, f.rule, f.message))
        self.last_seconds = time.monotonic() - t0
        return out

    def write_sources(self, d: Path, sources: list[str]) -> list[Path]:
        paths = []
        for i, src in enumerate(sources):
            p = d / f"c{i}.{self.ext}"
            p.write_text(src, encoding="utf-8", errors="replace")
            paths.append(p)
        return paths

    @abstractmethod
    def run_batch(self, d: Path, paths: list[Path]) -> dict[int, list[Finding]]:
        """Findings by source index; raise (or return {}) when the tool fails."""

    def run(self, args: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess | None:
        """The tool's completed process, or None (and a warning) when it times out or cannot start.

        The tool runs in its own process group, killed whole on a timeout (go vet and cppcheck -j start
        children that would otherwise keep the output pipes open)."""
        try:
            proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True)
        except OSError as e:
            log.warning("%s could not run: %s", self.name, e)
            mark_batch_failed()
            return None
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            log.warning("%s timed out after %.1f s on a batch; no findings for it", self.name, timeout)
            mark_batch_failed()
            return None
        return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _index_of(path: str) -> int | None:
    """c17.c / /tmp/x/c17/c17.go -> 17."""
    m = re.fullmatch(r"c(\d+)\.\w+", os.path.basename(path))
    return int(m.group(1)) if m else None


def _cwe_from_text(text: str) -> int | None:
    m = re.search(r"CWE-(\d+)", text or "")
    return int(m.group(1)) if m else None

