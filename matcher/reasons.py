"""Reasons as values: a code, its named parts, and one English sentence per code.

The engine writes each reason as a `Reason`; its `text` is the short English
sentence of the contract (rankings, API, exports), and the code with its
parts lets a reader say the same in another language (the web pages render
it from their message catalogue, the English template being the message id).

Parts are plain values: text as the person or the opening wrote it (kept as
written), numbers, an `HoursRange`, tuples of working-time or kind codes, and
tuples of `Mention` (a working time or a workplace condition with the words
that show it). Each part's name fixes how it is written (`english_part`), in
every template that uses it.

`parse` reads a stored English sentence back into a `Reason` (alerts keep
their reasons as text): it accepts a reading only when that reading writes
the very same sentence again.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from matcher.conditions import CONDITIONS
from matcher.records import HoursRange
from matcher.vocabularies import KINDS, SCHEDULES


@dataclass(frozen=True)
class Mention:
    """A working time or workplace condition (`code`), with the words the text says it in."""

    code: str
    evidence: str | None = None


Part = str | int | float | HoursRange | tuple[str, ...] | tuple[Mention, ...]

# One English template per code; `{name}` are the parts. The pages' catalogue uses
# each template as its message id. `parse` tries them in this order: a code whose
# sentence another's free text could also match comes first ("avoid_conditions").
TEMPLATES: dict[str, str] = {
    # An opening for the person (matcher.scoring.explain, matcher.explanation).
    "wish_match": "matches '{wish}'",
    "wish_partial": "partly matches '{wish}'",
    "wish_none": "no close match to the stated wishes",
    "occupation_wanted": "wanted occupation {occupation}",
    "occupation_link": "matches occupation {group} {title}",
    "occupation_group": "matches occupation {group}",
    "avoid_conditions": "may involve '{phrase} ({conditions})', which the person wants to avoid",
    "avoid": "may involve '{phrase}', which the person wants to avoid",
    "hours_within": "{offered} within {wanted}",
    "hours_within_text": "the text says {offered}: '{evidence}' within {wanted}",
    "hours_partly": "{offered}, partly within {wanted}",
    "hours_partly_text": "the text says {offered}: '{evidence}', partly within {wanted}",
    "hours_outside": "{offered}, outside the wanted {wanted}",
    "hours_outside_text": "the text says {offered}: '{evidence}', outside the wanted {wanted}",
    "schedule_outside_text": "the text says {said}; accepts {accepted}",
    "schedule_outside": "includes {outside} work; accepts {accepted}",
    "schedule_wanted": "{schedules} work as wanted",
    "distance_beyond": "{km} km from home, beyond {limit} km",
    "distance": "{km} km from home",
    "education_unwanted": "an education place; the person wants {kinds}",
    "job_unwanted": "a job; the person wants {kinds}",
    "education_wanted": "an education place, as wanted",
    "builds_on": "builds on '{experience}'",
    "needs_licence": "requires a driving licence",
    "needs_language": "requires language '{language}'",
    "needs_skill": "asks for '{skill}'",
    "contact_consultant": "the consultant may contact the employer",
    "contact_self": "the person applies on their own (no disclosure)",
    # An employer to approach (service.engine, matcher.employer_order).
    "open_posting": "open posting '{title}'",
    "open_postings": "open posting '{title}' and {more} more",
    "employer_fits": "nothing posted now; what the employer does fits (job development)",
    "posted_before": "nothing posted now; posted '{title}' before (job development)",
    "posted_before_untitled": "nothing posted now; posted before (job development)",
    "ips_history": "earlier through IPS: {hired} hired, {interviewed} interviewed",
    "hired_one": "hired 1 person in {field} in the last 12 months",
    "hired_many": "hired {count} people in {field} in the last 12 months",
    "likely_to_hire": (
        "likely to hire: about {expected} in {field} expected in the next {months} months"
    ),
    "contacted_once": (
        "contacted once for other candidates in the last {days} days; "
        "placed lower to spread contacts"
    ),
    "contacted_times": (
        "contacted {count} times for other candidates in the last {days} days; "
        "placed lower to spread contacts"
    ),
    "contact_limit": (
        "reached its limit of {weekly_limit} contacts this week; shown because every suggestion has"
    ),
}

# Templates of what is inside a part: a tuple of `Mention`, or the `field` of a hiring
# reason (`service.hiring`), by an occupation's title or its group.
ITEM_TEMPLATES: dict[str, str] = {
    "schedule_evidence": "{schedule} work: '{evidence}'",
    "condition_evidence": '{condition}, the text says "{evidence}"',
    "field_title": "work such as '{title}'",
    "field_group": "group {group}",
}

# Parts by how they are written; a part not named here is text, written as it is.
NUMBER_PARTS = {"km": ".1f", "limit": "g", "expected": ".1f"}
COUNT_PARTS = frozenset({"more", "hired", "interviewed", "count", "months", "days", "weekly_limit"})
HOURS_PARTS = frozenset({"offered", "wanted"})
SCHEDULE_PARTS = frozenset({"schedules", "outside", "accepted"})
KIND_PARTS = frozenset({"kinds"})
MENTION_PARTS = {"said": "schedule_evidence", "conditions": "condition_evidence"}


class ReasonError(ValueError):
    """A reason whose code or parts do not fit its template."""


@cache
def placeholders(template: str) -> frozenset[str]:
    """The names a template fills (kept: every reason of every ranking checks its own)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _mention(item: Mention, template: str) -> str:
    code_name = "schedule" if template == "schedule_evidence" else "condition"
    if item.evidence is None:
        return item.code
    return ITEM_TEMPLATES[template].format(**{code_name: item.code, "evidence": item.evidence})


def english_part(name: str, value: Any) -> str:
    """A part as the English sentence writes it."""
    if name in NUMBER_PARTS:
        return format(value, NUMBER_PARTS[name])
    if name in HOURS_PARTS:
        return str(value.describe())
    if name in SCHEDULE_PARTS:
        return ", ".join(value)
    if name in KIND_PARTS:
        return " or ".join(value)
    if name in MENTION_PARTS:
        return ", ".join(_mention(item, MENTION_PARTS[name]) for item in value)
    return str(value)


@dataclass(frozen=True, eq=True)
class Reason:
    """One reason: `code` names its template, `params` fill it."""

    code: str
    params: Mapping[str, Part] = field(default_factory=dict)

    def __post_init__(self) -> None:
        template = TEMPLATES.get(self.code)
        if template is None:
            raise ReasonError(
                f"Reason: field 'code' is {self.code!r}; allowed: {sorted(TEMPLATES)}"
            )
        wanted, given = placeholders(template), set(self.params)
        if wanted != given:
            raise ReasonError(
                f"Reason {self.code!r}: field 'params' has {sorted(given)}; "
                f"the template {template!r} needs {sorted(wanted)}"
            )

    @property
    def text(self) -> str:
        """The English sentence of the contract."""
        parts = {name: english_part(name, value) for name, value in self.params.items()}
        return TEMPLATES[self.code].format(**parts)

    def __str__(self) -> str:
        return self.text

    def __hash__(self) -> int:
        return hash((self.code, self.text))


def texts(reasons: Sequence[Reason]) -> list[str]:
    return [reason.text for reason in reasons]


def explained(sentences: Sequence[str], reasons: Sequence[Reason]) -> list[Reason | str]:
    """The reasons as values where they still say `sentences`, else each sentence read back.

    A sentence no template writes stays a string (shown as written, in English).
    """
    if len(reasons) == len(sentences) and texts(reasons) == list(sentences):
        return list(reasons)
    return [parse(sentence) or sentence for sentence in sentences]


# ------------------------------------------------------------------------- reading back

_NUMBER = r"-?[0-9][0-9.e+]*"
_HOURS = re.compile(
    rf"(?P<low>{_NUMBER})-(?P<high>{_NUMBER}) h/week|(?P<both>{_NUMBER}) h/week"
    rf"|at least (?P<min>{_NUMBER}) h/week|at most (?P<max>{_NUMBER}) h/week|any hours"
)


def _hours(text: str) -> HoursRange:
    match = _HOURS.fullmatch(text)
    if match is None:
        raise ValueError(text)
    low = match["low"] or match["both"] or match["min"]
    high = match["high"] or match["both"] or match["max"]
    return HoursRange(min=float(low) if low else None, max=float(high) if high else None)


def _codes(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _mentions(codes: Sequence[str], template: str) -> Callable[[str], tuple[Mention, ...]]:
    names = _codes(codes)
    evidence = ITEM_TEMPLATES[template].split("{evidence}")[0].split("}", 1)[1]
    closing = ITEM_TEMPLATES[template].split("{evidence}")[1]
    item = re.compile(
        rf"({names})(?:{re.escape(evidence)}(.*?){re.escape(closing)})?(?:, (?=(?:{names}))|$)"
    )

    def read(text: str) -> tuple[Mention, ...]:
        found = []
        position = 0
        while position < len(text):
            match = item.match(text, position)
            if match is None or match.end() == position:
                raise ValueError(text)
            found.append(Mention(match[1], match[2]))
            position = match.end()
        return tuple(found)

    return read


def _pattern(name: str) -> str:
    if name in NUMBER_PARTS or name in COUNT_PARTS:
        return _NUMBER
    if name in HOURS_PARTS:
        # Without the group names: a template with two hours parts would repeat them.
        return re.sub(r"\(\?P<\w+>", "(?:", _HOURS.pattern)
    if name in SCHEDULE_PARTS:
        return rf"(?:{_codes(SCHEDULES)})(?:, (?:{_codes(SCHEDULES)}))*"
    if name in KIND_PARTS:
        return rf"(?:{_codes(KINDS)})(?: or (?:{_codes(KINDS)}))*"
    if name == "group":
        return r"\S+"
    return ".*"


def _reader(name: str) -> Callable[[str], Part]:
    if name in NUMBER_PARTS:
        return float
    if name in COUNT_PARTS:
        return int
    if name in HOURS_PARTS:
        return _hours
    if name in SCHEDULE_PARTS:
        return lambda text: tuple(text.split(", "))
    if name in KIND_PARTS:
        return lambda text: tuple(text.split(" or "))
    if name == "said":
        return _mentions(SCHEDULES, "schedule_evidence")
    if name == "conditions":
        return _mentions([c.name for c in CONDITIONS], "condition_evidence")
    return str


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    compiled = []
    for code, template in TEMPLATES.items():
        pattern = ""
        for literal, name, _, _ in string.Formatter().parse(template):
            pattern += re.escape(literal)
            if name:
                pattern += f"(?P<{name}>{_pattern(name)})"
        compiled.append((code, re.compile(pattern)))
    return compiled


def parse(sentence: str) -> Reason | None:
    """The `Reason` that writes exactly `sentence`, or None if no template does."""
    for code, pattern in _patterns():
        match = pattern.fullmatch(sentence)
        if match is None:
            continue
        try:
            params = {name: _reader(name)(value) for name, value in match.groupdict().items()}
            reason = Reason(code, params)
        except (ValueError, ReasonError):
            continue
        if reason.text == sentence:
            return reason
    return None
