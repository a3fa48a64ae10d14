"""What an opening's own words say about when, how much and under which conditions.

Job ads state working times, weekly hours and conditions in prose far more
often than in fields: "mellem kl. 3 og 6 om natten", "15-20 timer om ugen",
"daglig kontakt med beboerne". `read_prose` reads them from a title and a
description, in Danish and English, and keeps the words each finding rests
on, so that a reason can say where it came from ("the text says night work:
'03-06'"). A negated mention ("ingen tunge løft", "no night shifts") is no
finding.

* **working times** (`day`, `evening`, `night`, `weekend`, the contract's
  schedule values) from words ("aftenvagter", "nights", "lørdag") and from
  clock ranges ("kl. 7-15", "22.00-06.00", "from 6pm to 11pm"): a range is
  night work when at least two of its hours (or all, if shorter) fall
  between 23 and 5 o'clock, evening work when three (or all) fall between
  17 and 24, day work when three (or all) fall between 6 and 17;
* **weekly hours** from a number or range with a weekly unit ("15-20 timer
  om ugen", "20 hours/week", "ca. 15 timer ugentligt"), else from "fuldtid"
  / "full-time" (37, the Danish standard week) or "deltid" / "part-time"
  (at most 36);
* **conditions** from `matcher.conditions` (their signs in both languages),
  with night and weekend work also when only a clock range or a weekday
  shows them.

Everything here is a pure function of the text; nothing is encoded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from matcher.conditions import (
    CONDITIONS,
    ConditionMention,
    conditions_named_by_words,
    find_conditions,
    is_negated,
)
from matcher.records import HoursRange, Opening
from matcher.text import opening_full_text

Time = Literal["day", "evening", "night", "weekend"]
# The contract's schedule values, in its order (`matcher.records.SCHEDULES`).
TIMES: tuple[Time, ...] = ("day", "evening", "night", "weekend")
FULL_TIME_HOURS = 37.0
PART_TIME_MAX_HOURS = 36.0


@dataclass(frozen=True)
class TimeMention:
    """A working time the text states, and the words it rests on."""

    time: Time
    span: str
    start: int
    end: int


@dataclass(frozen=True)
class WeeklyHours:
    """Weekly hours the text states (`low` or `high` absent where it gives no bound)."""

    low: float | None
    high: float | None
    span: str
    start: int
    end: int


@dataclass(frozen=True)
class ProseReading:
    """What one text states: working times, weekly hours and conditions, with their words."""

    times: tuple[TimeMention, ...] = ()
    hours: WeeklyHours | None = None
    conditions: tuple[ConditionMention, ...] = ()

    @property
    def schedule(self) -> tuple[Time, ...]:
        """The stated working times, once each, in the contract's order."""
        stated = {mention.time for mention in self.times}
        return tuple(time for time in TIMES if time in stated)

    @property
    def condition_names(self) -> tuple[str, ...]:
        """The stated conditions, once each, in `matcher.conditions.CONDITIONS` order."""
        stated = {mention.condition for mention in self.conditions}
        return tuple(c.name for c in CONDITIONS if c.name in stated)

    def evidence(self, condition_or_time: str) -> str | None:
        """The words behind a condition or working time, e.g. "03-06"; None if not stated."""
        for mention in self.conditions:
            if mention.condition == condition_or_time:
                return mention.span
        for time_mention in self.times:
            if time_mention.time == condition_or_time:
                return time_mention.span
        return None


@dataclass(frozen=True)
class AvoidedMention:
    """An avoided phrase of a person found in a text, through the condition it names."""

    phrase: str
    mention: ConditionMention


# ------------------------------------------------------------------ working times

_TIME_WORDS: dict[Time, str] = {
    "night": (
        r"nat(?:te)?(?:vagt|arbejde|hold|skift|job|tillæg)\w*|om natten|natten|nat|natlig\w*"
        r"|nights?|night-?\w+|overnight|at night"
    ),
    "evening": r"aften\w*|om aftenen|evenings?|evening-?\w+|aftner",
    "day": (
        r"dag(?:vagt|hold|arbejde|timer|tid|skift)\w*|om dagen|i dagtimerne|daytime"
        r"|day[- ]?(?:shifts?|work|time)|(?<!\d\s)days"
    ),
    "weekend": r"weekend\w*|lørdag\w*|søndag\w*|saturdays?|sundays?",
}
_TIME_PATTERNS = {
    time: re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)
    for time, words in _TIME_WORDS.items()
}

_CLOCK = r"(?P<h{n}>\d{{1,2}})(?:[:.](?P<m{n}>\d{{2}}))?\s*(?P<ap{n}>[ap]\.?m\.?)?"
_CLOCK_RANGE = re.compile(
    r"(?<![\w.,/-])(?P<prefix>(?:kl\.?|klokken|fra|from|between|mellem)\s*(?:kl\.?\s*)?)?"
    + _CLOCK.format(n=1)
    + r"\s*(?:-|–|—|til|to|og|and|until)\s*(?:kl\.?\s*)?"
    + _CLOCK.format(n=2)
    + r"(?![\d]|[-/.]\d)",
    re.IGNORECASE,
)
# What may follow a bare clock range ("7-15." or "7-15 om natten"), as opposed to
# a count ("15-20 timer", "3-4 dage", "20-25 kg").
_AFTER_CLOCK = re.compile(
    r"\s*(?:$|[.,;:!?)\n]|om (?:natten|aftenen|morgenen|dagen)|at night|in the|på hverdage"
    r"|hver|every|daily|dagligt|mandag|monday|weekdays)",
    re.IGNORECASE,
)

_NIGHT_HOURS = frozenset({23, 0, 1, 2, 3, 4})
_EVENING_HOURS = frozenset(range(17, 24))
_DAY_HOURS = frozenset(range(6, 17))


def _hour(hour: str, meridiem: str | None) -> int | None:
    value = int(hour)
    if value > 24:
        return None
    if meridiem:
        if value > 12:
            return None
        is_pm = meridiem.lower().startswith("p")
        value = value % 12 + (12 if is_pm else 0)
    return value % 24


def times_of_range(start: int, end: int) -> tuple[Time, ...]:
    """The working times a clock range from `start` to `end` o'clock covers."""
    if start == end:
        return ()
    covered = [(start + i) % 24 for i in range((end - start) % 24)]
    found: list[Time] = []
    for time, hours, enough in (
        ("day", _DAY_HOURS, 3),
        ("evening", _EVENING_HOURS, 3),
        ("night", _NIGHT_HOURS, 2),
    ):
        inside = sum(1 for hour in covered if hour in hours)
        if inside >= min(enough, len(covered)) and inside > 0:
            found.append(time)  # type: ignore[arg-type]
    return tuple(found)


def _clock_ranges(text: str) -> list[TimeMention]:
    found: list[TimeMention] = []
    for match in _CLOCK_RANGE.finditer(text):
        marked = (
            match["prefix"]
            or match["m1"]
            or match["m2"]
            or match["ap1"]
            or match["ap2"]
            or (len(match["h1"]) == 2 and match["h1"].startswith("0"))
        )
        if not marked and not _AFTER_CLOCK.match(text, match.end()):
            continue
        if not marked and not re.fullmatch(r"\d{1,2}\s*[-–—]\s*\d{1,2}", match.group(0).strip()):
            continue  # bare "3 og 6" without "kl." is a count, not a time
        meridiem_end = match["ap2"]
        start = _hour(match["h1"], match["ap1"] or meridiem_end)
        end = _hour(match["h2"], meridiem_end or match["ap1"])
        if start is None or end is None:
            continue
        if match["ap1"] is None and meridiem_end and start > end and start < 12:
            start = _hour(match["h1"], "am")  # "from 9 to 1 pm": 9 is morning
            if start is None:
                continue
        span = match.group(0).strip().rstrip(".")
        offset = match.start() + match.group(0).index(span)
        for time in times_of_range(start, end):
            found.append(TimeMention(time, span, offset, offset + len(span)))
    return found


def read_times(text: str) -> tuple[TimeMention, ...]:
    """Working times a text states, by words and by clock ranges, negations dropped."""
    composed = unicodedata.normalize("NFC", text)
    found: list[TimeMention] = []
    for time, pattern in _TIME_PATTERNS.items():
        for match in pattern.finditer(composed):
            if not is_negated(composed, match.start()):
                found.append(TimeMention(time, match.group(0), match.start(), match.end()))
    found.extend(m for m in _clock_ranges(composed) if not is_negated(composed, m.start))
    return tuple(sorted(found, key=lambda m: (m.start, m.time)))


# ------------------------------------------------------------------ weekly hours

_NUMBER = r"\d{1,2}(?:[.,]\d)?"
_WEEKLY = re.compile(
    rf"(?<![\w.,])(?P<low>{_NUMBER})(?:\s*(?:-|–|til|to)\s*(?P<high>{_NUMBER}))?\s*"
    r"(?:timer|time|t\.?|hours?|hrs?\.?|h)"
    r"\s*(?:om ugen|i ugen|pr\.?\s*uge|per uge|ugentlig\w*|om ugen|/\s*uge|/\s*week"
    r"|per week|a week|each week|weekly|/\s*wk|pw|p\.w\.)",
    re.IGNORECASE,
)
_FULL_TIME = re.compile(r"(?<!\w)(?:fuldtid\w*|full[- ]time|fuld tid)(?!\w)", re.IGNORECASE)
_PART_TIME = re.compile(r"(?<!\w)(?:deltid\w*|part[- ]time)(?!\w)", re.IGNORECASE)


def _number(value: str) -> float:
    return float(value.replace(",", "."))


def read_weekly_hours(text: str) -> WeeklyHours | None:
    """The weekly hours a text states: the first number or range with a weekly unit, else
    full-time (37) or part-time (at most 36); None when it states neither."""
    composed = unicodedata.normalize("NFC", text)
    for match in _WEEKLY.finditer(composed):
        if is_negated(composed, match.start()):
            continue
        low = _number(match["low"])
        high = _number(match["high"]) if match["high"] else low
        if not 0 < low <= high <= 80:
            continue
        return WeeklyHours(low, high, match.group(0), match.start(), match.end())
    bounds: tuple[tuple[re.Pattern[str], float | None, float], ...] = (
        (_FULL_TIME, FULL_TIME_HOURS, FULL_TIME_HOURS),
        (_PART_TIME, None, PART_TIME_MAX_HOURS),
    )
    for pattern, lowest, highest in bounds:
        for match in pattern.finditer(composed):
            if not is_negated(composed, match.start()):
                return WeeklyHours(lowest, highest, match.group(0), match.start(), match.end())
    return None


# ------------------------------------------------------------------ the whole reading

_TIME_CONDITIONS: dict[Time, str] = {"night": "night work", "weekend": "weekend work"}

# Readings kept for the texts read last. A ranking explains its top k openings, which were
# read once already when the catalogue was fitted; reading them again is about a third of
# an uncached ranking's CPU time. Readings are frozen values, so sharing one is safe.
PROSE_CACHE_SIZE = 8_192


@lru_cache(maxsize=PROSE_CACHE_SIZE)
def read_prose(text: str) -> ProseReading:
    """Working times, weekly hours and conditions stated in `text` (never raises on text)."""
    times = read_times(text)
    conditions = list(find_conditions(text))
    named = {mention.condition for mention in conditions}
    for time_mention in times:
        condition = _TIME_CONDITIONS.get(time_mention.time)
        if condition and condition not in named:
            named.add(condition)
            conditions.append(
                ConditionMention(condition, time_mention.span, time_mention.start, time_mention.end)
            )
    order = {c.name: i for i, c in enumerate(CONDITIONS)}
    conditions.sort(key=lambda mention: order[mention.condition])
    return ProseReading(times=times, hours=read_weekly_hours(text), conditions=tuple(conditions))


def read_texts(texts: Iterable[str | None]) -> ProseReading:
    """`read_prose` over several texts of one record (title, description), joined."""
    return read_prose(". ".join(t.strip().rstrip(".") for t in texts if t and t.strip()))


def avoided_mentions(avoid: Sequence[str], reading: ProseReading) -> tuple[AvoidedMention, ...]:
    """For each avoided phrase that names a condition by its words, the text's mention of it.

    The phrase is linked to conditions through their labels and signs in both
    languages (`conditions_named_by_words`), so "tunge løft" finds "heavy
    lifting" in an English text. Linking by meaning, for phrases no word list
    names, is the ranker's (it holds the encoder).
    """
    found: list[AvoidedMention] = []
    for phrase in avoid:
        mask = conditions_named_by_words(phrase)
        for bit, condition in enumerate(CONDITIONS):
            if not mask >> bit & 1:
                continue
            for mention in reading.conditions:
                if mention.condition == condition.name:
                    found.append(AvoidedMention(phrase, mention))
    return tuple(found)


# ------------------------------------------------------------------ an opening's terms


@dataclass(frozen=True)
class OpeningTerms:
    """The working times and weekly hours an opening states: its fields, else its text.

    A field wins over the text; where the field is absent, what the text says
    counts as stated by the opening, and `schedule_from_text` /
    `hours_from_text` say so, so that a reason can name the words.
    """

    schedule: tuple[Time, ...]
    hours: HoursRange | None
    schedule_from_text: bool
    hours_from_text: bool
    reading: ProseReading

    def schedule_evidence(self, time: str) -> str | None:
        """The words behind a working time read from the text ("03-06"); None otherwise."""
        if not self.schedule_from_text:
            return None
        return next((m.span for m in self.reading.times if m.time == time), None)

    @property
    def hours_evidence(self) -> str | None:
        """The words the weekly hours were read from ("15-20 timer om ugen"), if from text."""
        hours = self.reading.hours
        return hours.span if self.hours_from_text and hours is not None else None


def opening_terms(opening: Opening) -> OpeningTerms:
    """What `opening` states about working times and weekly hours, fields first, then text."""
    reading = read_prose(opening_full_text(opening))
    schedule_from_text = not opening.schedule and bool(reading.schedule)
    schedule: tuple[Time, ...] = (
        reading.schedule if schedule_from_text else tuple(opening.schedule or ())
    )
    hours = (
        opening.hours_per_week if opening.hours_per_week and opening.hours_per_week.stated else None
    )
    hours_from_text = hours is None and reading.hours is not None
    if hours_from_text and reading.hours is not None:
        hours = HoursRange(min=reading.hours.low, max=reading.hours.high)
    return OpeningTerms(schedule, hours, schedule_from_text, hours_from_text, reading)
