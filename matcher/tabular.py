"""Reading the CSV exports users import (taxonomies, postcode tables), with exact error places,
and the small lists ipsmatch ships (`packaged_rows`).

Every problem names the file, the physical line (a quoted field may span
lines, as ESCO's newline-separated alternative labels do), and the column by
name and number, so a user can open the file and fix it. Problems are
collected, not raised one at a time, and the caller decides whether the file
is refused as a whole.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matcher.errors import EncoderError, FieldProblem, RecordValidationError

# ESCO descriptions are long; the csv module's default limit (128 KiB) is only
# reached by a file whose quotes are broken, which is then reported as such.
_FIELD_LIMIT = 1 << 20
_LANGUAGE_SUFFIX = re.compile(r"_([a-z]{2})(?:[-_][A-Za-z]{2})?$")


def language_from_name(path: Path, default: str) -> str:
    """The language an export is in, from its name: ``occupations_da.csv`` is Danish."""
    found = _LANGUAGE_SUFFIX.search(path.stem)
    return found.group(1) if found else default


@dataclass
class Row:
    """One record of a CSV file: where it starts and its values by column name."""

    line: int
    values: dict[str, str]
    columns: dict[str, int]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def problem(self, column: str, message: str, record_id: str | None = None) -> FieldProblem:
        number = self.columns.get(column)
        where = f" (column {number})" if number is not None else ""
        return FieldProblem(self.line, record_id, column, f"{message}{where}")


@dataclass
class CsvTable:
    """A CSV file read whole: its header, its rows, and the problems met reading them."""

    path: Path
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    problems: list[FieldProblem] = field(default_factory=list)

    def require(self, *columns: str) -> bool:
        """Record a problem for each required column the header lacks."""
        missing = [c for c in columns if c not in self.header]
        for column in missing:
            shown = ",".join(self.header) if len(",".join(self.header)) < 160 else "..."
            self.problems.append(
                FieldProblem(
                    1,
                    None,
                    column,
                    f"missing column; the header has {len(self.header)} columns "
                    f"({shown}); needed: {', '.join(columns)}",
                )
            )
        return not missing

    def raise_if_problems(self) -> None:
        if self.problems:
            ordered = sorted(self.problems, key=lambda p: p.line or 0)
            raise RecordValidationError(ordered, source=self.path)


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RecordValidationError(
            [
                FieldProblem(
                    line,
                    None,
                    "",
                    f"not UTF-8 text (byte {data[error.start]:#04x}); save the file as UTF-8",
                )
            ],
            source=path,
        ) from None


def read_csv(path: str | Path, delimiter: str = ",", expect: Sequence[str] = ()) -> CsvTable:
    """Read a CSV file with a header row.

    Rows with the wrong number of fields, broken quoting and blank header
    names are problems. `expect` names columns whose absence makes a likely
    wrong delimiter worth saying.
    """
    path = Path(path)
    if not path.is_file():
        raise RecordValidationError([FieldProblem(None, None, "", "file not found")], source=path)
    text = _decode(path)
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    table = CsvTable(path=path, header=[])
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise RecordValidationError(
            [FieldProblem(1, None, "", f"unreadable header row ({error})")], source=path
        ) from None
    if header is None:
        raise RecordValidationError(
            [FieldProblem(1, None, "", "the file is empty; expected a header row")], source=path
        )
    table.header = [h.strip() for h in header]
    if expect and not set(expect) & set(table.header) and len(table.header) == 1:
        other = ";" if delimiter == "," else ","
        if other in table.header[0]:
            raise RecordValidationError(
                [
                    FieldProblem(
                        1,
                        None,
                        "",
                        f"the header is one column ({table.header[0][:80]!r}); fields must be "
                        f"separated by {delimiter!r}, not {other!r}",
                    )
                ],
                source=path,
            )
    columns = {name: number for number, name in enumerate(table.header, start=1)}
    width = len(table.header)
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            table.problems.append(
                FieldProblem(start, None, "", f"broken CSV quoting ({error}); check the quotes")
            )
            break
        last_line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != width:
            table.problems.append(
                FieldProblem(
                    start,
                    None,
                    "",
                    f"{len(values)} fields where the header has {width}; a {delimiter!r} too many "
                    "or too few, or a field needing quotes",
                )
            )
            continue
        table.rows.append(Row(start, dict(zip(table.header, values, strict=True)), columns))
    return table


def packaged_rows(
    path: Path, columns: Sequence[str], what: str, error: type[EncoderError] = EncoderError
) -> list[tuple[int, list[str]]]:
    """The rows of one of the lists ipsmatch ships (phrase pairs, wish expansions).

    The file must have exactly `columns`; each row comes with its line number and its
    cells in that order, stripped. `what` names the list in errors
    (`matcher.errors.EncoderError`: the lists shape the encoder's space and queries).
    """
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != tuple(columns):
                raise error(
                    f"{path}: the columns must be {', '.join(columns)}, "
                    f"got {', '.join(reader.fieldnames or ()) or 'none'}"
                )
            return [
                (line, [(row.get(c) or "").strip() for c in columns])
                for line, row in enumerate(reader, start=2)
            ]
    except OSError as problem:
        raise error(f"{path}: cannot read the {what} ({problem})") from problem


def split_phrasings(cell: str) -> tuple[str, ...]:
    """The ``|``-separated phrasings of a packaged list's cell, stripped, each once."""
    return tuple(dict.fromkeys(p.strip() for p in cell.split("|") if p.strip()))


def claim_phrasings(
    keys: Iterable[str],
    line: int,
    first_line: dict[str, int],
    where: Path,
    what: str,
    error: type[EncoderError] = EncoderError,
) -> None:
    """Record that `keys` belong to `line`; a key another line holds is refused.

    A phrasing under two entries of a packaged list could not say which one it
    means; `what` names an entry in the message ("entry", "skill").
    """
    for key in sorted(set(keys)):
        if key in first_line:
            raise error(
                f"{where}, line {line}: the phrasing {key!r} is already on line "
                f"{first_line[key]}; a phrasing may name one {what} only"
            )
        first_line[key] = line
