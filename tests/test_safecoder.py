"""SafeCoder fixes as test-less tasks: the ``safecoder:`` loader, tree-sitter frames, the static oracle."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
import sys
from pathlib import Path

import pytest

from sectree.errors import SectreeError
from sectree.oracle import Oracle, OracleConfig, Status, Verdict
from sectree.oracle.analyzers import ANALYZERS
from sectree.oracle.static import StaticJudge, normalize
from sectree.oracle.verdict import Rule
from sectree.tasks import load_suite
from sectree.tasks.grammar import body_start, frame_for, syntax_errors
from sectree.tasks.safecoder import SkipReason, load_safecoder

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "safecoder"


def row(before: str, after: str, cwe: str = "cwe-089", name: str = "x.py", **extra) -> str:
    return json.dumps({"func_name": "f", "func_src_before": before, "func_src_after": after, "vul_type": cwe,
                       "file_name": name, "commit_link": "github.com/acme/shop/commit/abc", **extra})


PY_BEFORE = '''    def get_user(self, name):
        """Look a user up by name."""
        cur = self.db.cursor()
        cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
        return cur.fetchone()'''
PY_AFTER = PY_BEFORE.replace('''"SELECT * FROM users WHERE name = '%s'" % name''',
                             '''"SELECT * FROM users WHERE name = %s", (name,)''')
# two hunks: the decisions model splices each unsafe hunk into the golden separately
PY2_BEFORE = '''def run(cmd, path):
    os.system("ls " + path)
    x = 1
    y = 2
    subprocess.call(cmd, shell=True)
    return x + y
'''
PY2_AFTER = PY2_BEFORE.replace('os.system("ls " + path)', 'subprocess.run(["ls", path])').replace(
    "subprocess.call(cmd, shell=True)", "subprocess.call(cmd)")
JS_BEFORE = '''  render () {
    const name = this.props.name
    this.el.innerHTML = '<b>' + name + '</b>'
    return this.el
  }'''
JS_AFTER = JS_BEFORE.replace("this.el.innerHTML = '<b>' + name + '</b>'", "this.el.textContent = name")
C_BEFORE = '''get_name(char *dst, const char *src)
{
\tstrcpy(dst, src);
\treturn 0;
}'''
C_AFTER = C_BEFORE.replace("strcpy(dst, src);", "strncpy(dst, src, 12);\n\tdst[11] = 0;")
GO_BEFORE = '''func lookup(db *sql.DB, id string) error {
\tq := "SELECT name FROM t WHERE id = " + id
\t_, err := db.Query(q)
\treturn err
}'''
GO_AFTER = GO_BEFORE.replace('\tq := "SELECT name FROM t WHERE id = " + id\n\t_, err := db.Query(q)',
                             '\t_, err := db.Query("SELECT name FROM t WHERE id = ?", id)')

# 1-based line numbers of the rows below
LINES = [
    row(PY_BEFORE, PY_AFTER),                                     # 1 python, CWE-89
    row(JS_BEFORE, JS_AFTER, "cwe-079", "view.jsx"),              # 2 js (jsx), CWE-79
    row(C_BEFORE, C_AFTER, "cwe-787", "name.c"),                  # 3 c, CWE-787
    row(GO_BEFORE, GO_AFTER, "cwe-089", "db.go"),                 # 4 go, CWE-89
    row("def a\n  x\nend", "def a\n  y\nend", "cwe-078", "a.rb"),  # 5 ruby: skipped
    row("void a() { x(); }", "void a() { y(); }", "cwe-078", "A.java"),  # 6 java: skipped
    row(PY_BEFORE, PY_BEFORE),                                    # 7 identical
    "{not json",                                                  # 8 not JSON
    row(PY_BEFORE, PY_BEFORE.replace("    return", "      return")),  # 9 whitespace only
    row("def g(n=1024):\n    return n\n", "def g(n=2048):\n    return n\n", "cwe-326"),  # 10 signature only
    "",                                                           # 11 blank: ignored
    row(PY2_BEFORE, PY2_AFTER, "cwe-078", "run.py"),              # 12 python, two hunks
]


@pytest.fixture()
def rows_file(tmp_path: Path) -> Path:
    d = tmp_path / "train"
    d.mkdir()
    p = d / "sec.jsonl"
    p.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return p


@pytest.fixture()
def tasks(rows_file):
    return {t.id.rsplit("_", 1)[1]: t for t in load_suite(f"safecoder:{rows_file}")}


# ------------------------------------------------------------------------------------------ loader


def test_loader_tasks_and_skipped_rows(rows_file):
    sc = load_safecoder(rows_file)
    assert [(t.id, t.language, t.cwes) for t in sc.tasks] == [
        ("sc_train_sec_0001", "python", (89,)), ("sc_train_sec_0002", "js", (79,)),
        ("sc_train_sec_0003", "c", (787,)), ("sc_train_sec_0004", "go", (89,)),
        ("sc_train_sec_0012", "python", (78,))]
    assert all(t.test_file is None and t.split == "train" and t.family == "safecoder:acme/shop" for t in sc.tasks)
    assert [(s.line, s.reason) for s in sc.skipped] == [
        (5, SkipReason.LANGUAGE), (6, SkipReason.LANGUAGE), (7, SkipReason.IDENTICAL), (8, SkipReason.NOT_JSON),
        (9, SkipReason.WHITESPACE), (10, SkipReason.SIGNATURE_ONLY)]
    assert [s.detail for s in sc.skipped[:2]] == ["rb", "java"] and "Expecting" in sc.skipped[3].detail
    summary = sc.summary()
    assert summary["by_language"] == {"c": 1, "go": 1, "js": 1, "python": 2}
    assert summary["by_language_cwe"]["python"] == {"CWE-78": 1, "CWE-89": 1}
    assert summary["skipped_languages"] == {"java": 1, "rb": 1}


def test_testless_tasks_need_nothing_from_this_machine(tmp_path):
    from sectree.oracle.needs import missing

    p = tmp_path / "r.jsonl"  # the function imports a module that is not installed: it never runs
    p.write_text(row("def f(x):\n    import edalize_xyz\n    return x\n", "def f(x):\n    import edalize_xyz\n"
                     "    return int(x)\n") + "\n")
    assert missing(load_suite(f"safecoder:{p}")[0]) == []


def test_prompt_is_signature_and_docstring(tasks):
    py, js, c, go = tasks["0001"], tasks["0002"], tasks["0003"], tasks["0004"]
    assert py.prompt == '    def get_user(self, name):\n        """Look a user up by name."""\n'
    assert py.solution.startswith("        cur = self.db.cursor()")
    assert py.reference_source == PY_AFTER and py.unsafe_source == PY_BEFORE
    assert js.prompt == "  render () {\n" and c.prompt == "get_name(char *dst, const char *src)\n{\n"
    assert go.prompt == "func lookup(db *sql.DB, id string) error {\n"
    for t in (py, js, c, go):
        assert t.reference_source + t.unsafe_source  # golden and unsafe share the prompt
        assert t.unsafe_source.startswith(t.prompt) and t.divergent_lines


def test_folder_of_files_and_val_rows_get_no_split(tmp_path, rows_file):
    val = tmp_path / "val"
    val.mkdir()
    (val / "sec.jsonl").write_text(LINES[0] + "\n", encoding="utf-8")
    sc = load_safecoder(tmp_path)
    ids = [t.id for t in sc.tasks]
    assert "sc_val_sec_0001" in ids and "sc_train_sec_0001" in ids and len(ids) == len(set(ids))
    assert {t.id: t.split for t in sc.tasks}["sc_val_sec_0001"] is None


@pytest.mark.parametrize("text, needle", [
    (json.dumps({"func_src_before": "a", "func_src_after": "b", "vul_type": "cwe-079"}), "'file_name' is missing"),
    (json.dumps({"func_src_before": 1, "func_src_after": "b", "vul_type": "cwe-079", "file_name": "a.py"}),
     "'func_src_before' must be a string"),
    (row("a", "b", name="x.php"), "unknown extension 'php'"),
    (row("a", "b", cwe="sql injection"), "'vul_type' must look like 'cwe-089'"),
    ("[1, 2]", "must be a JSON object"),
])
def test_malformed_rows_name_file_line_and_field(tmp_path, text, needle):
    p = tmp_path / "bad.jsonl"
    p.write_text(LINES[0] + "\n" + text + "\n", encoding="utf-8")
    with pytest.raises(SectreeError) as e:
        load_safecoder(p)
    assert f"{p}:2:" in str(e.value) and needle in str(e.value)


def test_missing_path_wrong_extension_empty_folder(tmp_path):
    (tmp_path / "rows.csv").write_text("x\n")
    (tmp_path / "empty").mkdir()
    for path, needle in ((tmp_path / "nope.jsonl", "no such file"), (tmp_path / "rows.csv", "unknown extension '.csv'"),
                         (tmp_path / "empty", "no .jsonl files")):
        with pytest.raises(SectreeError, match=needle):
            load_suite(f"safecoder:{path}")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sectree", *args], capture_output=True, text=True, timeout=300)


def test_cli_tasks_list_json_and_errors(rows_file, tmp_path):
    r = _cli("tasks", "list", "--suite", f"safecoder:{rows_file}", "--json", "--language", "python")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [t["id"] for t in out["tasks"]] == ["sc_train_sec_0001", "sc_train_sec_0012"]
    assert out["summary"]["by_language"] == {"python": 2}
    assert {(s["line"], s["reason"]) for s in out["skipped"]} >= {(5, "language not judged by sectree"),
                                                                (8, "not valid JSON")}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(row("a", "b", name="x.php") + "\n")
    for spec in (f"safecoder:{bad}", f"safecoder:{tmp_path / 'missing.jsonl'}"):
        r = _cli("tasks", "list", "--suite", spec)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and r.stderr.startswith("error: "), r.stderr


@pytest.mark.skipif(not SHARED.is_dir(), reason="SafeCoder data not in ../shared")
def test_real_train_file_counts():
    sc = load_safecoder(SHARED / "train" / "sec-new-desc.jsonl")
    s = sc.summary()
    assert s["skipped_languages"] == {"java": 23, "rb": 75}  # the counts
    assert s["tasks"] + s["skipped"] == 421
    assert set(s["by_language"]) == {"python", "js", "c", "cpp", "go"}


# ------------------------------------------------------------------------------------------ grammar


def test_frames_make_fragments_parse():
    assert frame_for(JS_AFTER, "js").name == "class body"  # a method parses only inside a class
    assert frame_for(C_AFTER, "c").name == "return type"  # the return type sat on the line above
    assert frame_for("  }, function (a) {\n    go(a)\n  }.bind(this));", "js").name == "argument list"
    assert frame_for(PY_AFTER, "python").dedent
    assert frame_for("int f( {", "c") is None
    assert syntax_errors("x = (1,\n", "python") and not syntax_errors("x = (1,)\n", "python")


def test_body_start_cuts_after_signature():
    src = "def f(a,\n      b):\n    '''doc\n    string'''\n    return a\n"
    assert src[:body_start(src, "python")] == "def f(a,\n      b):\n    '''doc\n    string'''\n"
    src = "int f(void)\n{\n  /* why */\n  return 1;\n}\n"
    assert src[:body_start(src, "c")] == "int f(void)\n{\n  /* why */\n"


# ------------------------------------------------------------------------------------------ static oracle


def test_normalize_keeps_python_indentation_only():
    assert normalize("a  =  1\n\n  b\t= f( x )  \nint  y;", "js") == "a=1\nb=f(x)\nint y;"
    assert normalize("if x:\n    y\n", "python") != normalize("if x:\ny\n", "python")


def test_reference_match_decides_first(tasks):
    judge = StaticJudge(analyzers=False)
    items = [(t, t.reference_source) for t in tasks.values()] + [(t, t.unsafe_source) for t in tasks.values()]
    vs = judge.judge_many(items)
    n = len(tasks)
    assert all(v.status == Status.SECURE and v.rule == Rule.REFERENCE for v in vs[:n])
    assert all(v.status == Status.VULNERABLE and v.rule == Rule.REFERENCE for v in vs[n:])
    # whitespace does not matter (outside Python indentation)
    c = tasks["0003"]
    v = judge.judge_many([(c, c.unsafe_source.replace("strcpy(dst, src);", "strcpy( dst,  src );\n\n"))])[0]
    assert (v.status, v.rule) == (Status.VULNERABLE, Rule.REFERENCE)


def test_one_unsafe_hunk_in_the_golden_is_vulnerable(tasks):
    from sectree.tasks.decisions import decisions, splice

    t = tasks["0012"]
    ds = decisions(t)
    assert len(ds) == 2
    vs = StaticJudge(analyzers=False).judge_many([(t, splice(t, d, d.unsafe)) for d in ds]
                                                 + [(t, splice(t, d, d.secure)) for d in ds])
    assert [(v.status, v.rule) for v in vs] == [(Status.VULNERABLE, Rule.REFERENCE)] * 2 + [
        (Status.SECURE, Rule.REFERENCE)] * 2


@pytest.mark.parametrize("key, old, new", [
    ("0001", "cur.fetchone()", "cur.fetchone("),
    ("0002", "this.el.textContent = name", "this.el.textContent = = name"),
    ("0003", "dst[11] = 0;", "dst[11] = 0;\n\tif (x {"),
    ("0004", 'id)\n', 'id\n'),
])
def test_a_leaf_that_does_not_parse_is_broken(tasks, key, old, new):
    t = tasks[key]
    assert old in t.reference_source
    v = StaticJudge(analyzers=False).judge_many([(t, t.reference_source.replace(old, new, 1))])[0]
    assert (v.status, v.rule, v.parseable) == (Status.BROKEN, Rule.SYNTAX, False), v.reason


@pytest.mark.skipif(not ANALYZERS["python"][0].available(), reason="bandit not installed")
def test_analyzers_decide_the_rest(tasks):
    t = tasks["0001"]
    sql = '''"SELECT * FROM users WHERE name = %s", (name,)'''
    flagged = t.reference_source.replace(sql, '''"SELECT id FROM users WHERE name = '%s'" % name''')
    clean = t.reference_source.replace(sql, '''"SELECT id FROM users WHERE name = ?", [name]''')
    v_flagged, v_clean = StaticJudge().judge_many([(t, flagged), (t, clean)])
    assert (v_flagged.status, v_flagged.rule) == (Status.VULNERABLE, Rule.ANALYZER), v_flagged.reason
    assert "B608" in v_flagged.reason and v_flagged.finding_match
    assert (v_clean.status, v_clean.rule) == (Status.UNJUDGED, Rule.ANALYZER) and not v_clean.finding_match


@pytest.mark.skipif(not ANALYZERS["python"][0].available(), reason="bandit not installed")
def test_a_finding_the_golden_also_draws_does_not_count(tmp_path):
    # the fixed version still builds SQL from a string (bandit B608): that is the project's baseline
    before = 'def q(db, t, n):\n    s = "SELECT a FROM %s" % t\n    return db.execute(s + " WHERE n=" + n)\n'
    after = 'def q(db, t, n):\n    s = "SELECT a FROM %s" % t\n    return db.execute(s + " WHERE n=?", (n,))\n'
    p = tmp_path / "r.jsonl"
    p.write_text(row(before, after) + "\n")
    t = load_suite(f"safecoder:{p}")[0]
    leaf = after.replace('(n,)', '[n]')
    v = StaticJudge().judge_many([(t, leaf)])[0]
    assert any(f.rule == "B608" for f in v.findings)
    assert v.status == Status.UNJUDGED and not v.finding_match


def test_oracle_dispatches_testless_tasks_without_a_sandbox(tasks):
    t = tasks["0003"]
    with Oracle(OracleConfig(analyzers=False)) as o:
        vs = o.judge_many([(t, t.reference_source), (t, t.unsafe_source)])
        assert [v.status for v in vs] == [Status.SECURE, Status.VULNERABLE]
        assert o.calls == 2 and o.sandbox_runs == 0 and not vs[0].sandboxed
        assert o.expected_tests(t) == {}  # `tasks check` asks every task for its tests


@pytest.mark.skipif(not ANALYZERS["python"][0].available(), reason="bandit not installed")
def test_oracle_analyzes_a_repeated_testless_leaf_once(tasks, monkeypatch):
    """Through ``Oracle`` the static judge uses the oracle's findings cache: a repeated leaf (trees repeat
    leaves) is not analyzed again, and judges the same."""
    import importlib

    judge_mod = importlib.import_module("sectree.oracle.judge")
    seen: list[str] = []
    real = judge_mod.analyze
    monkeypatch.setattr(judge_mod, "analyze", lambda lang, srcs: (seen.extend(srcs), real(lang, srcs))[1])
    t = tasks["0001"]
    sql = '''"SELECT * FROM users WHERE name = %s", (name,)'''
    flagged = t.reference_source.replace(sql, '''"SELECT id FROM users WHERE name = '%s'" % name''')
    with Oracle(OracleConfig()) as o:
        first = o.judge_many([(t, flagged), (t, flagged)])
        again = o.judge(t, flagged)
    assert sum("SELECT id FROM users WHERE name = '%s'" in src for src in seen) == 1  # framed for the analyzers
    assert [v.status for v in [*first, again]] == [Status.VULNERABLE] * 3 and "B608" in again.reason
    assert again.findings == first[0].findings


def test_verdict_round_trip_keeps_rule_and_unjudged():
    v = Verdict("t", Status.UNJUDGED, parseable=True, rule=Rule.ANALYZER)
    d = json.loads(json.dumps(v.to_dict()))
    assert d["status"] == "unjudged" and d["rule"] == "analyzer"
    back = Verdict.from_dict(d)
    assert back.status == Status.UNJUDGED and back.rule == Rule.ANALYZER
    d.pop("rule")
    assert Verdict.from_dict(d).rule == Rule.TESTS  # records written before the field existed


def test_unjudged_leaves_get_no_reward_value_or_pair():
    from sectree.tree.model import NodeKind, Opponent, PairRule, Tree

    tree = Tree("t", [1], "p", [])
    root = tree.add(None, [], "", NodeKind.ROOT)
    trunk = tree.add(root.id, [2], "a", NodeKind.TRUNK)
    tree.add(trunk.id, [3], "b", NodeKind.TRUNK, reward=1.0,
             verdict=Verdict("t", Status.SECURE, parseable=True, rule=Rule.REFERENCE))
    for tok, status, reward in ((4, Status.UNJUDGED, None), (5, Status.VULNERABLE, 0.0)):
        tree.add(trunk.id, [tok], "c", NodeKind.SAMPLE, opponent=Opponent.POLICY, reward=reward,
                 verdict=Verdict("t", status, parseable=True, rule=Rule.ANALYZER))
    tree.backup()
    assert (tree.nodes[root.id].value, tree.nodes[root.id].visits) == (0.5, 2)  # the unjudged leaf is left out
    pairs = tree.pairs(PairRule.ORACLE)
    assert [p.rejected_status for p in pairs] == [Status.VULNERABLE]


def test_mixed_training_suite_splits_and_holds_out_tested_dev_tasks(rows_file):
    from sectree import config as cfgmod
    from sectree.train.tsp import RunConfig, split_tasks

    spec = f"safecoder:{rows_file}"
    cfg = cfgmod.build(RunConfig, {"suite": ["builtin:python", spec], "language": "python", "seed": 3})
    train, dev = split_tasks(cfg)
    assert {t.suite for t in train} == {"builtin:python", spec}
    assert {t.id for t in train} >= {"sc_train_sec_0001", "sc_train_sec_0012"}
    assert dev and all(t.test_file is not None for t in dev)  # the guard's dev rates need tests
    for seed in range(20):  # a draw from all tasks would pick a SafeCoder task in most of 20 seeds
        assert all(t.test_file is not None for t in split_tasks(replace(cfg, seed=seed))[1])
    assert not {t.id for t in dev} & {t.id for t in train}
    only = split_tasks(cfgmod.build(RunConfig, {"suite": "builtin:python", "language": "python", "seed": 3}))
    both_ids = {t.id for t in train} | {t.id for t in dev}
    assert {t.id for t in only[0]} | {t.id for t in only[1]} == {i for i in both_ids if not i.startswith("sc_")}
    for bad in ([], ["builtin:python", "builtin:python"]):
        with pytest.raises(SectreeError, match="suite"):
            RunConfig(suite=bad)
