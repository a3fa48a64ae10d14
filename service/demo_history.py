"""An INVENTED job-development history for the demo store, so its new parts show something.

Seeded and relative to the day it is loaded: each demo employer gets a
hidden openness to hiring; past hires (people no longer on a caseload, by
made-up pseudonyms, as erased profiles leave them) at its openings over the
last year, more for open employers; and the demo job developer's employer
contacts over the last 26 weeks, whose outcomes follow the same openness
(`evaluation.simulate_contacts.contact_outcome`). Suggested employers then
carry hiring reasons, and the employers' pages a relationship over time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy.orm import Session

from evaluation.simulate_contacts import contact_outcome
from matcher.records import Opening
from matcher.vocabularies import CHANNELS
from service.models import EmployerContactRow, PlacementRow, User, utcnow

SEED = 2026
WEEKS = 26


@dataclass(frozen=True)
class DemoHistory:
    past_hires: int
    contacts: int


def load_demo_history(
    session: Session, openings: Sequence[Opening], developer: User, today: date
) -> DemoHistory:
    """Add the invented history (the caller commits)."""
    rng = np.random.default_rng(SEED)
    by_employer: dict[str, list[str]] = defaultdict(list)
    for opening in openings:
        by_employer[opening.employer_id].append(opening.id)
    employers = sorted(by_employer)
    openness = rng.normal(0, 1, size=len(employers))
    now = utcnow()
    hires = 0
    for employer_id, open_to in zip(employers, openness, strict=True):
        for _ in range(int(rng.poisson(0.8 * np.exp(open_to)))):
            hires += 1
            session.add(
                PlacementRow(
                    candidate_pk=None,
                    candidate_pseudonym=f"demo-past-{hires:03d}",
                    opening_id=str(rng.choice(by_employer[employer_id])),
                    employer_id=employer_id,
                    stage="hired",
                    day=today - timedelta(days=int(rng.integers(1, 366))),
                    recorded_by=developer.id,
                    recorded_at=now,
                )
            )
    weights = np.exp(0.5 * openness)
    weights /= weights.sum()
    contacts = 0
    for week in range(WEEKS):
        for _ in range(int(rng.poisson(3))):
            index = int(rng.choice(len(employers), p=weights))
            contacts += 1
            session.add(
                EmployerContactRow(
                    employer_id=employers[index],
                    day=today - timedelta(days=7 * (WEEKS - week) - int(rng.integers(0, 5))),
                    user_id=developer.id,
                    channel=str(rng.choice(CHANNELS)),
                    outcome=contact_outcome(rng, float(openness[index])),
                    recorded_at=now,
                )
            )
    session.flush()
    return DemoHistory(hires, contacts)
