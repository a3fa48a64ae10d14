"""The ranker's parts keep their contracts.

Queries need no catalogue; no part changes another's results.
"""

from __future__ import annotations

import copy
from datetime import date

import numpy as np
from builders import candidate, opening
from fakes import FakeEncoder

from matcher.explanation import pick, ranked_opening
from matcher.ranker import PreferenceRanker
from matcher.scorer import score

DAY = date(2026, 11, 22)
CATALOGUE = [
    opening("o-dyr", "Dyrepasser", "Pasning af hunde. Nattevagter i weekenden."),
    opening("o-lager", "Lagermedarbejder", "Pluk og pak.", requires={"skills": ["truck"]}),
    opening("o-kok", "Kok", "Madlavning.", hours_per_week={"min": 37, "max": 37}),
]
PERSON = candidate(
    ["dyrepasser", "lager"],
    avoid=["pluk og pak"],
    hours_per_week={"max": 20},
    skills=["pluk og pak"],
)


def test_profiles_are_encoded_without_a_fitted_catalogue() -> None:
    unfitted = PreferenceRanker(FakeEncoder())
    (query,) = unfitted.query_encoder().encode([PERSON])
    fitted = PreferenceRanker(FakeEncoder()).fit(CATALOGUE)
    (same,) = fitted.encode_candidates([PERSON])
    assert np.array_equal(query.wishes, same.wishes)
    assert np.array_equal(query.avoid_conditions, same.avoid_conditions)
    assert fitted.rank_encoded(query, on=DAY) == fitted.rank(PERSON, on=DAY)


def test_ordering_and_explaining_leave_the_scores_as_they_were() -> None:
    ranker = PreferenceRanker(FakeEncoder()).fit(CATALOGUE)
    (query,) = ranker.encode_candidates([PERSON])
    chosen = ranker.shortlist(query, DAY)
    scored = score(ranker.catalogue_, query, chosen, ranker.weights_, None)
    before = copy.deepcopy(scored)
    order = np.lexsort((chosen, -scored.score, scored.violated))
    picked = pick(ranker.catalogue_, query, chosen, scored, order, 3, ranker.weights_)
    results = [
        ranked_opening(ranker.catalogue_, query, chosen, scored, p, r, ranker.weights_)
        for r, p in enumerate(picked, start=1)
    ]
    # "pluk og pak" names no workplace condition; o-lager's text has its words, found only
    # after scoring: the result says so...
    assert query.avoid_conditions.tolist() == [0]
    assert not scored.violated[1] and not scored.broken["avoid"][1]
    lager = next(r for r in results if r.opening_id == "o-lager")
    assert lager.violations == ["avoid"]

    # ...and the scored arrays were not changed to say it.
    for name in ("violated", "score", "preference", "competency"):
        assert np.array_equal(getattr(scored, name), getattr(before, name))
    for code, flags in scored.broken.items():
        assert np.array_equal(flags, before.broken[code])


def test_a_partial_fit_on_a_copy_leaves_the_original_catalogue() -> None:
    ranker = PreferenceRanker(FakeEncoder()).fit(CATALOGUE)
    catalogue = ranker.catalogue_
    expires = catalogue.columns.expires.copy()
    copy.copy(ranker).partial_fit([opening("o-ny", "Dyrepasser")], retire=["o-kok"])
    assert ranker.catalogue_ is catalogue
    assert np.array_equal(catalogue.columns.expires, expires)
    assert [o.id for o in ranker.openings_] == ["o-dyr", "o-lager", "o-kok"]
