"""`ipsmatch rank`, the API and the evaluation rank alike: one engine, built one way.

The three paths get the same profile, catalogue, imports (a small taxonomy
and postcode table the test saves in the data folder) and day, and the fake
encoder. Before `matcher.engine`, the API and the evaluation ranked without
the imports: no occupation reasons, and postcode-only records placed nowhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import TODAY, USERS, Api, add_users, candidate, opening
from fakes import FakeEncoder
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from evaluation.history import Catalogue, Query
from evaluation.profiles import ProfileVersion
from evaluation.systems import IpsmatchSystem, SharedVectors, TrainingData
from matcher.encoders import CachedEncoder
from matcher.engine import build_engine
from matcher.language_space import LanguageNeutraliser
from matcher.places import Place, PostcodeTable
from matcher.records import Candidate, Opening, Ranking
from matcher.taxonomy import Occupation, Taxonomy
from service import cli
from service.app import chosen_encoder, create_app, service_engine
from service.settings import Settings, engine_arguments

TAXONOMY = Taxonomy(
    [
        Occupation("5164", "Arbejde med kæledyr", "da", "5164", "disco08", 4),
        Occupation("516400", "Arbejde med kæledyr", "da", "5164", "disco08", 5),
        Occupation("9333", "Lagerarbejde", "da", "9333", "disco08", 4),
        Occupation("http://e/occ/kennel", "kennel worker", "en", "5164", "esco"),
    ]
)
POSTCODES = PostcodeTable(
    [
        Place("2400", "København NV", 55.7126, 12.5288),
        Place("2500", "Valby", 55.6617, 12.5163),
        Place("8000", "Aarhus C", 56.1567, 10.2108),
    ]
)
OPENINGS = [
    opening("o-hunde", "Hundepasser", "Pasning af hunde.", location={"postcode": "2500"}),
    opening(
        "o-katte",
        "Kattepasser",
        "Pasning af katte.",
        occupation="516400",
        location={"postcode": "8000"},
    ),
    opening(
        "o-lager",
        "Lagermedarbejder",
        "Pluk og pak af foder til hunde.",
        location={"postcode": "2400"},
    ),
    opening("o-kok", "Kok", "Madlavning i kantinen.", location={"postcode": "2400"}),
]
PROFILE = candidate(
    "c-1",
    location={"postcode": "2400"},
    preferences={
        "desired": ["pasning af hunde og katte"],
        "occupations": ["5164"],
        "max_commute_km": 20,
    },
    disclosure="yes",
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    TAXONOMY.save(folder / "taxonomy")
    POSTCODES.save(folder / "geo")
    return folder


def by_cli(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ranking:
    monkeypatch.setattr(cli, "load_encoder", lambda *_: CachedEncoder(FakeEncoder()))
    people = tmp_path / "c.jsonl"
    people.write_text(json.dumps(PROFILE, ensure_ascii=False) + "\n", "utf-8")
    catalogue = tmp_path / "o.jsonl"
    catalogue.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in OPENINGS))
    args = ["rank", "--candidates", str(people), "--openings", str(catalogue), "-q"]
    args += ["--k", "4", "--date", TODAY.isoformat(), "--data-dir", str(data_dir)]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    return Ranking.model_validate_json(result.stdout.strip())


def by_api(data_dir: Path, tmp_path: Path) -> Ranking:
    settings = Settings(
        data_dir=data_dir,
        cache_dir=tmp_path / "cache",
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
    )
    with TestClient(create_app(settings, encoder=CachedEncoder(FakeEncoder()))) as client:
        services: Any = client.app.state.services  # type: ignore[attr-defined]
        api = Api(client, add_users(services.database, USERS))
        assert api.upload(OPENINGS).status_code == 202
        assert api.post("anna", "/candidates", json=PROFILE).status_code in (200, 201)
        response = api.get("anna", f"/candidates/c-1/recommendations?k=4&date={TODAY}")
        assert response.status_code == 200, response.text
        return Ranking.model_validate(response.json())


def by_evaluation(data_dir: Path) -> list[str]:
    catalogue = Catalogue([Opening.model_validate(o) for o in OPENINGS])
    engine = build_engine(data_dir=data_dir, encoder=FakeEncoder())
    system = IpsmatchSystem(SharedVectors(engine, catalogue))
    system.fit(TrainingData(catalogue, [], TODAY))
    profile = ProfileVersion(Candidate.model_validate(PROFILE))
    query = Query("q-1", "c-1", TODAY, profile, frozenset(), {})
    rows = np.arange(len(OPENINGS))
    system.prepare([query])
    system.start_window(rows)
    return [str(catalogue.ids[i]) for i in system.rank(query, rows, 4).openings]


def test_cli_api_and_evaluation_rank_alike_with_the_imports(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_cli = by_cli(data_dir, tmp_path, monkeypatch)
    from_api = by_api(data_dir, tmp_path)
    from_evaluation = by_evaluation(data_dir)
    assert from_api == from_cli
    assert from_evaluation == [r.opening_id for r in from_cli.results]
    # The imports were used: occupations by the taxonomy, places by postcode.
    reasons = {r.opening_id: r.reasons for r in from_cli.results}
    assert any(reason.startswith("matches occupation 5164") for reason in reasons["o-katte"])
    assert any(reason.endswith("km from home") for reason in reasons["o-hunde"])
    far = next(r for r in from_cli.results if r.opening_id == "o-katte")
    assert far.violations == ["commute"]  # Aarhus is beyond 20 km of København NV


def test_the_service_picks_up_a_new_import_without_losing_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(
        data_dir=data_dir,
        cache_dir=tmp_path / "cache",
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        phrase_cache_size=3,
    )
    url = f"/candidates/c-1/recommendations?k=4&date={TODAY}"
    with TestClient(create_app(settings, encoder=CachedEncoder(FakeEncoder()))) as client:
        services: Any = client.app.state.services  # type: ignore[attr-defined]
        api = Api(client, add_users(services.database, USERS))
        assert api.upload(OPENINGS).status_code == 202
        assert api.post("anna", "/candidates", json=PROFILE).status_code in (200, 201)
        before = Ranking.model_validate(api.get("anna", url).json())
        # Until an import, the packaged Danish table places the postcodes.
        assert before.results[0].reasons != []
        POSTCODES.save(data_dir / "geo")
        after = Ranking.model_validate(api.get("anna", url).json())
        assert any(r == "5.7 km from home" for r in after.results[0].reasons)
        assert {r.opening_id for r in after.results} == {o["id"] for o in OPENINGS}
        # Profile phrases are kept in a bounded cache, apart from the openings' vectors.
        assert len(services.engine.phrases) <= 3
        assert len(services.engine.encoder.cache) >= len(OPENINGS)


@pytest.mark.parametrize("neutral", [True, False])
def test_the_language_setting_reaches_the_commands_and_the_service(
    tmp_path: Path, neutral: bool
) -> None:
    settings = Settings(model=str(tmp_path), language_neutral=neutral, cache_dir=tmp_path)
    # The model is loaded on the first encode only, so an empty folder will do here.
    for encoder in (cli.load_encoder(settings, None, quiet=True), chosen_encoder(settings, None)):
        assert isinstance(encoder.transform, LanguageNeutraliser) is neutral
    assert engine_arguments(settings)["language_neutral"] is neutral


def test_the_service_keeps_the_encoders_transform(tmp_path: Path) -> None:
    given = CachedEncoder(FakeEncoder(), transform=LanguageNeutraliser())
    engine = service_engine(Settings(data_dir=tmp_path), given)
    assert engine.encoder.transform is given.transform
    assert engine.model_id == given.model_id
