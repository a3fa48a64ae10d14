"""Every route of the app by every role and anonymous, on own and another's candidate.

The routes come from the app itself (`service.guard.api_routes`); the expected
status of each cell is written out below. A route added without a row here
fails the test, so no endpoint escapes the table.
"""

from __future__ import annotations

import itertools
from typing import Any

from conftest import CATALOGUE, Api, candidate, jsonl, opening
from sqlalchemy import select

from service.guard import api_routes
from service.models import PlacementRow, User

ANYONE = frozenset({"consultant", "job_developer", "analyst", "admin"})
CONSULTANT = frozenset({"consultant"})
JOB_DEVELOPER = frozenset({"job_developer"})
ANALYST = frozenset({"analyst"})
ADMIN = frozenset({"admin"})
RECORDER = frozenset({"consultant", "job_developer"})
CALLERS = {None: None, "anna": "consultant", "jens": "job_developer", "ida": "analyst",
           "root": "admin"}  # fmt: skip

# (method, path) -> (roles allowed, status when allowed); anonymous callers get 401
# except on OPEN routes.
TABLE: dict[tuple[str, str], tuple[frozenset[str], int]] = {
    ("GET", "/"): (ANYONE, 307),
    ("GET", "/health"): (ANYONE, 200),
    # The API's own documentation, served offline, open as the OpenAPI document is.
    ("GET", "/docs"): (ANYONE, 200),
    ("GET", "/redoc"): (ANYONE, 200),
    ("GET", "/users/me"): (ANYONE, 200),
    ("GET", "/users"): (ADMIN, 200),
    ("POST", "/users"): (ADMIN, 201),
    ("POST", "/users/{user_id}/token"): (ADMIN, 200),
    ("DELETE", "/users/{user_id}"): (ADMIN, 200),
    # The spare user is an analyst, not a consultant: nothing to move (422 past the role check).
    ("POST", "/users/{user_id}/caseload"): (ADMIN, 422),
    ("GET", "/audit"): (ADMIN, 200),
    ("GET", "/candidates"): (CONSULTANT, 200),
    ("POST", "/candidates"): (CONSULTANT, 201),
    ("GET", "/candidates/{candidate_id}"): (CONSULTANT, 200),
    ("PUT", "/candidates/{candidate_id}"): (CONSULTANT, 200),
    ("DELETE", "/candidates/{candidate_id}"): (CONSULTANT, 200),
    ("GET", "/candidates/{candidate_id}/recommendations"): (CONSULTANT, 200),
    ("GET", "/candidates/{candidate_id}/employers"): (CONSULTANT, 200),
    ("GET", "/employers"): (ANYONE, 200),
    ("GET", "/employers/{employer_id}"): (ANYONE, 200),
    ("POST", "/employers"): (JOB_DEVELOPER, 201),
    ("PUT", "/employers/{employer_id}"): (JOB_DEVELOPER, 200),
    ("DELETE", "/employers/{employer_id}"): (JOB_DEVELOPER, 200),
    ("GET", "/openings"): (ANYONE, 200),
    ("GET", "/openings/{opening_id}"): (ANYONE, 200),
    ("POST", "/openings"): (JOB_DEVELOPER, 201),
    ("PUT", "/openings/{opening_id}"): (JOB_DEVELOPER, 200),
    ("DELETE", "/openings/{opening_id}"): (JOB_DEVELOPER, 200),
    ("POST", "/openings/bulk"): (JOB_DEVELOPER, 202),
    ("POST", "/placements"): (CONSULTANT, 201),
    ("GET", "/placements"): (CONSULTANT, 200),
    ("DELETE", "/placements/{placement_id}"): (CONSULTANT, 200),
    ("POST", "/placements/bulk"): (CONSULTANT, 201),
    ("GET", "/exports/candidates.jsonl"): (ANALYST, 200),
    ("GET", "/exports/placements.csv"): (ANALYST, 200),
    ("GET", "/exports/openings.jsonl"): (ANALYST, 200),
    ("POST", "/evaluations"): (ANALYST, 202),
    ("GET", "/evaluations"): (ANALYST, 200),
    ("GET", "/evaluations/{evaluation_id}"): (ANALYST, 200),
    ("POST", "/employer-contacts"): (RECORDER, 201),
    ("GET", "/employer-contacts"): (RECORDER, 200),
    ("GET", "/employers/{employer_id}/contacts"): (RECORDER, 200),
    # No such contact or alert: who may ask is what is tested here (404 past the role check).
    ("DELETE", "/employer-contacts/{contact_id}"): (RECORDER, 404),
    ("GET", "/alerts"): (CONSULTANT, 200),
    ("POST", "/alerts/{alert_id}/dismiss"): (CONSULTANT, 404),
    ("POST", "/alerts/{alert_id}/hide"): (CONSULTANT, 404),
    ("GET", "/ips-figures"): (ANALYST, 200),
    ("GET", "/uploads"): (JOB_DEVELOPER | ADMIN, 200),
    ("GET", "/uploads/{upload_id}"): (JOB_DEVELOPER | ADMIN, 404),
    ("GET", "/ips-figures/plot.png"): (ANALYST, 200),
    # The evaluation of this tiny history fails (too few events), so it has no report.
    ("GET", "/evaluations/{evaluation_id}/report"): (ANALYST, 409),
}
OPEN = {("GET", "/"), ("GET", "/health"), ("GET", "/docs"), ("GET", "/redoc")}
# A consultant naming another consultant's candidate (or their placement) gets 404, as if
# it did not exist; PUT makes a new profile of that id on the caller's own caseload.
OTHER = {("PUT", "/candidates/{candidate_id}"): 201, ("POST", "/placements/bulk"): 422}
# Routes that name a candidate (path, body or query) or a placement: asked both ways.
BY_PERSON = {("POST", "/placements"), ("GET", "/placements"), ("POST", "/placements/bulk")}


def _names_a_person(key: tuple[str, str]) -> bool:
    return "{candidate_id}" in key[1] or "{placement_id}" in key[1] or key in BY_PERSON


class World:
    """The objects each cell's path and body name, made again before every cell."""

    def __init__(self, api: Api, health: Any = None) -> None:
        self.api = api
        # Every profile the world makes carries this health note (`None`: none).
        self.health = health
        self.counter = itertools.count()
        assert api.upload(CATALOGUE).status_code == 202
        api.post("jens", "/employers", json={"id": "e-spare"})
        self.spare_user = api.post("root", "/users", json={"name": "spare", "role": "analyst"})
        self.evaluation = api.post("ida", "/evaluations", json={}).json()["id"]

    def prepare(self) -> dict[str, dict[str, str]]:
        api = self.api
        for who, candidate_id in (("anna", "c-anna"), ("bo", "c-bo")):
            api.put(who, f"/candidates/{candidate_id}", json=self.candidate(candidate_id))
        api.delete("anna", "/candidates/c-bo")  # made by an earlier cell's PUT
        api.put("jens", "/employers/e-spare", json={"id": "e-spare"})
        api.put("jens", "/openings/o-spare", json=opening("o-spare", "Reserve"))
        placements = {}
        for who, candidate_id in (("anna", "c-anna"), ("bo", "c-bo")):
            event = {"candidate_id": candidate_id, "opening_id": "o-dyr", "stage": "contacted",
                     "date": "2026-01-12"}  # fmt: skip
            placements[who] = str(api.post(who, "/placements", json=event).json()["id"])
        with api.database.reader() as session:
            spare = session.scalar(select(User.id).where(User.name == "spare"))
            assert session.scalar(select(PlacementRow.pk).limit(1)) is not None
        own = {"candidate_id": "c-anna", "placement_id": placements["anna"]}
        other = {"candidate_id": "c-bo", "placement_id": placements["bo"]}
        common = {"user_id": str(spare), "employer_id": "e-spare", "opening_id": "o-spare",
                  "evaluation_id": str(self.evaluation), "contact_id": "999999",
                  "alert_id": "999999", "upload_id": "999999"}  # fmt: skip
        return {"own": {**common, **own}, "other": {**common, **other}}

    def candidate(self, candidate_id: str) -> dict[str, Any]:
        return (
            candidate(candidate_id, health=self.health) if self.health else candidate(candidate_id)
        )

    def body(self, method: str, path: str, ids: dict[str, str]) -> dict[str, Any]:
        unique = next(self.counter)
        if path == "/users" and method == "POST":
            return {"json": {"name": f"u-{unique}", "role": "analyst"}}
        if path == "/candidates" and method == "POST":
            return {"json": self.candidate(f"c-new-{unique}")}
        if path == "/candidates/{candidate_id}":
            return {"json": self.candidate(ids["candidate_id"])} if method == "PUT" else {}
        if path == "/employers" and method == "POST":
            return {"json": {"id": f"e-new-{unique}"}}
        if path == "/employers/{employer_id}" and method == "PUT":
            return {"json": {"id": ids["employer_id"]}}
        if path == "/openings" and method == "POST":
            return {"json": opening(f"o-new-{unique}", "Ny")}
        if path == "/openings/{opening_id}" and method == "PUT":
            return {"json": opening(ids["opening_id"], "Reserve")}
        if path == "/openings/bulk":
            return {"files": {"file": ("o.jsonl", jsonl(CATALOGUE[:1]))}}
        if path == "/placements/bulk":
            row = f"{ids['candidate_id']},o-dyr,e-dyr,interview,2026-02-01,,\n"
            header = "candidate_id,opening_id,employer_id,stage,date,ended,hours_per_week\n"
            return {"files": {"file": ("placements.csv", (header + row).encode())}}
        if path == "/placements" and method == "POST":
            return {"json": {"candidate_id": ids["candidate_id"], "opening_id": "o-dyr",
                             "stage": "interview", "date": "2026-02-01"}}  # fmt: skip
        if path == "/employer-contacts" and method == "POST":
            return {"json": {"employer_id": "e-spare", "date": "2026-01-12", "channel": "phone",
                             "outcome": "call_back"}}  # fmt: skip
        if path == "/evaluations" and method == "POST":
            return {"json": {}}
        return {}


def api_json_routes(app: Any) -> list[Any]:
    """The API's routes; the web pages (`/web/...`) have their own role tests."""
    return [r for r in api_routes(app) if not r.path.startswith("/web")]


def _expected(key: tuple[str, str], role: str | None, variant: str) -> int:
    allowed, success = TABLE[key]
    if role is None:
        return success if key in OPEN else 401
    if role not in allowed:
        return 403
    if variant == "other" and _names_a_person(key):
        return OTHER.get(key, 404)
    return success


def call_every_route(world: World) -> list[tuple[Any, ...]]:
    """Call each route as each caller (own and other candidate); the cells unlike TABLE."""
    stocked = world.api
    routes = api_json_routes(stocked.client.app)
    wrong = []
    prepared = world.prepare()
    for route in routes:
        for method in sorted(route.methods):
            key = (method, route.path)
            variants = ["own", "other"] if _names_a_person(key) else ["own"]
            for who, role in CALLERS.items():
                for variant in variants:
                    ids = prepared[variant]
                    url = route.path.format(**ids)
                    if key == ("GET", "/placements") and variant == "other":
                        url += "?candidate_id=c-bo"
                    headers = stocked.headers(who) if who else {}
                    response = stocked.client.request(
                        method, url, headers=headers, follow_redirects=False,
                        **world.body(method, route.path, ids),
                    )  # fmt: skip
                    if method != "GET" and response.status_code < 300:
                        prepared = world.prepare()  # the cell changed the store: remake it
                    expected = _expected(key, role, variant)
                    if response.status_code != expected:
                        wrong.append((method, url, who, variant, response.status_code, expected))
    return wrong


def test_every_route_by_every_caller(stocked: Api) -> None:
    routes = api_json_routes(stocked.client.app)
    served = {(method, r.path) for r in routes for method in r.methods}
    assert served == set(TABLE), "a route without a row in TABLE (or a row without a route)"
    assert call_every_route(World(stocked)) == []
