"""Experiments: methods × seeds trained and evaluated, then a report (results.json, report.md, report.html).

``sectree experiment configs/experiments/<name>.yaml`` and ``sectree demo`` drive this package; the loop is in
:mod:`sectree.experiment.runner`, the tables and figures in :mod:`sectree.experiment.report`.
"""

from sectree.experiment.runner import (
    ANALYSES,
    METHOD_PRESETS,
    EvalSpec,
    ExperimentConfig,
    ReportSpec,
    demo_config_path,
    estimate_minutes,
    load_experiment,
    run_config,
    run_experiment,
)

__all__ = ["ANALYSES", "METHOD_PRESETS", "EvalSpec", "ExperimentConfig", "ReportSpec", "demo_config_path",
           "estimate_minutes", "load_experiment", "run_config", "run_experiment"]
