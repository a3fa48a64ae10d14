"""The evaluation's own reading of a person's stated preferences, the same for every system.

The IPS measures ask how many suggestions break a stated preference, for
ipsmatch and for baselines that know nothing of violations, so the check is
made here, independently of any system, from the contract's rules (a check
applies only where both sides state the field):

- ``avoid``: an avoided phrase names a workplace condition the opening's text
  shows, or all its words occur in the text (not negated), both judged by
  words with `matcher.conditions` and `matcher.scoring.avoided_phrase_in_text`.
  ipsmatch also links phrases to conditions by meaning; this check does not,
  so it can miss what only meaning shows, equally for every system;
- ``hours``: the weekly hour ranges do not overlap;
- ``schedule``: the opening names a working time the person does not accept;
- ``commute``: straight-line distance beyond ``max_commute_km`` (when both
  places have coordinates, or a postcode the given table knows);
- ``kind``: the opening's kind is not among the person's kinds.

Hours, times, commute and kind are checked on arrays over many openings at
once; avoided phrases, a plain-Python word search, only where asked, and
cached by phrase and text (catalogues repeat texts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from evaluation.history import Catalogue
from evaluation.profiles import ProfileVersion
from matcher.conditions import conditions_in_text, conditions_named_by_words
from matcher.geo import haversine_km
from matcher.records import Location
from matcher.scoring import avoided_phrase_in_text
from matcher.text import opening_full_text
from matcher.vocabularies import KINDS, SCHEDULES

Postcodes = Mapping[str, tuple[float, float]]
CODES = ("avoid", "hours", "schedule", "commute", "kind")


def _place(location: Location | None, postcodes: Postcodes | None) -> tuple[float, float] | None:
    if location is None:
        return None
    if location.lat is not None and location.lon is not None:
        return (location.lat, location.lon)
    if location.postcode and postcodes is not None:
        return postcodes.get(location.postcode)
    return None


def _bits(values: Sequence[str] | None, names: tuple[str, ...]) -> int:
    return sum(1 << names.index(v) for v in values or [] if v in names)


class PreferenceChecker:
    """Which stated preferences openings break for a profile version."""

    def __init__(self, catalogue: Catalogue, postcodes: Postcodes | None = None) -> None:
        self.catalogue = catalogue
        self.postcodes = postcodes
        n = len(catalogue)
        self.hours_min = np.full(n, np.nan)
        self.hours_max = np.full(n, np.nan)
        self.lat = np.full(n, np.nan)
        self.lon = np.full(n, np.nan)
        self.schedule = np.zeros(n, dtype=np.int64)
        self.kind = np.zeros(n, dtype=np.int64)
        texts: dict[str, int] = {}
        self.text_of = np.zeros(n, dtype=np.int64)
        for i, opening in enumerate(catalogue.openings):
            hours = opening.hours_per_week
            if hours is not None and hours.stated:
                self.hours_min[i] = hours.min if hours.min is not None else 0.0
                self.hours_max[i] = hours.max if hours.max is not None else 168.0
            place = _place(opening.location, postcodes)
            if place is not None:
                self.lat[i], self.lon[i] = place
            self.schedule[i] = _bits(opening.schedule, SCHEDULES)
            self.kind[i] = _bits([opening.kind], KINDS)
            self.text_of[i] = texts.setdefault(opening_full_text(opening), len(texts))
        self.texts = list(texts)
        self._conditions: dict[int, int] = {}
        self._named: dict[str, int] = {}
        self._words: dict[tuple[str, int], bool] = {}
        self._cache: dict[tuple[str, int], tuple[str, ...]] = {}

    def _shown(self, text: int) -> int:
        found = self._conditions.get(text)
        if found is None:
            found = conditions_in_text(self.texts[text])
            self._conditions[text] = found
        return found

    def avoided(self, version: ProfileVersion, row: int) -> bool:
        """Whether the opening shows something the person said they avoid (by words)."""
        text = int(self.text_of[row])
        for phrase in version.candidate.preferences.avoid:
            named = self._named.get(phrase)
            if named is None:
                named = conditions_named_by_words(phrase)
                self._named[phrase] = named
            if named & self._shown(text):
                return True
            key = (phrase, text)
            found = self._words.get(key)
            if found is None:
                found = avoided_phrase_in_text(phrase, self.texts[text])
                self._words[key] = found
            if found:
                return True
        return False

    def broken(self, version: ProfileVersion, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Per code, which of `rows` break it; all but ``avoid`` (see `avoided`)."""
        candidate = version.candidate
        prefs = candidate.preferences
        none = np.zeros(len(rows), dtype=bool)
        out = {"hours": none, "schedule": none, "commute": none, "kind": none}
        if prefs.hours_per_week is not None and prefs.hours_per_week.stated:
            low = prefs.hours_per_week.min if prefs.hours_per_week.min is not None else 0.0
            high = prefs.hours_per_week.max if prefs.hours_per_week.max is not None else 168.0
            o_min, o_max = self.hours_min[rows], self.hours_max[rows]
            with np.errstate(invalid="ignore"):
                out["hours"] = ~np.isnan(o_min) & (np.fmax(o_min, low) > np.fmin(o_max, high))
        if prefs.schedule:
            out["schedule"] = (self.schedule[rows] & ~_bits(prefs.schedule, SCHEDULES)) != 0
        if prefs.max_commute_km is not None:
            home = _place(candidate.location, self.postcodes)
            if home is not None:
                distance = haversine_km(home[0], home[1], self.lat[rows], self.lon[rows])
                with np.errstate(invalid="ignore"):
                    out["commute"] = distance > prefs.max_commute_km
        out["kind"] = (self.kind[rows] & _bits(prefs.kinds, KINDS)) == 0
        return out

    def mask(self, version: ProfileVersion, rows: np.ndarray) -> np.ndarray:
        """Rows that break hours, times, commute or kind (avoided phrases not included)."""
        return np.logical_or.reduce(list(self.broken(version, rows).values()))

    def violations_of(self, version: ProfileVersion, rows: np.ndarray) -> list[tuple[str, ...]]:
        """`violations` of several openings at once."""
        broken = self.broken(version, rows)
        avoid = bool(version.candidate.preferences.avoid)
        result = []
        for position, row in enumerate(rows):
            found = {code for code, values in broken.items() if values[position]}
            if avoid and self.avoided(version, int(row)):
                found.add("avoid")
            result.append(tuple(code for code in CODES if code in found))
        return result

    def violations(self, version: ProfileVersion, row: int) -> tuple[str, ...]:
        """Every code the opening breaks for the person, in the contract's order."""
        key = (version.key, row)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        broken = self.broken(version, np.asarray([row]))
        found = {code for code, values in broken.items() if values[0]}
        if version.candidate.preferences.avoid and self.avoided(version, row):
            found.add("avoid")
        result = tuple(code for code in CODES if code in found)
        self._cache[key] = result
        return result
