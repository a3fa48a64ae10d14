"""Two service processes on one PostgreSQL store: each sees the other's writes at once,
and an upload is indexed by one of them, not by both."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import USERS, Api, add_users, candidate, empty_postgres, jsonl, opening
from fastapi.testclient import TestClient
from servers import start_server, wait_for

from matcher.encoders import CachedEncoder
from service import catalogue_follower, store
from service.app import create_app
from service.db import Database
from service.settings import Settings


def test_a_process_hears_of_another_s_write_without_being_asked(
    postgres_url: str,
    tmp_path: Path,
    shared_encoder: CachedEncoder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LISTEN/NOTIFY: the other process's rankers are current before any request reaches it."""
    monkeypatch.setattr(catalogue_follower, "POLL_S", 60.0)  # so only a notification can do it
    empty_postgres(postgres_url)
    settings = Settings(
        data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", database_url=postgres_url
    )
    with (
        TestClient(create_app(settings, encoder=shared_encoder)) as one,
        TestClient(create_app(settings, encoder=shared_encoder)) as two,
    ):
        api = Api(one, add_users(one.app.state.services.database, USERS))  # type: ignore[attr-defined]
        engine = two.app.state.services.engine  # type: ignore[attr-defined]
        added = opening("o-park", "Gartner", "Pleje af park.", employer_id="e-park")
        assert api.post("jens", "/openings", json=added).status_code == 201
        with api.database.reader() as session:
            revision = store.catalogue_revision(session)
        # Read without refreshing (`current()` would bring it up to date itself).
        wait_for(
            lambda: (
                engine.latest_catalogue is not None and engine.latest_catalogue.revision == revision
            ),
            2.0,
            "the second process's catalogue at the new revision",
        )
        assert "o-park" in engine.latest_catalogue.openings


def test_an_opening_added_through_one_is_ranked_by_the_other_within_2_s(
    postgres_url: str, tmp_path: Path
) -> None:
    empty_postgres(postgres_url)
    database = Database(postgres_url)
    tokens = add_users(database, USERS)
    database.dispose()
    one = start_server(postgres_url, tmp_path, tokens, "one")
    two = start_server(postgres_url, tmp_path, tokens, "two")
    try:
        created = one.post("anna", "/candidates", json=candidate("c-1", ["gartner park"]))
        assert created.status_code == 201, created.text
        ranking = "/candidates/c-1/recommendations?k=5"
        assert two.get("anna", ranking)["results"] == []  # fitted and cached, empty

        added = opening("o-park", "Gartner", "Pleje af park.", employer_id="e-park")
        assert one.post("jens", "/openings", json=added).status_code == 201
        acknowledged = time.monotonic()
        wait_for(
            lambda: [r["opening_id"] for r in two.get("anna", ranking)["results"]] == ["o-park"],
            2.0,
            "the opening added through one ranked by two",
        )
        assert time.monotonic() - acknowledged < 2.0

        # An upload through one is indexed once, by whichever server's worker took it.
        records = [
            opening(f"o-have-{i}", "Gartner", f"Pleje af have nummer {i}.") for i in range(30)
        ]
        files = {"file": ("haver.jsonl", jsonl(records))}
        accepted = one.post("jens", "/openings/bulk", files=files)
        assert accepted.status_code == 202, accepted.text
        upload = accepted.json()["progress"]
        wait_for(lambda: one.get("jens", upload)["status"] == "done", 60, "upload indexed")
        texts = {f"Pleje af have nummer {i}." for i in range(30)}
        by_one = [t for _, t in one.encoded() if t in texts]
        by_two = [t for _, t in two.encoded() if t in texts]
        assert sorted(by_one + by_two) == sorted(texts)  # each encoded once, by one server
        for server in (one, two):
            ranked = server.get("anna", "/candidates/c-1/recommendations?k=40")["results"]
            assert {f"o-have-{i}" for i in range(30)} <= {r["opening_id"] for r in ranked}
    finally:
        one.stop()
        two.stop()
