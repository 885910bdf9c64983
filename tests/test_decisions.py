"""Decision points (tasks.decisions): invariants on every built-in task, the decision-point rules, span_end."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sectree.tasks import load_suite
from sectree.tasks.decisions import _SENTINEL, body_decisions, decisions, span_end, splice

BUILTIN = load_suite("builtin")


@pytest.mark.parametrize("task", BUILTIN, ids=lambda t: t.id)
def test_invariants_on_every_builtin_task(task):
    ds = decisions(task)
    assert ds, "every built-in task has at least one decision"
    for d in ds:
        assert d.prefix + d.secure + d.suffix == task.solution
        assert splice(task, d, d.secure) == task.reference_source
        assert splice(task, d, d.unsafe) != task.reference_source
        assert d.secure and d.unsafe and d.secure != d.unsafe
        assert task.solution.splitlines(keepends=True)[d.line] in d.prefix[d.prefix.rfind("\n") + 1 :] + d.secure
        # the point splits no identifier or number
        if d.prefix and (d.prefix[-1].isalnum() or d.prefix[-1] == "_"):
            assert not (d.secure[0].isalnum() or d.secure[0] == "_")
            assert not (d.unsafe[0].isalnum() or d.unsafe[0] == "_")
    assert [d.index for d in ds] == list(range(len(ds)))
    # hunks are in order and do not overlap
    ends = [len(d.prefix) for d in ds]
    assert ends == sorted(ends)
    assert all(len(a.prefix) + len(a.secure) <= len(b.prefix) for a, b in zip(ds, ds[1:]))


@pytest.mark.parametrize("task", BUILTIN, ids=lambda t: t.id)
def test_a_secure_span_covers_its_hunk(task):
    """span_end over d.statements statements of the golden text ends exactly at the end of the secure hunk,
    so a span replaces it; one statement never runs past it."""
    for d in decisions(task):
        text = d.secure + d.suffix + _SENTINEL
        end = span_end(text, task.language, block=d.block, head=d.head, statements=d.statements)
        if d.aligned:
            assert end == len(d.secure), (d.head, d.secure, d.statements, end)
        else:
            assert end is None or end != len(d.secure)
        one = span_end(text, task.language, block=d.block, head=d.head)
        assert one is not None and 0 < one <= len(d.secure)
        assert (one == len(d.secure)) == (d.statements == 1 and d.aligned)


def test_almost_every_builtin_decision_is_aligned():
    ds = [d for t in BUILTIN for d in decisions(t)]
    unaligned = [(d.task_id, d.index) for d in ds if not d.aligned]
    assert len(unaligned) <= 0.05 * len(ds), unaligned


def test_point_backs_off_to_an_identifier_boundary():
    sec = "    base = os.path.realpath(b)\n    ok = os.path.commonpath([base, p]) == base\n    return ok\n"
    uns = "    base = os.path.realpath(b)\n    ok = os.path.commonprefix([base, p]) == base\n    return ok\n"
    (d,) = body_decisions("t", "python", sec, uns)
    assert d.prefix.endswith("ok = os.path.")
    assert d.secure == "commonpath([base, p]) == base\n"
    assert d.unsafe == "commonprefix([base, p]) == base\n"
    assert d.line == 1 and d.head == "    ok = os.path." and d.indent == "    "


def test_shared_call_opening_is_context():
    sec = "    r = subprocess.run(['ls', p], capture_output=True)\n    return r.stdout\n"
    uns = "    r = subprocess.run('ls ' + p, shell=True, capture_output=True)\n    return r.stdout\n"
    (d,) = body_decisions("t", "python", sec, uns)
    assert d.head == "    r = subprocess.run("
    assert d.secure.startswith("['ls', p]") and d.unsafe.startswith("'ls ' + p")


def test_pure_insertion_and_deletion_are_extended_by_a_shared_line():
    sec = "    a = 1\n    check(a)\n    b = 2\n    return b\n"
    uns = "    a = 1\n    b = 2\n    return b\n"  # the unsafe body deletes check(a)
    (d,) = body_decisions("t", "python", sec, uns)
    assert d.secure == "check(a)\n    b = 2\n" or d.secure == "    check(a)\n    b = 2\n"[4:]
    assert d.unsafe == "b = 2\n"
    # an insertion at the end of the body takes the previous shared line
    (d,) = body_decisions("t", "python", "    x = f()\n    return x\n", "    x = f()\n    return x\n    leak()\n")
    assert d.secure == "    return x\n" and d.unsafe == "    return x\n    leak()\n"
    assert d.prefix == "    x = f()\n"


def test_blank_lines_and_whitespace_do_not_make_hunks():
    sec = "    a = 1\n\n    b = 2\n"
    assert body_decisions("t", "python", sec, "  a = 1\n  b = 2\n") == []


def test_several_hunks_and_variants():
    sec = "    a = safe(x)\n    n = 1\n    b = safe(y)\n"
    uns = "    a = raw(x)\n    n = 1\n    b = raw(y)\n"
    ds = body_decisions("t", "python", sec, uns)
    assert [(d.index, d.line, d.secure, d.unsafe) for d in ds] == [
        (0, 0, "safe(x)\n", "raw(x)\n"),
        (1, 2, "safe(y)\n", "raw(y)\n"),
    ]
    task = SimpleNamespace(id="t", language="python", solution=sec, unsafe_solution=uns,
                           unsafe_variants=(uns, "    a = safe(x)\n    n = 1\n    b = eval(y)\n"))
    ds = decisions(task)
    assert [(d.variant, d.index, d.unsafe) for d in ds] == [(0, 0, "raw(x)\n"), (0, 1, "raw(y)\n"), (1, 0, "eval(y)\n")]
    # no variants: the one unsafe reference
    assert len(decisions(SimpleNamespace(id="t", language="python", solution=sec, unsafe_solution=uns))) == 2


def test_block_flag():
    # the secure hunk holds a whole compound statement: the span runs to the end of its block
    sec = "    x = 1\n    if bad(x):\n        raise ValueError(x)\n    return x\n"
    (d,) = body_decisions("t", "python", sec, "    x = 1\n    return x\n")
    # a pure deletion: the shared line after it joins both sides; the span runs two statements
    assert d.secure == "if bad(x):\n        raise ValueError(x)\n    return x\n" and d.unsafe == "return x\n"
    assert d.block and d.statements == 2
    # only the header differs: the body is shared golden text, so a span is the header line alone
    sec = "    for i in range(n):\n        use(i)\n"
    (d,) = body_decisions("t", "python", sec, "    for i in range(n + 1):\n        use(i)\n")
    assert not d.block and d.secure == "):\n" and d.unsafe == " + 1):\n" and d.statements == 1
    sec = "    if (n < 0 || n >= N) {\n        return -1;\n    }\n    return t[n];\n"
    (d,) = body_decisions("t", "c", sec, "    return t[n];\n")
    assert d.block and d.statements == 2
    # simple statements: no block, one per line
    (d,) = body_decisions("t", "c", "    char *e;\n    long n = strtol(s, &e, 10);\n    f(n);\n", "    int n = atoi(s);\n    f(n);\n")
    assert not d.block and d.statements == 2 and d.secure == "char *e;\n    long n = strtol(s, &e, 10);\n"


@pytest.mark.parametrize("language, sec, uns", [
    ("python", "    blob = f.read()\n    yaml = YAML(typ='safe')\n    self.config = yaml.load(blob)",
     "    blob = f.read()\n    self.config = yaml.load(blob)"),
    ("python", "    s.bind(addr)\n    s.close()", "    s.bind(addr)\n    s.shutdown()"),
    ("c", "    int n = 0;\n    n = strtol(s, &e, 10);", "    int n = 0;\n    n = atoi(s);"),
])
def test_a_hunk_ending_a_body_without_its_newline_is_aligned(language, sec, uns):
    """SafeCoder functions end without a newline: a hunk ending the body ends with it (not after the
    sentinel's newline), so it is aligned like the same hunk with its newline, and the span the model
    writes (the secure statements, then a newline) replaces it."""
    (d,) = body_decisions("t", language, sec, uns)
    (nl,) = body_decisions("t", language, sec + "\n", uns + "\n")
    assert d.suffix == "" and d.aligned and nl.aligned
    assert (d.secure + "\n", d.block, d.statements) == (nl.secure, nl.block, nl.statements)
    end = span_end(d.secure + "\n", language, block=d.block, head=d.head, statements=d.statements)
    assert end == len(d.secure) + 1


def test_span_end_over_several_statements():
    text = "    if bad(x):\n        raise E\n    y = x\n    return y\n"
    assert _cut(text, "python", block=True, statements=2) == "    if bad(x):\n        raise E\n    y = x\n"
    # the model leaves the block early: the span ends there and the golden body resumes
    assert _cut("x = 1;\n    }\n    y;\n", "c", block=False, statements=3) == "x = 1;\n"
    assert _cut("    a = 1\nb = 2\n", "python", block=False, statements=2) == "    a = 1\n"
    assert _cut("a;\n", "c", block=False, statements=2) is None  # the second statement has not come yet


def test_statement_running_past_the_hunk_grows_it():
    """A multi-line call whose first line differs: both hunks grow by the shared lines that finish it."""
    sec = "  return run('ls', [p], {\n    encoding: 'utf8',\n  });\n}\n"
    uns = "  return run(`ls ${p}`, {\n    encoding: 'utf8',\n  });\n}\n"
    (d,) = body_decisions("t", "js", sec, uns)
    assert d.secure == "'ls', [p], {\n    encoding: 'utf8',\n  });\n"
    assert d.unsafe == "`ls ${p}`, {\n    encoding: 'utf8',\n  });\n"
    assert d.suffix == "}\n"


def _cut(text: str, language: str, **kw) -> str | None:
    end = span_end(text, language, **kw)
    return None if end is None else text[:end]


@pytest.mark.parametrize(
    "language, text, block, head, expected",
    [
        # python: the logical line; brackets, strings and backslashes continue it
        ("python", "x = f(a,\n      b)\ny = 2\n", False, "", "x = f(a,\n      b)\n"),
        ("python", "s = ')' + '''\n(\n'''\nnext\n", False, "", "s = ')' + '''\n(\n'''\n"),
        ("python", "a = 1 + \\\n    2\nb\n", False, "", "a = 1 + \\\n    2\n"),
        ("python", "['ls', p])  # (\n    return r\n", False, "    r = run(", "['ls', p])  # (\n"),
        ("python", "if x:\n    y()\n", False, "", "if x:\n"),
        # python block: to the last line before a dedent; else/except continue; comments/blank lines skipped
        ("python", "    if x:\n        y()\n\n        z()\n    else:\n        w()\n    # c\n    q()\n", True, "",
         "    if x:\n        y()\n\n        z()\n    else:\n        w()\n"),
        ("python", "try:\n    a()\nexcept E:\n    b()\nfinally:\n    c()\nd()\n", True, "", "try:\n    a()\nexcept E:\n    b()\nfinally:\n    c()\n"),
        ("python", "if x:\n    y()\n", True, "", None),  # not ended: the next line may be deeper or 'else'
        ("python", "if x:\n    y()\nel", True, "", None),
        ("python", "x = 1\ny = 2\n", True, "", "x = 1\n"),  # not a compound statement
        # c/cpp: ';' at depth 0, not inside strings, chars, comments or for(;;)
        ("c", 'snprintf(b, n, "%s;", "}");\n    x;', False, "", 'snprintf(b, n, "%s;", "}");\n'),
        ("c", "for (i = 0; i < n; i++)\n        s += a[i];\nx;\n", False, "", "for (i = 0; i < n; i++)\n"),
        ("c", "for (i = 0; i < n; i++)\n        s += a[i];\nx;\n", True, "", "for (i = 0; i < n; i++)\n        s += a[i];\n"),
        ("c", "c = ';'; /* ; */ d = 2;\n", False, "", "c = ';';"),
        ("c", "x = 1; // done;\ny;", False, "", "x = 1; // done;\n"),
        ("c", "x = 1;", False, "", None),  # its newline has not come yet
        ("c", "if (!p) {\n        return -1;\n    }\n    use(p);\n", False, "", "if (!p) {\n"),
        ("c", "if (!p) {\n        return -1;\n    } else {\n        f();\n    }\n    use(p);\n", True, "",
         "if (!p) {\n        return -1;\n    } else {\n        f();\n    }\n"),
        ("c", "if (!p) {\n        return -1;\n    }\n", True, "", None),  # an 'else' may follow
        ("c", "do {\n        n++;\n    } while (n < 3);\n    x;\n", True, "", "do {\n        n++;\n    } while (n < 3);\n"),
        ("c", "int a[] = {1, 2};\nx;\n", False, "", "int a[] = {1, 2};\n"),
        ("c", "return 0;\n}\n", False, "", "return 0;\n"),
        ("c", "x = 1\n    }\n", False, "", "x = 1\n"),  # the enclosing block closes: the statement ended
        ("c", "    }\n    return 0;\n", False, "", "    }\n"),  # the continuation closes it: that is the statement
        ("go", "}\n\t}\n", False, "\t", "}\n"),
        ("go", "} else {\n\t\tx()\n\t}\n", False, "\t", "} else {\n"),
        ("c", "len, stdin);\nx;\n", False, "    fgets(buf, ", "len, stdin);\n"),
        ("cpp", 'std::string s = R"x";\n    std::vector<int> v{1, 2};\n', False, "", 'std::string s = R"x";\n'),
        ("cpp", "for (auto &x : v) {\n  f(x);\n}\nz();\n", True, "", "for (auto &x : v) {\n  f(x);\n}\n"),
        ("cpp", "try {\n  f();\n} catch (const std::exception &e) {\n  g();\n}\nz();\n", True, "",
         "try {\n  f();\n} catch (const std::exception &e) {\n  g();\n}\n"),
        # go: newlines end statements (automatic semicolons); composite literals are not blocks
        ("go", "x := path.Clean(p)\n\treturn x\n", False, "", "x := path.Clean(p)\n"),
        ("go", "x := T{\n\t\tA: 1,\n\t}\n\ty := 2\n", False, "", "x := T{\n\t\tA: 1,\n\t}\n"),
        ("go", "if err != nil {\n\t\treturn err\n\t}\n\tf()\n", False, "", "if err != nil {\n"),
        ("go", "if err != nil {\n\t\treturn err\n\t}\n\tf()\n", True, "", "if err != nil {\n\t\treturn err\n\t}\n"),
        ("go", "s := `a\nb`\n\tn := 1\n", False, "", "s := `a\nb`\n"),
        ("go", "x := a +\n\t\tb\n\ty\n", False, "", "x := a +\n\t\tb\n"),
        ("go", "f := func() error {\n\t\treturn nil\n\t}\n\tg()\n", True, "", "f := func() error {\n\t\treturn nil\n\t}\n"),
        # js: ';' or a newline where ASI would insert one; a leading '.' continues the statement
        ("js", "const x = a\n    .trim()\n  y()\n", False, "", "const x = a\n    .trim()\n"),
        ("js", "const x = a\n", False, "", None),  # the next line may continue it
        ("js", "const o = {\n    a: 1,\n  };\n  f();\n", False, "", "const o = {\n    a: 1,\n  };\n"),
        ("js", "const f = (a) => {\n    return a;\n  };\n  g();\n", True, "", "const f = (a) => {\n    return a;\n  };\n"),
        ("js", "if (!ok) return null;\n  g();\n", False, "", "if (!ok) return null;\n"),
        ("js", "s = `a;${b}\n}`;\n  g();\n", False, "", "s = `a;${b}\n}`;\n"),
        ("js", "execFileSync('ls', [p], {\n    encoding: 'utf8',\n  });\n}\n", False, "  return cp.",
         "execFileSync('ls', [p], {\n    encoding: 'utf8',\n  });\n"),
    ],
)
def test_span_end(language, text, block, head, expected):
    assert _cut(text, language, block=block, head=head) == expected


def test_span_end_indent_and_head():
    # indent defaults to the statement's line: head + text
    text = "ok:\n        a()\n    b()\n"
    assert _cut(text, "python", block=True, head="    if ") == "ok:\n        a()\n"
    # an explicit indent overrides it (here: deeper than the dedented line, so b() still ends it)
    assert _cut("if x:\n    a()\nb()\n", "python", block=True, indent="") == "if x:\n    a()\n"
    with pytest.raises(ValueError):
        span_end("x", "cobol", block=False)


def test_span_end_is_prefix_stable():
    """Streaming: once a cut is found for a text, every longer text with the same start cuts at the same place."""
    text = "if (!p) {\n        return -1;\n    }\n    use(p);\n}\n"
    cuts = {span_end(text[:n], "c", block=True) for n in range(len(text) + 1)} - {None}
    assert cuts == {len("if (!p) {\n        return -1;\n    }\n")}
