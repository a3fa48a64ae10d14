"""Placement events: one model for a row of the history's CSV and the service's events.

`PlacementRecord` validates a row of the placement history
(`data/contract/README.md`) wherever it comes from: `ipsmatch evaluate`,
`POST /placements/bulk`; the service's single-event model derives from
`PlacementFields`, so the service cannot store what the evaluation refuses.
Events have fixed fields and no free text, so an unknown field is refused (a
note is where health details slip in).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from matcher.records import MAX_ID_CHARS
from matcher.vocabularies import STAGES, Stage

# `date` is also a field name of the placement models; the alias keeps the type nameable there.
Day = date

# The history CSV's columns in the contract's order: the evaluation reads and writes them, the
# service exports them.
PLACEMENT_COLUMNS: tuple[str, ...] = (
    "candidate_id",
    "opening_id",
    "employer_id",
    "stage",
    "date",
    "ended",
    "hours_per_week",
)


def _iso_date(value: Any) -> Any:
    # The CSV's dates come as text; name the expected form rather than pydantic's wording.
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO date such as 2026-11-22") from None
    return value


class PlacementFields(BaseModel):
    """The fields and rules every placement event shares, in files and in the service.

    `PlacementRecord` (a row of the history's CSV) and the service's own event
    model both derive from it, so the service cannot store what the
    evaluation refuses: weekly hours belong to a hire only, whatever the path.
    A hire may be dated ahead of today (a planned start).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    candidate_id: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    opening_id: str | None = Field(
        default=None,
        max_length=MAX_ID_CHARS,
        description="Empty where the job was found without a posted opening.",
    )
    stage: str
    date: Day = Field(description="When the stage was reached (ISO 8601).")
    hours_per_week: float | None = Field(
        default=None, ge=0, le=168, description="For `hired` only: the agreed weekly hours."
    )

    @field_validator("opening_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        return _iso_date(value)

    @field_validator("hours_per_week", mode="before")
    @classmethod
    def _hours_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            try:
                hours = float(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a number of hours from 0 to 168") from None
            if not 0 <= hours <= 168:  # also refuses nan
                raise ValueError(f"{text!r} is not a number of hours from 0 to 168")
            return hours
        return value

    @field_validator("hours_per_week")
    @classmethod
    def _hours_only_when_hired(cls, value: float | None, info: ValidationInfo) -> float | None:
        return _only_when_hired(value, info)


def _only_when_hired(value: Any, info: ValidationInfo) -> Any:
    stage = info.data.get("stage")
    if value is not None and stage is not None and stage != "hired":
        raise ValueError(
            f"is only for stage 'hired', not {stage!r}; leave it empty for "
            f"{stage!r} (stages that take it: hired)"
        )
    return value


class PlacementRecord(PlacementFields):
    """One row of the placement history (the contract's CSV)."""

    # The cross-field rules, stated in the JSON Schema too (`matcher.contract`).
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"stage": {"not": {"const": "hired"}}}},
            "then": {"properties": {"hours_per_week": {"type": "null"}, "ended": {"type": "null"}}},
        }
    )

    employer_id: str = Field(min_length=1)
    stage: Stage
    ended: Day | None = Field(
        default=None, description="For `hired` only: the last day of employment."
    )

    @field_validator("stage", mode="before")
    @classmethod
    def _known_stage(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() and value.strip() not in STAGES:
            raise ValueError(f"unknown stage {value.strip()!r}; allowed: {', '.join(STAGES)}")
        return value

    @field_validator("ended", mode="before")
    @classmethod
    def _ended_text(cls, value: Any) -> Any:
        return _iso_date(value)

    @field_validator("ended")
    @classmethod
    def _ended_after_hire(cls, value: Day | None, info: ValidationInfo) -> Day | None:
        _only_when_hired(value, info)
        hired = info.data.get("date")
        if value is not None and hired is not None and value < hired:
            raise ValueError(f"{value} is before the hire date {hired}")
        return value
