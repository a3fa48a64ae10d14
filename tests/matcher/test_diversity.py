"""Known answers for `matcher.diversity.cover_wishes`."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from matcher.diversity import cover_wishes


def test_a_second_wish_within_the_margin_comes_up() -> None:
    score = np.array([0.9, 0.88, 0.86, 0.84, 0.83])
    best_wish = np.array([0, 0, 0, 0, 1])
    fits = np.ones(5, dtype=bool)
    assert cover_wishes(range(5), score, best_wish, fits, 3, 0.1) == [0, 4, 1]


def test_a_second_wish_beyond_the_margin_stays_down() -> None:
    score = np.array([0.9, 0.88, 0.86, 0.5])
    best_wish = np.array([0, 0, 0, 1])
    fits = np.ones(4, dtype=bool)
    assert cover_wishes(range(4), score, best_wish, fits, 3, 0.1) == [0, 1, 2]


def test_an_opening_that_does_not_fit_its_wish_does_not_count_as_showing_it() -> None:
    score = np.array([0.9, 0.88, 0.85])
    best_wish = np.array([0, 0, 1])
    fits = np.array([True, True, False])
    assert cover_wishes(range(3), score, best_wish, fits, 3, 0.1) == [0, 1, 2]


def test_margin_zero_keeps_the_score_order() -> None:
    score = np.array([0.9, 0.9, 0.8])
    best_wish = np.array([0, 0, 1])
    fits = np.ones(3, dtype=bool)
    assert cover_wishes(range(3), score, best_wish, fits, 3, 0.0) == [0, 1, 2]


@given(
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 3), st.booleans()), max_size=30),
    st.integers(1, 12),
    st.floats(0, 0.3),
)
def test_nothing_rises_above_a_better_opening_by_more_than_the_margin(
    rows: list[tuple[float, int, bool]], k: int, margin: float
) -> None:
    rows = sorted(rows, key=lambda r: -r[0])
    score = np.array([r[0] for r in rows])
    best_wish = np.array([r[1] for r in rows], dtype=int)
    fits = np.array([r[2] for r in rows], dtype=bool)
    picked = cover_wishes(range(len(rows)), score, best_wish, fits, k, margin)
    assert len(picked) == min(k, len(rows)) and len(set(picked)) == len(picked)
    for i, above in enumerate(picked):
        assert all(score[above] >= score[below] - margin - 1e-12 for below in picked[i + 1 :])
