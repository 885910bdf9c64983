"""Tree packing: every continuation of a tree scored in one forward pass, each shared prefix computed once.

A tree's pairs are ``(prefix p, chosen y_w, rejected y_l)`` after the tree's prompt ``x``. Many of them share
tokens: all pairs at a node share ``x + p``, and a depth-1 node's prefix is a prefix of the next node's. We
insert every ``p + y`` sequence into a **trie** hanging off the prompt's last token and flatten it (parents
before children), so every distinct token path appears in the packed sequence once::

    packed = x[0] .. x[L-1] | trie nodes in insertion order
    parent(i)   = i - 1 for prompt tokens; the trie parent (or x[L-1] at depth 1) for trie nodes
    token i attends to token j   iff   j is an ancestor-or-self of i        (a tree-shaped causal mask)
    position_id(i)               =     depth of i (its position in its own unpacked sequence)
    log π(token v | its path)    =     log_softmax(lm_head(h[parent(v)]))[token v]

so a token's hidden state is exactly the one it would have in its own unpacked sequence. Only the tokens of
continuations are scored (the LM head runs on their parents' states only): prompt and prefix tokens get no
log-prob term of their own and are trained only through what they condition.

How the mask reaches the model (transformers 5.x, checked on 5.24): ``create_causal_mask`` returns a 4D
``attention_mask`` untouched (``masking_utils._preprocess_mask_arguments``: "If the mask is already 4D,
simply return as-is"). The eager kernel *adds* the mask to the scores, SDPA accepts bool or additive float,
so we pass an **additive float mask** ``(B, 1, N, N)`` of 0 / ``finfo(dtype).min`` in the model's dtype,
which both take. Flash-attention kernels take no such mask, so any other implementation is refused.

Batching several trees: each packed tree is right-padded to the longest; a pad token attends only to itself
(a fully masked row would give NaN under SDPA, and NaN poisons the backward pass even when unused) and is
attended by nothing, so padding changes no real token's value.

``per_pair_logps`` is the reference: one ordinary causal forward per (x + p + y) sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch

from sectree.errors import SectreeError

MASK_ATTN_IMPLEMENTATIONS = ("sdpa", "eager")
"""Attention implementations that apply a custom additive 4D mask."""


class PairLike(Protocol):
    """What packing needs of a pair (``sectree.tree.Pair`` fits; so does ``Target`` for SFT)."""

    prefix_ids: list[int]
    chosen_ids: list[int]
    rejected_ids: list[int]


@dataclass
class Target:
    """An SFT target: a continuation after the prompt, with no rejected side."""

    chosen_ids: list[int]
    """Target tokens, scored after the prompt and ``prefix_ids``."""
    prefix_ids: list[int] = field(default_factory=list)
    """Unscored context between the prompt and the target."""
    rejected_ids: list[int] = field(default_factory=list)
    """Always empty: a target has no rejected continuation."""


@dataclass
class PackedTree:
    """One tree flattened into a single sequence: the prompt, then the trie of all prefix+continuation paths."""

    input_ids: list[int]
    """(N,) token ids: prompt tokens, then trie nodes (parents before children)."""
    parents: list[int]
    """(N,) packed index of each token's parent; -1 for the first prompt token."""
    positions: list[int]
    """(N,) position ids: each token's depth, i.e. its index in its own unpacked sequence."""
    score_pos: list[int]
    """(K,) packed index whose hidden state predicts each scored token (the token's parent)."""
    score_tok: list[int]
    """(K,) the scored tokens: every distinct continuation token of the tree."""
    chosen: list[list[int]]
    """Per pair: indices into score_* of the chosen continuation's tokens."""
    rejected: list[list[int]]
    """Per pair: indices into score_* of the rejected continuation's tokens."""

    def __len__(self) -> int:
        return len(self.input_ids)


def pack_tree(prompt_ids: Sequence[int], pairs: Sequence[PairLike]) -> PackedTree:
    """Build the trie layout of one tree (pure Python; see the module docstring)."""
    if not prompt_ids:
        raise SectreeError("tree packing needs a non-empty prompt_ids (the first token has nothing to predict it)")
    n_prompt = len(prompt_ids)
    ids, parents = list(prompt_ids), list(range(-1, n_prompt - 1))
    positions = list(range(n_prompt))
    children: dict[tuple[int, int], int] = {}
    score_of: dict[int, int] = {}  # packed index -> index into score_*
    score_pos: list[int] = []
    score_tok: list[int] = []

    def insert(context: Sequence[int], continuation: Sequence[int]) -> list[int]:
        node = n_prompt - 1  # the trie root is the prompt's last token
        scored: list[int] = []
        for k, tok in enumerate([*context, *continuation]):
            child = children.get((node, tok))
            if child is None:
                child = children[(node, tok)] = len(ids)
                ids.append(tok)
                parents.append(node)
                positions.append(positions[node] + 1)
            if k >= len(context):
                if child not in score_of:
                    score_of[child] = len(score_pos)
                    score_pos.append(node)
                    score_tok.append(tok)
                scored.append(score_of[child])
            node = child
        return scored

    chosen = [insert(p.prefix_ids, p.chosen_ids) for p in pairs]
    rejected = [insert(p.prefix_ids, p.rejected_ids) if p.rejected_ids else [] for p in pairs]
    return PackedTree(ids, parents, positions, score_pos, score_tok, chosen, rejected)


def tree_mask(tree: PackedTree, width: int) -> torch.Tensor:
    """Bool (width, width) ancestor-or-self mask; rows past the tree (padding) attend only to themselves."""
    n = len(tree)
    mask = torch.zeros(width, width, dtype=torch.bool)  # (N, N) [query, key]
    for i, parent in enumerate(tree.parents):
        if parent >= 0:
            mask[i, :n] = mask[parent, :n]  # a token sees what its parent sees ...
        mask[i, i] = True  # ... and itself
    idx = torch.arange(n, width)
    mask[idx, idx] = True
    return mask


@dataclass
class PackedBatch:
    """Several packed trees, right-padded to one width, as model inputs plus gather indices."""

    input_ids: torch.Tensor
    """(B, N) token ids, pad_id past each tree."""
    position_ids: torch.Tensor
    """(B, N) position ids (0 on padding)."""
    allowed: torch.Tensor
    """(B, N, N) bool: query i may attend to key j."""
    score_pos: torch.Tensor
    """(B, K) packed index whose state predicts each scored token (0 on padding)."""
    score_tok: torch.Tensor
    """(B, K) the scored tokens (0 on padding)."""
    chosen_index: torch.Tensor
    """(P, C) flat index into the (B*K) scored log-probs of each pair's chosen tokens (0 on padding)."""
    chosen_valid: torch.Tensor
    """(P, C) bool: real token (not padding) in chosen_index."""
    rejected_index: torch.Tensor
    """(P, R) as chosen_index, for the rejected continuations."""
    rejected_valid: torch.Tensor
    """(P, R) bool, as chosen_valid."""
    n_tokens: int
    """Real (non-padding) tokens in the batch: what the forward pass actually computes."""


def collate(trees: Sequence[PackedTree], pad_id: int) -> PackedBatch:
    """Right-pad packed trees into one batch; pairs keep the trees' order."""
    width = max(len(t) for t in trees)
    n_score = max(1, max(len(t.score_pos) for t in trees))
    ids = torch.full((len(trees), width), pad_id, dtype=torch.long)  # (B, N)
    pos = torch.zeros((len(trees), width), dtype=torch.long)  # (B, N)
    score_pos = torch.zeros((len(trees), n_score), dtype=torch.long)  # (B, K)
    score_tok = torch.zeros((len(trees), n_score), dtype=torch.long)  # (B, K)
    chosen: list[list[int]] = []
    rejected: list[list[int]] = []
    for b, t in enumerate(trees):
        ids[b, : len(t)] = torch.tensor(t.input_ids)
        pos[b, : len(t)] = torch.tensor(t.positions)
        score_pos[b, : len(t.score_pos)] = torch.tensor(t.score_pos, dtype=torch.long)
        score_tok[b, : len(t.score_tok)] = torch.tensor(t.score_tok, dtype=torch.long)
        chosen += [[b * n_score + k for k in ks] for ks in t.chosen]  # flat index into (B*K)
        rejected += [[b * n_score + k for k in ks] for ks in t.rejected]
    allowed = torch.stack([tree_mask(t, width) for t in trees])  # (B, N, N)
    return PackedBatch(ids, pos, allowed, score_pos, score_tok, *_ragged(chosen), *_ragged(rejected),
                       n_tokens=sum(len(t) for t in trees))


def _ragged(rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad a list of index lists into (rows, max_len) indices and a validity mask."""
    width = max([1, *(len(r) for r in rows)])
    index = torch.zeros((len(rows), width), dtype=torch.long)  # (P, C)
    valid = torch.zeros((len(rows), width), dtype=torch.bool)  # (P, C)
    for i, r in enumerate(rows):
        index[i, : len(r)] = torch.tensor(r, dtype=torch.long)
        valid[i, : len(r)] = True
    return index, valid


# --------------------------------------------------------------------------------------------------
# the forward passes


def additive_mask(allowed: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """(B, N, N) bool -> (B, 1, N, N) additive float mask: 0 where allowed, the dtype's minimum elsewhere."""
    mask = torch.zeros(allowed.shape, dtype=dtype, device=allowed.device)  # (B, N, N)
    mask.masked_fill_(~allowed, torch.finfo(dtype).min)
    return mask[:, None]  # (B, 1, N, N): one mask for every head


def backbone_and_head(model: Any) -> tuple[Any, Any]:
    """The decoder stack and the LM head of a causal LM (or of a peft model wrapping one).

    Packing runs the head on the scored positions only, so it needs the two separately. That assumes
    ``logits = lm_head(last hidden state)``, true for Llama/SmolLM2; models that scale or soft-cap logits are
    refused rather than silently scored wrong.
    """
    lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    config = lm.config
    impl = getattr(config, "_attn_implementation", None)
    if impl not in MASK_ATTN_IMPLEMENTATIONS:
        raise SectreeError(
            f"tree packing needs attn_implementation in {MASK_ATTN_IMPLEMENTATIONS} (got {impl!r}); "
            "load the model with attn_implementation='sdpa', or train with packed=False"
        )
    for name in ("final_logit_softcapping", "logit_scale", "logits_scaling"):
        if getattr(config, name, None) not in (None, 1.0):
            raise SectreeError(f"tree packing does not support models with {name}; train with packed=False")
    return lm.base_model, lm.get_output_embeddings()


def batch_logps(model: Any, batch: PackedBatch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One forward over a packed batch -> summed (chosen (P,), rejected (P,)) log-probs and chosen_ntokens (P,)."""
    backbone, head = backbone_and_head(model)
    device = next(model.parameters()).device
    dtype = backbone.get_input_embeddings().weight.dtype  # the hidden states' dtype, which the mask must match
    hidden = backbone(
        input_ids=batch.input_ids.to(device),
        attention_mask=additive_mask(batch.allowed.to(device), dtype),
        position_ids=batch.position_ids.to(device),
        use_cache=False,
    ).last_hidden_state  # (B, N, H)
    score_pos = batch.score_pos.to(device)  # (B, K)
    h = hidden.gather(1, score_pos[..., None].expand(-1, -1, hidden.shape[-1]))  # (B, K, H)
    logits = head(h)  # (B, K, V)
    logits = logits.to(torch.promote_types(logits.dtype, torch.float32))  # log-softmax in >= float32
    tok = batch.score_tok.to(device)  # (B, K)
    token_logp = logits.gather(-1, tok[..., None])[..., 0] - logits.logsumexp(-1)  # (B, K) log π(token | path)
    flat = token_logp.reshape(-1)  # (B*K,)
    chosen = _sum_at(flat, batch.chosen_index.to(device), batch.chosen_valid.to(device))  # (P,)
    rejected = _sum_at(flat, batch.rejected_index.to(device), batch.rejected_valid.to(device))  # (P,)
    return chosen, rejected, batch.chosen_valid.sum(-1).to(device)


def _sum_at(flat: torch.Tensor, index: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Sum ``flat`` at each row's valid indices: (P, C) -> (P,)."""
    return torch.where(valid, flat[index], flat.new_zeros(())).sum(-1)  # (P,)


def packed_logps_batch(
    model: Any, trees: Sequence[tuple[Sequence[int], Sequence[PairLike]]], pad_id: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Several trees in one padded, packed forward; pairs concatenated in the trees' order.

    Returns ``(chosen_logps (P,), rejected_logps (P,), chosen_ntokens (P,))``; an empty continuation scores 0.
    """
    packed = [pack_tree(prompt, pairs) for prompt, pairs in trees]
    return batch_logps(model, collate(packed, pad_id))


def packed_logps(
    model: Any, tree_prompt_ids: Sequence[int], pairs: Sequence[PairLike]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """All of one tree's pairs in a single forward: ``(chosen_logps, rejected_logps, chosen_ntokens)``, each (P,)."""
    return packed_logps_batch(model, [(tree_prompt_ids, pairs)])


def per_pair_logps(
    model: Any, tree_prompt_ids: Sequence[int], pairs: Sequence[PairLike]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The reference: one ordinary causal forward per (prompt + prefix + continuation) sequence."""
    if not tree_prompt_ids:
        raise SectreeError("scoring needs a non-empty prompt_ids (the first token has nothing to predict it)")
    device = next(model.parameters()).device
    chosen, rejected = [], []
    for p in pairs:
        context = [*tree_prompt_ids, *p.prefix_ids]
        chosen.append(sequence_logp(model, context, p.chosen_ids))
        rejected.append(sequence_logp(model, context, p.rejected_ids))
    ntokens = torch.tensor([len(p.chosen_ids) for p in pairs], device=device)  # (P,)
    return torch.stack(chosen), torch.stack(rejected), ntokens


def per_pair_logps_batch(
    model: Any, trees: Sequence[tuple[Sequence[int], Sequence[PairLike]]], pad_id: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``per_pair_logps`` over several trees, pairs concatenated in the trees' order (``pad_id`` is unused)."""
    outs = [per_pair_logps(model, prompt, pairs) for prompt, pairs in trees]
    return tuple(torch.cat(parts) for parts in zip(*outs))  # type: ignore[return-value]


def sequence_logp(model: Any, context: Sequence[int], continuation: Sequence[int]) -> torch.Tensor:
    """Summed log π(continuation | context) from one full-logits forward (0 for an empty continuation)."""
    device = next(model.parameters()).device
    if not continuation:
        return torch.zeros((), device=device)
    ids = torch.tensor([[*context, *continuation]], device=device)  # (1, T)
    logits = model(input_ids=ids, use_cache=False).logits[0]  # (T, V)
    logits = logits.to(torch.promote_types(logits.dtype, torch.float32))
    pred = logits[len(context) - 1 : -1]  # (C, V): row t predicts continuation[t]
    target = ids[0, len(context) :]  # (C,)
    return torch.log_softmax(pred, -1).gather(-1, target[:, None]).sum()  # ()


def count_tokens(prompt_ids: Sequence[int], pairs: Sequence[PairLike]) -> tuple[int, int]:
    """(tokens the pairs span as separate sequences, tokens of the packed tree): the work packing saves."""
    separate = sum(len(prompt_ids) + len(p.prefix_ids) + len(y)
                   for p in pairs for y in (p.chosen_ids, p.rejected_ids) if y)
    return separate, len(pack_tree(prompt_ids, pairs))
