"""The report's figures as base64 PNGs (metrics per method, alert rate per CWE, training curves) and the example
trees (the tree viewer's page). matplotlib is imported inside the figure functions: pyplot costs one to two
seconds to import (measured on the 2-core machine under load) and only writing a report needs it."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from sectree.experiment.report.stats import columns, version
from sectree.train.stats import RoundStats, read_rounds
from sectree.tree.model import load_trees
from sectree.tree.view import interest
from sectree.tree.view import render_html as tree_page


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt  # lazy(heavy): see the module docstring

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def fig_bars(res: dict) -> str:
    import matplotlib.pyplot as plt  # lazy(heavy): see the module docstring

    modes, methods = res["modes"], res["methods"]
    cols = columns(res)
    fig, axes = plt.subplots(len(modes), len(cols), figsize=(3.2 * len(cols), 2.8 * len(modes)), squeeze=False)
    colors = plt.cm.tab10(np.arange(len(methods)) % 10)
    for i, mode in enumerate(modes):
        for j, (label, key) in enumerate(cols):
            ax = axes[i][j]
            vals, err = [], [[], []]
            for m in methods:
                x = res["table"][mode][m]["overall"].get(key) or {}
                v = x.get("value")
                vals.append(np.nan if v is None else 100 * v)
                lo, hi = x.get("ci") or (v, v)
                err[0].append(0 if v is None else 100 * (v - lo))
                err[1].append(0 if v is None else 100 * (hi - v))
            ax.bar(range(len(methods)), vals, yerr=err, color=colors, capsize=4)
            ax.set_xticks(range(len(methods)), methods, rotation=30, ha="right", fontsize=8)
            ax.set_ylim(0, 100)
            ax.set_title(f"{label} ({mode})", fontsize=9)
            ax.grid(axis="y", alpha=0.3)
    fig.suptitle("per method, % with 95% CI (seeds pooled)", fontsize=10)
    fig.tight_layout()
    return _png(fig)


def fig_heat(res: dict) -> str | None:
    import matplotlib.pyplot as plt  # lazy(heavy): see the module docstring

    modes, methods = res["modes"], res["methods"]
    cwes = sorted({int(c) for mode in modes for m in methods for c in res["table"][mode][m]["by_cwe"]})
    if not cwes:
        return None
    fig, axes = plt.subplots(len(modes), 1, figsize=(max(5.0, 0.45 * len(cwes) + 2), 0.5 * len(methods) * len(modes)
                                                      + 1.4 * len(modes)), squeeze=False)
    cmap = plt.get_cmap("Reds").with_extremes(bad="#dddddd")
    rate = "alert_rate" if version(res) >= 2 else "vulnerable_rate"
    for i, mode in enumerate(modes):
        ax = axes[i][0]
        grid = np.full((len(methods), len(cwes)), np.nan)
        for a, m in enumerate(methods):
            for b, c in enumerate(cwes):
                v = (res["table"][mode][m]["by_cwe"].get(str(c), {}).get(rate) or {}).get("value")
                grid[a, b] = np.nan if v is None else v
        im = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(cwes)), [str(c) for c in cwes], rotation=90, fontsize=7)
        ax.set_yticks(range(len(methods)), methods, fontsize=8)
        ax.set_xlabel("CWE", fontsize=8)
        ax.set_title(f"{rate.replace('_', ' ')} per CWE ({mode}; grey = no parseable sample)", fontsize=9)
        if grid.size <= 600:
            for (a, b), v in np.ndenumerate(grid):
                if np.isfinite(v):
                    ax.text(b, a, f"{100 * v:.0f}", ha="center", va="center", fontsize=6,
                            color="white" if v > 0.6 else "black")
        fig.colorbar(im, ax=ax, fraction=0.02, pad=0.01)
    fig.tight_layout()
    return _png(fig)


def run_stats(record: Mapping) -> list[RoundStats]:
    """A run's finished rounds (train/stats.py); [] for base or a run without stats."""
    d = record["train"].get("dir")
    return read_rounds(d) if d else []


def fig_curves(res: dict, records: list[dict]) -> str | None:
    """Pairs and loss per round, and loss per optimizer step: one colour per method, one line per seed."""
    import matplotlib.pyplot as plt  # lazy(heavy): see the module docstring
    from matplotlib.ticker import MaxNLocator  # lazy(heavy): as pyplot

    runs = [(r["method"], run_stats(r)) for r in records]
    runs = [(m, rows) for m, rows in runs if rows]
    if not runs:
        return None
    colours = {m: f"C{i}" for i, m in enumerate(dict.fromkeys(m for m, _ in runs))}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.2))
    labelled: set[tuple[int, str]] = set()

    def plot(ax_i: int, x, y, style: str, method: str) -> None:
        label = None if (ax_i, method) in labelled else method
        labelled.add((ax_i, method))
        axes[ax_i].plot(x, y, style, color=colours[method], label=label, alpha=0.8)

    for method, rows in runs:
        rounds = [r.round for r in rows]
        if any(r.pairs is not None for r in rows):
            plot(0, rounds, [np.nan if r.pairs is None else r.pairs for r in rows], "o-", method)
        plot(1, rounds, [np.nan if r.loss is None else r.loss for r in rows], "o-", method)
        steps = [v for r in rows for v in r.loss_curve]
        if steps:
            plot(2, range(1, len(steps) + 1), steps, ".-", method)
    for ax, t, xl in zip(axes, ("pairs/total per round", "loss/total per round (last step)", "loss/total per step"),
                         ("round", "round", "optimizer step (all rounds)")):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        lo, hi = ax.get_xlim()
        if ax.has_data() and hi - lo < 2:  # a single round: centre it instead of fractional ticks
            mid = round((lo + hi) / 2)
            ax.set_xlim(mid - 1, mid + 1)
        ax.set_title(t, fontsize=9)
        ax.set_xlabel(xl, fontsize=8)
        ax.grid(alpha=0.3)
        if ax.has_data():
            ax.legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


def example_trees(res: dict, records: list[dict], k: int) -> tuple[str, list[str]] | None:
    """(tree viewer page, task ids) for up to ``k`` trees of the report method's first run (else any tree run)."""
    if k <= 0:
        return None
    want = res["config"]["report"]["method"]
    order = [r for r in records if r["method"] == want] + [r for r in records if r["method"] != want]
    for r in order:
        d = r["train"].get("dir")
        files = sorted(Path(d).glob("round-*/trees.jsonl"), key=lambda p: int(p.parent.name.split("-")[1])) if d else []
        if not files:
            continue
        trees = load_trees(files[-1])
        if not trees:
            continue

        pick = sorted(trees, key=interest)[:k]
        title = f"{r['id']}: {len(pick)} of {len(trees)} trees from {files[-1].parent.name}"
        return tree_page(pick, title=title), [t.task_id for t in pick]
    return None
