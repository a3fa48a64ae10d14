"""The audit log as a hash chain: each entry carries the hash of the one before.

An entry's hash covers its content (time, user, action, pseudonym, detail)
and the previous entry's hash, so changing, removing or reordering any entry
breaks every link after it; `verify` names the first broken entry. Entries
are appended under a lock (SQLite's write lock; a transaction-scoped advisory
lock on PostgreSQL) so two writers never chain onto the same entry. The store
also refuses UPDATE and DELETE on the table (triggers of migration 0003).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from service.models import AuditEntry

# The `prev_hash` of the first chained entry.
GENESIS = "0" * 64
# Any constant; PostgreSQL serialises appends to the chain on it.
_CHAIN_LOCK = 7_204_118_332


def _canonical_time(at: datetime) -> str:
    # SQLite hands back UTC without its zone, PostgreSQL in the session's zone.
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return utc.isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    content = {
        "at": _canonical_time(entry["at"]),
        "user_id": entry["user_id"],
        "action": entry["action"],
        "candidate_pseudonym": entry["candidate_pseudonym"],
        "detail": entry["detail"],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def append(session: Session, entries: Sequence[dict[str, Any]]) -> None:
    """Insert `entries` (dicts of `AuditEntry` columns) at the end of the chain."""
    if not entries:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    last = session.scalar(
        select(AuditEntry.entry_hash)
        .where(AuditEntry.entry_hash.is_not(None))
        .order_by(AuditEntry.pk.desc())
        .limit(1)
    )
    prev = last or GENESIS
    rows = []
    for entry in entries:
        current = entry_hash(prev, entry)
        rows.append({**entry, "prev_hash": prev, "entry_hash": current})
        prev = current
    session.execute(insert(AuditEntry), rows)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    # Entries written before the chain existed (migration 0003); they carry no hash.
    unchained: int
    first_broken: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def verify(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the chain in order; the first entry whose links or content do not match."""
    prev: str | None = None
    checked = unchained = 0
    after = 0
    while True:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.pk > after).order_by(AuditEntry.pk).limit(batch)
        ).scalars()
        got = 0
        for row in rows:
            got += 1
            after = row.pk
            if row.entry_hash is None and prev is None:
                unchained += 1
                continue
            checked += 1
            expected_prev = prev if prev is not None else GENESIS
            if row.prev_hash != expected_prev:
                return ChainReport(
                    checked, unchained, row.pk, "does not link to the entry before it"
                )
            content = {
                "at": row.at,
                "user_id": row.user_id,
                "action": row.action,
                "candidate_pseudonym": row.candidate_pseudonym,
                "detail": row.detail,
            }
            if row.entry_hash != entry_hash(expected_prev, content):
                return ChainReport(checked, unchained, row.pk, "was changed after it was written")
            prev = row.entry_hash
        if got < batch:
            return ChainReport(checked, unchained)
