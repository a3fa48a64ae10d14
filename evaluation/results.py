"""The evaluation's result as typed records: what `evaluate()` returns.

`EvaluationReport` is read by field (the command line's table, the HTML
report, the service and the benchmarks); `to_dict()` gives the JSON
document written as `metrics.json`, and `from_dict()` reads one back, so a
stored evaluation is the same object as a fresh one. The nested settings,
fitted weights and fairness tables stay plain JSON-ready mappings: they
describe a run, and nothing computes with them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from evaluation.ips import IpsMeasures


@dataclass(frozen=True)
class MetricName:
    """A metric's key (as ranx names it, ``ndcg@10``) and the label a reader sees."""

    key: str
    label: str


@dataclass(frozen=True)
class Interval:
    """A mean over queries with its bootstrap interval."""

    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    """One system against the reference on one metric: paired tests of the differences."""

    difference: float
    p_value: float
    p_t_test: float
    # Holm's adjustment over every system compared on the same metric.
    p_holm: float


@dataclass(frozen=True)
class SystemResult:
    name: str
    label: str
    description: str
    metrics: dict[str, Interval]
    # None for the reference, which is not compared with itself.
    comparison: dict[str, Comparison] | None
    # Curve family → k (as text, the JSON key) → mean.
    curves: dict[str, dict[str, float]]
    ips: IpsMeasures
    seconds: float


@dataclass(frozen=True)
class QueryCounts:
    evaluated: int
    candidates: int
    skipped_no_profile_yet: int
    skipped_erased_profile: int
    skipped_nothing_open: int
    graded_openings_per_query: float
    # Grade (as text) → how many graded openings have it.
    grades: dict[str, int]


@dataclass(frozen=True)
class DataSummary:
    """The history's own description: counts, dates, events by stage and month."""

    candidates: int
    profile_versions: int
    candidates_with_events: int
    openings: int
    education_openings: int
    employers: int
    events: int
    events_by_stage: dict[str, int]
    events_before_cutoff: int
    events_from_cutoff: int
    first_event: str
    last_event: str
    observed_until: str
    openings_posted: list[str] | None
    hires: int
    hires_without_opening: int
    hires_20h_or_more: float | None
    hires_ended: int
    median_days_employed_of_ended: float | None
    events_by_month: dict[str, dict[str, int]]
    queries: QueryCounts


@dataclass
class EvaluationReport:
    """Everything one evaluation found, and how it was run."""

    title: str
    created: str
    ipsmatch_version: str
    encoder: str
    inputs: dict[str, str]
    settings: dict[str, Any]
    reference: str
    metrics: list[MetricName]
    curve_metrics: list[MetricName]
    curve_ks: list[int]
    fairness_metrics: list[MetricName]
    systems: list[SystemResult]
    ips_k: int
    fairness: dict[str, Any]
    weights: dict[str, Any]
    data: DataSummary
    timing: dict[str, float]
    notes: list[str] = field(default_factory=list)
    # IPS fidelity figures by team and month (`evaluation.ips_figures`), where given.
    ips_figures: dict[str, Any] | None = None

    @property
    def cutoff(self) -> str:
        return str(self.settings["cutoff"])

    def system(self, name: str) -> SystemResult:
        """The result of the system called `name`; `KeyError` naming the systems there are."""
        for result in self.systems:
            if result.name == name:
                return result
        raise KeyError(f"no system {name!r}; systems: {', '.join(s.name for s in self.systems)}")

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready document of `metrics.json`."""
        return asdict(self)

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> EvaluationReport:
        """Read back a document written by `to_dict` (a stored `metrics.json`)."""
        data = dict(document["data"])
        data["queries"] = QueryCounts(**data["queries"])
        systems = [
            SystemResult(
                name=s["name"],
                label=s["label"],
                description=s["description"],
                metrics={k: Interval(**v) for k, v in s["metrics"].items()},
                comparison=(
                    {k: Comparison(**v) for k, v in s["comparison"].items()}
                    if s["comparison"] is not None
                    else None
                ),
                curves=s["curves"],
                ips=IpsMeasures(**s["ips"]),
                seconds=s["seconds"],
            )
            for s in document["systems"]
        ]
        return cls(
            title=document["title"],
            created=document["created"],
            ipsmatch_version=document["ipsmatch_version"],
            encoder=document["encoder"],
            inputs=document["inputs"],
            settings=document["settings"],
            reference=document["reference"],
            metrics=[MetricName(**m) for m in document["metrics"]],
            curve_metrics=[MetricName(**m) for m in document["curve_metrics"]],
            curve_ks=list(document["curve_ks"]),
            fairness_metrics=[MetricName(**m) for m in document["fairness_metrics"]],
            systems=systems,
            ips_k=document["ips_k"],
            fairness=document["fairness"],
            weights=document["weights"],
            data=DataSummary(**data),
            timing=document["timing"],
            notes=list(document.get("notes", [])),
            ips_figures=document.get("ips_figures"),
        )
