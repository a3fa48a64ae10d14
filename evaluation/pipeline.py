"""The whole offline evaluation: read, split in time, fit, replay, measure.

`load_inputs` reads and cross-checks the files (all or nothing);
`evaluate` returns the metrics document that `metrics.json` holds and
`evaluation.report` turns into `report.html`. Steps:

1. **Split in time at the cutoff** (never at random): events before it are
   all that popularity and the fitted weights may learn from; queries on or
   after it are evaluated, graded on everything the history shows.
   Without a given cutoff, the median event date is used.
2. **Fit** every system on the history before the cutoff; the fitted
   weights come from a file (`--weights`, which must have been fitted
   before the cutoff) or are fitted here (`evaluation.fitting`).
3. **Replay** the evaluated queries through every system
   (`evaluation.replay`), 50 suggestions each.
4. **Measure**: ranx metrics with bootstrap intervals, paired tests of
   ipsmatch against each other system, IPS measures, and per-group results
   when group labels are given.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.checks import PreferenceChecker
from evaluation.coverage import VocabularyJudge
from evaluation.errors import EvaluationError
from evaluation.fairness import FAIRNESS_METRICS, group_report
from evaluation.fitting import WeightFitter, training_rows
from evaluation.groups import GroupLabels, read_groups
from evaluation.history import Catalogue, Query, QuerySet, build_queries, observed_until
from evaluation.ips import IpsMeasures, ips_measures
from evaluation.metrics import (
    CURVE_FAMILIES,
    CURVE_KS,
    GAIN,
    SUMMARY_METRICS,
    Clusters,
    bootstrap_ci,
    holm,
    paired_comparison,
    per_query,
    qrels_of,
    run_of,
)
from evaluation.placements import Placement, check_references, read_placements
from evaluation.profiles import ProfileHistory, read_profiles
from evaluation.progress import Progress, SilentProgress
from evaluation.replay import replay
from evaluation.results import (
    Comparison,
    DataSummary,
    EvaluationReport,
    Interval,
    MetricName,
    QueryCounts,
    SystemResult,
)
from evaluation.systems import (
    CompetencyFirstSystem,
    EmbeddingSystem,
    IpsmatchSystem,
    LexicalSystem,
    PopularitySystem,
    RandomSystem,
    SharedVectors,
    System,
    TrainingData,
)
from matcher.engine import Engine
from matcher.places import check_postcodes, packaged_postcodes
from matcher.ranker import Postcodes, count_texts
from matcher.record_files import read_openings
from matcher.records import Opening
from matcher.scoring import ScoringWeights
from matcher.vocabularies import HIRED_AND_STAYED, STAGE_GRADES, STAGES, STAYED_DAYS

REFERENCE = "ipsmatch"
FITTED = "ipsmatch_fitted"
SYSTEM_ORDER = (
    REFERENCE,
    FITTED,
    "competency_first",
    "embedding",
    "lexical",
    "popularity",
    "random",
)


@dataclass
class Inputs:
    profiles: ProfileHistory
    openings: list[Opening]
    placements: list[Placement]
    groups: GroupLabels | None = None
    files: dict[str, str] = field(default_factory=dict)
    # Postcode → (lat, lon), for records that give only a postcode.
    postcodes: Postcodes | None = None


def load_inputs(
    candidates: str | Path,
    openings: str | Path,
    placements: str | Path,
    groups: str | Path | None = None,
    postcodes: Postcodes | None = None,
    erased: Collection[str] = (),
) -> Inputs:
    """Read and cross-check the evaluation's files; raises on the first file with problems.

    Postcodes are placed with `postcodes`, else the table shipped with ipsmatch;
    a record whose postcode the table lacks is a problem too.
    `erased` names candidates whose profile was erased but whose events were kept
    under a pseudonym (the service's store): their events count as history.
    """
    profiles = read_profiles(candidates)
    opening_records = read_openings(openings)
    postcodes = postcodes if postcodes is not None else packaged_postcodes()
    people = [v.candidate for versions in profiles.versions.values() for v in versions]
    check_postcodes(people, postcodes, source=candidates)
    check_postcodes(opening_records, postcodes, source=openings)
    events = read_placements(placements)
    check_references(
        events,
        profiles.ids(),
        {o.id: o for o in opening_records},
        source=Path(placements),
        erased=erased,
    )
    labels = read_groups(groups, profiles.ids()) if groups is not None else None
    files = {
        "candidates": Path(candidates).name,
        "openings": Path(openings).name,
        "placements": Path(placements).name,
    }
    if groups is not None:
        files["groups"] = Path(groups).name
    return Inputs(profiles, opening_records, events, labels, files, postcodes)


@dataclass
class Settings:
    cutoff: date | None = None
    k: int = 10
    depth: int = 50
    resamples: int = 1000
    permutations: int = 10_000
    level: float = 0.95
    seed: int = 0
    # Enough past queries to choose one ratio well; more only costs replay time.
    max_training_queries: int = 800
    exhaustive: bool = False
    # The day of the run, where the history may hold planned starts dated ahead of it:
    # nothing after it has been observed yet.
    as_of: date | None = None


def default_cutoff(placements: Sequence[Placement]) -> date:
    """The median event date: half the history fits, the other half is evaluated."""
    if not placements:
        raise EvaluationError("the placement history is empty; there is nothing to evaluate")
    days = sorted(p.date for p in placements)
    return days[len(days) // 2]


def _version() -> str:
    try:
        return package_version("ipsmatch")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "unknown"


def training_queries(
    inputs: Inputs, catalogue: Catalogue, cutoff: date, limit: int, seed: int
) -> QuerySet:
    """Queries before the cutoff, graded only on what was known the day before it."""
    queries = build_queries(
        inputs.placements,
        inputs.profiles,
        catalogue,
        end=cutoff,
        known_until=cutoff - timedelta(days=1),
    )
    if len(queries) > limit:
        rng = np.random.default_rng(seed)
        keep = np.sort(rng.choice(len(queries), size=limit, replace=False))
        queries.queries = [queries.queries[i] for i in keep]
    return queries


def fit_weights(
    inputs: Inputs,
    engine: Engine,
    cutoff: date,
    *,
    settings: Settings | None = None,
    shared: SharedVectors | None = None,
    progress: Progress | None = None,
) -> tuple[WeightFitter, dict[str, Any]]:
    """Fit scoring weights on the history before `cutoff` (see `evaluation.fitting`)."""
    settings = settings or Settings(cutoff=cutoff)
    progress = progress or SilentProgress()
    catalogue = shared.catalogue if shared is not None else Catalogue(inputs.openings)
    before = [p for p in inputs.placements if p.date < cutoff]
    if not before:
        raise EvaluationError(f"no placement events before the cutoff {cutoff}; nothing to fit on")
    queries = training_queries(
        inputs, catalogue, cutoff, settings.max_training_queries, settings.seed
    )
    if not len(queries):
        raise EvaluationError(
            f"no queries before the cutoff {cutoff} (no first contact with an opening open on "
            "its day); nothing to fit on"
        )
    if shared is None:
        progress.start("Encoding openings", count_texts(catalogue.openings))
        shared = SharedVectors(engine, catalogue, progress=progress.advance)
    system = IpsmatchSystem(shared, name="ipsmatch_training")
    system.fit(TrainingData(catalogue, before, cutoff))
    result = replay([system], queries.queries, catalogue, settings.depth, progress)
    X, y, groups = training_rows(result, system.name)
    fitter = WeightFitter(k=settings.k).fit(X, y, groups)
    about = {
        "data": {
            "candidates": len(inputs.profiles),
            "openings": len(inputs.openings),
            "events_before_cutoff": len(before),
            "files": ", ".join(inputs.files.values()) or "given in code",
        }
    }
    return fitter, about


def evaluate(
    inputs: Inputs,
    engine: Engine,
    settings: Settings | None = None,
    *,
    weights: tuple[ScoringWeights, dict[str, Any]] | None = None,
    weights_file: str | None = None,
    progress: Progress | None = None,
) -> EvaluationReport:
    """Run the whole evaluation; `to_dict()` of the result is the metrics document."""
    started = time.perf_counter()
    settings = settings or Settings()
    progress = progress or SilentProgress()
    if settings.k < 1 or settings.k > settings.depth:
        raise EvaluationError(f"k must be from 1 to {settings.depth}, got {settings.k}")
    cutoff = settings.cutoff or default_cutoff(inputs.placements)
    cutoff_rule = "given" if settings.cutoff else "median event date"
    before = [p for p in inputs.placements if p.date < cutoff]
    after = [p for p in inputs.placements if p.date >= cutoff]
    if not after:
        raise EvaluationError(
            f"no placement events on or after the cutoff {cutoff}; choose an earlier --cutoff"
        )
    catalogue = Catalogue(inputs.openings)
    known = observed_until(inputs.placements)
    if settings.as_of is not None:
        known = min(known, settings.as_of)
    test = build_queries(
        inputs.placements, inputs.profiles, catalogue, start=cutoff, known_until=known
    )
    if not len(test):
        raise EvaluationError(
            f"no evaluable queries on or after {cutoff}: no first mention of an opening that "
            "was open on its day"
        )
    timing: dict[str, float] = {}
    notes: list[str] = []

    step = time.perf_counter()
    progress.start("Encoding openings", count_texts(catalogue.openings))
    shared = SharedVectors(engine, catalogue, progress=progress.advance)
    timing["encode_openings"] = time.perf_counter() - step

    weights_info: dict[str, Any] = {"default": ScoringWeights().to_dict()}
    fitted_weights: ScoringWeights | None = None
    step = time.perf_counter()
    if weights is not None:
        fitted_weights, fitted_about = weights
        trained_until = fitted_about.get("cutoff")
        if trained_until and date.fromisoformat(str(trained_until)) > cutoff:
            raise EvaluationError(
                f"the weights in {weights_file or 'the given file'} were fitted on history up to "
                f"{trained_until}, after this evaluation's cutoff {cutoff}: they have seen the "
                "evaluated period. Fit them with an earlier cutoff (`ipsmatch fit --cutoff`)."
            )
        weights_info.update(
            source=f"file {weights_file}" if weights_file else "given",
            fitted=fitted_weights.to_dict(),
            about=fitted_about,
        )
    elif before:
        try:
            fitter, about = fit_weights(
                inputs, engine, cutoff, settings=settings, shared=shared, progress=progress
            )
        except EvaluationError as error:
            notes.append(f"Weights were not fitted: {error}")
        else:
            fitted_weights = fitter.weights_
            weights_info.update(
                source="fitted in this run on history before the cutoff",
                fitted=fitted_weights.to_dict(),
                about={
                    "ratio": fitter.ratio_,
                    "grid": {f"{r:.2f}": round(s, 5) for r, s in fitter.scores_.items()},
                    "training_queries": fitter.n_queries_,
                    **about,
                },
            )
    else:
        notes.append("No history before the cutoff: popularity is flat and no weights were fitted.")
    timing["fit_weights"] = time.perf_counter() - step

    checker = PreferenceChecker(catalogue, inputs.postcodes)
    judge = VocabularyJudge(catalogue)
    systems: list[System] = [
        IpsmatchSystem(shared, exhaustive=settings.exhaustive),
    ]
    if fitted_weights is not None:
        systems.append(
            IpsmatchSystem(
                shared,
                fitted_weights,
                name=FITTED,
                label="ipsmatch (fitted weights)",
                description=(
                    f"The preference-first ranker with preference {fitted_weights.preference:g} "
                    f"and competency {fitted_weights.competency:g}, fitted before the cutoff."
                ),
                exhaustive=settings.exhaustive,
            )
        )
    systems += [
        CompetencyFirstSystem(shared, checker),
        EmbeddingSystem(shared),
        LexicalSystem(),
        PopularitySystem(),
        RandomSystem(seed=settings.seed),
    ]
    training = TrainingData(catalogue, before, cutoff)
    for system in systems:
        system.fit(training)
    step = time.perf_counter()
    result = replay(systems, test.queries, catalogue, settings.depth, progress)
    timing["replay"] = time.perf_counter() - step

    step = time.perf_counter()
    progress.note("Computing metrics, intervals and tests")
    queries = test.queries
    qrels = qrels_of(queries)
    summary = [m for m, _ in SUMMARY_METRICS]
    curve = [f"{family}@{k}" for family, _ in CURVE_FAMILIES for k in CURVE_KS]
    fair = [m for m, _ in FAIRNESS_METRICS]
    wanted = list(dict.fromkeys(summary + curve + fair))
    scores: dict[str, dict[str, np.ndarray]] = {}
    for system in systems:
        run = run_of(result.suggestions[system.name])
        scores[system.name] = per_query(qrels, run, wanted)
    clusters = Clusters.of([q.candidate_id for q in queries])
    test_hires = [p for p in after if p.stage == "hired"]

    measured: list[tuple[System, dict[str, Interval], IpsMeasures]] = []
    reference = np.column_stack([scores[REFERENCE][m] for m in summary])
    comparisons: dict[str, dict[str, dict[str, float]]] = {}
    for i, system in enumerate(systems):
        matrix = np.column_stack([scores[system.name][m] for m in summary])
        low, high = bootstrap_ci(
            matrix, clusters, settings.resamples, settings.level, settings.seed + i
        )
        metrics = {
            m: Interval(float(matrix[:, j].mean()), float(low[j]), float(high[j]))
            for j, m in enumerate(summary)
        }
        if system.name != REFERENCE:
            tested = paired_comparison(
                matrix, reference, clusters, settings.permutations, settings.seed + i
            )
            comparisons[system.name] = dict(zip(summary, tested, strict=True))
        measures = ips_measures(
            result, system.name, catalogue, checker, test_hires, settings.k, judge
        )
        measured.append((system, metrics, measures))
    # Holm over the comparisons of one metric: several baselines are tested at once.
    for m in summary:
        names = list(comparisons)
        adjusted = holm([comparisons[n][m]["p_value"] for n in names])
        for n, p in zip(names, adjusted, strict=True):
            comparisons[n][m]["p_holm"] = p
    entries = [
        SystemResult(
            name=system.name,
            label=system.label,
            description=system.description,
            metrics=metrics,
            comparison=(
                {m: Comparison(**c) for m, c in comparisons[system.name].items()}
                if system.name in comparisons
                else None
            ),
            curves={
                family: {
                    str(k): float(scores[system.name][f"{family}@{k}"].mean()) for k in CURVE_KS
                }
                for family, _ in CURVE_FAMILIES
            },
            ips=measures,
            seconds=round(result.seconds.get(system.name, 0.0), 2),
        )
        for system, metrics, measures in measured
    ]
    entries.sort(key=lambda e: SYSTEM_ORDER.index(e.name) if e.name in SYSTEM_ORDER else 99)

    fairness: dict[str, Any] = {}
    if inputs.groups is not None:
        for column in inputs.groups.columns:
            fairness[column] = {
                system.name: group_report(
                    scores[system.name],
                    queries,
                    inputs.groups,
                    column,
                    clusters,
                    resamples=settings.resamples,
                    level=settings.level,
                    seed=settings.seed,
                )
                for system in systems
            }
    timing["metrics"] = time.perf_counter() - step
    timing["total"] = time.perf_counter() - started

    return EvaluationReport(
        title="ipsmatch offline evaluation on placement history",
        created=datetime.now().astimezone().isoformat(timespec="seconds"),
        ipsmatch_version=_version(),
        encoder=engine.model_id,
        inputs=dict(inputs.files),
        settings={
            "cutoff": cutoff.isoformat(),
            "cutoff_rule": cutoff_rule,
            "k": settings.k,
            "depth": settings.depth,
            "exhaustive": settings.exhaustive,
            "bootstrap": {
                "resamples": settings.resamples,
                "level": settings.level,
                "unit": "candidate",
            },
            "test": {
                "name": "paired randomization test (sign flips by candidate), two-sided",
                "permutations": settings.permutations,
                "adjustment": "Holm over the systems compared with ipsmatch, per metric",
                "also": "one-sample t-test of per-candidate mean differences (p_t_test)",
            },
            "gain": GAIN,
            "grades": {
                **STAGE_GRADES,
                f"hired and employed {STAYED_DAYS} days later": HIRED_AND_STAYED,
            },
            "seed": settings.seed,
        },
        reference=REFERENCE,
        metrics=[MetricName(key, label) for key, label in SUMMARY_METRICS],
        curve_metrics=[MetricName(key, label) for key, label in CURVE_FAMILIES],
        curve_ks=list(CURVE_KS),
        fairness_metrics=[MetricName(key, label) for key, label in FAIRNESS_METRICS],
        systems=entries,
        ips_k=settings.k,
        fairness=fairness,
        weights=weights_info,
        data=describe_data(inputs, catalogue, cutoff, known, test, queries),
        timing={name: round(seconds, 1) for name, seconds in timing.items()},
        notes=notes,
    )


def describe_data(
    inputs: Inputs,
    catalogue: Catalogue,
    cutoff: date,
    known: date,
    test: QuerySet,
    queries: Sequence[Query],
) -> DataSummary:
    """The history's own description: counts, dates, events by stage and month."""
    events = inputs.placements
    by_stage: Counter[str] = Counter(p.stage for p in events)
    months: dict[str, Counter[str]] = {}
    for p in events:
        months.setdefault(p.date.strftime("%Y-%m"), Counter())[p.stage] += 1
    hires = [p for p in events if p.stage == "hired"]
    with_hours = [p.hours_per_week for p in hires if p.hours_per_week is not None]
    ended = [(p.ended - p.date).days for p in hires if p.ended is not None]
    posted = [o.posted for o in inputs.openings if o.posted is not None]
    grades = Counter(g for q in queries for g in q.grades.values())
    versions = sum(1 for _ in inputs.profiles.all_versions())
    return DataSummary(
        candidates=len(inputs.profiles),
        profile_versions=versions,
        candidates_with_events=len({p.candidate_id for p in events}),
        openings=len(inputs.openings),
        education_openings=sum(1 for o in inputs.openings if o.kind == "education"),
        employers=len({o.employer_id for o in inputs.openings}),
        events=len(events),
        events_by_stage={s: by_stage.get(s, 0) for s in STAGES},
        events_before_cutoff=sum(1 for p in events if p.date < cutoff),
        events_from_cutoff=sum(1 for p in events if p.date >= cutoff),
        first_event=min(p.date for p in events).isoformat(),
        last_event=max(p.date for p in events).isoformat(),
        observed_until=known.isoformat(),
        openings_posted=[min(posted).isoformat(), max(posted).isoformat()] if posted else None,
        hires=len(hires),
        hires_without_opening=sum(1 for p in hires if p.opening_id is None),
        hires_20h_or_more=(
            sum(1 for h in with_hours if h >= 20) / len(with_hours) if with_hours else None
        ),
        hires_ended=len(ended),
        median_days_employed_of_ended=float(np.median(ended)) if ended else None,
        events_by_month={
            month: {s: counts.get(s, 0) for s in STAGES} for month, counts in sorted(months.items())
        },
        queries=QueryCounts(
            evaluated=len(queries),
            candidates=len({q.candidate_id for q in queries}),
            skipped_no_profile_yet=test.skipped_no_profile,
            skipped_erased_profile=test.skipped_erased,
            skipped_nothing_open=test.skipped_nothing_open,
            graded_openings_per_query=(
                float(np.mean([len(q.grades) for q in queries])) if queries else 0.0
            ),
            grades={f"{g:g}": n for g, n in sorted(grades.items())},
        ),
    )
