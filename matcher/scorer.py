"""The scoring part of the ranker: preference and competency fit of a shortlist.

`score` takes a candidate's query, the catalogue and the shortlist (catalogue
rows) and returns a new `Scored` record of arrays aligned with the shortlist;
nothing it is given is changed. The weights and the reasons' wording live in
`matcher.scoring`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matcher.catalogue import Catalogue, Postcodes, bitmask, segment_rows
from matcher.index import cosines
from matcher.queries import CandidateQuery
from matcher.records import Candidate
from matcher.rules import commute, stated_violations
from matcher.scoring import ScoringWeights, canonical_phrase, occupation_codes_agree
from matcher.skill_lexicon import SkillComparison, SkillLexicon, packaged_lexicon
from matcher.specifics import differ_in_specifics

# Openings scored per block, so scoring a whole catalogue never copies all its vectors at once.
SCORE_BLOCK = 4_096


@dataclass(frozen=True)
class Scored:
    """Per-shortlist arrays from `score`, positions aligned with the shortlist."""

    score: np.ndarray
    preference: np.ndarray
    competency: np.ndarray
    # Breaks a stated preference (avoided words in the text are checked later, lazily).
    violated: np.ndarray
    broken: dict[str, np.ndarray]
    wish_fit: np.ndarray
    best_wish: np.ndarray
    # Per wish and opening: the whole text's rise in spans, and the lexical channel's
    # cosine; with `wish_fit` they decide whether a reason may say "matches".
    wish_whole: np.ndarray
    wish_lexical: np.ndarray
    occupation: np.ndarray
    avoided: np.ndarray
    distance: np.ndarray
    experience_fit: np.ndarray
    best_experience: np.ndarray
    licence_gap: np.ndarray
    skill_met_rows: np.ndarray
    requirement_rows: np.ndarray
    # With a taxonomy: index into the query's occupations that agrees, -1 where none.
    linked_occupation: np.ndarray | None = None


def fits_per_opening(
    catalogue: Catalogue, queries: np.ndarray, chosen: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each query against each opening: how far (in spans, `SimilarityScale.rise`,
    unclipped) its best segment rises above the query's baseline, its whole text,
    and its best segment other than the title (the whole text where it has no other).

    The best segment finds a wish stated in one sentence; the whole text (the
    first segment: title, industry and description together) is what tells a
    look-alike title ("Plum picker" for "plumber") from the wanted work.
    """
    if len(queries) == 0:
        empty = np.zeros((0, len(chosen)), dtype=np.float32)
        return empty, empty, empty
    vectors = catalogue.vectors
    best = np.empty((len(queries), len(chosen)), dtype=np.float32)
    whole = np.empty((len(queries), len(chosen)), dtype=np.float32)
    untitled = np.empty((len(queries), len(chosen)), dtype=np.float32)
    for start in range(0, len(chosen), SCORE_BLOCK):
        block = chosen[start : start + SCORE_BLOCK]
        rows, group_starts = segment_rows(vectors.segment_offsets, block)
        each = cosines(queries, vectors.segments[rows])
        columns = slice(start, start + len(block))
        best[:, columns] = np.maximum.reduceat(each, group_starts, axis=1)
        whole[:, columns] = each[:, group_starts]
        # The title is an opening's second segment, when it has more than one; `each` is
        # this block's own array, so the titles are blanked in it rather than in a copy.
        counts = np.diff(np.append(group_starts, each.shape[1]))
        titled = counts > 1
        each[:, (group_starts + 1)[titled]] = -np.inf
        untitled[:, columns] = np.maximum.reduceat(each, group_starts, axis=1)
    scale = catalogue.scale
    baselines = scale.baselines(queries)
    return (
        scale.rise(best, baselines),
        scale.rise(whole, baselines),
        scale.rise(untitled, baselines),
    )


def score(
    catalogue: Catalogue,
    query: CandidateQuery,
    chosen: np.ndarray,
    weights: ScoringWeights,
    postcodes: Postcodes | None,
) -> Scored:
    """Score the shortlist `chosen` (catalogue rows) for `query`."""
    w = weights
    candidate = query.candidate
    prefs = candidate.preferences
    comp = candidate.competencies
    columns = catalogue.columns
    # Preference fit: the best wish, by meaning and by words.
    # Wishes and past work in one pass: each opening's segment rows are gathered once.
    n = len(query.wishes)
    variants = query.variants if query.variants is not None else query.wishes[:0]
    m = n + len(variants)
    best, whole, untitled = fits_per_opening(
        catalogue, np.vstack([query.wishes, variants, query.competencies]), chosen
    )
    rise = wish_rise(best[:m], whole[:m], untitled[:m], w)
    lexical = catalogue.lexical.similarity([*prefs.desired, *query.variant_texts], chosen)
    # A wish said in the other language (`matcher.bridge`) counts as the wish itself.
    owner = np.concatenate([np.arange(n), _owners(query, m - n)])
    # Only the person's own words (in either language) may confirm "matches", or count
    # as words: a reading of the wish as kinds of work (`matcher.wish_expansion`) ranks by
    # meaning alone (its list of work names shares words with look-alike titles).
    whole = whole[:m]
    if query.variant_confirms is not None and not query.variant_confirms.all():
        reading = n + np.flatnonzero(~query.variant_confirms)
        whole = whole.copy()
        whole[reading] = -np.inf
        lexical = lexical.copy()
        lexical[reading] = 0.0
    rise, whole, lexical = (_best_per_wish(a, owner, n) for a in (rise, whole, lexical))
    # A wish's meaning fits fully at `semantic_spans` spans, so that a look-alike title
    # one span up no longer ties with the wanted work two spans up; past work at one.
    semantic = np.clip(rise / w.semantic_spans, 0.0, 1.0)
    experience = np.clip(best[m:], 0.0, 1.0)
    wish_fit = (w.semantic * semantic + w.lexical * lexical) / (w.semantic + w.lexical)
    best_wish = wish_fit.argmax(axis=0)
    preference = wish_fit.max(axis=0)
    occupation = np.zeros(len(chosen), dtype=bool)
    if prefs.occupations:
        codes = columns.occupation[chosen]
        for code in set(codes.tolist()) - {None}:
            if any(occupation_codes_agree(wanted, code) for wanted in prefs.occupations):
                occupation |= codes == code
        preference = np.minimum(1.0, preference + w.occupation_bonus * occupation)
    # With a taxonomy, occupations given or inferred from words agree too (once only).
    linked = linked_occupations(catalogue, query, chosen)
    if linked is not None:
        newly = (linked >= 0) & ~occupation
        preference = np.minimum(1.0, preference + w.occupation_bonus * newly)

    # Violations (avoided words in the text are looked up later, in `matcher.explanation`).
    broken, avoided = stated_violations(catalogue, query, chosen)
    distance, too_far = commute(catalogue, candidate, chosen, postcodes)
    if too_far is not None:
        broken["commute"] = too_far
    violated = np.logical_or.reduce(list(broken.values()))

    # Competency fit: relevance of past work, and the share of requirements met.
    if len(query.competencies):
        best_experience = experience.argmax(axis=0)
        experience_fit = experience.max(axis=0)
    else:
        best_experience = np.zeros(len(chosen), dtype=np.int64)
        experience_fit = np.zeros(len(chosen), dtype=np.float32)
    skills_total, skills_met, skill_met_rows, requirement_rows = skills(
        catalogue, query, chosen, weights
    )
    licence = columns.licence[chosen]
    licence_gap = licence & (comp.driving_licence is not True)
    has_languages = bitmask(comp.languages, catalogue.languages)
    required_languages = columns.language_mask[chosen]
    total = skills_total + licence.astype(np.float32) + np.bitwise_count(required_languages)
    met = (
        skills_met
        + (licence & ~licence_gap).astype(np.float32)
        + np.bitwise_count(required_languages & np.uint64(has_languages))
    )
    coverage = np.where(total > 0, met / np.maximum(total, 1), 1.0)
    competency = (w.experience * experience_fit + w.requirements * coverage) / (
        w.experience + w.requirements
    )
    fit = (w.preference * preference + w.competency * competency) / (w.preference + w.competency)
    fit = np.maximum(fit - w.unchecked * unchecked_limits(catalogue, candidate, chosen), 0.0)
    return Scored(
        score=fit.astype(np.float64),
        preference=preference,
        competency=competency,
        violated=violated,
        broken=broken,
        wish_fit=wish_fit,
        best_wish=best_wish,
        wish_whole=whole,
        wish_lexical=lexical,
        occupation=occupation,
        linked_occupation=linked,
        avoided=avoided,
        distance=distance,
        experience_fit=experience_fit,
        best_experience=best_experience,
        licence_gap=licence_gap,
        skill_met_rows=skill_met_rows,
        requirement_rows=requirement_rows,
    )


def _owners(query: CandidateQuery, count: int) -> np.ndarray:
    if count == 0 or query.variant_owner is None:
        return np.zeros(0, dtype=np.int64)
    return query.variant_owner.astype(np.int64)


def _best_per_wish(values: np.ndarray, owner: np.ndarray, wishes: int) -> np.ndarray:
    """Per wish (rows of `owner` 0..wishes-1), the best of its own row and its variants'."""
    if len(owner) == wishes:
        return values
    best = values[:wishes].copy()
    for row in range(wishes, len(owner)):
        np.maximum(best[owner[row]], values[row], out=best[owner[row]])
    return best


def wish_rise(
    best: np.ndarray, whole: np.ndarray, untitled: np.ndarray, weights: ScoringWeights
) -> np.ndarray:
    """A wish's rise over each opening, in spans: its best segment, where a title that
    rises above every other segment counts `title_weight` of its own rise and the rest
    of the whole text's.

    A title shares a word with many wishes it is not ("Madkundskabslærer" with "lave
    mad", "Mail server administrator" with "mail carrier"); the whole text says what
    the work is. `best`, `whole` and `untitled` are from `fits_per_opening`.
    """
    t = weights.title_weight
    by_title = t * best + (1 - t) * whole
    return np.where(best > untitled, np.maximum(untitled, by_title), best)


def unchecked_limits(catalogue: Catalogue, candidate: Candidate, chosen: np.ndarray) -> np.ndarray:
    """Per opening: how many of the person's stated limits it gives nothing to check
    against (place, hours, working times), plus one if it has no description.

    An opening with only an id and a title breaks no limit because it states
    nothing; this count keeps it from floating above described openings that fit.
    """
    prefs = candidate.preferences
    columns = catalogue.columns
    count = np.zeros(len(chosen), dtype=np.float32)
    if prefs.max_commute_km is not None:
        count += np.isnan(columns.lat[chosen])
    if prefs.hours_per_week is not None and prefs.hours_per_week.stated:
        count += np.isnan(columns.hours_min[chosen])
    if prefs.schedule:
        count += columns.schedule[chosen] == 0
    count += ~columns.described[chosen]
    return count


def linked_occupations(
    catalogue: Catalogue, query: CandidateQuery, chosen: np.ndarray
) -> np.ndarray | None:
    """Per opening, the first of the person's occupations its own agrees with (-1: none)."""
    if catalogue.links is None or not query.occupations:
        return None
    groups = catalogue.opening_groups[chosen]
    found = np.full(len(chosen), -1, dtype=np.int64)
    for group in set(groups.tolist()) - {""}:
        agreeing = [
            j
            for j, link in enumerate(query.occupations)
            if occupation_codes_agree(link.group, group)
        ]
        if agreeing:
            found[groups == group] = agreeing[0]
    return found


def _compare_known(
    lexicon: SkillLexicon, held: Sequence[str], required: np.ndarray, shows: np.ndarray
) -> None:
    """Overwrite `shows` (held × required) where the list of skills knows both phrases."""
    known_held = [h for h, text in enumerate(held) if lexicon.named(text) is not None]
    if not known_held:
        return
    for r, phrase in enumerate(required):
        if lexicon.named(str(phrase)) is None:
            continue
        for h in known_held:
            found = lexicon.compare(held[h], str(phrase))
            if found is not None:
                shows[h, r] = found is SkillComparison.MEETS


def skills(
    catalogue: Catalogue, query: CandidateQuery, chosen: np.ndarray, weights: ScoringWeights
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per opening: required skills and how many the profile shows; per requirement: met."""
    vectors = catalogue.vectors
    scale = catalogue.scale
    offsets = vectors.requirement_offsets
    counts = offsets[chosen + 1] - offsets[chosen]
    total = counts.astype(np.float32)
    if counts.sum() == 0:
        empty = np.zeros(0, dtype=np.int64)
        return total, np.zeros(len(chosen), np.float32), np.zeros(0, dtype=bool), empty
    requirement_rows = np.repeat(offsets[chosen] - (np.cumsum(counts) - counts), counts)
    requirement_rows = requirement_rows + np.arange(int(counts.sum()))
    met = np.zeros(len(requirement_rows), dtype=bool)
    required = vectors.requirements[requirement_rows]
    # Two short phrases are compared against both their baselines: a broad held skill
    # ("kundeservice") is close to much, and so is a broad requirement.
    required_baselines = scale.baselines(required).T
    held = [(query.competencies, query.competency_texts)]
    if query.shown_skill_vectors is not None:
        # Skills essential to the occupations of past jobs (ESCO) count as the person's.
        held.append((query.shown_skill_vectors, query.shown_skills))
    required_phrases = catalogue.columns.requirement_phrases[requirement_rows]
    for vectors_held, texts_held in held:
        if len(vectors_held):
            cosines = vectors_held @ required.T
            baselines = (scale.baselines(vectors_held) + required_baselines) / 2
            shows = scale.rise(cosines, baselines) >= weights.skill_threshold
            # The encoder ties skills of one kind ("truckcertifikat", "kranførercertifikat");
            # their words tell other specifics apart (`matcher.specifics`).
            for h, r in zip(*np.nonzero(shows), strict=True):
                if differ_in_specifics(texts_held[h], str(required_phrases[r])):
                    shows[h, r] = False
            if weights.known_skills:
                _compare_known(packaged_lexicon(), texts_held, required_phrases, shows)
            met |= shows.any(axis=0)
    said = {canonical_phrase(t) for t in query.competency_texts}
    said |= {canonical_phrase(s) for s in query.candidate.competencies.skills}
    said |= {canonical_phrase(s) for s in query.shown_skills}
    if said:
        met |= np.isin(catalogue.columns.requirement_phrases[requirement_rows], list(said))
    owner = np.repeat(np.arange(len(chosen)), counts)
    skills_met = np.bincount(owner, weights=met, minlength=len(chosen)).astype(np.float32)
    return total, skills_met, met, requirement_rows
