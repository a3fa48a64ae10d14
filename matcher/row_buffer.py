"""Rows with unused room after them: a growing catalogue's vectors, appended to in place."""

from __future__ import annotations

import threading

import numpy as np

# A buffer has room for a quarter more rows than it was made with, at least this many.
GROWTH_ROOM_MIN = 4_096


class RowBuffer:
    """Rows with unused room after them, so that a growing catalogue appends instead of copying.

    A catalogue's segment vectors are a view of the buffer's first `filled`
    rows. Appending writes the rows after them and hands out a longer view;
    the shorter views already handed out see no change, so a catalogue in use
    stays as it was. Only the first append after a given length writes in
    place (a second catalogue extended from the same one gets a copy), and
    the room is untouched memory that costs nothing until written. Service
    processes forked from one fit (`service.prefork`) thus keep sharing the
    fitted rows after a change and each hold only the rows it appended.
    """

    def __init__(self, count: int, width: int, dtype: np.dtype | type) -> None:
        """Room for `count` rows and a quarter more; the first `count` count as filled
        (uninitialised: the maker writes them through `view`)."""
        room = max(count // 4, GROWTH_ROOM_MIN)
        self._rows = np.empty((count + room, width), dtype=dtype)
        self.filled = count
        self._lock = threading.Lock()

    @classmethod
    def holding(cls, rows: np.ndarray, dtype: np.dtype | type) -> RowBuffer:
        """A buffer of `rows` (in `dtype`) with room for a quarter more."""
        buffer = cls(len(rows), rows.shape[1], dtype)
        # Cast in place (no full temporary in the other precision).
        buffer._rows[: len(rows)] = rows
        return buffer

    def is_viewed_whole_by(self, rows: np.ndarray, dtype: np.dtype | type) -> bool:
        """Whether `rows` is this buffer's `view()` in `dtype` (to be taken on, not copied)."""
        return (
            len(rows) == self.filled
            and rows.dtype == self._rows.dtype == np.dtype(dtype)
            and rows.ctypes.data == self._rows.ctypes.data
        )

    def view(self) -> np.ndarray:
        return self._rows[: self.filled]

    def appended(self, length: int, rows: np.ndarray) -> np.ndarray | None:
        """The first `length` rows followed by `rows`, written in place; None if they
        cannot be (another append came first after `length`, or there is no room)."""
        with self._lock:
            end = length + len(rows)
            if length != self.filled or end > len(self._rows):
                return None
            self._rows[length:end] = rows
            self.filled = end
            return self._rows[:end]


def appended_rows(
    buffer: RowBuffer | None, rows: np.ndarray, added: np.ndarray
) -> tuple[RowBuffer, np.ndarray]:
    """`rows` (a view of `buffer`, if there is one) followed by `added`, in `rows`' precision.

    Written in `buffer`'s room where it can be, else copied into a new buffer
    with room of its own; `rows` is left as it was either way. Returns the
    buffer and the view of the rows.
    """
    added = added.astype(rows.dtype, copy=False)
    grown = buffer.appended(len(rows), added) if buffer is not None else None
    if buffer is not None and grown is not None:
        return buffer, grown
    fresh = RowBuffer(len(rows) + len(added), rows.shape[1], rows.dtype)
    grown = fresh.view()
    grown[: len(rows)] = rows
    grown[len(rows) :] = added
    return fresh, grown
