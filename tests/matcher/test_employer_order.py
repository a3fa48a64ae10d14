"""Known answers for ordering suggested employers by fit, hiring and contact load."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.employer_order import (
    ContactLoad,
    EmployerFit,
    HiringOutlook,
    OrderWeights,
    order_employers,
)
from matcher.reasons import texts

STEADY = HiringOutlook(
    expected_hires=3.0, horizon_months=6, hired_last_year=3, field="warehouse work"
)


def ids(ordered) -> list[str]:  # type: ignore[no-untyped-def]
    return [o.employer_id for o in ordered]


def test_steady_hirer_in_a_wanted_field_outranks_one_without_at_equal_fit() -> None:
    fits = [EmployerFit("e-none", 0.7), EmployerFit("e-steady", 0.7)]
    ordered = order_employers(fits, {"e-steady": STEADY}, {})
    assert ids(ordered) == ["e-steady", "e-none"]
    said = texts(ordered[0].reasons)
    assert "hired 3 people in warehouse work in the last 12 months" in said
    assert any("about 3.0 in warehouse work expected" in r for r in said)
    assert ordered[1].reasons == ()


def test_hiring_does_not_lift_a_poor_fit_over_a_good_one() -> None:
    fits = [EmployerFit("e-good", 0.8), EmployerFit("e-poor", 0.5)]
    busy = HiringOutlook(expected_hires=100.0, horizon_months=6, hired_last_year=90, field="x")
    assert ids(order_employers(fits, {"e-poor": busy}, {})) == ["e-good", "e-poor"]


def test_an_employer_that_breaks_a_wish_stays_below() -> None:
    fits = [EmployerFit("e-broken", 0.9, breaks_wish=True), EmployerFit("e-ok", 0.3)]
    assert ids(order_employers(fits, {"e-broken": STEADY}, {})) == ["e-ok", "e-broken"]


def test_capped_employer_drops_out_after_its_limit() -> None:
    fits = [EmployerFit("e-capped", 0.9), EmployerFit("e-free", 0.6)]
    below = {"e-capped": ContactLoad(1, 28, this_week=1, weekly_limit=2)}
    at = {"e-capped": ContactLoad(2, 28, this_week=2, weekly_limit=2)}
    assert ids(order_employers(fits, {}, below)) == ["e-capped", "e-free"]
    assert ids(order_employers(fits, {}, at)) == ["e-free"]


def test_nobody_is_left_without_suggestions_when_every_employer_is_capped() -> None:
    fits = [EmployerFit("e-1", 0.9), EmployerFit("e-2", 0.6)]
    loads = {e: ContactLoad(3, 28, this_week=3, weekly_limit=3) for e in ("e-1", "e-2")}
    ordered = order_employers(fits, {}, loads)
    assert ids(ordered) == ["e-1", "e-2"]
    assert any("limit of 3 contacts this week" in r for r in texts(ordered[0].reasons))


def test_often_contacted_employer_is_lowered_and_says_so() -> None:
    fits = [EmployerFit("e-busy", 0.70), EmployerFit("e-calm", 0.65)]
    loads = {"e-busy": ContactLoad(4, 28)}
    ordered = order_employers(fits, {}, loads)
    assert ids(ordered) == ["e-calm", "e-busy"]
    assert texts(ordered[1].reasons) == [
        "contacted 4 times for other candidates in the last 28 days; placed lower to spread "
        "contacts",
    ]


def test_weights_that_would_overrule_wishes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"field 'hiring' is 0.5; allowed 0 to 0.25"):
        OrderWeights(hiring=0.5)


@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.booleans(), st.floats(0, 20), st.integers(0, 6)),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 4),
)
def test_order_keeps_wishes_first_and_never_empties(rows, limit) -> None:  # type: ignore[no-untyped-def]
    fits = [EmployerFit(f"e-{i}", s, b) for i, (s, b, _, _) in enumerate(rows)]
    outlooks = {f"e-{i}": HiringOutlook(h, 6, int(h), "x") for i, (_, _, h, _) in enumerate(rows)}
    loads = {
        f"e-{i}": ContactLoad(c, 28, this_week=c, weekly_limit=limit)
        for i, (_, _, _, c) in enumerate(rows)
    }
    ordered = order_employers(fits, outlooks, loads)
    assert ordered, "suggestions were emptied"
    broken = {f.employer_id for f in fits if f.breaks_wish}
    flags = [o.employer_id in broken for o in ordered]
    assert flags == sorted(flags)
    score = {f.employer_id: f.score for f in fits}
    for item in ordered:
        assert abs(item.adjusted_score - score[item.employer_id]) <= 0.1 + 1e-9
