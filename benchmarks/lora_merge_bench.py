"""Sampling from a LoRA-trained policy: adapter kept (peft wrapper) vs folded into the weights (``merge=True``).

Evaluation loads trained models with ``load_policy(spec, merge=True)``; this measures what that buys. Without
``--spec`` a LoRA adapter with the trainer's default shape (TrainConfig: rank, alpha, target modules) and random
non-zero weights is made on SmolLM2-135M. Every row generates exactly ``--new-tokens`` tokens (EOS and stop
rules off) from real task prompts; runs alternate kept/merged and the best of ``--repeats`` counts.

    .venv/bin/python benchmarks/lora_merge_bench.py [--spec smollm2-135m+lora:DIR] [--batch 15] [--new-tokens 64]

Prints a table and writes ``benchmarks/results/lora_merge.json``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch

from sectree.io import write_json_atomic
from sectree.policy import SamplingConfig, build_prompt, load_policy, sample_ids
from sectree.tasks import load_suite

OUT = Path(__file__).parent / "results" / "lora_merge.json"


def random_adapter(folder: Path) -> str:
    from peft import LoraConfig, get_peft_model

    from sectree.train.trainer import TrainConfig

    tc = TrainConfig()
    base = load_policy("smollm2-135m", device="cpu")
    model = get_peft_model(base.model, LoraConfig(task_type="CAUSAL_LM", r=tc.lora_r, lora_alpha=tc.lora_alpha,
                                                  target_modules=list(tc.target_modules)))
    with torch.no_grad():  # B starts at zero (a no-op adapter); give it weights like a trained one
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.01, generator=torch.Generator().manual_seed(0))
    return replace(base, model=model.eval()).save(folder)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default=None, help="a +lora: model spec (default: a random adapter on SmolLM2)")
    ap.add_argument("--batch", type=int, default=15)
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with tempfile.TemporaryDirectory() as tmp:
        spec = a.spec or random_adapter(Path(tmp) / "adapter")
        kept, merged = load_policy(spec, device="cpu"), load_policy(spec, device="cpu", merge=True)
        tasks = load_suite("builtin:python", split="test")[: a.batch]
        prompts = [build_prompt(kept, t).ids for t in tasks]
        cfg = SamplingConfig(n=1, temperature=0.8, top_p=0.95, max_new_tokens=a.new_tokens, seed=0, eos_ids=())
        best = {"kept": float("inf"), "merged": float("inf")}
        same = None
        for _ in range(a.repeats):
            for name, pol in (("kept", kept), ("merged", merged)):
                t0 = time.perf_counter()
                out = sample_ids(pol, prompts, cfg)
                best[name] = min(best[name], time.perf_counter() - t0)
                if name == "kept":
                    ref = [s.token_ids for s in out]
                else:
                    same = sum(r == s.token_ids for r, s in zip(ref, out))
    tokens = len(prompts) * a.new_tokens
    rows = {k: {"seconds": round(v, 2), "tokens_per_s": round(tokens / v, 1)} for k, v in best.items()}
    print("| LoRA adapter | batch | tokens | best s | tokens/s |\n|---|---|---|---|---|")
    for k, r in rows.items():
        print(f"| {k} | {len(prompts)} | {tokens} | {r['seconds']} | {r['tokens_per_s']} |")
    speedup = best["kept"] / best["merged"]
    print(f"merged is {speedup:.2f}x faster; identical samples: {same}/{len(prompts)} rows")
    write_json_atomic(a.out, {"date": datetime.date.today().isoformat(), "machine": platform.processor() or
                              platform.machine(), "cores": os.cpu_count(), "threads": a.threads,
                              "spec": a.spec or "random adapter (TrainConfig defaults) on smollm2-135m",
                              "batch": len(prompts), "new_tokens": a.new_tokens, "results": rows,
                              "speedup": round(speedup, 2), "identical_rows": same,
                              "load_average": os.getloadavg()[0]})


if __name__ == "__main__":
    main()
