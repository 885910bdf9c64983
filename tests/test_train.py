"""sectree.train on tiny-random: loss formulas, packed == per-pair equivalence, and trainer smoke runs."""

from __future__ import annotations

import math
import warnings

import pytest
import torch

from sectree.errors import SectreeError
from sectree.oracle.verdict import Status, Verdict
from sectree.policy import load_policy
from sectree.train import (
    LOSSES,
    PairLogps,
    TrainConfig,
    get_loss,
    pack_tree,
    packed_logps,
    packed_logps_batch,
    per_pair_logps,
    train_pairs,
    train_sft,
)
from sectree.train.losses import whole_sequence
from sectree.tree.model import Pair, Tree

VOCAB_LO, VOCAB_HI = 3, 259  # the byte tokens of tiny-random's tokenizer


def rand_ids(gen: torch.Generator, n: int) -> list[int]:
    return torch.randint(VOCAB_LO, VOCAB_HI, (n,), generator=gen).tolist()


def _verdict(task_id: str, status: Status) -> Verdict:
    return Verdict(task_id=task_id, status=status, parseable=status != Status.BROKEN)


def make_tree(seed: int = 0, prompt_len: int = 12, task_id: str = "t") -> Tree:
    """A hand-made tree with depth-1 and depth-2 branch points (pairs share prefixes and a chosen side).

        root ─ 1 trunk g[:5] ─┬─ 2 trunk g[5:12] ─┬─ 3 trunk g[12:]       golden leaf, secure
                              │                    └─ 4 sample             broken
                              ├─ 5 sample s[:4] ──┬─ 6 sample s[4:]        secure (depth 2: split at q = 4)
                              │                    └─ 7 sample             broken
                              ├─ 8 sample                                  broken
                              └─ 9 sample                                  broken

    The pair rule (``node_pairs``): at node 1, 7 is rejected against the golden 3 (6 is in 7's own child), 8
    and 9 against the sampled secure 6; at node 2, 4 against 3; at node 5, 7 against 6.
    """
    g = torch.Generator().manual_seed(seed)
    gold, s = rand_ids(g, 20), rand_ids(g, 10)
    tree = Tree(task_id=task_id, prompt_ids=rand_ids(g, prompt_len), prompt_text="", nodes=[])
    tree.add(None, [], "", "root")
    tree.add(0, gold[:5], "", "trunk")  # 1
    tree.add(1, gold[5:12], "", "trunk")  # 2
    tree.add(2, gold[12:], "", "trunk", reward=1.0, verdict=_verdict(task_id, Status.SECURE))  # 3
    tree.add(2, rand_ids(g, 6), "", "sample", reward=0.0, verdict=_verdict(task_id, Status.BROKEN))  # 4
    tree.add(1, s[:4], "", "sample", strategy="depth2")  # 5
    tree.add(5, s[4:], "", "sample", reward=1.0, verdict=_verdict(task_id, Status.SECURE))  # 6
    tree.add(5, rand_ids(g, 7), "", "sample", reward=0.0, verdict=_verdict(task_id, Status.BROKEN))  # 7
    tree.add(1, rand_ids(g, 8), "", "sample", reward=0.0, verdict=_verdict(task_id, Status.BROKEN))  # 8
    tree.add(1, rand_ids(g, 5), "", "sample", reward=0.0, verdict=_verdict(task_id, Status.BROKEN))  # 9
    tree.backup()
    return tree


@pytest.fixture()
def tiny():
    return load_policy("tiny-random", device="cpu")


@pytest.fixture()
def tiny64():
    policy = load_policy("tiny-random", device="cpu")
    policy.model.to(torch.float64)
    return policy


def test_hand_made_tree_has_depth1_and_depth2_pairs():
    tree = make_tree()
    pairs = tree.pairs()
    assert sorted(p.node for p in pairs) == [1, 1, 1, 2, 5]
    depth2 = next(p for p in pairs if p.node == 5)
    assert depth2.prefix_ids == tree.tokens_to(5)  # g[:5] + s[:4]: part of a sampled branch
    node1 = [p for p in pairs if p.node == 1]
    assert node1[0].chosen_ids == tree.continuation(tree.nodes[1], tree.nodes[3])  # the golden, for 7
    assert node1[1].chosen_ids == node1[2].chosen_ids  # 8 and 9 share the chosen continuation (6)


# --------------------------------------------------------------------------------------------------
# losses


def test_unknown_loss_lists_available():
    with pytest.raises(SectreeError) as err:
        get_loss("ipo")
    for name in ("node-dpo", "sequence-dpo", "sft"):
        assert name in str(err.value)


def test_node_dpo_matches_formula():
    beta, alpha = 0.1, 1.0
    lp = PairLogps(
        chosen=torch.tensor([-10.0, -20.0]), rejected=torch.tensor([-12.0, -15.0]),
        chosen_ntokens=torch.tensor([5, 4]),
        ref_chosen=torch.tensor([-11.0, -18.0]), ref_rejected=torch.tensor([-11.0, -16.0]),
    )
    out = LOSSES["node-dpo"](lp, beta=beta, alpha=alpha)
    margins = [beta * ((-10 + 11) - (-12 + 11)), beta * ((-20 + 18) - (-15 + 16))]
    dpo = [-math.log(1 / (1 + math.exp(-m))) for m in margins]
    nll = [10 / 5, 20 / 4]
    expected = sum(d + alpha * n for d, n in zip(dpo, nll)) / 2
    assert out.loss.item() == pytest.approx(expected, rel=1e-6)
    assert out.metrics["loss/accuracy"] == 0.5
    assert out.metrics["loss/margin"] == pytest.approx(sum(margins) / 2, rel=1e-6)
    assert out.metrics["loss/nll"] == pytest.approx(3.5)
    assert set(out.metrics) == {"loss/total", "loss/dpo", "loss/nll", "loss/margin", "loss/accuracy",
                                "loss/chosen_reward", "loss/rejected_reward"}
    plain = LOSSES["node-dpo"](lp, beta=beta, alpha=0.0)
    assert plain.loss.item() == pytest.approx(sum(dpo) / 2, rel=1e-6)


def test_sft_loss_is_mean_token_nll():
    lp = PairLogps(chosen=torch.tensor([-6.0, -2.0]), rejected=torch.zeros(2), chosen_ntokens=torch.tensor([3, 2]))
    assert LOSSES["sft"](lp, beta=0.1, alpha=1.0).loss.item() == pytest.approx((2.0 + 1.0) / 2)


def test_sequence_dpo_moves_prefix_into_continuations_and_keeps_the_dpo_term(tiny64):
    tree = make_tree()
    pairs = tree.pairs()
    whole = LOSSES["sequence-dpo"].prepare(pairs)
    assert all(w.prefix_ids == [] and w.chosen_ids == p.prefix_ids + p.chosen_ids for w, p in zip(whole, pairs))
    assert whole_sequence(whole[0]) == whole[0]  # idempotent: whole-sample pairs pass through
    with torch.no_grad():
        ref_node = packed_logps(tiny64.model, tree.prompt_ids, pairs)
        ref_whole = packed_logps(tiny64.model, tree.prompt_ids, whole)
        _perturb(tiny64.model)
        node = packed_logps(tiny64.model, tree.prompt_ids, pairs)
        seq = packed_logps(tiny64.model, tree.prompt_ids, whole)
    node_out = LOSSES["node-dpo"](PairLogps(*node, *ref_node[:2]), beta=0.1, alpha=1.0)
    seq_out = LOSSES["sequence-dpo"](PairLogps(*seq, *ref_whole[:2]), beta=0.1, alpha=1.0)
    assert seq_out.metrics["loss/dpo"] == pytest.approx(node_out.metrics["loss/dpo"], rel=1e-9)
    assert seq_out.metrics["loss/nll"] != pytest.approx(node_out.metrics["loss/nll"])


def _perturb(model, scale: float = 0.05, seed: int = 1) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn(p.shape, generator=g, dtype=p.dtype))


# --------------------------------------------------------------------------------------------------
# packing


def test_pack_tree_puts_each_distinct_path_once():
    tree = make_tree()
    pairs = tree.pairs()
    packed = pack_tree(tree.prompt_ids, pairs)
    distinct = {tuple(p.prefix_ids + y[:k]) for p in pairs for y in (p.chosen_ids, p.rejected_ids)
                for k in range(1, len(y) + 1)}
    distinct |= {tuple(p.prefix_ids[:k]) for p in pairs for k in range(1, len(p.prefix_ids) + 1)}
    assert len(packed) == len(tree.prompt_ids) + len(distinct)
    # a node's position id is its depth, and its parent sits one position earlier
    for i, parent in enumerate(packed.parents):
        assert packed.positions[i] == (0 if parent < 0 else packed.positions[parent] + 1)
    # scored tokens are exactly each pair's continuation tokens, nothing of the prompt or prefix
    for p, ks_c, ks_r in zip(pairs, packed.chosen, packed.rejected):
        assert [packed.score_tok[k] for k in ks_c] == p.chosen_ids
        assert [packed.score_tok[k] for k in ks_r] == p.rejected_ids
    n_distinct_continuation_nodes = len({k for ks in packed.chosen + packed.rejected for k in ks})
    assert len(packed.score_pos) == n_distinct_continuation_nodes


@pytest.mark.parametrize("attn", ["sdpa", "eager"])
def test_packed_equals_per_pair_logps_loss_and_gradients(tiny64, attn):
    tiny64.model.config._attn_implementation = attn
    tree = make_tree()
    pairs = tree.pairs()
    model = tiny64.model
    with torch.no_grad():  # a reference different from the policy, so the DPO term is not log 2
        ref_c, ref_r, _ = per_pair_logps(model, tree.prompt_ids, pairs)
        ref_c, ref_r = ref_c + 0.3, ref_r - 0.2

    def loss_and_grads(fn):
        model.zero_grad(set_to_none=True)
        chosen, rejected, n = fn(model, tree.prompt_ids, pairs)
        out = LOSSES["node-dpo"](PairLogps(chosen, rejected, n, ref_c, ref_r), beta=0.1, alpha=1.0)
        out.loss.backward()
        grads = {k: p.grad.detach().clone() for k, p in model.named_parameters()}
        return chosen.detach(), rejected.detach(), n, out.loss.detach(), grads

    pc, pr, pn, pl, pg = loss_and_grads(packed_logps)
    rc, rr, rn, rl, rg = loss_and_grads(per_pair_logps)
    torch.testing.assert_close(pc, rc, rtol=0, atol=1e-5)
    torch.testing.assert_close(pr, rr, rtol=0, atol=1e-5)
    assert pn.tolist() == rn.tolist() == [len(p.chosen_ids) for p in pairs]
    assert abs(pl.item() - rl.item()) < 1e-5
    # LlamaRMSNorm normalises in float32 even in a float64 model (and eager softmaxes in float32), so gradients
    # carry float32 rounding; shared prefixes sum their contributions in another order than separate copies do.
    for name in rg:
        scale = rg[name].abs().max().item()
        torch.testing.assert_close(pg[name], rg[name], rtol=1e-4, atol=1e-6 * scale, msg=lambda m, n=name: f"{n}: {m}")


def test_only_continuation_positions_enter_the_loss(tiny64):
    tree = make_tree()
    pairs = tree.pairs()
    model = tiny64.model
    # packed: the LM head only ever sees the states that predict continuation tokens
    seen = []
    hook = model.lm_head.register_forward_hook(lambda mod, args, out: seen.append(args[0].shape))
    packed_logps(model, tree.prompt_ids, pairs)
    hook.remove()
    packed = pack_tree(tree.prompt_ids, pairs)
    assert seen == [torch.Size([1, len(packed.score_pos), model.config.hidden_size])]
    # per pair, full logits: the loss's gradient is zero on every row predicting a prompt or prefix token
    pair = next(p for p in pairs if p.node == 5)
    logits_out = []

    def keep(mod, args, out):
        out.retain_grad()
        logits_out.append(out)

    hook = model.lm_head.register_forward_hook(keep)
    chosen, _, n = per_pair_logps(model, tree.prompt_ids, [pair])
    hook.remove()
    (-chosen.sum() / n.sum()).backward()
    grad_rows = logits_out[0].grad[0].abs().sum(-1)  # (T,)
    context = len(tree.prompt_ids) + len(pair.prefix_ids)
    assert torch.all(grad_rows[: context - 1] == 0)  # rows predicting prompt and prefix tokens
    assert torch.all(grad_rows[context - 1 : -1] > 0)  # rows predicting the chosen continuation
    assert grad_rows[-1] == 0  # the last row predicts nothing


def test_batched_trees_equal_unbatched(tiny64):
    trees = [make_tree(seed=0, prompt_len=12), make_tree(seed=1, prompt_len=30), make_tree(seed=2, prompt_len=7)]
    items = [(t.prompt_ids, t.pairs()) for t in trees]
    with torch.no_grad():
        batched = packed_logps_batch(tiny64.model, items, pad_id=tiny64.pad_id)
        single = [torch.cat(parts) for parts in zip(*(packed_logps(tiny64.model, *it) for it in items))]
    for b, s in zip(batched, single):
        torch.testing.assert_close(b, s.to(b.dtype), rtol=0, atol=1e-9)


def test_packing_refuses_empty_prompt(tiny):
    with pytest.raises(SectreeError, match="prompt_ids"):
        packed_logps(tiny.model, [], make_tree().pairs())


# --------------------------------------------------------------------------------------------------
# trainer


def pair_set(n_trees: int = 2) -> list[tuple[list[int], list[Pair]]]:
    trees = [make_tree(seed=s, task_id=f"t{s}") for s in range(n_trees)]
    return [(t.prompt_ids, t.pairs()) for t in trees]


def fast(**kw) -> TrainConfig:
    """Every optimizer step sees the whole (fixed) pair set, so the curve is the loss on that set."""
    base = {"lr": 3e-3, "epochs": 6, "trees_per_step": 2, "lora_r": 8, "lora_dropout": 0.0, "max_grad_norm": None}
    return TrainConfig(**{**base, **kw})


def test_train_config_validation_names_the_field():
    with pytest.raises(SectreeError, match="beta"):
        TrainConfig(beta=-1)
    with pytest.raises(SectreeError, match="loss.*node-dpo"):
        TrainConfig(loss="nope")
    with pytest.raises(SectreeError, match="lora_dropout"):
        TrainConfig(lora_dropout=1.5)


def test_node_dpo_lowers_loss_and_grows_margin(tiny):
    stats = train_pairs(tiny, pair_set(), fast())
    curve, margin = stats["loss/total"], stats["loss/margin"]
    assert len(curve) == stats["train/steps"] == 6
    assert curve[-1] < curve[0]
    assert margin[0] == pytest.approx(0.0, abs=1e-5)  # π = π_ref at the first step
    assert margin[-1] > margin[0]
    assert stats["train/forward_tokens"] < stats["train/pair_tokens"]  # packing shared the prefixes
    assert stats["train/tokens_per_s"] > 0 and stats["train/wall_s"] > 0


def test_lora_params_change_and_base_params_do_not(tiny):
    before = {k: v.clone() for k, v in tiny.model.state_dict().items()}
    train_pairs(tiny, pair_set(), fast(epochs=2))
    assert tiny.is_lora
    after = tiny.model.get_base_model().state_dict()
    lora = {k: v for k, v in after.items() if "lora_" in k}
    assert lora and any(k.endswith("lora_B.default.weight") and v.abs().sum() > 0 for k, v in lora.items())
    for k, v in after.items():
        if "lora_" not in k:
            torch.testing.assert_close(v, before[k.replace(".base_layer", "")], rtol=0, atol=0)


def test_training_is_deterministic_and_keeps_the_callers_rng(tiny):
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a = train_pairs(tiny, pair_set(), fast(epochs=2, lora_dropout=0.1, trees_per_step=1))
    assert torch.rand(1) == expected_next
    b = train_pairs(load_policy("tiny-random", device="cpu"), pair_set(), fast(epochs=2, lora_dropout=0.1,
                                                                                  trees_per_step=1))
    assert a["loss/total"] == b["loss/total"]


def test_per_pair_training_matches_packed(tiny):
    packed = train_pairs(tiny, pair_set(), fast(epochs=2))
    plain = train_pairs(load_policy("tiny-random", device="cpu"), pair_set(), fast(epochs=2, packed=False))
    assert plain["loss/total"] == pytest.approx(packed["loss/total"], rel=1e-4)
    assert plain["train/forward_tokens"] == plain["train/pair_tokens"]


def test_sft_lowers_nll(tiny):
    g = torch.Generator().manual_seed(0)
    examples = [(rand_ids(g, 10), rand_ids(g, 15)) for _ in range(3)]
    stats = train_sft(tiny, examples, fast(trees_per_step=3, loss="node-dpo", epochs=1), epochs=6)
    assert stats["train/steps"] == 6
    assert stats["loss/nll"][-1] < stats["loss/nll"][0]
    assert {k for k in stats if k.startswith("loss/")} == {"loss/total", "loss/nll"}


def test_full_finetune_changes_base_weights(tiny):
    before = tiny.model.model.layers[0].mlp.up_proj.weight.clone()
    train_pairs(tiny, pair_set(), fast(epochs=1, lora=False, lr=1e-4))
    assert not tiny.is_lora
    assert not torch.equal(tiny.model.model.layers[0].mlp.up_proj.weight, before)


def test_checkpoint_round_trip_and_next_round_continues_the_adapter(tiny, tmp_path):
    ids = torch.tensor([make_tree().prompt_ids])
    train_pairs(tiny, pair_set(), fast(epochs=2))
    spec = tiny.save(tmp_path / "round-1")
    assert spec == f"tiny-random+lora:{tmp_path / 'round-1'}"
    loaded = load_policy(spec, device="cpu")
    with torch.no_grad():
        torch.testing.assert_close(loaded.model(input_ids=ids).logits, tiny.model(input_ids=ids).logits)
    # round 2 starts from the loaded adapter: it trains it (no second adapter), and saves the same way
    lora_before = {k: v.clone() for k, v in loaded.model.named_parameters() if "lora_" in k}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same r/alpha/dropout as the adapter: nothing ignored, no warning
        stats = train_pairs(loaded, pair_set(), fast(epochs=2))
    assert stats["loss/margin"][0] == pytest.approx(0.0, abs=1e-5)  # π_ref = the round-1 policy
    assert list(loaded.model.peft_config) == ["default"]
    assert stats["train/trainable_params"] == sum(v.numel() for v in lora_before.values())
    after = dict(loaded.model.named_parameters())
    assert any(not torch.equal(after[k], v) for k, v in lora_before.items())
    spec2 = loaded.save(tmp_path / "round-2")
    assert spec2 == f"tiny-random+lora:{tmp_path / 'round-2'}"
    reloaded = load_policy(spec2, device="cpu")
    with torch.no_grad():
        torch.testing.assert_close(reloaded.model(input_ids=ids).logits, loaded.model(input_ids=ids).logits)


def test_continuing_an_adapter_warns_about_ignored_lora_settings(tiny, tmp_path):
    train_pairs(tiny, pair_set(1), fast(epochs=1))
    loaded = load_policy(tiny.save(tmp_path / "r1"), device="cpu")
    with pytest.warns(UserWarning, match="lora_r=4"):
        train_pairs(loaded, pair_set(1), fast(epochs=1, lora_r=4))


def test_train_pairs_refuses_an_empty_pair_set(tiny):
    with pytest.raises(SectreeError, match="no preference pairs"):
        train_pairs(tiny, [([1, 2, 3], [])], fast())
