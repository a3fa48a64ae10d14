"""Small records with a known right answer, built with only the fields a test cares about."""

from __future__ import annotations

from typing import Any

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
