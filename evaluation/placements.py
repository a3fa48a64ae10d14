"""Placement history: the contract's CSV of contacts, interviews and hires.

One event a row::

    candidate_id,opening_id,employer_id,stage,date,ended,hours_per_week
    c-0042,o-1007,e-88,contacted,2026-11-03,,
    c-0042,o-1007,e-88,hired,2026-11-20,,15

`read_placements` checks every row and raises one
`matcher.errors.RecordValidationError` listing every problem (file, line,
column by name and number, and for `stage` the allowed values), so a file is
read whole or not at all. `check_references` then checks the rows against
the candidates and openings they name.

Relevance grades (`CONTRACT.md`): hired and still employed 90 days later = 3,
hired = 2, interview = 1, contacted = 0.5.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from evaluation.io import atomic_text
from matcher.errors import FieldProblem, RecordValidationError
from matcher.records import Opening
from matcher.tabular import read_csv

Stage = Literal["contacted", "interview", "hired"]
STAGES: tuple[Stage, ...] = ("contacted", "interview", "hired")
COLUMNS: tuple[str, ...] = (
    "candidate_id",
    "opening_id",
    "employer_id",
    "stage",
    "date",
    "ended",
    "hours_per_week",
)
STAGE_GRADES: Mapping[str, float] = {"contacted": 0.5, "interview": 1.0, "hired": 2.0}
HIRED_AND_STAYED = 3.0
STAYED_DAYS = 90
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


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _parse_row(line: int, row: Mapping[str, str], problems: list[FieldProblem]) -> Placement | None:
    values = {name: (row.get(name) or "").strip() for name in COLUMNS}
    found: list[FieldProblem] = []
    for required in ("candidate_id", "employer_id", "stage", "date"):
        if not values[required]:
            found.append(_problem(line, required, "is empty; it is required"))
    stage = values["stage"]
    if stage and stage not in STAGES:
        found.append(
            _problem(line, "stage", f"unknown stage {stage!r}; allowed: {', '.join(STAGES)}")
        )
    day = _parse_date(values["date"]) if values["date"] else None
    if values["date"] and day is None:
        found.append(
            _problem(line, "date", f"{values['date']!r} is not an ISO date such as 2026-11-22")
        )
    ended: date | None = None
    if values["ended"]:
        ended = _parse_date(values["ended"])
        if ended is None:
            found.append(
                _problem(
                    line, "ended", f"{values['ended']!r} is not an ISO date such as 2026-11-22"
                )
            )
        elif stage in STAGES and stage != "hired":
            found.append(_problem(line, "ended", f"is only for stage 'hired', not {stage!r}"))
        elif day is not None and ended < day:
            found.append(_problem(line, "ended", f"{ended} is before the hire date {day}"))
    hours: float | None = None
    if values["hours_per_week"]:
        try:
            hours = float(values["hours_per_week"])
        except ValueError:
            hours = None
        if hours is None or not math.isfinite(hours) or not 0 <= hours <= 168:
            found.append(
                _problem(
                    line,
                    "hours_per_week",
                    f"{values['hours_per_week']!r} is not a number of hours from 0 to 168",
                )
            )
        elif stage in STAGES and stage != "hired":
            found.append(
                _problem(line, "hours_per_week", f"is only for stage 'hired', not {stage!r}")
            )
    problems.extend(found)
    if found or day is None:  # a missing date is among the problems found
        return None
    return Placement(
        candidate_id=values["candidate_id"],
        opening_id=values["opening_id"] or None,
        employer_id=values["employer_id"],
        stage=stage,  # type: ignore[arg-type]
        date=day,
        ended=ended,
        hours_per_week=hours,
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
) -> None:
    """Every row names a known candidate and opening, and the opening's own employer."""
    problems: list[FieldProblem] = []
    for p in placements:
        if p.candidate_id not in candidate_ids:
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
