"""Uploads answered at once and indexed in the background: progress, rankings, errors, roles."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from conftest import USERS, Api, add_users, candidate, opening
from fakes import FakeEncoder
from fastapi.testclient import TestClient
from sqlalchemy import select

from matcher.encoders import CachedEncoder, Role
from matcher.errors import EncoderError
from matcher.records import Opening
from service import store
from service.app import create_app
from service.db import Database
from service.models import OpeningRow
from service.settings import Settings
from service.upload_jobs import UploadIndexer, store_upload


class BrokenTextEncoder(FakeEncoder):
    """Refuses texts holding `broken`, as a real encoder refuses what it cannot read."""

    def __init__(self, broken: str = "KAPUT") -> None:
        super().__init__()
        self.broken = broken
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        if any(self.broken in text for text in texts):
            raise EncoderError(f"cannot encode a text holding {self.broken!r}")
        self.seen.extend(texts)
        return super().encode(texts, role)


class Gate:
    """Holds the upload worker before each chunk while closed, one chunk per `turns` permit
    if given. It wraps the worker's `prepare`, outside the encoder's lock, so requests
    encode their queries meanwhile."""

    def __init__(self, prepare: Callable[[Sequence[Opening]], int]) -> None:
        self.prepare = prepare
        self.open = threading.Event()
        self.open.set()
        self.turns: threading.Semaphore | None = None

    def __call__(self, openings: Sequence[Opening]) -> int:
        if not self.open.wait(30):
            raise AssertionError("the gate was never opened")
        if self.turns is not None and not self.turns.acquire(timeout=30):
            raise AssertionError("no turn was given")
        return self.prepare(openings)


@pytest.fixture
def gated(settings: Settings) -> Iterator[tuple[Api, Gate]]:
    with TestClient(create_app(settings, encoder=BrokenTextEncoder())) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        indexer = services.uploads.indexer
        indexer.chunk_openings = 2
        gate = Gate(indexer.prepare)
        indexer.prepare = gate
        yield Api(client, add_users(services.database, USERS)), gate


def _gardens(count: int) -> list[dict[str, Any]]:
    return [
        opening(f"o-have-{i}", "Gartner", f"Pleje af park nummer {i}.", employer_id="e-have")
        for i in range(count)
    ]


def _ranked(api: Api) -> list[str]:
    response = api.get("anna", "/candidates/c-1/recommendations?k=50")
    assert response.status_code == 200, response.text
    return [r["opening_id"] for r in response.json()["results"]]


def test_an_upload_is_answered_before_encoding_and_ranked_chunk_by_chunk(
    gated: tuple[Api, Gate],
) -> None:
    api, gate = gated
    api.post("anna", "/candidates", json=candidate("c-1", ["gartner park"]))
    gate.turns = threading.Semaphore(0)
    response = api.upload(_gardens(5), wait=False)
    # Answered while the encoder has not been given a single turn.
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] == "queued" and accepted["created"] == 5
    assert (
        response.headers["location"] == accepted["progress"] == f"/uploads/{accepted['upload_id']}"
    )
    # Stored and readable, not ranked: nothing is indexed yet.
    assert api.get("anna", "/openings/o-have-0").status_code == 200
    assert _ranked(api) == []

    gate.turns.release()  # one chunk of two openings
    progress = _wait(api, accepted["upload_id"], lambda p: p["indexed"] >= 2)
    assert (progress["status"], progress["indexed"], progress["remaining"]) == ("running", 2, 3)
    assert progress["rate_per_s"] > 0 and progress["expected_finish"] is not None
    assert sorted(_ranked(api)) == ["o-have-0", "o-have-1"]

    for _ in range(2):
        gate.turns.release()
    done = api.wait_for_upload(accepted["upload_id"])
    assert (done["status"], done["indexed"], done["failed"], done["remaining"]) == (
        "done",
        5,
        0,
        0,
    )
    assert done["texts_encoded"] > 0 and done["finished_at"] is not None
    assert done["expected_finish"] is None and done["errors"] == []
    assert sorted(_ranked(api)) == [f"o-have-{i}" for i in range(5)]


def _wait(api: Api, upload_id: int, condition: Any, timeout_s: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        progress: dict[str, Any] = api.get("jens", f"/uploads/{upload_id}").json()
        if condition(progress):
            return progress
        assert time.monotonic() < deadline, progress
        time.sleep(0.02)


def test_openings_the_encoder_fails_on_are_reported_and_not_ranked(
    gated: tuple[Api, Gate],
) -> None:
    api, _ = gated
    api.post("anna", "/candidates", json=candidate("c-1", ["gartner park"]))
    records = _gardens(3)
    records[1]["description"] = "Pleje af park KAPUT."
    accepted = api.upload(records, wait=False).json()
    progress = api.wait_for_upload(accepted["upload_id"])
    assert (progress["status"], progress["indexed"], progress["failed"]) == ("done", 2, 1)
    assert len(progress["errors"]) == 1
    error = progress["errors"][0]
    assert error["opening_id"] == "o-have-1" and "KAPUT" in error["message"]
    assert api.get("jens", "/openings/o-have-1").status_code == 200  # stored, kept
    assert sorted(_ranked(api)) == ["o-have-0", "o-have-2"]
    # A corrected version indexes it.
    fixed = dict(records[1], description="Pleje af park.")
    assert api.upload([fixed]).status_code == 202
    assert sorted(_ranked(api)) == [f"o-have-{i}" for i in range(3)]


def test_an_updated_opening_leaves_rankings_until_its_new_version_is_indexed(
    gated: tuple[Api, Gate],
) -> None:
    api, gate = gated
    api.post("anna", "/candidates", json=candidate("c-1", ["gartner park"]))
    api.upload(_gardens(1))
    assert _ranked(api) == ["o-have-0"]
    gate.open.clear()
    changed = dict(_gardens(1)[0], description="Pleje af en ny park.")
    accepted = api.upload([changed], wait=False).json()
    assert _ranked(api) == []
    gate.open.set()
    api.wait_for_upload(accepted["upload_id"])
    assert _ranked(api) == ["o-have-0"]


def test_who_may_follow_an_upload(stocked: Api) -> None:
    with stocked.database.writer() as session:
        _, other = store.create_user(session, "per", "job_developer")
        session.commit()
    stocked.tokens["per"] = other
    upload_id = stocked.get("jens", "/uploads").json()[0]["id"]
    assert stocked.get("jens", f"/uploads/{upload_id}").status_code == 200
    assert stocked.get("root", f"/uploads/{upload_id}").status_code == 200
    assert stocked.get("per", f"/uploads/{upload_id}").status_code == 404
    assert stocked.get("per", "/uploads").json() == []
    assert [u["id"] for u in stocked.get("root", "/uploads").json()] == [upload_id]
    for who in ("anna", "ida"):
        denied = stocked.get(who, f"/uploads/{upload_id}")
        assert denied.status_code == 403 and "job_developer or admin" in denied.json()["detail"]
    assert stocked.get("jens", "/uploads/999").status_code == 404
    assert stocked.client.get(f"/uploads/{upload_id}").status_code == 401


def test_a_redis_queue_shares_the_work(settings: Settings) -> None:
    shared = settings.model_copy(update={"queue_url": "redis://127.0.0.1:6379/8"})
    with TestClient(create_app(shared, encoder=CachedEncoder(FakeEncoder()))) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        assert type(services.uploads.huey).__name__ == "RedisHuey"
        api = Api(client, add_users(services.database, USERS))
        api.post("anna", "/candidates", json=candidate("c-1", ["gartner park"]))
        assert api.upload(_gardens(3)).status_code == 202
        assert sorted(_ranked(api)) == [f"o-have-{i}" for i in range(3)]


def test_two_workers_on_one_job_encode_each_text_once(database_url: str) -> None:
    """Two servers' workers given the same job: one works it, the other leaves it."""
    database = Database(database_url)
    database.migrate()
    with database.writer() as session:
        user, _ = store.create_user(session, "jens", "job_developer")
        records = [Opening.model_validate(o) for o in _gardens(20)]
        job, _ = store_upload(session, user, "o.jsonl", records)
        session.commit()
    encoder = BrokenTextEncoder()
    started = threading.Barrier(2)

    def encode(openings: Sequence[Opening]) -> int:
        texts = [o.description for o in openings]
        encoder.encode(texts, "passage")
        return len(texts)

    gate = Gate(encode)
    gate.open.clear()
    workers = [UploadIndexer(Database(database_url), gate, chunk_openings=4) for _ in range(2)]
    results: list[bool] = []

    def work(indexer: UploadIndexer) -> None:
        started.wait()
        results.append(indexer.run(job.id))

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    # The worker that lost the lock returns without waiting for the encoder.
    threads_left = _join_first(threads)
    gate.open.set()
    for thread in threads_left:
        thread.join(30)
    assert sorted(results) == [False, True]
    assert len(encoder.seen) == len(set(encoder.seen)) == 20
    with database.reader() as session:
        pending = session.scalars(select(OpeningRow.id).where(OpeningRow.upload_job.is_not(None)))
        assert list(pending) == []
    for worker in workers:
        worker.database.dispose()
    database.dispose()


def _join_first(threads: list[threading.Thread]) -> list[threading.Thread]:
    deadline = time.monotonic() + 30
    while all(t.is_alive() for t in threads):
        assert time.monotonic() < deadline, "neither worker gave the job up"
        time.sleep(0.01)
    return [t for t in threads if t.is_alive()]
