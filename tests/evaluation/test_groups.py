from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.groups import read_groups
from matcher.errors import RecordValidationError


def test_reading_group_labels(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("candidate_id,gender,region\nc-1,kvinde,Hovedstaden\nc-2,mand,\n", "utf-8")
    labels = read_groups(path, {"c-1", "c-2", "c-3"})
    assert labels.label("gender", "c-1") == "kvinde"
    assert labels.label("region", "c-2") == "(no label)"
    assert labels.label("gender", "c-3") == "(no label)"


def test_group_label_errors_name_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("candidate_id,gender\nc-1,kvinde\nc-1,mand\nc-9,mand\n,x\n", "utf-8")
    with pytest.raises(RecordValidationError) as caught:
        read_groups(path, {"c-1"})
    assert [(p.line, p.field) for p in caught.value.problems] == [
        (3, "candidate_id"),
        (4, "candidate_id"),
        (5, "candidate_id"),
    ]
    assert "duplicate candidate (first on line 2)" in str(caught.value)
    assert "'c-9' is not in the candidates" in str(caught.value)
    path.write_text("id,gender\nc-1,kvinde\n", "utf-8")
    with pytest.raises(RecordValidationError, match="missing column"):
        read_groups(path)
