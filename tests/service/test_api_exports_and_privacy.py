"""Analysts' exports are pseudonymised; health never reaches an export, the audit log or a log."""

from __future__ import annotations

import json
import logging

import pytest
from conftest import CATALOGUE, HEALTH_MARKER, USERS, Api, add_users, candidate
from fastapi.testclient import TestClient
from sqlalchemy import select

from matcher.encoders import CachedEncoder
from matcher.records import Candidate
from service.app import create_app
from service.models import AuditEntry, EmployerRow, PlacementRow
from service.settings import Settings


def test_exports_are_pseudonymised_and_contract_shaped(stocked: Api) -> None:
    record = candidate(
        "c-0042",
        preferences={"desired": ["dyrepasser"], "schedule": ["day"]},
        location={"postcode": "2400"},
        disclosure="yes",
        health={"note": HEALTH_MARKER},
        name="Jens Hansen",
    )
    stocked.post("anna", "/candidates", json=record)
    stocked.post("bo", "/candidates", json=candidate("c-0042", ["lager"]))
    event = {"candidate_id": "c-0042", "opening_id": "o-dyr", "stage": "interview",
             "date": "2026-01-12"}  # fmt: skip
    stocked.post("anna", "/placements", json=event)

    response = stocked.get("ida", "/exports/candidates.jsonl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    text = response.text
    assert HEALTH_MARKER not in text and "Jens Hansen" not in text and "c-0042" not in text
    rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == 2 and len({r["id"] for r in rows}) == 2
    exported = next(r for r in rows if r["disclosure"] == "yes")
    assert exported["id"].startswith("p-") and "name" not in exported and "health" not in exported
    assert exported["preferences"]["schedule"] == ["day"]
    assert exported["location"] == {"postcode": "2400"}
    Candidate.model_validate(exported)  # still a contract record

    placements = stocked.get("ida", "/exports/placements.csv")
    assert placements.headers["content-type"].startswith("text/csv")
    lines = placements.text.splitlines()
    assert lines[1] == f"{exported['id']},o-dyr,e-dyr,interview,2026-01-12,,"
    openings = stocked.get("ida", "/exports/openings.jsonl").text.splitlines()
    assert {json.loads(line)["id"] for line in openings} == {o["id"] for o in CATALOGUE}
    audited = stocked.get("root", "/audit?action=export.candidates").json()
    assert len(audited) == 1 and audited[0]["user_id"] == 4


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    # Everything, SQL statements included, as if an operator turned every log up.
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "alembic", "uvicorn", "fastapi"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_health_never_reaches_logs_audit_or_exports(
    logged: pytest.LogCaptureFixture, settings: Settings, shared_encoder: CachedEncoder
) -> None:
    with TestClient(create_app(settings, encoder=shared_encoder)) as client:
        api = Api(client, add_users(client.app.state.services.database, USERS))  # type: ignore[attr-defined]
        assert api.upload(CATALOGUE).status_code == 202
        api.put("jens", "/employers/e-park", json={"id": "e-park", "description": "dyrepark"})
        health = {"note": HEALTH_MARKER, "medication": [HEALTH_MARKER]}
        record = candidate("c-1", ["dyrepasser"], health=health)
        assert api.post("anna", "/candidates", json=record).status_code == 201
        assert api.get("anna", "/candidates/c-1").json()["health"] == health
        api.put("anna", "/candidates/c-1", json=dict(record, disclosure="yes"))
        invalid = dict(record, disclosure="perhaps")
        assert api.put("anna", "/candidates/c-1", json=invalid).status_code == 422
        assert api.get("anna", "/candidates/c-1/recommendations").status_code == 200
        assert api.get("anna", "/candidates/c-1/employers").status_code == 200
        event = {"candidate_id": "c-1", "opening_id": "o-dyr", "stage": "hired",
                 "date": "2026-02-01"}  # fmt: skip
        assert api.post("anna", "/placements", json=event).status_code == 201
        exports = [
            api.get("ida", "/exports/candidates.jsonl").text,
            api.get("ida", "/exports/placements.csv").text,
            api.get("ida", "/exports/openings.jsonl").text,
        ]
        audit_api = api.get("root", "/audit?limit=1000").text
        assert api.delete("anna", "/candidates/c-1").status_code == 200
        with api.database.reader() as session:
            audit_rows = [
                (e.action, e.candidate_pseudonym, e.detail)
                for e in session.scalars(select(AuditEntry))
            ]
            others = [str(r.__dict__) for r in session.scalars(select(PlacementRow))]
            others += [str(r.record) for r in session.scalars(select(EmployerRow))]
    assert any(r.name.startswith("sqlalchemy.engine") for r in logged.records)  # logs were on
    assert len(audit_rows) >= 9
    for where, text in [
        ("logs", logged.text),
        ("log arguments", " ".join(str(r.args) for r in logged.records)),
        ("audit table", str(audit_rows)),
        ("audit API", audit_api),
        ("placements and employers", " ".join(others)),
        *((f"export {i}", t) for i, t in enumerate(exports)),
    ]:
        assert HEALTH_MARKER not in text, f"health text found in {where}"
        assert "SKIZOFRENI" not in text.upper(), f"health text found in {where}"
