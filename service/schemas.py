"""Pydantic models at the API's edges, beside the contract's own (`matcher.records`)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from matcher.records import Contact, Location, ViolationCode


def _as_utc(value: datetime) -> datetime:
    # The store writes UTC; SQLite hands it back without a zone, PostgreSQL with one.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


# A time in UTC, with its zone in the JSON on every store ("...Z").
UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]

Role = Literal["consultant", "job_developer", "analyst", "admin"]
Stage = Literal["contacted", "interview", "hired", "ended"]


class Problem(BaseModel):
    """One thing wrong with the input: where (line, record, field) and what."""

    line: int | None = None
    record_id: str | None = None
    field: str
    message: str


class ProblemReport(BaseModel):
    detail: str
    problems: list[Problem]


class Message(BaseModel):
    detail: str


# ------------------------------------------------------------------------ users


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    role: Role


class UserOut(BaseModel):
    id: int
    name: str
    role: Role
    active: bool
    created_at: UtcDatetime


class UserWithToken(UserOut):
    token: str = Field(description="Shown once; only its hash is stored.")


class CaseloadMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_user_id: int = Field(description="The active consultant who takes the caseload over.")


class CaseloadMoved(BaseModel):
    from_user_id: int
    to_user_id: int
    moved: int


# -------------------------------------------------------------------- employers


class Employer(BaseModel):
    """An employer a job developer keeps; unknown fields are kept."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=200)
    name: str | None = Field(default=None, description="Defaults to the id.")
    industry: str | None = None
    description: str | None = Field(
        default=None, description="What the employer does; matched against wishes."
    )
    location: Location | None = None


# --------------------------------------------------------------------- openings


class UploadResult(BaseModel):
    received: int
    created: int
    updated: int
    unchanged_texts: int = Field(description="Openings whose texts were encoded before.")
    employers_created: list[str]
    texts_encoded: int
    catalogue_revision: int


# ------------------------------------------------------------------- candidates


class CandidateSummary(BaseModel):
    id: str
    desired: list[str]
    disclosure: str
    updated_at: UtcDatetime


# ------------------------------------------------------------------- placements


class PlacementIn(BaseModel):
    """An event on one of the consultant's own candidates.

    There is deliberately no free-text field: notes are where health details
    slip in, and placements outlive the candidate (by pseudonym).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    candidate_id: str = Field(min_length=1)
    opening_id: str | None = Field(
        default=None, description="Empty when the job was found without a posted opening."
    )
    employer_id: str | None = Field(
        default=None, description="Needed when no opening is given; else taken from it."
    )
    stage: Stage
    date: dt.date
    hours_per_week: float | None = Field(default=None, ge=0, le=168)

    @field_validator("opening_id", "employer_id")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class PlacementOut(BaseModel):
    id: int
    candidate_id: str
    opening_id: str | None
    employer_id: str
    stage: Stage
    date: dt.date
    hours_per_week: float | None
    recorded_at: UtcDatetime


# -------------------------------------------------------------- recommendations


class SuggestedEmployer(BaseModel):
    rank: int = Field(ge=1)
    employer_id: str
    employer_name: str
    score: float
    preference_fit: float
    competency_fit: float
    violations: list[ViolationCode]
    open_openings: list[str] = Field(description="Its openings open on the date, best first.")
    past_openings: int = Field(description="Its openings in the store that are not open.")
    placements: dict[str, int] = Field(description="Earlier IPS events there, by stage.")
    contact: Contact
    reasons: list[str]


class EmployerSuggestions(BaseModel):
    candidate_id: str
    results: list[SuggestedEmployer]


# ------------------------------------------------------------------------ audit


class AuditOut(BaseModel):
    id: int
    at: UtcDatetime
    user_id: int | None
    action: str
    candidate_pseudonym: str | None
    detail: dict[str, Any]


class EvaluationIn(BaseModel):
    """What to evaluate: `ipsmatch evaluate`'s settings, on the store's placement history."""

    model_config = ConfigDict(extra="forbid")

    cutoff: dt.date | None = Field(
        default=None,
        description="Events before it may be learnt from; queries from it on are evaluated. "
        "Default: the median event date.",
    )
    k: int = Field(default=10, ge=1, le=50, description="Suggestions per query for IPS measures.")
    resamples: int = Field(default=1000, ge=10, le=100_000, description="Bootstrap resamples.")
    permutations: int = Field(
        default=10_000, ge=10, le=1_000_000, description="Sign flips of the paired tests."
    )
    seed: int = Field(default=0, ge=0)


class EvaluationOut(BaseModel):
    id: int
    status: Literal["running", "done", "failed"]
    requested_at: UtcDatetime
    finished_at: UtcDatetime | None
    settings: dict[str, Any]
    error: str | None = None
    report: str | None = Field(
        default=None, description="Where the HTML report is, once the evaluation is done."
    )
    metrics: dict[str, Any] | None = Field(
        default=None,
        description="As `ipsmatch evaluate` writes to metrics.json; only when asked for one "
        "evaluation that is done.",
    )


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
    database: str
    openings: int
    catalogue_revision: int
    encoder: str
