"""Placement history: the contract's CSV of contacts, interviews and hires.

One event a row::

    candidate_id,opening_id,employer_id,stage,date,ended,hours_per_week
    c-0042,o-1007,e-88,contacted,2026-11-03,,
    c-0042,o-1007,e-88,hired,2026-11-20,,15

`read_placements` checks every row with the contract's model
(`matcher.placement_events.PlacementRecord`, which the service's events share) and
raises one
`matcher.errors.RecordValidationError` listing every problem (file, line,
column by name and number, and for `stage` the allowed values), so a file is
read whole or not at all. `check_references` then checks the rows against
the candidates and openings they name.

Relevance grades (`data/contract/README.md`, defined in `matcher.vocabularies`):
hired and still employed 90 days later = 3, hired = 2, interview = 1,
contacted = 0.5.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pydantic import ValidationError

from evaluation.io import atomic_text
from matcher.errors import FieldProblem, RecordValidationError
from matcher.placement_events import PLACEMENT_COLUMNS, PlacementRecord
from matcher.records import Opening
from matcher.tabular import read_csv
from matcher.vocabularies import HIRED_AND_STAYED, STAGE_GRADES, STAYED_DAYS, Stage

# The contract's columns, in order.
COLUMNS = PLACEMENT_COLUMNS
# `Placement.date` is a field named like the type; the alias keeps the type nameable in it.
Day = date


@dataclass(frozen=True)
class Placement:
    """One event of the history; `line` is where it is in its file (0 when built in code)."""

    candidate_id: str
    opening_id: str | None
    employer_id: str
    stage: Stage
    date: Day
    ended: Day | None = None
    hours_per_week: float | None = None
    line: int = 0

    def grade(self, known_until: Day) -> float:
        """The contract's relevance grade, using only what was known on `known_until`.

        A hire whose end lies after `known_until` counts as still going on that
        day, so a hire 40 days before `known_until` is graded 2 however long it
        later lasted: the 90 days are not yet seen.
        """
        if self.stage != "hired":
            return STAGE_GRADES[self.stage]
        ended = self.ended if self.ended is not None and self.ended <= known_until else None
        employed_through = ended if ended is not None else known_until
        if employed_through >= self.date + timedelta(days=STAYED_DAYS):
            return HIRED_AND_STAYED
        return STAGE_GRADES["hired"]


def _problem(line: int, column: str, message: str) -> FieldProblem:
    number = COLUMNS.index(column) + 1 if column in COLUMNS else None
    where = f" (column {number})" if number is not None else ""
    return FieldProblem(line, None, column, f"{message}{where}")


def _parse_row(line: int, row: Mapping[str, str], problems: list[FieldProblem]) -> Placement | None:
    """One row through the contract's model (`PlacementRecord`), the service's rules too."""
    values = {name: (row.get(name) or "").strip() for name in COLUMNS}
    try:
        record = PlacementRecord.model_validate(values)
    except ValidationError as error:
        for item in error.errors():
            column = str(item["loc"][0]) if item["loc"] else ""
            if item["type"] != "value_error" and not values.get(column):
                message = "is empty; it is required"
            else:
                message = item["msg"].removeprefix("Value error, ")
            problems.append(_problem(line, column, message))
        return None
    return Placement(
        candidate_id=record.candidate_id,
        opening_id=record.opening_id,
        employer_id=record.employer_id,
        stage=record.stage,
        date=record.date,
        ended=record.ended,
        hours_per_week=record.hours_per_week,
        line=line,
    )


def read_placements(path: str | Path) -> list[Placement]:
    """Read a placement history CSV, all or nothing; events sorted by date (stable)."""
    table = read_csv(path, expect=COLUMNS)
    complete = table.require(*COLUMNS)
    problems = list(table.problems)
    placements: list[Placement] = []
    if complete:
        for row in table.rows:
            placement = _parse_row(row.line, row.values, problems)
            if placement is not None:
                placements.append(placement)
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise RecordValidationError(problems, source=table.path)
    placements.sort(key=lambda p: p.date)
    return placements


def check_references(
    placements: Iterable[Placement],
    candidate_ids: Collection[str],
    openings: Mapping[str, Opening],
    source: str | Path | None = None,
    erased: Collection[str] = (),
) -> None:
    """Every row names a known candidate and opening, and the opening's own employer.

    `erased` are candidates whose profile was erased while their events were
    kept under a pseudonym: their rows are valid history without a profile.
    """
    problems: list[FieldProblem] = []
    for p in placements:
        if p.candidate_id not in candidate_ids and p.candidate_id not in erased:
            problems.append(
                _problem(p.line, "candidate_id", f"{p.candidate_id!r} is not in the candidates")
            )
        if p.opening_id is None:
            continue
        opening = openings.get(p.opening_id)
        if opening is None:
            problems.append(
                _problem(p.line, "opening_id", f"{p.opening_id!r} is not in the openings")
            )
        elif opening.employer_id != p.employer_id:
            problems.append(
                _problem(
                    p.line,
                    "employer_id",
                    f"{p.employer_id!r} differs from the employer of opening {p.opening_id!r} "
                    f"({opening.employer_id!r})",
                )
            )
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise RecordValidationError(problems, source=source)


def placements_csv(placements: Sequence[Placement]) -> str:
    """Events as the contract's CSV text, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in placements:
        writer.writerow(
            [
                p.candidate_id,
                p.opening_id or "",
                p.employer_id,
                p.stage,
                p.date.isoformat(),
                p.ended.isoformat() if p.ended else "",
                "" if p.hours_per_week is None else f"{p.hours_per_week:g}",
            ]
        )
    return buffer.getvalue()


def write_placements(path: str | Path, placements: Sequence[Placement]) -> None:
    """Write events in the contract's CSV format, whole or not at all."""
    atomic_text(path, placements_csv(placements))
