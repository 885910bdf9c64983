"""The oracle on Ray: judging jobs go to Ray actors, each an ordinary ``Oracle`` with its own sandbox workers.

    driver (RayOracle.judge_many)                       actor k (OracleActor, on any node)
      cache hits answered here                            Oracle(config): warm bubblewrap workers, its own
      misses cut into chunks in input order    ------>    expected-test and verdict caches
      2 chunks in flight per actor (threads)   <------    verdicts (analyzers included), sandbox runs
      a chunk whose actor died goes to another

Verdicts are deterministic, so which actor judges a chunk does not change it: the results equal the local
backend's (tests/test_scale.py). Each actor collects a task's expected tests on the secure reference itself
(once per task per actor: with A actors the reference may run A times). The sandbox protects each node as it
does locally; Ray itself adds no isolation and must only be reachable by trusted machines.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import deque
from typing import Callable, Iterable

from sectree.errors import SectreeError
from sectree.oracle.cluster import BackendConfig, connect
from sectree.oracle.judge import Oracle, OracleConfig
from sectree.oracle.verdict import Verdict
from sectree.tasks import Task

IN_FLIGHT = 2
"""Chunks in flight per actor, judged concurrently by the actor's threads (its Pool is thread-safe), so one chunk's
analyzers and result transfer overlap the other's sandbox runs and an actor never waits for the driver."""


class OracleActor:
    """Body of one Ray actor: a local Oracle. Wrapped with ``ray.remote`` lazily (Ray is optional)."""

    def __init__(self, config: OracleConfig):
        self.oracle = Oracle(config)

    def judge(self, items: list[tuple[Task, str]]) -> tuple[list[Verdict], int]:
        """Verdicts of ``items`` in order, and this actor's sandbox runs so far (a total, not this call's share:
        two calls run at once, so a difference would count the other call's runs too)."""
        verdicts = self.oracle.judge_many(items)
        return verdicts, self.oracle.sandbox_runs

    def workers(self) -> int:
        return len(self.oracle.pool.workers)

    def close(self) -> None:
        self.oracle.close()


def _chunks(n: int, actors: int, workers: int) -> list[range]:
    """Consecutive index ranges: about 4 chunks per actor (load balance), each at least one per sandbox worker."""
    size = max(workers, -(-n // (4 * actors)))
    return [range(i, min(n, i + size)) for i in range(0, n, size)]


class RayOracle:
    """Same interface and verdicts as ``Oracle``; the judging runs on Ray actors. Close it (or use ``with``)."""

    def __init__(self, config: OracleConfig, backend: BackendConfig):
        ray = connect(backend.address)
        self.config, self.backend = config, backend
        n = backend.actors or max(1, len([x for x in ray.nodes() if x.get("Alive")]))
        # num_cpus=0: the sandboxes are the actor's own child processes, sized by config.workers; reserving CPUs
        # in Ray's scheduler would only make actors wait on a small cluster. SPREAD puts them on different nodes.
        remote = ray.remote(num_cpus=0, max_restarts=0, max_concurrency=IN_FLIGHT, scheduling_strategy="SPREAD")(
            OracleActor)
        self._actors = [remote.remote(config) for _ in range(n)]
        try:
            self._workers = ray.get([a.workers.remote() for a in self._actors])  # waits until every actor is up
        except Exception as e:
            self.close()
            raise _clear(e) from None
        self._verdicts: dict[tuple, Verdict] = {}
        self._lock = threading.Lock()
        self._runs: dict[int, int] = {}  # id(actor) -> its sandbox runs so far (the largest total it reported)
        self.calls = 0
        """Candidates judged (each call of judge/judge_many item), cached or not."""
        self.sandbox_runs = 0
        """Jobs actually run in a sandbox, summed over the actors."""
        self.retried_chunks = 0
        """Chunks re-sent because their actor died."""

    def __getstate__(self) -> dict:
        # shipped to a rollout replica as its actor handles: the copy judges on the same actors, with its own
        # counters and cache; only the driver's object closes the actors
        return {"config": self.config, "backend": self.backend, "_actors": self._actors, "_workers": self._workers}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._verdicts, self._lock, self._runs = {}, threading.Lock(), {}
        self.calls = self.sandbox_runs = self.retried_chunks = 0

    @property
    def actors(self) -> list:
        """The live actors' handles (a test kills one)."""
        return list(self._actors)

    def __enter__(self) -> "RayOracle":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        import ray  # an optional extra (sectree[scale]): imported only where a Ray oracle runs

        actors, self._actors = self._actors, []
        done = [a.close.remote() for a in actors]
        try:  # let each actor stop its sandboxes, then end it
            ray.wait(done, num_returns=len(done), timeout=30)
        finally:
            for a in actors:
                ray.kill(a)

    def judge(self, task: Task, candidate: str) -> Verdict:
        return self.judge_many([(task, candidate)])[0]

    def judge_many(self, items: Iterable[tuple[Task, str]],
                   progress: Callable[[int], None] | None = None) -> list[Verdict]:
        """Judge on the actors; results in input order. Cached pairs never leave this process."""
        items = list(items)
        with self._lock:
            self.calls += len(items)
        out: list[Verdict | None] = [None] * len(items)
        # the local oracle's key: (task key, candidate sha256), the task key covering its tests and reference
        keys = [(Oracle._task_key(t), hashlib.sha256(c.encode()).hexdigest()) for t, c in items]
        todo: list[int] = []
        for i, key in enumerate(keys):
            hit = self._verdicts.get(key) if self.config.cache else None
            if hit is not None:
                out[i] = copy.deepcopy(hit)
                if progress:
                    progress(1)
            else:
                todo.append(i)
        if todo:
            self._dispatch(items, todo, out, progress)
            if self.config.cache:
                for i in todo:
                    self._verdicts[keys[i]] = copy.deepcopy(out[i])
        return out  # type: ignore[return-value]

    def _dispatch(self, items, todo: list[int], out: list, progress) -> None:
        import ray  # the optional extra, as in close()
        from ray.exceptions import RayActorError

        if not self._actors:
            raise SectreeError("oracle: the Ray oracle is closed")
        chunks = deque(_chunks(len(todo), len(self._actors), max(self._workers)))
        live = list(self._actors)
        inflight: dict = {}  # object ref -> (chunk, actor)
        while chunks or inflight:
            for a in live:  # keep every live actor fed
                while chunks and sum(1 for _, b in inflight.values() if b is a) < IN_FLIGHT:
                    c = chunks.popleft()
                    inflight[a.judge.remote([items[todo[j]] for j in c])] = (c, a)
            if not inflight:
                raise SectreeError("oracle: every Ray oracle actor died; see the Ray logs (/tmp/ray/session_latest)")
            ready, _ = ray.wait(list(inflight), num_returns=1)
            for ref in ready:
                c, a = inflight.pop(ref)
                try:
                    verdicts, total = ray.get(ref)
                except RayActorError:
                    # the actor (or its node) died: its chunks go to the others, in order, first
                    if a in live:
                        live.remove(a)
                        self._actors = [x for x in self._actors if x is not a]
                    chunks.appendleft(c)
                    with self._lock:
                        self.retried_chunks += 1
                    continue
                except Exception as e:
                    raise _clear(e) from None
                for j, v in zip(c, verdicts):
                    out[todo[j]] = v
                with self._lock:
                    self._runs[id(a)] = max(self._runs.get(id(a), 0), total)
                    self.sandbox_runs = sum(self._runs.values())
                if progress:
                    for _ in c:
                        progress(1)


def _clear(e: Exception) -> Exception:
    """A SectreeError raised inside an actor, as itself (its one-line message), else the error unchanged."""
    cause = getattr(e, "cause", None)
    if isinstance(e, SectreeError) or isinstance(cause, SectreeError):
        return SectreeError(str(cause if isinstance(cause, SectreeError) else e).splitlines()[-1])
    return e
