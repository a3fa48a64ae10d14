"""Placement events: one set of rules for the history's rows and the service's events."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from matcher.placement_events import PlacementRecord


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        (
            {"stage": "interview", "hours_per_week": "15"},
            "hours_per_week",
            "only for stage 'hired'",
        ),
        ({"stage": "contacted", "ended": "2026-03-01"}, "ended", "only for stage 'hired'"),
        ({"stage": "hired", "ended": "2026-01-01"}, "ended", "before the hire date"),
        ({"stage": "hire"}, "stage", "allowed: contacted, interview, hired"),
    ],
)
def test_placement_rows_follow_one_set_of_rules(row: dict, field: str, words: str) -> None:  # type: ignore[type-arg]
    base = {"candidate_id": "c-1", "employer_id": "e-1", "date": "2026-02-01"}
    with pytest.raises(ValidationError) as caught:
        PlacementRecord.model_validate(base | row)
    (error,) = caught.value.errors()
    assert error["loc"] == (field,) and words in error["msg"]


def test_a_hire_may_be_planned_ahead() -> None:
    ahead = date.today().replace(year=date.today().year + 1).isoformat()
    record = PlacementRecord.model_validate(
        {"candidate_id": "c-1", "employer_id": "e-1", "stage": "hired", "date": ahead}
    )
    assert record.date.isoformat() == ahead
