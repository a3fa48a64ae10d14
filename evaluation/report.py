"""The HTML report: one self-contained file from an `EvaluationReport`.

Everything in the report comes from the report object, which is what
`metrics.json` holds (so the report can be rebuilt from it with
`EvaluationReport.from_dict`), rendered with a Jinja2 template (`evaluation.templates`)
and matplotlib figures embedded as base64 PNGs: no file beside it is needed
to read it, and nothing is fetched from the network.
"""

from __future__ import annotations

import base64
import calendar
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")  # draw to files only; never open a window

from jinja2 import Environment, StrictUndefined, select_autoescape
from matplotlib.figure import Figure

from evaluation.ips_figures import figures_section
from evaluation.results import DataSummary, EvaluationReport
from evaluation.templates import REPORT_TEMPLATE
from matcher.vocabularies import STAGES

COLOURS = {
    "ipsmatch": "#1b6ca8",
    "ipsmatch_fitted": "#5fa8d3",
    "competency_first": "#e07a1f",
    "embedding": "#7b5ea7",
    "lexical": "#3f9f5f",
    "popularity": "#b8860b",
    "random": "#8c8c8c",
}
STAGE_COLOURS = dict(zip(STAGES, ("#a6cee3", "#1f78b4", "#33a02c"), strict=True))


def _colour(name: str) -> str:
    return COLOURS.get(name, "#444444")


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def summary_figure(document: EvaluationReport) -> str:
    systems = document.systems
    figure = Figure(figsize=(11, 6.2))
    axes = figure.subplots(2, 3)
    labels = [s.label for s in systems]
    for ax, metric in zip(axes.ravel(), document.metrics, strict=False):
        intervals = [s.metrics[metric.key] for s in systems]
        means = [i.mean for i in intervals]
        low = [i.mean - i.low for i in intervals]
        high = [i.high - i.mean for i in intervals]
        positions = list(range(len(systems)))[::-1]
        ax.barh(
            positions,
            means,
            xerr=[low, high],
            color=[_colour(s.name) for s in systems],
            capsize=3,
        )
        ax.set_yticks(positions, labels, fontsize=8)
        ax.set_title(metric.label, fontsize=10)
        ax.set_xlim(0, max(1e-6, max(i.high for i in intervals)) * 1.1)
        ax.grid(axis="x", alpha=0.3)
    figure.suptitle("Mean per query with 95% bootstrap interval (people resampled)", fontsize=10)
    figure.tight_layout()
    return _png(figure)


def curves_figure(document: EvaluationReport) -> str:
    ks = document.curve_ks
    figure = Figure(figsize=(11, 3.6))
    axes = figure.subplots(1, len(document.curve_metrics))
    for ax, family in zip(axes, document.curve_metrics, strict=True):
        for s in document.systems:
            values = [s.curves[family.key][str(k)] for k in ks]
            style = "-" if s.name.startswith("ipsmatch") else "--"
            ax.plot(ks, values, style, marker="o", ms=3, label=s.label, color=_colour(s.name))
        ax.set_xscale("log")
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.set_xlabel("k (suggestions looked at)")
        ax.set_title(family.label, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    return _png(figure)


def ips_figure(document: EvaluationReport) -> str:
    systems = document.systems
    panels = [
        ("no_broken_preference", "Share of the top k breaking\nno stated preference", 1.0),
        ("distinct_employers", "Distinct employers\nin the top k", None),
        ("catalogue_coverage", "Catalogue coverage\n(openings ever suggested)", 1.0),
        ("hires_at_suggested_employers", "Hires at an employer\namong those suggested", 1.0),
    ]
    figure = Figure(figsize=(11, 3.6))
    axes = figure.subplots(1, len(panels))
    positions = list(range(len(systems)))[::-1]
    for ax, (key, title, top) in zip(axes, panels, strict=True):
        values = [getattr(s.ips, key) or 0.0 for s in systems]
        ax.barh(positions, values, color=[_colour(s.name) for s in systems])
        ax.set_yticks(positions, [s.label for s in systems] if ax is axes[0] else [], fontsize=8)
        ax.set_title(title, fontsize=9)
        if top is not None:
            ax.set_xlim(0, top)
        ax.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return _png(figure)


def data_figure(document: EvaluationReport) -> str:
    months = document.data.events_by_month
    names = list(months)
    figure = Figure(figsize=(11, 3.2))
    ax = figure.subplots()
    bottom = [0] * len(names)
    for stage, colour in STAGE_COLOURS.items():
        values = [months[m].get(stage, 0) for m in names]
        ax.bar(range(len(names)), values, bottom=bottom, color=colour, label=stage)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    cutoff = date.fromisoformat(document.cutoff)
    cutoff_month = cutoff.strftime("%Y-%m")
    if cutoff_month in names:
        # Bars are centred on their month: a month runs from -0.5 to +0.5 around its index.
        days = calendar.monthrange(cutoff.year, cutoff.month)[1]
        where = names.index(cutoff_month) - 0.5 + (cutoff.day - 1) / days
        ax.axvline(where, color="black", ls="--", lw=1)
        ax.text(where + 0.1, max(bottom) * 0.95, f"cutoff {cutoff}", fontsize=8)
    step = max(1, len(names) // 12)
    ax.set_xticks(range(0, len(names), step), names[::step], fontsize=8, rotation=30)
    ax.set_ylabel("events")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    return _png(figure)


def fairness_figure(document: EvaluationReport, column: str, shown: Sequence[str]) -> str:
    per_system = document.fairness[column]
    metrics = document.fairness_metrics
    groups = list(per_system[shown[0]]["groups"])
    labels = {s.name: s.label for s in document.systems}
    figure = Figure(figsize=(11, 3.4))
    axes = figure.subplots(1, len(metrics))
    width = 0.8 / len(shown)
    for ax, metric in zip(axes, metrics, strict=True):
        key = metric.key
        for j, name in enumerate(shown):
            entries = [per_system[name]["groups"][g][key] for g in groups]
            means = [e["mean"] for e in entries]
            err = [
                [max(0.0, e["mean"] - e["low"]) for e in entries],
                [max(0.0, e["high"] - e["mean"]) for e in entries],
            ]
            ax.bar(
                [i + (j - (len(shown) - 1) / 2) * width for i in range(len(groups))],
                means,
                width,
                yerr=err,
                capsize=2,
                color=_colour(name),
                label=labels.get(name, name),
            )
        ax.set_xticks(range(len(groups)), groups, fontsize=8)
        ax.set_title(f"{metric.label} by {column}", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    handles, names = axes[0].get_legend_handles_labels()
    figure.legend(handles, names, loc="lower center", ncol=len(shown), fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return _png(figure)


def _count(value: Any, digits: int = 0, percent: bool = False) -> str:
    if value is None:
        return "–"
    if percent:
        return f"{100 * value:.1f}%"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def data_rows(data: DataSummary) -> list[tuple[str, str]]:
    """The data description as (what, count) rows."""
    queries = data.queries
    rows = [
        ("candidates (profile versions)", f"{data.candidates} ({data.profile_versions})"),
        ("candidates with any event", _count(data.candidates_with_events)),
        (
            "openings (of which education places)",
            f"{data.openings} ({data.education_openings})",
        ),
        ("employers", _count(data.employers)),
        ("events", _count(data.events)),
    ]
    rows += [(f"– {stage}", _count(n)) for stage, n in data.events_by_stage.items()]
    rows += [
        (
            "events before / from the cutoff",
            f"{data.events_before_cutoff} / {data.events_from_cutoff}",
        ),
        ("hires without a posted opening", _count(data.hires_without_opening)),
        ("hires of 20 hours a week or more", _count(data.hires_20h_or_more, percent=True)),
        ("median days employed (jobs that ended)", _count(data.median_days_employed_of_ended)),
        ("evaluated moments (people)", f"{queries.evaluated} ({queries.candidates})"),
        (
            "moments left out: no profile yet / erased profile / nothing still open",
            f"{queries.skipped_no_profile_yet} / {queries.skipped_erased_profile} / "
            f"{queries.skipped_nothing_open}",
        ),
        ("graded openings per moment", _count(queries.graded_openings_per_query, 2)),
    ]
    return rows


def _best_baseline(document: EvaluationReport) -> str | None:
    baselines = [s for s in document.systems if not s.name.startswith("ipsmatch")]
    if not baselines:
        return None
    return max(baselines, key=lambda s: s.metrics["ndcg@10"].mean).name


def render(document: EvaluationReport) -> str:
    """The report as one HTML page."""
    environment = Environment(
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["num"] = lambda v, d=3: "–" if v is None else f"{v:.{d}f}"
    environment.filters["pct"] = lambda v, d=1: "n/a" if v is None else f"{100 * v:.{d}f}%"
    environment.filters["pvalue"] = lambda p: (
        "–" if p is None else ("< 0.001" if p < 0.001 else f"{p:.3f}")
    )
    present = [s.name for s in document.systems]
    shown: list[str] = [n for n in ("ipsmatch", "ipsmatch_fitted") if n in present]
    best = _best_baseline(document)
    if best:
        shown.append(best)
    figures = {
        "summary": summary_figure(document),
        "curves": curves_figure(document),
        "ips": ips_figure(document),
        "data": data_figure(document),
        "fairness": {
            column: fairness_figure(document, column, shown) for column in document.fairness
        },
    }
    template = environment.from_string(REPORT_TEMPLATE)
    return template.render(
        d=document,
        figures=figures,
        shown=shown,
        best_baseline=best,
        data_rows=data_rows(document.data),
        ips_section=(figures_section(document.ips_figures) if document.ips_figures else ""),
    )
