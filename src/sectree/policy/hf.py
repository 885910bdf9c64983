"""Quieting the Hugging Face libraries: transformers' per-load progress bars and one peft FutureWarning.

Its own module so that ``smollm2.py`` (the SmolLM2 cache build) needs nothing from ``model.py``, which imports
it: the two used to import each other from inside functions. ``train/trainer.py`` wraps peft with
``quiet_peft`` too.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Hide transformers' per-load progress bars (a policy is loaded often; the bars are noise)."""
    # lazy(heavy): transformers.utils pulls in transformers itself (~1 s), which `import sectree.policy`
    # (prompts, Policy) does not need
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


@contextmanager
def quiet_peft() -> Iterator[None]:
    """Wrapping a model with peft reads transformers' deprecated ``is_gradient_checkpointing`` alias: a
    FutureWarning in every log that is noise, not ours to fix. Silence exactly that one."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")
        yield
