"""Evaluation: metrics over judged samples (secure-pass@k, func@k, secure@k, SPR@1, ...) with bootstrap CIs."""

from sectree.evaluate.metrics import (
    DEFINITIONS,
    TaskCounts,
    bootstrap_ci,
    format_metric,
    group_metrics,
    markdown_table,
    pass_at_k,
    security_failure,
    summarize,
    task_counts,
)

__all__ = ["DEFINITIONS", "TaskCounts", "bootstrap_ci", "format_metric", "group_metrics", "markdown_table",
           "pass_at_k", "security_failure", "summarize", "task_counts"]
