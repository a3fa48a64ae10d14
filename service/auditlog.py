"""Audit entries of read requests, written in groups by one thread.

Every recommendation request must be in the audit log before its answer is
sent, and under load there are many: one transaction each would queue them
all on the store's write lock (SQLite has one writer). Here each request
hands its entry to a writer thread and waits; the thread writes everything
waiting in one transaction and releases every waiter at its commit. A
request still answers only once its entry is stored.

Changes (creating a profile, uploading openings) write their entries in their
own transaction instead, so the change and its entry commit together.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from service import auditchain
from service.db import Database
from service.models import utcnow

logger = logging.getLogger(__name__)

# Entries per transaction at most; more wait for the next one.
BATCH = 500
WAIT_S = 60.0


class AuditWriter:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._queue: queue.Queue[tuple[dict[str, Any], Future[None]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def write(
        self,
        user_id: int | None,
        action: str,
        candidate_pseudonym: str | None = None,
        **detail: Any,
    ) -> None:
        """Store one entry; returns when it is committed (raises if it could not be)."""
        self._ensure_started()
        done: Future[None] = Future()
        entry = {
            "at": utcnow(),
            "user_id": user_id,
            "action": action,
            "candidate_pseudonym": candidate_pseudonym,
            "detail": detail,
        }
        self._queue.put((entry, done))
        done.result(timeout=WAIT_S)

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                thread = threading.Thread(target=self._run, name="ipsmatch-audit", daemon=True)
                thread.start()
                self._thread = thread

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # finish this batch, then stop
                    break
                batch.append(more)
            try:
                with self.database.writer() as session:
                    auditchain.append(session, [entry for entry, _ in batch])
                    session.commit()
            except Exception as error:
                logger.error(
                    "could not write %d audit entries: %s", len(batch), type(error).__name__
                )
                for _, done in batch:
                    done.set_exception(error)
                continue
            for _, done in batch:
                done.set_result(None)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=WAIT_S)
            self._thread = None
