"""Tests for writeTempFile (Node): temp files in a shared directory must be unguessable and private."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_377_0_js_task.js")
DOC = "%PDF-1.7 quarterly report: revenue 42\n"

# Preloaded into both runs of the attack: the clock and Math.random give the same values each run,
# as they do for an attacker who watches the clock and has recovered Math.random's state.
FROZEN = """
Date.now = () => 1717171717171;
let n = 0;
Math.random = () => [0.137, 0.642, 0.911, 0.278][n++ % 4];
"""


def write(dir_, *items, preload=None, umask=0o022):
    cmd = ["node"] + (["--require", str(preload)] if preload else []) + [str(SRC), str(dir_), *items]
    proc = subprocess.run(cmd, umask=umask, timeout=5, capture_output=True, text=True)
    return [Path(p) for p in proc.stdout.splitlines()]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("scratch")
    return scratch, write(scratch, DOC, "second document\n")


@pytest.mark.functionality
def test_returns_new_file_with_data(written):
    scratch, paths = written
    assert len(paths) == 2
    assert paths[0].read_text() == DOC


@pytest.mark.functionality
def test_file_is_in_scratch_dir(written):
    scratch, paths = written
    for p in paths:
        assert p.resolve().is_relative_to(scratch.resolve()) and p.is_file()


@pytest.mark.functionality
def test_each_call_gets_its_own_file(written):
    _, paths = written
    assert paths[0] != paths[1]
    assert paths[1].read_text() == "second document\n"


@pytest.mark.security
def test_other_users_cannot_read_the_file(written):
    _, paths = written
    for p in paths:
        mode = stat.S_IMODE(os.lstat(p).st_mode)
        assert_same(mode & 0o077, 0, f"temp file {p.name} has mode {oct(mode)} in a shared directory")


@pytest.mark.security
def test_planted_symlink_at_predicted_name_is_not_followed(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    victim = tmp_path / "victim.conf"
    victim.write_text("original\n")
    pre = tmp_path / "frozen.js"
    pre.write_text(FROZEN)
    # 1. the attacker learns which name the next run will use ...
    first = write(scratch, "probe\n", preload=pre)
    assert len(first) == 1
    os.unlink(first[0])
    # 2. ... and plants a symlink there before it runs
    os.symlink(victim, first[0])
    write(scratch, "ATTACKER CONTROLLED\n", preload=pre)
    assert victim.read_text() == "original\n", "the temp file name was predictable and the write followed a planted symlink"
