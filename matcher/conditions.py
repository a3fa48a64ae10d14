"""Workplace conditions people often want to avoid, in Danish and English.

A small sentence encoder is good at telling "animal care" from "IT support",
but poor at telling whether one sentence mentions customers: "kundekontakt"
is about as close to an IT job text as to a shop job text. Avoid checks must
not sink good jobs by mistake, so conditions are found in openings through
these word lists (both languages), and a person's own phrase is linked to a
condition by its words or, failing that, by meaning (the encoder compares
short phrases with short labels well).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.text import normalise


@dataclass(frozen=True)
class Condition:
    name: str
    # How people phrase it; the encoder links a person's phrase to these.
    labels: tuple[str, ...]
    # Word starts that show the condition in an opening's text.
    signs: tuple[str, ...]


CONDITIONS: tuple[Condition, ...] = (
    Condition(
        "customer contact",
        ("kundekontakt", "kundeservice", "betjene kunder", "customer contact", "customer service"),
        (
            "kunde",
            "customer",
            "ekspedi",
            "betjen",
            "salg",
            "sælge",
            "sales",
            "selling",
            "kasse",
            "cashier",
            "klient",
            "client",
            "gæster",
            "guests",
            "borgerbetjening",
        ),
    ),
    Condition(
        "noise",
        ("støjende miljø", "larm", "støj", "noisy workplace", "loud environment"),
        ("støj", "larm", "nois", "loud", "høj musik", "høreværn"),
    ),
    Condition(
        "heavy lifting",
        ("tunge løft", "fysisk hårdt arbejde", "heavy lifting", "physically demanding work"),
        (
            "tunge løft",
            "tungt",
            "heavy",
            "lifting",
            "bæring",
            "bære ",
            "fysisk hårdt",
            "physically demanding",
        ),
    ),
    Condition(
        "night work",
        ("nattevagter", "natarbejde", "night shifts", "working at night"),
        ("nattevagt", "natarbejde", "natvagt", "om natten", "night"),
    ),
    Condition(
        "phone work",
        ("telefonarbejde", "tale i telefon", "phone calls", "call centre"),
        ("telefon", "phone", "opkald", "call cent", "callcent"),
    ),
    Condition(
        "time pressure",
        ("stress", "tidspres", "højt tempo", "stressful work", "fast pace"),
        ("travl", "tidspres", "stress", "hektisk", "højt tempo", "busy", "fast-paced", "fast pace"),
    ),
    Condition(
        "driving",
        ("kørsel", "køre bil", "driving"),
        ("kørsel", "chauffør", "varebil", "driving", "driver"),
    ),
    Condition(
        "heights",
        ("højder", "arbejde i højden", "heights"),
        ("stillads", "højder", "i højden", "heights", "ladder", "stige"),
    ),
    Condition(
        "alcohol",
        ("alkohol", "bararbejde", "serving alcohol"),
        ("alkohol", "alcohol", "bartender", "cocktail", "pub "),
    ),
    Condition(
        "weekend work",
        ("weekendarbejde", "arbejde i weekender", "weekend work"),
        ("weekend",),
    ),
)

_NEGATION = r"(?:ingen|ikke|uden|no|not|without|never|aldrig)"


def _sign_pattern(signs: tuple[str, ...]) -> re.Pattern[str]:
    # A sign counts at the start of a word; negated mentions are dropped by the caller.
    alternatives = "|".join(re.escape(s) for s in signs)
    return re.compile(rf"(?<!\w)(?:{alternatives})")


_PATTERNS = tuple(_sign_pattern(c.signs) for c in CONDITIONS)
_NEGATED = re.compile(rf"\b{_NEGATION}\s+(?:\w+\s+)?$")


def conditions_in_text(text: str) -> int:
    """Bitmask of the conditions an opening's text shows (bit i = `CONDITIONS[i]`)."""
    lowered = normalise(text)
    mask = 0
    for bit, pattern in enumerate(_PATTERNS):
        for match in pattern.finditer(lowered):
            if not _NEGATED.search(lowered[: match.start()]):
                mask |= 1 << bit
                break
    return mask


def conditions_named_by_words(phrase: str) -> int:
    """Bitmask of conditions whose labels or signs a phrase uses."""
    lowered = normalise(phrase)
    mask = 0
    for bit, condition in enumerate(CONDITIONS):
        if any(label in lowered or lowered in label for label in condition.labels) or any(
            re.search(rf"(?<!\w){re.escape(sign)}", lowered) for sign in condition.signs
        ):
            mask |= 1 << bit
    return mask


def condition_names(mask: int) -> list[str]:
    return [c.name for bit, c in enumerate(CONDITIONS) if mask >> bit & 1]


def all_labels() -> list[tuple[int, str]]:
    """(condition bit, label) for every label, to encode once."""
    return [(bit, label) for bit, c in enumerate(CONDITIONS) for label in c.labels]
