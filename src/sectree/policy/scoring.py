"""Batched teacher-forced scoring: many (context, continuations) items in few forward passes.

``score`` (sampling.py) scores one continuation after one prompt in one forward. Forced-choice evaluation
scores two (or more) continuations after each of hundreds of contexts, so ``score_many`` packs each group of
items into one row of a batch as a *token tree* and runs every row in one forward with an attention mask that
encodes the tree:

1. items whose contexts share a long prefix (the decisions of one task share its rendered prompt and the body
   up to the first decision) form a group; a row holds the group's shared prefix once, then each item's own
   rest of the context, then each item's continuations (their inputs: all tokens but the last), every
   continuation after its own context only;
2. a token attends to the tokens of its ancestors in the tree (shared prefix -> item's rest -> continuation)
   and to the earlier tokens of its own segment, never to a sibling item or the other continuation; its
   position id is its depth (as if its context and continuation were the whole sequence), so a row computes,
   for every item and continuation, what one unpadded forward of ``context + continuation`` computes;
3. the tokens whose logits are needed (each context's last token, each continuation's inputs) are laid out at
   the end of the row, so the LM head runs only there (``logits_to_keep``): no vocabulary-wide logits for the
   ~300 context tokens per item, and none for padding;
4. rows are left-padded into batches of similar length (at most ``max_batch_tokens`` padded tokens per
   forward); the leading tokens every row of a batch shares (the chat template's system prompt and the
   instruction's first words, ~30 tokens) run once for the batch and serve every row as a KV cache.

Why this is exact: the causal LM sees, for each scored token, the same token ids at the same positions
attending to the same earlier tokens as in ``score`` (a tree mask removes exactly the tokens that are not in
that item's sequence; pads are masked out); only the floating-point summation order differs.
tests/test_scoring.py and tests/test_choice.py check ``score_many`` against ``score`` per item to 1e-4, and that
the check fails when the logits are read one position off, the mask lets siblings see each other or the
position ids count row columns.

What it changed (benchmarks/RESULTS.md, "Forced-choice scoring"): the previous version ran each context in
left-padded batches, then every continuation right-padded in a batch of its own after a copied KV cache; on the
built-in suite it ran 127k token positions for 62k real ones (continuations padded to the longest in a batch:
54k positions for 10k) and the LM head over all those 54k continuation positions.

Log-probabilities are ``log_softmax(logits)`` at temperature 1 over the whole vocabulary, as in ``score``.
The mask is additive float (0 / dtype minimum), which both the ``sdpa`` and the ``eager`` attention of
transformers accept as a prepared 4D mask; attention implementations that take no 4D mask (flash-attention
kernels) are not supported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from sectree.policy.model import Policy
from sectree.policy.sampling import score

MAX_BATCH_TOKENS = 8192
"""Padded tokens per forward (rows x the longest row). On a 2-core CPU a wider batch gains little and costs
memory (a (rows, width, hidden) activation per layer and a (rows, width, width) mask); on a GPU raise it."""
MASKED_ATTENTION = ("sdpa", "eager")
"""Attention implementations of transformers that apply a prepared 4D float mask (the tree mask). ``sdpa`` is
what models load with here, and on this CPU the faster (benchmarks/RESULTS.md)."""
MAX_LOGIT_POSITIONS = 2048
"""Positions per forward whose full-vocabulary logits are kept (rows x the most needed in a row): with a 49k
vocabulary that is 400 MB of float32 logits."""
MIN_SHARED = 32
"""Contexts sharing at least this many leading tokens, and at least half their length, are grouped: their
shared prefix is run once."""
MAX_GROUP = 16
"""At most this many contexts per group (one group is one row)."""
MIN_HEADER = 8
"""Leading tokens that every row of a batch shares are run once for the batch when there are at least this
many (below that the extra forward costs more than it saves)."""


@dataclass
class _Row:
    """One group of items laid out as a token tree (see the module docstring)."""

    ids: list[int] = field(default_factory=list)
    """Token ids in row order: tree tokens whose logits are not needed, then those whose logits are."""
    pos: list[int] = field(default_factory=list)
    """Position id of each token: its depth in its item's sequence (context then continuation)."""
    seg: list[int] = field(default_factory=list)
    """Segment of each token (index into ``parent``)."""
    parent: list[int] = field(default_factory=list)
    """Parent segment of each segment (-1 for the root: the shared prefix)."""
    needed: int = 0
    """How many tokens at the end of the row have their logits read."""
    reads: list[tuple[int, int, list[int], list[int]]] = field(default_factory=list)
    """(item, continuation, where in the needed tail each of its tokens is predicted, its tokens)."""

    def add(self, tokens: Sequence[int], start: int, parent: int) -> int:
        """Append a segment of ``tokens`` at positions ``start, start+1, ...`` under ``parent``."""
        s = len(self.parent)
        self.parent.append(parent)
        self.ids += tokens
        self.pos += range(start, start + len(tokens))
        self.seg += [s] * len(tokens)
        return s


def score_many(
    policy: Policy,
    items: Sequence[tuple[Sequence[int], Sequence[Sequence[int]]]],
    *,
    max_batch_tokens: int = MAX_BATCH_TOKENS,
) -> list[list[torch.Tensor]]:
    """Per item ``(context_ids, [continuation_ids, ...])``: each continuation's teacher-forced token
    log-probabilities after the context, a float32 CPU tensor of shape (C,) (empty for an empty continuation).

    Results are in input order. Raises ValueError for an empty context. Needs an attention implementation
    that takes a 4D mask (``MASKED_ATTENTION``) for the batched layout; any other is scored one continuation
    per forward (``policy.sampling.score``)."""
    if any(not ctx for ctx, _ in items):
        raise ValueError("score_many: every context needs at least one token")
    attn = getattr(policy.model.config, "_attn_implementation", None)
    if attn not in MASKED_ATTENTION:
        # flash attention and the like take no 4D mask: one plain forward per continuation (the same
        # log-probs, computed the slow way) rather than refusing a model loaded for speed on a GPU
        return [[score(policy, ctx, cont)[0] for cont in conts] for ctx, conts in items]
    out: list[list[torch.Tensor]] = [[torch.zeros(0)] * len(conts) for _, conts in items]
    for rows in _plan(items, max_batch_tokens):
        _score_rows(policy, rows, out)
    return out


def _plan(items, max_batch_tokens: int) -> list[list[_Row]]:
    """The rows (one per group of items), batched: longest first, so a batch's rows have similar lengths
    (little padding); a batch stops before it would exceed ``max_batch_tokens`` padded tokens or
    ``MAX_LOGIT_POSITIONS`` kept logits."""
    rows = [_tree_row(items, shared, members) for shared, members in _groups([list(c) for c, _ in items])]
    rows = [r for r in rows if r.needed]  # items whose continuations are all empty need no forward
    rows.sort(key=lambda r: -len(r.ids))
    batches: list[list[_Row]] = []
    batch: list[_Row] = []
    for r in rows:
        n = len(batch) + 1
        width = max([len(r.ids)] + [len(b.ids) for b in batch])
        keep = max([r.needed] + [b.needed for b in batch])
        if batch and (n * width > max_batch_tokens or n * keep > MAX_LOGIT_POSITIONS):
            batches.append(batch)
            batch = []
        batch.append(r)
    return batches + [batch] if batch else batches


def _header(rows: list[_Row]) -> int:
    """Leading tokens every row of a batch shares (all rows start with their root segment at position 0), if
    there are at least ``MIN_HEADER`` of them and more than one row, else 0."""
    if len(rows) < 2:
        return 0
    n = min(_common(rows[0].ids, r.ids, r.seg.count(0)) for r in rows)
    return n if n >= MIN_HEADER else 0


def plan_stats(items: Sequence[tuple[Sequence[int], Sequence[Sequence[int]]]], *,
               max_batch_tokens: int = MAX_BATCH_TOKENS) -> dict[str, int]:
    """What ``score_many`` will compute for ``items``, without a model: ``forwards``; ``tokens`` (every
    context and continuation-input token of every item, contexts counted whole: what one forward per
    continuation pair computes); ``tree_tokens`` (after sharing each group's prefix); ``computed`` (token
    positions run: padding included, each batch's shared header once); ``logits_needed`` / ``logits_kept``
    (positions whose logits are read / computed)."""
    batches = _plan(items, max_batch_tokens)
    out = {"forwards": 0, "tokens": sum(len(c) + sum(max(len(x) - 1, 0) for x in conts) for c, conts in items),
           "tree_tokens": 0, "computed": 0, "logits_needed": 0, "logits_kept": 0}
    for rows in batches:
        h = _header(rows)
        out["forwards"] += 1 + bool(h)
        out["tree_tokens"] += sum(len(r.ids) for r in rows)
        out["computed"] += h + len(rows) * (max(len(r.ids) for r in rows) - h)
        out["logits_needed"] += sum(r.needed for r in rows)
        out["logits_kept"] += len(rows) * max(r.needed for r in rows)
    return out


def _groups(contexts: list[list[int]]) -> list[tuple[int, list[int]]]:
    """Items whose contexts share a long prefix (decisions of one task: the same rendered prompt), as
    ``(shared length, item indices)``; the shared prefix is run once for the group. A lone item shares its
    whole context; in a group every item keeps at least one token of its own."""
    order = sorted(range(len(contexts)), key=lambda i: contexts[i])
    out: list[tuple[int, list[int]]] = []
    for i in order:
        if out:
            shared, members = out[-1]
            first = contexts[members[0]]
            n = _common(first, contexts[i], shared if len(members) > 1 else len(first))
            # worth a group: a long prefix (not just a chat template's system prompt that every task shares,
            # which would put a whole suite in one row) and a group that keeps a row short
            if n >= max(MIN_SHARED, len(first) // 2) and len(members) < MAX_GROUP:
                out[-1] = (min(n, min(len(contexts[m]) for m in members + [i]) - 1), members + [i])
                continue
        out.append((len(contexts[i]), [i]))
    return out


def _common(a: Sequence[int], b: Sequence[int], limit: int) -> int:
    n = 0
    for x, y in zip(a[:limit], b):
        if x != y:
            break
        n += 1
    return n


def _tree_row(items, shared: int, members: list[int]) -> _Row:
    """The row of one group: the shared prefix, each item's rest of the context except its last token, then
    (the needed tail) each item's last context token followed by its continuations' inputs."""
    row = _Row()
    ctxs = [list(items[i][0]) for i in members]
    # the shared prefix without any context's last token (a lone item "shares" its whole context)
    base = min(shared, min(len(c) for c in ctxs) - 1)
    root = row.add(ctxs[0][:base], 0, -1)
    bodies = [row.add(c[base:-1], base, root) for c in ctxs]
    tail_start = len(row.ids)
    for i, c, body in zip(members, ctxs, bodies):
        conts = [list(x) for x in items[i][1]]
        if not any(conts):
            continue
        last = len(row.ids) - tail_start
        # the last context token: its logits predict every continuation's first token
        seg = row.add(c[-1:], len(c) - 1, body)
        for k, cont in enumerate(conts):
            if cont:
                # token j >= 1 is predicted at input j - 1, which sits at ``at + j - 1`` in the needed tail
                at = len(row.ids) - tail_start
                row.add(cont[:-1], len(c), seg)
                row.reads.append((i, k, [last] + list(range(at, at + len(cont) - 1)), cont))
    row.needed = len(row.ids) - tail_start
    return row


def _score_rows(policy: Policy, rows: list[_Row], out: list[list[torch.Tensor]]) -> None:
    """One forward over ``rows`` (left-padded); writes each read continuation's log-probs into ``out``."""
    device = policy.device
    dtype = next(policy.model.parameters()).dtype
    header = _header(rows)  # run once as a KV cache that every row attends to
    width = max(len(r.ids) for r in rows) - header
    ids = torch.full((len(rows), width), policy.pad_id, dtype=torch.long, device=device)  # (B, W)
    pos = torch.zeros((len(rows), width), dtype=torch.long, device=device)  # (B, W)
    seg = torch.full((len(rows), width), -1, dtype=torch.long, device=device)  # (B, W): -1 = pad
    parents: list[int] = []
    for b, r in enumerate(rows):
        n = len(r.ids) - header
        ids[b, width - n:] = torch.tensor(r.ids[header:], device=device)
        pos[b, width - n:] = torch.tensor(r.pos[header:], device=device)
        # segments numbered batch-wide so one ancestor table serves every row
        seg[b, width - n:] = torch.tensor(r.seg[header:], device=device) + len(parents)
        parents += [p + len(parents) if p >= 0 else -1 for p in r.parent]
    anc = _ancestors(parents, device)  # (S + 1, S + 1): [s, t] = t is s or an ancestor of s; last = pad
    # a token attends to earlier tokens of its own segment and of its ancestors; pads attend only to pads
    allowed = anc[seg[:, :, None], seg[:, None, :]] & (pos[:, None, :] <= pos[:, :, None])  # (B, W, W)
    if header:
        # every real token sees the shared header (its root segment's first tokens); pads see it too: harmless
        allowed = torch.cat([allowed.new_ones((len(rows), width, header)), allowed], dim=2)  # (B, W, H + W)
    mask = torch.zeros(allowed.shape, dtype=dtype, device=device).masked_fill_(~allowed, torch.finfo(dtype).min)
    keep = max(r.needed for r in rows)
    with torch.inference_mode():
        cache = None
        if header:
            head = torch.tensor([rows[0].ids[:header]], device=device)  # (1, H)
            cache = policy.model(input_ids=head, use_cache=True, logits_to_keep=1).cache
            _expand(cache, torch.zeros(len(rows), dtype=torch.long, device=device))
        logits = policy.model(input_ids=ids, attention_mask=mask[:, None], position_ids=pos, cache=cache,
                              use_cache=cache is not None, logits_to_keep=keep).logits  # (B, K, V)
        for b, r in enumerate(rows):
            lp = torch.log_softmax(logits[b, keep - r.needed:].float(), dim=-1)  # (needed, V)
            for i, k, at, cont in r.reads:
                at, target = torch.tensor(at, device=device), torch.tensor(cont, device=device)  # (C,), (C,)
                out[i][k] = lp[at, target].cpu()


def _ancestors(parents: list[int], device) -> torch.Tensor:
    """(S + 1, S + 1) bool: [s, t] when segment t is s or one of its ancestors; index S (= -1) is the pad
    segment, its own ancestor only."""
    n = len(parents)
    anc = torch.zeros((n + 1, n + 1), dtype=torch.bool)
    for s in range(n):
        t = s
        while t >= 0:
            anc[s, t] = True
            t = parents[t]
    anc[n, n] = True
    return anc.to(device)


def _expand(cache, idx: torch.Tensor) -> None:
    """Repeat/select the cache's rows in place: row j becomes old row idx[j]."""
    for layer in cache.layers:
        layer.keys = layer.keys.index_select(0, idx)
        layer.values = layer.values.index_select(0, idx)


__all__ = ["score_many", "plan_stats", "MAX_BATCH_TOKENS"]
