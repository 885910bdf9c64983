"""Tree-like Self-Play (Algorithm 1 of arXiv 2606.03489), and its baselines, top to bottom.

    for t in 1..T:
        opponents grow trees on the train tasks              (tsp, tsp-paper; tree.opponents: θ_{t-1} as
                                                              policy and attacker, the unsafe reference hunk)
          or whole answers hang off a one-node tree          (selfplay: same opponents and leaf budget)
        leaves judged in the sandbox, values backed up, pairs P_t extracted by one rule (tree/model.py
          node_pairs: a secure leaf over each vulnerable leaf (security pair) and broken leaf (function pair);
          tsp-paper: golden over every branch)
        θ_t <- train(θ_{t-1}; P_t [∪ P_<t]), reference π_ref = θ_{t-1}
        functionality guard on held-out dev tasks; checkpoint; stats

``sft`` fine-tunes on the golden solutions instead (one "round" per epoch block). What differs between methods is
one step, ``collect(policy, tasks, oracle, cfg, round) -> (units, stats)`` (``collect_trees``, ``collect_selfplay``,
``collect_sft``; ``METHOD_STEPS``): the loop below reads opponent -> collect -> (pairs) -> update -> guard ->
checkpoint the same way for every method. Every round writes into
``<out>/round-<t>/`` (trees.jsonl, pairs.jsonl, checkpoint/, stats.json); ``<out>/stats.jsonl`` is the rounds'
stats.json in order, rewritten after each. A round is finished once its stats.json exists, so ``--resume`` after
a crash (even ``kill -9``) skips finished rounds, keeps finished trees of an interrupted round, and retrains only
that round; its stats (oracle calls included) equal an uninterrupted run's.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from sectree.errors import SectreeError
from sectree.io import append_jsonl, read_jsonl, write_json_atomic, write_text_atomic
from sectree.oracle.backend import BackendConfig, make_oracle
from sectree.policy import build_prompt, load_policy, sample
from sectree.settings import METHODS, TREE_METHODS, GuardConfig, RunConfig  # noqa: F401  (re-exported)
from sectree.tasks import load_suite
from sectree.tasks.assemble import assemble
from sectree.train.trainer import train_pairs, train_sft
from sectree.tree.build import build_flat_trees, build_trees, make_trunk
from sectree.tree.model import Pair, PairRule, load_trees, pair_counts, save_trees
from sectree.tree.ray_rollout import RolloutConfig, RolloutPool



# ------------------------------------------------------------------------------------------ helpers


def split_tasks(cfg: RunConfig):
    languages = cfg.language if isinstance(cfg.language, list) else [cfg.language]
    tasks = []
    for spec in cfg.suites:
        mine = [t for lang in languages for t in load_suite(spec, split=cfg.split, language=lang)]
        if spec in cfg.suite_tasks:  # a fixed subset, the same for every seed (the run's seed is not used)
            mine = sorted(random.Random(0).sample(sorted(mine, key=lambda t: t.id), min(cfg.suite_tasks[spec],
                                                                                         len(mine))), key=lambda t: t.id)
        tasks += mine
    ids = [t.id for t in tasks]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise SectreeError(f"suite: task {dup!r} appears in more than one of {cfg.suites} (list each suite once)")
    if len(tasks) <= cfg.guard.dev_tasks:
        raise SectreeError(f"suite {cfg.suite!r} ({cfg.split}) has {len(tasks)} tasks: too few to hold out "
                           f"{cfg.guard.dev_tasks} dev tasks")
    rng = random.Random(cfg.seed)
    order = sorted(tasks, key=lambda t: t.id)
    rng.shuffle(order)
    # the guard's dev rates need tests: dev tasks come from tasks with tests where there are enough (a mixed
    # suite's SafeCoder tasks would mostly be unjudged); with one tested suite this is the same draw as before
    tested = [t for t in order if t.test_file is not None]
    pool = tested if len(tested) > cfg.guard.dev_tasks else order
    dev = pool[: cfg.guard.dev_tasks]
    train = [t for t in order if t.id not in {d.id for d in dev}]
    if cfg.max_tasks:
        train = train[: cfg.max_tasks]
    return sorted(train, key=lambda t: t.id), dev


def dev_rates(policy, dev, oracle, cfg: RunConfig) -> dict:
    """Broken / vulnerable / secure rates of whole samples on the dev tasks (full mode)."""
    items = []
    for t in dev:
        prompt = build_prompt(policy, t, template=cfg.tree.template, mode="full")
        for s in sample(policy, [prompt], n=cfg.guard.samples, temperature=cfg.tree.sampling.temperature,
                        top_p=cfg.tree.sampling.top_p, max_new_tokens=cfg.tree.sampling.max_new_tokens,
                        seed=cfg.seed):
            items.append((t, assemble(t, s.text, "full", healed=bool(prompt.code))))
    statuses = [v.status.value for v in oracle.judge_many(items)]
    return {f"dev/{s}_rate": statuses.count(s) / max(1, len(statuses)) for s in ("broken", "vulnerable", "secure")}


def pair_rule(cfg: RunConfig) -> PairRule:
    """The pair rule of a method: ours for tsp and selfplay, the authors' golden-vs-every-branch rule for
    tsp-paper (and for selfplay with selfplay_pairs: spin, SPIN's golden-vs-every-sample)."""
    if cfg.method == "tsp-paper" or (cfg.method == "selfplay" and cfg.selfplay_pairs == "spin"):
        return PairRule.PAPER
    return PairRule.ORACLE


def selfplay_trees(policy, tasks, oracle, cfg: RunConfig, round_: int = 0):
    """Unstructured self-play: whole answers from the prompt, judged, as one-node trees (``build_flat_trees``)
    so the pairs come from the same rule, leaf budget (tree.leaf_budget) and opponents as TSP's."""
    return build_flat_trees(policy, tasks, oracle, cfg.tree, cfg.selfplay_samples or cfg.tree.leaf_budget,
                            pair_mode=pair_rule(cfg), model_spec=cfg.model, round_=round_)


def _pairs_jsonl(groups, decode) -> list[dict]:
    """Pairs with their token ids and decoded text (the text makes TRL/LLaMA-Factory exports tokenizer-free)."""
    return [{"prompt_ids": pids, **asdict(p), "prompt_text": decode(pids + p.prefix_ids),
             "chosen_text": decode(p.chosen_ids), "rejected_text": decode(p.rejected_ids)}
            for pids, pairs in groups for p in pairs]


EXPORT_FORMATS = ("trl", "llama-factory")


def export_pairs(rows: list[dict], fmt: str) -> list[dict]:
    """Preference pairs for other trainers: TRL's DPOTrainer ({prompt, chosen, rejected}, plain text) or
    LLaMA-Factory's preference format ({instruction, input, chosen, rejected})."""
    if fmt == "trl":
        return [{"prompt": r["prompt_text"], "chosen": r["chosen_text"], "rejected": r["rejected_text"]} for r in rows]
    if fmt == "llama-factory":
        return [{"instruction": r["prompt_text"], "input": "", "chosen": r["chosen_text"],
                 "rejected": r["rejected_text"]} for r in rows]
    raise SectreeError(f"unknown export format {fmt!r}: use {' or '.join(EXPORT_FORMATS)}")


def _accepted_spec(out: Path, t: int) -> str | None:
    """The model spec of the last accepted checkpoint before round ``t`` (None if no round was accepted)."""
    for r in range(t - 1, 0, -1):
        stats = out / f"round-{r}" / "stats.json"
        if stats.exists():
            spec = json.loads(stats.read_text()).get("checkpoint_spec")
            if spec:
                return spec
    return None


def _theta0(cfg: RunConfig, out: Path) -> str:
    if cfg.init == "sft":
        return json.loads((out / "sft-init" / "final.json").read_text())["model_spec"]
    return cfg.init or cfg.model


def _load_policy_for_round(cfg: RunConfig, out: Path, t: int):
    """θ_{t-1}: the last accepted checkpoint before round t, else θ_0 (the model, or the SFT warm start)."""
    return load_policy(_accepted_spec(out, t) or _theta0(cfg, out))


# ------------------------------------------------------------------------------------------ collect: one per method


@dataclass
class Round:
    """What a method's collect step needs beyond (policy, tasks, oracle, cfg): where the round writes."""

    t: int
    """The round (1-based)."""
    out: Path
    """The run folder."""
    rdir: Path
    """This round's folder (trees.jsonl, pairs.jsonl, checkpoint/, stats.json)."""
    say: Callable[[str], None]
    """Progress lines."""
    replicas: object | None = None
    """A RolloutPool when trees are grown by policy replicas on Ray (tree methods only), else None."""
    calls_resumed: int = 0
    """Set by collect: oracle calls of trees an interrupted attempt finished (they count in oracle/calls_round)."""


def _tree_stats(trees) -> dict:
    """The trees' own stats (tree/..., oracle/calls), summed over the round's trees."""
    return {key: sum(tr.stats.get(key, 0) for tr in trees) for key in (trees[0].stats if trees else [])}


def collect_trees(policy, tasks, oracle, cfg: RunConfig, rnd: Round) -> tuple[list, dict]:
    """tsp, tsp-paper, contrast: a tree per task grown by the opponents θ_{t-1} (policy, attacker) and the
    reference hunk, leaves judged; -> ([(prompt_ids, pairs)] per tree, tree stats). Trees are saved a batch at
    a time, so an interrupted round keeps its finished trees (``rnd.calls_resumed`` counts their oracle calls)."""
    trees_path = rnd.rdir / "trees.jsonl"
    have = {tr.task_id: tr for tr in load_trees(trees_path)} if trees_path.exists() else {}
    rnd.calls_resumed = sum(int(tr.stats.get("oracle/calls", 0)) for tr in have.values())
    todo = [x for x in tasks if x.id not in have]
    replicas = rnd.replicas
    step = 4 * (len(replicas.replicas) if replicas else 1)
    mode = pair_rule(cfg)
    for k in range(0, len(todo), step):  # a few trees per batch: judged together, saved together
        if replicas:  # the same trees, grown by policy replicas on Ray from θ_{t-1}'s spec
            batch = replicas.build_trees(_accepted_spec(rnd.out, rnd.t) or _theta0(cfg, rnd.out), todo[k: k + step],
                                         oracle, cfg.tree, pair_mode=mode, model_spec=cfg.model, round_=rnd.t,
                                         progress=rnd.say)
        else:
            batch = build_trees(policy, todo[k: k + step], oracle, cfg.tree, pair_mode=mode, model_spec=cfg.model,
                                round_=rnd.t, progress=rnd.say)
        save_trees(trees_path, batch)
        have.update({tr.task_id: tr for tr in batch})
    trees = [have[x.id] for x in tasks]
    return [(tr.prompt_ids, tr.pairs(mode)) for tr in trees], _tree_stats(trees)


def collect_selfplay(policy, tasks, oracle, cfg: RunConfig, rnd: Round) -> tuple[list, dict]:
    """selfplay: whole answers from the prompt as one-node trees, the same pair rule, budget and opponents;
    -> ([(prompt_ids, pairs)] per task, tree stats). A crashed attempt's answers are sampled again."""
    trees = selfplay_trees(policy, tasks, oracle, cfg, round_=rnd.t)
    (rnd.rdir / "trees.jsonl").unlink(missing_ok=True)
    save_trees(rnd.rdir / "trees.jsonl", trees)
    return [(tr.prompt_ids, tr.pairs(pair_rule(cfg))) for tr in trees], _tree_stats(trees)


def collect_sft(policy, tasks, oracle, cfg: RunConfig, rnd: Round) -> tuple[list, dict]:
    """sft: the golden solutions as targets; -> ([(prompt_ids, golden ids)] per task, no stats). No oracle."""
    trunks = [make_trunk(policy, x, cfg.tree.template) for x in tasks]
    return [(tr.prompt_ids, tr.golden.ids) for tr in trunks], {}


@dataclass(frozen=True)
class MethodSteps:
    """How a method fills the loop: its collect step, and what its units are."""

    collect: Callable
    """(policy θ_{t-1}, train tasks, oracle, RunConfig, Round) -> (units, stats)."""
    prefs: bool
    """Units are (prompt_ids, preference pairs) per tree: recorded in pairs.jsonl and trained with train_pairs;
    otherwise (prompt_ids, target_ids) examples for train_sft."""


METHOD_STEPS: dict[str, MethodSteps] = {
    "tsp": MethodSteps(collect_trees, prefs=True),
    "tsp-paper": MethodSteps(collect_trees, prefs=True),
    "contrast": MethodSteps(collect_trees, prefs=True),
    "selfplay": MethodSteps(collect_selfplay, prefs=True),
    "sft": MethodSteps(collect_sft, prefs=False),
}
"""Method -> its steps; a new method adds a collect function and a row here (and its name to METHODS)."""
assert set(METHOD_STEPS) == set(METHODS) and {m for m, s in METHOD_STEPS.items() if s.collect is collect_trees} \
    == set(TREE_METHODS)


def _record_pairs(groups: list, policy, tasks, cfg: RunConfig, rnd: Round, stats: dict) -> list:
    """This round's pairs (with P_<t under keep_pairs) written to pairs.jsonl and counted in ``stats``
    (pairs/total, by kind, by opponent, by suite, distinct rejected); returns the groups to train on."""
    if cfg.keep_pairs:
        for r in range(1, rnd.t):
            old = rnd.rdir.parent / f"round-{r}" / "pairs.jsonl"
            if old.exists():
                groups = groups + _regroup(list(read_jsonl(old)))
    (rnd.rdir / "pairs.jsonl").unlink(missing_ok=True)
    append_jsonl(rnd.rdir / "pairs.jsonl", _pairs_jsonl(groups, policy.decode))
    n_pairs = sum(len(p) for _, p in groups)
    stats.update(pair_counts([p for _, ps in groups for p in ps]))  # pairs/total, by kind, by opponent
    source = {x.id: x.suite for x in tasks}  # the task's own suite: builtin:python, safecoder:...
    for label in sorted(set(source.values())):  # mixed suites: where the pairs come from
        stats[f"pairs/suite/{label}"] = sum(source.get(p.task_id) == label for _, ps in groups for p in ps)
    stats["pairs/distinct_rejected"] = len({tuple(p.rejected_ids) for _, ps in groups for p in ps})
    rnd.say(f"round {rnd.t}: {n_pairs} pairs from {len(groups)} groups")
    return groups


# ------------------------------------------------------------------------------------------ the loop


def _write_history(out: Path, history: list[dict]) -> None:
    """``out/stats.jsonl``: the finished rounds' stats in order, derived from their stats.json files, so a kill
    between a round's stats.json and this write loses nothing (the next run rewrites it)."""
    write_text_atomic(out / "stats.jsonl", "".join(json.dumps(h) + "\n" for h in history))


def run(cfg: RunConfig, out: str | Path, resume: bool = False, say: Callable[[str], None] = print, *,
        backend: BackendConfig | None = None, rollout: RolloutConfig | None = None) -> list[dict]:
    """Train ``cfg`` into ``out``. ``backend`` / ``rollout``: where the oracle runs and who builds the trees
    (docs/scale.md); they change where work happens, never the results, so they are not part of ``cfg``."""
    steps = METHOD_STEPS[cfg.method]  # the one place the loop looks at the method
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not resume:
        raise SectreeError(f"{out} exists and is not empty: pass --resume to continue it, or choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / "config.json", asdict(cfg))
    train_tasks, dev = split_tasks(cfg)
    say(f"{cfg.method}: {len(train_tasks)} train tasks, {len(dev)} dev tasks, {cfg.rounds} round(s) -> {out}")
    oracle = make_oracle(no_sandbox=cfg.no_sandbox, workers=cfg.workers, backend=backend)
    replicas = None
    if rollout is not None and rollout.on_ray and cfg.method in TREE_METHODS:
        replicas = RolloutPool(rollout, backend.address if backend else None)
    history: list[dict] = []  # the finished rounds' stats, in order (stats.jsonl)
    try:
        # ---- warm start: SFT on golden solutions first (--init sft), itself resumable
        if cfg.init == "sft" and not (out / "sft-init" / "final.json").exists():
            sft_cfg = RunConfig(**{**asdict(cfg), "method": "sft", "init": None, "rounds": 1,
                                   "tree": cfg.tree, "update": cfg.update, "guard": cfg.guard})
            run(sft_cfg, out / "sft-init", resume=True, say=say, backend=backend)

        baseline_broken = None
        for t in range(1, cfg.rounds + 1):
            rdir = out / f"round-{t}"
            if (rdir / "stats.json").exists():
                done = json.loads((rdir / "stats.json").read_text())
                history.append(done)
                baseline_broken = done.get("dev/baseline_broken_rate", baseline_broken)
                say(f"round {t}: finished earlier, skipped")
                continue
            rdir.mkdir(exist_ok=True)
            t0 = time.monotonic()
            calls0, calls_resumed = oracle.calls, 0  # this round's oracle calls, those of resumed trees included
            # ---- the opponent: previous iterate θ_{t-1} (also the reference of this round's loss)
            policy = _load_policy_for_round(cfg, out, t)
            stats: dict = {"round": t, "method": cfg.method}
            if baseline_broken is None:
                base = dev_rates(policy, dev, oracle, cfg)
                baseline_broken = base["dev/broken_rate"]
                stats.update({k.replace("dev/", "dev/before_"): v for k, v in base.items()})
            stats["dev/baseline_broken_rate"] = baseline_broken

            # ---- build trees with the opponent / sample whole answers / golden targets (the method's collect)
            rnd = Round(t, out, rdir, say, replicas)
            units, collected = steps.collect(policy, train_tasks, oracle, cfg, rnd)
            calls_resumed = rnd.calls_resumed
            stats.update(collected)
            # ---- back up values (done per tree), extract pairs: recorded in pairs.jsonl, counted in the stats
            if steps.prefs:
                units = _record_pairs(units, policy, train_tasks, cfg, rnd, stats)

            # ---- policy update: θ_t from θ_{t-1}, reference π_ref = θ_{t-1}
            if not steps.prefs:
                train_stats = train_sft(policy, units, cfg.update, epochs=cfg.sft_epochs)
            elif stats.get("pairs/total", 0) > 0:
                train_stats = train_pairs(policy, [g for g in units if g[1]], cfg.update)
            else:
                train_stats = {"note": "no pairs: the policy is unchanged this round"}
            stats.update({k: v for k, v in train_stats.items() if not isinstance(v, list)})
            # per-step curves (loss/total, loss/margin, ...): the last value in the stats, the curve beside it
            stats.update({k: v[-1] for k, v in train_stats.items() if isinstance(v, list) and v})
            stats["curves"] = {k: v for k, v in train_stats.items() if isinstance(v, list)}

            # ---- functionality guard on held-out dev tasks
            after = dev_rates(policy, dev, oracle, cfg)
            stats.update(after)
            rise = after["dev/broken_rate"] - baseline_broken
            accepted = cfg.guard.action == "record" or rise <= cfg.guard.max_broken_increase
            stats["accepted"] = accepted
            if not accepted:
                say(f"round {t}: dev broken rate rose by {rise:.2f} (> {cfg.guard.max_broken_increase}): "
                    f"{'rolled back' if cfg.guard.action == 'rollback' else 'stopping'}")

            # ---- checkpoint / log
            if accepted:
                stats["checkpoint_spec"] = policy.save((rdir / "checkpoint").resolve())
            stats["oracle/calls_round"] = oracle.calls - calls0 + calls_resumed
            stats["oracle/calls_total"] = history[-1].get("oracle/calls_total", 0) + stats["oracle/calls_round"] \
                if history else stats["oracle/calls_round"]
            stats["time/round_seconds"] = round(time.monotonic() - t0, 1)
            write_json_atomic(rdir / "stats.json", stats)
            history.append(stats)
            _write_history(out, history)
            say(f"round {t}: " + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                                           for k, v in stats.items() if k.startswith(("pairs/", "dev/", "loss/total"))))
            if not accepted and cfg.guard.action == "stop":
                break
        if history:  # every round finished earlier (a kill just after the last stats.json): stats.jsonl too
            _write_history(out, history)
    finally:
        if replicas is not None:
            replicas.close()
        oracle.close()
    final = _accepted_spec(out, cfg.rounds + 1) or _theta0(cfg, out)
    write_json_atomic(out / "final.json", {"model_spec": final})
    return history


def _regroup(rows: list[dict]):
    groups: dict[tuple, list] = {}
    for r in rows:
        pids = tuple(r["prompt_ids"])
        groups.setdefault(pids, []).append(Pair.from_dict(r))
    return [(list(k), v) for k, v in groups.items()]
