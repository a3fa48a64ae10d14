from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from evaluation_builders import event, make_candidate, make_opening

from evaluation.checks import PreferenceChecker
from evaluation.history import Catalogue, Query
from evaluation.ips import ips_measures
from evaluation.profiles import ProfileVersion
from evaluation.replay import ReplayResult
from evaluation.systems import Suggestions

OPENINGS = [
    make_opening(
        "o-1",
        "Lager",
        "2025-01-01",
        "2025-06-30",
        employer_id="e-1",
        hours_per_week={"min": 30, "max": 37},
    ),
    make_opening("o-2", "Lager", "2025-01-01", "2025-06-30", employer_id="e-1"),
    make_opening("o-3", "Kok", "2025-01-01", "2025-06-30", employer_id="e-2"),
    make_opening("o-4", "Bud", "2025-04-01", "2025-06-30", employer_id="e-3"),
]
CATALOGUE = Catalogue(OPENINGS)


def moment(candidate_id: str, day: str, **fields: object) -> Query:
    candidate = make_candidate(candidate_id, ["lager"], **fields)
    return Query(
        qid=f"{candidate_id}@{day}",
        candidate_id=candidate_id,
        day=date.fromisoformat(day),
        profile=ProfileVersion(candidate),
        seen=frozenset(),
        grades={0: 0.5},
    )


def test_measures_by_hand() -> None:
    queries = [
        moment("c-1", "2025-02-01", preferences={"hours_per_week": {"max": 20}}, disclosure="yes"),
        moment("c-2", "2025-02-01"),
    ]
    answers = [
        # o-1 breaks c-1's hours; the contact routes are right (c-1 disclosed).
        Suggestions(openings=np.asarray([0, 1]), contacts=["consultant", "consultant"]),
        # c-2 did not disclose, yet one suggestion says "consultant": a disclosure breach.
        Suggestions(openings=np.asarray([0, 2]), contacts=["self", "consultant"]),
    ]
    result = ReplayResult(queries, {"s": answers}, depth=2)
    hires = [
        event("c-1", None, "hired", "2025-03-01", employer_id="e-1"),  # suggested employer
        event("c-2", "o-4", "hired", "2025-04-10", employer_id="e-3"),  # not suggested
        event("c-3", None, "hired", "2025-04-10", employer_id="e-1"),  # no moment: not counted
    ]
    measures = ips_measures(result, "s", CATALOGUE, PreferenceChecker(CATALOGUE), hires, k=2)
    assert measures.suggestions == 4
    assert measures.no_broken_preference == pytest.approx(3 / 4)
    assert measures.broken_by_code == {"hours": 1}
    assert measures.disclosure_respected == pytest.approx(3 / 4)
    assert measures.distinct_employers == pytest.approx((1 + 2) / 2)
    # Open on 2025-02-01: o-1, o-2, o-3 (o-4 only from April); suggested: all three.
    assert measures.catalogue_coverage == pytest.approx(1.0)
    assert measures.hires_considered == 2
    assert measures.hires_at_suggested_employers == pytest.approx(1 / 2)


def test_systems_without_contact_routes_are_not_measured_on_disclosure() -> None:
    queries = [moment("c-1", "2025-02-01")]
    result = ReplayResult(queries, {"s": [Suggestions(openings=np.asarray([2]))]}, depth=1)
    measures = ips_measures(result, "s", CATALOGUE, PreferenceChecker(CATALOGUE), [], k=10)
    assert measures.disclosure_respected is None
    assert measures.hires_at_suggested_employers is None
    assert measures.catalogue_coverage == pytest.approx(1 / 3)


class FirstAndThirdOpenings:
    """A judge by hand: the first wish matches o-1 (row 0), every other wish o-3 (row 2)."""

    def matches(self, wishes: list[str], rows: np.ndarray) -> np.ndarray | None:
        return np.asarray([rows == (0 if i == 0 else 2) for i in range(len(wishes))])


def test_wish_coverage_counts_queries_with_two_or_more_wishes() -> None:
    two = moment("c-1", "2025-02-01")
    two.profile.candidate.preferences.desired.append("kok")
    queries = [two, moment("c-2", "2025-02-01")]  # c-2 states one wish: not judged
    answers = [Suggestions(openings=np.asarray([0, 1])), Suggestions(openings=np.asarray([2]))]
    result = ReplayResult(queries, {"s": answers}, depth=2)
    checker = PreferenceChecker(CATALOGUE)
    judged = ips_measures(result, "s", CATALOGUE, checker, [], k=2, judge=FirstAndThirdOpenings())
    assert (judged.wish_coverage, judged.wish_coverage_queries) == (0.5, 1)
    without = ips_measures(result, "s", CATALOGUE, checker, [], k=2)
    assert (without.wish_coverage, without.wish_coverage_queries) == (None, 0)
