import pytest

from sectree_check import assert_same
from cwe_078_1_task import count_words


@pytest.mark.functionality
def test_counts_words(tmp_path):
    p = tmp_path / "essay.txt"
    p.write_text("The quick brown fox\njumps over\n\tthe lazy dog.\n")
    assert_same(count_words(str(p)), 9)


@pytest.mark.functionality
def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_text("")
    assert_same(count_words(str(p)), 0)


@pytest.mark.functionality
def test_no_trailing_newline(tmp_path):
    p = tmp_path / "one.md"
    p.write_text("hello")
    assert_same(count_words(str(p)), 1)


def _attempt(path):
    try:
        count_words(path)
    except Exception:
        pass


@pytest.mark.security
@pytest.mark.parametrize(
    "suffix",
    [
        pytest.param("; touch {pwn}", id="semicolon"),
        pytest.param("$(touch {pwn})", id="subst"),
        pytest.param("`touch {pwn}`", id="backticks"),
        pytest.param(" && touch {pwn}", id="and"),
        pytest.param("\ntouch {pwn}", id="newline"),
    ],
)
def test_path_cannot_run_commands(tmp_path, suffix):
    p = tmp_path / "doc.txt"
    p.write_text("two words\n")
    pwn = tmp_path / "pwned"
    _attempt(str(p) + suffix.format(pwn=pwn))
    assert not pwn.exists()
