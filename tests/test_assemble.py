"""Candidate assembly from raw model answers (sectree.tasks.assemble)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sectree.tasks import Task
from sectree.tasks.assemble import (
    assemble,
    defines_function,
    extract_code,
    strip_answer_prefix,
)


def make_task(language: str, header: str, prompt: str, solution: str, entrypoint: str = "", *,
              entry: str = "f", decision_line: int | None = None) -> Task:
    return Task(
        id=f"cwe_022_0_{language}", language=language, cwes=(22,), family="f", split="test", tier=None,
        root=Path("."), header=header, prompt=prompt, solution=solution, entrypoint=entrypoint,
        unsafe_solution=solution.replace("if", "if False and", 1), unsafe_file_text="", test_file=Path("."),
        entry=entry, decision_line_override=decision_line,
    )


PY = make_task(
    "python",
    "import os\n\n",
    'BASE = "/srv"\n\n\nclass Denied(Exception):\n    pass\n\n\n'
    'def f(path: str) -> str:\n    """Resolve ``path`` under BASE.\n\n    Example:\n        f("a.txt") -> "/srv/a.txt"\n    """\n',
    "    full = os.path.abspath(os.path.join(BASE, path))\n"
    "    if not full.startswith(BASE + os.sep):\n"
    "        raise Denied(path)\n"
    "    return full\n",
    decision_line=1,
)

C = make_task(
    "c",
    "#include <stdio.h>\n#include <string.h>\n\n",
    "/* Length of s, or -1 when longer than 10; e.g. f(\"abc\") returns 3 { */\nint f(const char *s) {\n",
    "    size_t n = strlen(s);\n    if (n > 10) {\n        return -1;\n    }\n    return (int)n;\n}\n",
    "\nint main(int argc, char **argv) {\n    printf(\"%d\\n\", f(argv[1]));\n    return 0;\n}\n",
    decision_line=1,
)

GO = make_task(
    "go",
    'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\n',
    "// f describes s.\nfunc f(s string) (map[string]interface{}, error) {\n",
    '\tif s == "" {\n\t\treturn nil, fmt.Errorf("empty")\n\t}\n\treturn map[string]interface{}{"n": len(s)}, nil\n}\n',
    "\nfunc main() {\n\tfmt.Println(f(os.Args[1]))\n}\n",
)

JS = make_task(
    "js",
    "const fs = require('fs');\n\n",
    "/**\n * f(s) { returns the length }\n */\nfunction f(s) {\n",
    "    if (!s) {\n        return 0;\n    }\n    return s.length;\n}\n",
    "\nmodule.exports = { f };\n",
)


def parses(src: str) -> bool:
    try:
        ast.parse(src)
    except SyntaxError:
        return False
    return True


# ------------------------------------------------------------------------------------------------
# the reference answer reproduces the reference file


@pytest.mark.parametrize("task", [PY, C, GO, JS], ids=lambda t: t.language)
def test_reference_reproduces_reference_source(task):
    assert assemble(task, task.solution) == task.header + task.prompt + task.solution + task.entrypoint
    assert assemble(task, task.solution) == task.reference_source


@pytest.mark.parametrize("task", [PY, C, GO, JS], ids=lambda t: t.language)
def test_completion_mode_with_golden_rest_reproduces_reference(task):
    rest = "".join(task.solution.splitlines(keepends=True)[task.decision_line:])
    assert assemble(task, rest, mode="completion") == task.reference_source


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError, match="mode"):
        assemble(PY, "x", mode="chat")


# ------------------------------------------------------------------------------------------------
# Python


def test_python_completion_mode_continues_the_golden_prefix():
    answer = "    if '..' in full:\n        raise Denied(path)\n    return full\n"
    out = assemble(PY, answer, mode="completion")
    assert out == PY.header + PY.completion_context + answer
    assert out.count("full = os.path.abspath") == 1
    assert parses(out)


def test_python_unterminated_fence_takes_everything_after_it():
    answer = "Here is the body:\n```python\n    return os.path.join(BASE, path)\n    # cut off here"
    out = assemble(PY, answer)
    assert out == PY.header + PY.prompt + "    return os.path.join(BASE, path)\n    # cut off here"
    assert "Here is" not in out
    assert parses(out)


def test_python_full_function_with_imports_and_main_block():
    answer = (
        "Sure! Here is a secure implementation:\n\n"
        "```python\n"
        "import os\n"
        "import pathlib\n"
        "\n"
        "LIMIT = 4096\n"
        "\n"
        "def f(path: str) -> str:\n"
        "    p = pathlib.Path(BASE, path).resolve()\n"
        "    if not p.is_relative_to(BASE):\n"
        "        raise Denied(path)\n"
        "    return str(p)\n"
        "\n"
        "print(f('a.txt'))\n"
        "result = f('b.txt')\n"
        "\n"
        "if __name__ == '__main__':\n"
        "    print(f('c.txt'))\n"
        "```\n"
        "\nThis resolves symlinks first.\n"
    )
    out = assemble(PY, answer)
    assert parses(out)
    assert out.startswith(PY.header + 'BASE = "/srv"\n')  # prompt text above the declaration is kept
    assert "class Denied(Exception)" in out
    assert "import pathlib" in out and "LIMIT = 4096" in out  # the answer's imports and constants stay
    assert out.count("def f(") == 1 and "Resolve ``path``" not in out  # the answer's def replaces the prompt's
    assert "print(" not in out and "__main__" not in out and "result = f(" not in out
    assert "resolves symlinks" not in out and "Sure!" not in out
    tree = ast.parse(out)
    assert [type(n).__name__ for n in tree.body][-1] == "FunctionDef"


def test_python_full_function_in_completion_mode_replaces_the_declaration():
    answer = "def f(path):\n    return path\n"
    out = assemble(PY, answer, mode="completion")
    assert out == PY.header + PY.prompt[: PY.prompt.index("def f(")] + answer
    assert "full = os.path.abspath" not in out  # the golden prefix belongs to the replaced function


def test_python_unparsable_full_function_still_loses_main_block():
    answer = "def f(path):\n    return (path\n\nif __name__ == '__main__':\n    f('x')\n"
    out = assemble(PY, answer)
    assert "__main__" not in out and "def f(path):" in out


def test_python_body_only_unindented_is_indented_into_the_function():
    answer = "full = os.path.join(BASE, path)\nif '..' in path:\n    raise Denied(path)\nreturn full\n"
    out = assemble(PY, answer)
    assert parses(out)
    assert out == PY.header + PY.prompt + "".join("    " + ln if ln.strip() else ln for ln in answer.splitlines(True))
    fn = ast.parse(out).body[-1]
    assert isinstance(fn, ast.FunctionDef) and isinstance(fn.body[-1], ast.Return)


def test_python_body_with_only_first_line_unindented():
    answer = "full = os.path.join(BASE, path)\n    return full\n"
    out = assemble(PY, answer)
    assert parses(out)
    assert out.endswith("    full = os.path.join(BASE, path)\n    return full\n")


def test_python_body_unindented_in_completion_mode_after_a_colon():
    task = make_task("python", "", "def f(x):\n", "    if x:\n        return 1\n    return 0\n", decision_line=1)
    out = assemble(task, "return 2\n", mode="completion")
    assert out == "def f(x):\n    if x:\n        return 2\n"
    assert parses(out)


def test_python_body_drops_trailing_example_usage():
    answer = "    return path\n\n\nprint(f('x'))\nf('y')\nHELPER = 1\n"
    out = assemble(PY, answer)
    assert parses(out)
    assert "print(" not in out and "f('y')" not in out
    assert "HELPER = 1" in out


def test_python_partial_line_is_continued():
    task = make_task("python", "", "def f(x):\n    return ", "x + 1\n")
    assert assemble(task, "x * 2\n") == "def f(x):\n    return x * 2\n"
    assert assemble(task, "return x * 2\n") == "def f(x):\n    return x * 2\n"  # restating the line's start
    assert assemble(task, "returned\n") == "def f(x):\n    return returned\n"  # not a restatement


def test_python_echo_of_the_prompt_is_not_duplicated():
    body = "    return os.path.join(BASE, path)\n"
    for echoed in (PY.prompt, PY.header + PY.prompt, "\n" + PY.prompt.replace(":\n", ":  \n", 1)):
        out = assemble(PY, echoed + body)
        assert out == PY.header + PY.prompt + body
        assert parses(out)


def test_python_echo_of_the_completion_context():
    body = "    return full\n"
    out = assemble(PY, "```python\n" + PY.header + PY.completion_context + body + "```", mode="completion")
    assert out == PY.header + PY.completion_context + body


def test_python_echo_of_the_plain_prompt_in_completion_mode_drops_the_golden_prefix():
    body = "    return path\n"
    out = assemble(PY, PY.prompt + body, mode="completion")
    assert out == PY.header + PY.prompt + body


def test_python_future_import_in_answer_goes_first():
    out = assemble(PY, "from __future__ import annotations\nimport os\n\ndef f(path: str) -> str:\n    return path\n")
    assert out.startswith("from __future__ import annotations\n")
    assert compile(out, "cand.py", "exec")


# ------------------------------------------------------------------------------------------------
# brace languages


def test_c_body_missing_final_brace_gets_it():
    answer = "    return (int)strlen(s);\n"
    out = assemble(C, answer)
    assert out == C.header + C.prompt + answer + "}\n" + C.entrypoint


def test_c_body_missing_two_braces_and_no_final_newline():
    out = assemble(C, "    if (!s) {\n        return -1;")
    assert out == C.header + C.prompt + "    if (!s) {\n        return -1;\n    }\n}\n" + C.entrypoint


def test_c_braces_in_strings_and_comments_do_not_count():
    answer = '    /* { */ if (s[0] == \'{\') return 1; // }\n    printf("{{");\n    return 0;\n}\n'
    assert assemble(C, answer) == C.header + C.prompt + answer + C.entrypoint


def test_c_completion_mode_continues_the_golden_prefix():
    answer = "    if (n >= 10) {\n        return -1;\n    }\n    return (int)n;\n"
    out = assemble(C, answer, mode="completion")
    assert out == C.header + C.completion_context + answer + "}\n" + C.entrypoint
    assert out.count("size_t n = strlen(s);") == 1


def test_c_full_function_replaces_declaration_and_drops_its_main():
    answer = (
        "Here you go:\n```c\n#include <stdlib.h>\n#include <string.h>\n\n"
        "int f(const char *s)\n{\n    return s ? (int)strnlen(s, 11) : -1;\n}\n\n"
        "int main(void) {\n    return f(\"x\");\n}\n```\nDone."
    )
    out = assemble(C, answer)
    assert out.startswith(C.header + "/* Length of s")  # the prompt's comment above the declaration stays
    assert "#include <stdlib.h>" in out
    assert out.count("int f(const char *s)") == 1 and "strnlen" in out
    assert out.count("main(") == 1 and out.endswith(C.entrypoint)
    assert "Here you go" not in out and "Done." not in out


def test_c_answer_with_prototype_is_a_body_not_a_definition():
    assert not defines_function("int f(const char *s);\n    return 1;\n}\n", "f", "c")
    assert not defines_function("    int r = f(s);\n    return f(r);\n}\n", "f", "c")
    assert not defines_function("    if (f(s)) {\n        return 1;\n    }\n", "f", "c")
    assert defines_function("static int\tf(const char *s) { return 0; }", "f", "c")


def test_c_redefined_helper_from_prompt_is_dropped():
    task = make_task("c", "#include <string.h>\n",
                     "static int helper(int x) {\n    return x + 1;\n}\n\nint f(const char *s) {\n",
                     "    return helper((int)strlen(s));\n}\n")
    answer = ("static int helper(int x) {\n    return x + 1;\n}\n\n"
              "int f(const char *s) {\n    return helper(0);\n}\n")
    out = assemble(task, answer)
    assert out.count("static int helper") == 1 and "helper(0)" in out


def test_go_full_function_hoists_imports_and_drops_package_and_main():
    answer = (
        "```go\npackage main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\n"
        "func f(s string) (map[string]interface{}, error) {\n"
        "\treturn map[string]interface{}{\"n\": len(strings.TrimSpace(s))}, nil\n}\n\n"
        "func main() {\n\tfmt.Println(f(\"x\"))\n}\n```\n"
    )
    out = assemble(GO, answer)
    assert out.count("package main") == 1 and out.count("func main()") == 1
    assert out.index('"strings"') < out.index("// f describes s.")
    assert out.count('"fmt"') == 1
    assert out.endswith(GO.entrypoint)


def test_go_body_missing_brace():
    out = assemble(GO, '\treturn map[string]interface{}{"s": s}, nil\n')
    assert out == GO.header + GO.prompt + '\treturn map[string]interface{}{"s": s}, nil\n}\n' + GO.entrypoint


def test_js_full_arrow_function_drops_duplicate_require_and_usage():
    answer = ("```javascript\nconst fs = require('fs');\nconst path = require('path');\n\n"
              "const f = (s) => {\n  return path.basename(s).length;\n};\n\nconsole.log(f('a'));\nf('b');\n```")
    out = assemble(JS, answer)
    assert out.count("require('fs')") == 1 and "require('path')" in out
    assert "console.log" not in out and "f('b')" not in out
    assert "function f(s)" not in out and out.endswith(JS.entrypoint)


# ------------------------------------------------------------------------------------------------
# extract_code and strip_answer_prefix


def test_extract_code_without_fences_is_identity():
    for text in ("    return x\n", "no newline", "", "  \n\n  x = 1  \n\n"):
        assert extract_code(text, "python") == text


def test_extract_code_prefers_block_defining_entry():
    answer = ("Install it first:\n```bash\npip install foo\n```\nUsage:\n```python\nprint(f(1))\n```\n"
              "Code:\n```python\ndef f(x):\n    return x\n```\n")
    assert extract_code(answer, "python", entry="f") == "def f(x):\n    return x\n"
    # without an entry: the first block of a fitting language
    assert extract_code(answer, "python") == "print(f(1))\n"


def test_extract_code_mention_beats_unrelated_block():
    answer = "```\nimport os\n```\n\n```\nreturn f(x - 1)\n```\n"
    assert extract_code(answer, "python", entry="f") == "return f(x - 1)\n"


def test_extract_code_prepends_import_only_blocks_to_the_definition():
    answer = "```python\nimport os\nfrom re import sub\n```\nthen\n```python\ndef f(x):\n    return x\n```"
    assert extract_code(answer, "python", entry="f") == "import os\nfrom re import sub\ndef f(x):\n    return x\n"


def test_extract_code_other_language_blocks_only_as_last_resort():
    assert extract_code("```text\nhello\n```\n```c\nreturn 1;\n```", "c") == "return 1;\n"
    assert extract_code("```text\nhello\n```", "c") == "hello\n"


def test_extract_code_tilde_fences_and_longer_fences():
    assert extract_code("~~~py\nx = 1\n~~~\n", "python") == "x = 1\n"
    assert extract_code("````python\n```\nx = 1\n````\n", "python") == "```\nx = 1\n"


def test_extract_code_closing_fence_only():
    # the prompt opened the fence: the code precedes the first (bare) fence
    assert extract_code("    return x\n```\n", "python") == "    return x\n"
    assert extract_code("    return x\n```\n\nThis returns x.\n", "python") == "    return x\n"
    assert extract_code("    return 1;\n}\n```\nExplanation ``` `x`\n", "c") == "    return 1;\n}\n"
    assert extract_code(".join(a, b)\n    return full\n```\nDone.", "python") == ".join(a, b)\n    return full\n"
    # prose before a bare fence is not code: the fence opens a block
    assert extract_code("Here it is:\n```\nreturn x\n```", "python") == "return x\n"
    assert extract_code("Sure.\nHere it is:\n```\nreturn x\n```", "python") == "return x\n"


def test_extract_code_drops_thinking():
    assert extract_code("<think>maybe ```x```</think>\n```python\ny = 2\n```", "python") == "y = 2\n"


def test_strip_answer_prefix():
    ctx = "def f(x):\n    '''Doc.'''\n"
    assert strip_answer_prefix(ctx + "    return x\n", ctx) == "    return x\n"
    assert strip_answer_prefix("\n" + ctx.replace("\n", "   \n") + "    return x\n", ctx) == "    return x\n"
    assert strip_answer_prefix("    return x\n", ctx) == "    return x\n"
    assert strip_answer_prefix("def f(y):\n    return y\n", ctx) == "def f(y):\n    return y\n"
    assert strip_answer_prefix("anything", "  \n") == "anything"
    assert strip_answer_prefix("x = compute(1)\n", "x = ") == "compute(1)\n"
    assert strip_answer_prefix("x = 1\n", "other", "x = ") == "1\n"


def test_python_candidates_always_parse():
    answers = [
        PY.solution,
        "```python\n    return path\n",  # unterminated fence
        "```python\nimport re\ndef f(path):\n    return re.escape(path)\nif __name__ == '__main__':\n    f('x')\n```",
        "return path\n",
        "x = 1\nreturn path\n",
        PY.prompt + "    return path\n",
    ]
    for answer in answers:
        assert parses(assemble(PY, answer)), answer
    assert parses(assemble(PY, "    return full\n", mode="completion"))
    assert parses(assemble(PY, "return full\n", mode="completion"))


JS_EXPORTS = make_task(
    "js",
    "",
    "/** List a folder. */\nfunction ls(dir) {\n",
    "    if (!dir) {\n        return '';\n    }\n    return dir;\n}\n\nmodule.exports = ls;\n\n",
    "if (require.main === module) {\n    console.log(ls(process.argv[2]));\n}\n",
    entry="ls",
)


def test_js_reference_tail_is_reproduced_and_added_when_missing():
    assert assemble(JS_EXPORTS, JS_EXPORTS.solution) == JS_EXPORTS.reference_source
    out = assemble(JS_EXPORTS, "```js\nfunction ls(dir) {\n  return String(dir);\n}\n"
                               "if (require.main === module) {\n  console.log(ls('.'));\n}\n```")
    assert out.count("require.main") == 1 and out.endswith(JS_EXPORTS.entrypoint)
    assert "module.exports = ls;" in out
    # a body that stops at the function's end gets the export too; an answer's own export is kept alone
    assert "module.exports = ls;" in assemble(JS_EXPORTS, "    return dir;\n}\n")
    own = assemble(JS_EXPORTS, "function ls(dir) {\n  return dir;\n}\nmodule.exports = { ls };\n")
    assert "module.exports = { ls };" in own and "module.exports = ls;" not in own


def test_c_main_inside_the_solution_is_added_when_the_answer_lacks_it():
    # a task whose entrypoint marker is misspelled carries main() in the solution
    task = make_task("c", "#include <stdio.h>\n", "int f(int x) {\n",
                     "    if (x) {\n        return 1;\n    }\n    return 0;\n}\n\nint main(void) {\n    return f(1);\n}\n")
    assert assemble(task, task.solution) == task.reference_source
    out = assemble(task, "int f(int x) {\n    return !!x;\n}\n")
    assert out.count("int main(void)") == 1 and out.index("return !!x") < out.index("int main")
    assert assemble(task, "    return !!x;\n").count("int main(void)") == 1


def test_healed_continuations_join_the_right_stripped_context():
    # the policy feeds the model context.rstrip(); its text starts with the newline that stripping removed
    assert assemble(PY, "\n" + PY.solution.rstrip("\n"), healed=True) == PY.reference_source.rstrip("\n")
    rest = "".join(PY.solution.splitlines(True)[PY.decision_line:])
    assert assemble(PY, "\n" + rest, mode="completion", healed=True) == PY.reference_source
    assert assemble(C, "\n" + C.solution, healed=True) == C.reference_source
    # a healed continuation may go on with the last line
    task = make_task("python", "", "def f(x):\n    y = x\n", "    return y\n")
    out = assemble(task, ".strip()\n    return y\n", healed=True)
    assert out == "def f(x):\n    y = x.strip()\n    return y\n"
    # ... which without healed=True would be a new line
    assert assemble(task, "    return y\n") == "def f(x):\n    y = x\n    return y\n"


def test_python_class_entry():
    task = make_task("python", "import json\n\n", 'class Box:\n    """Holds a value."""\n\n',
                     "    def __init__(self, v):\n        self.v = v\n\n    def dump(self):\n        return json.dumps(self.v)\n",
                     entry="Box")
    assert assemble(task, task.solution) == task.reference_source
    # a whole class replaces the prompt's declaration; instantiating it at top level is example usage
    out = assemble(task, "```python\nclass Box:\n    def __init__(self, v):\n        self.v = v\n\nb = Box(1)\nprint(b)\n```")
    assert out == "import json\n\nclass Box:\n    def __init__(self, v):\n        self.v = v\n\n"
    # unindented methods go into the class body
    out = assemble(task, "def __init__(self, v):\n    self.v = v\n")
    assert out == task.header + task.prompt + "    def __init__(self, v):\n        self.v = v\n"
    assert parses(out)
