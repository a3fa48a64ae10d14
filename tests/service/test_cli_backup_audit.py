"""`ipsmatch backup`, `ipsmatch restore` and `ipsmatch audit verify`, on both stores."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import CATALOGUE, HEALTH_MARKER, Api, candidate
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from service import cli
from service.models import AuditEntry, Base

runner = CliRunner()


def _every_table(api: Api) -> dict[str, list[tuple[Any, ...]]]:
    tables = {}
    with api.database.reader() as session:
        for table in Base.metadata.sorted_tables:
            order = [c for c in table.primary_key.columns] or list(table.columns)
            rows = session.execute(select(table).order_by(*order)).all()
            tables[table.name] = [tuple(row) for row in rows]
    return tables


def test_backup_and_restore_round_trip_every_table(
    stocked: Api, store_env: list[str], tmp_path: Path
) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-1", health={"note": HEALTH_MARKER}))
    event = {"candidate_id": "c-1", "opening_id": "o-dyr", "stage": "hired",
             "date": "2026-01-12"}  # fmt: skip
    assert stocked.post("anna", "/placements", json=event).status_code == 201
    before = _every_table(stocked)
    assert all(before[name] for name in ("candidates", "openings", "audit_log", "placements"))
    out = tmp_path / "backups" / "store.backup"
    made = runner.invoke(cli.app, ["backup", str(out), *store_env])
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    # Life goes on after the backup: a new profile, an erasure, a new opening.
    stocked.post("anna", "/candidates", json=candidate("c-2"))
    stocked.delete("anna", "/candidates/c-1")
    stocked.upload([{**CATALOGUE[0], "id": "o-ny"}])
    assert _every_table(stocked) != before

    restored = runner.invoke(cli.app, ["restore", str(out), *store_env])
    assert restored.exit_code == 0, restored.output
    assert _every_table(stocked) == before
    again = runner.invoke(cli.app, ["backup", str(out), *store_env])
    assert again.exit_code == 3 and "exists already" in again.stderr


def test_audit_verify_names_the_first_broken_entry(api: Api, store_env: list[str]) -> None:
    for number in range(3):
        api.post("anna", "/candidates", json=candidate(f"c-{number}"))
    intact = runner.invoke(cli.app, ["audit", "verify", *store_env])
    assert intact.exit_code == 0, intact.output
    assert json.loads(intact.stdout)["intact"] is True
    with api.database.writer() as session:
        if api.database.dialect == "sqlite":
            session.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        pks = session.scalars(select(AuditEntry.pk).order_by(AuditEntry.pk)).all()
        session.execute(AuditEntry.__table__.delete().where(AuditEntry.pk == pks[1]))
        session.commit()
    _enable_append_only(api)
    broken = runner.invoke(cli.app, ["audit", "verify", *store_env])
    assert broken.exit_code == 1
    assert json.loads(broken.stdout)["first_broken"] == pks[2]
    assert f"audit entry {pks[2]} does not link" in broken.stderr


def _enable_append_only(api: Api) -> None:
    # The PostgreSQL schema outlives the test; its trigger must be on for the next.
    if api.database.dialect == "postgresql":
        with api.database.writer() as session:
            session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
            session.commit()


def test_the_audit_log_refuses_changes(api: Api) -> None:
    api.post("anna", "/candidates", json=candidate())
    for statement in (update(AuditEntry).values(action="x"), AuditEntry.__table__.delete()):
        with api.database.writer() as session, pytest.raises(Exception, match="append-only"):
            session.execute(statement)
