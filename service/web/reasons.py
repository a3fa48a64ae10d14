"""The engine's reasons in the page's language.

The engine writes each reason as a value (`matcher.reasons.Reason`: a code and
its parts) beside the English sentence of the contract. A page renders the
value through the message catalogue: the message id is the code's English
template (`matcher.reasons.TEMPLATES`, with ``{name}`` placeholders), the
Danish text uses the same names. Parts are written for the page's locale:
numbers by Babel, working times, kinds and workplace conditions with the
labels' words, languages by name; what the person or an opening wrote
(wishes, skills, titles, quoted words) stays as written.

A sentence that is not a value (an alert keeps its reasons as text) is read
back with `matcher.reasons.parse`; one no template writes, or a code without
a translation, is shown in English and marked ``lang="en"``.

`extract` is the catalogue extractor of this module (``babel.cfg``): the
texts marked here, and every reason template, so that ``pybabel update``
keeps their translations.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from functools import cache
from typing import IO, Any, NamedTuple

from babel.messages.extract import extract_python

from matcher.reasons import (
    COUNT_PARTS,
    HOURS_PARTS,
    ITEM_TEMPLATES,
    KIND_PARTS,
    MENTION_PARTS,
    NUMBER_PARTS,
    SCHEDULE_PARTS,
    TEMPLATES,
    Mention,
    Part,
    Reason,
    parse,
)
from matcher.records import HoursRange
from service.web.i18n import DEFAULT_LANGUAGE, Formats, translations
from service.web.labels import N_, Labels, labels

# Weekly hours as a reason writes them (`matcher.records.HoursRange.describe`).
HOURS = {
    "span": N_("{low}-{high} h/week"),
    "exactly": N_("{hours} h/week"),
    "at_least": N_("at least {hours} h/week"),
    "at_most": N_("at most {hours} h/week"),
    "any": N_("any hours"),
}
OR = N_("or")
# Digits after the decimal sign for the numbers of reasons (trailing zeros dropped).
DIGITS = {"km": 1, "limit": 2, "expected": 1}
ENGLISH = "en"


class ShownReason(NamedTuple):
    """A reason as the page shows it; `lang` is set when it is left in another language."""

    text: str
    lang: str | None = None


class ReasonWords:
    """Reasons in one language; made once per language, called once per reason shown."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._text = translations(language)
        self._formats = Formats(language)
        self._labels: Labels = labels(language)
        self._templates = {code: self._text.gettext(t) for code, t in TEMPLATES.items()}
        self._items = {code: self._text.gettext(t) for code, t in ITEM_TEMPLATES.items()}
        self._hours = {shape: self._text.gettext(t) for shape, t in HOURS.items()}
        self._or = f" {self._text.gettext(OR)} "

    def __call__(self, reason: Reason | str) -> ShownReason:
        if self.language == ENGLISH:
            return ShownReason(str(reason))
        value = parse(reason) if isinstance(reason, str) else reason
        if value is None:
            return ShownReason(str(reason), ENGLISH)
        template = self._templates[value.code]
        if template == TEMPLATES[value.code]:  # not translated
            return ShownReason(value.text, ENGLISH)
        try:
            parts = {name: self.part(name, part) for name, part in value.params.items()}
            return ShownReason(template.format(**parts))
        except (KeyError, IndexError, ValueError):  # a translation with other placeholders
            return ShownReason(value.text, ENGLISH)

    def part(self, name: str, value: Part) -> str:
        """One part of a reason, written for the page's language."""
        if name in NUMBER_PARTS and isinstance(value, int | float):
            return self._formats.number(value, DIGITS[name])
        if name in COUNT_PARTS and isinstance(value, int | float):
            return self._formats.number(value, 0)
        if name in HOURS_PARTS and isinstance(value, HoursRange):
            return self.hours(value)
        if name in SCHEDULE_PARTS and isinstance(value, tuple):
            return ", ".join(self._labels.schedule(str(code)).lower() for code in value)
        if name in KIND_PARTS and isinstance(value, tuple):
            return self._or.join(self._labels.kind(str(code)).lower() for code in value)
        if name in MENTION_PARTS and isinstance(value, tuple):
            template = MENTION_PARTS[name]
            return ", ".join(self._mention(m, template) for m in value if isinstance(m, Mention))
        if name == "language":
            return str(self._formats.locale.languages.get(str(value), value))
        if name == "field":
            return self._field(str(value))
        return str(value)

    def hours(self, hours: HoursRange) -> str:
        low, high = hours.min, hours.max
        number = self._formats.number
        if low is not None and high is not None:
            if low == high:
                return self._hours["exactly"].format(hours=number(low, 2))
            return self._hours["span"].format(low=number(low, 2), high=number(high, 2))
        if low is not None:
            return self._hours["at_least"].format(hours=number(low, 2))
        if high is not None:
            return self._hours["at_most"].format(hours=number(high, 2))
        return self._hours["any"]

    def _mention(self, mention: Mention, template: str) -> str:
        if template == "schedule_evidence":
            name, word = "schedule", self._labels.schedule(mention.code).lower()
        else:
            name, word = "condition", self._labels.condition(mention.code)
        if mention.evidence is None:
            return word
        return self._items[template].format(**{name: word, "evidence": mention.evidence})

    def _field(self, text: str) -> str:
        """The hiring reasons' field ("work such as 'Lagermedarbejder'") in this language."""
        for code in ("field_title", "field_group"):
            match = _item_pattern(code).fullmatch(text)
            if match is not None:
                return self._items[code].format(**match.groupdict())
        return text


@cache
def _item_pattern(code: str) -> re.Pattern[str]:
    literal = re.escape(ITEM_TEMPLATES[code])
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+)", literal))


@cache
def reason_words(language: str = DEFAULT_LANGUAGE) -> ReasonWords:
    return ReasonWords(language)


def extract(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Any
) -> Iterator[Any]:
    """Babel extractor for this module: its marked texts, then every reason template."""
    yield from extract_python(fileobj, keywords, comment_tags, options)
    for code, template in {**TEMPLATES, **ITEM_TEMPLATES}.items():
        yield 0, None, template, [f"reason {code}"]
