from __future__ import annotations

from datetime import date

import numpy as np
from evaluation_builders import event, make_candidate, make_opening
from fakes import FakeEncoder
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.checks import PreferenceChecker
from evaluation.history import Catalogue, Query
from evaluation.profiles import ProfileVersion
from evaluation.systems import (
    CompetencyFirstSystem,
    EmbeddingSystem,
    IpsmatchSystem,
    LexicalSystem,
    PopularitySystem,
    RandomSystem,
    SharedVectors,
    TrainingData,
    WishEmbeddingSystem,
    profile_text,
    top_k,
)
from matcher.encoders import CachedEncoder
from matcher.engine import Engine, Imports, build_engine

OPENINGS = [
    make_opening(
        "o-1",
        "Dyrepasser",
        "2025-01-01",
        "2025-12-31",
        employer_id="e-zoo",
        description="Pasning af hunde og katte.",
    ),
    make_opening(
        "o-2",
        "Lagermedarbejder",
        "2025-01-01",
        "2025-12-31",
        employer_id="e-lager",
        description="Pluk og pak af ordrer.",
    ),
    make_opening(
        "o-3",
        "Køkkenmedhjælper",
        "2025-01-01",
        "2025-12-31",
        employer_id="e-kok",
        description="Opvask og madlavning.",
    ),
    make_opening(
        "o-4",
        "Lagerassistent",
        "2025-01-01",
        "2025-12-31",
        employer_id="e-lager",
        description="Vareindlevering på lageret.",
    ),
]
CATALOGUE = Catalogue(OPENINGS)
ROWS = np.arange(len(OPENINGS))


def query(candidate_id: str = "c-1", desired: list[str] | None = None, **fields: object) -> Query:
    candidate = make_candidate(candidate_id, desired or ["dyrepasser"], **fields)
    return Query(
        qid=f"{candidate_id}@2025-03-01",
        candidate_id=candidate_id,
        day=date(2025, 3, 1),
        profile=ProfileVersion(candidate),
        seen=frozenset(),
        grades={0: 1.0},
    )


def training(*events: object) -> TrainingData:
    return TrainingData(CATALOGUE, list(events), date(2025, 2, 1))  # type: ignore[arg-type]


def names(rows: np.ndarray) -> list[str]:
    return [str(CATALOGUE.ids[r]) for r in rows]


def test_random_is_seeded_by_query_and_seed() -> None:
    system = RandomSystem(seed=1).fit(training())
    q = query()
    first = system.rank(q, ROWS, 4).openings
    assert sorted(first.tolist()) == [0, 1, 2, 3]
    assert system.rank(q, ROWS, 4).openings.tolist() == first.tolist()
    others = {tuple(RandomSystem(seed=s).rank(q, ROWS, 4).openings.tolist()) for s in range(8)}
    assert len(others) > 1


def test_popularity_counts_hires_before_the_cutoff_only() -> None:
    system = PopularitySystem().fit(
        training(
            event("c-1", "o-2", "hired", "2025-01-10", employer_id="e-lager"),
            event("c-2", "o-3", "interview", "2025-01-12", employer_id="e-kok"),
            event("c-3", "o-3", "interview", "2025-01-13", employer_id="e-kok"),
            # After the cutoff: must not count, though it is a hire.
            event("c-4", "o-1", "hired", "2025-02-10", employer_id="e-zoo"),
            event("c-5", "o-1", "hired", "2025-02-11", employer_id="e-zoo"),
        )
    )
    ranked = names(system.rank(query(), ROWS, 4).openings)
    assert ranked == ["o-2", "o-4", "o-3", "o-1"]  # e-lager's hire, then e-kok's interviews


def test_lexical_matches_words_of_the_profile() -> None:
    system = LexicalSystem().fit(training())
    system.prepare([query(desired=["lagermedarbejder"])])
    assert names(system.rank(query(desired=["lagermedarbejder"]), ROWS, 2).openings)[0] == "o-2"


def test_embedding_uses_one_vector_of_the_whole_profile(fake_cached_encoder: CachedEncoder) -> None:
    shared = SharedVectors(build_engine(encoder=fake_cached_encoder), CATALOGUE)
    system = EmbeddingSystem(shared).fit(training())
    q = query(desired=["køkkenmedhjælper", "opvask"])
    system.prepare([q])
    assert names(system.rank(q, ROWS, 1).openings) == ["o-3"]
    assert profile_text(q.profile.candidate) == "køkkenmedhjælper. opvask"


def test_competency_first_puts_past_work_before_wishes(fake_cached_encoder: CachedEncoder) -> None:
    shared = SharedVectors(build_engine(encoder=fake_cached_encoder), CATALOGUE)
    system = CompetencyFirstSystem(shared, PreferenceChecker(CATALOGUE)).fit(training())
    q = query(
        desired=["dyrepasser"],
        competencies={"experience": [{"title": "lagermedarbejder", "description": "pluk og pak"}]},
    )
    system.prepare([q])
    assert names(system.rank(q, ROWS, 4).openings)[0] == "o-2"
    # Without competencies the wishes decide.
    plain = query("c-2", desired=["dyrepasser"])
    system.prepare([plain])
    assert names(system.rank(plain, ROWS, 1).openings) == ["o-1"]


def test_competency_first_sinks_openings_that_break_a_stated_preference(
    fake_cached_encoder: CachedEncoder,
) -> None:
    shared = SharedVectors(build_engine(encoder=fake_cached_encoder), CATALOGUE)
    system = CompetencyFirstSystem(shared, PreferenceChecker(CATALOGUE)).fit(training())
    q = query(
        desired=["dyrepasser"],
        preferences={"avoid": ["pluk og pak"]},
        competencies={"experience": [{"title": "lagermedarbejder", "description": "pluk og pak"}]},
    )
    system.prepare([q])
    assert names(system.rank(q, ROWS, 4).openings)[-1] == "o-2"


def test_wish_embedding_ranks_by_the_wishes_alone_and_sinks_broken_limits(
    fake_cached_encoder: CachedEncoder,
) -> None:
    shared = SharedVectors(build_engine(encoder=fake_cached_encoder), CATALOGUE)
    system = WishEmbeddingSystem(shared, PreferenceChecker(CATALOGUE)).fit(training())
    # Years of warehouse work, which competency-first puts first, count for nothing here.
    q = query(
        desired=["dyrepasser"],
        competencies={"experience": [{"title": "lagermedarbejder", "description": "pluk og pak"}]},
    )
    system.prepare([q])
    assert names(system.rank(q, ROWS, 1).openings) == ["o-1"]
    avoids = query("c-2", desired=["lagermedarbejder"], preferences={"avoid": ["pluk og pak"]})
    system.prepare([avoids])
    assert names(system.rank(avoids, ROWS, 4).openings)[-1] == "o-2"


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-5, 5), min_size=1, max_size=12),
    st.integers(1, 15),
    st.data(),
)
def test_top_k_orders_by_score_and_sinks_flagged(
    scores: list[float], k: int, data: st.DataObject
) -> None:
    rows = np.arange(100, 100 + len(scores))
    sink = np.asarray(
        data.draw(st.lists(st.booleans(), min_size=len(scores), max_size=len(scores)))
    )
    picked = top_k(rows, np.asarray(scores), k, sink)
    assert len(picked) == min(k, len(scores))
    assert len(set(picked.tolist())) == len(picked)
    position = {int(r): i for i, r in enumerate(rows)}
    flags = [bool(sink[position[int(r)]]) for r in picked]
    assert flags == sorted(flags)  # every unflagged row before every flagged one
    for flag in (False, True):
        values = [scores[position[int(r)]] for r, f in zip(picked, flags, strict=True) if f == flag]
        assert values == sorted(values, reverse=True)


POSTCODES = {"2200": (55.6944, 12.5496), "8000": (56.1567, 10.2108)}


def test_ipsmatch_places_postcode_only_records_with_the_postcode_table() -> None:
    year = ("2025-01-01", "2025-12-31")
    near = make_opening("o-near", "Dyrepasser", *year, location={"postcode": "2200"})
    far = make_opening("o-far", "Dyrepasser", *year, location={"postcode": "8000"})
    catalogue = Catalogue([far, near])
    person = make_candidate(
        "c-1", ["dyrepasser"], location={"postcode": "2200"}, preferences={"max_commute_km": 10}
    )
    shared = SharedVectors(
        Engine(CachedEncoder(FakeEncoder()), Imports(postcodes=POSTCODES)), catalogue
    )
    ranker = IpsmatchSystem(shared)._ranker(np.arange(len(catalogue)))
    ranking = ranker.rank(person, k=2, on=date(2025, 6, 1))
    assert [r.opening_id for r in ranking.results] == ["o-near", "o-far"]
    assert ranking.results[1].violations == ["commute"]
    # With no table given, the packaged Danish one places them the same way (never silently off).
    packaged = IpsmatchSystem(SharedVectors(build_engine(encoder=FakeEncoder()), catalogue))
    placed = packaged._ranker(np.arange(len(catalogue))).rank(person, k=2, on=date(2025, 6, 1))
    assert [r.violations for r in placed.results] == [[], ["commute"]]
