"""Placements: consultants record contacted, interview, hired and ended for their candidates."""

from __future__ import annotations

from conftest import Api, candidate


def test_record_and_list_events(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-1"))
    stocked.post("anna", "/candidates", json=candidate("c-2"))
    events = [
        {"candidate_id": "c-1", "opening_id": "o-dyr", "stage": "contacted", "date": "2026-01-05"},
        {"candidate_id": "c-1", "opening_id": "o-dyr", "stage": "interview", "date": "2026-01-12"},
        {
            "candidate_id": "c-1",
            "opening_id": "o-dyr",
            "stage": "hired",
            "date": "2026-02-01",
            "hours_per_week": 15,
        },
        {"candidate_id": "c-1", "employer_id": "e-dyr", "stage": "ended", "date": "2026-06-30"},
        {
            "candidate_id": "c-2",
            "employer_id": "e-lager",
            "stage": "contacted",
            "date": "2026-03-01",
        },
    ]
    for event in events:
        response = stocked.post("anna", "/placements", json=event)
        assert response.status_code == 201, response.text
    hired = stocked.get("anna", "/placements?candidate_id=c-1").json()
    assert [e["stage"] for e in hired] == ["contacted", "interview", "hired", "ended"]
    assert hired[0]["employer_id"] == "e-dyr"  # taken from the opening
    assert hired[2]["hours_per_week"] == 15
    assert len(stocked.get("anna", "/placements").json()) == 5
    assert stocked.get("bo", "/placements").json() == []
    csv = stocked.get("ida", "/exports/placements.csv").text.splitlines()
    assert csv[0] == "candidate_id,opening_id,employer_id,stage,date,ended,hours_per_week"
    hired_row = next(line for line in csv if ",hired," in line).split(",")
    assert hired_row[1:] == ["o-dyr", "e-dyr", "hired", "2026-02-01", "2026-06-30", "15"]
    assert len(csv) == 1 + 4  # the ended event closes the hired row


def test_bad_events_are_refused_with_the_field(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-1"))
    base = {"candidate_id": "c-1", "date": "2026-01-05", "stage": "contacted"}
    stage = stocked.post("anna", "/placements", json=dict(base, stage="offer", employer_id="e-dyr"))
    assert stage.status_code == 422
    assert "'contacted', 'interview', 'hired' or 'ended'" in stage.json()["problems"][0]["message"]
    nowhere = stocked.post("anna", "/placements", json=base)
    assert nowhere.status_code == 422 and "opening_id" in nowhere.json()["detail"]
    unknown = stocked.post("anna", "/placements", json=dict(base, employer_id="e-none"))
    assert unknown.status_code == 422 and "no employer 'e-none'" in unknown.json()["detail"]
    clash = stocked.post(
        "anna", "/placements", json=dict(base, opening_id="o-dyr", employer_id="e-lager")
    )
    assert clash.status_code == 422 and "belongs to employer 'e-dyr'" in clash.json()["detail"]
    gone = stocked.post("anna", "/placements", json=dict(base, opening_id="o-gone"))
    assert gone.status_code == 422 and "no opening 'o-gone'" in gone.json()["detail"]
    listed_elsewhere = dict(base, opening_id="o-gone", employer_id="e-dyr")
    assert stocked.post("anna", "/placements", json=listed_elsewhere).status_code == 201
    note = stocked.post("anna", "/placements", json=dict(base, employer_id="e-dyr", note="x"))
    assert note.status_code == 422  # no free text: notes are where health slips in
    hours = stocked.post(
        "anna", "/placements", json=dict(base, employer_id="e-dyr", hours_per_week=200)
    )
    assert hours.status_code == 422 and hours.json()["problems"][0]["field"] == "hours_per_week"
    assert len(stocked.get("anna", "/placements").json()) == 1
