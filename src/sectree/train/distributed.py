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

The whole loop (``sectree train``'s run config), trees built once:

    accelerate launch --config_file configs/accelerate/ddp-cpu.yaml -m sectree.train.distributed \\
        --loop configs/tsp-python.yaml --out runs/x [--set train.grad_accum=2 ...] [--resume]

Rank 0 runs ``train.tsp.run`` (trees, oracle, pairs, dev guard, checkpoints: everything one process does);
every other rank waits in ``follow`` and, each time rank 0 reaches a round's training, loads the same
θ_{t-1} spec and trains the same units with it (``trainer.leading``), so the round's update is the
data-parallel (or FSDP) one. The ranks need the run folder at the same path (one machine, or a shared disk).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

import torch.distributed as dist
import yaml

from sectree import config as cfgmod
from sectree.errors import SectreeError
from sectree.io import read_jsonl, write_json_atomic
from sectree.policy import load_policy
from sectree.train.losses import LOSSES
from sectree.train.trainer import TrainConfig, _train, launch_state, leading, train_pairs
from sectree.train.tsp import RunConfig, _regroup, run


def _parse_set(items: list[str]) -> dict:
    out = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq:
            raise SectreeError(f"--set expects key=value, got {item!r}")
        out[key.strip()] = yaml.safe_load(value)
    return out


def train_round(model: str, pairs: Path, out: Path, overrides: dict | None = None, device: str | None = None) -> dict:
    """Load ``model``, train it on ``pairs`` (a round's pairs.jsonl); rank 0 saves. Returns the training stats."""
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


# ------------------------------------------------------------------------------------------ the whole loop

# rank 0 may build trees and judge them for hours between two trainings: the control messages get a group of
# their own whose timeout is that long (the training collectives keep accelerate's default)
CONTROL_TIMEOUT = timedelta(days=7)


def run_loop(config: Path, out: Path, overrides: dict, resume: bool) -> dict | None:
    """The TSP loop of ``config`` (a ``sectree train`` run config) with every round's training spread over
    the ranks; rank 0 returns ``final.json``'s content, the other ranks None."""
    cfg = cfgmod.load(RunConfig, config, overrides)  # on every rank: a bad config stops them all, with one line
    say = lambda m: print(m, file=sys.stderr)  # noqa: E731
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:  # not launched: what sectree train does
        run(cfg, out, resume=resume, say=say)
        return json.loads((out / "final.json").read_text())
    state = launch_state()
    control = dist.new_group(backend="gloo", timeout=CONTROL_TIMEOUT)
    if state.process_index != 0:
        follow(control, str(state.device))
        return None

    def send(spec, units, loss, train_cfg) -> None:
        dist.broadcast_object_list([("train", spec, units, loss.name, train_cfg)], src=0, group=control)

    try:
        with leading(send):
            run(cfg, out, resume=resume, say=say)
    finally:  # also after an error: the other ranks stop waiting (torchrun then reports rank 0's exit code)
        dist.broadcast_object_list([("done",)], src=0, group=control)
    return json.loads((out / "final.json").read_text())


def follow(control, device: str) -> int:
    """A rank other than 0: train each round rank 0 announces, until it says done. Returns the rounds trained."""
    rounds = 0
    while True:
        box: list = [None]
        dist.broadcast_object_list(box, src=0, group=control)
        if box[0][0] == "done":
            return rounds
        _, spec, units, loss_name, train_cfg = box[0]
        policy = load_policy(spec, device=device)  # θ_{t-1}, as rank 0 loaded it for this round
        stats = _train(policy, units, LOSSES[loss_name], train_cfg, None)  # rank 0 saves; this copy is dropped
        rounds += 1
        print(f"rank {dist.get_rank()}: trained {stats['train/trees']} trees with rank 0 "
              f"({stats['train/steps']} steps, from {spec})", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="sectree.train.distributed", description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model spec of θ_{t-1} (e.g. tiny-random, hf:<dir>, ...+lora:<dir>)")
    ap.add_argument("--pairs", type=Path, help="a round's pairs.jsonl")
    ap.add_argument("--loop", type=Path, metavar="CONFIG",
                    help="run the whole loop of this run config (as sectree train -c CONFIG) instead of one round")
    ap.add_argument("--out", required=True, type=Path,
                    help="folder for checkpoint/ and train-stats.json (with --loop: the run folder)")
    ap.add_argument("--set", dest="set_", action="append", default=[],
                    help="TrainConfig override, e.g. lr=5e-5 (with --loop: any run config field, e.g. train.lr=5e-5)")
    ap.add_argument("--resume", action="store_true", help="with --loop: continue an interrupted run in --out")
    args = ap.parse_args(argv)
    try:
        if args.loop is not None:
            if args.model or args.pairs:
                raise SectreeError("--loop: the run config names the model and builds the pairs; drop --model/--pairs")
            final = run_loop(args.loop, args.out, _parse_set(args.set_), args.resume)
            if final is not None:
                print(json.dumps({"out": str(args.out), "final": final}))
            return 0
        if not args.model or not args.pairs:
            raise SectreeError("--model and --pairs are needed (or --loop CONFIG for the whole loop)")
        device = None
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:
            device = str(launch_state().device)  # one GPU per rank, or cpu
        train_round(args.model, args.pairs, args.out, _parse_set(args.set_), device)
    except SectreeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
