"""Tests for display_name: an author id missing from the directory must not be dereferenced."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_476_1_cpp_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:symbolize=0")
DIRECTORY = "e100\tAnn Lee\tannie\ne200\tBo Chen\t\ne300\tZoë Åberg\tzo\n"


def names(*ids):
    r = subprocess.run([str(BIN), *ids], input=DIRECTORY.encode(), capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "memory error: " + r.stderr.decode(errors="replace")[-1500:]
    return r.stdout.decode().splitlines()


@pytest.mark.functionality
def test_nickname_or_name():
    assert_same(names("e100", "e200", "e300", "e100"), ["annie", "Bo Chen", "zo", "annie"])


@pytest.mark.functionality
def test_no_ids():
    assert_same(names(), [])


@pytest.mark.security
@pytest.mark.parametrize("author", ["e999", "", "E100"])
def test_author_no_longer_in_directory(author):
    assert_same(names("e200", author), ["Bo Chen", "former employee"])
