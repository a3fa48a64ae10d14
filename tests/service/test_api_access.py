"""Who may call what: tokens, roles (403) and caseloads (404), on both stores."""

from __future__ import annotations

from conftest import CATALOGUE, Api, candidate, jsonl
from httpx import Response

# (method, path, body kind, roles allowed). Every endpoint but /health is here.
ENDPOINTS = [
    ("GET", "/users/me", None, {"consultant", "job_developer", "analyst", "admin"}),
    ("GET", "/users", None, {"admin"}),
    ("POST", "/users", "user", {"admin"}),
    ("POST", "/users/2/token", None, {"admin"}),
    ("DELETE", "/users/2", None, {"admin"}),
    ("GET", "/audit", None, {"admin"}),
    ("GET", "/candidates", None, {"consultant"}),
    ("POST", "/candidates", "candidate", {"consultant"}),
    ("GET", "/candidates/c-1", None, {"consultant"}),
    ("PUT", "/candidates/c-1", "candidate", {"consultant"}),
    ("DELETE", "/candidates/c-1", None, {"consultant"}),
    ("GET", "/candidates/c-1/recommendations", None, {"consultant"}),
    ("GET", "/candidates/c-1/employers", None, {"consultant"}),
    ("POST", "/placements", "placement", {"consultant"}),
    ("GET", "/placements", None, {"consultant"}),
    ("DELETE", "/placements/1", None, {"consultant"}),
    ("GET", "/openings", None, {"consultant", "job_developer", "analyst", "admin"}),
    ("GET", "/openings/o-dyr", None, {"consultant", "job_developer", "analyst", "admin"}),
    ("POST", "/openings", "opening", {"job_developer"}),
    ("PUT", "/openings/o-new", "opening", {"job_developer"}),
    ("DELETE", "/openings/o-kok", None, {"job_developer"}),
    ("POST", "/openings/bulk", "file", {"job_developer"}),
    ("GET", "/employers", None, {"consultant", "job_developer", "analyst", "admin"}),
    ("GET", "/employers/e-dyr", None, {"consultant", "job_developer", "analyst", "admin"}),
    ("POST", "/employers", "employer", {"job_developer"}),
    ("PUT", "/employers/e-new", "employer", {"job_developer"}),
    ("DELETE", "/employers/e-new", None, {"job_developer"}),
    ("GET", "/exports/candidates.jsonl", None, {"analyst"}),
    ("GET", "/exports/placements.csv", None, {"analyst"}),
    ("GET", "/exports/openings.jsonl", None, {"analyst"}),
]
NAME_OF = {"consultant": "anna", "job_developer": "jens", "analyst": "ida", "admin": "root"}


def _request(api: Api, who: str | None, method: str, path: str, body: str | None) -> Response:
    kwargs: dict = {}
    if body == "user":
        kwargs["json"] = {"name": "new-user", "role": "analyst"}
    elif body == "candidate":
        kwargs["json"] = candidate("c-1")
    elif body == "placement":
        kwargs["json"] = {"candidate_id": "c-1", "employer_id": "e-dyr", "stage": "contacted",
                          "date": "2026-01-05"}  # fmt: skip
    elif body == "opening":
        kwargs["json"] = {"id": "o-new", "employer_id": "e-new", "title": "Gartner"}
    elif body == "employer":
        kwargs["json"] = {"id": "e-new", "name": "Ny"}
    elif body == "file":
        kwargs["files"] = {"file": ("o.jsonl", jsonl(CATALOGUE[:1]))}
    headers = api.headers(who) if who else {}
    return api.client.request(method, path, headers=headers, **kwargs)


def test_health_needs_no_token_and_tells_anonymous_callers_only_ok(api: Api) -> None:
    response = api.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    bad = api.client.get("/health", headers={"Authorization": "Bearer ipsm_wrong"})
    assert bad.json() == {"status": "ok"}
    body = api.get("jens", "/health").json()
    assert body["status"] == "ok" and body["encoder"].startswith("fake-hashing")


def test_openapi_docs_are_served(api: Api) -> None:
    assert api.client.get("/docs").status_code == 200
    paths = api.client.get("/openapi.json").json()["paths"]
    assert "/candidates/{candidate_id}/recommendations" in paths
    assert "/openings/bulk" in paths


def test_every_endpoint_but_health_needs_a_token(api: Api) -> None:
    for method, path, body, _ in ENDPOINTS:
        response = _request(api, None, method, path, body)
        assert response.status_code == 401, (method, path, response.text)
        assert "Bearer" in response.headers["www-authenticate"]
        bad = api.client.request(method, path, headers={"Authorization": "Bearer ipsm_wrong"})
        assert bad.status_code == 401
        assert "expired or revoked" in bad.json()["detail"]


def test_a_revoked_token_stops_working(api: Api) -> None:
    assert api.get("bo", "/users/me").json()["name"] == "bo"
    assert api.delete("root", "/users/2").json()["active"] is False
    assert api.get("bo", "/users/me").status_code == 401


def test_wrong_role_is_403_and_says_which_role(stocked: Api) -> None:
    for method, path, body, allowed in ENDPOINTS:
        for role, who in NAME_OF.items():
            if role in allowed:
                continue
            response = _request(stocked, who, method, path, body)
            assert response.status_code == 403, (method, path, role, response.text)
            assert f"your token is for the role {role}" in response.json()["detail"]


def test_allowed_roles_get_through(stocked: Api) -> None:
    assert stocked.post("anna", "/candidates", json=candidate("c-1")).status_code == 201
    for method, path, body, allowed in ENDPOINTS:
        for role in allowed:
            response = _request(stocked, NAME_OF[role], method, path, body)
            assert response.status_code not in (401, 403), (method, path, role, response.text)


def test_someone_elses_candidate_does_not_exist(stocked: Api) -> None:
    assert stocked.post("anna", "/candidates", json=candidate("c-1")).status_code == 201
    paths = [
        ("GET", "/candidates/c-1", None),
        ("DELETE", "/candidates/c-1", None),
        ("GET", "/candidates/c-1/recommendations", None),
        ("GET", "/candidates/c-1/employers", None),
        ("GET", "/placements?candidate_id=c-1", None),
        ("POST", "/placements", "placement"),
        ("PUT", "/candidates/c-1", "candidate"),
    ]
    for method, path, body in paths:
        theirs = _request(stocked, "bo", method, path, body)
        missing = _request(stocked, "bo", method, path.replace("c-1", "c-none"), body)
        if method == "PUT":
            # PUT on a free id adds to bo's own caseload; anna's profile is untouched.
            assert theirs.status_code == 201
            continue
        assert theirs.status_code == 404, (method, path, theirs.text)
        # The same answer as for an id nobody has: existence does not leak.
        if body != "placement":
            assert theirs.json()["detail"] == missing.json()["detail"].replace("c-none", "c-1")
    assert stocked.get("bo", "/candidates").json()[0]["id"] == "c-1"
    assert stocked.get("anna", "/candidates/c-1").json()["preferences"]["desired"] == ["dyrepasser"]


def test_a_placement_of_someone_elses_event_is_404(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-1"))
    event = {"candidate_id": "c-1", "employer_id": "e-dyr", "stage": "contacted",
             "date": "2026-01-05"}  # fmt: skip
    placed = stocked.post("anna", "/placements", json=event).json()
    assert stocked.delete("bo", f"/placements/{placed['id']}").status_code == 404
    assert stocked.delete("anna", f"/placements/{placed['id']}").status_code == 200
