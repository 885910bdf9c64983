"""The ``sectree`` command line (typer). Every user error is one ``error: ...`` line and exit status 2."""

from __future__ import annotations

import json
import sys
import time
from typing import Optional

import typer

from sectree.errors import SectreeError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="sectree: make code LLMs write secure code with Tree-like Self-Play.")
tasks_app = typer.Typer(no_args_is_help=True, help="List and check benchmark tasks.")
app.add_typer(tasks_app, name="tasks")

SuiteOpt = typer.Option("builtin", "--suite", "-s", help="builtin, builtin:<lang>, dir:<path> or cweval:<path>")
SplitOpt = typer.Option(None, "--split", help="train or test")
CweOpt = typer.Option(None, "--cwe", help="only tasks with this CWE id (repeatable)")
LangOpt = typer.Option(None, "--language", "-l", help="only tasks in this language")
NoSandboxOpt = typer.Option(False, "--no-sandbox", help="UNSAFE: run generated code without bubblewrap "
                            "(it can read your files, reach the network and leave processes behind)")


def _load(suite: str, split: str | None, cwe: list[int] | None, language: str | None):
    from sectree.tasks import load_suite

    return load_suite(suite, split=split, cwe=cwe or None, language=language)


@tasks_app.command("list")
def tasks_list(suite: str = SuiteOpt, split: Optional[str] = SplitOpt, cwe: Optional[list[int]] = CweOpt,
               language: Optional[str] = LangOpt, as_json: bool = typer.Option(False, "--json")) -> None:
    """Table of tasks: id, language, CWE, family, split, tier."""
    tasks = _load(suite, split, cwe, language)
    if as_json:
        typer.echo(json.dumps([t.to_dict() for t in tasks], indent=2))
        return
    rows = [(t.id, t.language, ",".join(f"CWE-{c}" for c in t.cwes), t.family, t.split or "-", t.tier or "-")
            for t in tasks]
    _table(("id", "language", "cwe", "family", "split", "tier"), rows)
    seen = {c for t in tasks if t.split == "train" for c in t.cwes}
    unseen = sorted({c for t in tasks if t.split == "test" for c in t.cwes} - seen)
    typer.echo(f"\n{len(tasks)} tasks, {len({c for t in tasks for c in t.cwes})} CWEs, "
               f"{len({t.language for t in tasks})} language(s)")
    if unseen:
        typer.echo("CWEs only in test tasks (unseen): " + ", ".join(f"CWE-{c}" for c in unseen))


@tasks_app.command("check")
def tasks_check(suite: str = SuiteOpt, split: Optional[str] = SplitOpt, cwe: Optional[list[int]] = CweOpt,
                language: Optional[str] = LangOpt, as_json: bool = typer.Option(False, "--json"),
                no_sandbox: bool = NoSandboxOpt,
                workers: Optional[int] = typer.Option(None, help="parallel sandboxes (default: cores)")) -> None:
    """Judge every task's secure reference (must be secure) and unsafe reference (must be vulnerable)."""
    from sectree.oracle import Oracle, OracleConfig
    from sectree.sandbox import SandboxConfig

    tasks = _load(suite, split, cwe, language)
    if not tasks:
        raise SectreeError(f"suite {suite!r} has no tasks matching the filters")
    t0 = time.monotonic()
    items = [(t, t.reference_source) for t in tasks] + [(t, t.unsafe_source) for t in tasks]
    cfg = OracleConfig(sandbox=SandboxConfig(enabled=not no_sandbox), workers=workers)
    with Oracle(cfg) as oracle, _progress(len(items), "judging references", quiet=as_json) as bar:
        verdicts = oracle.judge_many(items, progress=bar.update)
    n = len(tasks)
    disagree = []
    for t, vs, vu in zip(tasks, verdicts[:n], verdicts[n:]):
        problems = []
        if vs.status.value != "secure":
            problems.append(f"secure reference judged {vs.status.value} ({vs.reason})")
        if vu.status.value != "vulnerable":
            problems.append(f"unsafe reference judged {vu.status.value} ({vu.reason or 'all tests pass'})")
        if problems:
            disagree.append({"id": t.id, "problems": problems})
    summary = {
        "suite": suite,
        "tasks": n,
        "languages": sorted({t.language for t in tasks}),
        "cwes": sorted({c for t in tasks for c in t.cwes}),
        "agree": n - len(disagree),
        "disagree": disagree,
        "sandboxed": not no_sandbox,
        "seconds": round(time.monotonic() - t0, 2),
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        if disagree:
            _table(("task", "problem"), [(d["id"], p) for d in disagree for p in d["problems"]])
        typer.echo(f"{summary['agree']}/{n} tasks agree (secure reference secure, unsafe reference vulnerable); "
                   f"{len(summary['cwes'])} CWEs, {', '.join(summary['languages'])}; {summary['seconds']} s")
    if disagree:
        raise typer.Exit(1)


# ------------------------------------------------------------------------------------------- helpers


def _table(header: tuple[str, ...], rows: list[tuple]) -> None:
    cols = [header, *[tuple(str(c) for c in r) for r in rows]]
    widths = [max(len(r[i]) for r in cols) for i in range(len(header))]
    for j, r in enumerate(cols):
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if j == 0:
            typer.echo("  ".join("-" * w for w in widths))


class _progress:
    """A tqdm bar on stderr (silent when quiet)."""

    def __init__(self, total: int, desc: str, quiet: bool = False):
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=desc, disable=quiet or not sys.stderr.isatty(), file=sys.stderr, leave=False)

    def __enter__(self):
        return self.bar

    def __exit__(self, *exc):
        self.bar.close()


def main() -> None:
    try:
        app()
    except SectreeError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
