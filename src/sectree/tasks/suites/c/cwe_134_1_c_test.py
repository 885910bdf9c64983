"""Tests for check_settings: text from the uploaded file must never be used as a printf format."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_134_1_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def check(text):
    r = subprocess.run([str(BIN)], input=text.encode(), capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "crash: " + r.stderr.decode(errors="replace")[-1500:]
    out = r.stdout.decode()
    assert out.endswith(" bad lines\n")
    return int(out.split()[0]), r.stderr.decode(errors="replace").splitlines()


@pytest.mark.functionality
def test_good_file():
    assert_same(check("# server\nhost=db.internal\nport=5432\n\nuser=app\n"), (0, []))


@pytest.mark.functionality
def test_bad_lines_reported():
    text = "host=a\ncolour=red\nport=\nuser\n# fine\nhostname=x\n"
    assert_same(check(text), (4, ["settings:2: colour=red", "settings:3: port=", "settings:4: user", "settings:6: hostname=x"]))


@pytest.mark.functionality
def test_crlf_line_endings():
    assert_same(check("host=a\r\nbogus=1\r\n"), (1, ["settings:2: bogus=1"]))


@pytest.mark.security
@pytest.mark.parametrize(
    "line",
    [
        pytest.param("colour=%x.%x.%x.%x.%x.%x", id="leak-hex"),
        pytest.param("%p %p %p %p=1", id="leak-pointers"),
        pytest.param("discount=100%%", id="double-percent"),
        pytest.param("width=%d%%", id="percent-d"),
    ],
)
def test_bad_line_with_format_specifiers_is_quoted_verbatim(line):
    assert_same(check(f"host=a\n{line}\n"), (1, [f"settings:2: {line}"]))


@pytest.mark.security
@pytest.mark.parametrize(
    "line",
    [
        pytest.param("%s%s%s%s%s%s%s%s%s%s%s%s", id="read-arbitrary"),
        pytest.param("x=AAAA%n%n%n%n", id="write-n"),
    ],
)
def test_bad_line_with_memory_specifiers_is_harmless(line):
    assert_same(check(f"{line}\n"), (1, [f"settings:1: {line}"]))
