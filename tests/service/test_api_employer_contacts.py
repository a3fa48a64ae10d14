"""Employer contacts: who may record them, disclosure, the relationship over time, privacy."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from conftest import TODAY, Api, candidate
from conftest import employer_contact as contact

NOTE = "NOTE-MARKER-4471 talte med lederen"


def test_consultants_and_job_developers_record_contacts(stocked: Api) -> None:
    made = stocked.post("anna", "/employer-contacts", json=contact(note=NOTE))
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["recorded_by"] == "anna" and body["for_candidate"] is False
    assert body["note"] == NOTE
    assert stocked.post("jens", "/employer-contacts", json=contact()).status_code == 201
    assert stocked.post("ida", "/employer-contacts", json=contact()).status_code == 403
    mine = stocked.get("anna", "/employer-contacts").json()
    assert [c["id"] for c in mine] == [body["id"]]


def test_bad_values_are_refused_with_field_and_allowed_values(stocked: Api) -> None:
    response = stocked.post("anna", "/employer-contacts", json=contact(outcome="maybe"))
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["field"] == "outcome"
    assert "'no_need_now', 'call_back', 'open_to_trial' or 'job_offered'" in problem["message"]
    unknown = stocked.post("anna", "/employer-contacts", json=contact("e-none"))
    assert unknown.status_code == 422
    assert "field 'employer_id': no employer 'e-none'" in unknown.json()["detail"]


def test_a_contact_for_a_candidate_needs_their_consent_to_disclosure(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-no", disclosure="no"))
    stocked.post("anna", "/candidates", json=candidate("c-yes", disclosure="yes"))
    refused = stocked.post("anna", "/employer-contacts", json=contact(candidate_id="c-no"))
    assert refused.status_code == 409
    assert "candidate 'c-no' has disclosure 'no'" in refused.json()["detail"]
    made = stocked.post("anna", "/employer-contacts", json=contact(candidate_id="c-yes"))
    assert made.status_code == 201 and made.json()["candidate_id"] == "c-yes"
    # Only the person's own consultant names them; a job developer names nobody.
    other = stocked.post("bo", "/employer-contacts", json=contact(candidate_id="c-yes"))
    assert other.status_code == 404
    developer = stocked.post("jens", "/employer-contacts", json=contact(candidate_id="c-yes"))
    assert developer.status_code == 403


def test_the_relationship_over_time(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-yes", disclosure="yes"))
    earlier = (TODAY - timedelta(days=40)).isoformat()
    stocked.post("jens", "/employer-contacts", json=contact(date=earlier, outcome="no_need_now"))
    stocked.post(
        "anna",
        "/employer-contacts",
        json=contact(candidate_id="c-yes", outcome="open_to_trial", note=NOTE),
    )
    seen_by_anna = stocked.get("anna", "/employers/e-dyr/contacts").json()
    assert [c["outcome"] for c in seen_by_anna["contacts"]] == ["open_to_trial", "no_need_now"]
    assert seen_by_anna["by_outcome"] == {"no_need_now": 1, "open_to_trial": 1}
    months = Counter([earlier[:7], TODAY.isoformat()[:7]])
    assert seen_by_anna["by_month"] == dict(sorted(months.items()))
    assert seen_by_anna["contacts"][0]["candidate_id"] == "c-yes"
    assert seen_by_anna["contacts_this_week"] == 1
    seen_by_bo = stocked.get("bo", "/employers/e-dyr/contacts").json()
    assert seen_by_bo["contacts"][0]["for_candidate"] is True
    assert seen_by_bo["contacts"][0]["candidate_id"] is None
    assert stocked.get("ida", "/employers/e-dyr/contacts").status_code == 403
    assert stocked.get("anna", "/employers/e-none/contacts").status_code == 404


def test_wanted_field_is_worked_out_from_occupation_codes(api: Api) -> None:
    api.upload(
        [
            {"id": "o-1", "employer_id": "e-dyr", "title": "Dyrepasser", "occupation": "5164"},
            {"id": "o-2", "employer_id": "e-lager", "title": "Lager", "occupation": "9321"},
        ]
    )
    profile = candidate("c-1", disclosure="yes")
    profile["preferences"]["occupations"] = ["5164"]
    api.post("anna", "/candidates", json=profile)
    wanted = api.post("anna", "/employer-contacts", json=contact(candidate_id="c-1"))
    assert wanted.json()["in_wanted_field"] is True
    other = api.post("anna", "/employer-contacts", json=contact("e-lager", candidate_id="c-1"))
    assert other.json()["in_wanted_field"] is False
    stated = api.post(
        "anna",
        "/employer-contacts",
        json=contact("e-lager", candidate_id="c-1", in_wanted_field=True),
    )
    assert stated.json()["in_wanted_field"] is True


def test_notes_never_reach_exports_or_the_audit_log(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-yes", disclosure="yes"))
    stocked.post("anna", "/employer-contacts", json=contact(candidate_id="c-yes", note=NOTE))
    for url in ("/exports/candidates.jsonl", "/exports/openings.jsonl", "/exports/placements.csv"):
        response = stocked.get("ida", url)
        assert response.status_code == 200, url
        assert "NOTE-MARKER" not in response.text
    assert "NOTE-MARKER" not in stocked.get("root", "/audit").text


def test_only_the_recorder_removes_a_contact(stocked: Api) -> None:
    made = stocked.post("anna", "/employer-contacts", json=contact()).json()
    assert stocked.delete("bo", f"/employer-contacts/{made['id']}").status_code == 404
    assert stocked.delete("anna", f"/employer-contacts/{made['id']}").status_code == 200
    assert stocked.get("anna", "/employers/e-dyr/contacts").json()["contacts"] == []


def test_erasing_a_candidate_keeps_their_contacts_under_a_pseudonym_only(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-yes", disclosure="yes"))
    stocked.post("anna", "/employer-contacts", json=contact(candidate_id="c-yes"))
    stocked.upload([{"id": "o-new", "employer_id": "e-dyr", "title": "Dyrepasser"}])
    assert stocked.delete("anna", "/candidates/c-yes").status_code == 200
    kept = stocked.get("anna", "/employers/e-dyr/contacts").json()["contacts"]
    assert len(kept) == 1
    assert kept[0]["for_candidate"] is True and kept[0]["candidate_id"] is None
    assert stocked.get("anna", "/alerts?show=all").json() == []
