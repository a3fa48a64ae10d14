"""Turning records into the texts the encoders see."""

from __future__ import annotations

import re
import unicodedata

from matcher.records import Candidate, Opening

# A wish is compared with the whole opening and with each of its parts: a short
# phrase such as "støjende miljø" is diluted in a long passage but stands out
# against the one sentence that mentions it.
MAX_DESCRIPTION_SENTENCES = 4
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def opening_full_text(opening: Opening) -> str:
    parts = [opening.title]
    if opening.industry:
        parts.append(opening.industry)
    if opening.description:
        parts.append(opening.description)
    return ". ".join(p.rstrip(". ") for p in parts)


def opening_title_text(opening: Opening) -> str:
    if opening.industry:
        return f"{opening.title} ({opening.industry})"
    return opening.title


def opening_segments(opening: Opening) -> list[str]:
    """The passages one opening is encoded as: the whole text first, then its parts."""
    segments = [opening_full_text(opening), opening_title_text(opening)]
    segments.extend(split_sentences(opening.description)[:MAX_DESCRIPTION_SENTENCES])
    unique: list[str] = []
    for segment in segments:
        if segment not in unique:
            unique.append(segment)
    return unique


def competency_texts(candidate: Candidate) -> list[str]:
    """What the person has done or can do, one phrase a text."""
    comp = candidate.competencies
    texts = list(comp.skills)
    texts.extend(job.text for job in comp.experience)
    texts.extend(comp.education)
    return texts
