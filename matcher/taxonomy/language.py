"""Guessing whether a profile's words are Danish or English."""

from __future__ import annotations

import re
from collections.abc import Iterable

_DANISH_WORDS = frozenset(
    "og i at med på til af for er en et den det som ikke jeg vil gerne noget arbejde "  # noqa: SIM905
    "arbejder lager butik pasning rengøring kunder timer ugen".split()
)
_ENGLISH_WORDS = frozenset(
    "and the of to with in for on at is a an work worker working customers hours "  # noqa: SIM905
    "animals warehouse shop cleaning care week".split()
)
_WORD = re.compile(r"[^\W\d_]+")


def guess_language(texts: Iterable[str], default: str = "da") -> str:
    """``"da"`` or ``"en"`` from the letters and common words of some texts.

    Good enough to choose which title of an occupation to show; records
    carry no language field, and most are Danish.
    """
    danish = english = 0
    for text in texts:
        lowered = text.casefold()
        danish += 2 * sum(lowered.count(letter) for letter in "æøå")
        for word in _WORD.findall(lowered):
            danish += word in _DANISH_WORDS
            english += word in _ENGLISH_WORDS
    if english > danish:
        return "en"
    if danish > english:
        return "da"
    return default
