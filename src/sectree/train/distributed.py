"""Train a policy on one round's pairs across processes: ``accelerate launch -m sectree.train.distributed``.

    accelerate launch --config_file configs/accelerate/ddp-cpu.yaml -m sectree.train.distributed \\
        --model <θ_{t-1} spec> --pairs runs/x/round-1/pairs.jsonl --out runs/x/round-1-dp [--set lr=5e-5 ...]

Every rank loads the same policy and pairs and runs ``train_pairs``; each optimizer step's micro-batches are
dealt out to the ranks and the gradients summed (``trainer._DataParallel``), so the update is the one a single
process makes for the same global batch (``trees_per_step × grad_accum`` trees; use a grad_accum that the
process count divides, or ranks idle). Rank 0 writes ``<out>/checkpoint`` and ``<out>/train-stats.json``.
Run without accelerate it is the same training in one process (the equivalence test compares the two).
LoRA dropout draws different masks per rank than one process would: set lora_dropout: 0 for bit-level
comparisons; with dropout the update is equal in distribution only.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sectree import config as cfgmod
from sectree.errors import SectreeError
from sectree.io import read_jsonl, write_json_atomic
from sectree.train.trainer import TrainConfig, train_pairs
from sectree.train.tsp import _regroup


def _parse_set(items: list[str]) -> dict:
    import yaml

    out = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq:
            raise SectreeError(f"--set expects key=value, got {item!r}")
        out[key.strip()] = yaml.safe_load(value)
    return out


def train_round(model: str, pairs: Path, out: Path, overrides: dict | None = None, device: str | None = None) -> dict:
    """Load ``model``, train it on ``pairs`` (a round's pairs.jsonl); rank 0 saves. Returns the training stats."""
    from sectree.policy import load_policy

    if not pairs.is_file():
        raise SectreeError(f"{pairs}: no such pairs file (a round's pairs.jsonl)")
    try:
        groups = [g for g in _regroup(list(read_jsonl(pairs))) if g[1]]
    except (ValueError, KeyError, TypeError) as e:
        raise SectreeError(f"{pairs}: not a pairs.jsonl written by sectree train ({type(e).__name__}: {e})") from None
    cfg = cfgmod.build(TrainConfig, overrides or {}, source="--set")
    policy = load_policy(model, device=device)
    stats = train_pairs(policy, groups, cfg)
    if int(os.environ.get("RANK", "0")) == 0:
        spec = policy.save((out / "checkpoint").resolve())
        write_json_atomic(out / "train-stats.json", {"model_spec": spec, "world_size": int(os.environ.get(
            "WORLD_SIZE", "1")), **{k: v for k, v in stats.items()}})
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="sectree.train.distributed", description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="model spec of θ_{t-1} (e.g. tiny-random, hf:<dir>, ...+lora:<dir>)")
    ap.add_argument("--pairs", required=True, type=Path, help="a round's pairs.jsonl")
    ap.add_argument("--out", required=True, type=Path, help="folder for checkpoint/ and train-stats.json")
    ap.add_argument("--set", dest="set_", action="append", default=[], help="TrainConfig override, e.g. lr=5e-5")
    args = ap.parse_args(argv)
    try:
        device = None
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:
            from sectree.train.trainer import launch_state

            device = str(launch_state().device)  # one GPU per rank, or cpu
        train_round(args.model, args.pairs, args.out, _parse_set(args.set_), device)
    except SectreeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
