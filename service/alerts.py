"""Alerts: a new or changed opening that fits a person on a consultant's caseload well.

Looked for when the consultant opens the inbox: for each person, the
openings written since their last look (or since the profile was made) are
found among the person's ranking, and those that break no stated wish and
that the engine says match a wish become alerts: the reason "matches '…'",
whose precision `benchmarks/understanding.py --precision` measures, not a
fit threshold, whose scale moves with the scoring. An alert is kept once per person and
opening, whatever its status, so it never comes back after it was seen,
dismissed or hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.reasons import Reason
from matcher.records import RankedOpening
from service import store
from service.db import Database
from service.engine import MatchingEngine
from service.models import AlertRow, AlertScan, CandidateRow, OpeningRow, User, utcnow
from service.store import insert_ignoring_duplicates

# The reason that says an opening matches one of the person's wishes (`matcher.reasons`):
# only such an opening is worth interrupting the consultant for.
MATCHES_A_WISH = "wish_match"
# How deep in each person's ranking new openings are looked for.
RANKING_DEPTH = 50
STATUSES = ("new", "dismissed", "hidden")


def _matches_a_wish(result: RankedOpening) -> bool:
    return any(
        isinstance(reason, Reason) and reason.code == MATCHES_A_WISH
        for reason in result.explained()
    )


@dataclass(frozen=True)
class ScanResult:
    candidates: int
    new_alerts: int


def _since(session: Session, row: CandidateRow) -> datetime:
    scan = session.get(AlertScan, row.pk)
    return scan.scanned_at if scan is not None else row.created_at


def scan_caseload(database: Database, engine: MatchingEngine, owner: User, day: date) -> ScanResult:
    """Make the alerts of the owner's caseload for openings written since the last scan."""
    started = utcnow()
    with database.reader() as session:
        rows = store.list_candidates(session, owner)
        pending = []
        for row in rows:
            since = _since(session, row)
            changed = set(
                session.scalars(
                    select(OpeningRow.id).where(
                        OpeningRow.updated_at > since,
                        (OpeningRow.expires.is_(None)) | (OpeningRow.expires >= day),
                    )
                )
            )
            pending.append(
                (
                    store.CaseloadEntry(
                        row.pk, row.id, row.revision, row.profile, row.pseudonym_seed
                    ),
                    changed,
                )
            )
    found: list[dict[str, object]] = []
    for entry, changed in pending:
        if not changed:
            continue
        ranking, _ = engine.recommend(
            entry.candidate, (entry.pk, entry.revision), RANKING_DEPTH, day
        )
        for result in ranking.results:
            if result.opening_id in changed and not result.violations and _matches_a_wish(result):
                found.append(
                    {
                        "owner_id": owner.id,
                        "candidate_pk": entry.pk,
                        "opening_id": result.opening_id,
                        "score": result.score,
                        "preference_fit": result.preference_fit,
                        "reasons": list(result.reasons),
                        "status": "new",
                        "created_at": started,
                    }
                )
    with database.writer() as session:
        before = _count(session, owner)
        if found:
            session.execute(insert_ignoring_duplicates(session, AlertRow), found)
        for entry, _ in pending:
            scan = session.get(AlertScan, entry.pk)
            if scan is None:
                session.add(AlertScan(candidate_pk=entry.pk, scanned_at=started))
            else:
                scan.scanned_at = started
        session.flush()
        made = _count(session, owner) - before
        session.commit()
    return ScanResult(len(pending), made)


def _count(session: Session, owner: User) -> int:
    counted = session.scalar(
        select(func.count()).select_from(AlertRow).where(AlertRow.owner_id == owner.id)
    )
    return int(counted or 0)


AlertView = tuple[AlertRow, str, dict[str, object] | None]


def _views(session: Session, *conditions: Any) -> list[AlertView]:
    rows = session.execute(
        select(AlertRow, CandidateRow.id, OpeningRow.record)
        .join(CandidateRow, AlertRow.candidate_pk == CandidateRow.pk)
        .outerjoin(OpeningRow, AlertRow.opening_id == OpeningRow.id)
        .where(*conditions)
        .order_by(AlertRow.created_at.desc(), AlertRow.pk.desc())
    )
    return [(alert, candidate_id, record) for alert, candidate_id, record in rows]


def inbox(session: Session, owner: User, statuses: tuple[str, ...] = ("new",)) -> list[AlertView]:
    """The owner's alerts with the candidate's id and the opening's record (None if removed)."""
    return _views(session, AlertRow.owner_id == owner.id, AlertRow.status.in_(statuses))


def set_status(session: Session, owner: User, alert_id: int, status: str) -> AlertView | None:
    """Mark one of the owner's alerts (None if there is no such alert of theirs)."""
    if status not in STATUSES:
        raise ValueError(f"alert {alert_id}: field 'status' is {status!r}; allowed: {STATUSES}")
    found = _views(session, AlertRow.pk == alert_id, AlertRow.owner_id == owner.id)
    if not found:
        return None
    found[0][0].status = status
    session.flush()
    return found[0]
