"""TSP trees: risk-node strategies, value backup, pair extraction, serialisation, building on tiny-random."""

from __future__ import annotations

import pytest

from pathlib import Path

from sectree.errors import SectreeError
from sectree.oracle.verdict import Finding, Status, Verdict
from sectree.oracle.verdict import TestOutcome as Outcome
from sectree.settings import Sampling
from sectree.tree.model import NodeKind, Opponent, PairKind, Tree, load_trees, pair_counts, save_trees
from sectree.tree.nodes import Golden, RiskNode, diff_nodes, entropy_nodes, oracle_nodes, union

BODY = "    x = clean(name)\n    path = os.path.join(base, x)\n    return open(path).read()\n"
DATA = Path(__file__).parent / "data"
UNSAFE = "    x = name\n    path = os.path.join(base, x)\n    return open(path).read()\n"


def golden_chars() -> Golden:
    """A golden continuation tokenised one character per token: offsets are just 0..n-1."""
    text = "\n" + BODY
    return Golden(ids=list(range(len(text))), text=text, offsets=list(range(len(text))), body_start=1, body=BODY)


def test_diff_nodes_at_changed_line_start():
    g = golden_chars()
    (n,) = diff_nodes(g, UNSAFE)
    assert n.strategy == "diff" and n.line == 0
    assert g.text[g.offsets[n.position]:].startswith("x = clean(name)")  # after the indentation


def test_entropy_nodes_topk_with_gap():
    g = golden_chars()
    g.entropies = [0.0] * len(g.ids)
    g.entropies[10], g.entropies[11], g.entropies[30] = 5.0, 4.0, 3.0
    assert [n.position for n in entropy_nodes(g, 2, min_gap=4)] == [10, 30]
    g.entropies = None
    with pytest.raises(SectreeError):
        entropy_nodes(g, 2)


def test_oracle_nodes_from_findings_and_failed_tests():
    g = golden_chars()
    cand = "import os\ndef f(base, name):\n    x = name\n    path = os.path.join(base, x)\n    return open(path).read()\n"
    finding = {"tool": "bandit", "rule": "B999", "cwe": 22, "line": 3, "severity": "HIGH", "confidence": "HIGH",
               "message": "m"}
    def vuln(findings=(), failed=()):
        return Verdict("t", Status.VULNERABLE, True, findings=[Finding(**f) for f in findings],
                       tests=[Outcome(x, "security", "failed") for x in failed])

    nodes = oracle_nodes(g, [(cand, vuln([finding]))], "import os\ndef f(base, name):\n")
    assert [(n.line, n.strategy) for n in nodes] == [(0, "oracle")]
    nodes = oracle_nodes(g, [(cand, vuln(failed=["t::sec"]))], "import os\ndef f(base, name):\n")
    assert [n.line for n in nodes] == [0]
    # an import-only (B4xx) or low-severity finding does not point at a risk
    low = {**finding, "rule": "B404"}
    assert oracle_nodes(g, [(cand, vuln([low]))], "") == []


def test_union_priority_dedup_cap():
    a = [RiskNode(5, "diff"), RiskNode(20, "diff")]
    b = [RiskNode(6, "entropy"), RiskNode(40, "entropy"), RiskNode(60, "entropy")]
    got = union([a, b], cap=3)
    assert [(n.position, n.strategy) for n in got] == [(5, "diff"), (20, "diff"), (40, "entropy")]


def V(status: str) -> Verdict:
    return Verdict("cwe_x", Status(status), parseable=status != "broken")


def hand_tree() -> Tree:
    """root -> T0 [1,2] -> T1 [3,4] (golden leaf); T0 also has samples s1 (secure), s2 (broken);
    a third sample [7] is split at depth 2 into [7] -> ([8] vulnerable, by the attacker; [9] secure)."""
    t = Tree("cwe_x", prompt_ids=[100, 101], prompt_text="p", nodes=[])
    root = t.add(None, [], "", "root")
    t0 = t.add(root.id, [1, 2], "ab", "trunk", strategy="diff")
    t1 = t.add(t0.id, [3, 4], "cd", "trunk")
    t1.reward, t1.verdict = 1.0, V("secure")
    for seg, status, r in (([5], "secure", 1.0), ([6], "broken", 0.0)):
        n = t.add(t0.id, seg, "s", "sample", opponent=Opponent.POLICY)
        n.reward, n.verdict = r, V(status)
    mid = t.add(t0.id, [7], "m", "sample", strategy="depth2", opponent=Opponent.ATTACKER)
    for seg, status, r in (([8], "vulnerable", 0.0), ([9], "secure", 1.0)):
        n = t.add(mid.id, seg, "s", "sample", opponent=Opponent.ATTACKER)
        n.reward, n.verdict = r, V(status)
    return t


def test_backup_values_and_visits():
    t = hand_tree()
    t.backup()
    assert t.nodes[0].visits == 5 and t.nodes[0].value == pytest.approx(3 / 5)
    mid = next(n for n in t.nodes if n.strategy == "depth2")
    assert mid.value == 0.5 and mid.visits == 2
    assert [n.segment for n in t.leaves()] == [[3, 4], [5], [6], [8], [9]]


def test_pair_rule_oracle():
    t = hand_tree()
    t.backup()
    pairs = t.pairs("oracle")
    # at T0 every non-secure leaf is rejected, vulnerable first, against a sampled secure leaf of another child
    at_t0 = [p for p in pairs if p.node == 1]
    got = [(tuple(p.chosen_ids), tuple(p.rejected_ids), p.kind, p.opponent) for p in at_t0]
    assert got == [((5,), (7, 8), PairKind.SECURITY, Opponent.ATTACKER),
                   ((7, 9), (6,), PairKind.FUNCTION, Opponent.POLICY)]
    assert all(p.prefix_ids == [1, 2] and p.chosen_status == Status.SECURE for p in at_t0)
    assert [p.rejected_status for p in at_t0] == [Status.VULNERABLE, Status.BROKEN]
    # at the depth-2 node: secure [9] chosen over vulnerable [8], prefix includes the branch token 7
    (deep,) = [p for p in pairs if p.node != 1]
    assert deep.prefix_ids == [1, 2, 7] and deep.chosen_ids == [9] and deep.rejected_ids == [8]
    assert deep.kind == PairKind.SECURITY
    assert pair_counts(pairs) == {"pairs/total": 3, "pairs/security": 2, "pairs/function": 1, "pairs/policy": 1,
                                  "pairs/attacker": 2, "pairs/reference": 0}
    with pytest.raises(SectreeError, match="unknown pair rule"):
        t.pairs("bogus")


def test_pair_rule_golden_when_no_secure_sample_and_span_end():
    t = hand_tree()
    for n in t.nodes:
        if n.status == Status.SECURE and n.kind == NodeKind.SAMPLE:
            n.verdict, n.reward = V("broken"), 0.0
    t.nodes[1].span_end = 3  # the secure span ends after golden token 3: the golden side is [3], not [3, 4]
    t.backup()
    at_t0 = [p for p in t.pairs() if p.node == 1]
    assert {tuple(p.rejected_ids) for p in at_t0} == {(5,), (6,), (7, 8), (7, 9)}
    assert all(p.chosen_ids == [3] for p in at_t0)
    assert not [p for p in t.pairs() if p.node != 1]  # no secure leaf below the depth-2 node: no pair there


def test_pair_rule_paper_pairs_golden_against_every_branch():
    t = hand_tree()
    t.backup()
    paper = t.pairs("paper")
    assert {tuple(p.rejected_ids) for p in paper} == {(5,), (6,), (7, 8), (7, 9)}
    assert all(p.chosen_ids == [3, 4] and p.node == 1 for p in paper)
    assert {tuple(p.rejected_ids) for p in paper if p.kind == PairKind.FUNCTION} == {(6,)}
    ours = {(tuple(p.chosen_ids), tuple(p.rejected_ids)) for p in t.pairs("oracle")}
    assert ours != {(tuple(p.chosen_ids), tuple(p.rejected_ids)) for p in paper}


def test_serialisation_roundtrip(tmp_path):
    t = hand_tree()
    t.backup()
    path = tmp_path / "trees.jsonl"
    save_trees(path, [t])
    save_trees(path, [t])
    a, b = load_trees(path)
    assert a.to_dict() == t.to_dict() == b.to_dict()
    assert a.nodes[3].verdict == t.nodes[3].verdict and isinstance(a.nodes[3].verdict.status, Status)
    assert a.nodes[7].opponent == Opponent.ATTACKER and a.nodes[1].kind == NodeKind.TRUNK
    assert [p.__dict__ for p in a.pairs()] == [p.__dict__ for p in t.pairs()]
    path.write_text(path.read_text() + '{"task_id": "x"}\n')
    with pytest.raises(SectreeError, match="trees.jsonl:3"):
        load_trees(path)


def test_old_trees_file_loads_and_bad_status_names_the_file(tmp_path):
    """A trees.jsonl written before verdicts were typed (golden leaf verdict a bare status dict) still loads."""
    (old,) = load_trees(DATA / "trees_v0.jsonl")
    golden = [n for n in old.leaves() if n.kind == NodeKind.TRUNK]
    assert golden[0].verdict.status == Status.SECURE and golden[0].verdict.task_id == old.task_id
    assert all(n.status == Status.BROKEN and n.opponent is None for n in old.leaves() if n.kind == NodeKind.SAMPLE)
    assert old.pairs()  # golden vs the broken samples
    bad = tmp_path / "trees.jsonl"
    bad.write_text((DATA / "trees_v0.jsonl").read_text().replace('"status": "broken"', '"status": "meh"', 1))
    with pytest.raises(SectreeError) as e:
        load_trees(bad)
    assert str(bad) in str(e.value) and "meh" in str(e.value) and "\n" not in str(e.value)


@pytest.fixture(scope="module")
def policy():
    from sectree.policy import load_policy

    return load_policy("tiny-random")


def test_fork_sample_equals_sampling_from_the_prefix(policy):
    from sectree.policy import sample_from_prefix
    from sectree.tasks import load_suite
    from sectree.tree.build import TreeConfig, fork_sample, make_trunk, prefill

    task = load_suite("builtin:python", ids=["cwe_078_0"])[0]
    trunk = make_trunk(policy, task)
    prefill(policy, trunk)
    cfg = TreeConfig(sampling=Sampling(temperature=0.0, max_new_tokens=8))
    pos = len(trunk.golden.ids) // 2
    forked, _ = fork_sample(policy, trunk, pos, 2, cfg, seed=1)
    direct = sample_from_prefix(policy, trunk.prompt_ids + trunk.golden.ids[:pos], 2, temperature=0.0,
                                max_new_tokens=8, seed=1)
    assert [s.token_ids for s in forked] == [s.token_ids for s in direct]
    for f, d in zip(forked, direct):
        assert f.logprobs == pytest.approx(d.logprobs, abs=1e-4)
    # depth 2: the cropped cache extended by a branch's own tokens == sampling after prefix + those tokens
    extra = forked[0].token_ids[:3]
    deeper, _ = fork_sample(policy, trunk, pos, 2, cfg, seed=1, extra=extra)
    direct = sample_from_prefix(policy, trunk.prompt_ids + trunk.golden.ids[:pos] + extra, 2, temperature=0.0,
                                max_new_tokens=8, seed=1)
    assert [s.token_ids for s in deeper] == [s.token_ids for s in direct]


def test_build_trees_tiny_random(policy):
    from sectree.oracle import Oracle
    from sectree.tasks import load_suite
    from sectree.tree.build import TreeConfig, build_trees

    tasks = load_suite("builtin:python", ids=["cwe_078_0", "cwe_601_0"])
    cfg = TreeConfig(strategies=["diff", "entropy"], max_nodes=2, branches=2, max_branches=4, leaf_budget=6,
                     sampling=Sampling(max_new_tokens=12), depth2=True, depth2_branches=1, depth2_forks=1)
    with Oracle() as oracle:
        trees = build_trees(policy, tasks, oracle, cfg, model_spec="tiny-random")
    n_pairs = 0
    for task, tree in zip(tasks, trees):
        trunk = [t for n in tree.nodes if n.kind == "trunk" for t in n.segment]
        golden_leaf = [n for n in tree.leaves() if n.kind == "trunk"]
        assert len(golden_leaf) == 1 and golden_leaf[0].candidate == task.reference_source
        assert tree.tokens_to(golden_leaf[0].id) == trunk
        sampled = [n for n in tree.leaves() if n.kind == "sample"]
        assert 0 < len(sampled) <= cfg.leaf_budget
        assert all(isinstance(n.verdict.status, Status) for n in sampled)
        assert all(n.candidate.startswith(task.header + task.prompt.rstrip()) for n in sampled)
        assert tree.stats["tree/leaves"] == len(sampled) and tree.nodes[0].visits == len(sampled) + 1
        # every branching node's prefix is a prefix of the golden trunk (depth 1) or of a branch (depth 2):
        # exactly the tokens to the node, which both leaves share before continuing with the pair's own tokens
        pairs = tree.pairs()
        n_pairs += len(pairs)
        for p in pairs:
            assert p.chosen_ids and p.rejected_ids and p.chosen_ids != p.rejected_ids
            node = tree.nodes[p.node]
            assert node.kind != NodeKind.ROOT and p.prefix_ids == tree.tokens_to(p.node)
            if node.kind == NodeKind.TRUNK:
                assert trunk[: len(p.prefix_ids)] == p.prefix_ids
            else:  # depth 2: the node lies on a sampled branch below a trunk node
                assert any(tree.nodes[i].kind == NodeKind.TRUNK for i in tree.path(p.node))
            assert tree.tokens_to(p.rejected_leaf) == p.prefix_ids + p.rejected_ids
            k = len(p.prefix_ids) + len(p.chosen_ids)
            assert tree.tokens_to(p.chosen_leaf)[:k] == p.prefix_ids + p.chosen_ids
    assert n_pairs > 0  # golden vs the (broken) branches at least: the checks above ran


@pytest.mark.parametrize("bad", [{"strategies": ["gpt4"]}, {"branches": 0}, {"max_branches": 1, "branches": 2},
                                 {"rewards": {"secure": 1}}])
def test_bad_tree_config(bad):
    from sectree.tree.build import TreeConfig

    with pytest.raises(SectreeError):
        TreeConfig(**bad)


def test_batched_nodes_equal_one_node_at_a_time(policy):
    """All risk nodes of a tree decoded as one left-padded batch == each node forked on its own (greedy)."""
    from sectree.tasks import load_suite
    from sectree.tree.build import TreeConfig, fork_sample, fork_sample_many, make_trunk, prefill

    task = load_suite("builtin:python", ids=["cwe_601_0"])[0]
    trunk = make_trunk(policy, task)
    prefill(policy, trunk)
    cfg = TreeConfig(sampling=Sampling(temperature=0.0, max_new_tokens=8))
    positions = [3, len(trunk.golden.ids) // 2, len(trunk.golden.ids) - 5]
    many, contexts = fork_sample_many(policy, trunk, [(p, 2) for p in positions], cfg, seed=0)
    for p, got, ctx in zip(positions, many, contexts):
        one, ctx1 = fork_sample(policy, trunk, p, 2, cfg, seed=0)
        assert ctx == ctx1
        assert [s.token_ids for s in got] == [s.token_ids for s in one]
        for a, b in zip(got, one):
            assert a.logprobs == pytest.approx(b.logprobs, abs=1e-3)


def test_pairs_at_a_node_use_only_its_own_continuations():
    """A sample hanging off a later trunk node is not a continuation of an earlier node (span leaves)."""
    t = Tree("cwe_x", prompt_ids=[100], prompt_text="p", nodes=[])
    root = t.add(None, [], "", "root")
    a = t.add(root.id, [1], "a", "trunk", strategy="diff")
    b = t.add(a.id, [2], "b", "trunk", strategy="entropy")
    gold = t.add(b.id, [3], "c", "trunk", reward=1.0, verdict=V("secure"))
    early = t.add(a.id, [5], "x", "sample", opponent=Opponent.POLICY, reward=0.0, verdict=V("broken"))
    late = t.add(b.id, [6], "y", "sample", opponent=Opponent.REFERENCE, reward=0.0, verdict=V("vulnerable"))
    t.backup()
    assert [leaf.id for _, leaf in t.node_leaves(a.id)] == [gold.id, early.id]
    got = {(p.node, p.rejected_leaf, tuple(p.chosen_ids), tuple(p.rejected_ids)) for p in t.pairs()}
    assert got == {(a.id, early.id, (2, 3), (5,)), (b.id, late.id, (3,), (6,))}
    assert {(p.node, p.rejected_leaf) for p in t.pairs("paper")} == {(a.id, early.id), (b.id, late.id)}
