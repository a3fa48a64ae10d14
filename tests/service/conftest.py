"""Fixtures of the service tests: a store on SQLite or PostgreSQL, an app, users by role.

Every API test runs on both stores. PostgreSQL is the server at
127.0.0.1:5432 (trust auth, database ``test``; ``IPSMATCH_TEST_POSTGRES``
overrides the URL); each test session makes a schema of its own and drops it
at the end. An unreachable server FAILS the PostgreSQL tests: a silent skip
would let the store the deployment uses go untested.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeEncoder
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from matcher.encoders import CachedEncoder
from service import store
from service.app import create_app
from service.db import Database
from service.models import Base, CatalogueState
from service.settings import Settings, get_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get(
    "IPSMATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Every table of the schema, emptied between PostgreSQL tests; not `catalogue_state`,
# whose one row the migration seeds and the store only ever updates.
TABLES = tuple(
    table.name
    for table in Base.metadata.sorted_tables
    if table.name != CatalogueState.__tablename__
)
HUEY_TABLES = ("huey_kv", "huey_schedule", "huey_task", "huey_counter")
TODAY = date.today()
SOON = (TODAY + timedelta(days=60)).isoformat()
LATER = (TODAY + timedelta(days=120)).isoformat()
PAST = (TODAY - timedelta(days=30)).isoformat()
LONG_AGO = (TODAY - timedelta(days=400)).isoformat()

# Planted in profiles by tests that check health never leaks; unlike anything else.
HEALTH_MARKER = "SKIZOFRENI-MARKER-7731 clozapin"

USERS = {
    "anna": "consultant",
    "bo": "consultant",
    "jens": "job_developer",
    "ida": "analyst",
    "root": "admin",
}


def opening(opening_id: str, title: str, description: str = "", **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": opening_id,
        "employer_id": fields.pop("employer_id", f"e-{opening_id}"),
        "title": title,
        "description": description,
        "posted": fields.pop("posted", PAST),
        "expires": fields.pop("expires", SOON),
    }
    record.update(fields)
    return record


def candidate(candidate_id: str = "c-1", desired: list[str] | None = None, **fields: Any) -> dict:
    record: dict[str, Any] = {
        "id": candidate_id,
        "preferences": {"desired": desired or ["dyrepasser"]},
    }
    record.update(fields)
    return record


def employer_contact(employer_id: str = "e-dyr", **fields: Any) -> dict[str, Any]:
    """An employer contact made today, as `POST /employer-contacts` takes it."""
    record: dict[str, Any] = {
        "employer_id": employer_id,
        "date": TODAY.isoformat(),
        "channel": "visit",
        "outcome": "call_back",
    }
    record.update(fields)
    return record


CATALOGUE = [
    opening(
        "o-dyr",
        "Dyrepasser",
        "Pasning af hunde og katte. 15-20 timer om ugen.",
        employer_id="e-dyr",
        employer_name="Dyreklinikken",
        hours_per_week={"min": 15, "max": 20},
        schedule=["day"],
    ),
    opening(
        "o-lager",
        "Lagermedarbejder",
        "Pluk og pak af varer på lageret.",
        employer_id="e-lager",
        employer_name="Lageret A/S",
        hours_per_week={"min": 30, "max": 37},
    ),
    opening(
        "o-kok",
        "Køkkenmedhjælper",
        "Opvask og madlavning i kantinen.",
        employer_id="e-kantine",
        employer_name="Kantinen",
    ),
    opening(
        "o-gammel",
        "Dyrepasser i zoo",
        "Fodring af dyr i zoologisk have.",
        employer_id="e-zoo",
        employer_name="Zoo",
        posted=LONG_AGO,
        expires=PAST,
    ),
]


def jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


@pytest.fixture(scope="session")
def shared_encoder() -> CachedEncoder:
    # One cache for the session: calibration and condition texts are encoded once.
    return CachedEncoder(FakeEncoder())


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    schema = f"ipsmatch_test_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL at {POSTGRES_URL} is unreachable ({type(error).__name__}: {error}); "
            "the service tests need it (set IPSMATCH_TEST_POSTGRES to another server)",
            pytrace=False,
        )
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    database = Database(url)
    database.migrate()
    database.dispose()
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def empty_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
            connection.execute(text("UPDATE catalogue_state SET revision = 0"))
            # huey's queue tables (made by the first app on the store): no task of an
            # earlier test may reach this one's jobs.
            connection.execute(text(f"DROP TABLE IF EXISTS {', '.join(HUEY_TABLES)}"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'ipsmatch.db'}"
    url: str = request.getfixturevalue("postgres_url")
    empty_postgres(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Tests of access make many bad-token calls from one client; the lockout has its own test.
    return Settings(
        data_dir=tmp_path / "data",
        cache_dir=tmp_path / "cache",
        database_url=database_url,
        auth_failures_per_minute=10_000,
    )


@dataclass
class Api:
    """A test client that calls as one of the named users."""

    client: TestClient
    tokens: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, headers=self.headers(who), **kwargs)

    def post(self, who: str, url: str, **kwargs: Any) -> Any:
        return self.client.post(url, headers=self.headers(who), **kwargs)

    def put(self, who: str, url: str, **kwargs: Any) -> Any:
        return self.client.put(url, headers=self.headers(who), **kwargs)

    def delete(self, who: str, url: str, **kwargs: Any) -> Any:
        return self.client.delete(url, headers=self.headers(who), **kwargs)

    @property
    def database(self) -> Database:
        database: Database = self.client.app.state.services.database  # type: ignore[attr-defined]
        return database

    def upload(
        self, records: list[dict[str, Any]], name: str = "openings.jsonl", wait: bool = True
    ) -> Any:
        """POST a file to /openings/bulk as jens; with `wait`, return once it is indexed."""
        response = self.post("jens", "/openings/bulk", files={"file": (name, jsonl(records))})
        if wait and response.status_code == 202:
            self.wait_for_upload(response.json()["upload_id"])
        return response

    def wait_for_upload(self, upload_id: int, timeout_s: float = 60.0) -> dict[str, Any]:
        """The upload's progress once its background job has finished."""
        deadline = time.monotonic() + timeout_s
        while True:
            progress: dict[str, Any] = self.get("jens", f"/uploads/{upload_id}").json()
            if progress["status"] in ("done", "failed"):
                return progress
            if time.monotonic() > deadline:
                raise AssertionError(f"upload {upload_id} not finished: {progress}")
            time.sleep(0.02)


def add_users(database: Database, users: dict[str, str]) -> dict[str, str]:
    tokens = {}
    with database.writer() as session:
        for name, role in users.items():
            _, tokens[name] = store.create_user(session, name, role)
        session.commit()
    return tokens


@pytest.fixture
def api(settings: Settings, shared_encoder: CachedEncoder) -> Iterator[Api]:
    with TestClient(create_app(settings, encoder=shared_encoder)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        yield Api(client, add_users(services.database, USERS))


@pytest.fixture
def stocked(api: Api) -> Api:
    """The API with the small catalogue uploaded."""
    response = api.upload(CATALOGUE)
    assert response.status_code == 202, response.text
    return api


@pytest.fixture
def store_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """The CLI pointed at the test store; returns the --data-dir arguments."""
    monkeypatch.setenv("IPSMATCH_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield ["--data-dir", str(tmp_path / "data")]
    get_settings.cache_clear()
