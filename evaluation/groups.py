"""Group labels per candidate, for fairness measures only.

A CSV with a ``candidate_id`` column and any other columns (``gender``,
``age_band``, ``region``, ...). The labels are read by the fairness measures
and by nothing else: no system in the replay ever sees them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from matcher.errors import FieldProblem, RecordValidationError
from matcher.tabular import read_csv

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
    table = read_csv(path, expect=(ID_COLUMN,))
    if not table.require(ID_COLUMN):
        table.raise_if_problems()
    others = [h for h in table.header if h != ID_COLUMN]
    if not others:
        raise RecordValidationError(
            [FieldProblem(1, None, "", "no group columns beside candidate_id")], source=table.path
        )
    labels = GroupLabels({name: {} for name in others})
    seen: dict[str, int] = {}
    for row in table.rows:
        candidate_id = row.get(ID_COLUMN)
        if not candidate_id:
            table.problems.append(row.problem(ID_COLUMN, "is empty"))
        elif candidate_id in seen:
            message = f"duplicate candidate (first on line {seen[candidate_id]})"
            table.problems.append(row.problem(ID_COLUMN, message, candidate_id))
        elif candidate_ids is not None and candidate_id not in candidate_ids:
            message = f"{candidate_id!r} is not in the candidates"
            table.problems.append(row.problem(ID_COLUMN, message, candidate_id))
        else:
            seen[candidate_id] = row.line
            for name in others:
                labels.columns[name][candidate_id] = row.get(name)
    table.raise_if_problems()
    return labels
