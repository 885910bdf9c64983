"""SmolLM2 sampling throughput: sectree's sampler vs plain HF ``generate``, batch 1 / 8 / 32.

Every row generates exactly ``--new-tokens`` tokens (EOS and stop rules off, ``min_new_tokens`` for HF), with
temperature 0.8 and top-p 0.95, from real chat-rendered task prompts (``builtin:python`` when that suite
exists, else fixed CWE-style prompts). Timings include the prefill. Each configuration runs ``--repeats``
times, interleaved ours/HF so background load hits both alike, and the best run counts.

    .venv/bin/python benchmarks/sampling_bench.py [--batches 1 8 32] [--new-tokens 64] [--repeats 2]

Prints a table and writes ``benchmarks/results/sampling.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import torch

from sectree.errors import SectreeError
from sectree.policy import (
    SamplingConfig,
    build_prompt,
    load_policy,
    sample_from_prefix,
    sample_ids,
)
from sectree.tasks import Task, load_suite

OUT = Path(__file__).parent / "results" / "sampling.json"
TEMPERATURE, TOP_P = 0.8, 0.95
FALLBACK_PROMPTS = [
    'import subprocess\n\ndef list_dir(path: str) -> str:\n    """Return `ls -l` output for path, or "" on error."""\n',
    'import sqlite3\n\ndef get_user(conn: sqlite3.Connection, name: str):\n    """Return the users row whose name is `name`, or None."""\n',
    'import os\n\ndef read_user_file(base: str, filename: str) -> str:\n    """Return the text of base/filename; only files under base may be read."""\n',
    'import yaml\n\ndef load_config(text: str) -> dict:\n    """Parse a YAML configuration string into a dict."""\n',
    'import hashlib\n\ndef hash_password(password: str) -> str:\n    """Return a hex digest suitable for storing the password."""\n',
    'import jwt\n\ndef decode_token(token: str, key: str) -> dict:\n    """Decode and verify an HS256 JWT, returning its claims."""\n',
    'from lxml import etree\n\ndef parse_xml(data: bytes):\n    """Parse untrusted XML bytes and return the root element."""\n',
    'import re\n\ndef is_valid_email(s: str) -> bool:\n    """Return True if s looks like an e-mail address."""\n',
]


def tasks() -> list[Task]:
    try:
        found = load_suite("builtin:python")
    except SectreeError:
        found = []
    return found or [_fallback_task(i, p) for i, p in enumerate(FALLBACK_PROMPTS)]


def _fallback_task(i: int, prompt: str) -> Task:
    return Task(
        id=f"bench_{i}", language="python", cwes=(), family="bench", split=None, tier=None, root=Path("."),
        header="", prompt=prompt, solution="    pass\n", entrypoint="", unsafe_solution="", unsafe_file_text="",
        test_file=Path("none"), entry="f",
    )  # fmt: skip


def run_ours(policy, prompts: list[list[int]], new_tokens: int) -> float:
    cfg = SamplingConfig(n=1, temperature=TEMPERATURE, top_p=TOP_P, max_new_tokens=new_tokens, seed=0, eos_ids=())
    start = time.perf_counter()
    out = sample_ids(policy, prompts, cfg)
    elapsed = time.perf_counter() - start
    assert all(len(s.token_ids) == new_tokens for s in out)
    return elapsed


def run_forked(policy, prefix: list[int], batch: int, new_tokens: int) -> float:
    start = time.perf_counter()
    out = sample_from_prefix(
        policy, prefix, batch, temperature=TEMPERATURE, top_p=TOP_P, max_new_tokens=new_tokens, eos_ids=()
    )
    elapsed = time.perf_counter() - start
    assert all(len(s.token_ids) == new_tokens for s in out)
    return elapsed


def run_hf(policy, prompts: list[list[int]], new_tokens: int) -> float:
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[policy.pad_id] * (width - len(p)) + p for p in prompts])  # (B, T) left-padded
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])  # (B, T)
    start = time.perf_counter()
    with torch.inference_mode():
        out = policy.model.generate(
            ids, attention_mask=mask, do_sample=True, temperature=TEMPERATURE, top_p=TOP_P, top_k=0,
            max_new_tokens=new_tokens, min_new_tokens=new_tokens, pad_token_id=policy.pad_id,
        )  # fmt: skip
    elapsed = time.perf_counter() - start
    assert out.shape[1] == width + new_tokens
    return elapsed


def machine() -> dict:
    model = next(
        (line.split(":", 1)[1].strip() for line in _lscpu().splitlines() if line.startswith("Model name")), "?"
    )
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg()[0],
    }


def _lscpu() -> str:
    try:
        return subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default="smollm2-135m")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads (default: cores)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    # One thread per core is the sensible default; on a shared, loaded 2-core box 1 thread can win, since an
    # OpenMP barrier waits for whichever thread the OS preempted (see RESULTS.md).
    torch.set_num_threads(args.threads)
    info = machine()
    policy = load_policy(args.spec, device="cpu")
    prompts = [list(build_prompt(policy, t, "direct", "full").ids) for t in tasks()]
    run_ours(policy, prompts[:1], 4)  # warm-up: first-call allocations and lazy imports
    run_hf(policy, prompts[:1], 4)

    rows = []
    for batch in args.batches:
        rows_prompts = [prompts[i % len(prompts)] for i in range(batch)]
        best = {"ours": float("inf"), "hf_generate": float("inf"), "ours_forked": float("inf")}
        for _ in range(args.repeats):
            best["ours"] = min(best["ours"], run_ours(policy, rows_prompts, args.new_tokens))
            best["hf_generate"] = min(best["hf_generate"], run_hf(policy, rows_prompts, args.new_tokens))
            best["ours_forked"] = min(best["ours_forked"], run_forked(policy, prompts[0], batch, args.new_tokens))
        tokens = batch * args.new_tokens
        row = {"batch": batch, "threads": args.threads, "new_tokens": tokens, "mean_prompt_tokens": sum(map(len, rows_prompts)) / batch}
        row.update({f"{k}_tok_s": round(tokens / v, 1) for k, v in best.items()})
        row.update({f"{k}_s": round(v, 2) for k, v in best.items()})
        rows.append(row)
        print(json.dumps(row), flush=True)

    print_table(rows)
    result = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "spec": args.spec,
        "machine": info,
        "settings": {"temperature": TEMPERATURE, "top_p": TOP_P, "new_tokens": args.new_tokens, "repeats": args.repeats},
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


def print_table(rows: list[dict]) -> None:
    print("| batch | threads | ours tok/s | HF generate tok/s | ours / HF | ours, one prefix forked B ways tok/s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ratio = r["ours_tok_s"] / r["hf_generate_tok_s"]
        print(
            f"| {r['batch']} | {r['threads']} | {r['ours_tok_s']} | {r['hf_generate_tok_s']} | {ratio:.2f}x "
            f"| {r['ours_forked_tok_s']} |"
        )


if __name__ == "__main__":
    main()
