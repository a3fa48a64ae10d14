"""A planted health note, searched for everywhere it must not be, after every endpoint.

Every profile carries `HEALTH_MARKER` in ``health``; every route is called by
every caller (`test_route_table.call_every_route`), with inputs the store
cannot hold and a store failure that quotes the note. Then the note must be
in none of: the log (every logger, stdout, stderr), the exports, the audit
log, the evaluation's outputs, the files of the data folder, and any column
of the store but ``candidate_health.health``.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import HEALTH_MARKER, Api, candidate
from sqlalchemy import select
from test_route_table import World, call_every_route

from service import store
from service.models import Base, CandidateHealth, EvaluationRow

MARKER = HEALTH_MARKER.split()[0]


def _store_text_outside_health(api: Api) -> str:
    parts = []
    with api.database.reader() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c is not CandidateHealth.__table__.c.health]
            rows = session.execute(select(*columns)).all()
            parts.append(json.dumps([list(r) for r in rows], default=str, ensure_ascii=False))
    return "\n".join(parts)


def test_health_is_nowhere_but_its_column(
    stocked: Api,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    api = stocked
    note = {"note": HEALTH_MARKER, "medicin": [HEALTH_MARKER]}
    with caplog.at_level(logging.DEBUG):
        api.post("anna", "/candidates", json=candidate("c-kept", health=note))
        assert call_every_route(World(api, health=note)) == []
        # Inputs the store cannot hold, with the note beside them.
        for bad in ("\u0000", "\ud800"):
            body = json.dumps(candidate("c-bad", health={"note": HEALTH_MARKER + bad}))
            response = api.client.post(
                "/candidates",
                content=body,
                headers={**api.headers("anna"), "content-type": "application/json"},
            )
            assert response.status_code == 422
        # A store failure whose message quotes the note, as PostgreSQL's context would.
        real_save = store.save_candidate

        def failing(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError(f"CONTEXT: JSON data, line 1: {HEALTH_MARKER}")

        monkeypatch.setattr(store, "save_candidate", failing)
        failed = api.post("anna", "/candidates", json=candidate("c-x", health=note))
        assert failed.status_code == 500 and MARKER not in failed.text
        monkeypatch.setattr(store, "save_candidate", real_save)
        # An evaluation run to its end (it fails on this small history) writes its outputs.
        started = api.post("ida", "/evaluations", json={}).json()["id"]
        for _ in range(100):
            if api.get("ida", f"/evaluations/{started}").json()["status"] != "running":
                break
            time.sleep(0.1)
        exports = [
            api.get("ida", f"/exports/{name}").text
            for name in ("candidates.jsonl", "placements.csv", "openings.jsonl")
        ]
        audit = api.get("root", "/audit?limit=1000").text
        evaluations = api.get("ida", "/evaluations").text
    out, err = capfd.readouterr()
    assert MARKER not in caplog.text, "log"
    assert MARKER not in out + err, "stdout/stderr"
    for text in exports:
        assert MARKER not in text, "export"
    assert MARKER not in audit, "audit log"
    assert MARKER not in evaluations, "evaluations"
    with api.database.reader() as session:
        evaluation_rows = session.scalars(select(EvaluationRow)).all()
        kept = session.scalars(select(CandidateHealth.health)).all()
    assert all(MARKER not in json.dumps([e.metrics, e.report, e.error]) for e in evaluation_rows)
    assert MARKER not in _store_text_outside_health(api), "a store column other than health"
    assert any(MARKER in json.dumps(h) for h in kept)  # the note itself is kept for its owner
    settings = api.client.app.state.services.settings  # type: ignore[attr-defined]
    store_path = Path(api.database.engine.url.database or "-")
    for path in Path(settings.data_dir).rglob("*"):
        if path.is_file() and not path.name.startswith(store_path.name):
            assert MARKER.encode() not in path.read_bytes(), path
