"""Audit entries of read requests, written in groups by whichever request is first.

Every recommendation request must be in the audit log before its answer is
sent, and under load there are many: one transaction each would queue them
all on the store's write lock (SQLite has one writer). Here a request that
finds no write in progress writes its own entry and every entry waiting
behind it in one transaction (it leads); a request that finds one in
progress waits for the transaction that takes its entry. A request still
answers only once its entry is stored.

Why the requests lead instead of a writer thread: with a thread, every
request handed its entry over and was woken again, two thread switches
under the interpreter lock per answer (about a tenth of a worker's time
under load, `benchmarks/README.md`); a request that leads writes in its own
thread, and only requests that arrive during a write wait.

Changes (creating a profile, uploading openings) write their entries in their
own transaction instead, so the change and its entry commit together.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from service import auditchain
from service.db import Database
from service.models import utcnow

logger = logging.getLogger(__name__)

# Entries per transaction at most; more wait for the next one.
BATCH = 500
WAIT_S = 60.0


class AuditWriteTimeout(TimeoutError):
    """An entry waited longer than `WAIT_S` for the transaction that stores it."""


class _Waiting:
    """One entry waiting to be stored, and what became of it."""

    __slots__ = ("entry", "error", "stored")

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry
        self.stored = False
        self.error: BaseException | None = None


class AuditWriter:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._changed = threading.Condition()
        self._waiting: list[_Waiting] = []
        self._writing = False

    def write(
        self,
        user_id: int | None,
        action: str,
        candidate_pseudonym: str | None = None,
        **detail: Any,
    ) -> None:
        """Store one entry; returns when it is committed (raises if it could not be)."""
        mine = _Waiting(
            {
                "at": utcnow(),
                "user_id": user_id,
                "action": action,
                "candidate_pseudonym": candidate_pseudonym,
                "detail": detail,
            }
        )
        deadline = time.monotonic() + WAIT_S
        with self._changed:
            self._waiting.append(mine)
        while True:
            with self._changed:
                while self._writing and not mine.stored and mine.error is None:
                    if not self._changed.wait(timeout=deadline - time.monotonic()):
                        raise AuditWriteTimeout(
                            f"audit entry {action!r} was not stored within {WAIT_S:.0f} s"
                        )
                if mine.error is not None:
                    raise mine.error
                if mine.stored:
                    return
                # No write in progress and ours not stored: lead the next one.
                self._writing = True
                batch = self._waiting[:BATCH]
                del self._waiting[:BATCH]
            self._store(batch)

    def _store(self, batch: list[_Waiting]) -> None:
        """Write one batch in one transaction and wake everyone waiting."""
        # Until the commit, an interruption (not an Exception) is this batch's error: no
        # entry may wait for a write that has ended, nor be taken as stored.
        error: BaseException | None = RuntimeError(
            f"the write of {len(batch)} audit entries was interrupted"
        )
        try:
            with self.database.writer() as session:
                auditchain.append(session, [waiting.entry for waiting in batch])
                session.commit()
            error = None
        except Exception as failure:
            logger.error("could not write %d audit entries: %s", len(batch), type(failure).__name__)
            error = failure
        finally:
            with self._changed:
                for waiting in batch:
                    waiting.stored = error is None
                    waiting.error = error
                self._writing = False
                self._changed.notify_all()
