"""Placements: consultants record contacted, interview, hired and ended for their candidates."""

from __future__ import annotations

import pytest
from conftest import SOON, Api, candidate


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


def test_the_service_refuses_what_the_evaluation_refuses(stocked: Api) -> None:
    # The API stored these, and the evaluation then refused them or lost them.
    stocked.post("anna", "/candidates", json=candidate("c-1"))
    base = {"candidate_id": "c-1", "opening_id": "o-dyr"}
    interview = stocked.post(
        "anna",
        "/placements",
        json=dict(base, stage="interview", date="2026-01-12", hours_per_week=15),
    )
    assert interview.status_code == 422
    (problem,) = interview.json()["problems"]
    assert problem["field"] == "hours_per_week"
    assert "only for stage 'hired', not 'interview'" in problem["message"]
    hired = dict(base, stage="hired", date="2026-02-01", hours_per_week=15)
    assert stocked.post("anna", "/placements", json=hired).status_code == 201
    early_end = dict(base, stage="ended", date="2026-01-20")
    refused = stocked.post("anna", "/placements", json=early_end)
    assert refused.status_code == 422
    assert "field 'date'" in refused.json()["detail"] and "hire" in refused.json()["detail"]
    no_hire = {"candidate_id": "c-1", "employer_id": "e-lager", "stage": "ended"}
    assert (
        stocked.post("anna", "/placements", json=dict(no_hire, date="2026-03-01")).status_code
        == 422
    )
    assert [e["stage"] for e in stocked.get("anna", "/placements").json()] == ["hired"]


def test_a_hire_may_be_dated_ahead_as_a_planned_start(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-1"))
    planned = {"candidate_id": "c-1", "opening_id": "o-dyr", "stage": "hired", "date": SOON}
    assert stocked.post("anna", "/placements", json=planned).status_code == 201
    csv = stocked.get("ida", "/exports/placements.csv").text
    assert f",hired,{SOON}," in csv


HEADER = "candidate_id,opening_id,employer_id,stage,date,ended,hours_per_week\n"


def _csv(*rows: str) -> dict[str, tuple[str, bytes]]:
    return {"file": ("history.csv", (HEADER + "\n".join(rows) + "\n").encode())}


def test_bulk_loads_a_history_in_the_contract_format(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-1"))
    stocked.post("anna", "/candidates", json=candidate("c-2"))
    files = _csv(
        "c-1,o-dyr,e-dyr,hired,2026-02-01,2026-06-30,15",
        "c-1,o-dyr,e-dyr,contacted,2026-01-05,,",
        "c-2,,e-lager,contacted,2026-03-01,,",
    )
    response = stocked.post("anna", "/placements/bulk", files=files)
    assert response.status_code == 201, response.text
    assert response.json() == {"received": 3, "stored": 4, "candidates": 2}
    stages = [e["stage"] for e in stocked.get("anna", "/placements?candidate_id=c-1").json()]
    assert stages == ["contacted", "hired", "ended"]
    exported = stocked.get("ida", "/exports/placements.csv").text
    assert ",hired,2026-02-01,2026-06-30,15" in exported


def test_bulk_is_all_or_nothing_with_problems_by_line_and_field(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-1"))
    stocked.post("bo", "/candidates", json=candidate("c-9"))
    bad_rows = _csv(
        "c-1,o-dyr,e-dyr,contacted,2026-01-05,,",
        "c-1,o-dyr,e-dyr,interview,2026-01-12,,15",
        "c-1,o-dyr,e-dyr,hired,2026-02-01,2026-01-01,",
    )
    response = stocked.post("anna", "/placements/bulk", files=bad_rows)
    assert response.status_code == 422
    found = {(p["line"], p["field"]) for p in response.json()["problems"]}
    assert found == {(3, "hours_per_week"), (4, "ended")}
    assert response.json()["source"] == "history.csv"
    not_mine = _csv("c-1,o-dyr,e-dyr,contacted,2026-01-05,,", "c-9,o-dyr,e-dyr,hired,2026-02-01,,")
    refused = stocked.post("anna", "/placements/bulk", files=not_mine)
    assert refused.status_code == 422
    assert [(p["line"], p["field"]) for p in refused.json()["problems"]] == [(3, "candidate_id")]
    assert stocked.get("anna", "/placements").json() == []
    assert stocked.post("jens", "/placements/bulk", files=_csv()).status_code == 403


def test_bulk_refuses_a_file_above_the_byte_limit(
    stocked: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.routers import placements

    monkeypatch.setattr(placements, "MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
    big = {"file": ("history.csv", HEADER.encode() + b"x" * (3 * 1024 * 1024))}
    response = stocked.post("anna", "/placements/bulk", files=big)
    assert response.status_code == 413 and "larger than 2 MiB" in response.json()["detail"]
