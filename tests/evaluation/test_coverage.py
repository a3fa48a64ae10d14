"""Wish coverage: the share of a person's wishes with a matching opening in the top k."""

from __future__ import annotations

import numpy as np
import pytest
from evaluation_builders import make_candidate, make_opening
from test_systems import query

from evaluation.coverage import VocabularyJudge, covered_share, distinct_wishes, wish_coverage
from evaluation.history import Catalogue
from evaluation.systems import Suggestions

# Titles the simulator writes: animals, animals, warehouse, kitchen, gardening, and one
# title no family writes.
OPENINGS = [
    make_opening("o-dyr", "Dyrepasser-medhjælper", "2025-01-01", "2025-12-31"),
    make_opening("o-kennel", "Kennel assistant", "2025-01-01", "2025-12-31"),
    make_opening("o-lager", "Lagermedarbejder", "2025-01-01", "2025-12-31"),
    make_opening("o-kok", "Køkkenmedhjælper", "2025-01-01", "2025-12-31"),
    make_opening("o-gartner", "Gartnermedhjælper", "2025-01-01", "2025-12-31"),
    make_opening("o-andet", "Astronaut", "2025-01-01", "2025-12-31"),
]
CATALOGUE = Catalogue(OPENINGS)
JUDGE = VocabularyJudge(CATALOGUE)


def test_distinct_wishes_drop_repeats_by_case_and_space() -> None:
    candidate = make_candidate("c-1", ["Noget med dyr", " noget med dyr", "lagerarbejde"])
    assert distinct_wishes(candidate) == ["noget med dyr", "lagerarbejde"]


def test_the_judge_matches_a_wish_to_openings_of_its_family_in_either_language() -> None:
    rows = np.arange(len(OPENINGS))
    matches = JUDGE.matches(["noget med dyr", "lagerarbejde"], rows)
    assert matches is not None
    assert matches.tolist() == [
        [True, True, False, False, False, False],
        [False, False, True, False, False, False],
    ]


def test_a_wish_written_for_two_families_matches_both() -> None:
    # "være udenfor" is a wish of both agriculture and gardening.
    matches = JUDGE.matches(["være udenfor"], np.asarray([4, 0]))
    assert matches is not None
    assert matches.tolist() == [[True, False]]


def test_the_judge_does_not_judge_wishes_it_does_not_know() -> None:
    assert JUDGE.matches(["noget med dyr", "flyve til månen"], np.arange(3)) is None


def test_covered_share_counts_wishes_not_openings() -> None:
    matches = np.asarray([[True, True, False], [False, False, False], [False, False, True]])
    assert covered_share(matches) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="at least one wish"):
        covered_share(np.zeros((0, 3), dtype=bool))


def test_wish_coverage_of_the_top_k_by_hand() -> None:
    queries = [
        query("c-1", ["noget med dyr", "lagerarbejde"]),  # both shown in the top 2
        query("c-1", ["noget med dyr", "køkken", "lagerarbejde"]),  # warehouse only below k
        query("c-1", ["noget med dyr"]),  # one wish: not judged
        query("c-1", ["noget med dyr", "flyve til månen"]),  # an unknown wish: not judged
    ]
    answers = [
        Suggestions(openings=np.asarray([2, 0, 3])),
        Suggestions(openings=np.asarray([0, 1, 2])),
        Suggestions(openings=np.asarray([2, 3])),
        Suggestions(openings=np.asarray([0, 1])),
    ]
    coverage = wish_coverage(queries, answers, JUDGE, k=2)
    assert coverage.per_query[:2].tolist() == pytest.approx([1.0, 1 / 3])
    assert np.isnan(coverage.per_query[2:]).all()
    assert coverage.judged.tolist() == [True, True, False, False]
    assert coverage.mean == pytest.approx((1.0 + 1 / 3) / 2)


def test_no_judged_query_gives_no_mean() -> None:
    coverage = wish_coverage(
        [query("c-1", ["noget med dyr"])], [Suggestions(openings=np.asarray([0]))], JUDGE
    )
    assert coverage.mean is None


def test_wishes_of_the_same_work_are_told_from_wishes_of_different_work() -> None:
    queries = [
        query("c-1", ["noget med dyr", "dyrepasser"]),  # both animal work
        query("c-1", ["noget med dyr", "lagerarbejde"]),
        query("c-1", ["noget med dyr"]),  # not judged
    ]
    answers = [Suggestions(openings=np.asarray([0]))] * 3
    rows = np.arange(len(OPENINGS))
    coverage = wish_coverage(queries, answers, JUDGE, catalogue_rows=rows)
    assert coverage.different_work is not None
    assert coverage.different_work.tolist() == [False, True, False]
    assert coverage.per_query[:2].tolist() == [1.0, 0.5]
    assert wish_coverage(queries, answers, JUDGE).different_work is None
