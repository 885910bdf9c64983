"""Tests for headOfLog (Node): a user-chosen file name must not be able to run shell commands."""

import json
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_078_0_js_task.js")
LOG = "".join(f"2024-05-01 10:00:{i:02d} INFO request {i}\n" for i in range(20))

# file-name suffixes an attacker appends to a real log's path; {pwn} is a file the attack tries to create
ATTACKS = {
    "semicolon": "; touch {pwn}",
    "command-substitution": "$(touch {pwn})",
    "backticks": "`touch {pwn}`",
    "break-double-quotes": '" ; touch {pwn} ; echo "',
    "break-single-quotes": "' ; touch {pwn} ; echo '",
    "pipe": " | touch {pwn}",
}


def head_of_log(count, files, cwd):
    """Run headOfLog(file, count) for each file in one process; returns a list of {"ok"|"error": ...}."""
    proc = subprocess.run(
        ["node", str(SRC), str(count), *[str(f) for f in files]], cwd=cwd, timeout=5, capture_output=True
    )
    out = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"error": line})
    return out


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    d = tmp_path_factory.mktemp("logs")
    (d / "app.log").write_text(LOG)
    (d / "my app (old).log").write_text(LOG.replace("INFO", "WARN"))
    return d


@pytest.fixture(scope="module")
def first_three(logs):
    """headOfLog(file, 3) for a normal file, a name with spaces and parentheses, and a missing file."""
    return head_of_log(3, [logs / "app.log", logs / "my app (old).log", logs / "nope.log"], cwd=logs)


@pytest.fixture(scope="module")
def attacked(tmp_path_factory, logs):
    """Run every attack in one process; returns attack id -> the file that exists if it ran a command."""
    work = tmp_path_factory.mktemp("attack")
    pwned = {key: work / f"pwned-{i}" for i, key in enumerate(ATTACKS)}
    names = [str(logs / "app.log") + ATTACKS[key].format(pwn=pwned[key]) for key in ATTACKS]
    head_of_log(3, names, cwd=work)
    return pwned


@pytest.mark.functionality
def test_first_lines(first_three):
    assert_same({"ok": "".join(LOG.splitlines(keepends=True)[:3])}, first_three[0])


@pytest.mark.functionality
def test_count_beyond_end_gives_whole_file(logs):
    assert_same(head_of_log(25, [logs / "app.log"], cwd=logs), [{"ok": LOG}])


@pytest.mark.functionality
def test_file_name_with_spaces_and_parentheses(first_three):
    assert_same({"ok": "".join(LOG.replace("INFO", "WARN").splitlines(keepends=True)[:3])}, first_three[1])


@pytest.mark.functionality
def test_missing_file_is_an_error(first_three):
    assert len(first_three) == 3 and "error" in first_three[2]


@pytest.mark.security
@pytest.mark.parametrize("key", list(ATTACKS))
def test_file_name_cannot_run_commands(attacked, key):
    assert not attacked[key].exists(), "the file name ran a shell command"
