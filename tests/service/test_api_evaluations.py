"""Evaluations for analysts: started over the API, run on pseudonymised history, read back."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from functools import partial
from pathlib import Path

from conftest import HEALTH_MARKER, LONG_AGO, SOON, TODAY, Api, candidate, opening
from fakes import engine_noting_its_process, engine_of_a_dying_process

WANTS = {"dyr": "dyrepasser", "lager": "lagermedarbejder", "kok": "køkkenmedhjælper"}


def _history(api: Api) -> None:
    """Six people, each hired where their wish points, over the last 120 days."""
    openings = []
    for field, title in WANTS.items():
        for n in range(3):
            openings.append(
                opening(
                    f"o-{field}-{n}",
                    title.capitalize(),
                    f"Arbejde som {title}.",
                    employer_id=f"e-{field}-{n}",
                    posted=LONG_AGO,
                    expires=SOON,
                )
            )
    assert api.upload(openings).status_code == 202
    for i, (field, title) in enumerate([*WANTS.items(), *WANTS.items()]):
        person = candidate(f"c-{i}", [title], health={"note": HEALTH_MARKER})
        assert api.post("anna", "/candidates", json=person).status_code == 201
        for stage, days_ago in (("contacted", 120 - 15 * i), ("hired", 110 - 15 * i)):
            event = {
                "candidate_id": f"c-{i}",
                "opening_id": f"o-{field}-{i % 3}",
                "stage": stage,
                "date": (TODAY - timedelta(days=days_ago)).isoformat(),
            }
            assert api.post("anna", "/placements", json=event).status_code == 201


def _finished(api: Api, evaluation_id: int) -> dict:  # type: ignore[type-arg]
    api.client.app.state.services.evaluations.wait(120)  # type: ignore[attr-defined]
    response = api.get("ida", f"/evaluations/{evaluation_id}")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_an_analyst_evaluates_the_history_and_reads_the_report(api: Api) -> None:
    _history(api)
    cutoff = (TODAY - timedelta(days=60)).isoformat()
    settings = {"cutoff": cutoff, "resamples": 10, "permutations": 10}
    started = api.post("ida", "/evaluations", json=settings)
    assert started.status_code == 202, started.text
    assert started.json()["status"] in ("running", "done")

    done = _finished(api, started.json()["id"])
    assert done["status"] == "done", done["error"]
    assert done["settings"]["cutoff"] == cutoff
    systems = {s["name"]: s for s in done["metrics"]["systems"]}
    assert {"ipsmatch", "random"} <= set(systems)
    assert done["metrics"]["data"]["queries"]["evaluated"] > 0
    report = api.get("ida", done["report"])
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "<html" in report.text
    # The service's report holds the store's IPS figures, by team and month.
    cells = done["metrics"]["ips_figures"]["cells"]
    assert cells and {"team", "month", "first_contact_within_30_days"} <= set(cells[0])
    assert 'id="ips-figures"' in report.text
    listed = api.get("ida", "/evaluations").json()
    assert [e["id"] for e in listed] == [done["id"]] and listed[0]["metrics"] is None

    # What analysts read holds no health text and no consultant's candidate ids.
    for text in (json.dumps(done), report.text):
        assert HEALTH_MARKER not in text
        assert '"c-1"' not in text and ">c-1<" not in text


def test_a_failed_evaluation_says_why_and_has_no_report(api: Api) -> None:
    started = api.post("ida", "/evaluations", json={"resamples": 10, "permutations": 10})
    failed = _finished(api, started.json()["id"])
    assert failed["status"] == "failed"
    assert failed["error"] and failed["metrics"] is None and failed["report"] is None
    report = api.get("ida", f"/evaluations/{failed['id']}/report")
    assert report.status_code == 409 and failed["error"] in report.json()["detail"]


def test_evaluations_are_for_analysts_only(api: Api) -> None:
    for who in ("anna", "jens", "root"):
        assert api.post(who, "/evaluations", json={}).status_code == 403
        assert api.get(who, "/evaluations").status_code == 403
    assert api.client.post("/evaluations", json={}).status_code == 401
    assert api.get("ida", "/evaluations/999").status_code == 404
    assert api.get("ida", "/evaluations/999/report").status_code == 404


def test_bad_settings_are_refused_with_every_problem(api: Api) -> None:
    response = api.post("ida", "/evaluations", json={"k": 0, "cutoff": "soon", "extra": 1})
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["problems"]}
    assert fields == {"k", "cutoff", "extra"}
    assert api.get("ida", "/evaluations").json() == []


def test_an_evaluation_left_running_by_a_stop_is_marked_failed(api: Api) -> None:
    from service.models import EvaluationRow

    with api.database.writer() as session:
        session.add(EvaluationRow(status="running", settings={}))
        session.commit()
    runner = api.client.app.state.services.evaluations  # type: ignore[attr-defined]
    assert runner.mark_interrupted() == 1
    (row,) = api.get("ida", "/evaluations").json()
    assert row["status"] == "failed" and "interrupted" in row["error"]


def test_times_carry_their_zone_on_every_store(api: Api) -> None:
    started = api.post("ida", "/evaluations", json={"resamples": 10, "permutations": 10})
    finished = _finished(api, started.json()["id"])
    listed = api.get("ida", "/evaluations").json()[0]
    for value in (
        started.json()["requested_at"],
        finished["requested_at"],
        finished["finished_at"],
        listed["requested_at"],
        api.get("ida", "/users/me").json()["created_at"],
    ):
        assert value.endswith("Z"), value


def test_an_erased_candidate_stays_in_the_history_under_a_pseudonym(api: Api) -> None:
    # Before: every evaluation failed with "'p-…' is not in the candidates" after an erasure.
    _history(api)
    assert api.delete("anna", "/candidates/c-5").status_code == 200
    cutoff = (TODAY - timedelta(days=60)).isoformat()
    settings = {"cutoff": cutoff, "resamples": 10, "permutations": 10}
    done = _finished(api, api.post("ida", "/evaluations", json=settings).json()["id"])
    assert done["status"] == "done", done["error"]
    data = done["metrics"]["data"]
    assert data["candidates"] == 5 and data["candidates_with_events"] == 6
    assert data["queries"]["skipped_erased_profile"] == 1


def test_a_failed_evaluation_names_the_export_not_a_server_file(api: Api) -> None:
    # A row stored before events were checked by the contract's model.
    from service.models import PlacementRow

    with api.database.writer() as session:
        session.add(
            PlacementRow(
                candidate_pk=None,
                candidate_pseudonym="p-legacy",
                employer_id="e-1",
                stage="offer",
                day=TODAY,
            )
        )
        session.commit()
    started = api.post("ida", "/evaluations", json={"resamples": 10, "permutations": 10})
    failed = _finished(api, started.json()["id"])
    assert failed["status"] == "failed"
    assert "GET /exports/placements.csv, line 2" in failed["error"]
    assert "unknown stage 'offer'" in failed["error"]
    assert "ipsmatch-evaluation-" not in failed["error"] and "/tmp" not in failed["error"]


def test_an_evaluation_runs_in_a_process_of_its_own(api: Api, tmp_path: Path) -> None:
    _history(api)
    runner = api.client.app.state.services.evaluations  # type: ignore[attr-defined]
    marker = tmp_path / "evaluation.pid"
    runner.engine_factory = partial(engine_noting_its_process, marker)
    cutoff = (TODAY - timedelta(days=60)).isoformat()
    settings = {"cutoff": cutoff, "resamples": 10, "permutations": 10}
    done = _finished(api, api.post("ida", "/evaluations", json=settings).json()["id"])
    assert done["status"] == "done", done["error"]
    assert int(marker.read_text()) != os.getpid()


def test_an_evaluation_whose_process_dies_is_marked_failed(api: Api) -> None:
    runner = api.client.app.state.services.evaluations  # type: ignore[attr-defined]
    runner.engine_factory = partial(engine_of_a_dying_process, 3)
    started = api.post("ida", "/evaluations", json={"resamples": 10, "permutations": 10})
    failed = _finished(api, started.json()["id"])
    assert failed["status"] == "failed" and "exit code 3" in failed["error"]
