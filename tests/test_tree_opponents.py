"""Span leaves, opponents (policy, attacker, reference), the attacker prompt, and self-play under the same rule."""

from __future__ import annotations

import pytest

from sectree.errors import SectreeError
from sectree.oracle.verdict import Status
from sectree.settings import Sampling
from sectree.tree.model import NodeKind, Opponent, PairKind, PairRule


@pytest.fixture(scope="module")
def policy():
    from sectree.policy import load_policy

    return load_policy("tiny-random")


def task(tid: str, suite: str = "builtin:python"):
    from sectree.tasks import load_suite

    return load_suite(suite, ids=[tid])[0]


def test_attacker_prompt_names_the_weakness_and_asks_for_the_simplest_code(policy):
    from sectree.policy import build_prompt
    from sectree.policy.prompts import weakness

    t = task("cwe_022_0")
    text = build_prompt(policy, t, template="attacker", mode="completion").text
    assert "Ignore path traversal (CWE-22)" in text and "simplest implementation" in text
    assert "do not validate, sanitize, escape or restrict" in text
    assert "Ignore" not in build_prompt(policy, t, template="direct", mode="completion").text
    assert weakness((79, 9999)) == "cross-site scripting (CWE-79) and CWE-9999"


def test_span_points_splice_back_to_the_references(policy):
    """The golden secure span spliced at a diff point is the reference source; the unsafe one is the unsafe body."""
    from sectree.tasks.decisions import decisions
    from sectree.tree.build import make_trunk
    from sectree.tree.span import decision_points, splice

    for tid in ("cwe_022_0", "cwe_078_0"):
        t = task(tid)
        trunk = make_trunk(policy, t)
        g = trunk.golden
        (p,) = decision_points(t, g, trunk.code, decisions(t))
        assert splice(t, g, trunk.code, p, g.text[p.char: p.secure_end]) == t.reference_source
        assert splice(t, g, trunk.code, p, p.unsafe[0]) == t.header + t.prompt + t.unsafe_solution + t.entrypoint
        assert g.offsets[p.position] == p.char  # branches start on a token boundary


def test_span_stop_ends_at_the_statement():
    from sectree.tree.span import SpanPoint

    p = SpanPoint(position=0, char=0, language="python", head="    path = os.path.", indent="    ", block=False,
                  secure_end=0, suffix="")
    assert p.end("join(base, name))\n    return path\n") == len("join(base, name))\n")
    assert p.end("join(base,\n        name))\n    x\n") == len("join(base,\n        name))\n")
    assert p.end("join(base, name") is None  # not ended yet: keep sampling
    assert p.end("join(a))\n```\n") == len("join(a))\n")
    assert p.stop(pre="jo").cut("in(a))\n    y\n") == len("in(a))\n")  # depth 2: the branch's own text first
    c = SpanPoint(position=0, char=0, language="c", head="    ", indent="    ", block=False, secure_end=0, suffix="")
    assert c.end("n = strlen(s); // x\n    return n;\n") == len("n = strlen(s); // x\n")


def test_bad_opponents_and_leaf_say_the_choices():
    from sectree.tree.build import LeafMode, TreeConfig

    assert TreeConfig(opponents=["attacker", "reference"]).opponents == [Opponent.ATTACKER, Opponent.REFERENCE]
    assert TreeConfig(leaf="rest").leaf == LeafMode.REST
    with pytest.raises(SectreeError, match="policy, attacker, reference"):
        TreeConfig(opponents=["gpt4"])
    with pytest.raises(SectreeError, match="span, rest"):
        TreeConfig(leaf="whole")
    with pytest.raises(SectreeError, match="reference needs tree.leaf: span"):
        TreeConfig(leaf="rest", opponents=["reference"])
    with pytest.raises(SectreeError, match="each once"):
        TreeConfig(opponents=["policy", "policy"])


def test_config_file_opponents_become_enums(tmp_path):
    from sectree import config as cfgmod
    from sectree.train.tsp import RunConfig

    p = tmp_path / "c.yaml"
    p.write_text("tree:\n  leaf: span\n  opponents: [policy, attacker, reference]\n")
    cfg = cfgmod.load(RunConfig, p)
    assert cfg.tree.opponents == [Opponent.POLICY, Opponent.ATTACKER, Opponent.REFERENCE]
    p.write_text("tree:\n  opponents: [policy, hacker]\n")
    with pytest.raises(SectreeError, match="tree.opponents.*hacker"):
        cfgmod.load(RunConfig, p)


def test_tree_with_all_opponents(policy):
    """Every leaf carries its opponent; the reference leaf is the unsafe hunk, judged vulnerable; budgets hold;
    an attacker branch is what the attacker prompt + golden prefix samples on its own (greedy)."""
    from sectree.oracle import Oracle
    from sectree.policy import build_prompt, sample_from_prefix
    from sectree.tree.build import TreeConfig, build_trees

    t = task("cwe_078_0")
    cfg = TreeConfig(strategies=["diff", "entropy"], max_nodes=2, branches=5, max_branches=5, leaf_budget=9,
                     sampling=Sampling(max_new_tokens=10, temperature=0.0), opponents=["policy", "attacker", "reference"])
    with Oracle() as oracle:
        (tree,) = build_trees(policy, [t], oracle, cfg, model_spec="tiny-random")
    sampled = [n for n in tree.leaves() if n.kind == NodeKind.SAMPLE]
    assert {n.opponent for n in sampled} == {Opponent.POLICY, Opponent.ATTACKER, Opponent.REFERENCE}
    assert len(sampled) <= cfg.leaf_budget
    for n in tree.nodes:
        assert sum(tree.nodes[c].kind == NodeKind.SAMPLE for c in n.children) <= cfg.branches
    (ref,) = [n for n in sampled if n.opponent == Opponent.REFERENCE]
    assert ref.status == Status.VULNERABLE and "shell=True" in ref.text
    assert tree.stats["tree/leaves_reference_vulnerable"] == 1
    assert tree.stats["tree/leaves_attacker_broken"] + tree.stats["tree/leaves_attacker_secure"] \
        + tree.stats["tree/leaves_attacker_vulnerable"] == sum(n.opponent == Opponent.ATTACKER for n in sampled)
    pairs = tree.pairs()
    assert any(p.kind == PairKind.SECURITY and p.opponent == Opponent.REFERENCE for p in pairs)
    assert tree.stats["tree/pairs_reference"] == sum(p.opponent == Opponent.REFERENCE for p in pairs)
    # the attacker's branches: sampled after the attacker prompt, not the policy's
    att = next(n for n in sampled if n.opponent == Opponent.ATTACKER)
    hang = tree.nodes[att.parent]
    pos = hang.prefix_len + len(hang.segment)
    prompt = list(build_prompt(policy, t, template="attacker", mode="completion").ids)
    gold = [x for n in tree.nodes if n.kind == NodeKind.TRUNK for x in n.segment]
    direct = sample_from_prefix(policy, prompt + gold[:pos], 1, temperature=0.0, max_new_tokens=10)
    assert att.segment == direct[0].token_ids[: len(att.segment)]
    # span leaves: a sampled leaf's candidate is golden text + its span + the golden body after the secure span
    assert all(n.candidate.endswith(t.entrypoint) for n in sampled)


def test_selfplay_uses_the_same_rule_budget_and_opponents(policy, monkeypatch):
    """Self-play pairs come from the tree pair rule: broken answers are rejected as function pairs (the old
    baseline dropped them), the reference body as a security pair; the leaf budget is tree.leaf_budget."""
    import sectree.tree.model as model
    from sectree.oracle import Oracle
    from sectree.train.tsp import RunConfig, pair_rule, selfplay_trees

    calls = []
    real = model.node_pairs
    monkeypatch.setattr(model, "node_pairs", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    from sectree.tree.build import TreeConfig

    cfg = RunConfig(method="selfplay", model="tiny-random",
                    tree=TreeConfig(leaf_budget=5, sampling=Sampling(max_new_tokens=8), opponents=["policy", "attacker", "reference"]))
    assert pair_rule(cfg) == pair_rule(RunConfig(method="tsp")) == PairRule.ORACLE
    assert pair_rule(RunConfig(method="tsp-paper")) == PairRule.PAPER
    with Oracle() as oracle:
        (tree,) = selfplay_trees(policy, [task("cwe_078_0")], oracle, cfg)
    sampled = [n for n in tree.leaves() if n.kind == NodeKind.SAMPLE]
    assert len(sampled) == cfg.tree.leaf_budget
    assert sorted(n.opponent.value for n in sampled) == ["attacker", "attacker", "policy", "policy", "reference"]
    pairs = tree.pairs(pair_rule(cfg))
    assert calls and set(calls) == {PairRule.ORACLE}
    broken = [n for n in sampled if n.status == Status.BROKEN]
    assert {p.rejected_leaf for p in pairs if p.kind == PairKind.FUNCTION} == {n.id for n in broken}
    assert any(p.kind == PairKind.SECURITY and p.opponent == Opponent.REFERENCE for p in pairs)
    assert all(p.prefix_ids == [] for p in pairs)  # whole answers: the pair diverges at the prompt


def test_tsp_and_tsp_paper_pairs_differ_on_a_real_tree():
    """A SmolLM2 tree (Python train task cwe_022_0, opponents policy, attacker, reference; span leaves; built by
    `sectree trees build ... --set 'opponents=[policy,attacker,reference]'`): our rule chooses the sampled
    secure spans, the paper's rule rejects one of them against the golden span."""
    from pathlib import Path

    from sectree.tree.model import load_trees
    from sectree.tree.view import render_html, tree_counts

    (tree,) = load_trees(Path(__file__).parent / "data" / "tree_smollm2_cwe_022_0.jsonl")
    ours, paper = tree.pairs(PairRule.ORACLE), tree.pairs(PairRule.PAPER)

    def key(ps):
        return {(p.node, tuple(p.chosen_ids), tuple(p.rejected_ids)) for p in ps}

    assert key(ours) != key(paper)
    secure = {n.id for n in tree.leaves() if n.kind == NodeKind.SAMPLE and n.status == Status.SECURE}
    assert secure and {p.chosen_leaf for p in ours} & secure  # ours: on-policy secure spans are chosen
    assert {p.rejected_leaf for p in paper} & secure  # paper: a secure branch is rejected
    assert not {p.rejected_leaf for p in ours} & secure
    # a node with both a secure and a vulnerable continuation, and the viewer names each leaf's opponent
    assert tree.stats["tree/nodes_with_contrast"] >= 1
    page = render_html([tree])
    for who in ("policy", "attacker", "reference", "golden"):
        assert f"</span>{who} · node" in page
    assert tree_counts(tree)["leaves_by_opponent"]["reference"]["vulnerable"] == 1


def test_report_counts_training_leaves_by_opponent(tmp_path):
    """The experiment report gets leaves by opponent and verdict from the runs' stats (train_info)."""
    import json

    from sectree.experiment.report import leaves_table
    from sectree.experiment.runner import train_info
    from sectree.train.tsp import RunConfig

    rows = [{"method": "tsp", "round": 1, "tree/leaves_policy_secure": 1, "tree/leaves_policy_broken": 5,
             "tree/leaves_policy_vulnerable": 0, "tree/leaves_reference_secure": 0,
             "tree/leaves_reference_vulnerable": 2, "tree/leaves_reference_broken": 1,
             "pairs/security": 2, "pairs/function": 6}]
    (tmp_path / "stats.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "final.json").write_text(json.dumps({"model_spec": "m"}))
    info = train_info(RunConfig(), tmp_path)
    assert info["leaves_by_opponent"] == {"policy": {"secure": 1, "vulnerable": 0, "broken": 5},
                                          "reference": {"secure": 0, "vulnerable": 2, "broken": 1}}
    table = leaves_table({"runs": [{"method": "tsp", "seed": 0, "train": info}]})
    assert table["rows"] == [["tsp", "0", "policy", "1", "0", "5", "2 / 6"],
                             ["tsp", "0", "reference", "0", "2", "1", "2 / 6"]]
    assert leaves_table({"runs": [{"method": "sft", "seed": 0, "train": {}}]}) is None


def test_golden_continuation_ends_its_span_where_the_secure_hunk_ends(policy):
    """On every built-in decision point the span rule, fed the golden text, cuts exactly at the secure hunk's end:
    a sampled span is then the same unit as the secure one (multi-statement hunks included: an inserted check
    takes the next shared line with it), so a splice of a correct span is not broken by construction."""
    from sectree.tasks import load_suite
    from sectree.tasks.decisions import decisions
    from sectree.tree.build import make_trunk
    from sectree.tree.span import decision_points

    multi, wrong = 0, []
    for t in load_suite("builtin"):
        trunk = make_trunk(policy, t)
        g = trunk.golden
        for p in decision_points(t, g, trunk.code, decisions(t)):
            multi += p.statements > 1
            if p.end(g.text[p.char:]) != p.secure_end - p.char:
                wrong.append((t.id, p.position))
    assert multi > 0  # the built-in suite has multi-statement secure hunks (the case this guards)
    assert not wrong, wrong[:10]
