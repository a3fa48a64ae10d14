"""The explanation part of the ranker: the order shown, and each result with its reasons.

`pick` orders a scored shortlist (openings with violations after all without)
and `ranked_opening` writes one result of the contract with its reasons. Both
read the `Scored` record and return new values; neither changes it.
"""

from __future__ import annotations

import numpy as np

from matcher.catalogue import Catalogue
from matcher.conditions import condition_names
from matcher.diversity import cover_wishes
from matcher.lexical import starts_a_head, starts_a_modifier
from matcher.prose import opening_terms
from matcher.queries import CandidateQuery
from matcher.reasons import Mention, Reason, english_part
from matcher.records import VIOLATION_CODES, Opening, RankedOpening
from matcher.rules import avoided_words
from matcher.scorer import Scored
from matcher.scoring import ScoringWeights, explain, wish_match
from matcher.text import opening_title_text

# `pick` looks this many times k clean openings deep for other wishes.
COVER_POOL = 3


def pick(
    catalogue: Catalogue,
    query: CandidateQuery,
    chosen: np.ndarray,
    scored: Scored,
    order: np.ndarray,
    k: int,
    weights: ScoringWeights,
) -> list[int]:
    """Shortlist positions of the top k by score, openings with violations after all without.

    Among the openings without violations, each fitting wish gets room near the
    top (`matcher.diversity.cover_wishes`, within `weights.wish_cover_margin`).

    Avoided words are looked up in the text only here, lazily and in rank
    order, because that check is plain Python and the shortlist can be long.
    """
    avoid = query.candidate.preferences.avoid
    # More clean openings than shown, so that `cover_wishes` has others to bring up.
    wanted = k * COVER_POOL if weights.wish_cover_margin > 0 else k
    clean: list[int] = []
    flagged: list[int] = []
    for position in order:
        position = int(position)
        if scored.violated[position]:
            flagged.append(position)
            continue
        if avoid and avoided_words(catalogue, avoid, int(chosen[position])):
            flagged.append(position)
            continue
        clean.append(position)
        if len(clean) == wanted:
            break
    if len(query.candidate.preferences.desired) > 1:
        columns = np.arange(len(chosen))
        fits = scored.wish_fit[scored.best_wish, columns] >= weights.partial_reason
        clean = cover_wishes(
            clean, scored.score, scored.best_wish, fits, k, weights.wish_cover_margin
        )
    clean = clean[:k]
    if len(clean) < k:
        flagged.sort(key=lambda p: (-scored.score[p], int(chosen[p])))
        clean.extend(flagged[: k - len(clean)])
    return clean


def ranked_opening(
    catalogue: Catalogue,
    query: CandidateQuery,
    chosen: np.ndarray,
    scored: Scored,
    position: int,
    rank: int,
    weights: ScoringWeights,
) -> RankedOpening:
    """The result at shortlist `position`, ranked `rank`, with its violations, gaps and reasons."""
    candidate = query.candidate
    prefs = candidate.preferences
    i = int(chosen[position])
    opening = catalogue.openings[i]
    named = query.avoid_conditions & int(catalogue.columns.conditions[i])
    terms = opening_terms(opening)
    avoided: list[tuple[str, tuple[Mention, ...]]] = []
    for j, phrase in enumerate(prefs.avoid):
        if scored.avoided[j, position]:
            conditions = tuple(
                Mention(c, terms.reading.evidence(c) or None)  # no words: the name alone
                for c in condition_names(int(named[j]))
            )
            avoided.append((phrase, conditions))
    for phrase in avoided_words(catalogue, prefs.avoid, i) if prefs.avoid else []:
        if not any(a == phrase or _shown(a, c).startswith(f"{phrase} (") for a, c in avoided):
            avoided.append((phrase, ()))
    violations = [
        code
        for code in VIOLATION_CODES
        if scored.broken[code][position] or (code == "avoid" and avoided)
    ]
    distance = float(scored.distance[position])
    known_distance = None if np.isnan(distance) else distance

    missing_skills = _missing_skills(catalogue, opening, i, scored)
    has_languages = set(candidate.competencies.languages)
    missing_languages = [c for c in opening.requires.languages if c not in has_languages]
    licence_gap = bool(scored.licence_gap[position])
    gaps: list[str] = []
    if licence_gap:
        gaps.append("driving_licence")
    if missing_languages:
        gaps.append("language")
    if missing_skills:
        gaps.append("skill")

    occupation_reason = _occupation_reason(catalogue, query, scored, position, i)
    occupation_match = (
        opening.occupation if scored.occupation[position] and occupation_reason is None else None
    )
    experience_texts = query.competency_texts
    best_experience = (
        experience_texts[int(scored.best_experience[position])] if experience_texts else None
    )
    wish, lexical, whole = _wish_named(query, scored, position, opening, weights)
    reasons = explain(
        candidate,
        opening,
        best_wish=prefs.desired[wish],
        best_wish_fit=float(scored.wish_fit[wish, position]),
        best_wish_whole=whole,
        best_wish_lexical=lexical,
        occupation_match=occupation_match,
        avoided=avoided,
        distance_km=known_distance,
        best_experience=best_experience,
        experience_fit=float(scored.experience_fit[position]),
        missing_skills=missing_skills,
        missing_languages=missing_languages,
        licence_gap=licence_gap,
        weights=weights,
        terms=terms,
    )
    if occupation_reason is not None:
        reasons.insert(1, occupation_reason)
    return RankedOpening(
        rank=rank,
        opening_id=opening.id,
        employer_id=opening.employer_id,
        score=round(float(scored.score[position]), 4),
        preference_fit=round(float(scored.preference[position]), 4),
        competency_fit=round(float(scored.competency[position]), 4),
        violations=violations,  # type: ignore[arg-type]
        requirement_gaps=gaps,  # type: ignore[arg-type]
        contact="consultant" if candidate.disclosure == "yes" else "self",
    ).with_reasons(reasons)


def _shown(phrase: str, conditions: tuple[Mention, ...]) -> str:
    """An avoided phrase as its reason writes it: 'nattevagter (night work, the text says "03-06")'.

    Double quotes for the words, because the reason puts the phrase in single ones.
    """
    return f"{phrase} ({english_part('conditions', conditions)})" if conditions else phrase


def _occupation_reason(
    catalogue: Catalogue, query: CandidateQuery, scored: Scored, position: int, opening: int
) -> Reason | None:
    """Why the occupations agree ("matches occupation 5164 ..."), in the profile's language."""
    linked = scored.linked_occupation
    links = catalogue.links
    if links is None or linked is None or linked[position] < 0:
        return None
    link = catalogue.opening_links[opening]
    if link is None:
        return None
    title = links.title(link, links.language(query.candidate))
    title = title.rstrip()
    if not title:
        return Reason("occupation_group", {"group": str(link.group).rstrip()})
    return Reason("occupation_link", {"group": link.group, "title": title})


def _missing_skills(catalogue: Catalogue, opening: Opening, row: int, scored: Scored) -> list[str]:
    skills = opening.requires.skills
    if not skills:
        return []
    first = catalogue.vectors.requirement_offsets[row]
    met_by_row = dict(zip(scored.requirement_rows.tolist(), scored.skill_met_rows, strict=True))
    return [s for j, s in enumerate(skills) if not met_by_row.get(int(first) + j, False)]


def _wish_named(
    query: CandidateQuery, scored: Scored, position: int, opening: Opening, weights: ScoringWeights
) -> tuple[int, float, float]:
    """The wish a reason names, and its lexical fit and whole-text rise as confirmation
    counts them (`_confirming_lexical`, `_confirming_whole`).

    The best-fitting wish, unless it only "partly matches" (its fit may come from a
    reading the person did not say, `matcher.wish_expansion`) while another of their
    wishes "matches", confirmed by their own words: then the best of those, so a wanted
    title is named as matched ("matches 'tømrer'", not "partly matches 'noget med
    hænderne'").
    """
    best = int(scored.best_wish[position])
    title = opening_title_text(opening)
    fit = scored.wish_fit[:, position]

    def said(wish: int) -> tuple[str | None, float, float]:
        lexical = _confirming_lexical(query, scored, position, wish, title)
        whole = _confirming_whole(query, scored, position, wish, title)
        return wish_match(float(fit[wish]), whole, lexical, weights), lexical, whole

    best_said, best_lexical, best_whole = said(best)
    if best_said != "partly matches":
        return best, best_lexical, best_whole
    # Only now is every other wish read (most reasons name the best one).
    others = {wish: said(wish) for wish in range(len(fit)) if wish != best}
    confirmed = [wish for wish, (match, _, _) in others.items() if match == "matches"]
    if not confirmed:
        return best, best_lexical, best_whole
    chosen = max(confirmed, key=lambda wish: float(fit[wish]))
    return chosen, others[chosen][1], others[chosen][2]


def _confirming_whole(
    query: CandidateQuery, scored: Scored, position: int, wish: int, title: str
) -> float:
    """The whole text's rise for the wish, unless the wish's words start only words of
    the title that are not its head (`matcher.lexical.starts_a_modifier`): the encoder
    then reads the shared word ("tøj" in "Ekspedient i tøjbutik"), not the work."""
    whole = float(scored.wish_whole[wish, position])
    if whole > -np.inf and starts_a_modifier(query.said[wish], title):
        return -np.inf
    return whole


def _confirming_lexical(
    query: CandidateQuery, scored: Scored, position: int, wish: int, title: str
) -> float:
    """The wish's lexical fit, where its own words (or their other-language side) start
    the title's head; 0 elsewhere ("mail carrier" is not confirmed by "Mail server
    administrator")."""
    lexical = float(scored.wish_lexical[wish, position])
    if not lexical:
        return 0.0
    return lexical if starts_a_head(query.said[wish], title) else 0.0
