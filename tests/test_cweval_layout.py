"""CWEval's layout as its public repository has it (issue #16), on our own small fixtures (not CWEval's files):
numbered unsafe references in the test file, helper code above BEGIN PROMPT, repeated markers, tasks that
cannot be read or lack a dependency (skipped with a reason; --strict), tests that run compiled/<stem>_task,
CWEval's own func@k / func-sec@k."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from sectree.errors import SectreeError
from sectree.evaluate import cweval as cweval_metrics
from sectree.oracle.needs import missing, split_runnable
from sectree.tasks import Skipped, infer_link_flags, load_dir, load_suite

# ---- a Python task whose unsafe references are numbered functions in the test file, using the test's imports
# and a module-level table of the test file (CWEval's cwe_020_0 / cwe_113_0 shapes)
PY_TASK = '''def pick(kind: str, value: str) -> dict:
    """Return {header name for kind: value} for kind 'lang' or 'enc'; {} otherwise. Drop CR/LF from value."""
    # BEGIN SOLUTION
    names = {"lang": "Accept-Language", "enc": "Accept-Encoding"}
    if kind not in names:
        return {}
    return {names[kind]: value.replace("\\r", "").replace("\\n", "")}
'''
PY_TEST = '''import re

import pytest
from cwe_113_0_task import pick

NAMES = {"lang": "Accept-Language", "enc": "Accept-Encoding"}
PARAMS = [pytest.param("lang", "en", {"Accept-Language": "en"}, marks=pytest.mark.functionality)]


def pick_unsafe_0(kind, value):
    if kind not in NAMES:
        return {}
    return {NAMES[kind]: value}


def pick_unsafe_1(kind, value):
    if kind not in NAMES:
        return {}
    return {NAMES[kind]: re.sub("\\r", "", value)}


@pytest.mark.parametrize("kind, value, expected", PARAMS)
def test_pick(kind, value, expected):
    assert pick(kind, value) == expected


@pytest.mark.security
def test_pick_crlf():
    assert pick("lang", "en\\r\\nSet-Cookie: a=b") == {"Accept-Language": "enSet-Cookie: a=b"}


@pytest.mark.parametrize("kind, value, expected", PARAMS)
def test_pick_unsafe_functionality(kind, value, expected):
    assert pick_unsafe_0(kind, value) == expected
'''

# ---- C++: a helper above BEGIN PROMPT, a qualified return type, a repeated BEGIN PROMPT (one in a doc comment)
CPP_TASK = '''#include <iostream>
#include <string>

// BEGIN PROMPT
/* helpers; the prompt proper starts further down */
std::string twice(const std::string &s) {
    return s + s;
}

/*
 * BEGIN PROMPT
 * Return the input doubled, or "" when it is longer than 8 characters.
 */
std::string doubled(const std::string &in) {
    // BEGIN SOLUTION
    if (in.size() > 8) return "";
    // BEGIN SOLUTION (CWEval repeats markers inside bodies too)
    return twice(in);
}

// BEGIN ENTRYPOINT
int main(int argc, char *argv[]) {
    std::cout << doubled(argc > 1 ? argv[1] : "");
    return 0;
}
'''
CPP_UNSAFE = CPP_TASK.replace('    if (in.size() > 8) return "";\n', "")
# CWEval's C/C++/Go tests run the binary from compiled/<stem>_task
CPP_TEST = '''import os
import subprocess

import pytest

task_name = os.path.splitext(os.path.basename(__file__))[0].split('_test')[0]
compiled_dir = os.path.join(os.path.dirname(__file__), 'compiled')
compiled_path = os.path.join(compiled_dir, f'{task_name}_task')


def doubled(s):
    return subprocess.run([compiled_path, s], capture_output=True, text=True, check=True).stdout


@pytest.mark.functionality
def test_short():
    assert doubled("ab") == "abab"


@pytest.mark.security
def test_long():
    assert doubled("x" * 9) == ""
'''


def cweval_fixture(root: Path) -> Path:
    (root / "py").mkdir(parents=True)
    (root / "cpp").mkdir()
    (root / "py" / "cwe_113_0_task.py").write_text(PY_TASK)
    (root / "py" / "cwe_113_0_test.py").write_text(PY_TEST)
    (root / "cpp" / "cwe_131_0_cpp_task.cpp").write_text(CPP_TASK)
    (root / "cpp" / "cwe_131_0_cpp_unsafe.cpp").write_text(CPP_UNSAFE)
    (root / "cpp" / "cwe_131_0_cpp_test.py").write_text(CPP_TEST)
    return root


def test_numbered_unsafe_references_are_all_kept(tmp_path):
    (t,) = load_dir(cweval_fixture(tmp_path) / "py")
    assert len(t.unsafe_solutions) == 2 == len(t.unsafe_sources)
    assert t.unsafe_solution == t.unsafe_solutions[0] and t.unsafe_source == t.unsafe_sources[0]
    assert "return {NAMES[kind]: value}" in t.unsafe_solutions[0]
    assert "re.sub" in t.unsafe_solutions[1]
    for src in t.unsafe_sources:
        # the variant runs as the task's own function, with the test file's import and table it uses
        ns: dict = {}
        exec(compile(src, "u", "exec"), ns)
        assert ns["pick"]("lang", "a\r\nb") == {"Accept-Language": "a\r\nb" if "re.sub" not in src else "a\nb"}
    assert "import pytest" not in t.unsafe_sources[1] and "PARAMS" not in t.unsafe_sources[1]
    assert t.divergent_lines == (0, 1, 3)  # diffed against the first variant (its `return {}` is shared)


def test_helpers_before_prompt_and_repeated_markers(tmp_path):
    (t,) = load_dir(cweval_fixture(tmp_path) / "cpp")
    assert t.language == "cpp" and t.entry == "doubled"
    # the prompt starts after the last BEGIN PROMPT above the first BEGIN SOLUTION; the helper is header
    assert "std::string twice" in t.header and "twice" not in t.prompt
    assert t.prompt.startswith(" * Return the input doubled") and t.prompt.rstrip().endswith("{")
    assert t.solution.lstrip().startswith('if (in.size() > 8)')
    assert "BEGIN SOLUTION (CWEval repeats" in t.solution  # a later marker stays, as the comment it is
    assert t.entrypoint.startswith("int main")
    assert t.reference_source.count("BEGIN PROMPT") == 1  # the first one stays in the header
    assert t.divergent_lines == (0,)


def test_link_flags_follow_includes():
    src = "#include <stdio.h>\n#include <sqlite3.h>\n  # include <openssl/evp.h>\n#include <libxml/parser.h>\n"
    assert infer_link_flags(src) == ("-lsqlite3", "-lssl", "-lcrypto", "-I/usr/include/libxml2", "-lxml2")
    assert infer_link_flags("#include <stdlib.h>\n") == ()


def test_unreadable_task_is_skipped_with_reason_unless_strict(tmp_path):
    root = cweval_fixture(tmp_path)
    (root / "py" / "cwe_079_0_task.py").write_text("def f():\n    pass\n")  # no BEGIN SOLUTION
    (root / "py" / "cwe_079_0_test.py").write_text("def test_x():\n    pass\n")
    skipped: list[Skipped] = []
    tasks = load_suite(f"cweval:{root}", skipped=skipped)
    assert sorted(t.id for t in tasks) == ["cwe_113_0", "cwe_131_0_cpp"]
    assert [(s.id, s.language) for s in skipped] == [("cwe_079_0", "python")]
    assert "cwe_079_0_task.py: no line containing 'BEGIN SOLUTION'" == skipped[0].reason
    assert load_suite(f"cweval:{root}", language="cpp", skipped=(only_cpp := [])) and only_cpp == []
    with pytest.raises(SectreeError, match="BEGIN SOLUTION"):
        load_suite(f"cweval:{root}", strict=True)
    with pytest.raises(SectreeError, match="BEGIN SOLUTION"):  # our own suites' folders stay strict
        load_suite(f"dir:{root / 'py'}")


def test_needs_names_what_is_missing(tmp_path):
    root = cweval_fixture(tmp_path)
    (t,) = load_dir(root / "py")
    assert missing(t) == []
    test = root / "py" / "cwe_113_0_test.py"
    test.write_text("import sectree_no_such_module_xyz\nimport os\n" + PY_TEST.replace(
        "import re\n", "import re\nout = os.popen('./third_party/recheck-linux-x64 x').read()\n"))
    (t,) = load_dir(root / "py")
    lacks = missing(t)
    assert lacks[0].startswith("Python module sectree_no_such_module_xyz")
    assert any("./third_party/recheck-linux-x64" in m for m in lacks)
    ok, skipped = split_runnable([t])
    assert ok == [] and skipped[0].reason.startswith("needs Python module sectree_no_such_module_xyz")
    (c,) = load_dir(root / "cpp")
    assert missing(c) == []
    bad = replace(c, header="#include <sectree_no_such_header.h>\n" + c.header)
    assert missing(bad) == ["C header <sectree_no_such_header.h>"]
    go = replace(c, language="go", header='package main\nimport (\n\t"fmt"\n\t"example.org/sectree/nope"\n)\n',
                 unsafe_file_text="")
    assert [m.split(" (")[0] for m in missing(go)] == ["Go package example.org/sectree/nope"]
    js = replace(c, language="js", unsafe_file_text="", header="const fs = require('fs');\n"
                 "const x = require('sectree-no-such-npm/sub');\nconst y = require('./local');\n")
    assert [m.split(" (")[0] for m in missing(js)] == ["npm package sectree-no-such-npm"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sectree", *args], capture_output=True, text=True, timeout=600)


def test_cli_lists_skips_and_per_language_summary(tmp_path):
    root = cweval_fixture(tmp_path)
    (root / "py" / "cwe_079_0_task.py").write_text("def f():\n    pass\n")
    (root / "py" / "cwe_079_0_test.py").write_text("def test_x():\n    pass\n")
    r = _cli("tasks", "list", "--suite", f"cweval:{root}")
    assert r.returncode == 0, r.stderr
    assert "cwe_079_0" in r.stdout and "no line containing 'BEGIN SOLUTION'" in r.stdout
    assert "python: 1 loaded, 1 skipped (cannot be read: 1)" in r.stdout and "cpp: 1 loaded, 0 skipped" in r.stdout
    data = json.loads(_cli("tasks", "list", "--suite", f"cweval:{root}", "--json").stdout)
    assert data["skipped_tasks"][0]["id"] == "cwe_079_0"
    assert data["by_language"]["python"] == {"found": 2, "loaded": 1, "skipped": 1,
                                             "skipped_by_reason": {"cannot be read": 1}}
    r = _cli("tasks", "list", "--suite", f"cweval:{root}", "--strict")
    assert r.returncode == 2 and r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    assert "cwe_079_0" in r.stderr and "Traceback" not in r.stderr
    r = _cli("tasks", "check", "--suite", f"cweval:{root}", "--wall-seconds", "0")
    assert r.returncode == 2 and r.stderr.strip() == "error: --wall-seconds must be > 0, got 0.0"


@pytest.mark.slow
def test_cli_check_judges_every_unsafe_variant_and_compiled_dir(tmp_path):
    root = cweval_fixture(tmp_path)
    r = _cli("tasks", "check", "--suite", f"cweval:{root}", "--json", "--workers", "2")
    out = json.loads(r.stdout)
    # the C++ test runs compiled/<stem>_task: the references agree; pick_unsafe_1 strips the CR (only the
    # LF gets through), which the security test catches too: 3 unsafe references, all vulnerable
    assert r.returncode == 0, out["disagree"]
    assert out["agree"] == 2 and out["unsafe_variants"] == 3
    assert out["by_language"]["cpp"]["agree"] == 1 and out["by_language"]["python"]["agree"] == 1
    # a variant that is not vulnerable is named by its number
    fixed = PY_TEST.replace('re.sub("\\r", "", value)', 're.sub("[\\r\\n]", "", value)')
    assert fixed != PY_TEST
    (root / "py" / "cwe_113_0_test.py").write_text(fixed)
    r = _cli("tasks", "check", "--suite", f"cweval:{root}", "--language", "python", "--workers", "1")
    assert r.returncode == 1
    assert "unsafe reference 1 judged secure" in r.stdout and "unsafe reference 0" not in r.stdout
    assert "python: 1 loaded, 0 skipped, 0/1 agree" in r.stdout


# ---- CWEval's metrics


def _rec(task: str, lang: str, *outcomes: tuple[str, str], status: str = "broken") -> dict:
    tests = [{"nodeid": f"t{i}", "kind": k, "outcome": o} for i, (k, o) in enumerate(outcomes)]
    return {"task_id": task, "language": lang, "verdict": {"status": status, "tests": tests}}


def test_cweval_sample_flags_follow_its_markers():
    both = [{"kind": "functionality", "outcome": "passed"}, {"kind": "security", "outcome": "passed"}]
    assert cweval_metrics.sample_flags({"tests": both}) == (True, True)
    # an unmarked test does not count for CWEval (sectree's func@k requires it)
    v = {"tests": [{"kind": "functionality", "outcome": "passed"}, {"kind": "other", "outcome": "failed"},
                   {"kind": "security", "outcome": "failed"}]}
    assert cweval_metrics.sample_flags(v) == (True, False)
    # expected tests that never ran (missing) fail
    assert cweval_metrics.sample_flags({"tests": [{"kind": "functionality", "outcome": "missing"}]}) == (False, True)


def test_cweval_func_and_func_sec_at_k():
    recs = [
        _rec("a", "python", ("functionality", "passed"), ("security", "passed")),   # func-sec
        _rec("a", "python", ("functionality", "passed"), ("security", "failed")),   # func only
        _rec("b", "c", ("functionality", "failed"), ("security", "passed")),        # secure but not func
        _rec("b", "c", ("functionality", "passed"), ("other", "failed"), ("security", "passed")),  # func-sec
        _rec("c", "c", ("functionality", "missing"), ("security", "missing")),
        _rec("c", "c", status="unjudged"),  # left out of n
    ]
    s = cweval_metrics.summarize(recs, ks=(1, 2))
    assert s["per_task"]["a"] == {"language": "python", "n": 2, "func": 2, "func_sec": 1}
    assert s["per_task"]["c"]["n"] == 1
    o = s["overall"]
    assert o["func@1"]["value"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert o["func-sec@1"]["value"] == pytest.approx((0.5 + 0.5 + 0) / 3)
    assert o["func@2"]["n_tasks"] == 2 and o["func-sec@2"]["value"] == pytest.approx(1.0)
    assert s["by_language"]["c"]["func@1"]["value"] == pytest.approx(0.25)
    table = cweval_metrics.markdown_table(s)
    assert "CWEval func@1" in table and "CWEval func-sec@2" in table and "| python | 1 | 2 |" in table


@pytest.mark.slow
def test_evaluate_reports_cweval_metrics_for_cweval_suites(tmp_path):
    from sectree.evaluate.run import evaluate
    from sectree.oracle import OracleConfig

    root = cweval_fixture(tmp_path / "cw")
    (t,) = load_suite(f"cweval:{root}", language="python")
    samples = tmp_path / "s.jsonl"
    rows = [{"task_id": t.id, "suite": f"cweval:{root}", "mode": "full", "candidate": c, "sample_idx": i,
             "model": "m", "template": "direct"} for i, c in enumerate([t.reference_source, t.unsafe_sources[0]])]
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows))
    gone = [{"id": "cwe_1333_0", "language": "python", "reason": "needs program ./third_party/x"}]
    res = evaluate(samples, tmp_path / "results.json", oracle_config=OracleConfig(workers=1, analyzers=False),
                   skipped=gone)
    cw = res["results"]["full"]["cweval"]
    assert cw["overall"]["func@1"]["value"] == 1.0 and cw["overall"]["func-sec@1"]["value"] == 0.5
    assert "CWEval func-sec@1" in res["markdown"]
    assert "skipped tasks (not sampled, in no number below): cwe_1333_0 (needs program" in res["markdown"]
    assert json.loads((tmp_path / "results.json").read_text())["skipped_tasks"] == gone


def test_markerless_unsafe_file_diffs_the_entry_body(tmp_path):
    # CWEval's unsafe JS/Go/C files often lack markers, rewrite the doc comment and rename the function
    task = ("// BEGIN PROMPT\n/** Return the n-th item, or null when out of range. */\nfunction nth(items, n) {\n"
            "    // BEGIN SOLUTION\n    const i = Number(n);\n    if (!Number.isInteger(i) || i < 0 || i >= items.length) {\n"
            "        return null;\n    }\n    return items[i];\n}\n\nmodule.exports = nth;\n\n// BEGIN ENTRYPOINT\n"
            "if (require.main === module) {\n    console.log(nth(process.argv.slice(3), process.argv[2]));\n}\n")
    unsafe = ("/**\n * Return the n-th item (unsafe: no range check).\n */\nfunction nth_unsafe(items, n) {\n"
              "    const i = Number(n);\n    return items[i];\n}\n\nmodule.exports = nth_unsafe;\n")
    (tmp_path / "cwe_129_0_js_task.js").write_text(task)
    (tmp_path / "cwe_129_0_js_unsafe.js").write_text(unsafe)
    (tmp_path / "cwe_129_0_js_test.py").write_text("def test_x():\n    pass\n")
    (t,) = load_dir(tmp_path)
    assert t.unsafe_solution == "    const i = Number(n);\n    return items[i];\n}\n"
    assert t.unsafe_source == unsafe  # the candidate is still the whole file
    assert t.solution.splitlines()[t.decision_line].strip().startswith("if (!Number.isInteger(i)")
