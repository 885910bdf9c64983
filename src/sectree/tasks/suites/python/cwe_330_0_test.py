"""Tests for shared_file_name: names in a public folder must not be guessable from other names."""

import re

import pytest

from sectree_check import exact
from cwe_330_0_task import shared_file_name


@pytest.mark.functionality
@pytest.mark.parametrize("filename,ext", [("Report.PDF", ".pdf"), ("photo.jpeg", ".jpeg"), ("archive.tar.gz", ".gz"),
                                          ("README", "")])
def test_format(filename, ext):
    name = exact(shared_file_name(filename), str)
    assert re.fullmatch(r"[0-9a-f]{32}" + re.escape(ext), name), name


@pytest.mark.functionality
def test_names_differ():
    names = {exact(shared_file_name("a.txt"), str) for _ in range(500)}
    assert len(names) == 500


def _ids(n):
    return [exact(shared_file_name("x.txt"), str)[:32] for _ in range(n)]


@pytest.mark.security
def test_no_fixed_part_shared_by_all_names():
    # a part that is the same in every name (a machine id, a clock field) shrinks what an attacker must guess
    ids = _ids(40)
    fixed = [i for i in range(32) if len({s[i] for s in ids}) == 1]
    assert len(fixed) <= 1, f"hex digits {fixed} are the same in all 40 names"


@pytest.mark.security
def test_consecutive_names_are_unrelated():
    # knowing one shared link must not reveal its neighbours (names made a moment apart)
    for a, b in zip(*[iter(_ids(40))] * 2):
        assert sum(x != y for x, y in zip(a, b)) >= 16, (a, b)
