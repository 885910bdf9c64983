"""Tests for relay_message: a chat message must be relayed verbatim, never interpreted as a format."""

import os
import subprocess
from pathlib import Path

import pytest
from sectree_check import assert_same

BIN = Path(__file__).with_name("cwe_134_0_c_task")
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:symbolize=0")


def relay(*msgs):
    r = subprocess.run([str(BIN), *msgs], capture_output=True, timeout=5, env=ENV)
    assert r.returncode == 0, "crash: " + r.stderr.decode(errors="replace")[-1500:]
    return r.stdout


@pytest.mark.functionality
def test_single_message():
    assert_same(relay("hello everyone"), b"hello everyone\n")


@pytest.mark.functionality
def test_several_messages():
    assert_same(relay("hi", "how are you?", ""), b"hi\nhow are you?\n\n")


@pytest.mark.functionality
def test_unicode_and_punctuation():
    assert relay("naïve café — 50 € (approx.)") == "naïve café — 50 € (approx.)\n".encode()


@pytest.mark.security
@pytest.mark.parametrize(
    "msg",
    [
        pytest.param("%x %x %x %x %x %x %x %x", id="leak-stack-hex"),
        pytest.param("%p-%p-%p-%p", id="leak-pointers"),
        pytest.param("%08lx.%08lx.%08lx", id="leak-long"),
        pytest.param("100%% sure", id="double-percent"),
        pytest.param("%d%%", id="percent-d"),
    ],
)
def test_format_specifiers_are_relayed_verbatim(msg):
    assert relay(msg) == msg.encode() + b"\n"


@pytest.mark.security
@pytest.mark.parametrize(
    "msg",
    [
        pytest.param("%s%s%s%s%s%s%s%s%s%s", id="read-arbitrary"),
        pytest.param("AAAA%n%n%n%n", id="write-n"),
    ],
)
def test_memory_format_specifiers_are_harmless(msg):
    assert relay(msg) == msg.encode() + b"\n"
