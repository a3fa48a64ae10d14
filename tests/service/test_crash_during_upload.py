"""Uploads and kill -9, on both stores.

* A bulk upload killed inside its transaction leaves the store as it was.
  The child process writes the upload the way the service does (one writer
  transaction through `store.upsert_openings`), announces when half the rows
  are written, and is killed with SIGKILL there: no rollback code runs, so
  only the database's own atomicity protects the store.
* A server killed while its upload is being indexed in the background, then
  started again, finishes the job: every opening indexed, and no text whose
  vector was saved before the kill encoded again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from conftest import REPO_ROOT, USERS, add_users, candidate, jsonl, opening
from servers import start_server, wait_for
from sqlalchemy import func, select

from matcher.encoders import EmbeddingCache
from matcher.records import Opening
from matcher.text import opening_segments
from service import store
from service.db import Database
from service.models import OpeningRow, TextVector

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


UPLOADED = 400


def test_a_server_killed_mid_upload_resumes_the_job_after_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    database = Database(database_url)
    database.migrate()
    tokens = add_users(database, USERS)
    records = [
        opening(f"o-{i:04d}", "Gartner", f"Pleje af park nummer {i}.", employer_id=f"e-{i % 7}")
        for i in range(UPLOADED)
    ]
    # Slow enough (about 5 ms a text, 40 openings a chunk) that the kill lands mid-way.
    first = start_server(database_url, tmp_path, tokens, "first", delay_s=0.005, chunk=40)
    try:
        files = {"file": ("parks.jsonl", jsonl(records))}
        accepted = first.post("jens", "/openings/bulk", files=files)
        assert accepted.status_code == 202, accepted.text
        upload = accepted.json()["progress"]
        progress = wait_for(
            lambda: (p := first.get("jens", upload))["indexed"] >= 80 and p,
            60,
            "the first chunks indexed",
        )
        first.kill()
    finally:
        first.stop()
    assert progress["status"] == "running" and progress["indexed"] < UPLOADED
    with database.reader() as session:
        saved_at_kill = set(session.scalars(select(TextVector.key)))
    model = "fake-hashing-256"
    assert {EmbeddingCache.key(model, r, t) for r, t in first.encoded()} >= saved_at_kill

    second = start_server(database_url, tmp_path, tokens, "second", chunk=40)
    try:
        done = wait_for(
            lambda: (p := second.get("jens", upload))["status"] == "done" and p,
            120,
            "the job finished after the restart",
        )
        assert (done["indexed"], done["failed"], done["remaining"]) == (UPLOADED, 0, 0)
        # Nothing encoded twice: the second server read what the first had saved.
        again = {EmbeddingCache.key(model, r, t) for r, t in second.encoded()}
        assert not again & saved_at_kill
        second.post("anna", "/candidates", json=candidate("c-1", ["gartner park"]))
        ranked = second.get("anna", "/candidates/c-1/recommendations?k=10")["results"]
        assert len(ranked) == 10
    finally:
        second.stop()

    # Nothing lost: every opening stored, indexed, with a vector for each of its texts.
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(OpeningRow)) == UPLOADED
        pending = session.scalar(
            select(func.count()).select_from(OpeningRow).where(OpeningRow.upload_job.is_not(None))
        )
        assert pending == 0
        saved = set(session.scalars(select(TextVector.key)))
    texts = {s for r in records for s in opening_segments(Opening.model_validate(r))}
    assert {EmbeddingCache.key(model, "passage", t) for t in texts} <= saved
    database.dispose()
