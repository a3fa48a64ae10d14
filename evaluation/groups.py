"""Group labels per candidate, for fairness measures only.

A CSV with a ``candidate_id`` column and any other columns (``gender``,
``age_band``, ``region``, ...). The labels are read by the fairness measures
and by nothing else: no system in the replay ever sees them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from matcher.errors import FieldProblem, RecordValidationError

ID_COLUMN = "candidate_id"
MISSING = "(no label)"


@dataclass
class GroupLabels:
    """Column → candidate id → label."""

    columns: dict[str, dict[str, str]] = field(default_factory=dict)

    def label(self, column: str, candidate_id: str) -> str:
        return self.columns[column].get(candidate_id, MISSING) or MISSING


def read_groups(path: str | Path, candidate_ids: Collection[str] | None = None) -> GroupLabels:
    """Read group labels, all or nothing; ids must be known candidates when given."""
    path = Path(path)
    if not path.is_file():
        raise RecordValidationError([FieldProblem(None, None, "", "file not found")], source=path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RecordValidationError(
            [FieldProblem(None, None, "", "not UTF-8 text; save the file as UTF-8")], source=path
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[FieldProblem] = []
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as error:
        raise RecordValidationError(
            [FieldProblem(1, None, "", f"unreadable header row ({error})")], source=path
        ) from None
    if ID_COLUMN not in header:
        raise RecordValidationError(
            [FieldProblem(1, None, ID_COLUMN, f"missing column; the header has {header}")],
            source=path,
        )
    others = [h for h in header if h != ID_COLUMN]
    if not others:
        raise RecordValidationError(
            [FieldProblem(1, None, "", "no group columns beside candidate_id")], source=path
        )
    labels = GroupLabels({name: {} for name in others})
    seen: dict[str, int] = {}
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(FieldProblem(start, None, "", f"broken CSV quoting ({error})"))
            break
        last_line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(
                FieldProblem(
                    start, None, "", f"{len(values)} fields where the header has {len(header)}"
                )
            )
            continue
        row = {name: value.strip() for name, value in zip(header, values, strict=True)}
        candidate_id = row[ID_COLUMN]
        column_number = header.index(ID_COLUMN) + 1
        if not candidate_id:
            problems.append(
                FieldProblem(start, None, ID_COLUMN, f"is empty (column {column_number})")
            )
            continue
        if candidate_id in seen:
            problems.append(
                FieldProblem(
                    start,
                    candidate_id,
                    ID_COLUMN,
                    f"duplicate candidate (first on line {seen[candidate_id]})",
                )
            )
            continue
        if candidate_ids is not None and candidate_id not in candidate_ids:
            problems.append(
                FieldProblem(
                    start,
                    candidate_id,
                    ID_COLUMN,
                    f"{candidate_id!r} is not in the candidates (column {column_number})",
                )
            )
            continue
        seen[candidate_id] = start
        for name in others:
            labels.columns[name][candidate_id] = row[name]
    if problems:
        raise RecordValidationError(problems, source=path)
    return labels
