"""Storing a taxonomy as one gzipped JSON file, replaced whole or not at all.

Relations are stored as columns of indices: 129,000 rows of repeated URIs
would otherwise be most of the file.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matcher.errors import StoredDataError
from matcher.files import atomic_file
from matcher.taxonomy.concepts import Occupation, Skill, SkillRelation, TaxonomySource

TAXONOMY_FILENAME = "taxonomy.json.gz"
_FORMAT = "ipsmatch-taxonomy"
_FORMAT_VERSION = 1

Decoded = tuple[
    list[Occupation], list[Skill], list[SkillRelation], list[TaxonomySource], str | None
]


def encode(
    occupations: Sequence[Occupation],
    skills: Sequence[Skill],
    relations: Sequence[SkillRelation],
    sources: Sequence[TaxonomySource],
    imported: str | None,
) -> dict[str, Any]:
    """A taxonomy's parts as the stored document (JSON-ready)."""
    occupation_index: dict[str, int] = {}
    for relation in relations:
        occupation_index.setdefault(relation.occupation, len(occupation_index))
    skill_index: dict[str, int] = {}
    for skill in skills:
        skill_index.setdefault(skill.uri, len(skill_index))
    return {
        "format": _FORMAT,
        "version": _FORMAT_VERSION,
        "imported": imported,
        "sources": [vars(s) for s in sources],
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
            for o in occupations
        ],
        "skills": [
            [s.uri, s.label, s.language, list(s.alt_labels), s.description, s.skill_type]
            for s in skills
        ],
        "relation_occupations": list(occupation_index),
        "relation_skills": list(skill_index),
        "relations": {
            "occupation": [occupation_index[r.occupation] for r in relations],
            "skill": [skill_index.get(r.skill, -1) for r in relations],
            "uri": [r.skill if r.skill not in skill_index else "" for r in relations],
            "label": [r.label for r in relations],
            "essential": [int(r.relation == "essential") for r in relations],
        },
    }


def decode(data: dict[str, Any]) -> Decoded:
    """The parts of a stored document; `StoredDataError` for another format or version."""
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
    return occupations, skills, relations, sources, data.get("imported")


def write(folder: str | Path, document: dict[str, Any]) -> Path:
    """Write ``taxonomy.json.gz`` in `folder`, replacing any earlier one atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / TAXONOMY_FILENAME
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    with (
        atomic_file(target) as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as stream,
    ):
        stream.write(payload.encode("utf-8"))
    return target


def exists(folder: str | Path) -> bool:
    return (Path(folder) / TAXONOMY_FILENAME).is_file()


def load(folder: str | Path) -> Decoded:
    """The parts stored in `folder`; `StoredDataError` when missing, unreadable or old."""
    path = Path(folder) / TAXONOMY_FILENAME
    if not path.is_file():
        raise StoredDataError(
            f"no taxonomy in {folder}; import one with `ipsmatch taxonomy import`"
        )
    try:
        with gzip.open(path, "rb") as stream:
            return decode(json.loads(stream.read().decode("utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StoredDataError(
            f"the saved taxonomy {path} is unreadable ({error}); import it again"
        ) from error
