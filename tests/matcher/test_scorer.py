"""The scoring part: what each opening's fits are measured on."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from builders import candidate, opening
from fakes import FakeEncoder

from matcher.ranker import PreferenceRanker
from matcher.scorer import fits_per_opening, skills, wish_rise
from matcher.scoring import ScoringWeights

DAY = date(2026, 11, 22)
CATALOGUE = [
    opening("o-bager", "Bagermedhjælper", "Bagning af brød. Kager om morgenen."),
    opening("o-kontor", "Kontorassistent", "Post og arkiv.", requires={"skills": ["SAP"]}),
    opening(
        "o-lager",
        "Lagermedarbejder",
        "Pluk og pak.",
        requires={"skills": ["truckcertifikat", "kranførercertifikat"]},
    ),
]


def _fitted(weights: ScoringWeights | None = None) -> PreferenceRanker:
    return PreferenceRanker(FakeEncoder(), weights=weights).fit(CATALOGUE)


def test_the_best_segment_and_the_whole_text_are_both_measured() -> None:
    ranker = _fitted()
    catalogue = ranker.catalogue_
    (query,) = ranker.encode_candidates([candidate(["bager kager"])])
    chosen = np.arange(len(CATALOGUE))
    best, whole, untitled = fits_per_opening(catalogue, query.wishes, chosen)
    vectors = catalogue.vectors
    baseline = catalogue.scale.baselines(query.wishes)[0, 0]
    for position, row in enumerate(chosen):
        segments = vectors.segments[vectors.segment_offsets[row] : vectors.segment_offsets[row + 1]]
        cosines = segments.astype(np.float32) @ query.wishes[0]
        span = catalogue.scale.span
        # The whole text is the first segment; the best is the closest of all, unclipped.
        assert whole[0, position] == pytest.approx((cosines[0] - baseline) / span, abs=1e-5)
        assert best[0, position] == pytest.approx((cosines.max() - baseline) / span, abs=1e-5)
        # Without the title (the second segment): the closest of the others.
        others = np.delete(cosines, 1) if len(cosines) > 1 else cosines
        assert untitled[0, position] == pytest.approx((others.max() - baseline) / span, abs=1e-5)
    assert best[0, 0] > 1.0  # beyond one span: a fit would have clipped it


def test_a_required_skill_is_met_by_a_close_held_one_against_both_baselines() -> None:
    ranker = _fitted()
    catalogue = ranker.catalogue_
    person = candidate(["lager"], competencies={"skills": ["truckcertifikat", "Word"]})
    (query,) = ranker.encode_candidates([person])
    chosen = np.arange(len(CATALOGUE))
    total, met_count, met, rows = skills(catalogue, query, chosen, ranker.weights_)
    scale = catalogue.scale
    required = catalogue.vectors.requirements[rows]
    baselines = (scale.baselines(query.competencies) + scale.baselines(required).T) / 2
    rise = scale.rise(query.competencies @ required.T, baselines).max(axis=0)
    assert met.tolist() == (rise >= ranker.weights_.skill_threshold).tolist()
    phrases = catalogue.columns.requirement_phrases[rows].tolist()
    assert dict(zip(phrases, met.tolist(), strict=True)) == {
        "sap": False,
        "truckcertifikat": True,
        "kranførercertifikat": False,
    }
    assert total.tolist() == [0, 1, 2] and met_count.tolist() == [0, 0, 1]


def test_the_skill_threshold_decides_what_is_shown() -> None:
    person = candidate(["kontor"], competencies={"skills": ["SAP-bruger"]})
    lenient = _fitted(ScoringWeights(skill_threshold=0.0)).rank(person, k=3, on=DAY)
    strict = _fitted(ScoringWeights(skill_threshold=50.0)).rank(person, k=3, on=DAY)
    office = {r.opening_id: r for r in lenient.results}["o-kontor"]
    assert "skill" not in office.requirement_gaps
    assert "skill" in {r.opening_id: r for r in strict.results}["o-kontor"].requirement_gaps


def test_a_title_above_the_rest_of_the_opening_counts_half_toward_the_whole_text() -> None:
    # Rises of one wish over three openings: the title is best (2.0 against a whole text
    # of 0.4 and sentences of 0.6); a sentence is best; one segment only.
    best = np.array([[2.0, 1.5, 0.8]], dtype=np.float32)
    untitled = np.array([[0.6, 1.5, 0.8]], dtype=np.float32)
    whole = np.array([[0.4, 1.0, 0.8]], dtype=np.float32)
    rise = wish_rise(best, whole, untitled, ScoringWeights(title_weight=0.5))
    # (2.0 + 0.4) / 2 = 1.2, above the best sentence's 0.6; the others as they were.
    assert rise[0].tolist() == pytest.approx([1.2, 1.5, 0.8])
    # Never below the best segment other than the title.
    low = wish_rise(best, np.array([[-1.0, 1.0, 0.8]], np.float32), untitled, ScoringWeights())
    assert low[0, 0] == pytest.approx(0.6)
    # At 1 the best segment alone, as before the weight.
    same = wish_rise(best, whole, untitled, ScoringWeights(title_weight=1.0))
    assert same[0].tolist() == pytest.approx(best[0].tolist())


def test_title_weight_above_one_is_refused() -> None:
    with pytest.raises(ValueError, match="title_weight"):
        ScoringWeights(title_weight=1.5)


def test_skills_the_list_knows_are_compared_by_it_not_by_the_encoder() -> None:
    catalogue = [
        opening("o-cad", "Tegner", "Tegninger.", requires={"skills": ["AutoCAD"]}),
        opening("o-kok", "Cook", "Lunch.", requires={"skills": ["cooking"]}),
    ]
    person = candidate(["tegner"], competencies={"skills": ["Photoshop", "madlavning"]})

    def gaps(weights: ScoringWeights) -> dict[str, list[str]]:
        ranker = PreferenceRanker(FakeEncoder(), weights=weights).fit(catalogue)
        ranking = ranker.rank(person, k=2, on=DAY)
        return {r.opening_id: list(r.requirement_gaps) for r in ranking.results}

    # The encoder alone: everything met at threshold 0, nothing at 50.
    assert gaps(ScoringWeights(skill_threshold=0.0, known_skills=False)) == {
        "o-cad": [],
        "o-kok": [],
    }
    assert gaps(ScoringWeights(skill_threshold=50.0, known_skills=False)) == {
        "o-cad": ["skill"],
        "o-kok": ["skill"],
    }
    # The list knows both pairs whatever the threshold says.
    for threshold in (0.0, 50.0):
        assert gaps(ScoringWeights(skill_threshold=threshold)) == {
            "o-cad": ["skill"],
            "o-kok": [],
        }
