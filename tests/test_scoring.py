"""policy.scoring.score_many (token-tree rows, logits only where needed, a batch's shared header run once)
gives the log-probs of the straightforward one-forward-per-continuation ``score``; and the comparison is
sharp enough to catch the mistakes such packing invites (mutations below)."""

from __future__ import annotations

import pytest
import torch

import sectree.policy.scoring as scoring
from sectree.policy import load_policy
from sectree.policy.sampling import score
from sectree.policy.scoring import score_many


@pytest.fixture(scope="module")
def tiny():
    return load_policy("tiny-random", device="cpu")


def suite_like_items() -> list[tuple[list[int], list[list[int]]]]:
    """Items shaped like a forced-choice suite: every context opens with the same header (a chat template's
    system prompt); some tasks have several decisions (contexts sharing their prompt); continuations of very
    different lengths, one empty, one of a single token."""
    g = torch.Generator().manual_seed(1)

    def rand(n: int) -> list[int]:
        return torch.randint(3, 250, (n,), generator=g).tolist()

    header = rand(24)
    items = []
    for t, (prompt_len, points) in enumerate([(60, [10]), (45, [5, 30, 31]), (80, [0]), (30, [12, 40]), (70, [3])]):
        prompt = header + rand(prompt_len)
        body = rand(50)
        for p in points:
            conts = [rand(m) for m in ((1, 9), (14, 2), (0, 6), (5, 5), (20, 1))[(t + p) % 5]]
            items.append((prompt + body[:p], conts))
    return items


def deviation(policy, items, **kw) -> float:
    """Largest |score_many - score| over every continuation token of ``items``."""
    got = score_many(policy, items, **kw)
    worst = 0.0
    for (ctx, conts), res in zip(items, got):
        for cont, lp in zip(conts, res):
            ref = score(policy, ctx, cont)[0]
            assert lp.shape == ref.shape, (len(ctx), len(cont))
            if len(cont):
                worst = max(worst, float((lp - ref).abs().max()))
    return worst


@pytest.mark.parametrize("budget", [100_000, 400, 150])
def test_packed_rows_equal_one_forward_per_continuation(tiny, budget):
    """One batch (the header is run once for it), a few rows per batch, one row per batch."""
    items = suite_like_items()
    assert deviation(tiny, items, max_batch_tokens=budget) < 1e-4


def test_the_header_and_the_groups_are_used(tiny, monkeypatch):
    """The items do exercise what makes score_many fast: rows of several decisions and a shared header."""
    rows, headers = [], []
    real = scoring._score_rows

    def spy(policy, batch, out):
        rows.extend(batch)
        headers.append(scoring._header(batch))
        return real(policy, batch, out)

    monkeypatch.setattr(scoring, "_score_rows", spy)
    items = suite_like_items()
    score_many(tiny, items)
    # one row per task, holding each of its decisions and every non-empty continuation
    assert sorted(len({i for i, *_ in r.reads}) for r in rows) == [1, 1, 1, 2, 3]
    assert sum(len(r.reads) for r in rows) == sum(1 for _, conts in items for c in conts if c)
    assert headers == [24]


def _shift_reads(row):
    """Mutation: read every continuation's logits one position late."""
    row.reads = [(i, k, [min(a + 1, row.needed - 1) for a in at], cont) for i, k, at, cont in row.reads]
    return row


def _positions_by_column(row):
    """Mutation: position ids count columns in the row instead of depth in the item's own sequence."""
    row.pos = list(range(len(row.ids)))
    return row


MUTATIONS = {
    "logits read at the wrong positions": ("_tree_row", lambda f: lambda *a: _shift_reads(f(*a))),
    "siblings see each other": ("_ancestors", lambda f: lambda parents, device: torch.ones_like(f(parents, device))),
    "positions count row columns": ("_tree_row", lambda f: lambda *a: _positions_by_column(f(*a))),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_the_comparison_catches_a_broken_packing(tiny, monkeypatch, name):
    attr, mutate = MUTATIONS[name]
    monkeypatch.setattr(scoring, attr, mutate(getattr(scoring, attr)))
    assert deviation(tiny, suite_like_items()) > 1e-2, name


def test_an_unmerged_lora_adapter_scores_alike():
    """A PeftModel passes the tree mask and positions through to the base model."""
    from peft import LoraConfig, get_peft_model

    from sectree.policy.model import Policy

    base = load_policy("tiny-random", device="cpu")
    model = get_peft_model(base.model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], lora_alpha=8))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:  # peft starts B at 0 (the adapter a no-op): make it change the model
                p.normal_(0, 0.5, generator=torch.Generator().manual_seed(0))
    policy = Policy(spec="tiny-random+lora:test", model=model.eval(), tokenizer=base.tokenizer)
    assert policy.is_lora
    assert deviation(policy, suite_like_items()[:4]) < 1e-4


def test_an_attention_without_4d_masks_is_scored_one_forward_per_continuation(tiny, monkeypatch):
    """A model loaded with flash attention (GPU users) is not refused: score_many falls back to ``score``."""
    items = suite_like_items()[:3]
    calls = []
    monkeypatch.setattr(scoring, "score", lambda p, ctx, cont: calls.append(len(cont)) or score(p, ctx, cont))
    # as if the model's attention took no 4D mask (a real flash-attention load needs GPU kernels)
    monkeypatch.setattr(scoring, "MASKED_ATTENTION", ())
    got = score_many(tiny, items)
    assert calls == [len(c) for _, conts in items for c in conts]  # the fallback ran, once per continuation
    for (ctx, conts), res in zip(items, got):
        for cont, lp in zip(conts, res):
            assert torch.equal(lp, score(tiny, ctx, cont)[0])
