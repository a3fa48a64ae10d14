from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from evaluation_builders import SmallHistory

from evaluation.errors import LookAheadError
from evaluation.history import Catalogue, Query, build_queries
from evaluation.replay import replay
from evaluation.systems import (
    IpsmatchSystem,
    RandomSystem,
    SharedVectors,
    Suggestions,
    System,
    TrainingData,
)
from matcher.encoders import CachedEncoder
from matcher.engine import build_engine


class Spy(System):
    """Records what it was offered and answers with everything, in catalogue order."""

    name = "spy"
    label = "spy"

    def __init__(self) -> None:
        self.offered: dict[str, list[int]] = {}
        self.windows: list[list[int]] = []

    def start_window(self, rows: np.ndarray) -> None:
        self.windows.append(rows.tolist())

    def rank(self, query: Query, rows: np.ndarray, k: int) -> Suggestions:
        self.offered[query.qid] = rows.tolist()
        return Suggestions(openings=rows[:k])


class Cheat(System):
    """Suggests an opening that was not open yet."""

    name = "cheat"
    label = "cheat"

    def __init__(self, row: int) -> None:
        self.row = row

    def rank(self, query: Query, rows: np.ndarray, k: int) -> Suggestions:
        return Suggestions(openings=np.asarray([self.row]))


def queries_of(history: SmallHistory) -> list[Query]:
    return build_queries(
        history.placements, history.profiles, history.catalogue, known_until=date(2025, 6, 1)
    ).queries


def test_systems_are_offered_only_what_was_open_and_unseen(small_history: SmallHistory) -> None:
    catalogue = small_history.catalogue
    spy = Spy()
    replay([spy], queries_of(small_history), catalogue, depth=10)
    names = {qid: sorted(catalogue.ids[r] for r in rows) for qid, rows in spy.offered.items()}
    # 2025-02-03: o-lager2 is not posted yet, o-old expired in January.
    assert names["c-1@2025-02-03"] == ["o-dyr", "o-kok", "o-lager1"]
    # 2025-03-10: o-dyr is known to the person already; o-kok expired on 2025-03-31? no: open.
    assert names["c-1@2025-03-10"] == ["o-kok", "o-lager1", "o-lager2"]
    assert names["c-2@2025-02-05"] == ["o-dyr", "o-kok", "o-lager1"]
    assert len(spy.windows) == 2  # February and March


def test_a_suggestion_from_the_future_stops_the_replay(small_history: SmallHistory) -> None:
    catalogue = small_history.catalogue
    with pytest.raises(LookAheadError, match="not open on 2025-02-03"):
        replay([Cheat(catalogue.index["o-lager2"])], queries_of(small_history), catalogue, 10)


def test_ipsmatch_ranks_by_the_profile_of_the_day(
    small_history: SmallHistory, fake_cached_encoder: CachedEncoder
) -> None:
    catalogue = small_history.catalogue
    shared = SharedVectors(build_engine(encoder=fake_cached_encoder), catalogue)
    system = IpsmatchSystem(shared).fit(
        TrainingData(catalogue, small_history.placements, date(2025, 1, 1))
    )
    result = replay([system, RandomSystem()], queries_of(small_history), catalogue, depth=10)
    first, second, kitchen = (
        [catalogue.ids[r] for r in answer.openings] for answer in result.suggestions["ipsmatch"]
    )
    assert first[0] == "o-dyr"  # the animal job, for the animal wish of February
    assert "o-lager2" not in first  # not yet posted
    assert second[0] in {"o-lager1", "o-lager2"}  # the warehouse wish of the March version
    assert "o-dyr" not in second  # already known
    assert kitchen[0] == "o-kok"
    contacts = result.suggestions["ipsmatch"][0].contacts
    assert contacts is not None and set(contacts) == {"consultant"}  # c-1 disclosed
    assert set(result.suggestions["ipsmatch"][2].contacts or []) == {"self"}


def test_names_must_differ(small_history: SmallHistory) -> None:
    with pytest.raises(ValueError, match="must differ"):
        replay([Spy(), Spy()], queries_of(small_history), Catalogue(small_history.openings), 5)
