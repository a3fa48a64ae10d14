"""Exceptions raised by the matching engine.

Every error names what a user needs to fix it: the file, the line, the record
and the field, and where a field takes a closed set of values, those values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class IpsmatchError(Exception):
    """Base class of every error the engine raises on purpose."""


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one record: where it is and what is wrong."""

    line: int | None
    record_id: str | None
    field: str
    message: str

    def describe(self, source: str | None = None) -> str:
        where = []
        if source:
            where.append(source)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.record_id:
            where.append(f"record {self.record_id!r}")
        prefix = ", ".join(where)
        field = f"field {self.field!r}: " if self.field else ""
        return f"{prefix}: {field}{self.message}" if prefix else f"{field}{self.message}"


class RecordValidationError(IpsmatchError, ValueError):
    """One or more records broke the contract; nothing was read."""

    def __init__(self, problems: list[FieldProblem], source: str | Path | None = None) -> None:
        self.problems = problems
        self.source = str(source) if source is not None else None
        shown = problems[:20]
        lines = [p.describe(self.source) for p in shown]
        if len(problems) > len(shown):
            lines.append(f"... and {len(problems) - len(shown)} more problems")
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{len(problems)} {noun} in the input:\n" + "\n".join(lines))


class EncoderError(IpsmatchError, RuntimeError):
    """The text encoder could not be loaded or used."""


class NotFittedError(IpsmatchError, RuntimeError):
    """A ranker was asked to rank before `fit` was called."""


class StoredDataError(IpsmatchError, RuntimeError):
    """A saved taxonomy or postcode table is missing, unreadable or of an old format."""
