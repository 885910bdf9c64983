"""The policy: model specs and loading, prompting, batched sampling with log-probs, stop rules, scoring.

Typical use::

    policy = load_policy("smollm2-135m")
    prompt = build_prompt(policy, task, template="direct", mode="completion")
    samples = sample(policy, [prompt], n=8, temperature=0.8, top_p=0.95, max_new_tokens=256, seed=0)
    programs = [prompt.program(s.text) for s in samples]
"""

from sectree.policy.model import DEFAULT_SPEC, LOADERS, Policy, base_spec, load_policy
from sectree.policy.prompts import (
    MODES,
    TEMPLATES,
    Prompt,
    PromptTemplate,
    build_prompt,
    heal,
    unfence,
)
from sectree.policy.sampling import (
    Sample,
    SamplingConfig,
    sample,
    sample_from_prefix,
    sample_ids,
    score,
)
from sectree.policy.stops import StopRule

__all__ = [
    "DEFAULT_SPEC",
    "LOADERS",
    "MODES",
    "TEMPLATES",
    "Policy",
    "Prompt",
    "PromptTemplate",
    "Sample",
    "SamplingConfig",
    "StopRule",
    "base_spec",
    "build_prompt",
    "heal",
    "load_policy",
    "sample",
    "sample_from_prefix",
    "sample_ids",
    "score",
    "unfence",
]
