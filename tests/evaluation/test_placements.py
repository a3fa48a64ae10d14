from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from evaluation_builders import event, make_opening

from evaluation.placements import (
    COLUMNS,
    Placement,
    check_references,
    read_placements,
    write_placements,
)
from matcher.errors import RecordValidationError

HEADER = ",".join(COLUMNS)


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "placements.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def problems_of(path: Path) -> tuple[str, RecordValidationError]:
    with pytest.raises(RecordValidationError) as caught:
        read_placements(path)
    return str(caught.value), caught.value


def test_reads_the_contract_format_sorted_by_date(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c-1,o-1,e-1,hired,2025-03-01,2025-09-30,25",
        "c-1,o-1,e-1,contacted,2025-02-01,,",
        "c-2,,e-9,interview,2025-02-10,,",
    )
    placements = read_placements(path)
    assert [p.stage for p in placements] == ["contacted", "interview", "hired"]
    hire = placements[-1]
    assert hire.ended == date(2025, 9, 30) and hire.hours_per_week == 25.0
    assert hire.line == 2
    assert placements[1].opening_id is None  # found without a posted opening


def test_unknown_stage_names_file_line_column_and_allowed_stages(tmp_path: Path) -> None:
    path = write(tmp_path, "c-1,o-1,e-1,contacted,2025-02-01,,", "c-1,o-1,e-1,hire,2025-03-01,,")
    message, error = problems_of(path)
    assert "placements.csv" in message
    assert "line 3" in message
    assert "'stage'" in message and "(column 4)" in message
    assert "unknown stage 'hire'; allowed: contacted, interview, hired" in message
    assert len(error.problems) == 1


def test_every_problem_is_reported_and_nothing_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c-1,o-1,e-1,contacted,2025-02-31,,",  # no such day
        ",o-1,e-1,contacted,2025-02-01,,",  # no candidate
        "c-1,o-1,e-1,interview,2025-02-01,2025-03-01,",  # ended on an interview
        "c-1,o-1,e-1,hired,2025-02-01,2025-01-01,20",  # ended before hired
        "c-1,o-1,e-1,hired,2025-02-01,,200",  # impossible hours
        "c-1,o-1,e-1,contacted,2025-02-01",  # a field short
    )
    message, error = problems_of(path)
    fields = [(p.line, p.field) for p in error.problems]
    assert fields == [
        (2, "date"),
        (3, "candidate_id"),
        (4, "ended"),
        (5, "ended"),
        (6, "hours_per_week"),
        (7, ""),
    ]
    assert "'2025-02-31' is not an ISO date" in message
    assert "is only for stage 'hired', not 'interview'" in message
    assert "5 fields where the header has 7" in message


def test_missing_column_is_reported_on_the_header_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c-1,o-1,contacted,2025-02-01,,",
        header="candidate_id,opening_id,stage,date,ended,hours_per_week",
    )
    message, error = problems_of(path)
    assert error.problems[0].line == 1 and error.problems[0].field == "employer_id"
    assert "missing column" in message


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(RecordValidationError, match="file not found"):
        read_placements(tmp_path / "none.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        (HEADER + "\nc-1,o-1,e-1,contacted,2025-02-01,,\nc-æ,o,e,hired,2025-01-01,,\n").encode(
            "latin-1"
        )
    )
    message, error = problems_of(latin)
    assert "not UTF-8" in message and error.problems[0].line == 3


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    placements = [
        event("c-1", "o-1", "contacted", "2025-02-01"),
        Placement("c-1", "o-1", "e-o-1", "hired", date(2025, 3, 1), date(2025, 6, 1), 22.5),
        event("c-2", None, "interview", "2025-03-02", employer_id="e-7"),
    ]
    path = tmp_path / "out" / "p.csv"
    write_placements(path, placements)
    back = read_placements(path)
    assert [
        (p.candidate_id, p.opening_id, p.stage, p.date, p.ended, p.hours_per_week) for p in back
    ] == [
        (p.candidate_id, p.opening_id, p.stage, p.date, p.ended, p.hours_per_week)
        for p in placements
    ]


def test_references_must_name_known_candidates_openings_and_their_employer() -> None:
    openings = {"o-1": make_opening("o-1", "Lager", "2025-01-01", "2025-03-01", employer_id="e-1")}
    placements = [
        Placement("c-1", "o-1", "e-1", "contacted", date(2025, 2, 1), line=2),
        Placement("c-9", "o-1", "e-1", "contacted", date(2025, 2, 1), line=3),
        Placement("c-1", "o-9", "e-1", "contacted", date(2025, 2, 1), line=4),
        Placement("c-1", "o-1", "e-2", "contacted", date(2025, 2, 1), line=5),
        Placement("c-1", None, "e-5", "contacted", date(2025, 2, 1), line=6),
    ]
    with pytest.raises(RecordValidationError) as caught:
        check_references(placements, {"c-1"}, openings, source="p.csv")
    assert [(p.line, p.field) for p in caught.value.problems] == [
        (3, "candidate_id"),
        (4, "opening_id"),
        (5, "employer_id"),
    ]
    assert "differs from the employer of opening 'o-1' ('e-1')" in str(caught.value)


@pytest.mark.parametrize(
    ("stage", "ended", "known_until", "grade"),
    [
        ("contacted", None, "2025-12-31", 0.5),
        ("interview", None, "2025-12-31", 1.0),
        ("hired", None, "2025-12-31", 3.0),  # still employed at the end, well past 90 days
        ("hired", "2025-05-01", "2025-12-31", 3.0),  # ended 90 days after the hire: stayed
        ("hired", "2025-04-30", "2025-12-31", 2.0),  # ended on day 89
        ("hired", None, "2025-03-15", 2.0),  # the 90 days are not yet seen
        ("hired", "2025-09-01", "2025-03-15", 2.0),  # an end after known_until is not known
    ],
)
def test_grades_follow_the_contract(
    stage: str, ended: str | None, known_until: str, grade: float
) -> None:
    placement = event("c-1", "o-1", stage, "2025-01-31", ended=ended)
    assert placement.grade(date.fromisoformat(known_until)) == grade
