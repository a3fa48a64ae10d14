"""Small records with a known right answer, built with only the fields a test cares about."""

from __future__ import annotations

from typing import Any

import numpy as np

from matcher.records import Candidate, Opening


def candidate(desired: list[str] | None = None, **fields: Any) -> Candidate:
    preferences = dict(fields.pop("preferences", {}))
    preferences.setdefault("desired", desired or ["arbejde med dyr"])
    for key in ("avoid", "occupations", "hours_per_week", "schedule", "max_commute_km", "kinds"):
        if key in fields:
            preferences[key] = fields.pop(key)
    record: dict[str, Any] = {"id": fields.pop("id", "c-1"), "preferences": preferences}
    record.update(fields)
    return Candidate.model_validate(record)


def opening(opening_id: str, title: str, description: str = "", **fields: Any) -> Opening:
    record: dict[str, Any] = {
        "id": opening_id,
        "employer_id": fields.pop("employer_id", f"e-{opening_id}"),
        "title": title,
        "description": description,
    }
    record.update(fields)
    return Opening.model_validate(record)


WORDS = ["dyr", "lager", "kontor", "køkken", "rengøring", "gartner", "butik", "pedel", "it"]


def word_catalogue(
    size: int, seed: int, places: list[dict[str, float]] | None = None
) -> list[Opening]:
    """Openings of random job words with random hours (and places, if given), for invariants."""
    rng = np.random.default_rng(seed)
    catalogue = []
    for i in range(size):
        fields: dict[str, Any] = {
            "hours_per_week": {"min": int(rng.integers(5, 20)), "max": int(rng.integers(20, 38))}
        }
        if places:
            fields["location"] = places[int(rng.integers(0, len(places)))]
        title, text = " ".join(rng.choice(WORDS, 2)), " ".join(rng.choice(WORDS, 4))
        catalogue.append(opening(f"o-{i}", title, text, **fields))
    return catalogue
