"""Static analyzers for C/C++ (cppcheck, clang --analyze, flawfinder), Go (go vet) and JS (eslint):
rule ids and CWEs on small snippets, silence on clean code, batching, missing tools, timeouts."""

from __future__ import annotations

import logging
import shutil
import stat

import pytest

from sectree.oracle import analyzers as az
from sectree.oracle.analyzers import (ANALYZERS, RULE_CWE, ClangAnalyzer, Cppcheck, ESLint, Flawfinder, GoVet,
                                      analyze, batch_failed, counts_as_vulnerability, related_cwes)
from sectree.tasks import load_suite


def _need(*names: str):
    missing = [a.name for lang in ("c", "go", "js") for a in ANALYZERS[lang] if a.name in names and not a.available()]
    return pytest.mark.skipif(bool(missing), reason=f"analyzer(s) not installed (make setup): {missing}")


def _rules(findings) -> set[tuple[str, str, int | None]]:
    return {(f.tool, f.rule, f.cwe) for f in findings}


C_BAD = """#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void copy_name(const char *name) {
    char buf[16];
    strcpy(buf, name);
    puts(buf);
}

void relay(FILE *out, const char *msg) {
    fprintf(out, msg);
}

void twice(void) {
    char *p = malloc(8);
    free(p);
    free(p);
}
"""

C_CLEAN = """#include <stdio.h>
#include <stdlib.h>

int add(int a, int b) { return a + b; }

int main(void) {
    char *p = malloc(4);
    if (!p)
        return 1;
    p[0] = 'x';
    printf("%c %d\\n", p[0], add(1, 2));
    free(p);
    return 0;
}
"""


@_need("cppcheck", "clang-analyzer", "flawfinder")
def test_c_snippets_rules_and_cwes():
    (bad, clean, broken), missing = analyze("c", [C_BAD, C_CLEAN, "int f( {\n"])
    assert missing == []
    got = _rules(bad)
    # strcpy -> CWE-120 (flawfinder, clang's insecureAPI checker)
    assert ("flawfinder", "strcpy", 120) in got and ("clang-analyzer", "security.insecureAPI.strcpy", 120) in got
    # non-literal format string -> CWE-134 (flawfinder's own CWE; clang's -Wformat-security)
    assert ("flawfinder", "fprintf", 134) in got and ("clang-analyzer", "-Wformat-security", 134) in got
    # double free -> CWE-415 (cppcheck and the path-sensitive malloc checker, both high confidence)
    assert ("cppcheck", "doubleFree", 415) in got and ("clang-analyzer", "unix.Malloc", 415) in got
    lines = {(f.rule, f.line) for f in bad}
    assert ("strcpy", 7) in lines and ("fprintf", 12) in lines and ("doubleFree", 18) in lines
    assert all(f.severity in ("LOW", "MEDIUM", "HIGH") and f.confidence in ("LOW", "MEDIUM", "HIGH") for f in bad)
    assert any(f.rule == "doubleFree" and f.confidence == "HIGH" and counts_as_vulnerability(f) for f in bad)
    assert not [f for f in clean if counts_as_vulnerability(f)]
    assert broken == [] or not [f for f in broken if counts_as_vulnerability(f)]


@_need("cppcheck", "clang-analyzer")
def test_cpp_null_deref():
    src = "#include <cstddef>\nint read_it() {\n    int *p = NULL;\n    return *p;\n}\n"
    (found,), missing = analyze("cpp", [src])
    assert missing == []
    assert ("cppcheck", "nullPointer", 476) in _rules(found)
    assert ("clang-analyzer", "core.NullDereference", 476) in _rules(found)


@_need("go-vet")
def test_go_vet_printf_and_clean():
    bad = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Printf("%d\\n", "seven")\n}\n'
    clean = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Printf("%d\\n", 7)\n}\n'
    cgo = 'package main\n\n// #include <stdio.h>\nimport "C"\n\nfunc main() {}\n'
    found, missing = analyze("go", [bad, clean, "package main\nfunc main( {\n", cgo])
    assert missing == [] and len(found) == 4
    assert [(f.rule, f.cwe, f.line, f.severity) for f in found[0]] == [("printf", 134, 6, "MEDIUM")]
    assert found[1] == [] and found[2] == [] and found[3] == []


@_need("eslint")
def test_js_eval_and_child_process():
    bad = ("const cp = require('child_process');\n"
           "function run(expr, file) {\n"
           "  const v = eval(expr);\n"
           "  cp.exec('cat ' + file);\n"
           "  return v;\n"
           "}\n"
           "module.exports = { run };\n")
    esm = "import { execSync } from 'node:child_process';\nexport const ls = (d) => execSync(`ls ${d}`);\n"
    clean = "function add(a, b) {\n  return a + b;\n}\nmodule.exports = { add };\n"
    disabled = "/* eslint-disable */\n" + bad
    (b, e, c, d, broken), missing = analyze("js", [bad, esm, clean, disabled, "function (\n"])
    assert missing == []
    got = _rules(b)
    assert ("eslint", "security/detect-eval-with-expression", 94) in got and ("eslint", "no-eval", 94) in got
    assert ("eslint", "security/detect-child-process", 78) in got
    assert {f.line for f in b if f.cwe == 78} == {4} and {f.line for f in b if f.cwe == 94} == {3}
    assert ("eslint", "no-restricted-syntax", 78) in _rules(e)  # parsed as an ES module
    assert c == [] and broken == []
    assert _rules(d) == got  # inline eslint-disable comments are ignored


@_need("cppcheck", "clang-analyzer", "flawfinder")
def test_batch_order_one_list_per_source():
    srcs = [C_CLEAN, C_BAD, C_CLEAN, "void f(void){ char *p = 0; *p = 1; }\n"]
    batch_failed(reset=True)
    found, _ = analyze("c", srcs)
    assert not batch_failed()  # every tool ran: a batch the oracle may keep
    assert len(found) == 4
    assert not [f for f in found[0] + found[2] if counts_as_vulnerability(f)]
    assert any(f.cwe == 415 for f in found[1]) and not any(f.cwe == 415 for f in found[3])
    assert any(f.cwe == 476 for f in found[3]) and not any(f.cwe == 476 for f in found[1])
    for a in ANALYZERS["c"]:
        assert a.analyze([]) == []


def test_missing_tools_reported_not_raised(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda *_a, **_k: None)
    for lang in ("c", "cpp", "go", "js"):
        found, missing = analyze(lang, ["x", "y"])
        assert found == [[], []]
        assert missing == [a.name for a in ANALYZERS[lang]]
    monkeypatch.undo()
    assert not ESLint(eslint_dir=tmp_path / "nowhere").available()
    gone = Flawfinder("c")
    monkeypatch.setattr(gone, "command", str(tmp_path / "no-such-flawfinder"))
    assert not gone.available()
    # a tool that vanishes between the check and the run: a warning, no findings, no exception
    monkeypatch.setattr(gone, "executable", lambda: str(tmp_path / "no-such-flawfinder"))
    batch_failed(reset=True)
    assert gone.analyze(["int x;\n"]) == [[]] and batch_failed(reset=True)


@pytest.mark.parametrize("make", [lambda: Cppcheck("c"), lambda: ClangAnalyzer("c"), lambda: Flawfinder("c"),
                                  GoVet, lambda: ESLint()])
def test_tool_timeout_or_failure_yields_no_findings(make, monkeypatch, tmp_path, caplog):
    a = make()
    slow = tmp_path / "slow-tool"
    slow.write_text("#!/bin/sh\nsleep 30 &\nexec sleep 30\n")  # a child holding the pipes, too
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(a, "executable", lambda: str(slow))
    monkeypatch.setattr(a, "timeout_s", 0.3)
    monkeypatch.setattr(a, "timeout_per_file_s", 0.0)
    batch_failed(reset=True)
    with caplog.at_level(logging.WARNING, logger=az.__name__):
        assert a.analyze(["int x;\n", "int y;\n"]) == [[], []]
    assert "timed out" in caplog.text
    # marked in the calling thread (clang runs its chunks in threads of its own): the oracle keeps no such batch
    assert batch_failed(reset=True) and not batch_failed()
    fails = tmp_path / "fails"
    fails.write_text("#!/bin/sh\necho garbage; exit 3\n")
    fails.chmod(fails.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(a, "executable", lambda: str(fails))
    assert a.analyze(["int x;\n"]) == [[]]


def test_rule_table_and_groups():
    expected = {"strcpy": 120, "bufferAccessOutOfBounds": 787, "nullPointer": 476, "doubleFree": 415,
                "useAfterFree": 416, "deallocuse": 416, "integerOverflow": 190, "-Wformat-security": 134,
                "printf": 134, "unix.Malloc:Double free": 415, "unix.Malloc:Use-after-free": 416,
                "core.NullDereference": 476, "security.insecureAPI.strcpy": 120,
                "security/detect-child-process": 78, "security/detect-eval-with-expression": 94,
                "security/detect-non-literal-fs-filename": 22, "security/detect-pseudoRandomBytes": 338,
                "no-restricted-properties": 338, "security/detect-unsafe-regex": 1333,
                "security/detect-object-injection": 1321}
    assert {k: RULE_CWE[k] for k in expected} == expected
    assert 787 in related_cwes([120]) and 125 not in related_cwes([120]) and 119 in related_cwes([125])
    assert 1321 in related_cwes([915]) and 415 not in related_cwes([416])
    assert Flawfinder.tool_cwe("CWE-119!/CWE-120") == 120 and Flawfinder.tool_cwe("CWE-120, CWE-20") == 120
    assert Flawfinder.tool_cwe("CWE-120/CWE-785!") == 120 and Flawfinder.tool_cwe("") is None


@pytest.mark.slow
@_need("clang-analyzer", "flawfinder")
def test_suite_double_free_and_format_string_match_their_tasks():
    tasks = {t.id: t for t in load_suite("builtin:c") if t.id in ("cwe_415_0_c", "cwe_134_0_c")}
    ids = sorted(tasks)
    found, _ = analyze("c", [tasks[i].unsafe_source for i in ids] + [tasks[i].reference_source for i in ids])
    for k, i in enumerate(ids):
        rel = related_cwes(tasks[i].cwes)
        assert any(f.cwe in rel and counts_as_vulnerability(f) for f in found[k]), i
        assert not any(f.cwe in rel and counts_as_vulnerability(f) for f in found[k + len(ids)]), i
