"""Skills shown by past work, through ESCO's occupation-skill relations.

Someone who has worked as a "lagermedarbejder" has done what a warehouse
worker does: ESCO lists the skills essential to each occupation, so a past
job title that maps to an ESCO occupation is evidence of that occupation's
essential skills. `SkillEvidence` turns a person's past job titles into
that set of ESCO skill labels, and remembers which job showed which skill,
so a reason can say so. Optional skills are not evidence: many holders of
the job never use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matcher.occupations import OccupationMapper, OccupationMatch
from matcher.taxonomy import guess_language


@dataclass(frozen=True)
class SkillSource:
    """Why a skill counts as shown: the text, and the ESCO occupation it maps to."""

    text: str
    occupation: str
    occupation_title: str


class SkillEvidence:
    """ESCO skill labels evidenced by texts of past work.

    Parameters
    ----------
    mapper:
        A fitted `OccupationMapper` over a taxonomy with ESCO occupations and
        occupation-skill relations.
    min_score:
        The mapper score a text needs for its best ESCO occupation to count;
        below it the text is too vague to vouch for that job's skills.
    """

    def __init__(self, mapper: OccupationMapper, *, min_score: float = 0.5) -> None:
        self.mapper = mapper
        self.min_score = min_score

    def occupations(self, texts: Sequence[str]) -> list[OccupationMatch | None]:
        """Each text's ESCO occupation, or None where the text's group is unsure.

        The group comes first (Danish titles find it through DISCO-08), then
        the ESCO occupation of that group that the text matches best.
        """
        texts = list(texts)
        sure = [
            (i, found[0].group)
            for i, found in enumerate(self.mapper.map(texts, top=1))
            if found and found[0].score >= self.min_score
        ]
        chosen = self.mapper.best_occupations(
            [texts[i] for i, _ in sure], groups=[group for _, group in sure]
        )
        result: list[OccupationMatch | None] = [None] * len(texts)
        for (i, _), match in zip(sure, chosen, strict=True):
            result[i] = match
        return result

    def sources(self, texts: Sequence[str]) -> dict[str, SkillSource]:
        """Evidenced skill label → the first text (and occupation) showing it."""
        taxonomy = self.mapper.taxonomy_
        shown: dict[str, SkillSource] = {}
        texts = [t for t in texts if t.strip()]
        if not texts:
            return shown
        language = guess_language(texts)
        for text, match in zip(texts, self.occupations(texts), strict=True):
            if match is None:
                continue
            for label in taxonomy.essential_skills(match.code, language):
                shown.setdefault(label, SkillSource(text, match.code, match.title))
        return shown

    def evidenced(self, texts: Sequence[str]) -> set[str]:
        """The ESCO skill labels the texts show through their occupations' essential skills."""
        return set(self.sources(texts))
