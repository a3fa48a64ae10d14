"""Wish coverage: does the top k hold something for each of a person's wishes?

A person with several wishes ("tjener", "barista") should see openings for
each near the top, not ten of the first. For a query whose profile states
two or more distinct wishes, wish coverage is the share of those wishes
with at least one opening in the top k that **matches the wish**; queries
with fewer wishes are left out.

Whether an opening matches a wish is decided by a `WishJudge`, never by the
system being measured, so every system is judged the same way (a ranking's
own reasons would let each system grade itself, and baselines give none).
The judge here, `VocabularyJudge`, knows the simulator's texts
(`evaluation.vocabulary`): each wish phrase is written for one occupation
family (a few, such as "være udenfor", for two), each opening title belongs
to one family, and an opening matches a wish when its title's family is one
of the wish's. It judges only queries whose wishes it knows, so on real
placement history, whose wishes are the people's own words, it judges none
and the measure is reported as not available.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from evaluation.history import Catalogue, Query
from evaluation.systems import Suggestions
from evaluation.vocabulary import FAMILIES
from matcher.records import Candidate
from matcher.text import normalise


def distinct_wishes(candidate: Candidate) -> list[str]:
    """The profile's wishes, each once (compared case- and space-insensitively), in order."""
    return list(dict.fromkeys(normalise(w) for w in candidate.preferences.desired if w.strip()))


class WishJudge(Protocol):
    def matches(self, wishes: Sequence[str], rows: np.ndarray) -> np.ndarray | None:
        """A boolean matrix (wish × row): does catalogue row match the wish?

        None when the judge cannot tell for some wish (the query is then not judged).
        """


class VocabularyJudge:
    """Matches by the simulator's occupation families (see the module's docstring)."""

    def __init__(self, catalogue: Catalogue) -> None:
        wish_families: dict[str, set[int]] = {}
        title_family: dict[str, int] = {}
        for number, family in enumerate(FAMILIES):
            for phrases in family.wishes.values():
                for phrase in phrases:
                    wish_families.setdefault(normalise(phrase), set()).add(number)
            for titles in family.titles.values():
                for title in titles:
                    title_family[normalise(title)] = number
        self.wish_families = wish_families
        # -1: a title no family writes, which matches no wish.
        self.row_family = np.asarray(
            [title_family.get(normalise(o.title), -1) for o in catalogue.openings], dtype=np.int64
        )

    def matches(self, wishes: Sequence[str], rows: np.ndarray) -> np.ndarray | None:
        families = [self.wish_families.get(w) for w in wishes]
        if any(f is None for f in families):
            return None
        of_rows = self.row_family[rows]
        return np.asarray([np.isin(of_rows, sorted(f or ())) for f in families], dtype=bool)


def covered_share(matches: np.ndarray) -> float:
    """The share of wishes (rows of `matches`) with at least one matching opening."""
    if matches.shape[0] == 0:
        raise ValueError("wish coverage needs at least one wish")
    return float(matches.any(axis=1).mean())


@dataclass(frozen=True)
class WishCoverage:
    """Per-query coverage: NaN where a query is not judged (fewer than two wishes, or unknown)."""

    per_query: np.ndarray
    # Judged queries whose wishes name different work: the judge matches at least two of
    # them to different openings of the catalogue ("noget med dyr" and "dyrepasser" do
    # not). None when no catalogue was given.
    different_work: np.ndarray | None = None

    @property
    def judged(self) -> np.ndarray:
        return ~np.isnan(self.per_query)

    @property
    def mean(self) -> float | None:
        values = self.per_query[self.judged]
        return float(values.mean()) if len(values) else None


def wish_coverage(
    queries: Sequence[Query],
    answers: Sequence[Suggestions],
    judge: WishJudge,
    k: int = 10,
    min_wishes: int = 2,
    catalogue_rows: np.ndarray | None = None,
) -> WishCoverage:
    """Each query's wish coverage of its top `k` (NaN where it is not judged).

    With `catalogue_rows` (every opening), also which judged queries' wishes name
    different work.
    """
    values = np.full(len(queries), np.nan)
    different = np.zeros(len(queries), dtype=bool)
    for position, (query, answer) in enumerate(zip(queries, answers, strict=True)):
        wishes = distinct_wishes(query.profile.candidate)
        if len(wishes) < min_wishes:
            continue
        matches = judge.matches(wishes, answer.openings[:k])
        if matches is None:
            continue
        values[position] = covered_share(matches)
        if catalogue_rows is not None:
            everywhere = judge.matches(wishes, catalogue_rows)
            different[position] = everywhere is not None and bool(
                (everywhere != everywhere[0]).any()
            )
    return WishCoverage(values, different if catalogue_rows is not None else None)
