"""Ordering suggested employers: fit to the person's wishes first, then who hires, then load.

It takes employers already placed by fit to the person's wishes (the
suggested employers) and returns a new order with reasons to add:

1. an employer whose best fit breaks a stated wish stays below every one
   that breaks none (as in a ranking);
2. an employer that reached its weekly contact limit drops out, unless
   every suggestion has reached it: nobody's suggestions are emptied;
3. otherwise the fit score is raised by at most `hiring` for expected hires
   in the person's fields, and lowered by at most `crowding` for contacts
   already made there for other candidates recently, so neither can lift a
   poor fit above a good one by more than those bounds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from matcher.reasons import Reason


@dataclass(frozen=True)
class EmployerFit:
    """A suggested employer as placed by fit to the person's wishes."""

    employer_id: str
    score: float
    breaks_wish: bool = False


@dataclass(frozen=True)
class HiringOutlook:
    """Who is likely to hire: estimated hires in the person's fields at one employer."""

    expected_hires: float
    horizon_months: int
    hired_last_year: int
    field: str


@dataclass(frozen=True)
class ContactLoad:
    """How much an employer has been approached lately, for other candidates than this one."""

    for_others_recently: int
    recent_days: int
    this_week: int = 0
    weekly_limit: int | None = None

    @property
    def at_limit(self) -> bool:
        return self.weekly_limit is not None and self.this_week >= self.weekly_limit


@dataclass(frozen=True)
class OrderWeights:
    # The most the hiring estimate may add to a fit score (scores run 0-1).
    hiring: float = 0.1
    # Expected hires at which half of `hiring` is added.
    hiring_half: float = 1.0
    # The most recent contacts for others may take off a fit score.
    crowding: float = 0.1
    # Contacts for others at which all of `crowding` is taken off.
    crowded_at: int = 4

    def __post_init__(self) -> None:
        for name in ("hiring", "crowding"):
            value = getattr(self, name)
            if not 0 <= value <= 0.25:
                raise ValueError(
                    f"OrderWeights: field {name!r} is {value}; allowed 0 to 0.25, so fit to "
                    "the person's wishes stays first"
                )
        if self.hiring_half <= 0 or self.crowded_at < 1:
            raise ValueError(
                "OrderWeights: 'hiring_half' must be above 0 and 'crowded_at' at least 1; got "
                f"{self.hiring_half} and {self.crowded_at}"
            )


@dataclass(frozen=True)
class OrderedEmployer:
    employer_id: str
    adjusted_score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def hiring_reasons(outlook: HiringOutlook) -> list[Reason]:
    reasons = []
    hired, where = outlook.hired_last_year, outlook.field
    if hired == 1:
        reasons.append(Reason("hired_one", {"field": where}))
    elif hired:
        reasons.append(Reason("hired_many", {"count": hired, "field": where}))
    if outlook.expected_hires >= 0.5:
        expected = {"expected": outlook.expected_hires, "months": outlook.horizon_months}
        reasons.append(Reason("likely_to_hire", {**expected, "field": where}))
    return reasons


def order_employers(
    fits: Sequence[EmployerFit],
    outlooks: Mapping[str, HiringOutlook],
    loads: Mapping[str, ContactLoad],
    weights: OrderWeights | None = None,
) -> list[OrderedEmployer]:
    """The employers of `fits` in their new order, each with the reasons it adds."""
    weights = weights or OrderWeights()
    capped = {f.employer_id for f in fits if (load := loads.get(f.employer_id)) and load.at_limit}
    keep_capped = len(capped) == len(fits)
    ordered: list[tuple[tuple[bool, float, int], OrderedEmployer]] = []
    for position, fit in enumerate(fits):
        if fit.employer_id in capped and not keep_capped:
            continue
        reasons: list[Reason] = []
        adjusted = fit.score
        outlook = outlooks.get(fit.employer_id)
        if outlook is not None:
            adjusted += (
                weights.hiring
                * outlook.expected_hires
                / (outlook.expected_hires + weights.hiring_half)
            )
            reasons.extend(hiring_reasons(outlook))
        load = loads.get(fit.employer_id)
        if load is not None and load.for_others_recently:
            adjusted -= weights.crowding * min(1.0, load.for_others_recently / weights.crowded_at)
            count, days = load.for_others_recently, load.recent_days
            if count == 1:
                reasons.append(Reason("contacted_once", {"days": days}))
            else:
                reasons.append(Reason("contacted_times", {"count": count, "days": days}))
        if fit.employer_id in capped and load is not None and load.weekly_limit is not None:
            reasons.append(Reason("contact_limit", {"weekly_limit": load.weekly_limit}))
        key = (fit.breaks_wish, -adjusted, position)
        ordered.append((key, OrderedEmployer(fit.employer_id, adjusted, tuple(reasons))))
    ordered.sort(key=lambda pair: pair[0])
    return [item for _, item in ordered]
