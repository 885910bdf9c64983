"""Rollouts on Ray: the trees of a round built by N policy replicas (Ray actors), each loading the same model spec.

    driver (RolloutPool.build_trees)                  replica k (RolloutReplica actor, num_gpus=gpus_per_replica)
      tasks cut into N consecutive shards   ------>     load_policy(spec) once per spec (θ_{t-1} of the round)
                                                        build_trees(policy, shard, oracle, cfg)  (tree/build.py)
      trees back in task order              <------     trees + oracle calls

Every random draw of a tree is seeded from (tree.seed, task id, node, attempt) (``build._seed``), never from
which tasks share a batch, so a tree is the same whichever replica grows it: identical to the local builder's
for the same seeds (tests/test_scale.py). The leaves are judged by the driver's oracle when it is on Ray (the
replicas send jobs to the same oracle actors), else by a local oracle inside each replica (its own sandboxes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import torch

from sectree.errors import SectreeError
from sectree.oracle.cluster import INSTALL_HINT, connect
from sectree.oracle.judge import Oracle, OracleConfig
from sectree.oracle.ray_backend import RayOracle
from sectree.policy import load_policy
from sectree.tree.build import build_trees


@dataclass
class RolloutConfig:
    """Who builds a round's trees (``rollout.*`` in an experiment config). Trees do not depend on it."""

    replicas: int = 1
    """Policy replicas: 1 = this process builds every tree; N > 1 = N Ray actors (oracle.address names the cluster)."""
    gpus_per_replica: float = 0.0
    """GPUs Ray reserves for each replica (e.g. 1 on a GPU cluster; 0 = CPU replicas)."""
    cpus_per_replica: float = 1.0
    """CPUs Ray reserves for each replica. A replica computes with the caller's PyTorch thread count whatever this
    is: float sums depend on the thread count (last digits), and the replicas' trees must equal the local ones."""

    def __post_init__(self) -> None:
        if self.replicas < 1:
            raise SectreeError(f"rollout.replicas must be >= 1, got {self.replicas}")
        if self.gpus_per_replica < 0 or self.cpus_per_replica < 0:
            raise SectreeError("rollout.gpus_per_replica and rollout.cpus_per_replica must be >= 0")
        if self.on_ray:
            try:
                import ray  # noqa: F401  lazy(optional): the ray extra, only asked for when replicas > 1
            except ImportError:
                raise SectreeError(f"rollout.replicas > 1 needs Ray, which is not installed: {INSTALL_HINT}") from None

    @property
    def on_ray(self) -> bool:
        return self.replicas > 1


class RolloutReplica:
    """Body of one Ray actor: a policy (reloaded when the spec changes) that grows trees."""

    def __init__(self) -> None:
        self.spec: str | None = None
        self.policy = None
        self.oracles: dict = {}

    def build(self, spec: str, tasks, oracle, cfg, pair_mode: str, round_: int, model_spec: str, threads: int):
        """(trees of ``tasks`` in order, candidates judged); ``oracle`` is a RayOracle or a local OracleConfig;
        ``threads``: the caller's PyTorch thread count (the same count gives the same floats)."""
        torch.set_num_threads(threads)
        if spec != self.spec:
            self.policy, self.spec = None, None  # free the old model first
            self.policy, self.spec = load_policy(spec), spec
        if isinstance(oracle, OracleConfig):  # a local oracle inside the replica, kept for the next round
            key = repr(oracle)
            if key not in self.oracles:
                self.oracles[key] = Oracle(oracle)
            oracle = self.oracles[key]
        before = oracle.calls
        trees = build_trees(self.policy, tasks, oracle, cfg, pair_mode=pair_mode, model_spec=model_spec,
                            round_=round_)
        return trees, oracle.calls - before

    def close(self) -> None:
        for o in self.oracles.values():
            o.close()


class RolloutPool:
    """N replicas on the Ray cluster; ``build_trees`` has the local builder's signature plus the model spec."""

    def __init__(self, cfg: RolloutConfig, address: str | None = None):
        ray = connect(address)
        remote = ray.remote(num_cpus=cfg.cpus_per_replica, num_gpus=cfg.gpus_per_replica, max_restarts=0)(
            RolloutReplica)
        self.replicas = [remote.remote() for _ in range(cfg.replicas)]

    def build_trees(self, spec: str, tasks: Sequence, oracle, cfg, *, pair_mode: str = "oracle",
                    model_spec: str = "", round_: int = 0, progress: Callable[[str], None] | None = None) -> list:
        """The trees of ``tasks`` (in order), grown by the replicas from policy ``spec``; judged by ``oracle``."""
        import ray  # lazy(optional): the ray extra, needed only when a run has replicas

        say = progress or (lambda _m: None)
        # a RayOracle travels as its actor handles; a local oracle as its config (each replica opens its own)
        shipped = oracle if isinstance(oracle, RayOracle) else oracle.config
        n = len(self.replicas)
        size = -(-len(tasks) // n)
        shards = [list(tasks[i: i + size]) for i in range(0, len(tasks), size)]
        threads = torch.get_num_threads()
        refs = [r.build.remote(spec, shard, shipped, cfg, pair_mode, round_, model_spec, threads)
                for r, shard in zip(self.replicas, shards)]
        say(f"{len(tasks)} trees on {len(refs)} replicas")
        try:
            results = ray.get(refs)
        except ray.exceptions.RayActorError as e:
            # no retry here (a replica holds a model): the trees saved so far stay, and a resumed run continues
            raise SectreeError(f"rollout: a policy replica died ({type(e).__name__}); the trees built so far are "
                               "saved: run again with --resume / the same experiment to continue") from None
        trees: list = []
        for got, calls in results:
            trees += got
            oracle.calls += calls  # the leaves were judged elsewhere: count them here, as the local builder does
        return trees

    def close(self) -> None:
        import ray  # lazy(optional): the ray extra, as in build_trees

        replicas, self.replicas = self.replicas, []
        ray.wait([r.close.remote() for r in replicas], num_returns=len(replicas), timeout=30)
        for r in replicas:
            ray.kill(r)
