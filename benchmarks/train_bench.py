"""Node-DPO training throughput: packed trees vs one forward per sequence vs TRL's ``DPOTrainer``.

All methods train a LoRA adapter (r 16, all Llama projections, dropout 0) on the **same pairs** with the same
objective — node-DPO, β 0.1, α 1 (TRL: ``loss_type=["sigmoid", "sft"]``, which is its RPO form) — AdamW at a
constant lr 1e-4, clip 1.0, one optimizer step per tree's 12 pairs, reference log-probs computed once before
training (TRL: ``precompute_ref_log_probs=True``). The model is SmolLM2-135M-shaped (hidden 576, 30 layers,
9 heads / 3 KV heads, MLP 1536, vocab 49152, tied embeddings) with random weights from a seed: no download.

Trees have realistic shapes: a 250-token prompt, a 120-token golden trunk, 3 risk nodes (after trunk tokens
30, 60, 90) with 4 sampled branches of 60-100 tokens each -> 12 pairs per tree (golden rest vs each branch).

    (a) packed     sectree train_pairs, packed=True: one forward per tree (trie + 4D mask)
    (b) per-pair   sectree train_pairs, packed=False: one ordinary forward per (prompt+prefix+continuation)
    (c) trl        trl.DPOTrainer on {prompt_ids: prompt+prefix, chosen_ids, rejected_ids}, batch 1 pair, 12 accum

Time = reference pass + training, per epoch. Tokens/s counts the pairs' tokens as separate sequences (what (b)
and (c) compute) for every method, so the rates compare like for like. On a 2-core CPU one epoch of (b) or (c)
over 12 pairs takes tens of minutes, so ``--baseline-pairs K`` runs them on K of each tree's pairs (spread over
the nodes) and scales their time by 12/K (their cost is one independent forward per sequence, linear in
pairs); the table marks such epochs with ``*``. (a) always runs on all pairs.

Loss agreement: every method's first step is at π = π_ref, so its loss is log 2 + α·mean NLL over the step's
pairs; (b) and (c) are compared with sectree's packed loss on the same (sub)set of pairs, and TRL's
precomputed reference log-probs pair by pair with sectree's packed log-probs.

    .venv/bin/python benchmarks/train_bench.py [--trees 1] [--epochs 1] [--baseline-pairs 12] [--methods ...]

Prints a table and writes ``benchmarks/results/train.json``.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import platform
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import torch

from sectree.policy.model import Policy
from sectree.train import TrainConfig, packed_logps_batch, train_pairs
from sectree.tree.model import Pair, Tree

OUT = Path(__file__).parent / "results" / "train.json"
SMOLLM2_135M = {
    "vocab_size": 49152, "hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30,
    "num_attention_heads": 9, "num_key_value_heads": 3, "max_position_embeddings": 8192,
    "tie_word_embeddings": True, "rope_theta": 100000.0, "rms_norm_eps": 1e-5,
    "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 2,
}  # fmt: skip
PROMPT, TRUNK, NODES, BRANCHES, BRANCH_LEN = 250, 120, (30, 60, 90), 4, (60, 100)
CONFIG = TrainConfig(beta=0.1, alpha=1.0, lr=1e-4, epochs=1, trees_per_step=1, grad_accum=1, max_grad_norm=1.0,
                     lora=True, lora_r=16, lora_alpha=32.0, lora_dropout=0.0, seed=0)


# --------------------------------------------------------------------------------------------------
# model and data


def random_policy(seed: int = 0) -> Policy:
    """A SmolLM2-135M-shaped Llama with random weights (the same for every method) and a byte tokenizer."""
    from transformers import LlamaConfig, LlamaForCausalLM

    from sectree.policy.tiny import byte_tokenizer

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LlamaForCausalLM(LlamaConfig(**SMOLLM2_135M))
    return Policy(spec="bench:smollm2-135m-random", model=model.eval(), tokenizer=byte_tokenizer())


def synthetic_tree(seed: int) -> Tree:
    """prompt -> trunk with 3 risk nodes, 4 sampled (reward 0) branches at each; the golden leaf has reward 1."""
    g = torch.Generator().manual_seed(seed)

    def ids(n: int) -> list[int]:
        return torch.randint(3, SMOLLM2_135M["vocab_size"], (n,), generator=g).tolist()

    gold = ids(TRUNK)
    tree = Tree(task_id=f"bench_{seed}", prompt_ids=ids(PROMPT), prompt_text="", nodes=[])
    node = tree.add(None, [], "", "root").id
    cuts = [0, *NODES, TRUNK]
    for a, b in itertools.pairwise(cuts):
        trunk = tree.add(node, gold[a:b], "", "trunk", reward=1.0 if b == TRUNK else None)
        if a:  # a risk node ends at trunk token a: its sampled branches hang off the same parent
            for _ in range(BRANCHES):
                n = int(torch.randint(BRANCH_LEN[0], BRANCH_LEN[1] + 1, (1,), generator=g))
                tree.add(node, ids(n), "", "sample", reward=0.0)
        node = trunk.id
    tree.backup()
    return tree


def pair_tokens(items: list[tuple[list[int], list[Pair]]]) -> int:
    return sum(len(pr) + len(p.prefix_ids) + len(y) for pr, ps in items for p in ps for y in (p.chosen_ids, p.rejected_ids))


# --------------------------------------------------------------------------------------------------
# the three methods


def run_sectree(items, epochs: int, packed: bool) -> dict:
    policy = random_policy()
    if packed:
        units, config = items, replace(CONFIG, epochs=epochs)
    else:
        # one pair per micro-batch (24 sequences' activations at once would not fit in memory), accumulated over
        # a tree's pairs: the same optimizer steps as (a)
        units = [(prompt, [p]) for prompt, pairs in items for p in pairs]
        config = replace(CONFIG, epochs=epochs, packed=False, grad_accum=len(items[0][1]))
    stats = train_pairs(policy, units, config)
    total = stats["train/ref_wall_s"] + stats["train/wall_s"]
    return {
        "ref_s": stats["train/ref_wall_s"], "train_s": stats["train/wall_s"], "epoch_s": total / epochs,
        "forward_tokens_per_epoch": stats["train/forward_tokens"] // epochs,
        "losses": stats["loss/total"], "margins": stats["loss/margin"],
    }  # fmt: skip


def run_trl(items, epochs: int) -> dict:
    import tempfile

    from datasets import Dataset
    from peft import LoraConfig
    from trl import DPOConfig, DPOTrainer

    class PreTokenizedDPOTrainer(DPOTrainer):
        """TRL 1.16 always tokenizes text columns; our data is already token ids in the collator's format."""

        def _prepare_dataset(self, dataset, processing_class, args, dataset_name):
            return dataset

    rows = [{"prompt_ids": prompt + p.prefix_ids, "chosen_ids": p.chosen_ids, "rejected_ids": p.rejected_ids}
            for prompt, pairs in items for p in pairs]
    policy = random_policy()
    with tempfile.TemporaryDirectory() as out:
        args = DPOConfig(
            output_dir=out, beta=CONFIG.beta, loss_type=["sigmoid", "sft"], loss_weights=[1.0, CONFIG.alpha],
            learning_rate=CONFIG.lr, lr_scheduler_type="constant", warmup_steps=0, weight_decay=0.0,
            max_grad_norm=CONFIG.max_grad_norm, num_train_epochs=epochs, per_device_train_batch_size=1,
            gradient_accumulation_steps=len(items[0][1]), precompute_ref_log_probs=True,
            precompute_ref_batch_size=1, max_length=None, bf16=False, use_cpu=True, report_to=[],
            logging_steps=1, save_strategy="no", seed=CONFIG.seed, disable_dropout=True,
            dataloader_num_workers=0, disable_tqdm=True,
        )  # fmt: skip
        lora = LoraConfig(task_type="CAUSAL_LM", r=CONFIG.lora_r, lora_alpha=CONFIG.lora_alpha,
                          lora_dropout=CONFIG.lora_dropout, target_modules=list(CONFIG.target_modules))
        t0 = time.perf_counter()
        trainer = PreTokenizedDPOTrainer(model=policy.model, args=args, train_dataset=Dataset.from_list(rows),
                                         processing_class=policy.tokenizer, peft_config=lora)
        t1 = time.perf_counter()  # __init__ precomputes the reference log-probs
        trainer.train()
        t2 = time.perf_counter()
    logs = [h for h in trainer.state.log_history if "loss" in h]
    return {
        "ref_s": t1 - t0, "train_s": t2 - t1, "epoch_s": (t2 - t0) / epochs,
        "forward_tokens_per_epoch": pair_tokens(items),
        "losses": [h["loss"] for h in logs], "margins": [h.get("rewards/margins") for h in logs],
        "ref_chosen_logps": list(trainer.train_dataset["ref_chosen_logps"]),
        "ref_rejected_logps": list(trainer.train_dataset["ref_rejected_logps"]),
    }  # fmt: skip


# --------------------------------------------------------------------------------------------------
# report


def machine() -> dict:
    cpu = subprocess.run("lscpu | grep 'Model name'", shell=True, capture_output=True, text=True, check=False).stdout
    return {"cpu": cpu.split(":", 1)[-1].strip(), "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__, "python": platform.python_version()}


def table(results: dict, items) -> str:
    tokens = pair_tokens(items)
    base = results.get("trl", {}).get("epoch_s")
    header = ("| method | pairs run | ref s | train s | epoch s (12 pairs/tree) | pair tok/s | forward tok/epoch | "
              "first-step loss | packed loss, same pairs | speed-up vs TRL |")
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        if "skipped" in r:
            lines.append(f"| {name} | skipped: {r['skipped']} |||||||||")
            continue
        star = "*" if r["scale"] != 1 else ""
        speed = f"{base / r['epoch_s']:.1f}x" if base else "-"
        lines.append(f"| {name} | {r['pairs_run']} | {r['ref_s']:.1f} | {r['train_s']:.1f} | {r['epoch_s']:.1f}{star} | "
                     f"{tokens / r['epoch_s']:.0f} | {r['forward_tokens_per_epoch']} | {r['losses'][0]:.6f} | "
                     f"{r['packed_loss_same_pairs']:.6f} | {speed} |")
    return "\n".join(lines)


def spread(pairs: list[Pair], k: int) -> list[Pair]:
    """k of a tree's pairs, evenly spread over its nodes (pair order is node by node)."""
    return [pairs[round(i * len(pairs) / k)] for i in range(k)] if k < len(pairs) else pairs


def initial_loss(items) -> float:
    """The node-DPO loss at π = π_ref (log 2 + α·mean NLL), from sectree's packed log-probs."""
    from sectree.train import LOSSES, PairLogps

    policy = random_policy()
    with torch.no_grad():
        chosen, rejected, n = packed_logps_batch(policy.model, items, policy.pad_id)
    out = LOSSES["node-dpo"](PairLogps(chosen, rejected, n, chosen, rejected), beta=CONFIG.beta, alpha=CONFIG.alpha)
    return out.loss.item()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trees", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--baseline-pairs", type=int, default=len(NODES) * BRANCHES,
                    help="pairs per tree that (b) and (c) run on; their time is scaled to all pairs")
    ap.add_argument("--methods", nargs="+", default=["packed", "per-pair", "trl"])
    ap.add_argument("--layers", type=int, default=SMOLLM2_135M["num_hidden_layers"],
                    help="fewer layers only to smoke-test this script (results are then not SmolLM2-shaped)")
    args = ap.parse_args()
    SMOLLM2_135M["num_hidden_layers"] = args.layers
    os.environ.setdefault("TQDM_DISABLE", "1")

    trees = [synthetic_tree(s) for s in range(args.trees)]
    items = [(t.prompt_ids, t.pairs()) for t in trees]
    assert all(len(p) == len(NODES) * BRANCHES for _, p in items)
    subset = [(prompt, spread(pairs, args.baseline_pairs)) for prompt, pairs in items]
    results: dict[str, dict] = {}
    load: dict[str, list[float]] = {}
    for method in args.methods:
        data = items if method == "packed" else subset
        scale = sum(len(p) for _, p in items) / sum(len(p) for _, p in data)
        before = os.getloadavg()[0]
        print(f"running {method} on {sum(len(p) for _, p in data)} pairs ...", flush=True)
        if method == "trl":
            try:
                import trl  # noqa: F401
            except ImportError as exc:
                results[method] = {"skipped": f"trl not installed ({exc})"}
                continue
            r = run_trl(data, args.epochs)
        else:
            r = run_sectree(data, args.epochs, packed=method == "packed")
        load[method] = [before, os.getloadavg()[0]]
        r.update(pairs_run=sum(len(p) for _, p in data), scale=scale, measured_epoch_s=r["epoch_s"])
        r["epoch_s"] *= scale
        if method != "packed":  # one forward per sequence: the full set's pair tokens
            r["forward_tokens_per_epoch"] = pair_tokens(items)
        results[method] = r
        print(f"  {method}: {r['epoch_s']:.1f} s/epoch (x{scale:g}), losses {r['losses']}", flush=True)

    # agreement
    agreement: dict[str, float | str] = {}
    for name, r in results.items():
        if "losses" in r:  # (for packed itself this checks the trainer against a direct packed forward)
            r["packed_loss_same_pairs"] = initial_loss(items if r["scale"] == 1 else subset)
            agreement[f"{name}_first_step_loss_minus_packed"] = r["losses"][0] - r["packed_loss_same_pairs"]
    if "ref_chosen_logps" in results.get("trl", {}):
        policy = random_policy()
        with torch.no_grad():
            chosen, rejected, _ = packed_logps_batch(policy.model, subset, policy.pad_id)
        ours = chosen.tolist() + rejected.tolist()
        theirs = results["trl"]["ref_chosen_logps"] + results["trl"]["ref_rejected_logps"]
        agreement["trl_ref_logp_minus_packed_max_abs"] = max(abs(a - b) for a, b in zip(ours, theirs))
        agreement["mean_abs_logp"] = sum(abs(x) for x in ours) / len(ours)
    agreement["note"] = "first-step loss = log 2 + alpha * mean per-token NLL of chosen (pi = pi_ref)"

    report = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(), "loadavg_1min_before_after": load,
        "shape": {"layers": args.layers, "trees": args.trees, "epochs": args.epochs, "prompt": PROMPT, "trunk": TRUNK,
                  "nodes": list(NODES), "branches_per_node": BRANCHES, "branch_len": list(BRANCH_LEN),
                  "pairs": sum(len(p) for _, p in items), "baseline_pairs_per_tree": args.baseline_pairs,
                  "pair_tokens_per_epoch": pair_tokens(items)},
        "config": {k: v for k, v in vars(CONFIG).items()}, "results": results, "agreement": agreement,
    }  # fmt: skip
    print()
    print(table(results, items))
    print(json.dumps(agreement, indent=2))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
