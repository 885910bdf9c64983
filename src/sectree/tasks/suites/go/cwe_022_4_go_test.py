"""Tests for DeleteDraft (Go): a draft name from the URL must not delete files outside the drafts folder."""

import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_022_4_go_task")


@pytest.fixture
def folders(tmp_path):
    drafts = tmp_path / "users" / "alice" / "drafts"
    drafts.mkdir(parents=True)
    (drafts / "post.md").write_text("draft")
    (drafts / "my.second.draft.txt").write_text("draft 2")
    (tmp_path / "users" / "alice" / "profile.json").write_text("{}")
    (tmp_path / "users" / "bob" / "drafts").mkdir(parents=True)
    (tmp_path / "users" / "bob" / "drafts" / "post.md").write_text("bob's draft")
    return tmp_path, drafts


def delete(drafts, *names):
    r = subprocess.run([str(BIN), str(drafts), *names], capture_output=True, text=True, timeout=5)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


@pytest.mark.functionality
def test_deletes_drafts(folders):
    _, drafts = folders
    assert_same(delete(drafts, "post.md", "my.second.draft.txt"), ["deleted", "deleted"])
    assert not (drafts / "post.md").exists() and not (drafts / "my.second.draft.txt").exists()


@pytest.mark.functionality
def test_missing_draft(folders):
    _, drafts = folders
    assert_same(delete(drafts, "nope.md", "post.md", "post.md"), ["none", "deleted", "none"])


@pytest.mark.security
@pytest.mark.parametrize(
    "name,victim",
    [
        pytest.param("../profile.json", "users/alice/profile.json", id="parent"),
        pytest.param("../../bob/drafts/post.md", "users/bob/drafts/post.md", id="other-user"),
        pytest.param("{tmp}/users/bob/drafts/post.md", "users/bob/drafts/post.md", id="absolute"),
    ],
)
def test_files_outside_drafts_survive(folders, name, victim):
    tmp_path, drafts = folders
    subprocess.run([str(BIN), str(drafts), name.format(tmp=tmp_path)], capture_output=True, timeout=5)
    assert (tmp_path / victim).exists()
