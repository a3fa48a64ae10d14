"""The records of the contract (`data/contract/README.md`): candidates, openings,
rankings. (Placement events: `matcher.placement_events`.)

Unknown fields are kept (``extra="allow"``) so that nothing a user stores is
lost, but the engine reads only the fields named here. The candidate's
``health`` field is stored for the consultant and read by nothing in the
engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from matcher.errors import FieldProblem, RecordValidationError
from matcher.vocabularies import (
    GAP_CODES,
    KINDS,
    SCHEDULES,
    VIOLATION_CODES,
    Contact,
    Disclosure,
    GapCode,
    Kind,
    Schedule,
    ViolationCode,
)

# Re-exported: the ranker and older callers import the vocabularies from here.
__all__ = [
    "GAP_CODES",
    "KINDS",
    "SCHEDULES",
    "VIOLATION_CODES",
    "Candidate",
    "Contact",
    "Disclosure",
    "GapCode",
    "Kind",
    "Opening",
    "Ranking",
    "Schedule",
    "ViolationCode",
]


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


def _clean_phrases(values: list[str]) -> list[str]:
    return [v for v in (s.strip() for s in values) if v]


class HoursRange(_Record):
    """Weekly hours; a missing bound is open."""

    min: float | None = Field(default=None, ge=0, le=168)
    max: float | None = Field(default=None, ge=0, le=168)

    @model_validator(mode="after")
    def _ordered(self) -> HoursRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        return self

    def overlaps(self, other: HoursRange) -> bool:
        low = max(self.min or 0.0, other.min or 0.0)
        high = min(
            self.max if self.max is not None else 168.0,
            other.max if other.max is not None else 168.0,
        )
        return low <= high

    def within(self, other: HoursRange) -> bool:
        """Every hour count of this range is acceptable under `other`."""
        low, high = self.min or 0.0, self.max if self.max is not None else 168.0
        other_low = other.min or 0.0
        other_high = other.max if other.max is not None else 168.0
        return other_low <= low and high <= other_high

    def describe(self) -> str:
        if self.min is not None and self.max is not None:
            if self.min == self.max:
                return f"{self.min:g} h/week"
            return f"{self.min:g}-{self.max:g} h/week"
        if self.min is not None:
            return f"at least {self.min:g} h/week"
        if self.max is not None:
            return f"at most {self.max:g} h/week"
        return "any hours"

    @property
    def stated(self) -> bool:
        return self.min is not None or self.max is not None


class Location(_Record):
    """Coordinates, a Danish postcode, or both."""

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    postcode: str | None = None

    @field_validator("postcode", mode="before")
    @classmethod
    def _postcode_text(cls, value: Any) -> Any:
        # Postcodes are identifiers; 2400 and "2400" mean the same place.
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _complete(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both 'lat' and 'lon', or neither")
        if self.lat is None and not self.postcode:
            raise ValueError("give 'lat' and 'lon', or 'postcode'")
        return self

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


def _default_kinds() -> list[Kind]:
    return ["job"]


class Preferences(_Record):
    desired: list[str] = Field(min_length=1)
    avoid: list[str] = Field(default_factory=list)
    occupations: list[str] = Field(default_factory=list)
    hours_per_week: HoursRange | None = None
    schedule: list[Schedule] | None = None
    max_commute_km: float | None = Field(default=None, gt=0)
    kinds: list[Kind] = Field(default_factory=_default_kinds, min_length=1)

    @field_validator("desired")
    @classmethod
    def _desired_not_blank(cls, values: list[str]) -> list[str]:
        cleaned = _clean_phrases(values)
        if not cleaned:
            raise ValueError("needs at least one non-empty wish")
        return cleaned

    @field_validator("avoid", "occupations")
    @classmethod
    def _drop_blank(cls, values: list[str]) -> list[str]:
        return _clean_phrases(values)


class Experience(_Record):
    """A past job: a title, a description or both (people describe work either way)."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["title"]}, {"required": ["description"]}]}
    )

    title: str | None = None
    years: float | None = Field(default=None, ge=0)
    description: str | None = None

    @field_validator("title", "description")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _title_or_description(self) -> Experience:
        if self.title is None and self.description is None:
            raise ValueError("give 'title', 'description' or both")
        return self

    @property
    def text(self) -> str:
        """The job in one phrase: "title: description", or whichever is given."""
        return ": ".join(part for part in (self.title, self.description) if part)


class Competencies(_Record):
    skills: list[str] = Field(default_factory=list)
    experience: list[Experience] = Field(default_factory=list)
    education: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    driving_licence: bool | None = None

    @field_validator("languages")
    @classmethod
    def _iso_639_1(cls, values: list[str]) -> list[str]:
        codes = [v.strip().lower() for v in values]
        bad = [v for v in codes if len(v) != 2 or not v.isalpha()]
        if bad:
            raise ValueError(f"{bad} are not ISO 639-1 two-letter codes such as 'da' or 'en'")
        return codes

    @field_validator("skills", "education")
    @classmethod
    def _drop_blank(cls, values: list[str]) -> list[str]:
        return _clean_phrases(values)


class Candidate(_Record):
    """An IPS career profile."""

    id: str = Field(min_length=1)
    preferences: Preferences
    competencies: Competencies = Field(default_factory=Competencies)
    location: Location | None = None
    disclosure: Disclosure = "no"
    # Kept for the consultant only. The engine never reads this field.
    health: Any = None


class Requirements(_Record):
    skills: list[str] = Field(default_factory=list)
    driving_licence: bool = False
    languages: list[str] = Field(default_factory=list)

    @field_validator("languages")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return Competencies._iso_639_1(values)

    @field_validator("skills")
    @classmethod
    def _drop_blank(cls, values: list[str]) -> list[str]:
        return _clean_phrases(values)


class Opening(_Record):
    """A job or education place."""

    id: str = Field(min_length=1)
    employer_id: str = Field(min_length=1)
    employer_name: str | None = None
    title: str = Field(min_length=1)
    description: str = ""
    occupation: str | None = None
    industry: str | None = None
    kind: Kind = "job"
    hours_per_week: HoursRange | None = None
    schedule: list[Schedule] | None = None
    location: Location | None = None
    requires: Requirements = Field(default_factory=Requirements)
    posted: date | None = None
    expires: date | None = None

    @field_validator("description", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("occupation", mode="before")
    @classmethod
    def _code_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _defaults(self) -> Opening:
        if not self.employer_name:
            self.employer_name = self.employer_id
        if self.posted and self.expires and self.expires < self.posted:
            raise ValueError(f"expires ({self.expires}) is before posted ({self.posted})")
        return self

    def is_open_on(self, day: date) -> bool:
        """Open on `day`: posted by then (when known) and not expired before it."""
        if self.expires is not None and self.expires < day:
            return False
        return not (self.posted is not None and self.posted > day)


class RankedOpening(BaseModel):
    rank: int = Field(ge=1)
    opening_id: str
    employer_id: str
    score: float
    preference_fit: float
    competency_fit: float
    violations: list[ViolationCode] = Field(default_factory=list)
    requirement_gaps: list[GapCode] = Field(default_factory=list)
    contact: Contact
    reasons: list[str] = Field(default_factory=list)


class Ranking(BaseModel):
    candidate_id: str
    results: list[RankedOpening] = Field(default_factory=list)


RecordT = TypeVar("RecordT", bound=BaseModel)


def _problems_from(
    error: ValidationError, line: int | None, record_id: str | None
) -> list[FieldProblem]:
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        message = item["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        problems.append(FieldProblem(line=line, record_id=record_id, field=field, message=message))
    return problems


def parse_records(
    rows: Iterable[tuple[int | None, Any]],
    model: type[RecordT],
    source: str | Path | None = None,
) -> list[RecordT]:
    """Validate `(line, object)` pairs into records, all or nothing.

    Every problem in every row is collected before raising, so one run shows
    the user everything to fix. Duplicate ids are problems too.
    """
    records: list[RecordT] = []
    problems: list[FieldProblem] = []
    first_line_of: dict[str, int | None] = {}
    for line, obj in rows:
        if not isinstance(obj, dict):
            problems.append(
                FieldProblem(line, None, "", f"expected a JSON object, got {type(obj).__name__}")
            )
            continue
        raw_id = obj.get("id")
        record_id = str(raw_id) if raw_id is not None else None
        try:
            record = model.model_validate(obj)
        except ValidationError as error:
            problems.extend(_problems_from(error, line, record_id))
            continue
        if record_id is not None:
            if record_id in first_line_of:
                seen = first_line_of[record_id]
                where = f" (first on line {seen})" if seen is not None else ""
                problems.append(FieldProblem(line, record_id, "id", f"duplicate id{where}"))
                continue
            first_line_of[record_id] = line
        records.append(record)
    if problems:
        raise RecordValidationError(problems, source)
    return records


def _jsonl_rows(path: Path, problems: list[FieldProblem]) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                yield number, json.loads(text)
            except json.JSONDecodeError as error:
                problems.append(
                    FieldProblem(
                        number, None, "", f"not valid JSON ({error.msg}, column {error.colno})"
                    )
                )


def read_jsonl(path: str | Path, model: type[RecordT]) -> list[RecordT]:
    """Read a JSON Lines file of records; raise one error listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise RecordValidationError([FieldProblem(None, None, "", "file not found")], source=path)
    syntax_problems: list[FieldProblem] = []
    try:
        records = parse_records(_jsonl_rows(path, syntax_problems), model, source=path)
    except RecordValidationError as error:
        merged = sorted(syntax_problems + error.problems, key=lambda p: p.line or 0)
        raise RecordValidationError(merged, source=path) from None
    except UnicodeDecodeError as error:
        raise RecordValidationError(
            [FieldProblem(None, None, "", f"not UTF-8 text ({error.reason})")], source=path
        ) from None
    if syntax_problems:
        raise RecordValidationError(syntax_problems, source=path)
    return records


def read_candidates(path: str | Path) -> list[Candidate]:
    return read_jsonl(path, Candidate)


def read_openings(path: str | Path) -> list[Opening]:
    return read_jsonl(path, Opening)
