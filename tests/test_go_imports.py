"""Go candidates are not broken by the task header's import lines (tasks.assemble.fix_go_header_imports)."""

from __future__ import annotations

from sectree.tasks import load_suite
from sectree.tasks.assemble import assemble, fix_go_header_imports, go_import_specs
from sectree.tasks.decisions import decisions, splice

HEADER = 'package main\n\nimport (\n\t"fmt"\n\t"os"\n\t_ "embed"\n\t"math/rand/v2"\n)\n\n'


def test_unused_header_import_is_dropped_used_and_blank_stay():
    body = 'func f() { fmt.Println(rand.N(3)) }\n'
    out = fix_go_header_imports(HEADER + body, HEADER)
    assert go_import_specs(out) == ['"fmt"', '_ "embed"', '"math/rand/v2"']
    assert out.endswith(body)


def test_a_name_in_a_string_or_comment_is_no_use():
    body = 'func f() string { // os.Exit\n\treturn "os.Args" + fmt.Sprint(rand.N(2)) }\n'
    assert '"os"' not in go_import_specs(fix_go_header_imports(HEADER + body, HEADER))


def test_known_import_is_added_when_named_and_nothing_changes_otherwise():
    header = 'package main\n\nimport "fmt"\n\n'
    body = 'func f() { fmt.Println(filepath.Join("a", "b")) }\n'
    out = fix_go_header_imports(header + body, header, known=['"path/filepath"', '"strings"'])
    assert go_import_specs(out) == ['"fmt"', '"path/filepath"']
    same = 'func g() { fmt.Println(1) }\n'
    assert fix_go_header_imports(header + same, header, known=['"strings"']) == header + same


def test_program_not_starting_with_the_header_is_left_alone():
    assert fix_go_header_imports("package main\n", HEADER) == "package main\n"


def test_builtin_go_references_and_spliced_secure_hunks_are_unchanged():
    for task in load_suite("builtin:go"):
        for d in decisions(task):
            assert splice(task, d, d.secure) == task.reference_source, task.id
        # the secure body as a completion-mode answer assembles to the reference itself
        assert assemble(task, task.solution, "completion").startswith(task.header), task.id


def test_spliced_unsafe_hunk_drops_the_import_only_the_secure_hunk_used():
    # cwe_377_0_go: the secure body names os.CreateTemp only; the unsafe hunk needs path/filepath and math/rand,
    # which its own reference file imports
    task = next(t for t in load_suite("builtin:go") if t.id == "cwe_377_0_go")
    d = decisions(task)[0]
    specs = go_import_specs(splice(task, d, d.unsafe))
    assert '"path/filepath"' in specs and '"math/rand"' in specs
