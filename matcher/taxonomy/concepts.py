"""The concepts of an occupation taxonomy: occupations, skills, their relations.

Plain records shared by the readers (`disco`, `esco`), the joined
`Taxonomy` and its storage; `isco_group` is the join key of the two worlds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

RelationType = Literal["essential", "optional"]
RELATION_TYPES: tuple[str, ...] = ("essential", "optional")
SOURCES: tuple[str, ...] = ("disco08", "esco", "isco")
# DISCO code length by level: 1, 2, 3 and 4 digits are ISCO's; level 5 is DISCO's own 6.
DISCO_CODE_LENGTH = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6}

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


def isco_group(code: str) -> str | None:
    """The ISCO-08 unit group of a DISCO/ISCO code of 4 digits or more; None otherwise."""
    code = code.strip()
    if code.isdigit() and len(code) >= 4:
        return code[:4]
    return None


def alt_labels(text: str) -> tuple[str, ...]:
    # ESCO separates alternative labels by newlines; blank and repeated ones are dropped.
    seen: dict[str, None] = {}
    for label in text.replace("\r", "\n").split("\n"):
        label = label.strip().lstrip("-•").strip()
        if label:
            seen.setdefault(label, None)
    return tuple(seen)
