"""A bulk upload killed inside its transaction leaves the store as it was, on both stores.

The child process writes the upload the way the service does (one writer
transaction through `store.upsert_openings`), announces when half the rows
are written, and is killed with SIGKILL there: no rollback code runs, so only
the database's own atomicity protects the store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from conftest import REPO_ROOT
from sqlalchemy import select

from matcher.records import Opening
from service import store
from service.db import Database
from service.models import OpeningRow

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from matcher.records import Opening
    from service import store
    from service.db import Database

    url, marker = sys.argv[1], Path(sys.argv[2])
    openings = [
        Opening.model_validate(
            {"id": f"o-{i:05d}", "employer_id": f"e-{i % 50}", "title": f"Job nummer {i}"}
        )
        for i in range(3000)
    ]
    written = 0

    def progress(count):
        global written
        written += count
        if written >= 1500 and not marker.exists():
            marker.write_text(str(written))
            time.sleep(600)  # killed here, inside the transaction

    database = Database(url)
    with database.writer() as session:
        store.upsert_openings(session, openings, progress=progress)
        store.bump_catalogue(session)
        session.commit()
    print("committed")
    """
)


def _snapshot(database: Database) -> tuple[dict[str, dict], int]:
    with database.reader() as session:
        records = {r.id: r.record for r in session.scalars(select(OpeningRow))}
        return records, store.catalogue_revision(session)


def test_killed_upload_changes_nothing(database_url: str, tmp_path: Path) -> None:
    database = Database(database_url)
    database.migrate()
    before = [
        Opening.model_validate({"id": "o-00001", "employer_id": "e-1", "title": "Gartner"}),
        Opening.model_validate({"id": "keep", "employer_id": "e-1", "title": "Bager"}),
    ]
    with database.writer() as session:
        store.upsert_openings(session, before)
        store.bump_catalogue(session)
        session.commit()
    expected = _snapshot(database)

    marker = tmp_path / "inside-transaction"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url, str(marker)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if child.poll() is not None:
                raise AssertionError(f"child ended early: {child.communicate()}")
            if time.monotonic() > deadline:
                raise AssertionError("child never reached the middle of its transaction")
            time.sleep(0.05)
        assert int(marker.read_text()) >= 1500
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL

    # A new connection (for SQLite, a new engine replaying the WAL) sees the old store.
    database.dispose()
    reopened = Database(database_url)
    assert _snapshot(reopened) == expected
    # And the store is writable again: no lock outlived the killed writer.
    with reopened.writer() as session:
        store.upsert_openings(
            session, [Opening.model_validate({"id": "after", "employer_id": "e-2", "title": "x"})]
        )
        session.commit()
    assert set(_snapshot(reopened)[0]) == {"o-00001", "keep", "after"}
    reopened.dispose()
