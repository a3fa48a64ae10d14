"""The audit writer on every store: each entry committed before `write` returns,
entries of concurrent requests grouped into few transactions, failures reported
to every request whose entry they cost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import auditchain, auditlog
from service.auditlog import AuditWriter
from service.db import Database
from service.models import AuditEntry


@pytest.fixture
def database(database_url: str, tmp_path: Path) -> Iterator[Database]:
    if database_url.startswith("sqlite"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    found = Database(database_url)
    found.migrate()
    yield found
    found.dispose()


def _stored(database: Database) -> list[AuditEntry]:
    with database.reader() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.pk)))


def test_an_entry_is_committed_when_write_returns(database: Database) -> None:
    writer = AuditWriter(database)
    writer.write(None, "recommendations", "p-1", k=10, results=[{"opening_id": "o-1"}])
    (entry,) = _stored(database)
    assert (entry.action, entry.candidate_pseudonym) == ("recommendations", "p-1")
    assert entry.detail == {"k": 10, "results": [{"opening_id": "o-1"}]}


def test_concurrent_requests_all_stored_in_one_intact_chain(database: Database) -> None:
    writer = AuditWriter(database)
    errors: list[BaseException] = []

    def request(number: int) -> None:
        try:
            for repeat in range(5):
                writer.write(None, "recommendations", f"p-{number}", repeat=repeat)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = _stored(database)
    assert sorted((e.candidate_pseudonym, e.detail["repeat"]) for e in stored) == sorted(
        (f"p-{n}", r) for n in range(12) for r in range(5)
    )
    with database.reader() as session:
        report = auditchain.verify(session)
    assert report.intact and report.checked == 60


def test_entries_arriving_during_a_write_share_the_next_transaction(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[int] = []
    first_started, release_first = threading.Event(), threading.Event()
    append = auditchain.append

    def slow_first(session: Session, entries: Sequence[dict[str, Any]]) -> None:
        batches.append(len(entries))
        if len(batches) == 1:
            first_started.set()
            release_first.wait(timeout=30)
        append(session, entries)

    monkeypatch.setattr(auditchain, "append", slow_first)
    writer = AuditWriter(database)
    leader = threading.Thread(target=writer.write, args=(None, "recommendations", "p-0"))
    leader.start()
    assert first_started.wait(timeout=30)
    followers = [
        threading.Thread(target=writer.write, args=(None, "recommendations", f"p-{n}"))
        for n in range(1, 6)
    ]
    for thread in followers:
        thread.start()
    deadline = time.monotonic() + 30
    while len(writer._waiting) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    release_first.set()
    for thread in [leader, *followers]:
        thread.join(timeout=30)
    # The leader's own entry, then the five that waited, together.
    assert batches == [1, 5]
    assert len(_stored(database)) == 6


@pytest.mark.parametrize(
    "failure", [RuntimeError("disk full"), KeyboardInterrupt()], ids=["error", "interrupted"]
)
def test_a_failed_or_interrupted_write_fails_its_request_and_the_next_one_succeeds(
    database: Database, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    append = auditchain.append
    calls = []

    def fail_once(session: Session, entries: Sequence[dict[str, Any]]) -> None:
        calls.append(len(entries))
        if len(calls) == 1:
            raise failure
        append(session, entries)

    monkeypatch.setattr(auditchain, "append", fail_once)
    writer = AuditWriter(database)
    with pytest.raises(type(failure)) as raised:
        writer.write(None, "recommendations", "p-1")
    assert raised.value is failure
    # Nothing left waiting on the failed write: the next entry is written at once.
    writer.write(None, "recommendations", "p-2")
    assert [e.candidate_pseudonym for e in _stored(database)] == ["p-2"]


def test_an_entry_not_stored_in_time_raises_a_named_timeout(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auditlog, "WAIT_S", 0.2)
    writer = AuditWriter(database)
    writer._writing = True  # a write that never ends
    with pytest.raises(auditlog.AuditWriteTimeout, match="'recommendations'"):
        writer.write(None, "recommendations", "p-1")
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
