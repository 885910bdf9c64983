"""Issue 12's done-when on built trees: what decided each leaf, and whether every SafeCoder tree whose unsafe
hunk parses got a security pair (trees grown with ``tree.opponents`` including ``reference``).

Per tree: the task's decisions, how many are aligned (a span point exists: the reference opponent splices
the unsafe hunk there), whether each aligned decision's hunk spliced into the golden parses (the oracle's own
syntax rule, ``oracle.static.syntax_problem``), and the security pairs of the oracle pair rule. Prints one
JSON line per tree, then: trees, trees whose before-hunk parses, trees with a security pair, the exceptions
(hunk parses, no security pair) and the leaves by status x deciding rule x opponent (``golden`` for the
trunk's own leaf).

Usage: .venv/bin/python benchmarks/safecoder_trees_check.py --suite safecoder:<file> --trees trees.jsonl
"""

from __future__ import annotations

import argparse
import collections
import json

from sectree.oracle.static import syntax_problem, task_facts
from sectree.tasks import load_suite
from sectree.tasks.decisions import decisions, splice
from sectree.tree.model import NodeKind, PairKind, PairRule, load_trees


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", required=True, help="the suite the trees were grown from, e.g. safecoder:<file>")
    ap.add_argument("--trees", required=True, help="trees.jsonl written by sectree trees build")
    args = ap.parse_args()
    tasks = {t.id: t for t in load_suite(args.suite)}
    trees = load_trees(args.trees)
    labels: collections.Counter = collections.Counter()
    n_parse = n_pair = 0
    exceptions = []
    for tree in trees:
        task = tasks[tree.task_id]
        facts = task_facts(task)
        ds = decisions(task)
        aligned = [d for d in ds if d.aligned]
        hunk_parses = [syntax_problem(facts, splice(task, d, d.unsafe), task.language) is None for d in aligned]
        for n in tree.nodes:
            if n.is_leaf:
                who = "golden" if n.kind == NodeKind.TRUNK else (n.opponent.value if n.opponent else "-")
                v = n.verdict
                labels[(v.status.value if v else "-", v.rule.value if v else "-", who)] += 1
        security = [p for p in tree.pairs(PairRule.ORACLE) if p.kind == PairKind.SECURITY]
        row = {"task": tree.task_id, "language": task.language, "cwes": task.cwes, "decisions": len(ds),
               "aligned": len(aligned), "hunk_parses": hunk_parses,
               "reference_leaves": [f"{n.verdict.status.value}/{n.verdict.rule.value}" for n in tree.nodes
                                    if n.is_leaf and n.opponent is not None and n.opponent.value == "reference"],
               "security_pairs": len(security)}
        print(json.dumps(row))
        n_parse += any(hunk_parses)
        n_pair += bool(security)
        if any(hunk_parses) and not security:
            exceptions.append(tree.task_id)
    print(f"trees {len(trees)}; before-hunk parses {n_parse}; with a security pair {n_pair}; "
          f"exceptions (hunk parses, no security pair): {exceptions or 'none'}")
    print("leaves by status x rule x opponent:")
    for (status, rule, who), k in sorted(labels.items()):
        print(f"  {status:10} {rule:9} {who:9} {k}")


if __name__ == "__main__":
    main()
