"""`ipsmatch taxonomy import`, `ipsmatch geo import`, and `ipsmatch rank` using what they saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import FakeEncoder
from paths import DISCO_CSV, POSTCODES_CSV, esco_folder
from typer.testing import CliRunner

from matcher.encoders import CachedEncoder
from matcher.places import POSTCODES_FILENAME, Place, PostcodeTable
from matcher.records import Ranking
from matcher.taxonomy import TAXONOMY_FILENAME, Occupation, Taxonomy
from service import cli

runner = CliRunner()
DISCO = DISCO_CSV
POSTCODES = POSTCODES_CSV


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "load_encoder", lambda *_: CachedEncoder(FakeEncoder()))


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_taxonomy_import_of_esco_saves_both(tmp_path: Path) -> None:
    data = tmp_path / "data"
    args = ["taxonomy", "import", "--disco", str(DISCO), "--esco", str(esco_folder())]
    result = runner.invoke(cli.app, [*args, "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["occupations"] == {"disco08": 1171, "esco": 3039, "isco": 619}
    assert (data / "taxonomy" / TAXONOMY_FILENAME).is_file()


def test_taxonomy_import_saves_and_a_malformed_reimport_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    args = ["taxonomy", "import", "--disco", str(DISCO)]
    result = runner.invoke(cli.app, [*args, "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["occupations"] == {"disco08": 1171}
    saved = data / "taxonomy" / TAXONOMY_FILENAME
    before = saved.read_bytes()

    broken = tmp_path / "disco.csv"
    lines = DISCO.read_text(encoding="utf-8-sig").splitlines()
    lines[3] = lines[3].replace(";3;", ";9;")  # line 4: level 9
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(
        cli.app, ["taxonomy", "import", "--disco", str(broken), "--data-dir", str(data)]
    )
    assert result.exit_code == 2
    assert "disco.csv" in result.output and "line 4" in result.output
    assert "'NIVEAU'" in result.output and "column 3" in result.output
    assert "unchanged" in result.output
    assert saved.read_bytes() == before


def test_taxonomy_import_needs_a_file(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["taxonomy", "import", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--disco" in result.output


def test_geo_import_saves_and_warns_of_points_at_sea(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["geo", "import", str(POSTCODES), "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["count"] == 1089
    assert (tmp_path / "geo" / POSTCODES_FILENAME).is_file()
    assert "outside Denmark's land" in result.output


def test_geo_import_refuses_a_malformed_table(tmp_path: Path) -> None:
    bad = tmp_path / "pc.csv"
    bad.write_text("postnr,navn,lat,lon\n2400,NV,55.7,north\n", encoding="utf-8")
    result = runner.invoke(cli.app, ["geo", "import", str(bad), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "line 2" in result.output and "'lon'" in result.output
    assert not (tmp_path / "geo").exists()


# ------------------------------------------------------------------ rank uses them

CANDIDATES = [
    {
        "id": "c-1",
        "preferences": {"desired": ["lagerarbejde"], "max_commute_km": 3},
        "location": {"postcode": "2400"},
    },
]
OPENINGS = [
    {"id": "o-1", "employer_id": "e-1", "title": "Lagerarbejde", "location": {"postcode": "2500"}},
    {"id": "o-2", "employer_id": "e-2", "title": "Kontor", "location": {"postcode": "2400"}},
]


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    PostcodeTable(
        [Place("2400", "København NV", 55.7126, 12.5288), Place("2500", "Valby", 55.6617, 12.5163)]
    ).save(data / "geo")
    Taxonomy(
        [
            Occupation("9333", "Lagerarbejde", "da", "9333", "disco08", 4),
            Occupation("4110", "Kontorarbejde", "da", "4110", "disco08", 4),
        ]
    ).save(data / "taxonomy")
    return data


def rank(tmp_path: Path, data: Path, candidates: list[dict]) -> tuple[int, str, list[Ranking]]:
    c = write(tmp_path / "c.jsonl", candidates)
    o = write(tmp_path / "o.jsonl", OPENINGS)
    out = tmp_path / "r.jsonl"
    args = ["rank", "--candidates", str(c), "--openings", str(o), "--date", "2026-11-22"]
    result = runner.invoke(cli.app, [*args, "--out", str(out), "--data-dir", str(data)])
    rankings = (
        [Ranking.model_validate_json(line) for line in out.read_text().splitlines()]
        if out.exists()
        else []
    )
    return result.exit_code, result.output, rankings


def test_rank_places_postcodes_and_names_occupations(tmp_path: Path, imported: Path) -> None:
    code, output, rankings = rank(tmp_path, imported, CANDIDATES)
    assert code == 0, output
    first = next(r for r in rankings[0].results if r.opening_id == "o-1")
    assert "matches occupation 9333 Lagerarbejde" in first.reasons
    assert "5.7 km from home, beyond 3 km" in first.reasons
    assert first.violations == ["commute"]


def test_rank_refuses_an_unknown_postcode_and_writes_nothing(
    tmp_path: Path, imported: Path
) -> None:
    unknown = [{**CANDIDATES[0], "id": "c-9", "location": {"postcode": "9999"}}]
    code, output, rankings = rank(tmp_path, imported, unknown)
    assert code == 2
    assert "c.jsonl" in output and "record 'c-9'" in output
    assert "'location.postcode'" in output and "unknown postcode '9999'" in output
    assert rankings == []


def test_rank_without_imports_uses_the_packaged_tables(tmp_path: Path) -> None:
    # Before: without an import the commute rule was switched off without a word.
    code, output, rankings = rank(tmp_path, tmp_path / "empty", CANDIDATES)
    assert code == 0, output
    first = next(r for r in rankings[0].results if r.opening_id == "o-1")
    # DAWA's label points of 2400 and 2500 (the imported test table has other ones).
    assert "6.2 km from home, beyond 3 km" in first.reasons
    assert first.violations == ["commute"]
    # The packaged DISCO-08 titles name the occupation.
    assert any(r.startswith("matches occupation 933") for r in first.reasons), first.reasons


def test_rank_without_imports_refuses_an_unknown_postcode(tmp_path: Path) -> None:
    unknown = [{**CANDIDATES[0], "id": "c-9", "location": {"postcode": "9999"}}]
    code, output, rankings = rank(tmp_path, tmp_path / "empty", unknown)
    assert code == 2
    assert "'location.postcode'" in output and "unknown postcode '9999'" in output
    assert rankings == []
