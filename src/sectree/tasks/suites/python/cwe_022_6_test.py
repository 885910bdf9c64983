"""Tests for delete_draft: a draft name from the URL must not delete files outside the drafts folder."""

import pytest

from cwe_022_6_task import delete_draft


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


@pytest.mark.functionality
def test_deletes_draft(folders):
    _, drafts = folders
    assert delete_draft(str(drafts), "post.md") is True
    assert not (drafts / "post.md").exists() and (drafts / "my.second.draft.txt").exists()


@pytest.mark.functionality
def test_name_with_dots(folders):
    _, drafts = folders
    assert delete_draft(str(drafts), "my.second.draft.txt") is True
    assert not (drafts / "my.second.draft.txt").exists()


@pytest.mark.functionality
def test_missing_draft(folders):
    _, drafts = folders
    assert delete_draft(str(drafts), "nope.md") is False
    assert delete_draft(str(drafts), "post.md") is True
    assert delete_draft(str(drafts), "post.md") is False


def _attempt(drafts, name):
    try:
        return delete_draft(str(drafts), name)
    except OSError:
        return False


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
    _attempt(drafts, name.format(tmp=tmp_path))
    assert (tmp_path / victim).exists()
