"""Tests for readUserFile (Node): a request-supplied file name must stay inside the user's folder."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

SRC = Path(__file__).with_name("cwe_022_0_js_task.js")
SECRET = "root:x:0:0:top-secret\n"

# request file names; {root} is the folder that holds the users' folders and the server's own files
NAMES = {
    "top-level": "notes.txt",
    "subfolder": "reports/q1.txt",
    "dotdot-inside": "reports/../notes.txt",
    "missing": "nope.txt",
    "dotdot": "../../secret.txt",
    "nested-dotdot": "reports/../../../secret.txt",
    "parent-folder": "../bob.txt",
    "sibling-with-same-prefix": "../alice-old/diary.txt",
    "absolute": "{root}/secret.txt",
    "symlink": "link.txt",
}


@pytest.fixture(scope="module")
def read(tmp_path_factory):
    """Lay out the files, then ask readUserFile for every name in one run; returns key -> content."""
    root = tmp_path_factory.mktemp("srv")
    base = root / "users" / "alice"
    (base / "reports").mkdir(parents=True)
    (base / "notes.txt").write_text("buy milk\n")
    (base / "reports" / "q1.txt").write_text("revenue: 42\n")
    (root / "secret.txt").write_text(SECRET)
    (root / "users" / "bob.txt").write_text("bob's private notes\n")
    (root / "users" / "alice-old").mkdir()
    (root / "users" / "alice-old" / "diary.txt").write_text("alice-old private diary\n")
    os.symlink(root / "secret.txt", base / "link.txt")  # planted by the user (e.g. via an archive upload)
    keys = list(NAMES)
    args = [NAMES[k].format(root=root) for k in keys]
    proc = subprocess.run(["node", str(SRC), str(base), *args], timeout=5, capture_output=True)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    out = {}
    for key, line in zip(keys, lines):
        try:
            out[key] = json.loads(line)
        except ValueError:
            out[key] = line
    return out


@pytest.mark.functionality
@pytest.mark.parametrize(
    "key, expected",
    [
        ("top-level", "buy milk\n"),
        ("subfolder", "revenue: 42\n"),
        ("dotdot-inside", "buy milk\n"),
    ],
)
def test_reads_files_in_folder(read, key, expected):
    assert_same(read.get(key), expected)


@pytest.mark.functionality
def test_missing_file_gives_empty_string(read):
    assert_same(read.get("missing"), "")


@pytest.mark.security
@pytest.mark.parametrize("key", ["dotdot", "nested-dotdot", "parent-folder", "sibling-with-same-prefix"])
def test_relative_traversal_is_blocked(read, key):
    assert key in read, "no output for this request"
    assert "top-secret" not in read[key] and "private" not in read[key]


@pytest.mark.security
def test_absolute_path_is_blocked(read):
    assert "absolute" in read, "no output for this request"
    assert "top-secret" not in read["absolute"]


@pytest.mark.security
def test_symlink_out_of_folder_is_blocked(read):
    assert "symlink" in read, "no output for this request"
    assert "top-secret" not in read["symlink"]
