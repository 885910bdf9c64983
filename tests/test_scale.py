"""Past one machine (docs/scale.md): the oracle and rollouts on Ray, training across processes with accelerate.

The Ray tests start one small local cluster (num_cpus=2) for the module and stop it at the end, checking that
none of its processes are left. Everything is compared with the local code path on the same inputs.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sectree.errors import SectreeError
from sectree.oracle.backend import Backend, BackendConfig
from sectree.settings import Sampling

ROOT = Path(__file__).resolve().parents[1]
QUICK = ROOT / "configs" / "experiments" / "quick.yaml"


def _ray():
    # CI installs the scale extra (make setup): there a missing Ray is a failure, not a skip
    if os.environ.get("CI"):
        import ray

        return ray
    return pytest.importorskip("ray")


def _strip_timings(x):
    """Verdicts carry wall-clock timings; everything else must be identical."""
    if isinstance(x, dict):
        return {k: _strip_timings(v) for k, v in x.items() if k != "timings"}
    if isinstance(x, list):
        return [_strip_timings(v) for v in x]
    return x


def _cli(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          check=False, env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})})


# ------------------------------------------------------------------------------------------ config, no Ray


def test_backend_config_checks():
    with pytest.raises(SectreeError, match="oracle.actors must be >= 1"):
        BackendConfig(backend=Backend.LOCAL, actors=0)
    with pytest.raises(SectreeError, match="need oracle.backend: ray"):
        BackendConfig(address="auto")


def test_unknown_backend_and_missing_ray_are_one_line(tmp_path):
    r = _cli("-m", "sectree", "experiment", str(QUICK), "--out", str(tmp_path / "x"), "--set", "oracle.backend=rai")
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        f"error: {QUICK}: oracle.backend: must be one of local, ray, got 'rai'"]
    # Ray not installed: a None entry in sys.modules makes `import ray` raise ImportError
    code = ("import sys; sys.modules['ray'] = None; from sectree.cli import main; "
            f"sys.argv = ['sectree', 'experiment', {str(QUICK)!r}, '--out', {str(tmp_path / 'y')!r}, "
            "'--set', 'oracle.backend=ray']; main()")
    r = _cli("-c", code)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1, r.stderr[-2000:]
    assert lines[0].startswith("error: ") and "pip install 'sectree[scale]'" in lines[0]
    assert not (tmp_path / "y").exists()


# ------------------------------------------------------------------------------------------ on a local Ray cluster


@pytest.fixture(scope="module")
def cluster():
    """A local Ray cluster for this module (2 CPUs), stopped at the end with every process it started."""
    ray = _ray()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
             object_store_memory=100 * 2**20)
    session = ray._private.worker._global_node.get_session_dir_path()
    address = ray.get_runtime_context().gcs_address
    yield address
    ray.shutdown()
    deadline = time.monotonic() + 30
    while (left := _processes_with(session)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not left, f"Ray processes left behind: {left}"


def _processes_with(needle: str) -> list[int]:
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit() and int(p.name) != os.getpid():
            try:
                if needle in (p / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(p.name))
            except OSError:
                continue
    return pids


@pytest.mark.slow
def test_ray_oracle_same_verdicts_order_cache_and_dead_actor(cluster):
    import ray

    from sectree.oracle import Oracle, OracleConfig
    from sectree.oracle.backend import open_oracle
    from sectree.tasks import load_suite

    tasks = load_suite("builtin:python", split="test", cwe=[1004])[:2]
    items = [(t, c) for t in tasks for c in (t.unsafe_source, "def broken(:\n", t.reference_source)]
    items.append(items[0])  # a repeated candidate
    cfg = OracleConfig(workers=1)
    with Oracle(cfg) as local:
        want = [_strip_timings(v.to_dict()) for v in local.judge_many(items)]
    assert [w["status"] for w in want][:3] == ["vulnerable", "broken", "secure"]  # the items differ: order counts
    with open_oracle(cfg, BackendConfig(backend=Backend.RAY, actors=2)) as remote:
        dead = remote.actors[0]
        ray.kill(dead)
        with pytest.raises(ray.exceptions.RayActorError):
            ray.get(dead.workers.remote(), timeout=60)
        seen = []
        got = [_strip_timings(v.to_dict()) for v in remote.judge_many(items, progress=seen.append)]
        assert got == want
        assert remote.retried_chunks >= 1 and len(remote.actors) == 1  # the dead actor's chunks went elsewhere
        assert sum(seen) == len(items) and remote.calls == len(items)
        runs = remote.sandbox_runs
        assert runs >= 4  # two tasks' unsafe candidates and their references at least (syntax errors never run)
        again = [_strip_timings(v.to_dict()) for v in remote.judge_many(items)]
        assert again == want and remote.sandbox_runs == runs  # every verdict came from the cache
    assert remote.actors == []


def test_ray_oracle_error_inside_an_actor_is_one_clear_line(cluster, tmp_path):
    import dataclasses

    from sectree.oracle import OracleConfig
    from sectree.oracle.backend import open_oracle
    from sectree.tasks import load_suite

    task = load_suite("builtin:python", split="test", cwe=[1004])[0]
    empty = tmp_path / task.test_file.name
    empty.write_text("import pytest\n")  # no tests: the actor's Oracle refuses the task
    bad = dataclasses.replace(task, test_file=empty)
    with open_oracle(OracleConfig(workers=1), BackendConfig(backend=Backend.RAY, actors=1)) as remote:
        with pytest.raises(SectreeError) as e:
            remote.judge_many([(bad, bad.reference_source)])
    assert str(e.value) == f"{empty}: no tests collected on the secure reference (no tests collected)"


@pytest.mark.slow
def test_rollouts_on_two_replicas_build_the_local_trees(cluster):
    import ray

    from sectree.oracle import Oracle, OracleConfig
    from sectree.policy import load_policy
    from sectree.tasks import load_suite
    from sectree.tree.build import TreeConfig, build_trees
    from sectree.tree.ray_rollout import RolloutConfig, RolloutPool

    tasks = load_suite("builtin:python", split="train")[:3]
    cfg = TreeConfig(max_nodes=1, branches=2, max_branches=2, leaf_budget=2, sampling=Sampling(max_new_tokens=12), seed=3)
    with Oracle(OracleConfig(workers=1)) as oracle:
        local = build_trees(load_policy("tiny-random"), tasks, oracle, cfg, model_spec="tiny-random", round_=1)
        calls = oracle.calls
        pool = RolloutPool(RolloutConfig(replicas=2))
        try:
            remote = pool.build_trees("tiny-random", tasks, oracle, cfg, model_spec="tiny-random", round_=1)
            ray.kill(pool.replicas[0])  # a lost replica: one clear error that says how to continue
            with pytest.raises(SectreeError, match=r"^rollout: a policy replica died .* --resume"):
                pool.build_trees("tiny-random", tasks, oracle, cfg, model_spec="tiny-random", round_=1)
        finally:
            pool.close()
    assert [t.task_id for t in remote] == [t.id for t in tasks]
    assert [_strip_timings(t.to_dict()) for t in remote] == [_strip_timings(t.to_dict()) for t in local]
    assert oracle.calls == 2 * calls  # the replicas' judged leaves are counted by the caller's oracle
    assert any(n.kind == "sample" for t in remote for n in t.nodes)


def _eval_statuses(out: Path) -> dict:
    """Every evaluation's per-sample verdicts, in order (the judged records beside each results.json)."""
    from sectree.evaluate.run import records_path
    from sectree.io import read_jsonl_gz

    got = {p.parent.name: [(r["task_id"], r["mode"], r["sample_idx"], _strip_timings(r["verdict"]))
                           for r in read_jsonl_gz(records_path(p))]
           for p in sorted((out / "evals").glob("*/results.json"))}
    assert set(got) == {"base-s0", "tsp-s0"} and all(got.values())
    return got


@pytest.mark.slow
def test_quick_experiment_on_ray_gives_the_local_results(cluster, tmp_path):
    local, remote = tmp_path / "local", tmp_path / "ray"
    # the same torch thread count for both runs: floats differ in their last digits with it, and with threads unset
    # each run would choose by the machine's load at its start (CI under xdist: 2 threads for one, 1 for the other)
    r = _cli("-m", "sectree", "experiment", str(QUICK), "--out", str(local), "--quiet", "--threads", "1")
    assert r.returncode == 0, r.stderr[-3000:]
    # oracle on Ray actors, and the tsp round's trees grown by 2 policy replicas that judge on those actors too
    r = _cli("-m", "sectree", "experiment", str(QUICK), "--out", str(remote), "--quiet", "--threads", "1",
             "--set", "oracle.backend=ray", "--set", f"oracle.address={cluster}", "--set", "rollout.replicas=2")
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"Ray actor(s) on the cluster {cluster}" in r.stderr  # judged on the test's cluster
    assert "trees on 2 replicas" in r.stderr
    a, b = (json.loads((d / "results.json").read_text()) for d in (local, remote))
    assert a["table"] == b["table"] and a["oracle_calls"] == b["oracle_calls"]
    for x, y in zip(a["runs"], b["runs"]):
        assert x["metrics"] == y["metrics"]
    assert _eval_statuses(local) == _eval_statuses(remote)
    for name in ("trees.jsonl", "pairs.jsonl"):
        rows = [[_strip_timings(json.loads(ln)) for ln in (d / "runs/tsp-s0/round-1" / name).read_text().splitlines()]
                for d in (local, remote)]
        assert rows[0] == rows[1] and rows[0], name


# ------------------------------------------------------------------------------------------ accelerate


def _pairs_file(path: Path) -> Path:
    rng = random.Random(0)
    rows = []
    for t in range(4):
        prompt = [rng.randrange(3, 200) for _ in range(12)]
        for k in range(2):
            rows.append({"prompt_ids": prompt, "task_id": f"t{t}", "node": k,
                         "prefix_ids": [rng.randrange(3, 200) for _ in range(3)],
                         "chosen_ids": [rng.randrange(3, 200) for _ in range(5)],
                         "rejected_ids": [rng.randrange(3, 200) for _ in range(6)],
                         "chosen_status": "secure", "rejected_status": "vulnerable",
                         "chosen_leaf": 2 * k, "rejected_leaf": 2 * k + 1})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _one_and_two_processes(tmp_path, args: list[str], launch_config: str, timeout: int = 600) -> tuple[dict, dict]:
    """Train ``args`` (a ``sectree.train.distributed`` command without ``--out``) in one process and in two under
    ``accelerate launch --config_file configs/accelerate/<launch_config>``; assert both ran (world sizes 1 and 2)
    and left the same trained LoRA adapter; return both train-stats.json for the caller's own checks."""
    from safetensors.torch import load_file

    one = _cli(*args, "--out", str(tmp_path / "one"))
    assert one.returncode == 0, one.stderr[-3000:]
    two = _cli("-m", "accelerate.commands.launch", "--config_file", str(ROOT / "configs/accelerate" / launch_config),
               "--main_process_port", str(29500 + os.getpid() % 1000), *args, "--out", str(tmp_path / "two"),
               timeout=timeout)
    assert two.returncode == 0, two.stderr[-3000:]
    a, b = (json.loads((tmp_path / d / "train-stats.json").read_text()) for d in ("one", "two"))
    assert (a["world_size"], b["world_size"]) == (1, 2)
    wa, wb = (load_file(tmp_path / d / "checkpoint" / "adapter_model.safetensors") for d in ("one", "two"))
    assert wa.keys() == wb.keys()
    assert max((wa[k] - wb[k]).abs().max().item() for k in wa) < 1e-5
    assert max(wa[k].abs().max().item() for k in wa if "lora_B" in k) > 1e-3  # LoRA B starts at 0: it trained
    return a, b


@pytest.mark.slow
def test_two_process_training_equals_one_process(tmp_path):
    pytest.importorskip("accelerate") if not os.environ.get("CI") else __import__("accelerate")
    pairs = _pairs_file(tmp_path / "pairs.jsonl")
    # a step = 2 micro-batches of 1 tree: one per rank; no dropout so both runs draw no random masks
    args = ["-m", "sectree.train.distributed", "--model", "tiny-random", "--pairs", str(pairs),
            "--set", "lora_dropout=0", "--set", "trees_per_step=1", "--set", "grad_accum=2", "--set", "epochs=2",
            "--set", "lr=0.01"]
    a, b = _one_and_two_processes(tmp_path, args, "ddp-cpu.yaml")
    assert a["train/steps"] == b["train/steps"] == 4
    assert len(a["loss/total"]) == 4 and max(abs(x - y) for x, y in zip(a["loss/total"], b["loss/total"])) < 1e-5
    assert a["train/pair_tokens"] == b["train/pair_tokens"]


def test_distributed_entry_bad_pairs_file_is_one_line(tmp_path):
    r = _cli("-m", "sectree.train.distributed", "--model", "tiny-random", "--pairs", str(tmp_path / "nope.jsonl"),
             "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'nope.jsonl'}: no such pairs file (a round's pairs.jsonl)"]


@pytest.mark.parametrize("launch, line", [
    ({"ACCELERATE_USE_DEEPSPEED": "true"},
     "error: accelerate launch with DeepSpeed: the trainer supports data parallelism and FSDP only "
     "(configs/accelerate/ddp-*.yaml, fsdp-*.yaml; docs/scale.md)"),
    ({"ACCELERATE_USE_FSDP": "true", "FSDP_VERSION": "1"},
     "error: accelerate launch with FSDP: fsdp_version: 1: set 2 (the trainer uses FSDP2, torch's fully_shard) "
     "(configs/accelerate/fsdp-*.yaml; docs/scale.md)"),
    ({"ACCELERATE_USE_FSDP": "true", "FSDP_VERSION": "2", "FSDP_OFFLOAD_PARAMS": "true"},
     "error: accelerate launch with FSDP: fsdp_offload_params: set false (CPU offload is not supported by the "
     "trainer) (configs/accelerate/fsdp-*.yaml; docs/scale.md)"),
])
def test_unsupported_launch_is_refused_before_waiting_for_other_ranks(tmp_path, launch, line):
    pytest.importorskip("accelerate") if not os.environ.get("CI") else __import__("accelerate")
    # what `accelerate launch` puts in each rank's environment; rank 1 never comes, so a rank that joined the
    # process group first would wait until the timeout
    env = {**launch, "WORLD_SIZE": "2", "RANK": "0", "LOCAL_RANK": "0",
           "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(29500 + os.getpid() % 1000)}
    r = _cli("-m", "sectree.train.distributed", "--model", "tiny-random", "--pairs", str(_pairs_file(tmp_path / "p.jsonl")),
             "--out", str(tmp_path / "o"), env=env, timeout=120)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [line]
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_two_process_fsdp_training_equals_one_process(tmp_path):
    pytest.importorskip("accelerate") if not os.environ.get("CI") else __import__("accelerate")
    pairs = _pairs_file(tmp_path / "pairs.jsonl")
    # grad_accum 3 over 2 ranks: rank 1 has one micro-batch fewer in the first step of each epoch and none in
    # the second (4 trees), so it must run weightless turns to keep FSDP's collectives in step.
    # max_grad_norm off: the clip coefficient's norm is summed over shards in another order (≈1e-7 relative;
    # docs/scale.md), and this tiny model's Adam updates turn that into ~1e-3 (as one process does when
    # max_grad_norm moves by 1e-7); without it the two updates are the same sums, bit for bit
    args = ["-m", "sectree.train.distributed", "--model", "tiny-random", "--pairs", str(pairs),
            "--set", "lora_dropout=0", "--set", "trees_per_step=1", "--set", "grad_accum=3", "--set", "epochs=2",
            "--set", "lr=0.01", "--set", "max_grad_norm=null"]
    a, b = _one_and_two_processes(tmp_path, args, "fsdp-cpu.yaml", timeout=300)
    assert a["train/steps"] == b["train/steps"] == 4
    assert a["train/trainable_params"] == b["train/trainable_params"]  # the whole tensors, not one rank's shards
    assert max(abs(x - y) for x, y in zip(a["loss/total"], b["loss/total"])) < 1e-5


@pytest.mark.slow
def test_whole_loop_under_accelerate_equals_one_process(tmp_path):
    pytest.importorskip("accelerate") if not os.environ.get("CI") else __import__("accelerate")
    from safetensors.torch import load_file

    # 2 rounds (round 2 continues round 1's adapter on both ranks); a step = 2 micro-batches of 1 tree, one per rank
    sets = ["update.lora_dropout=0", "update.trees_per_step=1", "update.grad_accum=2", "rounds=2"]
    args = ["-m", "sectree.train.distributed", "--loop", str(ROOT / "configs/tiny-smoke.yaml"),
            *[x for s in sets for x in ("--set", s)]]
    one = _cli(*args, "--out", str(tmp_path / "one"))
    assert one.returncode == 0, one.stderr[-3000:]
    two = _cli("-m", "accelerate.commands.launch", "--config_file", str(ROOT / "configs/accelerate/ddp-cpu.yaml"),
               "--main_process_port", str(29500 + os.getpid() % 1000), *args, "--out", str(tmp_path / "two"),
               timeout=300)
    assert two.returncode == 0, two.stderr[-3000:]
    # rank 1 joined each round's training (rank 0 alone would have trained without it)
    joined = [ln for ln in two.stderr.splitlines() if ln.startswith("rank 1: trained 2 trees with rank 0")]
    assert len(joined) == 2, two.stderr[-3000:]
    for r in (1, 2):
        rdir = [tmp_path / d / f"round-{r}" for d in ("one", "two")]
        trees = [[_strip_timings(json.loads(ln)) for ln in (d / "trees.jsonl").read_text().splitlines()] for d in rdir]
        assert trees[0] == trees[1] and trees[0]  # built once, by rank 0, as one process builds them
        assert (rdir[0] / "pairs.jsonl").read_text() == (rdir[1] / "pairs.jsonl").read_text()
        a, b = (json.loads((d / "stats.json").read_text()) for d in rdir)
        assert a["pairs/total"] == b["pairs/total"] > 0 and a["train/steps"] == b["train/steps"] == 1
        assert abs(a["loss/total"] - b["loss/total"]) < 1e-5
        wa, wb = (load_file(d / "checkpoint" / "adapter_model.safetensors") for d in rdir)
        assert wa.keys() == wb.keys() and max((wa[k] - wb[k]).abs().max().item() for k in wa) < 1e-5
        assert max(wa[k].abs().max().item() for k in wa if "lora_B" in k) > 5e-5  # B starts at 0: it trained
    final = json.loads(two.stdout.strip().splitlines()[-1])["final"]["model_spec"]
    assert final.endswith(str(tmp_path / "two" / "round-2" / "checkpoint"))


@pytest.mark.parametrize("extra, line", [
    (["--loop", "configs/tiny-smoke.yaml", "--model", "tiny-random"],
     "error: --loop: the run config names the model and builds the pairs; drop --model/--pairs"),
    (["--model", "tiny-random"], "error: --model and --pairs are needed (or --loop CONFIG for the whole loop)"),
])
def test_distributed_entry_bad_arguments_are_one_line(tmp_path, extra, line):
    r = _cli("-m", "sectree.train.distributed", *extra, "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [line]
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fsdp-cpu.yaml", "fsdp-gpu.yaml"])
def test_fsdp_configs_parse_into_the_trainers_settings(name):
    # the GPU config cannot run here (no GPU); what can be checked is that accelerate turns it into the FSDP
    # plugin the trainer accepts (sectree.train.sharding prints what it took, or refuses with one line)
    pytest.importorskip("accelerate") if not os.environ.get("CI") else __import__("accelerate")
    r = _cli("-m", "accelerate.commands.launch", "--config_file", str(ROOT / "configs/accelerate" / name),
             "--main_process_port", str(29500 + os.getpid() % 1000), "-m", "sectree.train.sharding", timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = sorted((json.loads(ln) for ln in r.stdout.splitlines() if ln.startswith("{")), key=lambda x: x["rank"])
    assert rows == [{"rank": k, "world_size": 2, "fsdp_version": 2, "reshard_after_forward": True,
                     "block_classes": ["LlamaDecoderLayer"]} for k in (0, 1)]
    assert "ignored by the trainer" not in r.stderr  # the shipped configs ask only for what the trainer does
