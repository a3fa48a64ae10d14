"""Known skills in Danish and English: which phrases name the same skill, and which
skill is a kind of another.

The encoder cannot tell a skill from a neighbour of the same field: short phrases
such as "Photoshop" and "AutoCAD", "Python" and "Java", "engelsk" and "tysk" sit
as close as "kassesystem" and "cash register" do, and closer than "madlavning" and
"cooking" (`benchmarks/README.md`, "Required skills by what is known"). So a
required skill that the person lacks looked met, and one they hold in the other
language looked like a gap. What everyone knows about common skills settles those
pairs instead: `SkillLexicon` reads a packaged list (`matcher/data/skills_da_en.csv`,
written for ipsmatch) of skills, each with its phrasings in both languages and the
broader skill it is a kind of ("Photoshop" is a kind of "billedbehandling").

A held skill meets a required one when both name the same skill, or the held one
is a kind of the required one (someone who uses Photoshop does image editing; one
who does cleaning has not shown window cleaning). Two different known skills are
a gap, however close the encoder puts them. Only phrases the list does not know,
or names with more said around them ("window cleaning with a lift"), are left to
the encoder (`matcher.scorer.skills`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from matcher.errors import EncoderError
from matcher.tabular import claim_phrasings, packaged_rows, split_phrasings
from matcher.text import normalise

__all__ = [
    "SKILLS_PATH",
    "KnownSkill",
    "SkillComparison",
    "SkillLexicon",
    "SkillListError",
    "packaged_lexicon",
    "packaged_skills",
    "read_skills",
    "skill_key",
]

SKILLS_PATH = Path(__file__).parent / "data" / "skills_da_en.csv"
SKILL_COLUMNS = ("skill", "phrasings", "kind_of")

# Words of a skill's name; "#" and "+" stay on the word ("C#", "C++" are not "C").
_TOKEN = re.compile(r"[^\W_]+[#+]*", re.UNICODE)
# Words that introduce a skill in a requirement or a profile and say nothing of
# which skill it is ("erfaring med Excel", "knowledge of SAP").
_LEAD_INS = (
    "erfaring med",
    "erfaring i",
    "kendskab til",
    "viden om",
    "gerne",
    "god til",
    "experience with",
    "experience in",
    "experience of",
    "knowledge of",
    "skilled in",
    "good at",
)


# A phrase of more words than this describes work ("truckkørsel og vareindlevering
# på et stort lager") rather than naming a skill with a word or two around it.
MAX_NAME_WORDS = 6


class SkillListError(EncoderError):
    """The packaged list of skills (or one given in its place) is malformed."""


@dataclass(frozen=True)
class KnownSkill:
    """One skill: its name in the list, the phrases that name it, what it is a kind of."""

    name: str
    phrasings: tuple[str, ...]
    kind_of: str | None = None


class SkillComparison(Enum):
    """What the list knows about a held skill against a required one."""

    MEETS = "meets"  # the same skill, or the held one is a kind of the required one
    OTHER = "other"  # two different skills: the requirement is not met by this one


def skill_key(text: str) -> str:
    """The form a phrase is looked up by: lower case, words only, lead-in words dropped."""
    key = " ".join(_TOKEN.findall(normalise(text)))
    for lead_in in _LEAD_INS:
        if key.startswith(lead_in + " "):
            return key[len(lead_in) + 1 :]
    return key


def read_skills(path: Path) -> list[KnownSkill]:
    """Skills of a CSV file with the columns ``skill,phrasings,kind_of``.

    ``phrasings`` holds phrases separated by ``|``; ``kind_of`` names another
    row's ``skill`` or is empty. A phrase may name one skill only, and the
    ``kind_of`` links may not loop.
    """
    skills: list[KnownSkill] = []
    line_of_name: dict[str, int] = {}
    line_of_phrase: dict[str, int] = {}
    for line, (name, said, kind_of) in packaged_rows(
        path, SKILL_COLUMNS, "list of skills", SkillListError
    ):
        phrasings = split_phrasings(said)
        if not name or not phrasings:
            raise SkillListError(f"{path}, line {line}: 'skill' and 'phrasings' are both needed")
        if name in line_of_name:
            raise SkillListError(
                f"{path}, line {line}: the skill {name!r} is already on line {line_of_name[name]}"
            )
        line_of_name[name] = line
        keys = (skill_key(p) for p in phrasings)
        claim_phrasings(keys, line, line_of_phrase, path, "skill", SkillListError)
        skills.append(KnownSkill(name, phrasings, kind_of or None))
    for skill in skills:
        if skill.kind_of is not None and skill.kind_of not in line_of_name:
            raise SkillListError(
                f"{path}, line {line_of_name[skill.name]}: 'kind_of' names {skill.kind_of!r}, "
                "which is no skill of the list"
            )
    _refuse_loops(path, skills, line_of_name)
    return skills


def _refuse_loops(path: Path, skills: list[KnownSkill], line_of_name: dict[str, int]) -> None:
    parent = {s.name: s.kind_of for s in skills}
    for skill in skills:
        seen = {skill.name}
        step = parent[skill.name]
        while step is not None:
            if step in seen:
                raise SkillListError(
                    f"{path}, line {line_of_name[skill.name]}: 'kind_of' of {skill.name!r} "
                    f"leads back to {step!r}; a skill cannot be a kind of itself"
                )
            seen.add(step)
            step = parent[step]


@lru_cache(maxsize=1)
def packaged_skills() -> tuple[KnownSkill, ...]:
    """The list of skills shipped with ipsmatch."""
    return tuple(read_skills(SKILLS_PATH))


@lru_cache(maxsize=1)
def packaged_lexicon() -> SkillLexicon:
    """A `SkillLexicon` of the packaged list, shared (it holds no state but a cache)."""
    return SkillLexicon()


class SkillLexicon:
    """Compares a held skill with a required one by what the list knows of both.

    Parameters
    ----------
    skills:
        The list to compare by; None for the packaged one.
    """

    def __init__(self, skills: tuple[KnownSkill, ...] | list[KnownSkill] | None = None) -> None:
        self.skills = tuple(skills) if skills is not None else packaged_skills()
        self._skill_of: dict[str, str] = {}
        self._broader: dict[str, str | None] = {}
        for skill in self.skills:
            self._broader[skill.name] = skill.kind_of
            for phrasing in skill.phrasings:
                self._skill_of[skill_key(phrasing)] = skill.name
        self._longest = max((len(k.split()) for k in self._skill_of), default=0)
        # Rankings ask about the same few hundred phrases again and again.
        self._named = lru_cache(maxsize=65_536)(self._find)

    def named(self, phrase: str) -> tuple[str, Literal["exactly", "among other words"]] | None:
        """The skill `phrase` names, and whether it names only that.

        A phrase that is one of a skill's phrasings (after `skill_key`) names it
        exactly; one of at most `MAX_NAME_WORDS` words that holds the phrasings
        of one skill among other words ("window cleaning with a lift") names it
        among other words; None where it holds none, or those of two skills, or
        is longer (a description of work is the encoder's to read).
        """
        return self._named(phrase)

    def _find(self, phrase: str) -> tuple[str, Literal["exactly", "among other words"]] | None:
        key = skill_key(phrase)
        if key in self._skill_of:
            return self._skill_of[key], "exactly"
        tokens = key.split()
        if len(tokens) > MAX_NAME_WORDS:
            return None  # a description of work, not the name of a skill: the encoder's
        found: set[str] = set()
        covered = [False] * len(tokens)
        for size in range(min(self._longest, len(tokens) - 1), 0, -1):
            for start in range(len(tokens) - size + 1):
                if any(covered[start : start + size]):
                    continue  # inside a longer phrasing ("cleaning" in "window cleaning")
                skill = self._skill_of.get(" ".join(tokens[start : start + size]))
                if skill is not None:
                    found.add(skill)
                    covered[start : start + size] = [True] * size
        # Two skills in one phrase ("Word og Excel") are not one skill to compare.
        return (found.pop(), "among other words") if len(found) == 1 else None

    def broader(self, name: str) -> list[str]:
        """The skills `name` is a kind of, nearest first."""
        chain = []
        step = self._broader.get(name)
        while step is not None:
            chain.append(step)
            step = self._broader.get(step)
        return chain

    def compare(self, held: str, required: str) -> SkillComparison | None:
        """Whether holding `held` meets `required`, where the list knows; None where not.

        Both named exactly: the same skill or a narrower one meets it, any
        other skill does not. Where either says more than the skill it names,
        only "two unrelated skills" is certain (`OTHER`); the rest is the
        encoder's to judge.
        """
        held_named, required_named = self.named(held), self.named(required)
        if held_named is None or required_named is None:
            return None
        held_skill, held_how = held_named
        required_skill, required_how = required_named
        held_line = [held_skill, *self.broader(held_skill)]
        if held_how == "exactly" and required_how == "exactly":
            return SkillComparison.MEETS if required_skill in held_line else SkillComparison.OTHER
        related = required_skill in held_line or held_skill in self.broader(required_skill)
        return None if related else SkillComparison.OTHER
