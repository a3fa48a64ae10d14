"""The rule checks: the retrieval's one-array check agrees with the per-code checks."""

from __future__ import annotations

import numpy as np
from builders import candidate, opening
from fakes import FakeEncoder
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.ranker import PreferenceRanker
from matcher.records import KINDS, SCHEDULES
from matcher.rules import breaks_stated, stated_violations

TEXTS = [
    "Nattevagter på lager, tunge løft.",
    "Kontorarbejde i dagtimerne, kundekontakt.",
    "Weekendarbejde i butik.",
    "Pasning af dyr, udendørs.",
    "",
]


def catalogue(seed: int) -> PreferenceRanker:
    rng = np.random.default_rng(seed)
    openings = []
    for i in range(40):
        fields: dict[str, object] = {"kind": str(rng.choice(KINDS))}
        if rng.random() < 0.7:
            low = int(rng.integers(5, 30))
            fields["hours_per_week"] = {"min": low, "max": low + int(rng.integers(0, 15))}
        if rng.random() < 0.6:
            fields["schedule"] = sorted(set(rng.choice(SCHEDULES, int(rng.integers(1, 3)))))
        openings.append(opening(f"o-{i}", "Job", str(rng.choice(TEXTS)), **fields))
    return PreferenceRanker(FakeEncoder()).fit(openings)


RANKERS = [catalogue(seed) for seed in range(3)]


@settings(max_examples=40, deadline=None)
@given(
    which=st.integers(0, len(RANKERS) - 1),
    avoid=st.lists(st.sampled_from(["nattevagter", "tunge løft", "kundekontakt", "weekend"])),
    hours=st.none() | st.tuples(st.integers(0, 30), st.integers(0, 20)),
    schedule=st.lists(st.sampled_from(SCHEDULES), max_size=2, unique=True),
    kinds=st.lists(st.sampled_from(KINDS), min_size=1, unique=True),
)
def test_breaks_stated_is_any_stated_violation(
    which: int,
    avoid: list[str],
    hours: tuple[int, int] | None,
    schedule: list[str],
    kinds: list[str],
) -> None:
    ranker = RANKERS[which]
    fields: dict[str, object] = {"avoid": avoid, "schedule": schedule, "kinds": kinds}
    if hours is not None:
        fields["hours_per_week"] = {"min": hours[0], "max": hours[0] + hours[1]}
    (query,) = ranker.encode_candidates([candidate(["job"], **fields)])
    catalogue = ranker.catalogue_
    rows = np.arange(len(catalogue.openings))[::-1]
    for chosen in (slice(None), rows):
        broken, _ = stated_violations(catalogue, query, chosen)
        expected = np.logical_or.reduce(list(broken.values()))
        assert np.array_equal(breaks_stated(catalogue, query, chosen), expected)
