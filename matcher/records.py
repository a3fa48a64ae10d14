"""Candidates, openings, rankings (`data/contract/README.md`; events: `placement_events`).

Unknown fields are kept (``extra="allow"``) so that nothing a user stores is
lost, but the engine reads only the fields named here. The candidate's
``health`` field is stored for the consultant and read by nothing in the
engine.

Every record is bounded before anything reads it (the limits below, also in
the README's "Limits" section): text length, list length, nesting depth of
unknown fields and ``health``, finite numbers only, and no text that a store
cannot hold (NUL, lone surrogates). The same record is therefore accepted or
refused alike on SQLite and PostgreSQL, and a refusal is a 422 naming the
field, never a database error whose context could quote a health note.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
    model_validator,
)

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

if TYPE_CHECKING:
    from matcher.reasons import Reason

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

# Limits of the contract (README, "Limits"). Ids and names fit the store's columns.
MAX_ID_CHARS = 200
MAX_NAME_CHARS = 500
MAX_PHRASE_CHARS = 500  # a title, a wish, a skill: one phrase
MAX_TEXT_CHARS = 20_000  # a description, a health note, any other text
MAX_LIST_ITEMS = 200
# Unknown fields and `health` may nest objects and lists this deep, no deeper.
MAX_DEPTH = 8
MAX_YEARS = 80
MAX_COMMUTE_KM = 1_000

Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS)]
Phrase = Annotated[str, StringConstraints(max_length=MAX_PHRASE_CHARS)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]


class UnstorableValue(ValueError):
    """A JSON value no store can hold or that exceeds the contract's limits."""


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "holds a NUL character (\\u0000), which no text may contain"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (such as \\ud800), which is not text"
    if len(text) > MAX_TEXT_CHARS:
        return f"is longer than {MAX_TEXT_CHARS:,} characters ({len(text):,})"
    return None


def check_json_value(value: Any, where: str = "", depth: int = 0) -> None:
    """Raise `UnstorableValue` naming the field if `value` breaks the contract's limits.

    Walks objects and lists no deeper than `MAX_DEPTH` (so a hostile nesting
    stops here, not in a recursion error); checks every text and every key
    for NUL, lone surrogates and length, and every number for being finite.
    """
    label = where or "the record"
    if depth > MAX_DEPTH:
        raise UnstorableValue(f"{label}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        problem = _text_problem(value)
        if problem is not None:
            raise UnstorableValue(f"{label}: {problem}")
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise UnstorableValue(f"{label}: {value} is not a finite number")
    elif isinstance(value, dict):
        if len(value) > MAX_LIST_ITEMS:
            raise UnstorableValue(f"{label}: more than {MAX_LIST_ITEMS} fields ({len(value)})")
        for key, item in value.items():
            name = str(key)
            problem = _text_problem(name) if isinstance(key, str) else None
            if problem is not None or len(name) > MAX_PHRASE_CHARS:
                shown = f"a field name {problem}" if problem else "a field name is too long"
                raise UnstorableValue(f"{label}: {shown}")
            check_json_value(item, f"{where}.{name}" if where else name, depth + 1)
    elif isinstance(value, list | tuple):
        if len(value) > MAX_LIST_ITEMS:
            raise UnstorableValue(f"{label}: more than {MAX_LIST_ITEMS} items ({len(value)})")
        for index, item in enumerate(value):
            check_json_value(item, f"{where}.{index}" if where else str(index), depth + 1)


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True, allow_inf_nan=False)


class _CheckedRecord(_Record):
    """A top-level record: its raw input is checked whole before the fields are read."""

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        if isinstance(data, dict):
            try:
                check_json_value(data)
            except UnstorableValue as error:
                raise ValueError(str(error)) from None
        return data


def _not_a_number_date(value: Any) -> Any:
    # JSON numbers are not dates: `"posted": 0` must not become 1970-01-01.
    if isinstance(value, int | float):
        raise ValueError(f"give a date as 'YYYY-MM-DD' text, not the number {value!r}")
    return value


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
    postcode: str | None = Field(default=None, max_length=20)

    @field_validator("postcode", mode="before")
    @classmethod
    def _postcode_text(cls, value: Any) -> Any:
        # Postcodes are identifiers; 2400 and "2400" mean the same place. A bool is no
        # postcode (it is an int to Python, so it would become "False").
        if isinstance(value, bool):
            raise ValueError(f"a postcode is text or a whole number, not {value!r}")
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
    desired: list[Phrase] = Field(min_length=1, max_length=MAX_LIST_ITEMS)
    avoid: list[Phrase] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    occupations: list[Phrase] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    hours_per_week: HoursRange | None = None
    schedule: list[Schedule] | None = Field(default=None, max_length=MAX_LIST_ITEMS)
    max_commute_km: float | None = Field(default=None, gt=0, le=MAX_COMMUTE_KM)
    kinds: list[Kind] = Field(default_factory=_default_kinds, min_length=1, max_length=2)

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

    title: Phrase | None = None
    years: float | None = Field(default=None, ge=0, le=MAX_YEARS)
    description: Text | None = None

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
    skills: list[Phrase] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    experience: list[Experience] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    education: list[Phrase] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    languages: list[Phrase] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
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


class Candidate(_CheckedRecord):
    """An IPS career profile."""

    id: Id
    preferences: Preferences
    competencies: Competencies = Field(default_factory=Competencies)
    location: Location | None = None
    disclosure: Disclosure = "no"
    # Kept for the consultant only. The engine never reads this field.
    health: Any = None


class Requirements(_Record):
    skills: list[Phrase] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    driving_licence: bool = False
    languages: list[Phrase] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

    @field_validator("languages")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return Competencies._iso_639_1(values)

    @field_validator("skills")
    @classmethod
    def _drop_blank(cls, values: list[str]) -> list[str]:
        return _clean_phrases(values)


class Opening(_CheckedRecord):
    """A job or education place."""

    id: Id
    employer_id: Id
    employer_name: str | None = Field(default=None, max_length=MAX_NAME_CHARS)
    title: str = Field(min_length=1, max_length=MAX_PHRASE_CHARS)
    description: Text = ""
    occupation: str | None = Field(default=None, max_length=MAX_PHRASE_CHARS)
    industry: str | None = Field(default=None, max_length=MAX_PHRASE_CHARS)
    kind: Kind = "job"
    hours_per_week: HoursRange | None = None
    schedule: list[Schedule] | None = Field(default=None, max_length=MAX_LIST_ITEMS)
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
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("posted", "expires", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        return _not_a_number_date(value)

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


class WithReasons(BaseModel):
    """A result whose `reasons` sentences carry the values they were written from.

    The values (`matcher.reasons.Reason`) are kept beside the sentences for readers in
    the same process (the web pages); they are never serialised, so the contract's
    JSON is unchanged.
    """

    if TYPE_CHECKING:
        reasons: list[str]

    _reason_values: tuple[Reason, ...] = PrivateAttr(default=())
    # The sentences the values wrote, to tell cheaply that `reasons` still says them.
    _reason_sentences: tuple[str, ...] = PrivateAttr(default=())

    def __eq__(self, other: object) -> bool:
        """Equal as the contract sees them: the same fields, whatever values are carried."""
        if not isinstance(other, BaseModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    def with_reasons(self, reasons: Sequence[Reason | str]) -> Self:
        """This result, changed in place: `reasons` their sentences, the values beside them.

        A sentence given as a string is kept; the values are kept only if all are values.
        """
        self.reasons = [str(reason) for reason in reasons]
        values = tuple(reason for reason in reasons if not isinstance(reason, str))
        complete = len(values) == len(reasons)
        self._reason_values = values if complete else ()
        self._reason_sentences = tuple(self.reasons) if complete else ()
        return self

    def explained(self) -> list[Reason | str]:
        """Each reason as a value where known, else its sentence (`matcher.reasons.explained`)."""
        if self._reason_sentences and tuple(self.reasons) == self._reason_sentences:
            return list(self._reason_values)
        from matcher.reasons import explained  # matcher.reasons reads this module

        return explained(self.reasons, self._reason_values)


class RankedOpening(WithReasons):
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
