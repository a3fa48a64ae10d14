"""Small records and events for the evaluation tests, with only the fields a test needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from evaluation.history import Catalogue
from evaluation.pipeline import Inputs, Settings
from evaluation.placements import Placement
from evaluation.profiles import ProfileHistory
from evaluation.simulate import SimulationSettings
from matcher.records import Candidate, Opening


def make_opening(opening_id: str, title: str, posted: str, expires: str, **fields: Any) -> Opening:
    record: dict[str, Any] = {
        "id": opening_id,
        "employer_id": fields.pop("employer_id", f"e-{opening_id}"),
        "title": title,
        "description": fields.pop("description", ""),
        "posted": posted,
        "expires": expires,
    }
    record.update(fields)
    return Opening.model_validate(record)


def make_candidate(candidate_id: str, desired: list[str], **fields: Any) -> Candidate:
    record: dict[str, Any] = {"id": candidate_id, "preferences": {"desired": desired}}
    record["preferences"].update(fields.pop("preferences", {}))
    record.update(fields)
    return Candidate.model_validate(record)


def event(
    candidate_id: str,
    opening_id: str | None,
    stage: str,
    day: str,
    employer_id: str | None = None,
    ended: str | None = None,
) -> Placement:
    return Placement(
        candidate_id=candidate_id,
        opening_id=opening_id,
        employer_id=employer_id or f"e-{opening_id}",
        stage=stage,  # type: ignore[arg-type]
        date=date.fromisoformat(day),
        ended=date.fromisoformat(ended) if ended else None,
    )


@dataclass
class SmallHistory:
    """Two people, five openings, one profile change; every right answer worked out by hand.

    - c-1 wants animal work until 2025-03-01, then warehouse work (a second version).
      On 2025-02-03 c-1 contacts o-dyr (an animal job, open since January), is interviewed
      on 2025-02-12 and hired on 2025-02-20, still employed on 2025-06-01.
      On 2025-03-10 c-1 contacts o-lager2, a warehouse job posted on 2025-02-15: after the
      first query's day, so never ranked for it.
    - c-2 wants kitchen work; contacts o-kok on 2025-02-05, nothing more.
    """

    profiles: ProfileHistory
    openings: list[Opening]
    placements: list[Placement]

    @property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.openings)

    def inputs(self) -> Inputs:
        return Inputs(self.profiles, self.openings, self.placements)


# A simulated history small enough to evaluate in seconds with the fake encoder.
TINY = SimulationSettings(candidates=90, openings=700, months=14, seed=7, profile_changes=0.2)
FAST = Settings(resamples=100, permutations=200, max_training_queries=150)
