"""The store across restarts and processes: migrations, kept vectors, shared revisions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import CATALOGUE, USERS, Api, add_users, candidate, opening
from fakes import FakeEncoder
from fastapi.testclient import TestClient

from matcher.encoders import CachedEncoder, Role
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
        self.passages: list[str] = []

    def encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        self.seen.extend(texts)
        if role == "passage":
            self.passages.extend(texts)
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
        # Vectors came from the store (titles are still mapped to occupations, as queries).
        assert not segments & set(second.passages)
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


def test_a_store_from_before_0003_keeps_its_pseudonyms_and_loses_its_key(
    settings: Settings, shared_encoder: CachedEncoder
) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from service.db import MIGRATIONS
    from service.security import Pseudonymiser, new_secret_key

    database = Database(settings.resolved_database_url())
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")  # a new SQLite file
        command.downgrade(config, "0002")  # the session's PostgreSQL schema, at head
        connection.commit()
    key = new_secret_key()
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO secrets (name, value) VALUES ('pseudonym_key', :k)"),
                           {"k": key})  # fmt: skip
        connection.execute(text(
            "INSERT INTO users (id, name, role, token_hash, active, created_at) "
            "VALUES (1, 'anna', 'consultant', 'h', true, CURRENT_TIMESTAMP)"))  # fmt: skip
        connection.execute(text(
            "INSERT INTO candidates (pk, id, owner_id, profile, revision, created_at, updated_at) "
            "VALUES (7, 'c-1', 1, '{\"id\": \"c-1\", \"preferences\": {\"desired\": [\"dyr\"]}}', "
            "1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))  # fmt: skip
    database.dispose()
    with TestClient(create_app(settings, encoder=shared_encoder)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        with services.database.reader() as session:
            secrets = session.execute(text("SELECT COUNT(*) FROM secrets")).scalar()
            seed = session.execute(text("SELECT pseudonym_seed FROM candidates")).scalar()
        exported = services.pseudonyms.candidate(seed)
    assert secrets == 0  # the key left the store ...
    assert settings.resolved_pseudonym_key_file().read_text().strip() == key  # ... for its file
    assert exported == Pseudonymiser(key).candidate("candidate:7")  # the old pseudonym
