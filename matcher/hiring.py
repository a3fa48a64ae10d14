"""Who is likely to hire: expected hires per employer and occupation group in the next months.

Most IPS jobs are found by going to employers before anything is posted, so
a consultant needs to know which employers take people on in the fields a
person wants. As France Travail's La Bonne Boîte does, the estimate is
learnt from past hiring alone: for snapshots before the cutoff, an employer
and occupation group's recent hires, postings and contact outcomes are
features, and the hires of the following `horizon_days` the target, in a
Poisson regression (counts, log link). `predict` applies it at the cutoff.

Validation is in time (`capture_curve`): fit before a date, then measure the
share of the hires after it that the top 10/20/50% of employers captured,
against the baseline of ranking by hires in the last six months
(`recent_hires`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import PoissonRegressor
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from matcher.records import Opening
from matcher.vocabularies import OUTCOMES, PROMISING_OUTCOMES

# An employer and occupation group: the unit the estimate is made for.
Key = tuple[str, str]
UNKNOWN_GROUP = "unknown"


def occupation_group(opening: Opening) -> str:
    """The opening's ISCO-08 unit group (four digits) if coded, else its industry in words."""
    return group_of(opening.occupation, opening.industry)


def group_of(occupation: object, industry: object) -> str:
    """`occupation_group` of an opening's two fields as stored (a code may be a number)."""
    code = str(occupation or "")
    if len(code) >= 4 and code[:4].isdigit():
        return code[:4]
    if isinstance(industry, str) and industry.strip():
        return industry.strip().lower()
    return UNKNOWN_GROUP


@dataclass(frozen=True)
class Posting:
    employer_id: str
    group: str
    day: date


@dataclass(frozen=True)
class Hire:
    employer_id: str
    group: str
    day: date


@dataclass(frozen=True)
class ContactOutcome:
    """An employer contact's outcome; contacts tell of the employer, not of one group."""

    employer_id: str
    day: date
    outcome: str


@dataclass(frozen=True)
class HiringHistory:
    postings: Sequence[Posting] = ()
    hires: Sequence[Hire] = ()
    contacts: Sequence[ContactOutcome] = ()

    def __post_init__(self) -> None:
        for contact in self.contacts:
            if contact.outcome not in OUTCOMES:
                raise ValueError(
                    f"employer contact at {contact.employer_id!r} on {contact.day}: field "
                    f"'outcome' is {contact.outcome!r}; allowed: {', '.join(OUTCOMES)}"
                )

    def before(self, day: date) -> HiringHistory:
        """Only what had happened before `day`."""
        return HiringHistory(
            [p for p in self.postings if p.day < day],
            [h for h in self.hires if h.day < day],
            [c for c in self.contacts if c.day < day],
        )

    def pairs(self) -> list[Key]:
        """Every employer and group the history names, sorted."""
        keys = {(p.employer_id, p.group) for p in self.postings}
        keys.update((h.employer_id, h.group) for h in self.hires)
        return sorted(keys)


FEATURES: tuple[str, ...] = (
    "hires_0_6_months",
    "hires_6_12_months",
    "hires_12_24_months",
    "postings_0_6_months",
    "postings_6_12_months",
    "employer_hires_0_12_months",
    "promising_contacts_0_6_months",
    "call_backs_0_6_months",
    "no_need_contacts_0_6_months",
)


class _Counts:
    """Event days by key, sorted, so counts in a window are two bisections."""

    def __init__(self, events: Iterable[tuple[object, date]]) -> None:
        days: dict[object, list[int]] = defaultdict(list)
        for key, day in events:
            days[key].append(day.toordinal())
        self._days = {key: np.sort(np.asarray(v, dtype=np.int64)) for key, v in days.items()}

    def between(self, key: object, first: int, last: int) -> int:
        """Events of `key` on days first..last-1 (ordinals)."""
        days = self._days.get(key)
        if days is None:
            return 0
        return int(np.searchsorted(days, last) - np.searchsorted(days, first))


class _Features:
    def __init__(self, history: HiringHistory) -> None:
        self.hires = _Counts(((h.employer_id, h.group), h.day) for h in history.hires)
        self.employer_hires = _Counts((h.employer_id, h.day) for h in history.hires)
        self.postings = _Counts(((p.employer_id, p.group), p.day) for p in history.postings)
        self.contacts = {
            name: _Counts((c.employer_id, c.day) for c in history.contacts if c.outcome in kinds)
            for name, kinds in (
                ("promising", PROMISING_OUTCOMES),
                ("call_back", {"call_back"}),
                ("no_need", {"no_need_now"}),
            )
        }

    def at(self, keys: Sequence[Key], day: date) -> np.ndarray:
        t = day.toordinal()
        half, year = 182, 365
        rows = np.zeros((len(keys), len(FEATURES)))
        for i, key in enumerate(keys):
            employer = key[0]
            rows[i] = (
                self.hires.between(key, t - half, t),
                self.hires.between(key, t - year, t - half),
                self.hires.between(key, t - 2 * year, t - year),
                self.postings.between(key, t - half, t),
                self.postings.between(key, t - year, t - half),
                self.employer_hires.between(employer, t - year, t),
                self.contacts["promising"].between(employer, t - half, t),
                self.contacts["call_back"].between(employer, t - half, t),
                self.contacts["no_need"].between(employer, t - half, t),
            )
        return np.log1p(rows)


@dataclass(frozen=True)
class HiringEstimates:
    """What `HiringEstimator.predict` returns: per employer and group, from the cutoff on."""

    cutoff: date
    horizon_days: int
    expected: dict[Key, float]
    # Hires in the year before the cutoff, for reasons a consultant can check.
    hired_last_year: dict[Key, int]

    def for_employer(self, employer_id: str, groups: Iterable[str]) -> tuple[float, int]:
        """Expected hires and last year's hires at `employer_id`, summed over `groups`."""
        wanted = set(groups)
        expected = sum(self.expected.get((employer_id, g), 0.0) for g in wanted)
        hired = sum(self.hired_last_year.get((employer_id, g), 0) for g in wanted)
        return expected, hired

    def by_employer(self) -> dict[str, float]:
        """Expected hires per employer, over all its groups."""
        totals: dict[str, float] = defaultdict(float)
        for (employer, _), value in self.expected.items():
            totals[employer] += value
        return dict(totals)


class HiringEstimator(BaseEstimator):
    """Expected hires per employer and occupation group in the `horizon_days` after a cutoff.

    `fit(history, cutoff)` learns from snapshots taken every `snapshot_step_days`
    before the cutoff (as many as `snapshots`) whose horizon ends by the
    cutoff, so nothing after the cutoff is ever seen.
    """

    def __init__(
        self,
        horizon_days: int = 182,
        snapshots: int = 4,
        snapshot_step_days: int = 91,
        alpha: float = 1e-3,
        min_training_rows: int = 50,
    ) -> None:
        self.horizon_days = horizon_days
        self.snapshots = snapshots
        self.snapshot_step_days = snapshot_step_days
        self.alpha = alpha
        self.min_training_rows = min_training_rows

    def fit(self, history: HiringHistory, cutoff: date) -> HiringEstimator:
        if self.horizon_days < 1 or self.snapshots < 1 or self.snapshot_step_days < 1:
            raise ValueError(
                "HiringEstimator: 'horizon_days', 'snapshots' and 'snapshot_step_days' must be "
                f"at least 1; got {self.horizon_days}, {self.snapshots}, "
                f"{self.snapshot_step_days}"
            )
        known = history.before(cutoff)
        features = _Features(known)
        rows, targets = [], []
        for step in range(self.snapshots):
            day = cutoff - timedelta(days=self.horizon_days + step * self.snapshot_step_days)
            keys = known.before(day).pairs()
            if not keys:
                continue
            end = (day + timedelta(days=self.horizon_days)).toordinal()
            rows.append(features.at(keys, day))
            targets.append([features.hires.between(key, day.toordinal(), end) for key in keys])
        self.cutoff_ = cutoff
        self.history_ = known
        self.features_ = features
        self.model_: PoissonRegressor | None = None
        if rows:
            x, y = np.vstack(rows), np.concatenate(targets).astype(float)
            # A regression on a handful of pairs, or on pairs that all hired, learns little
            # more than an intercept, which it would then give to every quiet employer.
            if len(y) >= self.min_training_rows and (y > 0).any() and (y == 0).any():
                # Small problems: BLAS threads only contend with the rest of the process.
                with threadpool_limits(limits=1):
                    self.model_ = PoissonRegressor(alpha=self.alpha, max_iter=1000).fit(x, y)
        return self

    def predict(self, keys: Sequence[Key] | None = None) -> HiringEstimates:
        """Expected hires from the cutoff on, for `keys` (default: every key seen before it)."""
        check_is_fitted(self, "features_")
        chosen = list(keys) if keys is not None else self.history_.pairs()
        x = self.features_.at(chosen, self.cutoff_)
        t = self.cutoff_.toordinal()
        hired = {key: self.features_.hires.between(key, t - 365, t) for key in chosen}
        if self.model_ is not None and len(chosen):
            with threadpool_limits(limits=1):
                values = self.model_.predict(x)
        else:
            # Too little history to learn from: last year's rate of hiring.
            values = np.asarray([hired[key] * self.horizon_days / 365 for key in chosen])
        return HiringEstimates(
            cutoff=self.cutoff_,
            horizon_days=self.horizon_days,
            expected={key: float(v) for key, v in zip(chosen, values, strict=True)},
            hired_last_year={key: n for key, n in hired.items() if n},
        )


def recent_hires(history: HiringHistory, cutoff: date, days: int = 182) -> dict[str, float]:
    """The baseline: hires per employer in the `days` before the cutoff."""
    first = cutoff - timedelta(days=days)
    counts: dict[str, float] = defaultdict(float)
    for hire in history.hires:
        if first <= hire.day < cutoff:
            counts[hire.employer_id] += 1.0
    return dict(counts)


def hires_between(history: HiringHistory, first: date, last: date) -> dict[str, int]:
    """Hires per employer on days `first` to `last - 1`."""
    counts: dict[str, int] = defaultdict(int)
    for hire in history.hires:
        if first <= hire.day < last:
            counts[hire.employer_id] += 1
    return dict(counts)


def capture_curve(
    scores: Mapping[str, float],
    later_hires: Mapping[str, int],
    employers: Sequence[str],
    shares: Sequence[float] = (0.1, 0.2, 0.5),
) -> dict[float, float]:
    """The share of later hires at the top `share` of `employers` ranked by `scores`.

    Employers with equal scores are taken in proportion when the cut falls
    among them (the expected capture of a random order of ties), so a
    baseline whose scores are mostly zero is not flattered by how ties break.
    """
    total = sum(later_hires.get(e, 0) for e in employers)
    if not employers or total == 0:
        return {share: math.nan for share in shares}
    by_score: dict[float, list[str]] = defaultdict(list)
    for employer in employers:
        by_score[float(scores.get(employer, 0.0))].append(employer)
    tiers = [by_score[s] for s in sorted(by_score, reverse=True)]
    curve = {}
    for share in shares:
        room = share * len(employers)
        captured = 0.0
        for tier in tiers:
            if room <= 0:
                break
            hires = sum(later_hires.get(e, 0) for e in tier)
            taken = min(room, len(tier))
            captured += hires * taken / len(tier)
            room -= taken
        curve[share] = captured / total
    return curve
