"""The experiment report: results.json, report.md (paper-style tables) and report.html (self-contained).

Aggregation over seeds (stated in every report): for each method and prompt mode the judged samples of all
seeds are **pooled per task** (a task then has seeds × n samples) and passed to
``sectree.evaluate.metrics.summarize``: per-task metrics (secure-pass@1, func@1) are c / (seeds·n) averaged
over tasks; pooled rates (SPR@1, vulnerable rate) are sums over all samples; the 95% CI is the percentile
bootstrap over **tasks** (a resampled task brings all its seeds' samples). The CI therefore reflects task and
sampling variation, not the variance between training runs; the per-seed table shows that spread. With one
seed the pooled numbers are exactly the evaluation's own.

Comparisons (ratios, reductions, differences) use a paired bootstrap: the same resampled tasks for both methods.

report.html holds no external reference: figures are PNGs inlined as base64 ``data:`` URIs; example trees are
the tree viewer's own page in an ``<iframe srcdoc>`` (escaped, and every ``:`` written as ``&#58;`` so no
URL-like text of generated code appears in the outer file; the browser decodes it back).

The package, one job a module (issue 13): ``stats.py`` (pooling, the tables' numbers, paired bootstrap),
``sections.py`` (the tables and comparisons as sections), ``render.py`` (Markdown and HTML), ``figures.py``
(PNG figures, example trees), ``results.py`` (results.json, per-sample records, recompute, ``write_report``).
Every name imports from ``sectree.experiment.report`` as before.
"""

from sectree.experiment.report.figures import example_trees, fig_bars, fig_curves, fig_heat, run_stats
from sectree.experiment.report.render import (
    AGGREGATION,
    METRIC_TEXT,
    METRIC_TEXT_V1,
    machine_line,
    provenance,
    render_html,
    render_md,
    section_html,
    section_md,
    shared_line,
    srcdoc,
)
from sectree.experiment.report.results import (
    RECORDS,
    V1_NOTE,
    build_results,
    machine,
    read_records,
    readme_md,
    recompute,
    tables_md,
    write_records,
    write_report,
)
from sectree.experiment.report.sections import (
    ANALYSIS_FUNCS,
    PAPER_SFT,
    PAPER_TSP,
    analyses,
    language_table,
    leaves_table,
    method_table,
    paper_ratio,
    seed_table,
    seen_table,
    transfer,
    vulnerable_reduction,
)
from sectree.experiment.report.stats import COLUMNS, COLUMNS_V1, columns, load_samples, paired, pooled, tables, version

__all__ = ["AGGREGATION", "ANALYSIS_FUNCS", "COLUMNS", "COLUMNS_V1", "METRIC_TEXT", "METRIC_TEXT_V1", "PAPER_SFT",
           "PAPER_TSP", "RECORDS", "V1_NOTE", "analyses", "build_results", "columns", "example_trees", "fig_bars",
           "fig_curves", "fig_heat", "language_table", "leaves_table", "load_samples", "machine", "machine_line",
           "method_table", "paired", "paper_ratio", "pooled", "provenance", "read_records", "readme_md", "recompute",
           "render_html", "render_md", "run_stats", "section_html", "section_md", "seed_table", "seen_table",
           "shared_line", "srcdoc", "tables", "tables_md", "transfer", "version", "vulnerable_reduction",
           "write_records", "write_report"]
