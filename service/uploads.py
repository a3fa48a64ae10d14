"""Reading uploaded files of openings (JSON Lines or CSV) into validated records.

The whole file is read and validated before anything is written: one bad
row rejects the file, with every problem listed by line and field.

CSV files name nested fields with dots and separate list items with ``;``::

    id,employer_id,employer_name,title,description,hours_per_week.min,schedule,location.postcode
    o-1,e-1,Dyreklinikken,Dyrepasser,Pasning af dyr.,15,day;weekend,2400
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from matcher.errors import FieldProblem, RecordValidationError
from matcher.record_files import parse_records
from matcher.records import MAX_DEPTH, Opening
from matcher.tabular import read_csv
from service.schemas import PlacementIn

MAX_ROWS = 50_000
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}
# Fields whose CSV cell holds a list, items separated by ';'.
CSV_LIST_FIELDS = frozenset({"schedule", "requires.skills", "requires.languages"})
CSV_REQUIRED = ("id", "employer_id", "title")


class BinaryUpload(Protocol):
    """What is read of an upload (FastAPI's `UploadFile`): its name and its file."""

    filename: str | None
    file: BinaryIO


class UploadError(ValueError):
    """The file as a whole cannot be read (format, size); `status` is the HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def read_upload(file: BinaryUpload, max_bytes: int) -> tuple[bytes, str]:
    """An uploaded file's bytes and name; `UploadError` (413) when it is above `max_bytes`."""
    data = file.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(f"file larger than {max_bytes // (1024 * 1024)} MiB; split it", 413)
    return data, file.filename or "upload"


def file_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        allowed = ", ".join(sorted(FORMATS))
        raise UploadError(
            f"file {filename!r}: unknown format {suffix or '(no extension)'!r}; allowed: {allowed}",
            status=415,
        )
    return FORMATS[suffix]


def _too_many(filename: str, count: int) -> UploadError:
    return UploadError(
        f"file {filename!r} has more than {MAX_ROWS:,} rows ({count:,} read); split it", status=413
    )


def _jsonl_rows(
    data: bytes, filename: str, problems: list[FieldProblem]
) -> Iterator[tuple[int, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RecordValidationError(
            [FieldProblem(line, None, "", "not UTF-8 text; save the file as UTF-8")],
            source=filename,
        ) from None
    count = 0
    # Lines end at "\n" only: `splitlines` would also split inside a JSON string at
    # U+2028, U+2029 or a form feed, which JSON allows unescaped.
    for number, content in enumerate(text.split("\n"), start=1):
        if not content.strip():
            continue
        count += 1
        if count > MAX_ROWS:
            raise _too_many(filename, count)
        try:
            yield number, json.loads(content)
        except json.JSONDecodeError as error:
            problems.append(
                FieldProblem(
                    number, None, "", f"not valid JSON ({error.msg}, column {error.colno})"
                )
            )
        except RecursionError:
            problems.append(
                FieldProblem(number, None, "", f"nested deeper than {MAX_DEPTH} levels")
            )


def _set_path(target: dict[str, Any], path: list[str], value: Any) -> bool:
    for part in path[:-1]:
        child = target.setdefault(part, {})
        if not isinstance(child, dict):
            return False
        target = child
    if isinstance(target.get(path[-1]), dict):
        return False
    target[path[-1]] = value
    return True


def _csv_rows(path: Path, filename: str, problems: list[FieldProblem]) -> list[tuple[int, Any]]:
    try:
        table = read_csv(path, expect=CSV_REQUIRED)
    except RecordValidationError as error:
        # Name the user's file, not the temporary copy it was read from.
        raise RecordValidationError(error.problems, source=filename) from None
    table.path = Path(filename)
    table.require(*CSV_REQUIRED)
    table.raise_if_problems()
    if len(table.rows) > MAX_ROWS:
        raise _too_many(filename, len(table.rows))
    rows: list[tuple[int, Any]] = []
    for row in table.rows:
        record: dict[str, Any] = {}
        for column, raw in row.values.items():
            value: Any = raw.strip()
            if not value or not column:
                continue
            if column in CSV_LIST_FIELDS:
                value = [item.strip() for item in value.split(";") if item.strip()]
            if not _set_path(record, column.split("."), value):
                problems.append(
                    row.problem(column, "clashes with another column naming the same field")
                )
        rows.append((row.line, record))
    problems.extend(table.problems)
    return rows


def read_openings_upload(data: bytes, filename: str) -> list[Opening]:
    """Every opening of an uploaded file, or one error listing every problem in it."""
    kind = file_format(filename)
    problems: list[FieldProblem] = []
    if kind == "jsonl":
        rows: list[tuple[int, Any]] = list(_jsonl_rows(data, filename, problems))
    else:
        with tempfile.NamedTemporaryFile(suffix=".csv") as spooled:
            spooled.write(data)
            spooled.flush()
            rows = _csv_rows(Path(spooled.name), filename, problems)
    try:
        openings = parse_records(rows, Opening, source=filename)
    except RecordValidationError as error:
        problems.extend(error.problems)
    if problems:
        ordered = sorted(problems, key=lambda p: p.line or 0)
        raise RecordValidationError(ordered, source=filename)
    if not openings:
        raise RecordValidationError(
            [FieldProblem(None, None, "", "the file holds no openings")], source=filename
        )
    return openings


def read_placements_upload(data: bytes, filename: str) -> list[tuple[int, PlacementIn]]:
    """The events of a placement history CSV as `(line, event)`, in date order.

    Rows are checked by the contract's model (`evaluation.placements`, the
    rules `ipsmatch evaluate` applies); a hire's ``ended`` day becomes an
    ``ended`` event of its own, as the service records ends.
    """
    from evaluation.placements import read_placements

    if file_format(filename) != "csv":
        raise UploadError(
            f"file {filename!r}: a placement history is a CSV file (.csv)", status=415
        )
    with tempfile.NamedTemporaryFile(suffix=".csv") as spooled:
        spooled.write(data)
        spooled.flush()
        try:
            placements = read_placements(spooled.name)
        except RecordValidationError as error:
            # Name the user's file, never the temporary copy it was read from.
            raise RecordValidationError(error.problems, source=filename) from None
    if len(placements) > MAX_ROWS:
        raise _too_many(filename, len(placements))
    if not placements:
        raise RecordValidationError(
            [FieldProblem(None, None, "", "the file holds no events")], source=filename
        )
    events: list[tuple[int, PlacementIn]] = []
    for p in placements:
        event = PlacementIn(
            candidate_id=p.candidate_id,
            opening_id=p.opening_id,
            employer_id=p.employer_id,
            stage=p.stage,
            date=p.date,
            hours_per_week=p.hours_per_week,
        )
        events.append((p.line, event))
        if p.ended is not None:
            ended = event.model_copy(
                update={"stage": "ended", "date": p.ended, "hours_per_week": None}
            )
            events.append((p.line, ended))
    # Ends after the hires they close, whatever the file's order.
    events.sort(key=lambda item: item[1].date)
    return events
