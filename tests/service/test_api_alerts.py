"""Alerts: a new fitting opening appears once, never one that breaks a stated wish."""

from __future__ import annotations

from conftest import Api, candidate, opening


def inbox(api: Api, who: str = "anna", show: str = "new") -> list[dict[str, object]]:
    response = api.get(who, f"/alerts?show={show}")
    assert response.status_code == 200, response.text
    alerts: list[dict[str, object]] = response.json()
    return alerts


def profile() -> dict[str, object]:
    record = candidate("c-1", ["dyrepasser"])
    record["preferences"]["hours_per_week"] = {"min": 10, "max": 20}  # type: ignore[index]
    return record


def full_time_opening() -> dict[str, object]:
    """A fitting title at 37 hours a week: breaks the profile's 10-20 hours."""
    return opening(
        "o-dyr-37",
        "Dyrepasser",
        "Pasning af hunde.",
        employer_id="e-dyr3",
        hours_per_week={"min": 37, "max": 37},
    )


def test_an_alert_appears_once_for_a_new_fitting_opening(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=profile())
    # What was there before the profile is in its recommendations, not news.
    assert inbox(stocked) == []
    new = opening("o-dyr-2", "Dyrepasser", "Pasning af hunde.", employer_id="e-dyr2")
    assert stocked.upload([new]).status_code == 202
    alerts = inbox(stocked)
    assert [(a["candidate_id"], a["opening_id"]) for a in alerts] == [("c-1", "o-dyr-2")]
    assert alerts[0]["title"] == "Dyrepasser" and alerts[0]["reasons"]
    assert float(alerts[0]["preference_fit"]) >= 0.6  # type: ignore[arg-type]
    # Looking again, or the opening changing, makes no second alert.
    assert len(inbox(stocked)) == 1
    changed = dict(new, description="Pasning af hunde og katte.")
    stocked.upload([changed])
    assert len(inbox(stocked, show="all")) == 1
    # Another consultant sees nothing of it and cannot touch it.
    assert inbox(stocked, "bo") == []
    alert_id = alerts[0]["id"]
    assert stocked.post("bo", f"/alerts/{alert_id}/dismiss").status_code == 404
    dismissed = stocked.post("anna", f"/alerts/{alert_id}/dismiss")
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert inbox(stocked) == []
    stocked.upload([dict(new, title="Dyrepasser (ny)")])
    assert inbox(stocked) == [] and len(inbox(stocked, show="all")) == 1


def test_never_an_alert_for_an_opening_that_breaks_a_stated_wish(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=profile())
    inbox(stocked)
    full_time = full_time_opening()
    assert stocked.upload([full_time]).status_code == 202
    assert inbox(stocked) == []
    ranking = stocked.get("anna", "/candidates/c-1/recommendations?k=10").json()["results"]
    broken = [r for r in ranking if r["opening_id"] == "o-dyr-37"]
    assert broken and broken[0]["violations"] == ["hours"]


def test_no_alert_for_an_opening_that_fits_poorly(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=profile())
    inbox(stocked)
    stocked.upload([opening("o-it", "IT-supporter", "Hjælp med computere.", employer_id="e-it")])
    assert inbox(stocked) == []


def test_hiding_keeps_the_opening_away_for_that_person(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=profile())
    inbox(stocked)
    stocked.upload([opening("o-dyr-2", "Dyrepasser", "Pasning af hunde.", employer_id="e-d2")])
    alert = inbox(stocked)[0]
    hidden = stocked.post("anna", f"/alerts/{alert['id']}/hide").json()
    assert hidden["status"] == "hidden"
    stocked.upload([opening("o-dyr-2", "Dyrepasser", "Hunde og katte.", employer_id="e-d2")])
    assert inbox(stocked) == []
    assert [a["status"] for a in inbox(stocked, show="all")] == ["hidden"]
    assert stocked.get("ida", "/alerts").status_code == 403


def test_a_changed_opening_that_now_fits_alerts_once(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=profile())
    inbox(stocked)
    full_time = full_time_opening()
    assert stocked.upload([full_time]).status_code == 202
    assert inbox(stocked) == []  # breaks the person's hours
    part_time = dict(full_time, hours_per_week={"min": 15, "max": 20})
    assert stocked.upload([part_time]).status_code == 202
    alerts = inbox(stocked)
    assert [(a["candidate_id"], a["opening_id"]) for a in alerts] == [("c-1", "o-dyr-37")]
    assert alerts[0]["reasons"]
    assert len(inbox(stocked)) == 1
