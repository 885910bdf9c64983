"""Task format (CWEval layout), manifest, load_suite filters, and malformed-input errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sectree.errors import SectreeError
from sectree.tasks import CweTier, divergent_lines, find_entry, load_dir, load_suite

TASK_PY = '''import os
# BEGIN PROMPT
BASE = "x"

def read_note(base: str, name: str) -> str:
    """Return the text of note `name` under `base`."""
    # BEGIN SOLUTION
    path = os.path.realpath(os.path.join(base, name))
    if not path.startswith(os.path.realpath(base) + os.sep):
        return ""
    with open(path) as f:
        return f.read()
'''
UNSAFE_PY = TASK_PY.replace(
    '''    path = os.path.realpath(os.path.join(base, name))
    if not path.startswith(os.path.realpath(base) + os.sep):
        return ""
''', '''    path = os.path.join(base, name)
''')
TEST_PY = '''import pytest
from cwe_022_0_task import read_note

@pytest.mark.functionality
def test_ok(tmp_path):
    (tmp_path / "a").write_text("hi")
    assert read_note(str(tmp_path), "a") == "hi"
'''


def make_suite(root: Path, manifest: str | None = None, **overrides: str) -> Path:
    files = {"cwe_022_0_task.py": TASK_PY, "cwe_022_0_unsafe.py": UNSAFE_PY, "cwe_022_0_test.py": TEST_PY}
    files.update(overrides)
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if text is not None:
            (root / name).write_text(text)
    if manifest is not None:
        (root / "suite.toml").write_text(manifest)
    return root


def test_parts_and_decision_line(tmp_path):
    (t,) = load_dir(make_suite(tmp_path, '[tasks.cwe_022_0]\ncwes = [22]\nfamily = "read-file"\nsplit = "train"\n'))
    assert t.header == "import os\n"
    assert t.prompt.startswith('BASE = "x"') and t.prompt.rstrip().endswith('"""')
    assert t.solution.lstrip().startswith("path = os.path.realpath")
    assert t.entry == "read_note" and t.language == "python" and t.cwes == (22,)
    assert t.family == "read-file" and t.split == "train"
    # the first secure line the unsafe version changes is the realpath line
    assert t.decision_line == 0
    assert t.divergent_lines == (0, 1, 2)
    assert t.completion_context == t.prompt
    # candidates are assembled without the marker lines
    strip = lambda text: "".join(l for l in text.splitlines(keepends=True) if "BEGIN " not in l)  # noqa: E731
    assert t.reference_source == strip(TASK_PY)
    assert t.unsafe_source == strip(UNSAFE_PY)
    assert t.candidate_filename == "cwe_022_0_task.py"


def test_completion_context_stops_before_decision(tmp_path):
    secure = TASK_PY.replace("    path = os.path.realpath", "    name = name.strip()\n    path = os.path.realpath")
    unsafe = UNSAFE_PY.replace("    path = os.path.join", "    name = name.strip()\n    path = os.path.join")
    (t,) = load_dir(make_suite(tmp_path, **{"cwe_022_0_task.py": secure, "cwe_022_0_unsafe.py": unsafe}))
    assert t.decision_line == 1
    assert t.completion_context.endswith("    name = name.strip()\n")


def test_manifest_decision_line_override(tmp_path):
    (t,) = load_dir(make_suite(tmp_path, "[tasks.cwe_022_0]\ndecision_line = 2\n"))
    assert t.decision_line == 2


def test_foreign_suite_without_manifest_and_unsafe_in_test_file(tmp_path):
    test = TEST_PY + '''
def read_note_unsafe(base, name):
    """unsafe"""
    import os
    with open(os.path.join(base, name)) as f:
        return f.read()
'''
    (t,) = load_dir(make_suite(tmp_path, **{"cwe_022_0_unsafe.py": None, "cwe_022_0_test.py": test}))
    assert t.cwes == (22,) and t.split is None and t.family == "cwe_022_0"
    assert "open(os.path.join(base, name))" in t.unsafe_solution
    assert "import os" in t.unsafe_source and "def read_note" in t.unsafe_source
    compile(t.unsafe_source, "u", "exec")


def test_language_from_stem(tmp_path):
    c = "#include <stdio.h>\n// BEGIN PROMPT\nint add(int a, int b) {\n    // BEGIN SOLUTION\n    return a + b;\n}\n// BEGIN ENTRYPOINT\nint main(void) { return add(1, 2) != 3; }\n"
    (tmp_path / "cwe_190_0_c_task.c").write_text(c)
    (tmp_path / "cwe_190_0_c_unsafe.c").write_text(c.replace("return a + b;", "return a - -b;"))
    (tmp_path / "cwe_190_0_c_test.py").write_text("def test_x():\n    pass\n")
    (t,) = load_dir(tmp_path)
    assert t.language == "c" and t.entry == "add" and t.cwes == (190,)
    assert t.header == "#include <stdio.h>\n" and t.entrypoint.startswith("int main")
    assert t.candidate_filename == "cwe_190_0_c_task.c"


@pytest.mark.parametrize(
    "lang,prompt,entry",
    [
        ("python", "def helper(x):\n    pass\n\ndef target(a, b):\n    '''doc'''\n", "target"),
        ("go", "package main\n\nfunc ReadFile(base string, name string) (string, error) {\n", "ReadFile"),
        ("js", "const fs = require('fs');\nfunction readNote(base, name) {\n", "readNote"),
        ("c", "#include <stdlib.h>\nchar *read_note(const char *base, const char *name) {\n", "read_note"),
    ],
)
def test_find_entry(lang, prompt, entry):
    assert find_entry(prompt, lang) == entry


def test_divergent_lines_insertion():
    secure = "a\nb\nc\n"
    assert divergent_lines(secure, "a\nX\nb\nc\n") == [1]
    assert divergent_lines(secure, "a\nc\n") == [1]
    assert divergent_lines(secure, "a\n  b  \n\nc\n") == []


@pytest.mark.parametrize(
    "override,manifest,needle",
    [
        ({"cwe_022_0_task.py": TASK_PY.replace("# BEGIN SOLUTION", "# solution")}, None, "BEGIN SOLUTION"),
        ({"cwe_022_0_test.py": None}, None, "cwe_022_0_test.py"),
        ({}, "[tasks.cwe_022_0\ncwes = [22]", "suite.toml"),
        ({}, "[tasks.cwe_022_0]\ncwe = [22]\n", "unknown field"),
        ({}, '[tasks.cwe_022_0]\nsplit = "dev"\n', "split"),
        ({}, '[tasks.cwe_022_0]\ncwes = ["22"]\n', "cwes"),
        ({}, "[tasks.cwe_999_0]\ncwes = [1]\n", "cwe_999_0"),
        ({"cwe_022_0_unsafe.py": None}, None, "unsafe"),
    ],
)
def test_malformed_task_folders_name_the_file(tmp_path, override, manifest, needle):
    root = make_suite(tmp_path / "s", manifest, **override)
    with pytest.raises(SectreeError) as e:
        load_dir(root)
    # one line that says what is wrong and names the file or folder (the manifest's own file for its errors)
    msg = str(e.value)
    assert needle in msg and str(root) in msg and "\n" not in msg


def test_load_suite_specs_and_filters(tmp_path):
    root = make_suite(tmp_path, '[tasks.cwe_022_0]\ncwes = [22]\nsplit = "test"\n')
    assert len(load_suite(f"dir:{root}")) == 1
    assert len(load_suite(f"cweval:{tmp_path}")) == 1
    assert load_suite(f"dir:{root}", split="train") == []
    assert len(load_suite(f"dir:{root}", cwe=22)) == 1 and load_suite(f"dir:{root}", cwe=[78]) == []
    assert load_suite(f"dir:{root}", language="go") == []
    for bad in ("nope", "dir:", f"dir:{tmp_path}/missing", "builtin:cobol"):
        with pytest.raises(SectreeError):
            load_suite(bad)
    with pytest.raises(SectreeError):
        load_suite(f"dir:{root}", split="dev")


def test_builtin_python_suite_shape():
    tasks = load_suite("builtin:python")
    assert len(tasks) >= 12
    assert len({c for t in tasks for c in t.cwes}) >= 8
    for t in tasks:
        assert t.split in ("train", "test") and t.family and t.cwes, t.id
        assert t.entry in t.prompt, t.id
        compile(t.reference_source, t.id, "exec")
        compile(t.unsafe_source, t.id, "exec")
        assert 0 <= t.decision_line < len(t.solution.splitlines()), t.id


def test_cwe_tier_is_derived_from_train_tasks_of_the_same_language(tmp_path):
    manifest = "".join(
        f'[tasks.{stem}]\ncwes = {cwes}\nsplit = "{split}"\n'
        for stem, cwes, split in [("cwe_022_0", [22], "train"), ("cwe_022_1", [22], "test"),
                                  ("cwe_078_0", [78, 22], "test"), ("cwe_022_0_c", [22], "test")]
    )
    c = "// BEGIN PROMPT\nint f(void) {\n    // BEGIN SOLUTION\n    return 0;\n}\n"
    root = make_suite(tmp_path, manifest, **{
        "cwe_022_1_task.py": TASK_PY, "cwe_022_1_unsafe.py": UNSAFE_PY, "cwe_022_1_test.py": TEST_PY,
        "cwe_078_0_task.py": TASK_PY, "cwe_078_0_unsafe.py": UNSAFE_PY, "cwe_078_0_test.py": TEST_PY,
        "cwe_022_0_c_task.c": c, "cwe_022_0_c_unsafe.c": c.replace("return 0", "return 1"),
        "cwe_022_0_c_test.py": "def test_x():\n    pass\n"})
    tiers = {t.id: t.cwe_tier for t in load_dir(root)}
    # seen: every CWE has a Python train task; unseen: CWE-78 has none; the C task's CWE-22 was trained
    # only in Python, so for C it is unseen; train tasks have no tier
    assert tiers == {"cwe_022_0": None, "cwe_022_1": CweTier.SEEN, "cwe_078_0": CweTier.UNSEEN,
                     "cwe_022_0_c": CweTier.UNSEEN}
    assert {t.id: t.to_dict()["cwe_tier"] for t in load_dir(root)}["cwe_022_1"] == "seen"
    # --split filters after the tiers are derived from the whole folder
    assert {t.cwe_tier for t in load_suite(f"dir:{root}", split="test")} >= {CweTier.SEEN}
    # without train tasks next to them every test task is unseen
    (root / "suite.toml").write_text(manifest.replace('split = "train"', 'split = "test"'))
    assert {t.cwe_tier for t in load_dir(root)} == {CweTier.UNSEEN}


def test_builtin_seen_cwe_tier():
    """Issue #10 item 4: new functions (families no train task has) for CWEs the train split of their language has."""
    tasks = load_suite("builtin")
    train_families = {t.family for t in tasks if t.split == "train"}
    seen = [t for t in tasks if t.cwe_tier is CweTier.SEEN]
    per_lang = {lang: sum(t.language == lang for t in seen) for lang in ("python", "go", "js")}
    per_lang["c/cpp"] = sum(t.language in ("c", "cpp") for t in seen)
    assert per_lang["python"] >= 20 and min(per_lang.values()) >= 6, per_lang
    for t in seen:
        trained = {c for u in tasks if u.split == "train" and u.language == t.language for c in u.cwes}
        assert set(t.cwes) <= trained and t.split == "test", t.id
        assert t.family not in train_families, f"{t.id}: family {t.family!r} is a train family (a variant, not new)"
    # a family never straddles splits (docs/task-format.md)
    assert not train_families & {t.family for t in tasks if t.split == "test"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sectree", *args], capture_output=True, text=True, timeout=300)


def test_cli_tasks_list_json():
    r = _cli("tasks", "list", "--suite", "builtin", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    rows = out["tasks"]
    assert rows and {"id", "language", "cwes", "family", "split", "cwe_tier"} <= set(rows[0])
    assert all(isinstance(row["cwes"], list) for row in rows)
    # the summary counts the seen-CWE test tier per language, and agrees with the rows
    for lang, counts in out["summary"]["by_language"].items():
        mine = [row for row in rows if row["language"] == lang]
        assert counts["tasks"] == len(mine) == counts["train"] + counts["test"]
        for tier in ("seen", "unseen"):
            assert counts[f"test_{tier}_cwe"] == sum(row["cwe_tier"] == tier for row in mine), (lang, tier)
        assert counts["test_seen_cwe"] + counts["test_unseen_cwe"] == counts["test"]
    assert out["summary"]["by_language"]["python"]["test_seen_cwe"] >= 20


@pytest.mark.parametrize("args", [("tasks", "list", "--suite", "nope"), ("tasks", "check", "--suite", "dir:/nonexistent")])
def test_cli_bad_suite_is_one_line(args):
    r = _cli(*args)
    assert r.returncode == 2
    assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_cli_malformed_folder_is_one_line(tmp_path):
    root = make_suite(tmp_path, "[tasks.cwe_022_0\n")
    r = _cli("tasks", "list", "--suite", f"dir:{root}")
    assert r.returncode == 2 and "suite.toml" in r.stderr and len(r.stderr.strip().splitlines()) == 1
