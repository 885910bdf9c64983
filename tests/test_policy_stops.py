"""Stop rules on hand-written generations, per language (no model involved)."""

import pytest

from sectree.policy.stops import StopRule


def cut_text(language: str, context: str, generated: str) -> str | None:
    cut = StopRule(language, context).cut(generated)
    return None if cut is None else generated[:cut]


# ---------------------------------------------------------------- python


def test_python_dedent_ends_function_and_drops_trailing_comments():
    gen = "\n    return y\n\n# Example usage:\nprint(f(1))\n"
    assert cut_text("python", "def f(x):\n    y = 1", gen) == "\n    return y\n"


@pytest.mark.parametrize("stopper", ["def g():\n", "if __name__ == '__main__':\n", "class A:\n", "print(1)\n", "@dec\n"])
def test_python_column0_statements_stop(stopper):
    gen = "\n    return 1\n\n" + stopper + "    pass\n"
    assert cut_text("python", 'def f(x):\n    """Doc."""', gen) == "\n    return 1\n"


def test_python_context_ending_on_def_line_is_continued():
    # the healed prompt ends mid-line on the signature: the rule must still know a function is open
    assert cut_text("python", "import os\n\ndef f(x):", "\n    return 1\ndef g():\n") == "\n    return 1\n"


def test_python_stops_as_soon_as_the_first_character_shows_a_dedent():
    # incremental: the cut is known at the 'd' of def, before the rest of the line was generated
    assert StopRule("python", "def f():\n    x = 1").cut("\n    return x\nd") == len("\n    return x\n")


def test_python_blank_and_comment_lines_do_not_stop():
    gen = "\n\n    x = 2\n# col-0 comment inside the body\n\n    return x\n"
    assert cut_text("python", "def f():", gen) is None


def test_python_strings_brackets_and_continuations_do_not_stop():
    gen = "\n    s = '''\nhello\n'''\n    t = foo(\n1,\n2)\n    u = 1 + \\\n2\n    return s\nclass A: pass"
    assert cut_text("python", "def f(x):", gen) == gen[: gen.index("class")]


def test_python_multiline_signature_is_not_a_body():
    gen = "\n    a,\n    b,\n):\n    return a\nx = 1"
    assert cut_text("python", "def f(", gen) == "\n    a,\n    b,\n):\n    return a\n"


def test_python_nested_function_stays_inside():
    gen = "\n    def inner():\n        return 1\n    return inner()\ndef g():\n"
    assert cut_text("python", "def f():", gen) == gen[: gen.index("def g")]


def test_python_class_task_keeps_all_methods():
    # tasks may ask for a class's methods: the class is the definition being written
    ctx = 'import json\n\nclass A:\n    """Doc."""'
    gen = "\n    def f(self):\n        return 1\n\n    def g(self):\n        return 2\n\nprint(A())"
    assert cut_text("python", ctx, gen) == gen[: gen.index("\nprint")]
    # continuing inside the first method: the next method is still part of the answer
    inside = ctx + "\n    def f(self):\n        x = 1"
    rest = "\n        return x\n\n    def g(self):\n        return 2\nprint(A())"
    assert cut_text("python", inside, rest) == rest[: rest.index("print")]


def test_python_fenced_completion_stops_at_closing_fence():
    ctx = "```python\ndef f(x):\n    y = 1"
    assert cut_text("python", ctx, "\n    return y\n```\nThis function...") == "\n    return y\n"


def test_python_free_fenced_answer_keeps_helpers_and_stops_at_fence():
    gen = "Here:\n```python\nimport os\n\ndef helper():\n    return 1\n\ndef f(x):\n    return helper()\n```\nBye"
    assert cut_text("python", "", gen) == gen[: gen.index("```\nBye")]


def test_python_free_fenced_answer_stops_at_example_usage():
    gen = "```python\ndef f(x):\n    return x\n\nprint(f(2))\n```"
    assert cut_text("python", "", gen) == "```python\ndef f(x):\n    return x\n"


def test_python_without_function_never_stops_on_dedent():
    assert cut_text("python", "", "x = 1\ny = 2\n") is None


def test_python_tabs_count_as_indentation():
    assert cut_text("python", "def f():", "\n\treturn 1\nz") == "\n\treturn 1\n"


def test_chunks_fed_one_character_at_a_time_give_the_same_cut():
    gen = "\n    return y\n\n# Example usage:\nprint(f(1))\n"
    scanner = StopRule("python", "def f(x):\n    y = 1").scanner()
    cuts = [scanner.feed(ch) for ch in gen]
    first = next(c for c in cuts if c is not None)
    assert gen[:first] == "\n    return y\n"


def test_scanners_are_independent_copies():
    rule = StopRule("python", "def f():")
    a, b = rule.scanner(), rule.scanner()
    assert a.feed("\n    x = 1\n") is None
    assert b.feed("\ny") is None  # b has not seen a body line: a column-0 line does not stop yet
    assert a.feed("y") == len("\n    x = 1\n")


# ---------------------------------------------------------------- brace languages


def test_c_balancing_brace_skips_strings_chars_and_comments():
    gen = "\n    if (x) { return '}'; }\n    // }\n    /* } */\n    return \"}\";\n}\nint main() {}"
    assert cut_text("c", "#include <stdio.h>\nint f(int x) {", gen) == gen[: gen.index("\nint main")]


def test_c_escaped_quote_in_string():
    gen = ' return "\\"}"; }\nmore'
    assert cut_text("c", "int f() {", gen) == ' return "\\"}"; }'


def test_cpp_completion_inside_nested_block():
    ctx = "int f(int x) {\n  for (int i = 0; i < x; i++) {"
    gen = "\n    x--;\n  }\n  return x;\n}\n"
    assert cut_text("cpp", ctx, gen) == "\n    x--;\n  }\n  return x;\n}"


def test_go_raw_string_with_brace():
    gen = "\n    return `}\n`\n}\nfunc g() {}"
    assert cut_text("go", "func f() string {", gen) == "\n    return `}\n`\n}"


def test_js_template_literal_and_object_literal():
    gen = "\n  const o = {a: `}`};\n  return o;\n}\nf();"
    assert cut_text("js", "function f() {", gen) == "\n  const o = {a: `}`};\n  return o;\n}"


def test_c_fenced_completion_stops_at_brace_before_fence():
    assert cut_text("c", "```c\nint f() {", "\n  return 0;\n}\n```") == "\n  return 0;\n}"


def test_brace_free_fenced_answer_stops_only_at_fence():
    gen = "```javascript\nconst a = {x: 1};\nfunction f() {\n  return a;\n}\n```\nmore"
    assert cut_text("js", "", gen) == gen[: gen.index("```\nmore")]


def test_brace_unfenced_plain_answer_stops_after_first_block():
    assert cut_text("c", "", "int f() {\n  return 1;\n}\nint g() {}") == "int f() {\n  return 1;\n}"


def test_unknown_language_stops_only_at_closing_fence():
    assert cut_text("rust", "```rust\nfn f() {", "\n}\n}\n```") == "\n}\n}\n"
    assert cut_text("rust", "fn f() {", "\n}\n") is None


@pytest.mark.parametrize("language, tag", [("go", "go"), ("js", "javascript")])
def test_fence_backticks_are_not_raw_strings(language, tag):
    # Go raw strings and JS templates use `; a ``` fence line must not open one
    ctx = f"```{tag}\n// f returns x.\nfunc f() string {{"
    assert cut_text(language, ctx, "\n\treturn `a{`\n}\n```") == "\n\treturn `a{`\n}"
    # a template literal that opens a line is still a string
    assert cut_text(language, "function f() {", "\n`}`;\n}") == "\n`}`;\n}"
