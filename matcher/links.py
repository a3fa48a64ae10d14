"""Linking records to a taxonomy: the occupations of profiles and openings, and skills shown.

A profile names occupations by code (``preferences.occupations``) or only in
words (its wishes); an opening by code (``occupation``) or only by its title.
`TaxonomyLinks` gives each the ISCO-08 unit groups it is about, inferring a
group from the words where no code is given and the mapping is confident,
so that a wish for "noget med dyr" and an opening titled "Dyrepasser-
medhjælper" meet in group 5164 though neither carries a code. It also says
which ESCO skills a profile's past jobs show (`matcher.skills`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matcher.occupations import OccupationMapper
from matcher.records import Candidate, Opening
from matcher.scoring import occupation_codes_agree
from matcher.skills import SkillEvidence, SkillSource
from matcher.taxonomy import Taxonomy, guess_language, isco_group
from matcher.text import opening_title_text


@dataclass(frozen=True)
class OccupationLink:
    """An occupation a record is about.

    ``group`` is the ISCO-08 unit group, or a broader code exactly as given
    ("51"); ``code`` the code as given or of the best-matching occupation;
    ``text`` the words it was inferred from (None when it was given).
    """

    group: str
    code: str
    text: str | None = None

    def agrees_with(self, other: OccupationLink) -> bool:
        """Same group, or one code inside the other's group ("51" holds "5164")."""
        return occupation_codes_agree(self.group, other.group)


class TaxonomyLinks:
    """The occupations and skills of records, through a fitted `OccupationMapper`.

    Parameters
    ----------
    mapper:
        A fitted `OccupationMapper`.
    min_score:
        The mapper score a wish or a title needs before its best group is
        taken as the record's occupation; weaker matches are left out, since
        a wrong occupation would add to the fit of the wrong openings. On the
        benchmark's 40 Danish wishes, about three in four top groups at or
        above 0.5 are right, against one in seven below 0.45.
    skill_min_score:
        The score a past job title needs to vouch for its occupation's
        essential skills (see `SkillEvidence`).
    """

    def __init__(
        self, mapper: OccupationMapper, *, min_score: float = 0.5, skill_min_score: float = 0.5
    ) -> None:
        self.mapper = mapper
        self.min_score = min_score
        self.evidence = SkillEvidence(mapper, min_score=skill_min_score)

    @property
    def taxonomy(self) -> Taxonomy:
        return self.mapper.taxonomy_

    def _given(self, code: str) -> OccupationLink | None:
        code = code.strip()
        group = self.taxonomy.group_of(code)
        if group is not None:
            return OccupationLink(group=group, code=code)
        if code.isdigit() and 1 <= len(code) < 4:
            return OccupationLink(group=code, code=code)
        return None

    def _inferred(self, texts: Sequence[str]) -> list[OccupationLink | None]:
        if not texts:
            return []
        found: list[OccupationLink | None] = []
        for text, matches in zip(texts, self.mapper.map(list(texts), top=1), strict=True):
            best = matches[0] if matches else None
            if best is None or best.score < self.min_score:
                found.append(None)
            else:
                found.append(OccupationLink(group=best.group, code=best.code, text=text))
        return found

    def of_openings(self, openings: Sequence[Opening]) -> list[OccupationLink | None]:
        """Each opening's occupation: its code, else its title's best group if confident.

        A code the taxonomy does not know (an ESCO URI of another version, say)
        counts as no code.
        """
        links: list[OccupationLink | None] = [
            self._given(o.occupation) if o.occupation else None for o in openings
        ]
        # Openings repeat titles; each distinct title is mapped once.
        titles = sorted(
            {opening_title_text(o) for o, link in zip(openings, links, strict=True) if not link}
        )
        inferred = dict(zip(titles, self._inferred(titles), strict=True))
        return [
            link if link is not None else inferred[opening_title_text(o)]
            for o, link in zip(openings, links, strict=True)
        ]

    def of_candidates(self, candidates: Sequence[Candidate]) -> list[list[OccupationLink]]:
        """Each profile's wanted occupations: the codes it gives and its wishes' best groups."""
        wishes = sorted({w for c in candidates for w in c.preferences.desired})
        inferred = dict(zip(wishes, self._inferred(wishes), strict=True))
        found: list[list[OccupationLink]] = []
        for candidate in candidates:
            links: list[OccupationLink] = []
            for code in candidate.preferences.occupations:
                link = self._given(code)
                if link is not None:
                    links.append(link)
            for wish in candidate.preferences.desired:
                link = inferred[wish]
                if link is not None and all(link.group != known.group for known in links):
                    links.append(link)
            found.append(links)
        return found

    def language(self, candidate: Candidate) -> str:
        """The profile's language, guessed from its words (records carry no language field)."""
        texts = list(candidate.preferences.desired)
        texts.extend(job.title or job.text for job in candidate.competencies.experience)
        return guess_language(texts)

    def title(self, link: OccupationLink, language: str) -> str:
        """The occupation's title in `language` where the taxonomy has one."""
        group = isco_group(link.group) or link.group
        return (
            self.taxonomy.title(group, language) or self.taxonomy.title(link.code, language) or ""
        )

    def skills_shown(self, candidate: Candidate) -> dict[str, SkillSource]:
        """ESCO skill labels the profile's past jobs show, with the job that shows each."""
        # A job given by its description only names no title to look up.
        titles = [job.title for job in candidate.competencies.experience if job.title]
        return self.evidence.sources(titles)
