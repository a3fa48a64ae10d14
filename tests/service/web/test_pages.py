"""The pages through a test client, on SQLite and PostgreSQL: sessions, anti-forgery,
role boundaries, and that every write goes where the API's does."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from conftest import CATALOGUE, HEALTH_MARKER, Api, candidate, opening
from fastapi.testclient import TestClient
from pages_client import pages_for, sign_in
from sqlalchemy import select, update

from service.models import AuditEntry, CandidateRow, PlacementRow, WebSession


def _client(api: Api) -> TestClient:
    # A second client on the same app: its own cookie jar, like a second browser.
    return TestClient(api.client.app)


def test_sign_in_sets_a_strict_http_only_cookie_that_expires(api: Api) -> None:
    response = sign_in(_client(api), api.tokens["anna"])
    assert response.status_code == 303
    assert response.headers["location"] == "/web/caseload"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("ipsmatch_session=")
    )
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert "Max-Age=28800" in cookie


def test_a_wrong_token_does_not_sign_in(api: Api) -> None:
    client = _client(api)
    response = sign_in(client, "not-a-token")
    assert response.status_code == 401
    assert "ipsmatch_session" not in response.headers.get("set-cookie", "")
    assert client.get("/web/caseload", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_even_for_a_copied_cookie(api: Api) -> None:
    client = _client(api)
    pages = pages_for(client, api.tokens["anna"])
    cookie = client.cookies["ipsmatch_session"]
    assert pages.post("/web/sign-out", {}).status_code == 303
    stolen = TestClient(api.client.app, cookies={"ipsmatch_session": cookie})
    response = stolen.get("/web/caseload", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/web/sign-in")
    with api.database.reader() as session:
        assert session.scalars(select(WebSession)).all() == []


def test_an_expired_session_is_refused(api: Api) -> None:
    client = _client(api)
    pages_for(client, api.tokens["anna"])
    with api.database.writer() as session:
        session.execute(
            update(WebSession).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        session.commit()
    assert client.get("/web/caseload", follow_redirects=False).status_code == 303


def test_a_revoked_users_session_stops_working(api: Api) -> None:
    client = _client(api)
    pages_for(client, api.tokens["anna"])
    anna = api.get("anna", "/users/me").json()["id"]
    assert api.delete("root", f"/users/{anna}").status_code == 200
    assert client.get("/web/caseload", follow_redirects=False).status_code == 303


def test_a_form_post_without_the_anti_forgery_token_is_refused(api: Api) -> None:
    client = _client(api)
    pages_for(client, api.tokens["anna"])
    response = client.post(
        "/web/candidates/new",
        data={"id": "c-forged", "desired": "dyrepasser", "kinds": "job"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "csrf_token" in response.text
    wrong = client.post(
        "/web/candidates/new",
        data={"csrf_token": "guess", "id": "c-forged", "desired": "dyrepasser"},
        follow_redirects=False,
    )
    assert wrong.status_code == 403
    assert api.get("anna", "/candidates/c-forged").status_code == 404


def test_the_page_names_who_is_signed_in_and_the_role_in_danish(api: Api) -> None:
    client = _client(api)
    pages = pages_for(client, api.tokens["jens"])
    page = pages.get("/web/openings")
    assert "Logget ind som" in page.text and "<strong>jens</strong>" in page.text
    assert "Jobudvikler" in page.text
    english = pages.get("/web/language/en?next=/web/openings")
    assert "Signed in as" in english.text and "Job developer" in english.text


def test_a_role_cannot_open_another_roles_pages(api: Api) -> None:
    analyst = pages_for(_client(api), api.tokens["ida"])
    for url in ("/web/caseload", "/web/openings", "/web/users", "/web/audit"):
        assert analyst.get(url).status_code == 403, url
    consultant = pages_for(_client(api), api.tokens["anna"])
    for url in ("/web/evaluations", "/web/exports/candidates.jsonl", "/web/employers"):
        assert consultant.get(url).status_code == 403, url


def test_a_consultant_cannot_open_another_consultants_candidate_by_url(stocked: Api) -> None:
    bo = pages_for(_client(stocked), stocked.tokens["bo"])
    created = bo.post("/web/candidates/new", {"id": "c-bo", "desired": "dyrepasser\n"})
    assert created.status_code == 303, created.text
    anna = pages_for(_client(stocked), stocked.tokens["anna"])
    for suffix in ("", "/edit", "/suggestions", "/employers"):
        response = anna.get(f"/web/candidates/c-bo{suffix}")
        assert response.status_code == 404, suffix
        assert "dyrepasser" not in response.text
    event = anna.post("/web/candidates/c-bo/events", {"stage": "interview", "opening_id": "o-dyr"})
    assert event.status_code == 404
    with stocked.database.reader() as session:
        assert session.scalars(select(PlacementRow)).all() == []


def test_a_profile_saved_in_the_page_is_the_apis_with_health_apart(stocked: Api) -> None:
    pages = pages_for(_client(stocked), stocked.tokens["anna"])
    response = pages.post(
        "/web/candidates/new",
        {
            "id": "c-1",
            "desired": "dyrepasser\nnoget med dyr",
            "avoid": "nattevagter",
            "hours_min": "10",
            "hours_max": "20,5",
            "schedule": ["day", "evening"],
            "kinds": ["job"],
            "experience": "lagermedarbejder; 4; pluk og pak",
            "driving_licence": "no",
            "postcode": "2400",
            "disclosure": "yes",
            "health": HEALTH_MARKER,
        },
    )
    assert response.status_code == 303, response.text
    stored = stocked.get("anna", "/candidates/c-1").json()
    assert stored["preferences"]["desired"] == ["dyrepasser", "noget med dyr"]
    assert stored["preferences"]["hours_per_week"] == {"min": 10, "max": 20.5}
    assert stored["preferences"]["schedule"] == ["day", "evening"]
    assert stored["competencies"]["experience"] == [
        {"title": "lagermedarbejder", "years": 4, "description": "pluk og pak"}
    ]
    assert stored["competencies"]["driving_licence"] is False
    assert stored["health"] == {"note": HEALTH_MARKER}
    with stocked.database.reader() as session:
        row = session.scalars(select(CandidateRow)).one()
        assert "health" not in row.profile
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "candidate.create" in actions
    assert HEALTH_MARKER not in str(actions)
    editor = pages.get("/web/candidates/c-1/edit")
    assert HEALTH_MARKER in editor.text and 'class="health"' in editor.text


def test_an_edit_keeps_fields_outside_the_form(stocked: Api) -> None:
    record = candidate("c-1", name="Karen Hansen", status="paused")
    assert stocked.post("anna", "/candidates", json=record).status_code == 201
    pages = pages_for(_client(stocked), stocked.tokens["anna"])
    saved = pages.post(
        "/web/candidates/c-1/edit",
        {"desired": "kok", "kinds": ["job"], "status": "paused"},
    )
    assert saved.status_code == 303, saved.text
    stored = stocked.get("anna", "/candidates/c-1").json()
    assert stored["name"] == "Karen Hansen"
    assert stored["preferences"]["desired"] == ["kok"]


def test_a_bad_profile_is_shown_again_with_its_problems_and_not_stored(api: Api) -> None:
    pages = pages_for(_client(api), api.tokens["anna"])
    response = pages.post("/web/candidates/new", {"id": "c-1", "desired": "", "hours_min": "x"})
    assert response.status_code == 422
    assert "preferences.desired" in response.text
    assert api.get("anna", "/candidates/c-1").status_code == 404


def test_suggestions_are_the_apis_ranking_with_wishes_broken_apart(stocked: Api) -> None:
    record = candidate(
        "c-1",
        desired=["dyrepasser"],
        preferences={"desired": ["dyrepasser", "lager"], "hours_per_week": {"max": 20}},
        disclosure="no",
    )
    assert stocked.post("anna", "/candidates", json=record).status_code == 201
    ranking = stocked.get("anna", "/candidates/c-1/recommendations").json()["results"]
    pages = pages_for(_client(stocked), stocked.tokens["anna"])
    page = pages.get("/web/candidates/c-1/suggestions").text
    fitting, _, breaking = page.partition('id="breaking-heading"')
    for result in ranking:
        title = next(o["title"] for o in CATALOGUE if o["id"] == result["opening_id"])
        assert title in (breaking if result["violations"] else fitting), title
    assert any(r["violations"] == ["hours"] for r in ranking)
    assert "Timetal uden for det ønskede" in breaking
    assert "Nævn ikke personen" in page  # disclosure "no", in plain words


def test_suggestions_and_employers_give_the_reasons_in_danish(api: Api) -> None:
    home = {"lat": 55.713, "lon": 12.529}
    near = opening(
        "o-near",
        "Dyrepasser",
        "Pasning af hunde og katte.",
        employer_id="e-near",
        hours_per_week={"min": 15, "max": 20},
        schedule=["day", "night"],
        location={"lat": 55.74, "lon": 12.53},
    )
    assert api.upload([near]).status_code == 202
    record = candidate(
        "c-1",
        preferences={
            "desired": ["dyrepasser"],
            "hours_per_week": {"min": 10, "max": 20},
            "schedule": ["day"],
            "max_commute_km": 2,
        },
        location=home,
        competencies={"languages": []},
    )
    assert api.post("anna", "/candidates", json=record).status_code == 201
    reasons = api.get("anna", "/candidates/c-1/recommendations").json()["results"][0]["reasons"]
    assert "3.0 km from home, beyond 2 km" in reasons  # the API stays in English
    pages = pages_for(_client(api), api.tokens["anna"])
    for url in ("/web/candidates/c-1/suggestions", "/web/candidates/c-1/employers"):
        page = pages.get(url).text
        assert "<li>3 km fra hjemmet, mere end 2 km</li>" in page, url
        assert "<li>passer til &#39;dyrepasser&#39;</li>" in page, url
        assert "<li>15-20 timer/uge inden for 10-20 timer/uge</li>" in page, url
        assert "<li>omfatter nat; personen accepterer dag</li>" in page, url
        english = [r for r in reasons if r.replace("'", "&#39;") in page]
        assert english == [], url
        assert '<li lang="en">' not in page, url
    assert "<li>åbent opslag &#39;Dyrepasser&#39;</li>" in page
    # In English the page shows the engine's own sentences.
    english_page = pages.get("/web/language/en?next=/web/candidates/c-1/suggestions").text
    assert all(r.replace("'", "&#39;") in english_page for r in reasons)


def test_an_upload_with_a_bad_row_lists_every_problem_and_stores_nothing(api: Api) -> None:
    pages = pages_for(_client(api), api.tokens["jens"])
    good = CATALOGUE[0]
    bad = {**CATALOGUE[1], "title": ""}
    lines = f"{json.dumps(good)}\n{json.dumps(bad)}\n"
    response = pages.client.post(
        "/web/openings/upload",
        data={"csrf_token": pages.csrf()},
        files={"file": ("openings.jsonl", lines.encode())},
    )
    assert response.status_code == 422
    assert 'data-testid="problem-table"' in response.text
    assert "<td>2</td><td>o-lager</td><td>title</td>" in response.text
    assert api.get("jens", "/openings").json() == []


def test_admin_moves_a_revoked_consultants_caseload(api: Api) -> None:
    assert api.post("anna", "/candidates", json=candidate("c-1")).status_code == 201
    users = {u["name"]: u["id"] for u in api.get("root", "/users").json()}
    assert api.delete("root", f"/users/{users['anna']}").status_code == 200
    pages = pages_for(_client(api), api.tokens["root"])
    moved = pages.post(f"/web/users/{users['anna']}/caseload", {"to_user_id": users["bo"]})
    assert moved.status_code == 200, moved.text
    assert api.get("bo", "/candidates/c-1").status_code == 200
    assert "1 profiler flyttet" in moved.text


def test_caseload_move_api_refuses_clashing_ids_and_moves_nothing(api: Api) -> None:
    for who in ("anna", "bo"):
        assert api.post(who, "/candidates", json=candidate("c-1")).status_code == 201
    assert api.post("anna", "/candidates", json=candidate("c-2")).status_code == 201
    users = {u["name"]: u["id"] for u in api.get("root", "/users").json()}
    response = api.post(
        "root", f"/users/{users['anna']}/caseload", json={"to_user_id": users["bo"]}
    )
    assert response.status_code == 409
    assert "c-1" in response.json()["detail"]
    assert api.get("bo", "/candidates/c-2").status_code == 404
    to_analyst = api.post(
        "root", f"/users/{users['anna']}/caseload", json={"to_user_id": users["ida"]}
    )
    assert to_analyst.status_code == 422
    assert "role analyst" in to_analyst.json()["detail"]
    by_consultant = api.post("anna", f"/users/{users['anna']}/caseload", json={"to_user_id": 2})
    assert by_consultant.status_code == 403


def test_audit_log_filters_by_user_and_day(api: Api) -> None:
    assert api.post("anna", "/candidates", json=candidate("c-1")).status_code == 201
    assert api.post("bo", "/candidates", json=candidate("c-2")).status_code == 201
    users = {u["name"]: u["id"] for u in api.get("root", "/users").json()}
    mine = api.get("root", f"/audit?user_id={users['anna']}").json()
    assert [e["action"] for e in mine] == ["candidate.create"]
    today = datetime.now(UTC).date()
    assert len(api.get("root", f"/audit?since={today}&until={today}").json()) == 2
    yesterday = today - timedelta(days=1)
    assert api.get("root", f"/audit?until={yesterday}").json() == []
    pages = pages_for(_client(api), api.tokens["root"])
    page = pages.get(f"/web/audit?user_id={users['bo']}&action=candidate.create")
    assert page.status_code == 200
    assert page.text.count("<td>candidate.create</td>") == 1


def test_api_docs_load_nothing_from_a_cdn(api: Api) -> None:
    for url in ("/docs", "/redoc"):
        page = api.client.get(url).text
        assert "cdn." not in page and "fonts.googleapis" not in page, url
        for asset in ("/web/vendor/swagger-ui-bundle.js", "/web/vendor/redoc.standalone.js"):
            if asset.split("/")[-1].split(".")[0] in page:
                assert api.client.get(asset).status_code == 200
    assert api.client.get("/web/vendor/swagger-ui.css").status_code == 200


def test_an_upload_page_takes_a_file_above_the_json_body_limit(api: Api) -> None:
    # A file of 50,000 openings is tens of MiB: a signed-in job developer's page takes what
    # `/openings/bulk` takes; a browser without a live session still gets the JSON limit.
    limit = api.client.app.state.services.settings.max_body_bytes  # type: ignore[attr-defined]
    records = [
        {**CATALOGUE[0], "id": f"o-{n:05d}", "description": "Pasning af dyr. " * 50}
        for n in range(limit // 800 + 1)
    ]
    lines = "".join(json.dumps(r) + "\n" for r in records).encode()
    assert len(lines) > limit
    files = {"file": ("openings.jsonl", lines)}
    stranger = TestClient(api.client.app, cookies={"ipsmatch_session": "made-up"})
    refused = stranger.post("/web/openings/upload", data={"csrf_token": "x"}, files=files)
    assert refused.status_code == 413
    pages = pages_for(_client(api), api.tokens["jens"])
    response = pages.client.post(
        "/web/openings/upload", data={"csrf_token": pages.csrf()}, files=files
    )
    assert response.status_code == 200, response.text[:300]
    done = api.wait_for_upload(api.get("jens", "/uploads").json()[0]["id"])
    assert (done["status"], done["indexed"]) == ("done", len(records))
