"""``/ips-figures`` on a small history recorded through the API (known answers)."""

from __future__ import annotations

from datetime import timedelta

from conftest import TODAY, Api, candidate


def test_thirty_day_share_by_team_from_the_store(stocked: Api) -> None:
    made = stocked.post(
        "root", "/users", json={"name": "cara", "role": "consultant", "team": "Nord"}
    )
    assert made.status_code == 201 and made.json()["team"] == "Nord"
    stocked.tokens["cara"] = made.json()["token"]
    for number in range(5):
        stocked.post("cara", "/candidates", json=candidate(f"c-{number}", disclosure="yes"))
    for number in range(3):
        event = {
            "employer_id": "e-dyr",
            "date": (TODAY + timedelta(days=10 * number)).isoformat(),
            "channel": "visit",
            "outcome": "open_to_trial",
            "candidate_id": f"c-{number}",
        }
        assert stocked.post("cara", "/employer-contacts", json=event).status_code == 201
    # One applied alone after 40 days: not within 30.
    late = {
        "candidate_id": "c-4",
        "employer_id": "e-dyr",
        "stage": "contacted",
        "date": (TODAY + timedelta(days=40)).isoformat(),
    }
    assert stocked.post("cara", "/placements", json=late).status_code == 201
    until = (TODAY + timedelta(days=60)).isoformat()
    response = stocked.get("ida", f"/ips-figures?until={until}")
    assert response.status_code == 200, response.text
    body = response.json()
    month = TODAY.strftime("%Y-%m")
    nord = next(c for c in body["cells"] if c["team"] == "Nord" and c["month"] == month)
    assert nord["people_started"] == 5
    assert nord["first_contact_within_30_days"] == 0.6
    assert "c-0" not in response.text
    plot = stocked.get("ida", f"/ips-figures/plot.png?until={until}")
    assert plot.status_code == 200 and plot.content.startswith(b"\x89PNG")
    assert stocked.get("cara", "/ips-figures").status_code == 403
    assert stocked.get("ida", "/ips-figures?min_cell=2").status_code == 422
