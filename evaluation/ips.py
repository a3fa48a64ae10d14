"""Measures of fidelity to IPS, computed the same way for every system.

For the top `k` suggestions of each query:

- **no broken preference**: the share of suggestions that break none of the
  person's stated preferences (`evaluation.checks`);
- **disclosure respected**: the share whose ``contact`` is ``consultant``
  exactly when the person's ``disclosure`` is ``yes`` (must be 100%); only
  systems that say how to contact (ipsmatch) can be measured;
- **distinct employers**: the mean number of different employers in a top k;
- **catalogue coverage**: the share of openings open on some query day that
  were suggested at least once: low coverage means everyone is shown the
  same few openings;
- **hires at suggested employers**: of the hires in the evaluated period
  (with or without a posted opening), the share at an employer among the
  employers of the top k in the person's latest query on or before the hire
  day. IPS job development works through employers, not only postings;
- **wish coverage**: for queries whose profile states two or more distinct
  wishes, the mean share of those wishes with a matching opening in the top
  k (`evaluation.coverage`; None where no query could be judged).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from evaluation.checks import PreferenceChecker
from evaluation.coverage import WishJudge, wish_coverage
from evaluation.history import Catalogue
from evaluation.placements import Placement
from evaluation.replay import ReplayResult


@dataclass
class IpsMeasures:
    k: int
    suggestions: int
    no_broken_preference: float
    broken_by_code: dict[str, int] = field(default_factory=dict)
    disclosure_respected: float | None = None
    distinct_employers: float = 0.0
    catalogue_coverage: float = 0.0
    hires_at_suggested_employers: float | None = None
    hires_considered: int = 0
    wish_coverage: float | None = None
    wish_coverage_queries: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ips_measures(
    result: ReplayResult,
    system: str,
    catalogue: Catalogue,
    checker: PreferenceChecker,
    hires: Sequence[Placement],
    k: int = 10,
    judge: WishJudge | None = None,
) -> IpsMeasures:
    queries = result.queries
    answers = result.suggestions[system]
    shown = clean = 0
    broken: Counter[str] = Counter()
    disclosure_total = disclosure_ok = 0
    employers_per_query = []
    suggested: set[int] = set()
    for query, answer in zip(queries, answers, strict=True):
        top = answer.openings[:k]
        version = query.profile
        for codes in checker.violations_of(version, top):
            shown += 1
            clean += not codes
            broken.update(codes)
        suggested.update(int(r) for r in top)
        employers_per_query.append(len({catalogue.employers[int(r)] for r in top}))
        if answer.contacts is not None:
            wanted = "consultant" if version.candidate.disclosure == "yes" else "self"
            disclosure_total += len(answer.contacts[:k])
            disclosure_ok += sum(c == wanted for c in answer.contacts[:k])
    reachable: set[int] = set()
    for day in sorted({q.day for q in queries}):
        reachable.update(int(r) for r in catalogue.open_on(day))
    hire_share, considered = _hires_at_suggested(result, system, catalogue, hires, k)
    coverage = wish_coverage(queries, answers, judge, k) if judge is not None else None
    return IpsMeasures(
        k=k,
        suggestions=shown,
        no_broken_preference=clean / shown if shown else 0.0,
        broken_by_code=dict(sorted(broken.items())),
        disclosure_respected=disclosure_ok / disclosure_total if disclosure_total else None,
        distinct_employers=float(np.mean(employers_per_query)) if employers_per_query else 0.0,
        catalogue_coverage=len(suggested) / len(reachable) if reachable else 0.0,
        hires_at_suggested_employers=hire_share,
        hires_considered=considered,
        wish_coverage=coverage.mean if coverage is not None else None,
        wish_coverage_queries=int(coverage.judged.sum()) if coverage is not None else 0,
    )


def _hires_at_suggested(
    result: ReplayResult,
    system: str,
    catalogue: Catalogue,
    hires: Sequence[Placement],
    k: int,
) -> tuple[float | None, int]:
    by_candidate: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for position, query in enumerate(result.queries):
        by_candidate[query.candidate_id].append((query.day.toordinal(), position))
    for entries in by_candidate.values():
        entries.sort()
    considered = found = 0
    answers = result.suggestions[system]
    for hire in hires:
        moments = by_candidate.get(hire.candidate_id)
        if not moments:
            continue
        days = [day for day, _ in moments]
        at = bisect.bisect_right(days, hire.date.toordinal()) - 1
        if at < 0:
            continue
        top = answers[moments[at][1]].openings[:k]
        employers = {catalogue.employers[int(r)] for r in top}
        considered += 1
        found += hire.employer_id in employers
    return (found / considered if considered else None), considered
