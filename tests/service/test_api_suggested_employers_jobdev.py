"""Suggested employers with who is likely to hire and contacts spread fairly (known answers).

Two employers post the same warehouse job, so they fit a person's wishes
equally; what tells them apart is their past hiring and how often they
have been contacted lately.
"""

from __future__ import annotations

from datetime import timedelta

from conftest import TODAY, Api, candidate, opening
from conftest import employer_contact as contact

WAREHOUSE = "Pluk og pak af varer på lageret."


def twins(api: Api) -> None:
    records = [
        opening("o-a", "Lagermedarbejder", WAREHOUSE, employer_id="e-a", occupation="9321"),
        opening("o-b", "Lagermedarbejder", WAREHOUSE, employer_id="e-b", occupation="9321"),
        opening("o-kok", "Køkkenmedhjælper", "Opvask i kantinen.", employer_id="e-kok"),
    ]
    assert api.upload(records).status_code == 202
    api.post("anna", "/candidates", json=candidate("c-1", ["lagermedarbejder"]))


def employers(api: Api, k: int = 10) -> list[dict[str, object]]:
    response = api.get("anna", f"/candidates/c-1/employers?k={k}")
    assert response.status_code == 200, response.text
    results: list[dict[str, object]] = response.json()["results"]
    return results


def order(api: Api) -> list[object]:
    return [r["employer_id"] for r in employers(api)]


def test_steady_past_hires_in_the_wanted_field_outrank_none_at_equal_fit(api: Api) -> None:
    twins(api)
    plain = employers(api)
    assert plain[0]["score"] == plain[1]["score"]
    assert [r["employer_id"] for r in plain[:2]] == ["e-a", "e-b"]
    api.post("bo", "/candidates", json=candidate("c-past"))
    for month in range(1, 13):
        day = (TODAY - timedelta(days=30 * month)).isoformat()
        hired = {"candidate_id": "c-past", "opening_id": "o-b", "stage": "hired", "date": day}
        assert api.post("bo", "/placements", json=hired).status_code == 201
    results = employers(api)
    assert [r["employer_id"] for r in results[:2]] == ["e-b", "e-a"]
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    reasons = results[0]["reasons"]
    assert isinstance(reasons, list)
    assert reasons[0] == "open posting 'Lagermedarbejder'"
    assert "hired 12 people in work such as 'Lagermedarbejder' in the last 12 months" in reasons
    assert any(str(r).startswith("likely to hire: about") for r in reasons)


def test_a_capped_employer_drops_out_after_its_limit(api: Api) -> None:
    twins(api)
    limited = {"id": "e-a", "name": "Lager A", "contact_limit_per_week": 2}
    assert api.put("jens", "/employers/e-a", json=limited).status_code == 200
    api.post("jens", "/employer-contacts", json=contact("e-a"))
    assert "e-a" in order(api)
    api.post("jens", "/employer-contacts", json=contact("e-a"))
    after = order(api)
    assert "e-a" not in after
    assert after[0] == "e-b"
    # A limit counts this week only.
    relationship = api.get("jens", "/employers/e-a/contacts").json()
    assert relationship["contact_limit_per_week"] == 2
    assert relationship["contacts_this_week"] == 2


def test_nobody_is_left_without_suggestions_when_all_are_capped(api: Api) -> None:
    assert api.upload([opening("o-a", "Lagermedarbejder", WAREHOUSE, employer_id="e-a")])
    api.post("anna", "/candidates", json=candidate("c-1", ["lagermedarbejder"]))
    api.put("jens", "/employers/e-a", json={"id": "e-a", "contact_limit_per_week": 1})
    api.post("jens", "/employer-contacts", json=contact("e-a"))
    results = employers(api)
    assert [r["employer_id"] for r in results] == ["e-a"]
    assert any("limit of 1 contacts this week" in str(r) for r in results[0]["reasons"])  # type: ignore[union-attr]


def test_an_employer_contacted_often_for_others_is_lowered_and_says_so(api: Api) -> None:
    twins(api)
    for number in range(4):
        other = f"c-other-{number}"
        api.post("bo", "/candidates", json=candidate(other, disclosure="yes"))
        day = (TODAY - timedelta(days=3 * number)).isoformat()
        made = api.post(
            "bo", "/employer-contacts", json=contact("e-a", candidate_id=other, date=day)
        )
        assert made.status_code == 201, made.text
    results = employers(api)
    assert [r["employer_id"] for r in results[:2]] == ["e-b", "e-a"]
    assert (
        "contacted 4 times for other candidates in the last 28 days; placed lower to spread "
        "contacts"
    ) in results[1]["reasons"]  # type: ignore[operator]
