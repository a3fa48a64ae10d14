"""Pydantic models at the API's edges, beside the contract's own (`matcher.records`)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from matcher.placement_events import PlacementFields
from matcher.records import (
    MAX_ID_CHARS,
    MAX_NAME_CHARS,
    MAX_PHRASE_CHARS,
    MAX_TEXT_CHARS,
    Location,
    UnstorableValue,
    WithReasons,
    check_json_value,
)
from matcher.vocabularies import Channel, Contact, EventStage, Outcome, ViolationCode


def _as_utc(value: datetime) -> datetime:
    # The store writes UTC; SQLite hands it back without a zone, PostgreSQL with one.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


# A time in UTC, with its zone in the JSON on every store ("...Z").
UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]

Role = Literal["consultant", "job_developer", "analyst", "admin"]


class _Checked(BaseModel):
    """An input model whose raw JSON is checked whole first (`matcher.records` limits)."""

    model_config = ConfigDict(allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        try:
            check_json_value(data)
        except UnstorableValue as error:
            raise ValueError(str(error)) from None
        return data


# Row ids and offsets as the stores' integer columns take them; larger ones get 422.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
Offset = Annotated[int, Query(ge=0, le=MAX_ROW_ID)]


class Problem(BaseModel):
    """One thing wrong with the input: where (line, record, field) and what."""

    line: int | None = None
    record_id: str | None = None
    field: str
    message: str


class ProblemReport(BaseModel):
    """A 422: what is wrong, and (for a record or file) each problem by line and field."""

    detail: str
    problems: list[Problem] = Field(default_factory=list)
    source: str | None = Field(default=None, description="The file the problems are in.")


class Message(BaseModel):
    detail: str


# ------------------------------------------------------------------------ users


class UserCreate(_Checked):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    role: Role
    lifetime_days: float | None = Field(
        default=None,
        gt=0,
        le=3650,
        description="Days the token works; default: the service's IPSMATCH_TOKEN_LIFETIME_DAYS.",
    )
    team: str | None = Field(
        default=None, max_length=100, description="The consultant's team, for IPS figures."
    )


class UserOut(BaseModel):
    id: int
    name: str
    role: Role
    active: bool
    created_at: UtcDatetime
    team: str | None = None


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


class Employer(_Checked):
    """An employer a job developer keeps; unknown fields are kept."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True, allow_inf_nan=False)

    id: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    name: str | None = Field(
        default=None, max_length=MAX_NAME_CHARS, description="Defaults to the id."
    )
    industry: str | None = Field(default=None, max_length=MAX_PHRASE_CHARS)
    description: str | None = Field(
        default=None,
        max_length=MAX_TEXT_CHARS,
        description="What the employer does; matched against wishes.",
    )
    location: Location | None = None
    contact_limit_per_week: int | None = Field(
        default=None,
        ge=1,
        description="Contacts the employer accepts a week; suggestions leave it out once reached.",
    )


# ----------------------------------------------------------- employer contacts


class EmployerContactIn(_Checked):
    """A contact with an employer, by a consultant or job developer.

    `candidate_id` names a person on the caller's own caseload the contact was
    for: only with their consent to disclosure (``disclosure: "yes"``), since
    speaking to an employer for them tells the employer of the condition.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    employer_id: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    date: dt.date
    channel: Channel
    outcome: Outcome
    candidate_id: str | None = Field(
        default=None, max_length=MAX_ID_CHARS, description="Only for your own caseload."
    )
    in_wanted_field: bool | None = Field(
        default=None,
        description="Whether the employer works in a field the person wants; worked out from "
        "occupation codes when not given.",
    )
    note: str | None = Field(
        default=None,
        max_length=2000,
        description="For colleagues; never exported, never in figures. No health details.",
    )

    @field_validator("candidate_id", "note")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class EmployerContactOut(BaseModel):
    id: int
    employer_id: str
    date: dt.date
    channel: Channel
    outcome: Outcome
    recorded_by: str | None = Field(description="The user's name; None if since removed.")
    for_candidate: bool
    candidate_id: str | None = Field(description="Shown only to the person's own consultant.")
    in_wanted_field: bool | None
    note: str | None
    recorded_at: UtcDatetime


class EmployerRelationship(BaseModel):
    """An employer's contacts over time, newest first, with counts by outcome and month."""

    employer_id: str
    contacts: list[EmployerContactOut]
    by_outcome: dict[str, int]
    by_month: dict[str, int]
    contact_limit_per_week: int | None
    contacts_this_week: int


# ----------------------------------------------------------------------- alerts


class AlertOut(BaseModel):
    id: int
    candidate_id: str
    opening_id: str
    employer_id: str | None
    title: str | None
    score: float
    preference_fit: float
    reasons: list[str]
    status: Literal["new", "dismissed", "hidden"]
    created_at: UtcDatetime


# --------------------------------------------------------------------- openings


class UploadResult(BaseModel):
    received: int
    created: int
    updated: int
    unchanged_texts: int = Field(description="Openings whose texts were encoded before.")
    employers_created: list[str]
    texts_encoded: int
    catalogue_revision: int


class UploadAccepted(BaseModel):
    """A file stored whole; its openings are being encoded and indexed in the background."""

    upload_id: int
    status: str = Field(description="'queued' until a worker takes the job.")
    progress: str = Field(description="Where to follow the job: GET this path.")
    received: int
    created: int
    updated: int
    employers_created: list[str]
    catalogue_revision: int


class UploadProblem(BaseModel):
    opening_id: str | None = Field(
        default=None, description="The opening the encoder failed on; none for the whole job."
    )
    message: str


class UploadProgress(BaseModel):
    """Where a background upload stands. Openings are rankable as soon as they are indexed."""

    id: int
    filename: str
    uploaded_by: int | None
    status: str = Field(description="'queued', 'running', 'done' or 'failed'.")
    total: int = Field(description="Openings in the file.")
    indexed: int = Field(description="Openings encoded and indexed: rankable now.")
    failed: int = Field(description="Openings the encoder failed on (see `errors`); not ranked.")
    remaining: int
    texts_encoded: int = Field(description="Texts encoded so far (texts seen before are reused).")
    created: int
    updated: int
    employers_created: int
    rate_per_s: float | None = Field(description="Openings indexed per second of work.")
    expected_finish: UtcDatetime | None = Field(
        description="When the job should be done at the current rate (running jobs only)."
    )
    errors: list[UploadProblem]
    created_at: UtcDatetime
    started_at: UtcDatetime | None
    finished_at: UtcDatetime | None


# ------------------------------------------------------------------- candidates


class CandidateSummary(BaseModel):
    id: str
    desired: list[str]
    disclosure: str
    updated_at: UtcDatetime


# ------------------------------------------------------------------- placements


class PlacementIn(PlacementFields, _Checked):
    """An event on one of the consultant's own candidates.

    Its fields and rules are the contract's (`matcher.placement_events.PlacementFields`,
    shared with the history's CSV), so what the service stores the evaluation
    reads. ``ended`` marks the last day of a hire as an event of its own.
    There is deliberately no free-text field: notes are where health details
    slip in, and placements outlive the candidate (by pseudonym).
    """

    stage: EventStage
    employer_id: str | None = Field(
        default=None,
        max_length=MAX_ID_CHARS,
        description="Needed when no opening is given; else taken from it.",
    )

    @field_validator("employer_id")
    @classmethod
    def _no_blank_employer(cls, value: str | None) -> str | None:
        return value or None


class PlacementOut(BaseModel):
    id: int
    candidate_id: str
    opening_id: str | None
    employer_id: str
    stage: EventStage
    date: dt.date
    hours_per_week: float | None
    recorded_at: UtcDatetime


class PlacementUploadResult(BaseModel):
    received: int = Field(description="Rows of the file.")
    stored: int = Field(description="Events stored: a row with `ended` is two (hired, ended).")
    candidates: int = Field(description="Candidates the events are about.")


# -------------------------------------------------------------- recommendations


class SuggestedEmployer(WithReasons):
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


class EvaluationIn(_Checked):
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
    seed: int = Field(default=0, ge=0, le=2**32 - 1)


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
    """Anonymous callers get `status` only; a caller with a token gets the rest too."""

    status: Literal["ok"]
    version: str | None = None
    database: str | None = None
    openings: int | None = None
    catalogue_revision: int | None = None
    encoder: str | None = None
