"""The findings of the outside audit (issue 11), each as a test that failed before the fix.

Every test runs on SQLite and PostgreSQL (the `api` fixture).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import CATALOGUE, HEALTH_MARKER, Api, candidate, jsonl, opening
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from matcher.encoders import CachedEncoder
from service import auditchain, store
from service.app import create_app
from service.guard import NoQueryStrings
from service.models import AuditEntry, CandidateRow, User
from service.settings import Settings

NUL_HEALTH = json.dumps(candidate("c-nul", health={"note": HEALTH_MARKER + "\u0000"}))


def _raw(api: Api, who: str | None, method: str, url: str, body: str | bytes) -> Any:
    headers = {"content-type": "application/json"}
    if who is not None:
        headers.update(api.headers(who))
    return api.client.request(method, url, content=body, headers=headers)


# ------------------------------------------------ 1. health text never in the logs


@pytest.mark.parametrize(
    "health",
    [
        '{"note": "' + HEALTH_MARKER + '\\u0000"}',
        '{"note": "' + HEALTH_MARKER + '\\ud800"}',
        '"' + HEALTH_MARKER + '\\udfff"',
    ],
)
def test_health_a_store_cannot_hold_is_a_422_and_stays_out_of_the_log(
    api: Api, health: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    body = '{"id": "c-1", "preferences": {"desired": ["dyr"]}, "health": ' + health + "}"
    with caplog.at_level(logging.DEBUG):
        response = _raw(api, "anna", "POST", "/candidates", body)
        replaced = _raw(api, "anna", "PUT", "/candidates/c-1", body)
    assert response.status_code == 422, response.text
    assert replaced.status_code == 422
    assert "health" in response.text and HEALTH_MARKER not in response.text
    out, err = capfd.readouterr()
    assert HEALTH_MARKER not in caplog.text + out + err
    assert api.get("anna", "/candidates").json() == []


def test_a_database_error_is_logged_by_type_only(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A store failure whose message quotes the note (as PostgreSQL's error context does).
    def failing(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"DETAIL: JSON data, line 1: {HEALTH_MARKER}")

    monkeypatch.setattr(store, "save_candidate", failing)
    with caplog.at_level(logging.DEBUG):
        response = api.post("anna", "/candidates", json=candidate(health=HEALTH_MARKER))
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    assert HEALTH_MARKER not in caplog.text and "RuntimeError" in caplog.text


# ------------------------------------------------------- 2. limits before work


def test_no_token_is_401_before_the_body_is_read(api: Api) -> None:
    read: list[int] = []

    def body() -> Any:
        for _ in range(64):
            read.append(1)
            yield b"x" * 65536

    for url in ("/candidates", "/openings/bulk"):
        read.clear()
        response = api.client.post(url, content=body())
        assert response.status_code == 401, (url, response.text)
        assert len(read) <= 1, url  # the client only got to offer its first chunk


def test_a_bad_token_is_401_before_the_body_is_read(api: Api) -> None:
    response = api.client.post(
        "/openings/bulk",
        headers={"Authorization": "Bearer ipsm_wrong"},
        files={"file": ("o.jsonl", jsonl(CATALOGUE))},
    )
    assert response.status_code == 401
    assert "expired or revoked" in response.json()["detail"]


def test_bodies_over_the_limit_are_413_declared_or_streamed(api: Api) -> None:
    limit = api.client.app.state.services.settings.max_body_bytes  # type: ignore[attr-defined]
    big = b'{"id": "' + b"x" * limit + b'"}'
    declared = _raw(api, "anna", "POST", "/candidates", big)
    assert declared.status_code == 413

    def chunks() -> Any:
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    streamed = api.client.post("/candidates", headers=api.headers("anna"), content=chunks())
    assert streamed.status_code == 413


def test_a_slow_body_is_408(settings: Settings, shared_encoder: CachedEncoder) -> None:
    slow = settings.model_copy(update={"body_read_timeout_s": 0.2})
    app = create_app(slow, encoder=shared_encoder)
    with TestClient(app):
        database = app.state.services.database
        with database.writer() as session:
            _, token = store.create_user(session, "anna", "consultant")
            session.commit()
        sent: list[dict[str, Any]] = []
        chunks = iter([b'{"id": '])

        async def receive() -> dict[str, Any]:
            chunk = next(chunks, None)
            if chunk is None:
                await anyio.sleep(5)  # the client stalls
                chunk = b'"c-1"}'
            return {"type": "http.request", "body": chunk, "more_body": True}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http", "method": "POST", "path": "/candidates", "raw_path": b"/candidates",
            "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
            "client": ("127.0.0.1", 1), "server": ("testserver", 80),
            "headers": [(b"authorization", f"Bearer {token}".encode()),
                        (b"content-type", b"application/json")],
        }  # fmt: skip

        async def call() -> None:
            with anyio.fail_after(4):
                await app(scope, receive, send)

        anyio.run(call)
    assert sent[0]["status"] == 408


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "c" * 201),
        ("health", {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}}),
        ("preferences", {"desired": ["x" * 501]}),
        ("extra", float("nan")),
    ],
)
def test_candidate_limits_are_422_on_both_stores(api: Api, field: str, value: Any) -> None:
    record = candidate()
    record[field] = value
    body = json.dumps(record)  # NaN as the bare token NaN, as a client would send it
    assert _raw(api, "anna", "POST", "/candidates", body).status_code == 422


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "o" * 201),
        ("employer_name", "n" * 501),
        ("title", "t" * 20_000_000),
        ("posted", 0),
        ("location", {"postcode": False}),
        ("title", "Dyr\u0000passer"),
        ("hours_per_week", {"min": "Infinity"}),
    ],
)
def test_openings_the_store_cannot_hold_are_422_also_in_bulk_files(
    api: Api, field: str, value: Any
) -> None:
    record = opening("o-1", "Dyrepasser")
    record[field] = value
    if field == "hours_per_week":
        body = json.dumps(record).replace('"Infinity"', "Infinity").encode() + b"\n"
    else:
        body = jsonl([record])
    response = api.post("jens", "/openings/bulk", files={"file": ("o.jsonl", body)})
    assert response.status_code in (413, 422), response.text
    if len(body) < 1_000_000:
        assert response.status_code == 422
    assert api.get("jens", "/openings").json() == []


def test_deep_nesting_is_422_not_a_recursion_error(api: Api) -> None:
    deep = '{"id": "c-1", "preferences": {"desired": ["x"]}, "x": ' + "[" * 5000 + "]" * 5000
    response = _raw(api, "anna", "POST", "/candidates", deep + "}")
    assert response.status_code in (400, 422)  # FastAPI's parser: 400; the contract: 422
    upload = api.post("jens", "/openings/bulk", files={"file": ("o.jsonl", deep.encode())})
    assert upload.status_code == 422


@pytest.mark.parametrize(
    "url",
    [
        "/openings?offset=99999999999999999999",
        "/employers?offset=18446744073709551616",
        "/evaluations/99999999999999999999",
        "/placements/99999999999999999999",
    ],
)
def test_integers_over_the_stores_range_are_422(api: Api, url: str) -> None:
    who = {"/openings": "jens", "/employers": "jens", "/evaluations": "ida"}
    caller = next((w for prefix, w in who.items() if url.startswith(prefix)), "anna")
    method = "DELETE" if url.startswith("/placements") else "GET"
    response = api.client.request(method, url, headers=api.headers(caller))
    assert response.status_code == 422, response.text
    revoke = api.delete("root", "/users/99999999999999999999")
    assert revoke.status_code == 422


def test_a_nul_in_the_path_or_query_is_422(api: Api) -> None:
    assert api.get("anna", "/candidates/c%00-1").status_code == 422
    assert api.get("jens", "/openings?employer_id=e%00").status_code == 422


# ------------------------------------------------------------------- 3. exports


def test_exports_drop_unknown_fields_at_every_depth(api: Api) -> None:
    record = candidate(
        "c-1",
        preferences={"desired": ["dyr"], "hours_per_week": {"min": 10, "why": "NOTE-why"}},
        competencies={"experience": [{"title": "lager", "note": "NOTE-job"}]},
        location={"postcode": "2400", "street": "NOTE-street"},
    )
    assert api.post("anna", "/candidates", json=record).status_code == 201
    exported = api.get("ida", "/exports/candidates.jsonl").text
    assert "NOTE-" not in exported
    row = json.loads(exported)
    assert row["preferences"]["hours_per_week"] == {"min": 10.0}
    assert row["competencies"]["experience"] == [{"title": "lager"}]


def test_csv_cells_that_would_be_formulas_are_escaped(api: Api) -> None:
    evil = '=HYPERLINK("http://x")'
    assert api.post("jens", "/employers", json={"id": evil}).status_code == 201
    assert api.post("anna", "/candidates", json=candidate()).status_code == 201
    event = {"candidate_id": "c-1", "employer_id": evil, "stage": "contacted",
             "date": "2026-01-12"}  # fmt: skip
    assert api.post("anna", "/placements", json=event).status_code == 201
    rows = list(csv.DictReader(io.StringIO(api.get("ida", "/exports/placements.csv").text)))
    assert rows[0]["employer_id"] == "'" + evil


def test_line_separators_inside_strings_do_not_split_json_lines(api: Api) -> None:
    record = opening("o-1", "Dyr\u2028passer", "et\u2029to")
    assert api.upload([record]).status_code == 202
    exported = api.get("ida", "/exports/openings.jsonl").text
    lines = exported.splitlines()  # as a reader that honours U+2028 would split it
    assert len(lines) == 1
    assert json.loads(lines[0])["title"] == "Dyr\u2028passer"


# ---------------------------------------------------------------- 4. pseudonyms


def test_pseudonyms_of_erased_candidates_never_collide(api: Api) -> None:
    seen = set()
    for _ in range(3):
        assert api.post("anna", "/candidates", json=candidate("c-1")).status_code == 201
        seen.add(api.delete("anna", "/candidates/c-1").json()["pseudonym"])
    assert len(seen) == 3


def test_the_pseudonym_key_is_a_private_file_not_in_the_store(api: Api) -> None:
    settings = api.client.app.state.services.settings  # type: ignore[attr-defined]
    key_file: Path = settings.resolved_pseudonym_key_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    with api.database.reader() as session:
        secrets = session.execute(text("SELECT value FROM secrets")).scalars().all()
        seeds = session.scalars(select(CandidateRow.pseudonym_seed)).all()
    assert key not in secrets
    assert all(not seed.startswith("candidate:") for seed in seeds)


# ---------------------------------------------------- 5. store files and the WAL


# Only the embedded store has files of ours; PostgreSQL keeps its own.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_store_files_are_private_and_erasure_leaves_the_wal(api: Api) -> None:
    assert api.database.dialect == "sqlite"
    path = Path(api.database.engine.url.database or "")
    record = candidate("c-1", health={"note": HEALTH_MARKER})
    assert api.post("anna", "/candidates", json=record).status_code == 201
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for file in path.parent.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert api.delete("anna", "/candidates/c-1").status_code == 200
    for file in path.parent.iterdir():
        assert HEALTH_MARKER.encode() not in file.read_bytes(), file


# ------------------------------------------------------------------- 6. headers


def test_every_response_carries_security_headers_and_no_store(api: Api) -> None:
    for response in (
        api.client.get("/health"),
        api.get("anna", "/candidates"),
        api.client.get("/candidates"),
        api.client.get("/openapi.json"),
        api.get("anna", "/candidates/none"),
    ):
        headers = response.headers
        assert headers["cache-control"] == "no-store", response.url
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "server" not in headers


def test_the_access_log_drops_query_strings() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", "/placements?candidate_id=c-1", "1.1", 200), None,
    )  # fmt: skip
    NoQueryStrings().filter(record)
    assert "c-1" not in record.getMessage() and "/placements" in record.getMessage()


# ------------------------------------------------------------- 7. tokens, audit


def test_tokens_expire(api: Api) -> None:
    with api.database.writer() as session:
        session.execute(
            update(User)
            .where(User.name == "anna")
            .values(token_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    response = api.get("anna", "/candidates")
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    made = api.post("root", "/users", json={"name": "eva", "role": "analyst", "lifetime_days": 1})
    with api.database.reader() as session:
        expires = session.scalar(select(User.token_expires_at).where(User.name == "eva"))
    assert expires is not None
    left = expires.replace(tzinfo=expires.tzinfo or UTC) - datetime.now(UTC)
    assert timedelta(hours=23) < left <= timedelta(days=1)
    fresh = {"Authorization": "Bearer " + made.json()["token"]}
    assert api.client.get("/users/me", headers=fresh).status_code == 200


def test_bad_tokens_are_rate_limited_and_audited(
    settings: Settings, shared_encoder: CachedEncoder
) -> None:
    strict = settings.model_copy(update={"auth_failures_per_minute": 3})
    with TestClient(create_app(strict, encoder=shared_encoder)) as client:
        bad = {"Authorization": "Bearer ipsm_guess"}
        codes = [client.get("/candidates", headers=bad).status_code for _ in range(5)]
        assert codes == [401, 401, 401, 429, 429]
        limited = client.get("/candidates", headers=bad)
        assert int(limited.headers["retry-after"]) >= 1
        database = client.app.state.services.database  # type: ignore[attr-defined]
        with database.reader() as session:
            failed = session.scalars(
                select(AuditEntry).where(AuditEntry.action == "auth.failed")
            ).all()
    assert len(failed) == 3 and failed[0].detail["path"] == "/candidates"


def test_reading_a_profile_with_health_is_audited(api: Api) -> None:
    api.post("anna", "/candidates", json=candidate("c-1", health={"note": HEALTH_MARKER}))
    api.post("anna", "/candidates", json=candidate("c-2"))
    api.get("anna", "/candidates/c-1")
    api.get("anna", "/candidates/c-2")
    entries = api.get("root", "/audit?action=candidate.read_health").json()
    assert len(entries) == 1 and HEALTH_MARKER not in json.dumps(entries)


# ------------------------------------------------------------------ 8. the chain


def test_the_audit_log_is_a_chain_that_names_the_first_broken_entry(api: Api) -> None:
    for number in range(4):
        api.post("anna", "/candidates", json=candidate(f"c-{number}"))
    with api.database.reader() as session:
        report = auditchain.verify(session)
    assert report.intact and report.checked >= 4
    with api.database.writer() as session:
        with pytest.raises(Exception, match="append-only"):
            session.execute(update(AuditEntry).values(action="x"))
        session.rollback()
    # Someone with the database's owner rights drops the triggers and edits an entry.
    with api.database.writer() as session:
        if api.database.dialect == "sqlite":
            session.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        third = session.scalars(select(AuditEntry.pk).order_by(AuditEntry.pk)).all()[2]
        session.execute(
            update(AuditEntry).where(AuditEntry.pk == third).values(candidate_pseudonym="p-x")
        )
        session.commit()
        if api.database.dialect == "postgresql":  # the schema outlives this test
            session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
            session.commit()
    with api.database.reader() as session:
        report = auditchain.verify(session)
    assert report.first_broken == third and "changed" in (report.problem or "")
