"""Job development on a simulated history: who is likely to hire, and suggested employers.

`python benchmarks/jobdev.py [--candidates N] [--openings N] [--seeds 0 1 2] [--encoder e5|fake]`

Simulates an INVENTED history (`evaluation.simulate`, with caseloads and
employer contacts), splits it in time six months before its end, and reports:

1. **the hiring estimate's capture curve**: `matcher.hiring.HiringEstimator`
   fitted on everything before the cutoff; employers ranked by expected hires
   in the next six months; the share of the hires after the cutoff (within six
   months) at the top 10/20/50% of employers, against the baseline "hires in
   the last six months", and the estimate without contact outcomes; 95%
   bootstrap intervals resampling employers (200 resamples);
2. **suggested employers' share of later hires**: for each person hired in
   the six months after the cutoff, whether the hiring employer is among the
   person's top-k suggested employers at the cutoff (profile as it was then),
   placed by fit alone ("before", what the engine gives) and after
   `matcher.employer_order.order_employers` adds the hiring estimate and the
   contact load ("after"); 95% bootstrap intervals resampling people.

The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from evaluation.profiles import ProfileHistory  # noqa: E402
from evaluation.simulate import Simulation, SimulationSettings, simulate  # noqa: E402
from matcher.employer_order import (  # noqa: E402
    ContactLoad,
    EmployerFit,
    HiringOutlook,
    order_employers,
)
from matcher.encoders import CachedEncoder, EmbeddingCache, SentenceTransformerEncoder  # noqa: E402
from matcher.hiring import (  # noqa: E402
    Hire,
    HiringEstimator,
    HiringHistory,
    Posting,
    capture_curve,
    hires_between,
    occupation_group,
    recent_hires,
)
from matcher.ranker import PreferenceRanker  # noqa: E402

SHARES = (0.1, 0.2, 0.5)
HORIZON = 182
RESAMPLES = 200
CACHE = REPO / ".cache" / "jobdev-benchmark"
_START = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _START:7.1f}s] {message}", file=sys.stderr, flush=True)


def history_of(simulation: Simulation, with_contacts: bool = True) -> HiringHistory:
    group_of = {o.id: occupation_group(o) for o in simulation.openings}
    main: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for opening in simulation.openings:
        main[opening.employer_id][group_of[opening.id]] += 1
    main_group = {e: max(g, key=lambda k: g[k]) for e, g in main.items()}
    postings = [
        Posting(o.employer_id, group_of[o.id], o.posted or simulation.settings.start)
        for o in simulation.openings
    ]
    hires = [
        Hire(
            p.employer_id,
            group_of.get(p.opening_id or "", main_group.get(p.employer_id, "unknown")),
            p.date,
        )
        for p in simulation.placements
        if p.stage == "hired"
    ]
    contacts = [c.outcome_record() for c in simulation.contacts] if with_contacts else []
    return HiringHistory(postings, hires, contacts)


def interval(values: Sequence[float]) -> list[float]:
    return [
        round(float(np.percentile(values, 2.5)), 4),
        round(float(np.percentile(values, 97.5)), 4),
    ]


def capture(simulation: Simulation, cutoff: date, seed: int) -> dict[str, Any]:
    history = history_of(simulation)
    later = hires_between(history, cutoff, cutoff + timedelta(days=HORIZON))
    employers = sorted({e for e, _ in history.before(cutoff).pairs()} | set(later))
    scores = {
        "estimate": HiringEstimator().fit(history, cutoff).predict().by_employer(),
        "estimate_without_contacts": HiringEstimator()
        .fit(history_of(simulation, with_contacts=False), cutoff)
        .predict()
        .by_employer(),
        "hires_last_6_months": recent_hires(history, cutoff),
    }
    rng = np.random.default_rng(seed)
    draws = [
        [employers[i] for i in rng.integers(0, len(employers), size=len(employers))]
        for _ in range(RESAMPLES)
    ]
    result: dict[str, Any] = {
        "employers": len(employers),
        "later_hires": sum(later.values()),
    }
    curves: dict[str, dict[float, list[float]]] = {}
    for name, score in scores.items():
        point = capture_curve(score, later, employers, SHARES)
        curves[name] = {s: [] for s in SHARES}
        for draw in draws:
            for share, value in capture_curve(score, later, draw, SHARES).items():
                curves[name][share].append(value)
        result[name] = {
            f"top_{int(100 * s)}%": {"share": round(point[s], 4), "ci95": interval(curves[name][s])}
            for s in SHARES
        }
    result["estimate_minus_baseline"] = {
        f"top_{int(100 * s)}%": interval(
            np.asarray(curves["estimate"][s]) - np.asarray(curves["hires_last_6_months"][s])
        )
        for s in SHARES
    }
    return result


def encoder_for(name: str) -> CachedEncoder:
    if name == "fake":
        from fakes import FakeEncoder

        return CachedEncoder(FakeEncoder())
    model = SentenceTransformerEncoder(REPO / "models" / "multilingual-e5-small")
    return CachedEncoder(model, EmbeddingCache(CACHE))


def suggestions(
    simulation: Simulation, cutoff: date, encoder: CachedEncoder, k: int, seed: int
) -> dict[str, Any]:
    """Share of later hires at the person's top-k suggested employers, before and after."""
    history = history_of(simulation)
    estimates = HiringEstimator().fit(history, cutoff).predict()
    end = cutoff + timedelta(days=HORIZON)
    known = [o for o in simulation.openings if o.posted is None or o.posted < cutoff]
    # Employers are suggested for what they post, open or not (as the engine does).
    timeless = [o.model_copy(update={"posted": None, "expires": None}) for o in known]
    log(f"fitting the ranker on {len(timeless)} openings known at the cutoff")
    ranker = PreferenceRanker(encoder).fit(timeless)
    opening_group = {o.id: occupation_group(o) for o in known}
    profiles = ProfileHistory.of(simulation.versions)
    first_hire: dict[str, str] = {}
    for p in simulation.placements:
        if p.stage == "hired" and cutoff <= p.date < end:
            first_hire.setdefault(p.candidate_id, p.employer_id)
    recent_start = cutoff - timedelta(days=28)
    for_person: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in simulation.contacts:
        if c.person is not None and recent_start <= c.day < cutoff:
            for_person[c.employer_id][c.person] += 1
    before_hits, after_hits = [], []
    log(f"ranking employers for {len(first_hire)} people hired after the cutoff")
    for person, employer in sorted(first_hire.items()):
        version = profiles.on(person, cutoff) or profiles.latest(person)
        ranking = ranker.rank(version.candidate, k=200, on=cutoff)
        best: dict[str, Any] = {}
        for item in ranking.results:
            best.setdefault(item.employer_id, item)
        placed = list(best)[: 2 * k]
        fits = [EmployerFit(e, best[e].score, bool(best[e].violations)) for e in placed]
        outlooks = {}
        for e in placed:
            group = opening_group.get(best[e].opening_id, "unknown")
            expected, hired = estimates.for_employer(e, [group])
            outlooks[e] = HiringOutlook(expected, 6, hired, group)
        loads = {
            e: ContactLoad(sum(n for p, n in for_person[e].items() if p != person), 28)
            for e in placed
            if e in for_person
        }
        after = [o.employer_id for o in order_employers(fits, outlooks, loads)][:k]
        before_hits.append(employer in placed[:k])
        after_hits.append(employer in after)
    before = np.asarray(before_hits, dtype=float)
    after = np.asarray(after_hits, dtype=float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(before), size=(RESAMPLES, len(before)))
    return {
        "k": k,
        "people": len(before),
        "before": {
            "share": round(float(before.mean()), 4),
            "ci95": interval(before[draws].mean(1)),
        },
        "after": {"share": round(float(after.mean()), 4), "ci95": interval(after[draws].mean(1))},
        "after_minus_before": {
            "mean": round(float((after - before).mean()), 4),
            "ci95": interval((after - before)[draws].mean(1)),
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--openings", type=int, default=20000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--encoder", choices=("e5", "fake"), default="e5")
    parser.add_argument(
        "--skip-suggestions", action="store_true", help="Only the capture curve (no encoder)."
    )
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"settings": vars(args), "runs": []}
    encoder = None if args.skip_suggestions else encoder_for(args.encoder)
    for seed in args.seeds:
        settings = SimulationSettings(
            candidates=args.candidates, openings=args.openings, months=args.months, seed=seed
        )
        log(f"simulating seed {seed}: {args.candidates} people, {args.openings} openings")
        simulation = simulate(settings)
        cutoff = settings.end - timedelta(days=HORIZON - 1)
        run: dict[str, Any] = {"seed": seed, "cutoff": cutoff.isoformat()}
        run["capture"] = capture(simulation, cutoff, seed)
        log(f"capture: {json.dumps(run['capture'])}")
        if encoder is not None:
            run["suggestions"] = suggestions(simulation, cutoff, encoder, args.k, seed)
            log(f"suggestions: {json.dumps(run['suggestions'])}")
        results["runs"].append(run)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
