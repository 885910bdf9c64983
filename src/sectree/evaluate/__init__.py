"""Evaluation: metrics over judged samples (secure-pass@k, func@k, vulnerable among functional, SPR@1, ...) with
bootstrap CIs."""

from sectree.evaluate.metrics import (
    DEFINITIONS,
    METRICS_VERSION,
    TaskCounts,
    bootstrap_ci,
    format_metric,
    group_metrics,
    markdown_table,
    pass_at_k,
    security_alert,
    security_alerts,
    summarize,
    task_counts,
)

__all__ = ["DEFINITIONS", "METRICS_VERSION", "TaskCounts", "bootstrap_ci", "format_metric", "group_metrics",
           "markdown_table", "pass_at_k", "security_alert", "security_alerts", "summarize", "task_counts"]
