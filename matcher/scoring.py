"""Preference-first scoring: the weights, the per-opening checks and the reasons.

The score of an opening is a weighted mean of two fits, each between 0 and 1:

* ``preference_fit``: how well the opening matches what the person wants
  (the best-matching wish, by meaning and by words; a wanted occupation
  code adds to it);
* ``competency_fit``: how well it matches what the person has done or can do
  (relevance of past work and skills, and the share of the opening's
  requirements the profile shows).

The preference weight must exceed the competency weight, so competencies only
reorder openings whose preference fits are close. Openings that break a
stated preference (``violations``) are ordered after every opening that
breaks none, whatever their score.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from functools import lru_cache

from matcher.prose import OpeningTerms, opening_terms
from matcher.reasons import Mention, Part, Reason
from matcher.records import Candidate, Opening
from matcher.text import normalise, words

NEGATIONS = frozenset({"ingen", "ikke", "uden", "no", "not", "without", "never", "aldrig"})


@dataclass(frozen=True)
class ScoringWeights:
    """Weights and thresholds of the scoring layer.

    Defaults are set by hand from the IPS principle that preferences come
    first; `evaluation` can fit the weights on placement history within the
    same order (preference above competency).
    """

    preference: float = 0.8
    competency: float = 0.2
    # Within one wish: meaning (encoder) against words (lexical channel).
    semantic: float = 0.8
    lexical: float = 0.2
    # A wish's meaning fits fully (1) at this many spans above its baseline
    # (`matcher.calibration`); at one span, a look-alike title ties with the wanted work.
    semantic_spans: float = 2.0
    # A title that fits a wish better than the rest of the opening counts this much of
    # its own rise, the rest the whole text's (`matcher.scorer.wish_rise`); 1 is the
    # best segment alone. Measured on the understanding benchmark's `tune` part.
    title_weight: float = 0.5
    # A wish is also looked for in the other language where the packaged Danish-English
    # phrase pairs say it (`matcher.bridge`): it must reach this cosine to one side of a
    # pair and beat the other pairs by `bridge_margin`. Above 1 the bridge is off.
    bridge_similarity: float = 0.95
    bridge_margin: float = 0.01
    # A wish no pair says, in the person's own words, is also looked for as the other side
    # of its nearest pair from this cosine, as a reading that never confirms "matches"
    # (`matcher.bridge`, `near`). Above 1 it is off.
    bridge_near: float = 0.92
    # A wish said as a task, a feeling or a field ("noget med hænderne") is also looked
    # for as the work the packaged list says it names (`matcher.wish_expansion`): it must
    # reach this cosine to one of an entry's phrasings and beat the other entries by
    # `expansion_margin`. Above 1 the expansion is off.
    expansion_similarity: float = 0.94
    expansion_margin: float = 0.01
    # Added to preference fit when a wanted occupation code agrees with the opening's.
    occupation_bonus: float = 0.15
    # Within competency fit: relevance of past work against requirements met.
    experience: float = 0.6
    requirements: float = 0.4
    # An avoided phrase is never matched against whole openings by meaning alone:
    # measured on the demo data, "night shifts" comes as close to "day shifts" as a wish
    # to its job, and a false "avoid" sinks a wanted job. Meaning links the phrase to a
    # workplace condition instead (`matcher.conditions`), found in openings by its signs.
    # Linking an avoided phrase to a workplace condition by meaning (raw cosine, margin).
    condition_similarity: float = 0.88
    condition_margin: float = 0.04
    # Rise (spans above the mean of both phrases' baselines, `matcher.calibration`) at
    # which a profile phrase shows a required skill. Measured on the understanding
    # benchmark's `tune` part: a skill held in other words ("cash register" for
    # "kassesystem") rises 0.97-2.1 spans, one of the same field held not ("regnskab"
    # for "kassesystem") 0.29-0.71.
    skill_threshold: float = 0.85
    # Skills the packaged list knows (`matcher.skill_lexicon`) are compared by it, not
    # by the encoder: "Photoshop" does not meet "AutoCAD", "madlavning" meets
    # "cooking". False leaves every pair to `skill_threshold`.
    known_skills: bool = True
    # Fit at which past work "builds on" (`match_reason`) and a wish at least "partly
    # matches" (`partial_reason`). A wish "matches" only when that fit is confirmed
    # (`wish_match`): the encoder ties the opening's whole text to the wish by
    # `match_whole` spans (`SimilarityScale.rise`), or the lexical channel, which counts
    # only words that start the title's words, reaches `match_words` (and, in
    # `matcher.explanation`, a wish word starts the title's head). Measured on the
    # understanding benchmark's `tune` part (benchmarks/README.md): an encoder fit alone
    # also "matches" look-alike titles ("Plum picker" for "plumber").
    match_reason: float = 0.5
    partial_reason: float = 0.3
    match_whole: float = 1.5
    match_words: float = 0.2
    # An opening for a wish not yet shown may rank above one scoring at most this much
    # more (`matcher.diversity.cover_wishes`); 0 orders by score alone.
    wish_cover_margin: float = 0.3
    # Taken off the score per stated limit an opening gives nothing to check against,
    # and for a missing description (`matcher.scorer.unchecked_limits`).
    unchecked: float = 0.04

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int | float) or value < 0:
                raise ValueError(
                    f"scoring weight {field.name!r} must be a number >= 0, got {value!r}"
                )
        if self.preference <= self.competency:
            raise ValueError(
                "scoring weight 'preference' must be greater than 'competency' "
                f"(preferences first), got {self.preference} <= {self.competency}"
            )
        if self.title_weight > 1:
            raise ValueError(
                f"scoring weight 'title_weight' must be from 0 to 1, got {self.title_weight!r}"
            )
        if self.semantic_spans <= 0:
            raise ValueError(
                f"scoring weight 'semantic_spans' must be > 0, got {self.semantic_spans!r}"
            )
        if self.semantic + self.lexical <= 0 or self.experience + self.requirements <= 0:
            raise ValueError("'semantic'+'lexical' and 'experience'+'requirements' must be > 0")

    def to_dict(self) -> dict[str, float | bool]:
        return asdict(self)


def occupation_codes_agree(wanted: str, offered: str) -> bool:
    """Same code, or one ISCO/DISCO code inside the other's group ("51" holds "5164")."""
    wanted, offered = wanted.strip(), offered.strip()
    if wanted == offered:
        return True
    if wanted.isdigit() and offered.isdigit():
        shorter, longer = sorted((wanted, offered), key=len)
        return len(shorter) >= 2 and longer.startswith(shorter)
    return False


def _stem(word: str) -> str:
    # Danish inflects by suffix ("støjende", "støjen"); compare on a stem.
    return word if len(word) <= 4 else word[: max(4, len(word) - 2)]


# Texts whose words are kept: a ranking looks up each avoided phrase in the texts of its
# top openings, and the same openings come up for ranking after ranking.
TEXT_WORDS_CACHE_SIZE = 8_192


@lru_cache(maxsize=TEXT_WORDS_CACHE_SIZE)
def _text_words(text: str) -> tuple[str, ...]:
    return tuple(words(text))


@lru_cache(maxsize=TEXT_WORDS_CACHE_SIZE)
def avoided_phrase_in_text(phrase: str, text: str) -> bool:
    """Every word of an avoided phrase occurs in the text, and not right after a negation.

    "tunge løft" is found in "Der er tunge løft", not in "ingen tunge løft".
    """
    phrase_words = [_stem(w) for w in words(phrase) if len(w) >= 3]
    if not phrase_words:
        return False
    text_words = _text_words(text)
    for stem in phrase_words:
        positions = [i for i, w in enumerate(text_words) if stem in w]
        affirmed = [
            i for i in positions if not NEGATIONS.intersection(text_words[max(0, i - 2) : i])
        ]
        if not affirmed:
            return False
    return True


def wish_match(fit: float, whole: float, lexical: float, weights: ScoringWeights) -> str | None:
    """How a reason may name the best wish: "matches", "partly matches" or None.

    `fit` is the wish's fit (`ScoringWeights.semantic`/`lexical` mix), `whole` the
    rise of the opening's whole text in spans, `lexical` the lexical channel's cosine
    (given as 0 when no wish word starts the title's head, `matcher.lexical.title_heads`).
    From `partial_reason` a wish "partly matches"; it "matches" when a strong
    whole-text rise or the wish's words at the start of the title's confirm it.
    """
    w = weights
    if fit < w.partial_reason:
        return None
    if whole >= w.match_whole or lexical >= w.match_words:
        return "matches"
    return "partly matches"


def explain(
    candidate: Candidate,
    opening: Opening,
    *,
    best_wish: str | None,
    best_wish_fit: float,
    best_wish_whole: float,
    best_wish_lexical: float,
    occupation_match: str | None,
    avoided: Sequence[tuple[str, tuple[Mention, ...]]],
    distance_km: float | None,
    best_experience: str | None,
    experience_fit: float,
    missing_skills: list[str],
    missing_languages: list[str],
    licence_gap: bool,
    weights: ScoringWeights,
    terms: OpeningTerms | None = None,
) -> list[Reason]:
    """Short reasons a consultant can read out, most important first (`matcher.reasons`).

    `avoided` are the avoided phrases found, each with the workplace conditions it names.
    `terms` are the opening's working times and hours (`matcher.prose.opening_terms`,
    read here when not given); those read from its text name the words they rest on.
    """
    prefs = candidate.preferences
    terms = terms if terms is not None else opening_terms(opening)
    reasons: list[Reason] = []
    said = (
        None
        if best_wish is None
        else wish_match(best_wish_fit, best_wish_whole, best_wish_lexical, weights)
    )
    if best_wish is not None and said == "matches":
        reasons.append(Reason("wish_match", {"wish": best_wish}))
    elif best_wish is not None and said == "partly matches":
        reasons.append(Reason("wish_partial", {"wish": best_wish}))
    else:
        reasons.append(Reason("wish_none"))
    if occupation_match:
        reasons.append(Reason("occupation_wanted", {"occupation": occupation_match}))
    for phrase, conditions in avoided:
        if conditions:
            reasons.append(Reason("avoid_conditions", {"phrase": phrase, "conditions": conditions}))
        else:
            reasons.append(Reason("avoid", {"phrase": phrase}))
    if prefs.hours_per_week and prefs.hours_per_week.stated and terms.hours:
        hours: dict[str, Part] = {"offered": terms.hours, "wanted": prefs.hours_per_week}
        evidence = terms.hours_evidence
        said = "_text" if evidence else ""
        if evidence:
            hours["evidence"] = evidence
        if terms.hours.within(prefs.hours_per_week):
            reasons.append(Reason(f"hours_within{said}", hours))
        elif terms.hours.overlaps(prefs.hours_per_week):
            reasons.append(Reason(f"hours_partly{said}", hours))
        else:
            reasons.append(Reason(f"hours_outside{said}", hours))
    if prefs.schedule and terms.schedule:
        outside = tuple(s for s in terms.schedule if s not in prefs.schedule)
        accepted = tuple(prefs.schedule)
        if outside and terms.schedule_from_text:
            mentions = tuple(Mention(s, terms.schedule_evidence(s)) for s in outside)
            reasons.append(
                Reason("schedule_outside_text", {"said": mentions, "accepted": accepted})
            )
        elif outside:
            reasons.append(Reason("schedule_outside", {"outside": outside, "accepted": accepted}))
        else:
            reasons.append(Reason("schedule_wanted", {"schedules": tuple(terms.schedule)}))
    if distance_km is not None:
        limit = prefs.max_commute_km
        if limit is not None and distance_km > limit:
            reasons.append(Reason("distance_beyond", {"km": distance_km, "limit": limit}))
        else:
            reasons.append(Reason("distance", {"km": distance_km}))
    if opening.kind not in prefs.kinds:
        code = "education_unwanted" if opening.kind == "education" else "job_unwanted"
        reasons.append(Reason(code, {"kinds": tuple(prefs.kinds)}))
    elif opening.kind == "education":
        reasons.append(Reason("education_wanted"))
    if best_experience is not None and experience_fit >= weights.match_reason:
        reasons.append(Reason("builds_on", {"experience": best_experience}))
    if licence_gap:
        reasons.append(Reason("needs_licence"))
    for code in missing_languages:
        reasons.append(Reason("needs_language", {"language": code}))
    for skill in missing_skills:
        reasons.append(Reason("needs_skill", {"skill": skill}))
    if candidate.disclosure == "yes":
        reasons.append(Reason("contact_consultant"))
    else:
        reasons.append(Reason("contact_self"))
    return reasons


_SPACE = re.compile(r"\s+")


def canonical_phrase(text: str) -> str:
    return _SPACE.sub(" ", normalise(text))
