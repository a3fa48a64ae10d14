"""Suggested employers with who is likely to hire and how often each was contacted lately.

Takes the engine's suggested employers (placed by fit to the person's wishes)
and returns new ones: reordered by `matcher.employer_order` with the hiring
estimate of the person's fields and the employer's recent contacts for
others, the reasons extended to say so, ranks renumbered. Employers that
reached their weekly contact limit drop out unless all have.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from matcher.employer_order import (
    ContactLoad,
    EmployerFit,
    HiringOutlook,
    OrderedEmployer,
    OrderWeights,
    order_employers,
)
from service.employer_contacts import RECENT_DAYS, employer_loads, wanted_groups
from service.hiring import StoreHiring
from service.schemas import SuggestedEmployer


def hiring_outlooks(
    suggestions: Sequence[SuggestedEmployer], profile: dict[str, object], hiring: StoreHiring
) -> dict[str, HiringOutlook]:
    """Per employer, expected hires in the person's fields: the groups of the occupations the
    person wants, and the group of the employer's best open posting (else its main group)."""
    wanted = wanted_groups(profile)
    months = round(hiring.estimates.horizon_days / 30.4)
    outlooks = {}
    for item in suggestions:
        groups = set(wanted)
        best = item.open_openings[0] if item.open_openings else None
        if best is not None and best in hiring.opening_group:
            groups.add(hiring.opening_group[best])
        elif item.employer_id in hiring.main_group:
            groups.add(hiring.main_group[item.employer_id])
        if not groups:
            continue
        per_group = {
            g: hiring.estimates.for_employer(item.employer_id, [g]) for g in sorted(groups)
        }
        expected = sum(e for e, _ in per_group.values())
        hired = sum(h for _, h in per_group.values())
        if expected < 0.05 and not hired:
            continue
        top = max(per_group, key=lambda g: (per_group[g][1], per_group[g][0]))
        outlooks[item.employer_id] = HiringOutlook(
            expected_hires=expected,
            horizon_months=months,
            hired_last_year=hired,
            field=hiring.field_name(top),
        )
    return outlooks


def with_hiring_and_load(
    suggestions: Sequence[SuggestedEmployer],
    session: Session,
    profile: dict[str, object],
    candidate_pk: int,
    day: date,
    hiring: StoreHiring,
    k: int,
    weights: OrderWeights | None = None,
) -> list[SuggestedEmployer]:
    """New suggestions: reordered, reasons added, the first `k`."""
    ids = [s.employer_id for s in suggestions]
    loads = {
        employer_id: ContactLoad(
            load.for_others_recently, RECENT_DAYS, load.this_week, load.weekly_limit
        )
        for employer_id, load in employer_loads(session, ids, candidate_pk, day).items()
    }
    fits = [EmployerFit(s.employer_id, s.score, bool(s.violations)) for s in suggestions]
    ordered = order_employers(fits, hiring_outlooks(suggestions, profile, hiring), loads, weights)
    by_id = {s.employer_id: s for s in suggestions}
    return [
        _with_order(by_id[item.employer_id], item, rank)
        for rank, item in enumerate(ordered[:k], start=1)
    ]


def _with_order(
    suggestion: SuggestedEmployer, item: OrderedEmployer, rank: int
) -> SuggestedEmployer:
    """The suggestion ranked `rank`, the order's reasons after its first (why this employer)."""
    before = suggestion.explained()
    reasons = [*before[:1], *item.reasons, *before[1:]]
    return suggestion.model_copy(update={"rank": rank}).with_reasons(reasons)
