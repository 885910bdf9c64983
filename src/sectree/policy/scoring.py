"""Batched teacher-forced scoring: many (context, continuations) items in few forward passes.

``score`` (sampling.py) scores one continuation after one prompt in one forward. Forced-choice evaluation
scores two (or more) continuations after each of hundreds of contexts, so ``score_many``:

1. runs the contexts as left-padded batches (similar lengths together, at most ``max_batch_tokens`` padded
   tokens per forward), keeping their KV caches and the logits after each context's last token;
2. repeats each context's cache once per continuation (a context is run once however many continuations
   it has) and runs all continuations right-padded in one more forward per batch.

Why padding is exact: padded columns are masked out, position ids count real tokens only (a left-padded
context sees the positions it would see alone; a continuation's positions continue from its context's
length), and a right-padded continuation's pads come after its real tokens, which a causal model never
attends to from earlier positions. ``score_many`` equals ``score`` per item up to float noise
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
LOGIT_ROWS = 4096
"""Continuation positions whose full-vocabulary logits are materialised at once (each row is V floats)."""


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
    # longest contexts first, so a batch's rows have similar lengths (little padding)
    order = sorted(range(len(items)), key=lambda i: -len(items[i][0]))
    batch: list[int] = []
    for i in order:
        width = len(items[batch[0]][0]) if batch else len(items[i][0])
        if batch and width * (len(batch) + 1) > max_batch_tokens:
            _score_batch(policy, items, batch, out)
            batch = []
        batch.append(i)
    if batch:
        _score_batch(policy, items, batch, out)
    return out


def _score_batch(policy: Policy, items, batch: list[int], out: list[list[torch.Tensor]]) -> None:
    device = policy.device
    contexts = [list(items[i][0]) for i in batch]
    width = max(len(c) for c in contexts)
    # 1. contexts, left-padded: every context ends at column width-1
    ids = torch.full((len(batch), width), policy.pad_id, dtype=torch.long, device=device)  # (B, T)
    mask = torch.zeros((len(batch), width), dtype=torch.long, device=device)  # (B, T)
    for r, c in enumerate(contexts):
        ids[r, width - len(c):] = torch.tensor(c, device=device)
        mask[r, width - len(c):] = 1
    positions = (mask.cumsum(-1) - 1).clamp(min=0)  # (B, T): real tokens count from 0
    with torch.inference_mode():
        res = policy.model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True,
                           logits_to_keep=1)
        first = torch.log_softmax(res.logits[:, -1].float(), dim=-1)  # (B, V): predicts each first token
        # 2. one row per (context, continuation) with a token to score
        rows = [(r, k) for r, i in enumerate(batch) for k, cont in enumerate(items[i][1]) if cont]
        if not rows:
            return
        for r, k in rows:
            cont = list(items[batch[r]][1][k])
            out[batch[r]][k] = first[r, cont[0]].reshape(1).cpu()
        tails = [list(items[batch[r]][1][k])[:-1] for r, k in rows]  # inputs predicting tokens 1..C-1
        w = max(len(t) for t in tails)
        if w == 0:
            return
        idx = torch.tensor([r for r, _ in rows], device=device)  # (R,)
        cache = res.cache
        for layer in cache.layers:  # each context's cache repeated once per continuation row
            layer.keys = layer.keys.index_select(0, idx)
            layer.values = layer.values.index_select(0, idx)
        cont_ids = torch.full((len(rows), w), policy.pad_id, dtype=torch.long, device=device)  # (R, W)
        cont_mask = torch.zeros((len(rows), w), dtype=torch.long, device=device)  # (R, W)
        for j, t in enumerate(tails):
            if t:
                cont_ids[j, : len(t)] = torch.tensor(t, device=device)
                cont_mask[j, : len(t)] = 1
        ctx_len = mask.sum(-1).index_select(0, idx)  # (R,)
        cont_pos = ctx_len[:, None] + torch.arange(w, device=device)[None]  # (R, W)
        full_mask = torch.cat([mask.index_select(0, idx), cont_mask], dim=1)  # (R, T + W)
        hidden = policy.model(input_ids=cont_ids, attention_mask=full_mask, position_ids=cont_pos, cache=cache,
                              use_cache=True, logits_to_keep=w)
        logits = hidden.logits  # (R, W, V)
        for j, (r, k) in enumerate(rows):
            n = len(tails[j])
            if n == 0:
                continue
            target = torch.tensor(list(items[batch[r]][1][k])[1:], device=device)  # (n,)
            lp = torch.log_softmax(logits[j, :n].float(), dim=-1).gather(1, target[:, None])[:, 0]  # (n,)
            out[batch[r]][k] = torch.cat([out[batch[r]][k], lp.cpu()])


__all__ = ["score_many", "MAX_BATCH_TOKENS"]
