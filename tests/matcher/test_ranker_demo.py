"""The known-answer cases of the demo data (`data/demo/README.md`), with the real model."""

from __future__ import annotations

from datetime import date

import pytest
from paths import REPO

from matcher.encoders import CachedEncoder
from matcher.ranker import PreferenceRanker
from matcher.record_files import read_candidates, read_openings
from matcher.records import RankedOpening

pytestmark = pytest.mark.integration

DAY = date(2026, 11, 22)
DEMO = REPO / "data" / "demo"


@pytest.fixture(scope="module")
def rankings(e5_encoder: CachedEncoder) -> dict[str, list[RankedOpening]]:
    openings = read_openings(DEMO / "openings.jsonl")
    candidates = read_candidates(DEMO / "candidates.jsonl")[:5]
    ranker = PreferenceRanker(e5_encoder).fit(openings)
    return {
        r.candidate_id: r.results for r in ranker.rank_many(candidates, k=len(openings), on=DAY)
    }


def position(results: list[RankedOpening], opening_id: str) -> int:
    return next(r.rank for r in results if r.opening_id == opening_id)


def item(results: list[RankedOpening], opening_id: str) -> RankedOpening:
    return next(r for r in results if r.opening_id == opening_id)


def test_c0001_animal_work_first_and_warehouse_below(rankings) -> None:  # type: ignore[no-untyped-def]
    results = rankings["c-0001"]
    top = results[:5]
    assert all(
        "dyr" in " ".join(r.reasons).lower() or "hund" in " ".join(r.reasons).lower() for r in top
    ), [r.reasons for r in top]
    animal = [position(results, o) for o in ("o-0199", "o-0265", "o-0236")]
    assert max(animal) < position(results, "o-0266")
    assert item(results, "o-0141").violations == ["hours"]
    assert "commute" in item(results, "o-0160").violations
    assert all(r.contact == "consultant" for r in results)


def test_c0002_it_in_both_languages_and_gaps(rankings) -> None:  # type: ignore[no-untyped-def]
    results = rankings["c-0002"]
    assert position(results, "o-0174") <= 10
    assert position(results, "o-0152") <= 10
    assert item(results, "o-0075").requirement_gaps == ["language"]
    assert "avoid" in item(results, "o-0132").violations


def test_c0003_avoid_and_schedule(rankings) -> None:  # type: ignore[no-untyped-def]
    results = rankings["c-0003"]
    assert {results[0].opening_id, results[1].opening_id} == {"o-0027", "o-0269"}
    assert "avoid" in item(results, "o-0238").violations
    assert "schedule" in item(results, "o-0193").violations


def test_c0004_education_wanted(rankings) -> None:  # type: ignore[no-untyped-def]
    results = rankings["c-0004"]
    assert {r.opening_id for r in results[:3]} >= {"o-0020", "o-0283"}
    assert "kind" in item(results, "o-0293").violations


def test_c0005_expired_opening_left_out(rankings) -> None:  # type: ignore[no-untyped-def]
    results = rankings["c-0005"]
    assert "o-0028" not in {r.opening_id for r in results}
    assert position(results, "o-0077") <= 3
    assert item(results, "o-0077").requirement_gaps == []
