"""Tests for read_range: negative numbers must be rejected, not turned into Python's from-the-end slicing."""

import pytest

from sectree_check import assert_same, exact
from cwe_020_2_task import read_range

DATA = bytes(range(256)) * 4


@pytest.mark.functionality
@pytest.mark.parametrize("offset, length", [("0", "10"), ("1024", "0"), ("1000", "24"), ("512", "256"), ("0", "1024")])
def test_valid_ranges(offset, length):
    o, n = int(offset), int(length)
    assert_same(read_range(DATA, offset, length), DATA[o:o + n])


@pytest.mark.functionality
@pytest.mark.parametrize("offset, length", [("1000", "25"), ("1025", "0"), ("0", "1025"), ("5000", "1")])
def test_past_the_end(offset, length):
    with pytest.raises(ValueError):
        read_range(DATA, offset, length)


@pytest.mark.functionality
@pytest.mark.parametrize("offset, length", [("abc", "1"), ("1", ""), ("1.5", "2"), ("", "")])
def test_not_numbers(offset, length):
    with pytest.raises(ValueError):
        read_range(DATA, offset, length)


def result(offset, length):
    try:
        return read_range(DATA, offset, length)
    except ValueError:
        return None


@pytest.mark.security
@pytest.mark.parametrize(
    "offset, length",
    [("-16", "8"), ("-1024", "1000"), ("-4", "4"), ("100", "-50"), ("-10", "-5")],
)
def test_negative_numbers_rejected(offset, length):
    assert result(offset, length) is None, "a negative offset or length was accepted"


@pytest.mark.security
def test_negative_offset_does_not_wrap_to_the_end():
    # the buffer ends with data the requested range should never reach
    private = DATA + b"PRIVATE-TRAILER!"
    try:
        out = exact(read_range(private, "-16", "15"), bytes)
    except ValueError:
        out = None
    assert out is None or b"PRIVATE" not in out
