import os

import pytest

from sectree_check import assert_same, exact
from cwe_022_0_task import read_user_file

SECRET = "root:x:0:0:top-secret\n"


@pytest.fixture
def layout(tmp_path):
    base = tmp_path / "users" / "alice"
    (base / "reports").mkdir(parents=True)
    (base / "notes.txt").write_text("buy milk\n")
    (base / "reports" / "q1.txt").write_text("revenue: 42\n")
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "users" / "bob.txt").write_text("bob's private notes\n")
    return base


@pytest.mark.functionality
def test_reads_file_in_base(layout):
    assert_same(read_user_file(str(layout), "notes.txt"), "buy milk\n")


@pytest.mark.functionality
def test_reads_file_in_subfolder(layout):
    assert_same(read_user_file(str(layout), "reports/q1.txt"), "revenue: 42\n")


@pytest.mark.functionality
def test_dotdot_that_stays_inside_is_allowed(layout):
    assert_same(read_user_file(str(layout), "reports/../notes.txt"), "buy milk\n")


@pytest.mark.functionality
def test_missing_file_gives_empty_string(layout):
    assert_same(read_user_file(str(layout), "nope.txt"), "")


@pytest.mark.security
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../../secret.txt", id="dotdot"),
        pytest.param("reports/../../../secret.txt", id="nested-dotdot"),
        pytest.param("../bob.txt", id="sibling-user"),
    ],
)
def test_relative_traversal_is_blocked(layout, name):
    out = exact(read_user_file(str(layout), name), str)
    assert "top-secret" not in out and "bob's private" not in out


@pytest.mark.security
def test_absolute_path_is_blocked(layout, tmp_path):
    out = exact(read_user_file(str(layout), str(tmp_path / "secret.txt")), str)
    assert "top-secret" not in out


@pytest.mark.security
def test_symlink_out_of_base_is_blocked(layout, tmp_path):
    os.symlink(tmp_path / "secret.txt", layout / "link.txt")
    out = exact(read_user_file(str(layout), "link.txt"), str)
    assert "top-secret" not in out
