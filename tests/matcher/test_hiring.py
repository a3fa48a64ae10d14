"""Known answers for the hiring estimate and its capture curve."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from builders import opening
from hypothesis import given
from hypothesis import strategies as st

from matcher.hiring import (
    ContactOutcome,
    Hire,
    HiringEstimator,
    HiringHistory,
    Posting,
    capture_curve,
    group_of,
    hires_between,
    occupation_group,
    recent_hires,
)

CUTOFF = date(2026, 1, 1)


def steady_history(months: int = 30) -> HiringHistory:
    """'e-steady' hires one warehouse worker a month; 'e-once' hired once, long ago."""
    start = CUTOFF - timedelta(days=30 * months)
    hires = [Hire("e-steady", "9321", start + timedelta(days=30 * m)) for m in range(months)]
    hires.append(Hire("e-once", "9321", start + timedelta(days=10)))
    postings = [Posting("e-steady", "9321", start + timedelta(days=30 * m)) for m in range(months)]
    postings.append(Posting("e-quiet", "9321", start + timedelta(days=20)))
    # Employers that post now and then and never hire: what most of a market looks like.
    for i in range(60):
        postings.extend(
            Posting(f"e-poster-{i}", "5164", start + timedelta(days=45 * m + i)) for m in range(20)
        )
    return HiringHistory(postings=postings, hires=hires)


def test_occupation_group_is_unit_group_else_industry() -> None:
    assert occupation_group(opening("o-1", "Lager", occupation="932100")) == "9321"
    assert occupation_group(opening("o-2", "Lager", industry=" Lager ")) == "lager"
    assert occupation_group(opening("o-3", "Lager")) == "unknown"
    # As stored: a code may be a number, an industry blank.
    assert group_of(932100, None) == "9321"
    assert group_of(None, "  ") == "unknown"


def test_steady_hirer_is_expected_to_hire_about_its_rate() -> None:
    estimator = HiringEstimator().fit(steady_history(), CUTOFF)
    assert estimator.model_ is not None
    estimates = estimator.predict()
    steady = estimates.expected[("e-steady", "9321")]
    # One a month for six months: the fitted count is near 6, the others near 0.
    assert 4.0 < steady < 8.0
    assert estimates.expected[("e-once", "9321")] < 0.5
    assert estimates.expected[("e-quiet", "9321")] < 0.5
    assert estimates.hired_last_year[("e-steady", "9321")] == 12
    assert ("e-quiet", "9321") not in estimates.hired_last_year


def test_too_little_history_falls_back_to_last_years_rate() -> None:
    history = HiringHistory(
        hires=[Hire("e-1", "9321", CUTOFF - timedelta(days=d)) for d in (10, 100, 300, 400)]
    )
    estimator = HiringEstimator().fit(history, CUTOFF)
    assert estimator.model_ is None
    assert estimator.predict().expected == {("e-1", "9321"): pytest.approx(3 * 182 / 365)}


def test_fit_never_sees_events_after_the_cutoff() -> None:
    history = steady_history()
    later = HiringHistory(
        postings=history.postings,
        hires=[
            *history.hires,
            *(Hire("e-quiet", "9321", CUTOFF + timedelta(days=d)) for d in range(50)),
        ],
    )
    before = HiringEstimator().fit(history, CUTOFF).predict()
    after = HiringEstimator().fit(later, CUTOFF).predict()
    assert before.expected == pytest.approx(after.expected)


def test_promising_contacts_raise_the_estimate() -> None:
    history = steady_history()
    contacts = [
        ContactOutcome("e-steady", CUTOFF - timedelta(days=d), "open_to_trial")
        for d in range(200, 700, 20)
    ]
    plain = HiringEstimator().fit(history, CUTOFF)
    told = HiringEstimator().fit(HiringHistory(history.postings, history.hires, contacts), CUTOFF)
    assert plain.get_params() == told.get_params()
    assert told.predict().expected[("e-steady", "9321")] > 0


def test_unknown_outcome_is_refused_with_allowed_values() -> None:
    with pytest.raises(ValueError, match=r"'outcome' is 'maybe'; allowed: no_need_now"):
        HiringHistory(contacts=[ContactOutcome("e-1", CUTOFF, "maybe")])


def test_predict_before_fit_is_refused() -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        HiringEstimator().predict()


def test_capture_curve_known_answer() -> None:
    employers = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
    scores = {"a": 5.0, "b": 4.0, "c": 3.0}
    later = {"a": 6, "b": 2, "j": 2}
    curve = capture_curve(scores, later, employers, shares=(0.1, 0.2, 0.5))
    assert curve[0.1] == pytest.approx(0.6)
    assert curve[0.2] == pytest.approx(0.8)
    # Top 5: a, b, c and two of the seven tied at 0, which hold 2 hires between them.
    assert curve[0.5] == pytest.approx((8 + 2 * 2 / 7) / 10)


def test_capture_curve_without_later_hires_is_nan() -> None:
    assert math.isnan(capture_curve({}, {}, ["a"])[0.1])


def test_baseline_and_later_hires_count_their_windows() -> None:
    history = steady_history()
    recent = recent_hires(history, CUTOFF)
    assert recent == {"e-steady": 6.0}
    assert hires_between(history, CUTOFF - timedelta(days=60), CUTOFF) == {"e-steady": 2}


@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.floats(0, 10), max_size=8),
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 5), min_size=1, max_size=8),
)
def test_capture_curve_is_a_rising_share(scores: dict[str, float], later: dict[str, int]) -> None:
    employers = list("abcdefgh")
    curve = capture_curve(scores, later, employers, shares=(0.1, 0.2, 0.5, 1.0))
    if sum(later.values()) == 0:
        return
    values = [curve[s] for s in (0.1, 0.2, 0.5, 1.0)]
    assert all(0 <= v <= 1 + 1e-9 for v in values)
    assert values == sorted(values)
    assert values[-1] == pytest.approx(1.0)
