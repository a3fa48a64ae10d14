"""Reading DISCO-08, the Danish version of ISCO-08 (Statistics Denmark's export)."""

from __future__ import annotations

from pathlib import Path

from matcher.errors import FieldProblem
from matcher.tabular import language_from_name, read_csv
from matcher.taxonomy.concepts import DISCO_CODE_LENGTH, Occupation, alt_labels


def read_disco(path: str | Path, language: str | None = None) -> list[Occupation]:
    """Read a DISCO-08 export (Statistics Denmark: ``;``-separated, KODE;NIVEAU;TITEL;...).

    Each code must have the length of its level (level 5 codes have six
    digits), appear once, and have its parent one level up in the file.
    """
    path = Path(path)
    table = read_csv(path, delimiter=";", expect=("KODE", "NIVEAU", "TITEL"))
    table.require("KODE", "NIVEAU", "TITEL")
    table.raise_if_problems()
    language = language or language_from_name(path, "da")
    occupations: list[Occupation] = []
    line_of: dict[str, int] = {}
    for row in table.rows:
        code = row.get("KODE")
        level_text = row.get("NIVEAU")
        title = row.get("TITEL")
        problems_before = len(table.problems)
        if not code.isdigit():
            table.problems.append(row.problem("KODE", f"must be digits, got {code!r}", code))
        if level_text not in {"1", "2", "3", "4", "5"}:
            table.problems.append(
                row.problem("NIVEAU", f"must be one of 1, 2, 3, 4, 5, got {level_text!r}", code)
            )
        elif code.isdigit() and len(code) != DISCO_CODE_LENGTH[int(level_text)]:
            expected = DISCO_CODE_LENGTH[int(level_text)]
            table.problems.append(
                row.problem(
                    "KODE",
                    f"a level-{level_text} code has {expected} digits, got {code!r}",
                    code,
                )
            )
        if not title:
            table.problems.append(row.problem("TITEL", "is empty", code))
        if code in line_of:
            table.problems.append(
                row.problem("KODE", f"duplicate code (first on line {line_of[code]})", code)
            )
        if len(table.problems) > problems_before:
            continue
        line_of[code] = row.line
        level = int(level_text)
        notes = row.get("GENERELLE_NOTER")
        included = alt_labels(row.get("INKLUDERER") + "\n" + row.get("INKLUDERER_OGSÅ"))
        occupations.append(
            Occupation(
                code=code,
                title=title,
                language=language,
                group=code[:4] if level >= 4 else None,
                source="disco08",
                level=level,
                alt_labels=included,
                description=notes,
            )
        )
    for occupation in occupations:
        level = occupation.level or 1
        if level == 1:
            continue
        parent = occupation.code[: DISCO_CODE_LENGTH[level - 1]]
        if parent not in line_of:
            line = line_of[occupation.code]
            table.problems.append(
                FieldProblem(
                    line,
                    occupation.code,
                    "KODE",
                    f"its level-{level - 1} parent {parent!r} is not in the file "
                    f"(column {table.header.index('KODE') + 1})",
                )
            )
    table.raise_if_problems()
    return occupations
