"""Batched sampling with per-token log-probabilities and entropies, a shared-prefix fork, and scoring.

Our own decode loop over the model's forward with a ``DynamicCache`` (rather than ``generate``) so that:

- every token's log-probability and the distribution's entropy come out of the same logits that chose it;
- each distinct prompt is prefilled once and its cache repeated for its ``n`` samples (and
  ``sample_from_prefix`` forks one prefilled prefix into B continuations, the tree builder's risk nodes);
- finished rows leave the batch (the cache is index-selected), so short samples stop costing compute;
- stop rules are checked on incrementally decoded text after every token.

Log-probabilities and entropies are those of the *sampling-free* distribution: ``log_softmax(logits)`` at
temperature 1 over the whole vocabulary, whatever ``temperature``/``top_p`` the token was drawn with. That is
what a trainer recomputes (``score`` gives the same numbers teacher-forced). Entropies are in nats.

Randomness is counter-based: the uniform number behind sample ``r``'s token ``t`` is a hash of
``(seed, r, t)``, turned into a token by inverse-CDF sampling. So results are deterministic for a fixed seed,
independent of the global torch RNG, of batch composition and of which other rows finished early; ``r`` is
the row's index in the flattened prompt-major batch (prompt ``j``'s sample ``k`` is ``r = j * n + k``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import torch

from sectree.policy.model import Policy
from sectree.policy.prompts import Prompt
from sectree.policy.stops import StopRule, StopScanner
from sectree.settings import SamplingConfig

FINISH_STOP = "stop"
FINISH_LENGTH = "length"
_MASK64 = (1 << 64) - 1
_NUCLEUS_K = 1024
"""Top-k tried first for nucleus sampling (see ``_descending``)."""
_DECODE_CONTEXT = 4
"""Prompt tokens the incremental decoder keeps as left context (so the first token decodes as in context)."""


@dataclass
class Sample:
    """One sampled continuation."""

    text: str
    """Decoded continuation (special tokens dropped), cut where the stop rule fired."""
    token_ids: list[int]
    """Sampled tokens, through the one that completed the stop (its text may run past ``text``) or EOS."""
    logprobs: list[float]
    """Per token: log p(token) under log_softmax(logits) at temperature 1, full vocabulary."""
    entropies: list[float]
    """Per token: entropy in nats of that same temperature-1 distribution."""
    finish_reason: str
    """``stop`` (stop rule or EOS token) or ``length`` (max_new_tokens reached)."""
    prompt_index: int
    """Index of the prompt (or 0 for ``sample_from_prefix``)."""
    sample_index: int
    """Index among that prompt's samples."""
    template: str | None = None
    """Prompt template name when sampled from a ``Prompt``."""
    mode: str | None = None
    """Prompt mode (``full``/``completion``) when sampled from a ``Prompt``."""
    task_id: str | None = None
    """Task id when sampled from a ``Prompt``."""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Row:
    """Bookkeeping for one sample while it is being generated."""

    prompt_index: int
    """Copied to ``Sample.prompt_index``."""
    sample_index: int
    """Copied to ``Sample.sample_index``."""
    stream: int
    """RNG stream (the row's index in the flattened batch)."""
    decoder: _IncrementalDecoder
    """Turns the row's tokens into text as they arrive."""
    scanner: StopScanner | None
    """The row's own stop-rule state (None: stop only at EOS or the length cap)."""
    token_ids: list[int] = field(default_factory=list)
    """Tokens sampled so far."""
    logprobs: list[float] = field(default_factory=list)
    """Their temperature-1 log-probabilities."""
    entropies: list[float] = field(default_factory=list)
    """The temperature-1 entropies at each step."""
    cut: int | None = None
    """Stop-rule cut offset into the decoded text once the rule fired."""
    finish: str | None = None
    """``stop`` once finished early; None while running (``length`` at the end)."""


# --------------------------------------------------------------------------------------------------
# public API


def sample(
    policy: Policy,
    prompts: Sequence[str | Prompt],
    n: int = 1,
    temperature: float = 1.0,
    top_p: float = 1.0,
    max_new_tokens: int = 256,
    seed: int = 0,
    stop: StopRule | Sequence[StopRule | None] | None = None,
) -> list[Sample]:
    """Sample ``n`` continuations of each prompt; results are prompt-major (prompt 0's n samples first).

    ``stop`` is one rule for all prompts, one per prompt, or None: then a ``Prompt``'s own rule (strings
    stop only at EOS or ``max_new_tokens``).
    """
    rules = _rules_for(prompts, stop)
    ids = [list(p.ids) if isinstance(p, Prompt) else _encode_text(policy, p) for p in prompts]
    config = SamplingConfig(n=n, temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens, seed=seed)
    samples = sample_ids(policy, ids, config, stop=rules)
    for s in samples:
        p = prompts[s.prompt_index]
        if isinstance(p, Prompt):
            s.template, s.mode, s.task_id = p.template, p.mode, p.task_id
    return samples


def sample_ids(
    policy: Policy,
    prompt_ids: Sequence[Sequence[int]],
    config: SamplingConfig,
    stop: StopRule | Sequence[StopRule | None] | None = None,
) -> list[Sample]:
    """``sample`` on token ids: each distinct prompt is prefilled once, its cache repeated ``config.n`` times."""
    rules = _rules_for(prompt_ids, stop)
    with torch.inference_mode():
        logits, cache, mask, positions = _prefill(policy, prompt_ids)
        logits, mask, positions = (t.repeat_interleave(config.n, dim=0) for t in (logits, mask, positions))
        cache.batch_repeat_interleave(config.n)
        rows = [
            new_row(policy, prompt_ids[j], rules[j], j, k, stream=j * config.n + k)
            for j in range(len(prompt_ids))
            for k in range(config.n)
        ]
        return decode_rows(policy, rows, logits, cache, mask, positions, config)


def sample_from_prefix(
    policy: Policy,
    prefix_ids: Sequence[int],
    B: int,
    temperature: float = 1.0,
    top_p: float = 1.0,
    max_new_tokens: int = 256,
    seed: int = 0,
    stop: StopRule | None = None,
    eos_ids: Sequence[int] | None = None,
) -> list[Sample]:
    """B continuations of one prefix: prefill it once, fork its KV cache B ways, decode the B rows together.

    Sample ``b`` equals ``sample_ids(policy, [prefix_ids] * B, SamplingConfig(n=1, ...))[b]`` (same RNG
    streams), up to floating-point noise in the log-probabilities. ``eos_ids`` as in ``SamplingConfig``.
    """
    config = SamplingConfig(
        n=B, temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens, seed=seed,
        eos_ids=None if eos_ids is None else tuple(eos_ids),
    )  # fmt: skip
    return sample_ids(policy, [prefix_ids], config, stop=[stop])


def score(policy: Policy, prompt_ids: Sequence[int], continuation_ids: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Teacher-forced (logprobs, entropies) of ``continuation_ids`` after ``prompt_ids``, each shape (C,).

    Same definitions as ``Sample``: temperature-1 log-probabilities and entropies (nats), float32 on CPU.
    """
    if not prompt_ids:
        raise ValueError("score needs at least one prompt token")
    c = len(continuation_ids)
    if c == 0:
        return torch.zeros(0), torch.zeros(0)
    ids = torch.tensor([list(prompt_ids) + list(continuation_ids)[:-1]], device=policy.device)  # (1, T + C - 1)
    with torch.inference_mode():
        logits = policy.model(input_ids=ids, use_cache=False, logits_to_keep=c).logits[0].float()  # (C, V)
        logp = torch.log_softmax(logits, dim=-1)  # (C, V)
        target = torch.tensor(list(continuation_ids), device=logits.device)  # (C,)
        token_logp = logp.gather(1, target[:, None])[:, 0]  # (C,)
        entropy = -(logp.exp() * logp).sum(-1)  # (C,)
    return token_logp.cpu(), entropy.cpu()


# --------------------------------------------------------------------------------------------------
# prefill and decode


def _prefill(policy: Policy, prompt_ids: Sequence[Sequence[int]]):
    """Left-padded batched forward over the prompts -> (last logits (P, V), cache, mask (P, T), positions (P, 1))."""
    if not prompt_ids or any(len(p) == 0 for p in prompt_ids):
        raise ValueError("every prompt needs at least one token")
    width = max(len(p) for p in prompt_ids)
    device = policy.device
    # left padding: every prompt ends at column T-1, so one new column per step serves all rows
    ids = torch.full((len(prompt_ids), width), policy.pad_id, dtype=torch.long, device=device)  # (P, T)
    mask = torch.zeros((len(prompt_ids), width), dtype=torch.long, device=device)  # (P, T)
    for j, p in enumerate(prompt_ids):
        ids[j, width - len(p) :] = torch.tensor(list(p), device=device)
        mask[j, width - len(p) :] = 1
    # positions count real tokens only, so a padded prompt sees the same positions as an unpadded one
    positions = (mask.cumsum(-1) - 1).clamp(min=0)  # (P, T)
    out = policy.model(
        input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1
    )
    return out.logits[:, -1].float(), out.cache, mask, positions[:, -1:]  # (P, V), cache, (P, T), (P, 1)


def decode_rows(policy, rows: list[_Row], logits, cache, mask, positions, config: SamplingConfig) -> list[Sample]:
    """Draw tokens row by row until every row stops or hits ``max_new_tokens``.

    The low-level loop behind ``sample``, public for callers that bring their own KV cache (the tree builder
    forks a prefilled trunk cache): ``rows`` from ``new_row``, ``logits`` (A, V) predicting each row's first
    token, ``cache`` holding A rows, ``mask`` (A, T) its attention mask, ``positions`` (A, 1) the position id
    of each row's last cached token. Only ``config``'s sampling fields and ``max_new_tokens`` are read."""
    eos = set(policy.eos_ids if config.eos_ids is None else config.eos_ids)
    active = list(rows)
    for step in range(config.max_new_tokens):
        logp = torch.log_softmax(logits, dim=-1)  # (A, V)
        entropy = -(logp.exp() * logp).sum(-1)  # (A,)
        u = torch.tensor([_uniform(config.seed, r.stream, step) for r in active], dtype=torch.float64)  # (A,)
        tokens = _draw(logits, config.temperature, config.top_p, u.to(logits.device))  # (A,)
        token_logp = logp.gather(1, tokens[:, None])[:, 0]  # (A,)
        for row, tok, lp, ent in zip(active, tokens.tolist(), token_logp.tolist(), entropy.tolist(), strict=True):
            _push(row, tok, lp, ent, eos)
        keep = [i for i, r in enumerate(active) if r.finish is None]
        if not keep or step == config.max_new_tokens - 1:
            break
        if len(keep) < len(active):
            index = torch.tensor(keep, device=mask.device)
            cache.batch_select_indices(index)
            tokens, mask, positions = tokens[index], mask[index], positions[index]
            active = [active[i] for i in keep]
        mask = torch.cat([mask, mask.new_ones((len(active), 1))], dim=1)  # (A, T + step + 1)
        positions = positions + 1  # (A, 1)
        out = policy.model(
            input_ids=tokens[:, None], attention_mask=mask, position_ids=positions, cache=cache, use_cache=True
        )
        cache, logits = out.cache, out.logits[:, -1].float()  # (A, V)
    return [_finish(r) for r in rows]


def _draw(logits: torch.Tensor, temperature: float, top_p: float, u: torch.Tensor) -> torch.Tensor:
    """One token per row: argmax at temperature 0, else inverse-CDF sampling with uniforms ``u`` (A,)."""
    if temperature <= 0:
        return logits.argmax(-1)  # (A,)
    probs = torch.softmax(logits / temperature, dim=-1)  # (A, V)
    order = None
    if top_p < 1.0:
        probs, order = _descending(probs, top_p)  # (A, K), K <= V
        before = probs.cumsum(-1) - probs  # (A, K) mass strictly above each token
        probs = probs.masked_fill(before >= top_p, 0.0)  # the top token always survives (before == 0)
    cdf = probs.double().cumsum(-1)  # (A, V); float64 so u * total never rounds past the last bucket
    index = torch.searchsorted(cdf, (u * cdf[:, -1])[:, None], right=True).clamp(max=cdf.shape[-1] - 1)  # (A, 1)
    return (order.gather(1, index) if order is not None else index)[:, 0]  # (A,)


def _descending(probs: torch.Tensor, top_p: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Probabilities sorted descending with their token ids, truncated to a top-k that holds the nucleus.

    Sorting the whole vocabulary every step is ~10% of a SmolLM2 decode step on CPU; the nucleus nearly
    always fits in the top ``_NUCLEUS_K``, and when every row's top-k mass reaches ``top_p`` the tokens past
    it are outside the nucleus anyway, so the result is exact. Otherwise fall back to a full sort.
    """
    if probs.shape[-1] > _NUCLEUS_K:
        top, order = probs.topk(_NUCLEUS_K, dim=-1)  # (A, K), sorted descending
        if bool((top.sum(-1) >= top_p).all()):
            return top, order
    return probs.sort(dim=-1, descending=True, stable=True)  # (A, V)


def _push(row: _Row, token: int, logprob: float, entropy: float, eos: set[int]) -> None:
    """Record one token; decode it, feed the stop rule, and mark the row finished when it stops."""
    row.token_ids.append(token)
    row.logprobs.append(logprob)
    row.entropies.append(entropy)
    if token in eos:
        row.finish = FINISH_STOP
        return
    chunk = row.decoder.push(token)
    if chunk and row.scanner is not None:
        cut = row.scanner.feed(chunk)
        if cut is not None:
            row.cut, row.finish = cut, FINISH_STOP  # the scanner counts offsets in the decoded text


def _finish(row: _Row) -> Sample:
    text = row.decoder.flush()
    if row.cut is not None:
        text = text[: row.cut]
    return Sample(
        text=text,
        token_ids=row.token_ids,
        logprobs=row.logprobs,
        entropies=row.entropies,
        finish_reason=row.finish or FINISH_LENGTH,
        prompt_index=row.prompt_index,
        sample_index=row.sample_index,
    )


def new_row(policy: Policy, prompt: Sequence[int], rule: StopRule | None, j: int, k: int, stream: int) -> _Row:
    """A row to decode after ``prompt`` (its tail seeds the incremental detokenizer): prompt index ``j``,
    sample index ``k``, and ``stream``, the id of its random numbers (the same stream gives the same tokens
    however rows are batched)."""
    return _Row(
        prompt_index=j,
        sample_index=k,
        stream=stream,
        decoder=_IncrementalDecoder(policy.tokenizer, list(prompt)[-_DECODE_CONTEXT:]),
        scanner=rule.scanner() if rule is not None else None,
    )


# --------------------------------------------------------------------------------------------------
# helpers


class _IncrementalDecoder:
    """Decode a growing token list cheaply: re-decode only a short window, hold back partial UTF-8.

    The window keeps a few tokens of left context, because some tokenizers decode a token differently at
    the start of a string (leading-space handling) than after other tokens.
    """

    def __init__(self, tokenizer, context: list[int]) -> None:
        self.tokenizer = tokenizer
        self.ids = list(context)
        self.prefix = 0  # window start
        self.read = len(self.ids)  # tokens before this were already emitted as text
        self.text = ""

    def push(self, token: int) -> str:
        """Add a token; returns the newly complete text ('' while a multi-byte character is still split)."""
        self.ids.append(token)
        before = self._decode(self.ids[self.prefix : self.read])
        after = self._decode(self.ids[self.prefix :])
        if len(after) <= len(before) or after.endswith("\ufffd"):
            return ""
        chunk = after[len(before) :]
        self.prefix, self.read = max(self.read - _DECODE_CONTEXT, 0), len(self.ids)
        self.text += chunk
        return chunk

    def flush(self) -> str:
        """All text so far, including a trailing incomplete character (as U+FFFD)."""
        tail = self._decode(self.ids[self.prefix :])[len(self._decode(self.ids[self.prefix : self.read])) :]
        return self.text + tail

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)


def _uniform(seed: int, stream: int, step: int) -> float:
    """A uniform number in [0, 1) from a hash of (seed, stream, step) (splitmix64 rounds)."""
    x = _mix(_mix(_mix(seed & _MASK64) ^ (stream & _MASK64)) ^ (step & _MASK64))
    return (x >> 11) / float(1 << 53)


def _mix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _encode_text(policy: Policy, text: str) -> list[int]:
    """A raw string prompt: add the tokenizer's BOS unless the text (e.g. chat-rendered) already has it."""
    bos = policy.tokenizer.bos_token
    return policy.encode(text, special=not (bos and text.startswith(bos)))


def _rules_for(prompts: Sequence, stop) -> list[StopRule | None]:
    """One stop rule (or None) per prompt."""
    if isinstance(stop, StopRule):
        return [stop] * len(prompts)
    if stop is None:
        return [p.stop if isinstance(p, Prompt) else None for p in prompts]
    if len(stop) != len(prompts):
        raise ValueError(f"got {len(stop)} stop rules for {len(prompts)} prompts")
    return list(stop)
