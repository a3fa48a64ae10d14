"""The joined taxonomy: DISCO-08 and ESCO occupations, skills and relations, by code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from matcher.taxonomy import storage
from matcher.taxonomy.concepts import (
    Occupation,
    Skill,
    SkillRelation,
    TaxonomySource,
    isco_group,
)


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
        return storage.encode(
            self.occupations, self.skills, self.relations, self.sources, self.imported
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Taxonomy:
        return cls(*storage.decode(data))

    def save(self, folder: str | Path) -> Path:
        """Write ``taxonomy.json.gz`` in `folder`, replacing any earlier one atomically."""
        return storage.write(folder, self.to_dict())

    @staticmethod
    def exists(folder: str | Path) -> bool:
        return storage.exists(folder)

    @classmethod
    def load(cls, folder: str | Path) -> Taxonomy:
        return cls(*storage.load(folder))
