from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import FakeEncoder
from typer.testing import CliRunner

from matcher.encoders import CachedEncoder
from matcher.records import Ranking
from service import cli

runner = CliRunner()

CANDIDATES = [
    {"id": "c-1", "preferences": {"desired": ["dyrepasser"]}, "disclosure": "yes"},
    {"id": "c-2", "preferences": {"desired": ["lager"], "hours_per_week": {"max": 20}}},
]
OPENINGS = [
    {"id": "o-1", "employer_id": "e-1", "title": "Dyrepasser", "description": "Pasning af dyr."},
    {"id": "o-2", "employer_id": "e-2", "title": "Lagermedarbejder", "expires": "2026-01-01"},
    {"id": "o-3", "employer_id": "e-2", "title": "Lagerassistent", "hours_per_week": {"min": 37}},
]


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "load_encoder", lambda *_: CachedEncoder(FakeEncoder()))


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path / "c.jsonl", CANDIDATES), write(tmp_path / "o.jsonl", OPENINGS)


def test_rank_writes_one_ranking_per_candidate(files: tuple[Path, Path], tmp_path: Path) -> None:
    candidates, openings = files
    out = tmp_path / "r.jsonl"
    args = ["rank", "--candidates", str(candidates), "--openings", str(openings)]
    result = runner.invoke(cli.app, [*args, "--k", "5", "--date", "2026-11-22", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rankings = [Ranking.model_validate_json(line) for line in out.read_text().splitlines()]
    assert [r.candidate_id for r in rankings] == ["c-1", "c-2"]
    first, second = rankings
    assert first.results[0].opening_id == "o-1"
    assert first.results[0].contact == "consultant"
    assert "o-2" not in {r.opening_id for r in second.results}  # expired
    assert second.results[0].opening_id == "o-1"  # o-3 breaks the hour limit and sinks
    assert second.results[-1].violations == ["hours"]


def test_rank_to_stdout(files: tuple[Path, Path]) -> None:
    candidates, openings = files
    args = ["rank", "--candidates", str(candidates), "--openings", str(openings), "-q"]
    result = runner.invoke(cli.app, [*args, "--date", "2026-11-22"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 2


def test_bad_record_names_file_line_and_field_and_writes_nothing(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    candidates, _ = files
    broken = write(tmp_path / "bad.jsonl", [*OPENINGS, {"id": "o-9", "employer_id": "e-1"}])
    out = tmp_path / "r.jsonl"
    args = ["rank", "--candidates", str(candidates), "--openings", str(broken), "--out", str(out)]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 2
    assert "bad.jsonl" in result.output
    assert "line 4" in result.output and "'title'" in result.output
    assert not out.exists()
    assert list(tmp_path.glob(".r.jsonl*")) == []


def test_bad_date_is_refused(files: tuple[Path, Path]) -> None:
    candidates, openings = files
    args = ["rank", "--candidates", str(candidates), "--openings", str(openings)]
    result = runner.invoke(cli.app, [*args, "--date", "22/11/2026"])
    assert result.exit_code == 2
    assert "ISO date" in result.output


def test_show_prints_a_table(files: tuple[Path, Path], tmp_path: Path) -> None:
    candidates, openings = files
    out = tmp_path / "r.jsonl"
    runner.invoke(
        cli.app,
        ["rank", "--candidates", str(candidates), "--openings", str(openings), "--out", str(out)],
    )
    result = runner.invoke(
        cli.app, ["show", str(out), "--candidates", str(candidates), "--openings", str(openings)]
    )
    assert result.exit_code == 0, result.output
    assert "c-1 wants: dyrepasser" in result.stdout
    assert "Dyrepasser" in result.stdout


def test_schema_prints_the_committed_file_and_refuses_unknown_records() -> None:
    from paths import REPO

    result = runner.invoke(cli.app, ["schema", "placement"])
    assert result.exit_code == 0, result.output
    committed = (REPO / "data" / "contract" / "placement.schema.json").read_text("utf-8")
    assert result.stdout == committed
    unknown = runner.invoke(cli.app, ["schema", "offer"])
    assert unknown.exit_code == 2
    assert "allowed: candidate, opening, ranking, placement" in unknown.output
