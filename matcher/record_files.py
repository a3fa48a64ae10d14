"""Reading records from files and rows: all or nothing, every problem at once.

Every problem in a file is collected before raising, with its line, record id
and field (`matcher.errors.RecordValidationError`), so one run shows the user
everything to fix; the record models themselves are in `matcher.records`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from matcher.errors import FieldProblem, RecordValidationError
from matcher.records import Candidate, Opening

RecordT = TypeVar("RecordT", bound=BaseModel)


def _problems_from(
    error: ValidationError, line: int | None, record_id: str | None
) -> list[FieldProblem]:
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        message = item["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        problems.append(FieldProblem(line=line, record_id=record_id, field=field, message=message))
    return problems


def parse_records(
    rows: Iterable[tuple[int | None, Any]],
    model: type[RecordT],
    source: str | Path | None = None,
) -> list[RecordT]:
    """Validate `(line, object)` pairs into records, all or nothing.

    Every problem in every row is collected before raising, so one run shows
    the user everything to fix. Duplicate ids are problems too.
    """
    records: list[RecordT] = []
    problems: list[FieldProblem] = []
    first_line_of: dict[str, int | None] = {}
    for line, obj in rows:
        if not isinstance(obj, dict):
            problems.append(
                FieldProblem(line, None, "", f"expected a JSON object, got {type(obj).__name__}")
            )
            continue
        raw_id = obj.get("id")
        record_id = str(raw_id) if raw_id is not None else None
        try:
            record = model.model_validate(obj)
        except ValidationError as error:
            problems.extend(_problems_from(error, line, record_id))
            continue
        if record_id is not None:
            if record_id in first_line_of:
                seen = first_line_of[record_id]
                where = f" (first on line {seen})" if seen is not None else ""
                problems.append(FieldProblem(line, record_id, "id", f"duplicate id{where}"))
                continue
            first_line_of[record_id] = line
        records.append(record)
    if problems:
        raise RecordValidationError(problems, source)
    return records


def jsonl_rows(path: Path, problems: list[FieldProblem]) -> Iterator[tuple[int, Any]]:
    """(line, object) of each non-blank line; a line not JSON goes to `problems`."""
    with path.open(encoding="utf-8-sig") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                yield number, json.loads(text)
            except json.JSONDecodeError as error:
                problems.append(
                    FieldProblem(
                        number, None, "", f"not valid JSON ({error.msg}, column {error.colno})"
                    )
                )


def read_jsonl(path: str | Path, model: type[RecordT]) -> list[RecordT]:
    """Read a JSON Lines file of records; raise one error listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise RecordValidationError([FieldProblem(None, None, "", "file not found")], source=path)
    syntax_problems: list[FieldProblem] = []
    try:
        records = parse_records(jsonl_rows(path, syntax_problems), model, source=path)
    except RecordValidationError as error:
        merged = sorted(syntax_problems + error.problems, key=lambda p: p.line or 0)
        raise RecordValidationError(merged, source=path) from None
    except UnicodeDecodeError as error:
        raise RecordValidationError(
            [FieldProblem(None, None, "", f"not UTF-8 text ({error.reason})")], source=path
        ) from None
    if syntax_problems:
        raise RecordValidationError(syntax_problems, source=path)
    return records


def read_candidates(path: str | Path) -> list[Candidate]:
    return read_jsonl(path, Candidate)


def read_openings(path: str | Path) -> list[Opening]:
    return read_jsonl(path, Opening)
