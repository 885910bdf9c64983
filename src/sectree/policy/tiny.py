"""``tiny-random``: a ~330k-parameter Llama with random weights and a byte-level tokenizer, for unit tests.

The tokenizer is built in memory (no files, no network, a few milliseconds): a byte-level BPE with no merges,
so each UTF-8 byte is one token, plus SmolLM2's three special tokens and its ChatML chat template. That
keeps tests independent of the 20 s SmolLM2 GGUF conversion while still exercising the real code paths:
a chat template, multi-byte characters split over several tokens, and a tokenizer-backed decoder.
"""

from __future__ import annotations

import torch

SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
# SmolLM2's template, minus its default system prompt (the tiny model has no use for it)
CHATML_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
SEED = 0


def byte_tokenizer():
    """A byte-level tokenizer: ids 0-2 are the special tokens, ids 3-258 the 256 bytes."""
    # lazy(heavy) (and in tiny_model): model.py imports this module for every Policy, and the tokenizer and
    # Llama classes cost seconds that only the tiny-random spec should pay
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    byte_chars = sorted(pre_tokenizers.ByteLevel.alphabet(), key=_byte_of)
    vocab = {tok: i for i, tok in enumerate(SPECIAL_TOKENS)}
    vocab.update({ch: len(SPECIAL_TOKENS) + i for i, ch in enumerate(byte_chars)})
    backend = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    backend.decoder = decoders.ByteLevel()
    backend.add_special_tokens(list(SPECIAL_TOKENS))
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        unk_token="<|endoftext|>",
        pad_token="<|im_end|>",
        chat_template=CHATML_TEMPLATE,
    )


def _byte_of(ch: str) -> int:
    """The byte a ByteLevel alphabet character stands for (GPT-2's bytes_to_unicode, inverted)."""
    code = ord(ch)
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    if code in printable:
        return code
    others = [b for b in range(256) if b not in printable]
    return others[code - 256]


def tiny_model(vocab_size: int):
    """A 2-layer Llama built from a config with a fixed seed (same weights on every machine and call)."""
    from transformers import LlamaConfig, LlamaForCausalLM  # lazy(heavy): as in byte_tokenizer

    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,  # grouped-query attention, like SmolLM2, so the cache code sees it
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        # wider init than the 0.02 default: peakier logits make greedy ties (and fp-noise flips) unlikely
        initializer_range=0.2,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=2,
    )
    # fork_rng: seeding must not disturb the caller's global RNG stream
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        model = LlamaForCausalLM(config)
    return model.eval()
