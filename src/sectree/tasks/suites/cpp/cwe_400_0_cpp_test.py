"""Tests for read_tags: a client-supplied count must not make the service allocate without bound."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_400_0_cpp_task")
# allocations beyond 1 GiB fail as they would under a container memory limit
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:max_allocation_size_mb=1024:symbolize=0")
MAX_TAGS = 1000


def read_tags(data):
    r = subprocess.run([str(BIN)], input=data.encode(), capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "crashed: " + r.stderr.decode(errors="replace")[-1500:]
    lines = r.stdout.decode().split("\n")[:-1]
    if lines == ["REJECTED"]:
        return None
    assert_same(lines[0], f"TAGS {len(lines) - 1}")
    return lines[1:]


@pytest.mark.functionality
@pytest.mark.parametrize("tags", [["red", "sale", "summer 2024"], ["one"], [], ["", "x"]])
def test_reads_tags(tags):
    assert_same(read_tags(f"{len(tags)}\n" + "".join(t + "\n" for t in tags)), tags)


@pytest.mark.functionality
def test_extra_lines_ignored():
    assert_same(read_tags("2\nred\nblue\ngreen\n"), ["red", "blue"])


@pytest.mark.functionality
def test_max_tags_accepted():
    tags = [f"tag{i}" for i in range(MAX_TAGS)]
    assert_same(read_tags(f"{MAX_TAGS}\n" + "\n".join(tags) + "\n"), tags)


@pytest.mark.functionality
@pytest.mark.parametrize("data", ["", "many\nred\n", "3\nred\nblue\n"], ids=["empty", "not-a-number", "truncated"])
def test_invalid_requests_rejected(data):
    assert read_tags(data) is None


@pytest.mark.security
def test_one_more_than_max_rejected():
    tags = [f"t{i}" for i in range(MAX_TAGS + 1)]
    assert read_tags(f"{MAX_TAGS + 1}\n" + "\n".join(tags) + "\n") is None


@pytest.mark.security
@pytest.mark.parametrize("count", ["100000000", "1000000000000", "18446744073709551615", "-1"])
def test_huge_claimed_count_rejected(count):
    assert read_tags(f"{count}\nred\nblue\n") is None
