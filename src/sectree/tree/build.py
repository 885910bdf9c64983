"""Grow TSP trees: golden trunk (teacher-forced), opponent branches at risk nodes, oracle-judged leaves.

Per tree the prompt + golden trunk is prefilled **once** (``policy.fork.prefill``; the attacker opponent's
prompt once more); every risk node forks that KV cache (``policy.fork.fork``), all nodes and opponents of a
tree in one decode batch, so branches never re-prefill their prefix. A branch is a decision span
(``tree.leaf: span``, tree/span.py: to the end of the statement, the golden body resumes after it) or the
rest of the function (``rest``). Opponents (``tree.opponents``): the policy θ_{t-1}, the attacker (θ_{t-1}
with the ``attacker`` prompt) and the reference (the task's unsafe hunk spliced at its node). Leaves of all
trees are judged together (``Oracle.judge_many`` uses every core). Nodes whose branches bring no
secure/vulnerable contrast are resampled with more branches (adaptive branching) up to a cap and within the
tree's leaf budget. Optional depth 2 forks again inside sampled branches at their highest-entropy token.
``build_flat_trees`` is the unstructured self-play baseline as a tree: whole answers hanging off the root.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import torch

from sectree.oracle.verdict import Rule, Status, Verdict
from sectree.policy import SamplingConfig, StopRule, build_prompt, fork, sample
from sectree.settings import LeafMode, TreeConfig, derive_seed  # noqa: F401  (configs: sectree.settings)
from sectree.tasks import Task
from sectree.tasks.assemble import assemble
from sectree.tasks.decisions import decisions
from sectree.tree.model import NodeKind, Opponent, PairRule, Tree, pair_counts
from sectree.tree.span import SpanPoint, decision_points, splice, statement_point
from sectree.tree.nodes import Golden, RiskNode, diff_nodes, entropy_nodes, oracle_nodes, \
    token_offsets, union


SAMPLING_OPPONENTS = (Opponent.POLICY, Opponent.ATTACKER)
"""Opponents that sample (the reference opponent splices a fixed hunk)."""


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
    """prompt + golden prefilled once (``prefill``): the KV cache every policy branch forks from."""
    attack: fork.Prefix | None = None
    """attacker prompt + the same golden ids, prefilled once (``prefill_attacker``); None without an attacker."""
    code: str = ""
    """The prompt code the golden text continues (``task.prompt`` right-stripped)."""


def make_trunk(policy, task: Task, template: str = "direct") -> Trunk:
    """Render the task so the model continues the function right after its prompt; the golden body follows."""
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
    return Trunk(task, ctx_task, list(prompt.ids), prompt.text, prompt.stop.context, golden, code=code)


def prefill(policy, trunk: Trunk) -> None:
    """One forward over prompt + golden: the KV cache to fork from and the teacher-forced entropies."""
    trunk.prefix = fork.prefill(policy, trunk.prompt_ids + trunk.golden.ids)
    n = len(trunk.prompt_ids)
    logp = torch.log_softmax(trunk.prefix.logits[n - 1 : -1], dim=-1)  # (G, V): predicts golden token i
    trunk.golden.entropies = (-(logp.exp() * logp).sum(-1)).tolist()


def prefill_attacker(policy, trunk: Trunk) -> None:
    """The attacker's cache: the same task and golden tokens after the ``attacker`` prompt template."""
    prompt = build_prompt(policy, trunk.ctx_task, template="attacker", mode="completion")
    trunk.attack = fork.prefill(policy, list(prompt.ids) + trunk.golden.ids)


def _config(cfg: TreeConfig, seed: int, stop: bool) -> SamplingConfig:
    return cfg.sampling.call(n=1, seed=seed, eos_ids=None if stop else ())


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
    """A tree's sampling seed for one draw (``parts`` say which): ``derive_seed(tree.seed, task_id, *parts)``."""
    return derive_seed(cfg.seed, task_id, *parts)


# ------------------------------------------------------------------------------------------ one tree


@dataclass(frozen=True)
class Request:
    """Leaves wanted under one node from one opponent."""

    hang: int
    """Node id the leaves hang from."""
    position: int
    """Golden token index of the branch start (the trunk cut the node hangs from)."""
    opponent: Opponent
    n: int
    extra_from: int | None = None
    """Depth 2: the sampled node whose tokens (after ``position``) the branches continue."""


class TreeBuilder:
    """Holds one task's trunk and tree while its leaves are sampled and judged in batches."""

    def __init__(self, policy, task: Task, cfg: TreeConfig, model_spec: str = "", round_: int = 0):
        self.policy, self.task, self.cfg, self._assemble = policy, task, cfg, assemble
        self.trunk = make_trunk(policy, task, cfg.template)
        self.tree = Tree(task.id, self.trunk.prompt_ids, self.trunk.prompt_text, [], model=model_spec, round=round_)
        self.points: dict[int, SpanPoint] = {}  # span mode: golden position -> where spans start and end
        self.pending: list[int] = []  # leaf node ids awaiting a verdict
        self.tokens = 0
        self.resampled = 0

    # ---- risk nodes
    def risk_nodes(self, vulnerable_samples: Sequence[tuple[str, Verdict]] = ()) -> list[RiskNode]:
        g, cfg = self.trunk.golden, self.cfg
        span = cfg.leaf == LeafMode.SPAN
        diff_points: dict[int, SpanPoint] = {}
        if span and "diff" in cfg.strategies:
            diff_points = {p.position: p for p in decision_points(self.task, g, self.trunk.code, decisions(self.task))}
        groups = []
        for s in cfg.strategies:
            if s == "diff":  # span mode: at the first differing character; rest mode: at the changed line's start
                groups.append([RiskNode(p, "diff") for p in diff_points] if span
                              else diff_nodes(g, self.task.unsafe_solution))
            elif s == "oracle":
                groups.append(oracle_nodes(g, vulnerable_samples, self.task.header + self.task.prompt))
            elif s == "entropy":
                groups.append(entropy_nodes(g, cfg.entropy_k))
        # a node must leave something to sample before the end of the golden continuation
        nodes = [n for n in union(groups, cfg.max_nodes) if 0 <= n.position < len(g.ids)]
        if not span:
            return nodes
        out = []
        for n in nodes:
            point = diff_points.get(n.position) if n.strategy == "diff" else \
                statement_point(self.task, g, self.trunk.code, n)
            if point is not None:  # an entropy peak outside the body (prompt tail, closing fence) has no statement
                self.points[n.position] = point
                out.append(n)
        return out

    # ---- structure: root -> trunk segments split at the node positions
    def grow_trunk(self, nodes: list[RiskNode]) -> dict[int, int]:
        """Create the trunk nodes; returns position -> id of the node after which branches hang."""
        g, tree = self.trunk.golden, self.tree
        root = tree.add(None, [], "", NodeKind.ROOT)
        cuts = sorted({n.position for n in nodes if n.position > 0})
        bounds = [0, *cuts, len(g.ids)]
        hang = {0: root.id}
        parent = root.id
        strategy = {n.position: n.strategy for n in nodes}
        root.strategy = strategy.get(0, "")
        for a, b in zip(bounds[:-1], bounds[1:]):
            seg = g.ids[a:b]
            node = tree.add(parent, seg, g.text[g.offsets[a]: g.offsets[b] if b < len(g.ids) else len(g.text)],
                            NodeKind.TRUNK, strategy=strategy.get(b, ""))
            hang[b] = node.id
            parent = node.id
        # the last trunk node is the golden leaf: the reference solution, secure by construction
        last = tree.nodes[parent]
        last.candidate = self.task.reference_source
        last.verdict = Verdict(self.task.id, Status.SECURE, parseable=True, reason="golden reference",
                               rule=Rule.REFERENCE)
        last.reward = self.cfg.rewards["secure"]
        hangs = {p: hang[p] for p in {n.position for n in nodes}}
        for pos, hid in hangs.items():  # span mode: the golden side of a pair is the secure span only
            if pos in self.points:
                tree.nodes[hid].span_end = g.token_at_char(self.points[pos].secure_end)
        return hangs

    # ---- leaves
    def plan(self, hang: dict[int, int], B: int, budget: int) -> list[Request]:
        """Depth 1: B leaves per node in position order within ``budget``: one per reference hunk first (span
        diff nodes), the rest alternating over the sampling opponents (policy first)."""
        out: list[Request] = []
        sampling = [o for o in self.cfg.opponents if o in SAMPLING_OPPONENTS]
        for pos, hid in sorted(hang.items()):
            n = min(B, budget)
            refs = self.points[pos].unsafe if pos in self.points and Opponent.REFERENCE in self.cfg.opponents else ()
            k = min(len(refs), n)
            if k:
                out.append(Request(hid, pos, Opponent.REFERENCE, k))
            out += self.share(hid, pos, n - k, sampling)
            budget -= n if sampling else k
        return out

    @staticmethod
    def share(hid: int, pos: int, n: int, sampling: list[Opponent], extra_from: int | None = None) -> list[Request]:
        """``n`` leaves split over the sampling opponents (the first gets the odd one)."""
        reqs = []
        for i, o in enumerate(sampling):
            k = n // len(sampling) + (1 if i < n % len(sampling) else 0)
            if k > 0:
                reqs.append(Request(hid, pos, o, k, extra_from))
        return reqs

    def grow(self, requests: Sequence[Request], attempt: int) -> None:
        """Add the requested leaves: reference hunks directly, every sampled branch in ONE decode batch."""
        g, tr = self.trunk.golden, self.trunk
        branches, made = [], []
        for r in requests:
            if r.opponent == Opponent.REFERENCE:
                for text in self.points[r.position].unsafe[: r.n]:
                    self._leaf(r, self.policy.encode(text), text, self._candidate(r.position, "", text))
                continue
            extra = self.tree.tokens_to(r.extra_from)[r.position:] if r.extra_from is not None else []
            char = g.offsets[r.position] if r.position < len(g.ids) else len(g.text)
            pre = self.policy.decode(extra) if extra else ""
            if self.cfg.leaf == LeafMode.SPAN:
                stop = self.points[r.position].stop(pre)
            else:
                stop = StopRule(self.task.language, tr.stop_context + g.text[:char] + pre)
            source = tr.attack if r.opponent == Opponent.ATTACKER else tr.prefix
            n_prompt = len(source.ids) - len(g.ids)  # the attacker's prompt has its own length
            # each branch's random stream comes from its node and opponent, not from its place in the batch
            node = r.extra_from if r.extra_from is not None else r.hang
            stream = 1000 * (2 * node + (r.opponent == Opponent.ATTACKER))
            branches.append(fork.Branch(source, n_prompt + r.position, r.n, stop, tuple(extra), stream=stream))
            made.append((r, pre))
        if not branches:
            return
        seed = _seed(self.cfg, self.task.id, "batch", attempt)
        for (r, pre), samples in zip(made, fork.fork(self.policy, branches, _config(self.cfg, seed, True))):
            for smp in samples:
                self.tokens += len(smp.token_ids)
                self._leaf(r, smp.token_ids, smp.text, self._candidate(r.position, pre, smp.text),
                           logprobs=smp.logprobs, entropies=smp.entropies)

    def _candidate(self, position: int, pre: str, text: str) -> str:
        """The program a leaf stands for: spliced span (span mode) or assembled continuation (rest mode)."""
        g = self.trunk.golden
        if self.cfg.leaf == LeafMode.SPAN:
            return splice(self.task, g, self.trunk.code, self.points[position], pre + text)
        char = g.offsets[position] if position < len(g.ids) else len(g.text)
        return self._assemble(self.trunk.ctx_task, g.text[:char] + pre + text, "completion", healed=True)

    def _leaf(self, r: Request, ids: list[int], text: str, candidate: str, **kw) -> None:
        parent = r.extra_from if r.extra_from is not None else r.hang
        leaf = self.tree.add(parent, ids, text, NodeKind.SAMPLE, opponent=r.opponent, candidate=candidate, **kw)
        self.pending.append(leaf.id)

    def sampled_leaves(self) -> int:
        return sum(1 for n in self.tree.nodes if n.kind == NodeKind.SAMPLE and n.is_leaf)

    def set_verdicts(self, verdicts: list[Verdict]) -> None:
        for i, v in zip(self.pending, verdicts):
            n = self.tree.nodes[i]
            # an unjudged leaf (a task without tests that no rule decided) gets no reward: the backup leaves it out
            n.verdict, n.reward = v, self.cfg.rewards.get(v.status.value)
        self.pending = []

    def contrast(self, hang_id: int, sampled: bool = False) -> bool:
        """Do this node's continuations (``Tree.node_leaves``) hold both a secure and a vulnerable leaf?
        (``sampled``: a secure leaf other than the golden one.)"""
        statuses = {leaf.status for _, leaf in self.tree.node_leaves(hang_id)
                    if not (sampled and leaf.kind == NodeKind.TRUNK)}
        return {Status.SECURE, Status.VULNERABLE} <= statuses

    def split_for_depth2(self, leaf_id: int) -> tuple[int, int] | None:
        """Turn a sampled leaf into s[:q] -> (s[q:] leaf, new branches); returns (node id, position)."""
        tree = self.tree
        leaf = tree.nodes[leaf_id]
        ents = leaf.entropies
        if len(leaf.segment) < 6 or len(ents) != len(leaf.segment):  # reference hunks carry no entropies
            return None
        q = max(range(2, len(leaf.segment) - 2), key=lambda i: ents[i])
        # the leaf keeps s[:q]; its old content moves to a new child holding s[q:]
        tree.add(leaf_id, leaf.segment[q:], self.policy.decode(leaf.segment[q:]), NodeKind.SAMPLE,
                 logprobs=leaf.logprobs[q:], entropies=leaf.entropies[q:], candidate=leaf.candidate,
                 verdict=leaf.verdict, reward=leaf.reward, opponent=leaf.opponent)
        leaf.segment, leaf.text = leaf.segment[:q], self.policy.decode(leaf.segment[:q])
        leaf.logprobs, leaf.entropies = leaf.logprobs[:q], leaf.entropies[:q]
        leaf.candidate, leaf.verdict, leaf.reward, leaf.strategy = None, None, None, "depth2"
        return leaf_id, leaf.prefix_len

    def finish(self, pair_mode: PairRule | str) -> Tree:
        tree = self.tree
        tree.backup()
        leaves = [n for n in tree.leaves() if n.kind == NodeKind.SAMPLE]
        pairs = tree.pairs(pair_mode)
        branching = [n for n in tree.nodes if len(n.children) >= 2]
        tree.stats = {
            "tree/risk_nodes": len(branching),
            "tree/leaves": len(leaves),
            **{f"tree/leaves_{s.value}": sum(n.status == s for n in leaves) for s in Status},
            **{f"tree/leaves_{o.value}_{s.value}": sum(n.status == s and n.opponent == o for n in leaves)
               for o in self.cfg.opponents for s in Status},
            "tree/pairs": len(pairs),
            **{k.replace("pairs/", "tree/pairs_"): v for k, v in pair_counts(pairs).items() if k != "pairs/total"},
            "tree/distinct_rejected": len({tuple(p.rejected_ids) for p in pairs}),
            "tree/nodes_with_contrast": sum(self.contrast(n.id) for n in branching),
            "tree/nodes_with_sampled_contrast": sum(self.contrast(n.id, sampled=True) for n in branching),
            "tree/resampled_nodes": self.resampled,
            "tree/tokens_generated": self.tokens,
            "oracle/calls": len(leaves),
        }
        return tree


# ------------------------------------------------------------------------------------------ many trees


def build_trees(policy, tasks: Sequence[Task], oracle, cfg: TreeConfig, *, pair_mode: PairRule | str = "oracle",
                model_spec: str = "", round_: int = 0, progress: Callable[[str], None] | None = None) -> list[Tree]:
    """Grow one tree per task with ``cfg.opponents``; leaves judged by ``oracle`` in batches."""
    say = progress or (lambda _msg: None)
    t0 = time.monotonic()
    builders = [TreeBuilder(policy, t, cfg, model_spec, round_) for t in tasks]
    sampling = [o for o in cfg.opponents if o in SAMPLING_OPPONENTS]
    vuln: dict[str, list[tuple[str, Verdict]]] = {t.id: [] for t in tasks}
    if "oracle" in cfg.strategies:  # whole samples from the prompt, judged, to locate the mistakes
        items = []
        for b in builders:
            prompt = build_prompt(policy, b.task, template=cfg.template, mode="full")
            for s in sample(policy, [prompt], n=cfg.oracle_samples, temperature=cfg.sampling.temperature,
                            top_p=cfg.sampling.top_p, max_new_tokens=cfg.sampling.max_new_tokens,
                            seed=_seed(cfg, b.task.id, "oracle")):
                b.tokens += len(s.token_ids)
                items.append((b.task, assemble(b.task, s.text, "full", healed=bool(prompt.code))))
        say(f"judging {len(items)} samples for oracle risk nodes")
        for (task, cand), v in zip(items, oracle.judge_many(items)):
            if v.status == Status.VULNERABLE:
                vuln[task.id].append((cand, v))
    hangs: list[dict[int, int]] = []
    for b in builders:  # depth 1: B leaves at every risk node, from one prefill per tree (and opponent)
        prefill(policy, b.trunk)
        if Opponent.ATTACKER in cfg.opponents:
            prefill_attacker(policy, b.trunk)
        hang = b.grow_trunk(b.risk_nodes(vuln[b.task.id]))
        hangs.append(hang)
        b.grow(b.plan(hang, cfg.branches, cfg.leaf_budget), attempt=0)  # every node of the tree in one batch
        say(f"{b.task.id}: {len(hang)} risk nodes, {b.sampled_leaves()} leaves")
    _judge(builders, oracle, say)
    for attempt in range(1, 8):  # adaptive branching: double B where no contrast yet, within the caps
        todo = []
        for b, hang in zip(builders, hangs):
            budget = cfg.leaf_budget - b.sampled_leaves()  # shared by this tree's nodes, spent in order
            for pos, hid in sorted(hang.items()):
                have = sum(1 for c in b.tree.nodes[hid].children if b.tree.nodes[c].kind == NodeKind.SAMPLE)
                room = min(cfg.max_branches - have, budget, have)  # at most double what the node has
                if sampling and not b.contrast(hid) and room > 0:
                    todo.append((b, b.share(hid, pos, room, sampling)))
                    budget -= room
        if not todo:
            break
        for b in builders:
            mine = [r for bb, reqs in todo if bb is b for r in reqs]
            if mine:
                b.grow(mine, attempt=attempt)
                b.resampled += len({r.hang for r in mine})
        say(f"adaptive round {attempt}: resampled {len(todo)} nodes")
        _judge(builders, oracle, say)
    if cfg.depth2 and sampling:
        for b in builders:
            leaves = [n for n in b.tree.nodes if n.kind == NodeKind.SAMPLE and n.is_leaf and n.parent is not None
                      and b.tree.nodes[n.parent].kind != NodeKind.SAMPLE and n.opponent in SAMPLING_OPPONENTS]
            leaves.sort(key=lambda n: (n.status != Status.VULNERABLE, n.id))
            reqs = []
            for leaf in leaves[: cfg.depth2_forks]:
                B = min(cfg.depth2_branches, cfg.leaf_budget - b.sampled_leaves() - sum(r.n for r in reqs))
                if B <= 0:
                    break
                got = b.split_for_depth2(leaf.id)
                if got is None:
                    continue
                nid, _ = got
                # golden position of the branch's own parent (the trunk cut it hangs from)
                parent = b.tree.nodes[b.tree.nodes[nid].parent]
                pos = parent.prefix_len + len(parent.segment)
                reqs.append(Request(parent.id, pos, b.tree.nodes[nid].opponent, B, extra_from=nid))
            b.grow(reqs, attempt=100)
        _judge(builders, oracle, say)
    trees = [b.finish(pair_mode) for b in builders]
    for b in builders:
        b.trunk.prefix = b.trunk.attack = None
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


# ------------------------------------------------------------------------------------------ self-play as a tree


def build_flat_trees(policy, tasks: Sequence[Task], oracle, cfg: TreeConfig, n: int, *,
                     pair_mode: PairRule | str = "oracle", model_spec: str = "", round_: int = 0) -> list[Tree]:
    """The unstructured self-play baseline as one-node trees: ``n`` whole answers hang off the root next to
    the golden body, so its pairs come from the same rule (``Tree.pairs``) as TSP's, with the same leaf
    budget and opponents: the reference opponent is the whole unsafe body (one leaf), the rest of ``n`` is
    sampled from the prompt by the policy and the attacker in turn. Answers end at the end of the function."""
    sampling = [o for o in cfg.opponents if o in SAMPLING_OPPONENTS]
    builders = []
    for t in tasks:
        b = TreeBuilder(policy, t, cfg, model_spec, round_)
        g, tree = b.trunk.golden, b.tree
        root = tree.add(None, [], "", NodeKind.ROOT, strategy="selfplay")
        gold = tree.add(root.id, g.ids, g.text, NodeKind.TRUNK, candidate=t.reference_source, reward=cfg.rewards["secure"],
                        verdict=Verdict(t.id, Status.SECURE, parseable=True, reason="golden reference",
                                        rule=Rule.REFERENCE))
        del gold
        k = 0
        if Opponent.REFERENCE in cfg.opponents:
            text = g.text[: g.body_start] + t.unsafe_solution
            b._leaf(Request(root.id, 0, Opponent.REFERENCE, 1), policy.encode(text), text,
                    t.header + t.prompt + t.unsafe_solution + t.entrypoint)
            k = 1
        # whole answers: one prefix per opponent (the prompt alone), forked like any node at position 0
        b.trunk.prefix = fork.prefill(policy, b.trunk.prompt_ids)
        if Opponent.ATTACKER in cfg.opponents:
            b.trunk.attack = fork.prefill(policy, list(build_prompt(policy, b.trunk.ctx_task, template="attacker",
                                                                    mode="completion").ids))
        reqs = b.share(root.id, 0, max(0, n - k), sampling) if sampling else []
        branches = []
        for r in reqs:
            source = b.trunk.attack if r.opponent == Opponent.ATTACKER else b.trunk.prefix
            stop = StopRule(t.language, b.trunk.stop_context)
            branches.append(fork.Branch(source, len(source.ids), r.n, stop,
                                        stream=1000 * (r.opponent == Opponent.ATTACKER)))
        outs = fork.fork(policy, branches, _config(cfg, _seed(cfg, t.id, "selfplay"), True)) if branches else []
        for r, samples in zip(reqs, outs):
            for s in samples:
                b.tokens += len(s.token_ids)
                b._leaf(r, s.token_ids, s.text, b._assemble(b.trunk.ctx_task, s.text, "completion", healed=True),
                        logprobs=s.logprobs, entropies=s.entropies)
        b.trunk.prefix = b.trunk.attack = None
        builders.append(b)
    _judge(builders, oracle, lambda _m: None)
    return [b.finish(pair_mode) for b in builders]
