"""KV-cache forking: prefill a token sequence once, then decode many branches from any of its prefixes.

The tree builder's hot path. A ``Prefix`` is one forward over a whole sequence (prompt + golden trunk) that
keeps its KV cache and its teacher-forced logits. A ``Branch`` asks for ``n`` samples after the first
``length`` tokens of a prefix, optionally followed by ``extra`` tokens that are not in the cache (a depth-2
fork inside a sampled branch: one small forward extends a cropped copy). ``fork`` decodes **all** requested
branches, from any number of prefixes of the same model, as one left-padded batch, so every row advances one
token per step together: on a CPU one step of N*B rows costs far less than N steps of B rows.

Why the padding is exact: RoPE is already baked into the cached keys, each row's position ids continue
from its own prefix length, and padded columns are masked; results equal sampling each branch from its
prefix alone (``sample_from_prefix``) up to floating-point noise (tests/test_tree.py checks it greedily).

Randomness: row ``k`` of branch ``r`` draws from RNG stream ``branch.stream + k`` (default stream base
``1000 * r``), so a branch's tokens do not depend on which other branches share the batch.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Sequence

import torch

from sectree.policy.model import Policy
from sectree.policy.sampling import Sample, SamplingConfig, decode_rows, new_row
from sectree.policy.stops import StopRule


@dataclass
class Prefix:
    """A token sequence run through the model once, its KV cache kept for forking."""

    ids: list[int]
    """The L prefilled tokens."""
    cache: object
    """The model's KV cache over ``ids`` (batch 1); never modified by ``fork``."""
    logits: torch.Tensor
    """(L, V) float32 logits: ``logits[i]`` predicts token ``i + 1`` (teacher-forced)."""

    def release(self) -> None:
        """Drop the cache and logits (they hold most of a tree's memory)."""
        self.cache = self.logits = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Branch:
    """``n`` samples after ``source.ids[:length]`` + ``extra``."""

    source: Prefix
    """The prefilled sequence to fork from."""
    length: int
    """Cached tokens the branch keeps (1..len(source.ids))."""
    n: int
    """Samples (rows) for this branch."""
    stop: StopRule | None = None
    """Where each sample ends (None: EOS or max_new_tokens only)."""
    extra: tuple[int, ...] = ()
    """Tokens after the cached prefix that the branch continues from (depth 2); run in one small forward."""
    stream: int | None = None
    """RNG stream of the branch's first row (row k uses stream + k); None = 1000 * the branch's index."""


def prefill(policy: Policy, ids: Sequence[int]) -> Prefix:
    """One forward over ``ids``: the KV cache to fork from and every position's logits."""
    if not ids:
        raise ValueError("prefill needs at least one token")
    x = torch.tensor([list(ids)], device=policy.device)  # (1, L)
    with torch.inference_mode():
        out = policy.model(input_ids=x, use_cache=True)
    return Prefix(list(ids), out.cache, out.logits[0].float())  # (L, V)


def fork(policy: Policy, branches: Sequence[Branch], config: SamplingConfig) -> list[list[Sample]]:
    """Decode every branch as one batch; returns each branch's samples (``config.n`` is ignored)."""
    if not branches:
        return []
    # per branch: its cache slice per layer [(1, H, P, D) keys, values], the logits of its first token, P
    starts = [_start(policy, b) for b in branches]
    pmax = max(p for _, _, p in starts)
    rows, logits, masks, positions, index = [], [], [], [], []
    for r, (b, (_, first, P)) in enumerate(zip(branches, starts)):
        prefix_ids = b.source.ids[: b.length] + list(b.extra)
        base = 1000 * r if b.stream is None else b.stream
        for k in range(b.n):
            rows.append(new_row(policy, prefix_ids, b.stop, r, k, base + k))
            logits.append(first)
            masks.append([0] * (pmax - P) + [1] * P)  # left padding: every row ends at column pmax - 1
            positions.append(P - 1)
            index.append(r)
    cache = copy.deepcopy(branches[0].source.cache)  # the cache object; its tensors are replaced below
    for li, layer in enumerate(cache.layers):
        keys, values = [], []
        for b, (kv, _, P) in zip(branches, starts):
            k_src, v_src = kv[li]  # (1, H, P, D)
            k = k_src.new_zeros((1, k_src.shape[1], pmax, k_src.shape[3]))  # (1, H, pmax, D)
            v = v_src.new_zeros((1, v_src.shape[1], pmax, v_src.shape[3]))
            k[..., pmax - P:, :], v[..., pmax - P:, :] = k_src, v_src
            keys.append(k.expand(b.n, -1, -1, -1))
            values.append(v.expand(b.n, -1, -1, -1))
        layer.keys, layer.values = torch.cat(keys).contiguous(), torch.cat(values).contiguous()  # (rows, H, pmax, D)
    mask = torch.tensor(masks, dtype=torch.long, device=policy.device)  # (rows, pmax)
    pos = torch.tensor(positions, dtype=torch.long, device=policy.device)[:, None]  # (rows, 1)
    with torch.inference_mode():
        samples = decode_rows(policy, rows, torch.stack(logits), cache, mask, pos, config)
    out: list[list[Sample]] = [[] for _ in branches]
    for i, s in zip(index, samples):
        out[i].append(s)
    return out


def _start(policy: Policy, b: Branch):
    """(per-layer (keys, values) slices (1, H, P, D), logits (V,) of the first token, P) for one branch."""
    src = b.source
    if not 1 <= b.length <= len(src.ids):
        raise ValueError(f"branch length {b.length} outside 1..{len(src.ids)}")
    if not b.extra:
        kv = [(layer.keys[..., : b.length, :], layer.values[..., : b.length, :]) for layer in src.cache.layers]
        return kv, src.logits[b.length - 1], b.length
    # depth 2: a cropped copy of the cache, extended by the branch's own tokens in one forward
    cache = copy.deepcopy(src.cache)
    if len(src.ids) > b.length:
        cache.crop(b.length - len(src.ids))  # transformers 5 crops by a negative count: drop the tail
    ids = torch.tensor([list(b.extra)], device=policy.device)  # (1, E)
    pos = torch.arange(b.length, b.length + len(b.extra), device=policy.device)[None]  # (1, E)
    with torch.inference_mode():
        out = policy.model(input_ids=ids, position_ids=pos, cache=cache, use_cache=True)
    kv = [(layer.keys, layer.values) for layer in out.cache.layers]
    return kv, out.logits[0, -1].float(), b.length + len(b.extra)
