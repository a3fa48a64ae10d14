"""The query part of the ranker: a candidate's texts, encoded, with no catalogue needed.

`QueryEncoder` turns candidates into `CandidateQuery` records (wishes, avoided
phrases and competencies as vectors; the workplace conditions each avoided
phrase names; with a taxonomy, the occupations wanted and the skills past jobs
show). It depends on the encoder, the weights' condition thresholds and the
taxonomy only, so profiles can be encoded once and ranked against any catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from matcher.bridge import PhraseBridge, WishVariants
from matcher.conditions import CONDITIONS, all_labels, conditions_named_by_words
from matcher.encoders import CachedEncoder
from matcher.links import OccupationLink, TaxonomyLinks
from matcher.occupations import OccupationMapper
from matcher.records import Candidate
from matcher.scoring import ScoringWeights
from matcher.taxonomy import Taxonomy
from matcher.text import competency_texts
from matcher.wish_expansion import WishExpansion


@dataclass(frozen=True)
class CandidateQuery:
    """A candidate's texts, encoded; ranking from it needs no encoder."""

    candidate: Candidate
    wishes: np.ndarray
    avoid: np.ndarray
    # Per avoided phrase: bitmask of the workplace conditions it names (`matcher.conditions`).
    avoid_conditions: np.ndarray
    competencies: np.ndarray
    competency_texts: list[str]
    # With a taxonomy: the occupations the person wants (`matcher.links`), and the
    # ESCO skills their past jobs show, encoded, for requirements they meet.
    occupations: list[OccupationLink] = field(default_factory=list)
    shown_skills: list[str] = field(default_factory=list)
    shown_skill_vectors: np.ndarray | None = None
    # Wishes said in the other language where the phrase pairs say them (`matcher.bridge`):
    # `variants[i]` (text `variant_texts[i]`) stands for wish `variant_owner[i]`.
    variants: np.ndarray | None = None
    variant_texts: list[str] = field(default_factory=list)
    variant_owner: np.ndarray | None = None
    # Per variant: whether it may confirm "matches" (`WishVariants.confirms`); None: all.
    variant_confirms: np.ndarray | None = None

    @cached_property
    def said(self) -> tuple[tuple[str, ...], ...]:
        """Per wish: the person's words, then its other-language sides that may confirm it.

        Kept with the query: every reason of every ranking from it reads them.
        """
        desired = self.candidate.preferences.desired
        said: list[list[str]] = [[wish] for wish in desired]
        if self.variant_owner is not None:
            confirms = (
                self.variant_confirms
                if self.variant_confirms is not None
                else np.ones(len(self.variant_texts), dtype=bool)
            )
            for text, owner, confirm in zip(
                self.variant_texts, self.variant_owner.tolist(), confirms.tolist(), strict=True
            ):
                if confirm:
                    said[owner].append(text)
        return tuple(tuple(words) for words in said)


def taxonomy_links(
    encoder: CachedEncoder, taxonomy: Taxonomy | None, mapper: OccupationMapper | None
) -> TaxonomyLinks | None:
    """Links to the taxonomy through `mapper` (fitted on `taxonomy` here if it is not)."""
    if taxonomy is None and mapper is None:
        return None
    if mapper is None:
        mapper = OccupationMapper(encoder)
    fitted_on = getattr(mapper, "taxonomy_", None)
    if taxonomy is not None and fitted_on is not taxonomy:
        mapper.fit(taxonomy)
    elif fitted_on is None:
        raise ValueError("occupation_mapper is not fitted; give the taxonomy to fit it on")
    return TaxonomyLinks(mapper)


class QueryEncoder:
    """Encodes candidates into `CandidateQuery` records, in one batch per call.

    The workplace conditions' labels are encoded once, when the encoder is made.
    """

    def __init__(
        self,
        encoder: CachedEncoder,
        weights: ScoringWeights,
        links: TaxonomyLinks | None = None,
    ) -> None:
        self.encoder = encoder
        self.weights = weights
        self.links = links
        labels = all_labels()
        self.condition_label_bits = np.asarray([bit for bit, _ in labels], dtype=np.int64)
        self.condition_label_vectors = encoder.encode([t for _, t in labels], "query")
        self.bridge = (
            PhraseBridge(
                similarity=weights.bridge_similarity,
                margin=weights.bridge_margin,
                near=weights.bridge_near if weights.bridge_near <= 1 else None,
            ).fit(encoder)
            if weights.bridge_similarity <= 1
            else None
        )
        self.expansion = (
            WishExpansion(
                similarity=weights.expansion_similarity, margin=weights.expansion_margin
            ).fit(encoder)
            if weights.expansion_similarity <= 1
            else None
        )

    def encode(self, candidates: Sequence[Candidate]) -> list[CandidateQuery]:
        """Encode every candidate's wishes, avoids and competencies in one batch."""
        texts: list[str] = []
        spans = []
        for candidate in candidates:
            prefs = candidate.preferences
            comp = competency_texts(candidate)
            start = len(texts)
            texts.extend(prefs.desired)
            texts.extend(prefs.avoid)
            texts.extend(comp)
            spans.append((start, len(prefs.desired), len(prefs.avoid), comp))
        vectors = self.encoder.encode(texts, "query")
        links = self.links
        wanted = links.of_candidates(candidates) if links is not None else None
        queries = []
        for j, (candidate, (start, n_wish, n_avoid, comp)) in enumerate(
            zip(candidates, spans, strict=True)
        ):
            wish_end = start + n_wish
            avoid_end = wish_end + n_avoid
            occupations: list[OccupationLink] = []
            shown: list[str] = []
            shown_vectors = None
            found = self.variants(candidate.preferences.desired, vectors[start:wish_end])
            if wanted is not None and links is not None:
                occupations = wanted[j]
                shown = list(links.skills_shown(candidate))
                shown_vectors = self.encoder.encode(shown, "query")
            queries.append(
                CandidateQuery(
                    candidate=candidate,
                    wishes=vectors[start:wish_end],
                    avoid=vectors[wish_end:avoid_end],
                    avoid_conditions=self.conditions_named(
                        candidate.preferences.avoid, vectors[wish_end:avoid_end]
                    ),
                    competencies=vectors[avoid_end : avoid_end + len(comp)],
                    competency_texts=comp,
                    occupations=occupations,
                    shown_skills=shown,
                    shown_skill_vectors=shown_vectors,
                    variants=found.vectors,
                    variant_texts=found.texts,
                    variant_owner=found.owner,
                    variant_confirms=found.confirming(),
                )
            )
        return queries

    def variants(self, wishes: Sequence[str], vectors: np.ndarray) -> WishVariants:
        """Each wish in the other language (`matcher.bridge`), then the work it names
        (`matcher.wish_expansion`), where the packaged lists say them."""
        return WishVariants.joined(
            [
                source.variants(wishes, vectors)
                for source in (self.bridge, self.expansion)
                if source is not None
            ]
        )

    def conditions_named(self, phrases: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Which workplace conditions each avoided phrase names, by words or by meaning.

        By meaning only when one condition's label is clearly the closest: the
        best label must reach `condition_similarity` and beat every other
        condition's best label by `condition_margin` (raw cosines; short
        phrases against short labels).
        """
        w = self.weights
        masks = np.zeros(len(phrases), dtype=np.int64)
        if not phrases:
            return masks
        cosines = vectors @ self.condition_label_vectors.T
        for j, phrase in enumerate(phrases):
            mask = conditions_named_by_words(phrase)
            best_by_condition = np.full(len(CONDITIONS), -1.0)
            np.maximum.at(best_by_condition, self.condition_label_bits, cosines[j])
            first, second = np.sort(best_by_condition)[::-1][:2]
            if first >= w.condition_similarity and first - second >= w.condition_margin:
                mask |= 1 << int(best_by_condition.argmax())
            masks[j] = mask
        return masks
