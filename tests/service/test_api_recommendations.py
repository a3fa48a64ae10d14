"""Recommendations and suggested employers, as the engine ranks them, audited."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import CATALOGUE, HEALTH_MARKER, TODAY, Api, candidate, opening
from fakes import FakeEncoder

from matcher.engine import build_engine
from matcher.queries import CandidateQuery, QueryEncoder
from matcher.ranker import PreferenceRanker
from matcher.records import Candidate, Opening, Ranking
from service import engine as engine_module


def test_the_ranking_is_the_engines(stocked: Api, tmp_path: Path) -> None:
    record = candidate(
        "c-1",
        preferences={"desired": ["dyrepasser", "hunde"], "hours_per_week": {"max": 20}},
        disclosure="yes",
        competencies={"skills": ["pluk og pak"]},
    )
    stocked.post("anna", "/candidates", json=record)
    response = stocked.get("anna", "/candidates/c-1/recommendations?k=3")
    assert response.status_code == 200
    ranking = Ranking.model_validate(response.json())
    # The engine every path builds: here with nothing imported, so the packaged tables.
    direct = (
        build_engine(data_dir=tmp_path, encoder=FakeEncoder())
        .ranker()
        .fit([Opening.model_validate(o) for o in CATALOGUE if o["id"] != "o-gammel"])
    )
    expected = direct.rank(Candidate.model_validate(record), k=3, on=TODAY)
    assert ranking == expected
    assert ranking.results[0].opening_id == "o-dyr"
    assert all(r.contact == "consultant" for r in ranking.results)
    lager = next(r for r in ranking.results if r.opening_id == "o-lager")
    assert lager.violations == ["hours"]


def test_k_date_expiry_and_health_inertness(stocked: Api) -> None:
    with_health = candidate("c-1", health={"note": HEALTH_MARKER}, secret_field="x")
    stocked.post("anna", "/candidates", json=with_health)
    stocked.post("anna", "/candidates", json=candidate("c-2"))
    one = stocked.get("anna", "/candidates/c-1/recommendations?k=1").json()["results"]
    everything = stocked.get("anna", "/candidates/c-1/recommendations?k=50").json()["results"]
    assert len(one) == 1 and len(everything) == 3  # o-gammel has expired
    plain = stocked.get("anna", "/candidates/c-2/recommendations?k=50").json()["results"]
    assert [r["score"] for r in everything] == [r["score"] for r in plain]
    assert all(r["contact"] == "self" for r in plain)
    later = (TODAY + timedelta(days=90)).isoformat()  # after the catalogue's 60-day expiry
    assert stocked.get("anna", f"/candidates/c-1/recommendations?date={later}").json() == {
        "candidate_id": "c-1",
        "results": [],
    }
    early = (TODAY - timedelta(days=1)).isoformat()
    refused = stocked.get("anna", f"/candidates/c-1/recommendations?date={early}")
    assert refused.status_code == 422 and "today or later" in refused.json()["detail"]
    bad = stocked.get("anna", "/candidates/c-1/recommendations?k=0&date=soon")
    assert bad.status_code == 422
    fields = {p["field"] for p in bad.json()["problems"]}
    assert fields == {"query parameter 'k'", "query parameter 'date'"}


def test_an_empty_catalogue_still_answers(api: Api) -> None:
    api.post("anna", "/candidates", json=candidate("c-1"))
    response = api.get("anna", "/candidates/c-1/recommendations")
    assert response.json() == {"candidate_id": "c-1", "results": []}
    assert api.get("anna", "/candidates/c-1/employers").json()["results"] == []


def test_a_changed_profile_is_ranked_afresh(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-1", ["dyrepasser"]))
    first = stocked.get("anna", "/candidates/c-1/recommendations?k=1").json()
    assert first["results"][0]["opening_id"] == "o-dyr"
    stocked.put("anna", "/candidates/c-1", json=candidate("c-1", ["køkkenmedhjælper opvask"]))
    second = stocked.get("anna", "/candidates/c-1/recommendations?k=1").json()
    assert second["results"][0]["opening_id"] == "o-kok"


def test_suggested_employers_include_those_with_nothing_posted(stocked: Api) -> None:
    stocked.put(
        "jens",
        "/employers/e-park",
        json={"id": "e-park", "name": "Parkforvaltningen", "description": "Dyrepasser i parken"},
    )
    stocked.post("anna", "/candidates", json=candidate("c-1", ["dyrepasser"], disclosure="no"))
    stocked.post("anna", "/candidates", json=candidate("c-2"))
    hired = {"candidate_id": "c-2", "employer_id": "e-zoo", "stage": "hired", "date": "2026-01-05"}
    stocked.post("anna", "/placements", json=hired)
    response = stocked.get("anna", "/candidates/c-1/employers?k=10")
    assert response.status_code == 200
    results = {r["employer_id"]: r for r in response.json()["results"]}
    assert {"e-dyr", "e-zoo", "e-park"} <= set(results)
    assert results["e-dyr"]["open_openings"] == ["o-dyr"]
    assert results["e-dyr"]["reasons"][0] == "open posting 'Dyrepasser'"
    zoo = results["e-zoo"]
    assert zoo["open_openings"] == [] and zoo["past_openings"] == 1
    assert zoo["placements"] == {"hired": 1}
    assert (
        zoo["reasons"][0]
        == "nothing posted now; posted 'Dyrepasser i zoo' before (job development)"
    )
    assert "earlier through IPS: 1 hired, 0 interviewed" in zoo["reasons"]
    park = results["e-park"]
    assert park["reasons"][0].startswith("nothing posted now; what the employer does fits")
    assert all(r["contact"] == "self" for r in results.values())
    ranked = [r["employer_id"] for r in response.json()["results"]]
    assert ranked.index("e-dyr") < ranked.index("e-kantine")
    assert stocked.get("anna", "/candidates/c-1/employers?k=1").json()["results"][0]["rank"] == 1


def test_every_recommendation_request_is_audited(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-1", health={"note": HEALTH_MARKER}))
    ranking = stocked.get("anna", "/candidates/c-1/recommendations?k=2").json()
    stocked.get("anna", "/candidates/c-1/recommendations?k=2")  # cached, still audited
    stocked.get("anna", "/candidates/c-1/employers?k=2")
    entries = stocked.get("root", "/audit?action=recommendations").json()
    assert len(entries) == 2
    entry = entries[0]
    assert entry["user_id"] == 1 and entry["candidate_pseudonym"].startswith("p-")
    detail = entry["detail"]
    assert detail["k"] == 2 and detail["date"] == date.today().isoformat()
    assert detail["model"] == "fake-hashing-256" and detail["engine"]
    assert detail["results"] == [
        {"opening_id": r["opening_id"], "score": r["score"]} for r in ranking["results"]
    ]
    assert "c-1" not in str(entries)
    employers = stocked.get("root", "/audit?action=suggested_employers").json()
    assert len(employers) == 1 and employers[0]["detail"]["results"][0]["employer_id"]
    pseudonym = entry["candidate_pseudonym"]
    mine = stocked.get("root", f"/audit?candidate_pseudonym={pseudonym}").json()
    assert {e["action"] for e in mine} == {
        "candidate.create",
        "recommendations",
        "suggested_employers",
    }


def test_new_openings_reach_suggested_employers(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-1", ["gartner"]))
    before = stocked.get("anna", "/candidates/c-1/employers?k=10").json()["results"]
    assert "e-have" not in {r["employer_id"] for r in before}
    stocked.post("jens", "/openings", json=opening("o-have", "Gartner", employer_id="e-have"))
    after = stocked.get("anna", "/candidates/c-1/employers?k=1").json()["results"]
    assert after[0]["employer_id"] == "e-have"


def test_changes_are_applied_in_place_and_rank_like_a_whole_fit(
    stocked: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "REFIT_UP_TO", 0)  # the small catalogue counts as large
    monkeypatch.setattr(engine_module, "REFIT_SHARE", 10.0)
    engine = stocked.client.app.state.services.engine  # type: ignore[attr-defined]
    stocked.post("anna", "/candidates", json=candidate("c-1", ["gartner", "dyrepasser"]))
    stocked.get("anna", "/candidates/c-1/recommendations")
    fitted = engine.current()
    assert fitted.changes == 0

    added = stocked.post("jens", "/openings", json=opening("o-have", "Gartner", "Pasning af have."))
    assert added.status_code == 201, added.text
    replaced = opening("o-kok", "Dyrepasser", "Fodring af dyr.", employer_id="e-kok")
    assert stocked.put("jens", "/openings/o-kok", json=replaced).status_code == 200
    assert stocked.delete("jens", "/openings/o-lager").status_code == 200
    ranking = Ranking.model_validate(
        stocked.get("anna", "/candidates/c-1/recommendations?k=50").json()
    )

    updated = engine.current()
    assert (updated.fitted, updated.changes) == (fitted.fitted, 3)
    assert updated.ranker is not fitted.ranker
    assert len(fitted.ranker.openings_) == fitted.fitted  # the earlier fit was left alone
    ids = [r.opening_id for r in ranking.results]
    assert "o-lager" not in ids and ids.count("o-kok") == 1
    stocked.post("anna", "/candidates", json=candidate("c-2", ["gartner"]))
    gardener = stocked.get("anna", "/candidates/c-2/recommendations?k=1").json()["results"]
    assert gardener[0]["opening_id"] == "o-have"
    stored = [o for o in CATALOGUE if o["id"] not in {"o-gammel", "o-lager", "o-kok"}]
    whole = PreferenceRanker(FakeEncoder()).fit(
        [
            Opening.model_validate(o)
            for o in [*stored, opening("o-have", "Gartner", "Pasning af have."), replaced]
        ]
    )
    expected = whole.rank(
        Candidate.model_validate(candidate("c-1", ["gartner", "dyrepasser"])), k=50, on=TODAY
    )
    assert sorted(ids) == sorted(r.opening_id for r in expected.results)
    assert {r.opening_id: r.violations for r in ranking.results} == {
        r.opening_id: r.violations for r in expected.results
    }


def test_a_large_change_refits_the_catalogue_whole(
    stocked: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "REFIT_UP_TO", 0)
    engine = stocked.client.app.state.services.engine  # type: ignore[attr-defined]
    before = engine.current()
    more = [opening(f"o-ny-{i}", "Gartner", "Pasning af have.") for i in range(len(CATALOGUE))]
    assert stocked.upload(more).status_code == 202
    after = engine.current()
    assert after.changes == 0 and after.fitted == before.fitted + len(more)


def test_suggested_employers_follow_changes_applied_in_place(
    stocked: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "REFIT_UP_TO", 0)
    monkeypatch.setattr(engine_module, "REFIT_SHARE", 10.0)
    engine = stocked.client.app.state.services.engine  # type: ignore[attr-defined]
    stocked.post("anna", "/candidates", json=candidate("c-1", ["gartner"]))
    before = stocked.get("anna", "/candidates/c-1/employers?k=10").json()["results"]
    assert "e-park" not in {r["employer_id"] for r in before}
    fitted = engine.history()

    park = {"id": "e-park", "name": "Parkforvaltningen", "description": "Gartner i parken"}
    assert stocked.put("jens", "/employers/e-park", json=park).status_code in (200, 201)
    assert stocked.delete("jens", "/openings/o-kok").status_code == 200
    after = stocked.get("anna", "/candidates/c-1/employers?k=10").json()["results"]

    updated = engine.history()
    assert updated.fitted == fitted.fitted and updated.changes >= 2
    park_now = next(r for r in after if r["employer_id"] == "e-park")
    assert park_now["reasons"][0].startswith("nothing posted now; what the employer does fits")
    assert "e-kantine" not in {r["employer_id"] for r in after}  # its one opening is gone

    renamed = dict(park, description="Kontorarbejde i forvaltningen")
    stocked.put("jens", "/employers/e-park", json=renamed)
    again = stocked.get("anna", "/candidates/c-1/employers?k=10").json()["results"]
    park_later = next(r for r in again if r["employer_id"] == "e-park")
    assert park_later["preference_fit"] < park_now["preference_fit"]
    assert engine.history().changes > updated.changes


def test_a_new_opening_reranks_without_encoding_the_profile_again(
    stocked: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[list[str]] = []
    encode = QueryEncoder.encode

    def counting(self: QueryEncoder, candidates: list[Candidate]) -> list[CandidateQuery]:
        encoded.append([c.id for c in candidates])
        return encode(self, candidates)

    monkeypatch.setattr(QueryEncoder, "encode", counting)
    stocked.post("anna", "/candidates", json=candidate("c-1", ["gartner"]))
    stocked.get("anna", "/candidates/c-1/recommendations")
    assert encoded == [["c-1"]]

    # The catalogue changed, the profile did not: a new ranking, the same encoding.
    added = stocked.post("jens", "/openings", json=opening("o-have", "Gartner", "Pasning af have."))
    assert added.status_code == 201, added.text
    ranking = stocked.get("anna", "/candidates/c-1/recommendations?k=50").json()
    assert "o-have" in {r["opening_id"] for r in ranking["results"]}
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    stocked.get("anna", f"/candidates/c-1/recommendations?date={tomorrow}")
    assert encoded == [["c-1"]]

    # The profile changed: encoded again, and the new wish is the one ranked for.
    changed = candidate("c-1", ["opvask i kantinen"])
    assert stocked.put("anna", "/candidates/c-1", json=changed).status_code == 200
    first = stocked.get("anna", "/candidates/c-1/recommendations?k=1").json()["results"][0]
    assert encoded == [["c-1"], ["c-1"]]
    assert first["opening_id"] == "o-kok"
