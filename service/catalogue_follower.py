"""Keeping a process's rankers current with a store that other processes write to.

Any number of service processes may share one PostgreSQL store. Each
answers every ranking from its own rankers, after reading the store's
catalogue revision in the same query that finds the caller and the profile:
a request that finds its process behind brings it up to date first, and the
ranking cache is keyed by that revision, so no process ever serves a ranking
older than a write acknowledged by any of them.

This part saves requests that wait: it brings the rankers up to date as
soon as another process writes. Every bump of the revision is announced on
PostgreSQL's ``LISTEN/NOTIFY`` channel (`service.store.CATALOGUE_CHANNEL`);
the follower listens and calls `refresh` (the engine's ``current``, which
applies the written rows by their ``updated_at`` stamps). When nothing is
heard for `poll_s`, or the listening connection is lost, it refreshes
anyway: the stamps are the fallback. On SQLite (one process) it only polls.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url

from service.store import CATALOGUE_CHANNEL

logger = logging.getLogger(__name__)

POLL_S = 5.0
# Notifications that come closer together than this are answered by one refresh.
MIN_INTERVAL_S = 0.2


class CatalogueFollower:
    """A daemon thread that calls `refresh` when the store's catalogue changes."""

    def __init__(
        self, database_url: str, refresh: Callable[[], object], poll_s: float | None = None
    ) -> None:
        url = make_url(database_url)
        self.dsn = (
            url.set(drivername="postgresql").render_as_string(hide_password=False)
            if url.get_backend_name() == "postgresql"
            else None
        )
        self.refresh = refresh
        self.poll_s = poll_s if poll_s is not None else POLL_S
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="ipsmatch-catalogue-follower", daemon=True
        )
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _refresh(self) -> None:
        try:
            self.refresh()
        except Exception:  # the next notification or poll tries again
            logger.exception("could not bring the rankers up to date with the store")

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.dsn is None:
                self._stop.wait(self.poll_s)
                if not self._stop.is_set():
                    self._refresh()
                continue
            try:
                self._listen(self.dsn)
            except psycopg.Error as error:
                logger.warning("catalogue notifications lost (%s); polling until back", error)
                self._stop.wait(self.poll_s)
                self._refresh()

    def _listen(self, dsn: str) -> None:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'LISTEN "{CATALOGUE_CHANNEL}"')
            # Writes made before LISTEN took effect were announced to nobody.
            self._refresh()
            while not self._stop.is_set():
                # Wake at least every second to notice a stop; refresh on news or on the poll.
                heard = False
                waited = 0.0
                while not heard and waited < self.poll_s and not self._stop.is_set():
                    heard = bool(list(connection.notifies(timeout=1.0, stop_after=1)))
                    waited += 1.0
                if self._stop.is_set():
                    return
                if heard:
                    time.sleep(MIN_INTERVAL_S)
                    # Drain what came meanwhile: one refresh reads the newest revision.
                    list(connection.notifies(timeout=0.0))
                self._refresh()
