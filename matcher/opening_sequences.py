"""Sequences of openings a catalogue keeps without copying them or making them all.

A catalogue keeps the openings it was fitted on as the sequence it was given
(`kept`): a list is copied (references only), any other `Sequence` is kept
as it is, so a read-only view that makes each `Opening` when asked (as
`benchmarks/rank.py` gives a million of them) never becomes a million Python
objects. `joined` appends openings without copying either part, and
`FullTexts` makes an opening's whole text only when it is asked for.
"""

from __future__ import annotations

import functools
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import overload

from matcher.records import Opening
from matcher.text import opening_full_text

# Whole texts a `FullTexts` keeps once made.
FULL_TEXTS_KEPT = 1_024


class FullTexts:
    """Openings' whole texts, each made when asked (only the avoided-words check reads them,
    for the few openings a ranking explains), so a large catalogue holds no second copy of
    its texts; the last `FULL_TEXTS_KEPT` made are kept, as a ranking asks twice."""

    def __init__(self, openings: Sequence[Opening]) -> None:
        self._openings = openings
        self._text = functools.lru_cache(maxsize=FULL_TEXTS_KEPT)(self._made)

    def __getitem__(self, i: int) -> str:
        return self._text(i)

    def _made(self, i: int) -> str:
        return opening_full_text(self._openings[i])


class OpeningsByIndex(Sequence[Opening]):
    """Openings made one at a time by `opening(i)`, read as a list reads (slices, negative
    indices, `IndexError`): the base of every sequence a catalogue keeps without a list."""

    @abstractmethod
    def opening(self, i: int) -> Opening:
        """The opening at `i`, with 0 <= i < len(self)."""

    @overload
    def __getitem__(self, i: int) -> Opening: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Opening]: ...

    def __getitem__(self, i: int | slice) -> Opening | Sequence[Opening]:
        if isinstance(i, slice):
            return [self.opening(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"opening {i} is not in a catalogue of {len(self)}")
        return self.opening(i)


class Joined(OpeningsByIndex):
    """Two sequences of openings read as one, neither copied (`Catalogue.extended`)."""

    def __init__(self, first: Sequence[Opening], second: Sequence[Opening]) -> None:
        self._first = first
        self._second = second

    def __len__(self) -> int:
        return len(self._first) + len(self._second)

    def opening(self, i: int) -> Opening:
        first = len(self._first)
        return self._first[i] if i < first else self._second[i - first]

    def __iter__(self) -> Iterator[Opening]:
        yield from self._first
        yield from self._second


def kept(openings: Sequence[Opening]) -> Sequence[Opening]:
    """What a catalogue keeps of `openings`: a copy of a list, any other sequence as it is."""
    return list(openings) if isinstance(openings, list) else openings


def joined(first: Sequence[Opening], second: Sequence[Opening]) -> Sequence[Opening]:
    """`first` followed by `second`; lists are joined into one list, so that many additions
    to a lazy catalogue make one `Joined` of it and a list, not a chain."""
    if isinstance(first, list) and isinstance(second, list):
        return first + second
    if isinstance(first, Joined) and isinstance(first._second, list) and isinstance(second, list):
        return Joined(first._first, first._second + second)
    return Joined(first, second)
