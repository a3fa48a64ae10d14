"""Candidates: create, read, replace, delete; health kept apart; errors name the field."""

from __future__ import annotations

from conftest import HEALTH_MARKER, Api, candidate, opening
from sqlalchemy import select

from service.models import CandidateHealth, CandidateRow, PlacementRow


def test_create_read_list_replace(api: Api) -> None:
    record = candidate(
        "c-7",
        ["dyrepasser"],
        disclosure="yes",
        health={"note": HEALTH_MARKER},
        favourite_colour="grøn",
    )
    created = api.post("anna", "/candidates", json=record)
    assert created.status_code == 201, created.text
    assert created.json()["health"] == {"note": HEALTH_MARKER}
    got = api.get("anna", "/candidates/c-7").json()
    assert got["favourite_colour"] == "grøn"  # unknown fields are kept
    assert got["disclosure"] == "yes" and got["health"] == {"note": HEALTH_MARKER}
    listed = api.get("anna", "/candidates").json()
    assert [(c["id"], c["desired"], c["disclosure"]) for c in listed] == [
        ("c-7", ["dyrepasser"], "yes")
    ]
    assert "health" not in listed[0]
    again = api.post("anna", "/candidates", json=record)
    assert again.status_code == 409 and "PUT /candidates/c-7" in again.json()["detail"]

    replaced = api.put("anna", "/candidates/c-7", json=candidate("c-7", ["lager"]))
    assert replaced.status_code == 200
    got = api.get("anna", "/candidates/c-7").json()
    assert got["preferences"]["desired"] == ["lager"]
    assert "health" not in got and "favourite_colour" not in got
    added = api.put("anna", "/candidates/c-8", json=candidate("c-8"))
    assert added.status_code == 201


def test_health_is_stored_apart_from_the_profile(api: Api) -> None:
    api.post("anna", "/candidates", json=candidate("c-1", health={"note": HEALTH_MARKER}))
    with api.database.reader() as session:
        row = session.scalar(select(CandidateRow))
        assert row is not None
        assert "health" not in row.profile
        assert HEALTH_MARKER not in str(row.profile)
        health = session.scalar(select(CandidateHealth.health))
        assert health == {"note": HEALTH_MARKER}


def test_same_id_on_two_caseloads_are_two_people(api: Api) -> None:
    assert api.post("anna", "/candidates", json=candidate("c-1", ["lager"])).status_code == 201
    assert api.post("bo", "/candidates", json=candidate("c-1", ["kantine"])).status_code == 201
    assert api.get("anna", "/candidates/c-1").json()["preferences"]["desired"] == ["lager"]
    assert api.get("bo", "/candidates/c-1").json()["preferences"]["desired"] == ["kantine"]


def test_bad_profiles_are_refused_naming_record_field_and_allowed_values(api: Api) -> None:
    bad = candidate(
        "c-9",
        preferences={"desired": [], "schedule": ["dawn"]},
        disclosure="maybe",
    )
    response = api.post("anna", "/candidates", json=bad)
    assert response.status_code == 422
    body = response.json()
    fields = {p["field"]: p["message"] for p in body["problems"]}
    assert "preferences.desired" in fields
    assert "'day', 'evening', 'night' or 'weekend'" in fields["preferences.schedule.0"]
    assert "'yes' or 'no'" in fields["disclosure"]
    assert all(p["record_id"] == "c-9" for p in body["problems"])
    assert "record 'c-9'" in body["detail"]
    mismatch = api.put("anna", "/candidates/c-1", json=candidate("c-2"))
    assert mismatch.status_code == 422
    assert "field 'id' must equal the id in the path" in mismatch.json()["detail"]
    assert api.get("anna", "/candidates").json() == []


def test_delete_erases_health_and_pseudonymises_history(api: Api) -> None:
    api.post("jens", "/employers", json={"id": "e-1", "name": "Dyreklinikken"})
    api.post("anna", "/candidates", json=candidate("c-1", health={"note": HEALTH_MARKER}))
    event = {"candidate_id": "c-1", "employer_id": "e-1", "stage": "hired", "date": "2026-02-01"}
    assert api.post("anna", "/placements", json=event).status_code == 201
    deleted = api.delete("anna", "/candidates/c-1")
    assert deleted.status_code == 200
    body = deleted.json()
    assert body["placements_kept"] == 1 and body["pseudonym"].startswith("p-")
    assert api.get("anna", "/candidates/c-1").status_code == 404
    assert api.delete("anna", "/candidates/c-1").status_code == 404
    with api.database.reader() as session:
        assert session.scalar(select(CandidateHealth)) is None
        placement = session.scalar(select(PlacementRow))
        assert placement is not None
        assert placement.candidate_pk is None
        assert placement.candidate_pseudonym == body["pseudonym"]
    # A new profile under the old id is a new person with a new pseudonym.
    api.post("anna", "/candidates", json=candidate("c-1"))
    assert api.get("anna", "/placements?candidate_id=c-1").json() == []
    exported = api.get("ida", "/exports/placements.csv").text
    assert body["pseudonym"] in exported


def test_a_postcode_that_cannot_be_placed_is_refused(api: Api) -> None:
    # Before: accepted, and the commute rule silently did nothing for the person.
    person = candidate("c-1", location={"postcode": "9999"})
    response = api.post("anna", "/candidates", json=person)
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem["field"] == "location.postcode" and problem["record_id"] == "c-1"
    assert "unknown postcode '9999'" in problem["message"]
    assert api.put("anna", "/candidates/c-1", json=person).status_code == 422
    placed = candidate("c-1", location={"postcode": "2400"})
    assert api.post("anna", "/candidates", json=placed).status_code == 201
    job = opening("o-far", "Lager", location={"postcode": "0000"})
    refused = api.upload([job])
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["field"] == "location.postcode"
