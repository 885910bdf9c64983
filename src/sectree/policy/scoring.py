"""Batched teacher-forced scoring: many (context, continuations) items in few forward passes.

``score`` (sampling.py) scores one continuation after one prompt in one forward. Forced-choice evaluation
scores two (or more) continuations after each of hundreds of contexts, so ``score_many``:

1. groups contexts that share a long prefix (the decisions of one task share its rendered prompt and the
   body up to the first decision) and runs each group's shared prefix once;
2. runs the rest of each context after its group's prefix, keeping every context's KV cache and the logits
   after its last token (left-padded batches of similar lengths, at most ``max_batch_tokens`` padded tokens);
3. repeats each context's cache once per continuation (a context is run once however many continuations
   it has) and runs all continuations right-padded in one more forward per batch.

Why padding is exact: padded columns are masked out (between a group's prefix and an item's rest too),
position ids count real tokens only (a left-padded context sees the positions it would see alone; a rest or a
continuation continues from its prefix's length), and a right-padded continuation's pads come after its real
tokens, which a causal model never attends to from earlier positions. ``score_many`` equals ``score`` per item up to float noise
(tests/test_choice.py checks 1e-4).

Log-probabilities are ``log_softmax(logits)`` at temperature 1 over the whole vocabulary, as in ``score``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from sectree.policy.model import Policy

MAX_BATCH_TOKENS = 8192
"""Padded context tokens per forward. On a 2-core CPU a wider batch gains little and costs memory (a
(rows, width, hidden) activation per layer plus the cache); on a GPU raise it."""
MIN_SHARED = 32
"""Contexts sharing at least this many leading tokens, and at least half their length, are grouped: their
shared prefix is run once."""
MAX_GROUP = 16
"""At most this many contexts per group (a group is never split across batches)."""


def score_many(
    policy: Policy,
    items: Sequence[tuple[Sequence[int], Sequence[Sequence[int]]]],
    *,
    max_batch_tokens: int = MAX_BATCH_TOKENS,
) -> list[list[torch.Tensor]]:
    """Per item ``(context_ids, [continuation_ids, ...])``: each continuation's teacher-forced token
    log-probabilities after the context, a float32 CPU tensor of shape (C,) (empty for an empty continuation).

    Results are in input order. Raises ValueError for an empty context."""
    if any(not ctx for ctx, _ in items):
        raise ValueError("score_many: every context needs at least one token")
    out: list[list[torch.Tensor]] = [[torch.zeros(0)] * len(conts) for _, conts in items]
    groups = _groups([list(ctx) for ctx, _ in items])
    # longest first, so a batch's rows have similar lengths (little padding)
    groups.sort(key=lambda g: -max(len(items[i][0]) for i in g[1]))
    batch: list[tuple[int, list[int]]] = []
    for g in groups:
        rows = sum(len(m) for _, m in batch) + len(g[1])
        width = max(len(items[i][0]) for _, m in batch + [g] for i in m)
        if batch and rows * width > max_batch_tokens:
            _score_batch(policy, items, batch, out)
            batch = []
        batch.append(g)
    if batch:
        _score_batch(policy, items, batch, out)
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
            # which would put a whole suite in one batch) and a group that fits a batch
            if n >= max(MIN_SHARED, len(first) // 2) and len(members) < MAX_GROUP:
                out[-1] = (min(n, min(len(contexts[m]) for m in members + [i]) - 1), members + [i])
                continue
        out.append((len(contexts[i]), [i]))
    return out


def _common(a: list[int], b: list[int], limit: int) -> int:
    n = 0
    for x, y in zip(a[:limit], b):
        if x != y:
            break
        n += 1
    return n


def _left_padded(policy: Policy, seqs: list[list[int]], width: int, offsets: list[int] | None = None):
    """(ids, mask, positions), each (B, width): ``seqs`` right-aligned; positions count real tokens from
    ``offsets`` (0 by default)."""
    device = policy.device
    ids = torch.full((len(seqs), width), policy.pad_id, dtype=torch.long, device=device)  # (B, W)
    mask = torch.zeros((len(seqs), width), dtype=torch.long, device=device)  # (B, W)
    for r, c in enumerate(seqs):
        if c:
            ids[r, width - len(c):] = torch.tensor(c, device=device)
            mask[r, width - len(c):] = 1
    start = torch.tensor(offsets or [0] * len(seqs), device=device)[:, None]  # (B, 1)
    positions = (start + mask.cumsum(-1) - 1).clamp(min=0)  # (B, W)
    return ids, mask, positions


def _expand(cache, idx: torch.Tensor) -> None:
    """Repeat/select the cache's rows in place: row j becomes old row idx[j]."""
    for layer in cache.layers:
        layer.keys = layer.keys.index_select(0, idx)
        layer.values = layer.values.index_select(0, idx)


def _score_batch(policy: Policy, items, batch: list[tuple[int, list[int]]], out: list[list[torch.Tensor]]) -> None:
    device = policy.device
    members = [i for _, m in batch for i in m]  # one row per item from stage B on
    group_of = torch.tensor([g for g, (_, m) in enumerate(batch) for _ in m], device=device)  # (R,)
    shared = [items[m[0]][0][:n] for n, m in batch]
    with torch.inference_mode():
        # A. each group's shared prefix, left-padded: every prefix ends at column TA-1
        ids, mask, pos = _left_padded(policy, [list(x) for x in shared], max(len(x) for x in shared))
        res = policy.model(input_ids=ids, attention_mask=mask, position_ids=pos, use_cache=True, logits_to_keep=1)
        cache, first = res.cache, res.logits[:, -1].float().index_select(0, group_of)  # (R, V)
        _expand(cache, group_of)
        mask = mask.index_select(0, group_of)  # (R, TA)
        # B. each item's own rest of the context after its group's prefix (lone items have none)
        rests = [list(items[i][0])[n:] for n, m in batch for i in m]
        if any(rests):
            lens = [n for n, m in batch for _ in m]
            ids_b, mask_b, pos_b = _left_padded(policy, rests, max(len(r) for r in rests), lens)
            res = policy.model(input_ids=ids_b, attention_mask=torch.cat([mask, mask_b], 1), position_ids=pos_b,
                               cache=cache, use_cache=True, logits_to_keep=1)
            cache = res.cache
            has_rest = torch.tensor([bool(r) for r in rests], device=device)[:, None]  # (R, 1)
            first = torch.where(has_rest, res.logits[:, -1].float(), first)  # (R, V)
            mask = torch.cat([mask, mask_b], 1)  # (R, TA + TB)
        first = torch.log_softmax(first, dim=-1)  # (R, V): predicts each continuation's first token
        # C. one row per (item, continuation) with a token to score, after its item's cached context
        rows = [(r, k) for r, i in enumerate(members) for k, cont in enumerate(items[i][1]) if cont]
        for r, k in rows:
            out[members[r]][k] = first[r, items[members[r]][1][k][0]].reshape(1).cpu()
        tails = [list(items[members[r]][1][k])[:-1] for r, k in rows]  # inputs predicting tokens 1..C-1
        w = max((len(t) for t in tails), default=0)
        if w == 0:
            return
        idx = torch.tensor([r for r, _ in rows], device=device)  # (Q,)
        _expand(cache, idx)
        cont_ids = torch.full((len(rows), w), policy.pad_id, dtype=torch.long, device=device)  # (Q, W)
        cont_mask = torch.zeros((len(rows), w), dtype=torch.long, device=device)  # (Q, W)
        for j, t in enumerate(tails):
            if t:
                cont_ids[j, : len(t)] = torch.tensor(t, device=device)
                cont_mask[j, : len(t)] = 1
        ctx_len = mask.sum(-1).index_select(0, idx)  # (Q,)
        cont_pos = ctx_len[:, None] + torch.arange(w, device=device)[None]  # (Q, W)
        full_mask = torch.cat([mask.index_select(0, idx), cont_mask], dim=1)  # (Q, T + W)
        logits = policy.model(input_ids=cont_ids, attention_mask=full_mask, position_ids=cont_pos, cache=cache,
                              use_cache=True, logits_to_keep=w).logits  # (Q, W, V)
        for j, (r, k) in enumerate(rows):
            n = len(tails[j])
            if n == 0:
                continue
            target = torch.tensor(list(items[members[r]][1][k])[1:], device=device)  # (n,)
            lp = torch.log_softmax(logits[j, :n].float(), dim=-1).gather(1, target[:, None])[:, 0]  # (n,)
            out[members[r]][k] = torch.cat([out[members[r]][k], lp.cpu()])


__all__ = ["score_many", "MAX_BATCH_TOKENS"]
