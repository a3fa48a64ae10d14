"""Openings and employers: one at a time and in bulk (JSON Lines, CSV), all or nothing."""

from __future__ import annotations

import pytest
from conftest import CATALOGUE, REPO_ROOT, SOON, Api, candidate, jsonl, opening
from sqlalchemy import func, select

from service import uploads
from service.models import OpeningRow
from service.routers import placements
from service.settings import Settings


def _count(api: Api) -> int:
    with api.database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(OpeningRow)) or 0)


def test_bulk_upload_then_read(stocked: Api) -> None:
    listed = stocked.get("anna", "/openings").json()
    assert [o["id"] for o in listed] == sorted(o["id"] for o in CATALOGUE)
    one = stocked.get("ida", "/openings/o-dyr").json()
    assert one["employer_name"] == "Dyreklinikken" and one["hours_per_week"]["min"] == 15
    assert stocked.get("anna", "/openings/o-none").status_code == 404
    by_employer = stocked.get("jens", "/openings?employer_id=e-lager").json()
    assert [o["id"] for o in by_employer] == ["o-lager"]
    employers = {e["id"]: e["name"] for e in stocked.get("anna", "/employers").json()}
    assert employers["e-dyr"] == "Dyreklinikken"  # created from the openings


def test_bulk_upload_upserts_by_id(stocked: Api) -> None:
    changed = [dict(CATALOGUE[0], title="Dyrepasser, weekend"), CATALOGUE[1]]
    new = opening("o-ny", "Gartner", "Pleje af grønne områder.", employer_id="e-have")
    result = stocked.upload([*changed, new]).json()
    assert (result["received"], result["created"], result["updated"]) == (3, 1, 2)
    assert result["employers_created"] == ["e-have"]
    progress = stocked.wait_for_upload(result["upload_id"])
    assert (progress["indexed"], progress["failed"], progress["status"]) == (3, 0, "done")
    assert stocked.get("anna", "/openings/o-dyr").json()["title"] == "Dyrepasser, weekend"
    assert _count(stocked) == len(CATALOGUE) + 1


def test_one_bad_row_rejects_the_file_and_lists_every_problem(stocked: Api) -> None:
    before = stocked.get("jens", "/openings").json()
    rows = [
        opening("o-ok", "Gartner"),
        {"id": "o-bad", "employer_id": "e-1"},
        opening("o-kind", "Bager", kind="apprenticeship"),
        opening("o-ok", "Gartner igen"),
    ]
    data = jsonl(rows) + b"{not json\n"
    response = stocked.post("jens", "/openings/bulk", files={"file": ("new.jsonl", data)})
    assert response.status_code == 422
    body = response.json()
    found = {(p["line"], p["field"]) for p in body["problems"]}
    assert found == {(2, "title"), (3, "kind"), (4, "id"), (5, "")}
    kind = next(p for p in body["problems"] if p["field"] == "kind")
    assert "'job' or 'education'" in kind["message"] and kind["record_id"] == "o-kind"
    assert "new.jsonl, line 2, record 'o-bad': field 'title'" in body["detail"]
    assert "Nothing was stored" in body["detail"]
    assert stocked.get("jens", "/openings").json() == before


def test_csv_upload_with_dotted_columns_and_lists(api: Api) -> None:
    csv = (
        "id,employer_id,employer_name,title,description,hours_per_week.min,"
        "hours_per_week.max,schedule,requires.skills,requires.driving_licence,expires,extra\n"
        "o-1,e-1,Dyreklinik,Dyrepasser,Pasning af dyr.,15,20,day;weekend,hunde;katte,true,"
        f"{SOON},x\n"
        f'o-2,e-1,Dyreklinik,Rengøring,"Rengøring, bure",,,,,,{SOON},\n'
    )
    response = api.post("jens", "/openings/bulk", files={"file": ("o.csv", csv.encode())})
    assert response.status_code == 202, response.text
    first = api.get("jens", "/openings/o-1").json()
    assert first["hours_per_week"] == {"min": 15.0, "max": 20.0}
    assert first["schedule"] == ["day", "weekend"]
    assert first["requires"]["skills"] == ["hunde", "katte"]
    assert first["requires"]["driving_licence"] is True
    assert first["extra"] == "x"
    assert api.get("jens", "/openings/o-2").json()["description"] == "Rengøring, bure"


def test_csv_problems_name_line_and_column(api: Api) -> None:
    csv = "id,employer_id,title,hours_per_week.min\no-1,e-1,Gartner,many\no-2,e-1,,10\n"
    response = api.post("jens", "/openings/bulk", files={"file": ("o.csv", csv.encode())})
    assert response.status_code == 422
    found = {(p["line"], p["field"]) for p in response.json()["problems"]}
    assert found == {(2, "hours_per_week.min"), (3, "title")}
    no_title = api.post("jens", "/openings/bulk", files={"file": ("o.csv", b"id,employer_id\n")})
    assert no_title.status_code == 422
    assert no_title.json()["problems"][0]["field"] == "title"
    assert _count(api) == 0


def test_upload_format_and_size_limits(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    response = api.post("jens", "/openings/bulk", files={"file": ("o.xlsx", b"xx")})
    assert response.status_code == 415
    assert ".csv, .json, .jsonl, .ndjson" in response.json()["detail"]
    empty = api.post("jens", "/openings/bulk", files={"file": ("o.jsonl", b"\n")})
    assert empty.status_code == 422
    monkeypatch.setattr(uploads, "MAX_ROWS", 2)
    too_many = api.upload(CATALOGUE[:3])
    assert too_many.status_code == 413 and "more than 2 rows" in too_many.json()["detail"]
    latin1 = api.post("jens", "/openings/bulk", files={"file": ("o.jsonl", b'{"t": "\xe6"}\n')})
    assert latin1.status_code == 422 and "UTF-8" in latin1.json()["detail"]
    assert _count(api) == 0


def test_one_opening_at_a_time(api: Api) -> None:
    record = opening("o-1", "Gartner", "Pleje af grønne områder.", employer_id="e-have")
    created = api.post("jens", "/openings", json=record)
    assert created.status_code == 201 and created.json()["employers_created"] == ["e-have"]
    assert api.post("jens", "/openings", json=record).status_code == 409
    replaced = api.put("jens", "/openings/o-1", json=dict(record, title="Gartnermedhjælper"))
    assert replaced.status_code == 200 and replaced.json()["updated"] == 1
    assert api.put("jens", "/openings/o-2", json=dict(record, id="o-2")).status_code == 201
    mismatch = api.put("jens", "/openings/o-3", json=record)
    assert mismatch.status_code == 422 and "must equal the id in the path" in mismatch.text
    invalid = api.post("jens", "/openings", json={"id": "o-4", "title": "x", "kind": "gig"})
    assert invalid.status_code == 422
    assert {p["field"] for p in invalid.json()["problems"]} == {"employer_id", "kind"}
    assert api.delete("jens", "/openings/o-1").status_code == 200
    assert api.delete("jens", "/openings/o-1").status_code == 404
    assert [o["id"] for o in api.get("jens", "/openings").json()] == ["o-2"]


def test_an_uploaded_opening_is_rankable_when_the_upload_returns(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-1", ["gartner grønne områder"]))
    first = stocked.get("anna", "/candidates/c-1/recommendations?k=1").json()
    assert first["results"][0]["opening_id"] != "o-have"
    record = opening("o-have", "Gartner", "Pleje af grønne områder.", employer_id="e-have")
    assert stocked.post("jens", "/openings", json=record).status_code == 201
    after = stocked.get("anna", "/candidates/c-1/recommendations?k=1").json()
    assert after["results"][0]["opening_id"] == "o-have"
    stocked.delete("jens", "/openings/o-have")
    gone = stocked.get("anna", "/candidates/c-1/recommendations?k=5").json()
    assert "o-have" not in {r["opening_id"] for r in gone["results"]}


def test_employers_crud(api: Api) -> None:
    employer = {"id": "e-1", "name": "Dyreklinikken", "industry": "dyrehospital", "cvr": "123"}
    assert api.post("jens", "/employers", json=employer).status_code == 201
    assert api.post("jens", "/employers", json=employer).status_code == 409
    assert api.get("anna", "/employers/e-1").json()["cvr"] == "123"
    assert api.get("anna", "/employers/e-none").status_code == 404
    replaced = api.put("jens", "/employers/e-1", json={"id": "e-1", "industry": "dyr"})
    assert replaced.status_code == 200 and replaced.json()["name"] == "e-1"  # name defaults
    assert api.put("jens", "/employers/e-2", json={"id": "e-2"}).status_code == 201
    assert api.put("jens", "/employers/e-3", json={"id": "e-2"}).status_code == 422
    api.post("jens", "/openings", json=opening("o-1", "Dyrepasser", employer_id="e-1"))
    refused = api.delete("jens", "/employers/e-1")
    assert refused.status_code == 409 and "1 opening" in refused.json()["detail"]
    assert api.delete("jens", "/employers/e-2").status_code == 200
    assert api.delete("jens", "/employers/e-2").status_code == 404
    assert [e["id"] for e in api.get("ida", "/employers").json()] == ["e-1"]


def test_the_contract_states_the_upload_limits_the_service_enforces() -> None:
    text = (REPO_ROOT / "data" / "contract" / "README.md").read_text(encoding="utf-8")
    cells = [line.split("|") for line in text.splitlines() if line.startswith("| ")]
    rows = {cell[1].strip(): cell[2] for cell in cells if len(cell) > 3}
    mib = 1024 * 1024
    openings_row = rows["openings in one upload (`POST /openings/bulk`)"]
    events_row = rows["events in one upload (`POST /placements/bulk`)"]
    assert f"{uploads.MAX_ROWS:,} rows" in openings_row
    assert f"{Settings().max_upload_bytes // mib} MiB" in openings_row
    assert f"{uploads.MAX_ROWS:,} events" in events_row
    assert f"{placements.MAX_UPLOAD_BYTES // mib} MiB" in events_row
