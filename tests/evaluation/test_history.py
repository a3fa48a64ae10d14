from __future__ import annotations

from datetime import date, timedelta

from evaluation_builders import SmallHistory, event, make_candidate, make_opening
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.history import Catalogue, build_queries, month_windows, observed_until
from evaluation.profiles import ProfileHistory


def test_one_query_per_day_of_a_first_mention(small_history: SmallHistory) -> None:
    result = build_queries(
        small_history.placements,
        small_history.profiles,
        small_history.catalogue,
        known_until=date(2025, 6, 1),
    )
    assert [q.qid for q in result.queries] == [
        "c-1@2025-02-03",
        "c-1@2025-03-10",
        "c-2@2025-02-05",
    ]


def test_no_look_ahead_in_grades_or_profiles(small_history: SmallHistory) -> None:
    catalogue = small_history.catalogue
    queries = build_queries(
        small_history.placements,
        small_history.profiles,
        catalogue,
        known_until=date(2025, 6, 1),
    ).queries
    first, second, _ = queries
    ids = catalogue.ids
    # Hired on 2025-02-20 and still employed on 2025-06-01, more than 90 days on: grade 3.
    assert {ids[row]: grade for row, grade in first.grades.items()} == {"o-dyr": 3.0}
    # o-lager2 (posted 2025-02-15) is contacted later but was not open on 2025-02-03.
    assert "o-lager2" not in {ids[row] for row in first.grades}
    # The profile of 2025-02-03 is the first version; the change of 2025-03-01 is not used.
    assert first.profile.valid_from is None
    assert first.profile.candidate.preferences.desired == ["dyrepasser", "hunde"]
    assert second.profile.valid_from == date(2025, 3, 1)
    # By 2025-03-10 the person already knows o-dyr: it is neither ranked nor graded.
    assert catalogue.index["o-dyr"] in second.seen
    assert {ids[row] for row in second.grades} == {"o-lager2"}


def test_training_queries_are_graded_only_on_what_was_known(small_history: SmallHistory) -> None:
    cutoff = date(2025, 3, 1)
    queries = build_queries(
        small_history.placements,
        small_history.profiles,
        small_history.catalogue,
        end=cutoff,
        known_until=cutoff - timedelta(days=1),
    ).queries
    assert [q.qid for q in queries] == ["c-1@2025-02-03", "c-2@2025-02-05"]
    # The hire of 2025-02-20 has not yet lasted 90 days on 2025-02-28: grade 2, not 3.
    assert list(queries[0].grades.values()) == [2.0]


def test_moments_with_nothing_open_or_no_profile_are_counted_not_asked() -> None:
    openings = [make_opening("o-1", "Lager", "2025-01-01", "2025-01-31")]
    profiles = ProfileHistory.of([make_candidate("c-1", ["lager"])])
    # Contacted after the opening expired: nothing open to rank on that day.
    late = build_queries(
        [event("c-1", "o-1", "contacted", "2025-02-10")],
        profiles,
        Catalogue(openings),
        known_until=date(2025, 3, 1),
    )
    assert len(late) == 0 and late.skipped_nothing_open == 1
    from evaluation.profiles import ProfileVersion

    dated = ProfileHistory.of(
        [ProfileVersion(make_candidate("c-1", ["lager"]), valid_from=date(2025, 1, 20))]
    )
    early = build_queries(
        [event("c-1", "o-1", "contacted", "2025-01-10")],
        dated,
        Catalogue(openings),
        known_until=date(2025, 3, 1),
    )
    assert len(early) == 0 and early.skipped_no_profile == 1


def test_observed_until_counts_end_dates(small_history: SmallHistory) -> None:
    history = [
        *small_history.placements,
        event("c-3", "o-1", "hired", "2025-01-01", ended="2025-08-01"),
    ]
    assert observed_until(history) == date(2025, 8, 1)


def test_month_windows_group_and_order_queries(small_history: SmallHistory) -> None:
    queries = build_queries(
        small_history.placements,
        small_history.profiles,
        small_history.catalogue,
        known_until=date(2025, 6, 1),
    ).queries
    windows = month_windows(queries)
    assert [(first, last, [q.qid for q in members]) for first, last, members in windows] == [
        (date(2025, 2, 1), date(2025, 2, 28), ["c-1@2025-02-03", "c-2@2025-02-05"]),
        (date(2025, 3, 1), date(2025, 3, 31), ["c-1@2025-03-10"]),
    ]


DAYS = st.integers(min_value=0, max_value=120)


@st.composite
def histories(draw: st.DrawFn) -> tuple[Catalogue, ProfileHistory, list]:
    start = date(2025, 1, 1)
    openings = []
    for i in range(draw(st.integers(1, 6))):
        posted = draw(DAYS)
        openings.append(
            make_opening(
                f"o-{i}",
                "Lager",
                (start + timedelta(days=posted)).isoformat(),
                (start + timedelta(days=posted + draw(st.integers(0, 60)))).isoformat(),
            )
        )
    versions = []
    from evaluation.profiles import ProfileVersion

    for c in range(draw(st.integers(1, 3))):
        versions.append(ProfileVersion(make_candidate(f"c-{c}", ["lager"])))
        if draw(st.booleans()):
            versions.append(
                ProfileVersion(
                    make_candidate(f"c-{c}", ["dyr"]),
                    valid_from=start + timedelta(days=draw(DAYS)),
                )
            )
    stages = ["contacted", "interview", "hired"]
    events = [
        event(
            f"c-{draw(st.integers(0, len({v.candidate.id for v in versions}) - 1))}",
            f"o-{draw(st.integers(0, len(openings) - 1))}",
            draw(st.sampled_from(stages)),
            (start + timedelta(days=draw(DAYS))).isoformat(),
        )
        for _ in range(draw(st.integers(0, 12)))
    ]
    return Catalogue(openings), ProfileHistory.of(versions), events


@settings(max_examples=60, deadline=None)
@given(histories())
def test_every_graded_opening_was_open_unseen_and_acted_on_later(history: tuple) -> None:
    catalogue, profiles, events = history
    for query in build_queries(events, profiles, catalogue, known_until=date(2025, 12, 31)).queries:
        today = query.day.toordinal()
        assert query.grades, "a query always has something to find"
        for row, grade in query.grades.items():
            assert catalogue.posted[row] <= today <= catalogue.expires[row]
            assert row not in query.seen
            assert grade in (0.5, 1.0, 2.0, 3.0)
            assert any(
                e.opening_id == catalogue.ids[row] and e.date >= query.day
                for e in events
                if e.candidate_id == query.candidate_id
            )
        valid_from = query.profile.valid_from
        assert valid_from is None or valid_from <= query.day
        later = [
            v.valid_from
            for v in profiles.versions[query.candidate_id]
            if v.valid_from and v.valid_from <= query.day
        ]
        assert valid_from == (max(later) if later else None)
