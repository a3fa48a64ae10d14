"""`ipsmatch users ...`, `ipsmatch serve [--demo]` and `ipsmatch worker`, on both stores."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import HEALTH_MARKER, opening
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from matcher.encoders import CachedEncoder
from matcher.records import Opening
from service import cli, store
from service.db import Database
from service.demo import DEMO_DIR
from service.models import User
from service.upload_jobs import UploadQueue, store_upload, upload_progress

runner = CliRunner()


def _tokens(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].startswith("ipsm_"):
            found[parts[1]] = parts[2]
    return found


def test_users_add_list_and_new_token(store_env: list[str], database_url: str) -> None:
    added = runner.invoke(cli.app, ["users", "add", "anna", "--role", "consultant", *store_env])
    assert added.exit_code == 0, added.output
    token = added.stdout.strip().splitlines()[-1]
    assert token.startswith("ipsm_") and "shown once" in added.stderr
    database = Database(database_url)
    with database.reader() as session:
        user = session.scalar(select(User).where(User.name == "anna"))
        assert user is not None and user.role == "consultant"
        assert token not in user.token_hash and len(user.token_hash) == 64
    database.dispose()
    twice = runner.invoke(cli.app, ["users", "add", "anna", "--role", "admin", *store_env])
    assert twice.exit_code == 2 and "exists already" in twice.stderr
    bad_role = runner.invoke(cli.app, ["users", "add", "bo", "--role", "boss", *store_env])
    assert bad_role.exit_code == 2
    assert "consultant, job_developer, analyst, admin" in bad_role.stderr
    listed = runner.invoke(cli.app, ["users", "list", *store_env])
    assert json.loads(listed.stdout.splitlines()[0])["name"] == "anna"
    renewed = runner.invoke(cli.app, ["users", "token", "anna", *store_env])
    assert renewed.exit_code == 0 and renewed.stdout.strip() != token
    missing = runner.invoke(cli.app, ["users", "token", "nobody", *store_env])
    assert missing.exit_code == 2 and "no user named 'nobody'" in missing.stderr


def test_serve_demo_loads_the_demo_and_prints_working_tokens(
    store_env: list[str], shared_encoder: CachedEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def fake_run(app: Any, host: str, port: int, **options: Any) -> None:
        served.update(app=app, host=host, port=port, **options)

    monkeypatch.setattr("uvicorn.run", fake_run)
    monkeypatch.setattr(cli, "load_encoder", lambda *_args, **_kwargs: shared_encoder)
    result = runner.invoke(cli.app, ["serve", "--demo", "--port", "8123", *store_env])
    assert result.exit_code == 0, result.output
    tokens = _tokens(result.stdout)
    assert set(tokens) == {"demo-consultant", "demo-job-developer", "demo-analyst", "demo-admin"}
    assert "curl -H 'Authorization: Bearer" in result.stdout and ":8123/docs" in result.stdout
    assert served["port"] == 8123 and served["host"] == "127.0.0.1"
    assert served["server_header"] is False  # no banner naming the server software
    demo_candidates = (DEMO_DIR / "candidates.jsonl").read_text().count("\n")
    with TestClient(served["app"]) as client:
        consultant = {"Authorization": f"Bearer {tokens['demo-consultant']}"}
        caseload = client.get("/candidates", headers=consultant).json()
        assert len(caseload) == demo_candidates
        ranking = client.get("/candidates/c-0001/recommendations?k=3", headers=consultant)
        assert len(ranking.json()["results"]) == 3
        analyst = {"Authorization": f"Bearer {tokens['demo-analyst']}"}
        exported = client.get("/exports/candidates.jsonl", headers=analyst).text
        assert "skizofreni" not in exported.lower() and HEALTH_MARKER not in exported

    # Again on the demo's own store: fresh tokens, the old ones revoked, nothing loaded twice.
    again = runner.invoke(cli.app, ["serve", "--demo", *store_env])
    assert again.exit_code == 0, again.output
    renewed = _tokens(again.stdout)
    assert set(renewed) == set(tokens) and renewed["demo-admin"] != tokens["demo-admin"]
    with TestClient(served["app"]) as client:
        old = {"Authorization": f"Bearer {tokens['demo-consultant']}"}
        new = {"Authorization": f"Bearer {renewed['demo-consultant']}"}
        assert client.get("/users/me", headers=old).status_code == 401
        assert len(client.get("/candidates", headers=new).json()) == demo_candidates


def test_serve_demo_refuses_a_store_with_other_data(store_env: list[str]) -> None:
    runner.invoke(cli.app, ["users", "add", "anna", "--role", "consultant", *store_env])
    result = runner.invoke(cli.app, ["serve", "--demo", *store_env])
    assert result.exit_code == 2 and "loads only into an empty store" in result.stderr


def test_worker_indexes_the_unfinished_uploads_of_the_store(
    store_env: list[str],
    database_url: str,
    shared_encoder: CachedEncoder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = Database(database_url)
    database.migrate()
    records = [
        Opening.model_validate(opening(f"o-{i}", "Gartner", f"Pleje af park {i}."))
        for i in range(3)
    ]
    with database.writer() as session:
        user, _ = store.create_user(session, "jens", "job_developer")
        job, _ = store_upload(session, user, "o.jsonl", records)
        session.commit()

    class Drain:
        """Works the queue until it is empty, where huey's consumer would wait for more."""

        def __init__(self, queue: UploadQueue) -> None:
            self.queue = queue

        def run(self) -> None:
            while (task := self.queue.huey.dequeue()) is not None:
                self.queue.huey.execute(task)

    monkeypatch.setattr(UploadQueue, "consumer", lambda queue, **_: Drain(queue))
    monkeypatch.setattr(cli, "load_encoder", lambda *_args, **_kwargs: shared_encoder)
    result = runner.invoke(cli.app, ["worker", *store_env])
    assert result.exit_code == 0, result.output
    assert "1 unfinished queued again" in result.stderr
    with database.reader() as session:
        progress = upload_progress(session, job.id)
    assert (progress.status, progress.indexed, progress.remaining) == ("done", 3, 0)
    database.dispose()
