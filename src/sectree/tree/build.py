"""Grow TSP trees: golden trunk (teacher-forced), opponent branches at risk nodes, oracle-judged leaves.

Per tree the prompt + golden trunk is prefilled **once**; each risk node crops a copy of that KV cache to
its prefix and forks it B ways (``batch_repeat_interleave``), so branches never re-prefill their prefix.
Leaves of all trees are judged together (``Oracle.judge_many`` uses every core). Nodes whose branches
bring no secure/vulnerable contrast are resampled with more branches (adaptive branching) up to a cap and
within the tree's leaf budget. Optional depth 2 forks again inside sampled branches at their
highest-entropy token.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import torch

from sectree.errors import SectreeError
from sectree.oracle.verdict import Status, Verdict
from sectree.policy import SamplingConfig, StopRule, fork
from sectree.tasks import Task
from sectree.tree.model import REWARDS_DEFAULT, NodeKind, Tree
from sectree.tree.nodes import Golden, RiskNode, check_strategies, diff_nodes, entropy_nodes, oracle_nodes, \
    token_offsets, union


@dataclass
class TreeConfig:
    """How trees are grown (symbols as in the TSP paper where it has them)."""

    strategies: list[str] = field(default_factory=lambda: ["diff", "entropy"])
    """Risk-node strategies in priority order: diff, oracle, entropy."""
    max_nodes: int = 3
    """Cap on risk nodes per tree."""
    entropy_k: int = 2
    """Top-k entropy positions offered by the entropy strategy."""
    branches: int = 4
    """B: opponent continuations sampled at each risk node."""
    max_branches: int = 12
    """Adaptive branching: a node without a secure/vulnerable contrast is resampled up to this many branches."""
    leaf_budget: int = 24
    """Most sampled leaves per tree (bounds oracle calls)."""
    depth2: bool = False
    """Fork again inside sampled branches at their highest-entropy token."""
    depth2_branches: int = 2
    """Branches per depth-2 fork."""
    depth2_forks: int = 2
    """Most depth-2 forks per tree (vulnerable branches first)."""
    oracle_samples: int = 4
    """Samples drawn (and judged) per task for the oracle strategy."""
    temperature: float = 1.0
    top_p: float = 0.95
    max_new_tokens: int = 256
    rewards: dict = field(default_factory=lambda: dict(REWARDS_DEFAULT))
    """Leaf reward per verdict status (e.g. broken -0.5 to punish breaking the code)."""
    template: str = "direct"
    seed: int = 0

    def __post_init__(self) -> None:
        check_strategies(self.strategies)
        for name in ("max_nodes", "branches", "max_branches", "leaf_budget", "max_new_tokens"):
            if getattr(self, name) < 1:
                raise SectreeError(f"tree.{name} must be >= 1, got {getattr(self, name)}")
        if self.max_branches < self.branches:
            raise SectreeError("tree.max_branches must be >= tree.branches")
        if set(self.rewards) != set(REWARDS_DEFAULT):
            raise SectreeError(f"tree.rewards must give a reward for each of {sorted(REWARDS_DEFAULT)}")


# ------------------------------------------------------------------------------------------ the trunk


@dataclass
class Trunk:
    task: Task
    ctx_task: Task
    """The task with its completion context at the start of the body (how branches are assembled)."""
    prompt_ids: list[int]
    prompt_text: str
    stop_context: str
    golden: Golden
    prefix: fork.Prefix | None = None
    """prompt + golden prefilled once (``prefill``): the KV cache every branch forks from."""


def make_trunk(policy, task: Task, template: str = "direct") -> Trunk:
    """Render the task so the model continues the function right after its prompt; the golden body follows."""
    from sectree.policy import build_prompt

    ctx_task = dataclasses.replace(task, decision_line_override=0)
    prompt = build_prompt(policy, ctx_task, template=template, mode="completion")
    code = prompt.code
    rest = task.prompt[len(code):] if task.prompt.startswith(code) else "\n"
    text = rest + task.solution + ("```" if prompt.chat else "")
    ids_all = policy.encode(prompt.text + text, special=not prompt.chat)
    if ids_all[: len(prompt.ids)] == list(prompt.ids):
        golden_ids = ids_all[len(prompt.ids):]
    else:  # the tokenizer merged across the boundary: keep the prompt's own tokens
        golden_ids = policy.encode(text)
    golden = Golden(ids=golden_ids, text=policy.decode(golden_ids), offsets=token_offsets(policy.decode, golden_ids),
                    body_start=len(rest), body=task.solution)
    return Trunk(task, ctx_task, list(prompt.ids), prompt.text, prompt.stop.context, golden)


def prefill(policy, trunk: Trunk) -> None:
    """One forward over prompt + golden: the KV cache to fork from and the teacher-forced entropies."""
    trunk.prefix = fork.prefill(policy, trunk.prompt_ids + trunk.golden.ids)
    n = len(trunk.prompt_ids)
    logp = torch.log_softmax(trunk.prefix.logits[n - 1 : -1], dim=-1)  # (G, V): predicts golden token i
    trunk.golden.entropies = (-(logp.exp() * logp).sum(-1)).tolist()


def _config(cfg: TreeConfig, seed: int, stop: bool) -> SamplingConfig:
    return SamplingConfig(n=1, temperature=cfg.temperature, top_p=cfg.top_p, max_new_tokens=cfg.max_new_tokens,
                          seed=seed, eos_ids=None if stop else ())


def fork_sample(policy, trunk: Trunk, position: int, B: int, cfg: TreeConfig, seed: int, extra: Sequence[int] = (),
                stop: bool = True):
    """B continuations from prompt + golden[:position] (+ ``extra`` sampled tokens), from the trunk's cache.

    ``stop=False`` ignores stop rules and EOS (every row gets max_new_tokens tokens; for benchmarks)."""
    g = trunk.golden
    char = g.offsets[position] if position < len(g.ids) else len(g.text)
    context_text = g.text[:char] + policy.decode(list(extra))
    rule = StopRule(trunk.task.language, trunk.stop_context + context_text) if stop else None
    branch = fork.Branch(trunk.prefix, len(trunk.prompt_ids) + position, B, rule, tuple(extra), stream=0)
    return fork.fork(policy, [branch], _config(cfg, seed, stop))[0], context_text


def fork_sample_many(policy, trunk: Trunk, requests: Sequence[tuple[int, int]], cfg: TreeConfig, seed: int,
                     stop: bool = True):
    """Branches at several golden positions decoded as ONE batch (``policy.fork``): [(position, B), ...] ->
    samples per request, and the golden text before each position."""
    g = trunk.golden
    branches, contexts = [], []
    for pos, B in requests:
        char = g.offsets[pos] if pos < len(g.ids) else len(g.text)
        contexts.append(g.text[:char])
        rule = StopRule(trunk.task.language, trunk.stop_context + g.text[:char]) if stop else None
        branches.append(fork.Branch(trunk.prefix, len(trunk.prompt_ids) + pos, B, rule))
    return fork.fork(policy, branches, _config(cfg, seed, stop)), contexts


def _seed(cfg: TreeConfig, task_id: str, *parts) -> int:
    h = hashlib.sha256(":".join(map(str, (cfg.seed, task_id, *parts))).encode()).digest()
    return int.from_bytes(h[:4], "little")


# ------------------------------------------------------------------------------------------ one tree


class TreeBuilder:
    """Holds one task's trunk and tree while its leaves are sampled and judged in batches."""

    def __init__(self, policy, task: Task, cfg: TreeConfig, model_spec: str = "", round_: int = 0):
        from sectree.tasks.assemble import assemble

        self.policy, self.task, self.cfg, self._assemble = policy, task, cfg, assemble
        self.trunk = make_trunk(policy, task, cfg.template)
        self.tree = Tree(task.id, self.trunk.prompt_ids, self.trunk.prompt_text, [], model=model_spec, round=round_)
        self.pending: list[int] = []  # leaf node ids awaiting a verdict
        self.tokens = 0
        self.resampled = 0

    # ---- risk nodes
    def risk_nodes(self, vulnerable_samples: Sequence[tuple[str, Verdict]] = ()) -> list[RiskNode]:
        g, cfg = self.trunk.golden, self.cfg
        groups = []
        for s in cfg.strategies:
            if s == "diff":
                groups.append(diff_nodes(g, self.task.unsafe_solution))
            elif s == "oracle":
                groups.append(oracle_nodes(g, vulnerable_samples, self.task.header + self.task.prompt))
            elif s == "entropy":
                groups.append(entropy_nodes(g, cfg.entropy_k))
        # a node must leave something to sample before the end of the golden continuation
        return [n for n in union(groups, cfg.max_nodes) if 0 <= n.position < len(g.ids)]

    # ---- structure: root -> trunk segments split at the node positions
    def grow_trunk(self, nodes: list[RiskNode]) -> dict[int, int]:
        """Create the trunk nodes; returns position -> id of the node after which branches hang."""
        g, tree = self.trunk.golden, self.tree
        root = tree.add(None, [], "", "root")
        cuts = sorted({n.position for n in nodes if n.position > 0})
        bounds = [0, *cuts, len(g.ids)]
        hang = {0: root.id}
        parent = root.id
        strategy = {n.position: n.strategy for n in nodes}
        root.strategy = strategy.get(0, "")
        for a, b in zip(bounds[:-1], bounds[1:]):
            seg = g.ids[a:b]
            node = tree.add(parent, seg, g.text[g.offsets[a]: g.offsets[b] if b < len(g.ids) else len(g.text)], "trunk",
                            strategy=strategy.get(b, ""))
            hang[b] = node.id
            parent = node.id
        # the last trunk node is the golden leaf: the reference solution, secure by construction
        last = tree.nodes[parent]
        last.candidate = self.task.reference_source
        last.verdict = Verdict(self.task.id, Status.SECURE, parseable=True, reason="golden reference")
        last.reward = self.cfg.rewards["secure"]
        return {p: hang[p] for p in {n.position for n in nodes}}

    def branch(self, hang_id: int, position: int, B: int, attempt: int, extra_from: int | None = None) -> None:
        """Sample B leaves under node ``hang_id`` (prefix = golden[:position] + the tokens of ``extra_from``)."""
        extra: list[int] = []
        if extra_from is not None:
            extra = self.tree.tokens_to(extra_from)[position:]
        samples, context_text = fork_sample(self.policy, self.trunk, position, B, self.cfg,
                                            _seed(self.cfg, self.task.id, hang_id, attempt), extra)
        self._add_leaves(hang_id, samples, context_text)

    def branch_many(self, requests: list[tuple[int, int, int]], attempt: int) -> None:
        """Sample at several nodes in one decode batch: requests are (hang node id, golden position, B)."""
        outs, contexts = fork_sample_many(self.policy, self.trunk, [(pos, B) for _, pos, B in requests], self.cfg,
                                          _seed(self.cfg, self.task.id, "batch", attempt))
        for (hid, _, _), samples, context_text in zip(requests, outs, contexts):
            self._add_leaves(hid, samples, context_text)

    def _add_leaves(self, hang_id: int, samples, context_text: str) -> None:
        for s in samples:
            self.tokens += len(s.token_ids)
            answer = context_text + s.text
            leaf = self.tree.add(hang_id, s.token_ids, s.text, "sample", logprobs=s.logprobs, entropies=s.entropies,
                                 candidate=self._assemble(self.trunk.ctx_task, answer, "completion", healed=True))
            self.pending.append(leaf.id)

    def sampled_leaves(self) -> int:
        return sum(1 for n in self.tree.nodes if n.kind == "sample" and n.is_leaf)

    def set_verdicts(self, verdicts: list[Verdict]) -> None:
        for i, v in zip(self.pending, verdicts):
            n = self.tree.nodes[i]
            n.verdict, n.reward = v, self.cfg.rewards[v.status.value]
        self.pending = []

    def contrast(self, hang_id: int) -> bool:
        """Does this branching node have both a secure and a vulnerable continuation below it?"""
        statuses = {leaf.status for leaf in self.tree.leaves(hang_id)}
        return {Status.SECURE, Status.VULNERABLE} <= statuses

    def split_for_depth2(self, leaf_id: int) -> tuple[int, int] | None:
        """Turn a sampled leaf into s[:q] -> (s[q:] leaf, new branches); returns (node id, position)."""
        tree = self.tree
        leaf = tree.nodes[leaf_id]
        ents = leaf.entropies
        if len(leaf.segment) < 6:
            return None
        q = max(range(2, len(leaf.segment) - 2), key=lambda i: ents[i])
        # the leaf keeps s[:q]; its old content moves to a new child holding s[q:]
        rest = tree.add(leaf_id, leaf.segment[q:], self.policy.decode(leaf.segment[q:]), "sample",
                        logprobs=leaf.logprobs[q:], entropies=leaf.entropies[q:], candidate=leaf.candidate,
                        verdict=leaf.verdict, reward=leaf.reward)
        leaf.segment, leaf.text = leaf.segment[:q], self.policy.decode(leaf.segment[:q])
        leaf.logprobs, leaf.entropies = leaf.logprobs[:q], leaf.entropies[:q]
        leaf.candidate, leaf.verdict, leaf.reward, leaf.strategy = None, None, None, "depth2"
        del rest
        return leaf_id, leaf.prefix_len

    def finish(self, pair_mode: str) -> Tree:
        tree = self.tree
        tree.backup()
        leaves = [n for n in tree.leaves() if n.kind == "sample"]
        statuses = [n.status for n in leaves]
        pairs = tree.pairs(pair_mode)
        branching = [n for n in tree.nodes if len(n.children) >= 2]
        tree.stats = {
            "tree/risk_nodes": len(branching),
            "tree/leaves": len(leaves),
            **{f"tree/leaves_{s.value}": statuses.count(s) for s in Status},
            "tree/pairs": len(pairs),
            "tree/distinct_rejected": len({tuple(p.rejected_ids) for p in pairs}),
            "tree/nodes_with_contrast": sum(self.contrast(n.id) for n in branching),
            "tree/resampled_nodes": self.resampled,
            "tree/tokens_generated": self.tokens,
            "oracle/calls": len(leaves),
        }
        return tree


# ------------------------------------------------------------------------------------------ many trees


def build_trees(policy, tasks: Sequence[Task], oracle, cfg: TreeConfig, *, pair_mode: str = "oracle",
                model_spec: str = "", round_: int = 0, progress: Callable[[str], None] | None = None) -> list[Tree]:
    """Grow one tree per task with ``policy`` as the opponent; leaves judged by ``oracle`` in batches."""
    from sectree.policy import build_prompt, sample
    from sectree.tasks.assemble import assemble

    say = progress or (lambda _msg: None)
    t0 = time.monotonic()
    builders = [TreeBuilder(policy, t, cfg, model_spec, round_) for t in tasks]
    vuln: dict[str, list[tuple[str, Verdict]]] = {t.id: [] for t in tasks}
    if "oracle" in cfg.strategies:  # whole samples from the prompt, judged, to locate the mistakes
        items = []
        for b in builders:
            prompt = build_prompt(policy, b.task, template=cfg.template, mode="full")
            for s in sample(policy, [prompt], n=cfg.oracle_samples, temperature=cfg.temperature, top_p=cfg.top_p,
                            max_new_tokens=cfg.max_new_tokens, seed=_seed(cfg, b.task.id, "oracle")):
                b.tokens += len(s.token_ids)
                items.append((b.task, assemble(b.task, s.text, "full", healed=bool(prompt.code))))
        say(f"judging {len(items)} samples for oracle risk nodes")
        for (task, cand), v in zip(items, oracle.judge_many(items)):
            if v.status == Status.VULNERABLE:
                vuln[task.id].append((cand, v))
    hangs: list[dict[int, int]] = []
    for b in builders:  # depth 1: B branches at every risk node, from one prefill per tree
        prefill(policy, b.trunk)
        hang = b.grow_trunk(b.risk_nodes(vuln[b.task.id]))
        hangs.append(hang)
        requests, budget = [], cfg.leaf_budget
        for pos, hid in sorted(hang.items()):
            B = min(cfg.branches, budget)
            if B > 0:
                requests.append((hid, pos, B))
                budget -= B
        if requests:
            b.branch_many(requests, attempt=0)  # every node of the tree in one decode batch
        say(f"{b.task.id}: {len(hang)} risk nodes, {b.sampled_leaves()} leaves")
    _judge(builders, oracle, say)
    for attempt in range(1, 8):  # adaptive branching: double B where no contrast yet, within the caps
        todo = []
        for b, hang in zip(builders, hangs):
            budget = cfg.leaf_budget - b.sampled_leaves()  # shared by this tree's nodes, spent in order
            for pos, hid in sorted(hang.items()):
                have = sum(1 for c in b.tree.nodes[hid].children if b.tree.nodes[c].kind == "sample")
                room = min(cfg.max_branches - have, budget, have)  # at most double what the node has
                if not b.contrast(hid) and room > 0:
                    todo.append((b, hid, pos, room))
                    budget -= room
        if not todo:
            break
        for b in builders:
            mine = [(hid, pos, room) for bb, hid, pos, room in todo if bb is b]
            if mine:
                b.branch_many(mine, attempt=attempt)
                b.resampled += len(mine)
        say(f"adaptive round {attempt}: resampled {len(todo)} nodes")
        _judge(builders, oracle, say)
    if cfg.depth2:
        for b in builders:
            leaves = [n for n in b.tree.nodes if n.kind == "sample" and n.is_leaf and n.parent is not None
                      and b.tree.nodes[n.parent].kind != "sample"]
            leaves.sort(key=lambda n: (n.status != Status.VULNERABLE, n.id))
            for leaf in leaves[: cfg.depth2_forks]:
                B = min(cfg.depth2_branches, cfg.leaf_budget - b.sampled_leaves())
                if B <= 0:
                    break
                got = b.split_for_depth2(leaf.id)
                if got is None:
                    continue
                nid, _ = got
                # golden position of the branch's own parent (the trunk cut it hangs from)
                parent = b.tree.nodes[b.tree.nodes[nid].parent]
                pos = parent.prefix_len + len(parent.segment)
                b.branch(nid, pos, B, attempt=100 + nid, extra_from=nid)
        _judge(builders, oracle, say)
    trees = [b.finish(pair_mode) for b in builders]
    for b in builders:
        b.trunk.prefix = None
    say(f"{len(trees)} trees in {time.monotonic() - t0:.1f} s")
    return trees


def _judge(builders: list[TreeBuilder], oracle, say) -> None:
    items = [(b.task, b.tree.nodes[i].candidate) for b in builders for i in b.pending]
    if not items:
        return
    say(f"judging {len(items)} leaves")
    verdicts = oracle.judge_many(items)
    k = 0
    for b in builders:
        n = len(b.pending)
        b.set_verdicts(verdicts[k: k + n])
        k += n
