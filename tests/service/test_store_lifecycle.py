"""The store across restarts and processes: migrations, kept vectors, shared revisions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import CATALOGUE, USERS, Api, add_users, candidate, opening
from fakes import FakeEncoder
from fastapi.testclient import TestClient

from matcher.encoders import Role
from matcher.records import Opening
from matcher.text import opening_segments
from service.app import create_app
from service.db import Database
from service.models import Base
from service.settings import Settings


class RecordingEncoder(FakeEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        self.seen.extend(texts)
        return super().encode(texts, role)


def test_migrations_match_the_models(database_url: str) -> None:
    database = Database(database_url)
    database.migrate()
    database.migrate()  # a second start finds nothing to do
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    database.dispose()
    assert differences == []


def test_a_restart_encodes_no_stored_opening_again(settings: Settings) -> None:
    first = RecordingEncoder()
    with TestClient(create_app(settings, encoder=first)) as client:
        api = Api(client, add_users(client.app.state.services.database, USERS))  # type: ignore[attr-defined]
        assert api.upload(CATALOGUE).status_code == 202
        api.post("anna", "/candidates", json=candidate("c-1"))
        before = api.get("anna", "/candidates/c-1/recommendations").json()
    segments = {s for o in CATALOGUE for s in opening_segments(Opening.model_validate(o))}
    assert segments & set(first.seen)

    second = RecordingEncoder()
    with TestClient(create_app(settings, encoder=second)) as client:
        api.client = client
        after = api.get("anna", "/candidates/c-1/recommendations").json()
        assert not segments & set(second.seen)  # vectors came from the store
        # A changed text is encoded; an unchanged one is not.
        changed = dict(CATALOGUE[1], description="Pluk og pak af varer. Nyt lager i Køge.")
        accepted = api.upload([CATALOGUE[0], changed]).json()
        progress = api.wait_for_upload(accepted["upload_id"])
        assert progress["indexed"] == 2 and 0 < progress["texts_encoded"] <= 3
    assert after == before


def test_an_upload_in_one_process_reaches_another(settings: Settings) -> None:
    """Two apps on one store stand for two processes: the revision tells them apart."""
    with (
        TestClient(create_app(settings, encoder=FakeEncoder())) as one,
        TestClient(create_app(settings, encoder=FakeEncoder())) as two,
    ):
        api = Api(one, add_users(one.app.state.services.database, USERS))  # type: ignore[attr-defined]
        other = Api(two, api.tokens)
        api.post("anna", "/candidates", json=candidate("c-1", ["gartner"]))
        assert other.get("anna", "/candidates/c-1/recommendations").json()["results"] == []
        api.post("jens", "/openings", json=opening("o-1", "Gartner", employer_id="e-1"))
        seen = other.get("anna", "/candidates/c-1/recommendations").json()["results"]
        assert [r["opening_id"] for r in seen] == ["o-1"]
