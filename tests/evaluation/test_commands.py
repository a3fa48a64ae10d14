"""The `ipsmatch simulate`, `evaluate` and `fit` commands (service/cli.py), with the fake
encoder; kept beside the evaluation tests they drive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import FakeEncoder
from typer.testing import CliRunner

from matcher.encoders import CachedEncoder
from service import cli

runner = CliRunner()


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "load_encoder", lambda *_: CachedEncoder(FakeEncoder()))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "sim"
    result = runner.invoke(
        cli.app,
        [
            "simulate",
            "--candidates",
            "60",
            "--openings",
            "400",
            "--months",
            "12",
            "--seed",
            "5",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(figures["files"]) == {
        "candidates.jsonl",
        "openings.jsonl",
        "placements.csv",
        "groups.csv",
        "caseload.csv",
        "employer_contacts.csv",
    }
    return out


def args(history: Path, *extra: str) -> list[str]:
    return [
        "--candidates",
        str(history / "candidates.jsonl"),
        "--openings",
        str(history / "openings.jsonl"),
        "--placements",
        str(history / "placements.csv"),
        *extra,
    ]


FAST = ("--resamples", "50", "--permutations", "100", "-q")


def test_evaluate_writes_metrics_and_report(history: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = runner.invoke(
        cli.app,
        [
            "evaluate",
            *args(history, "--out", str(out), "--groups", str(history / "groups.csv"), *FAST),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads((out / "metrics.json").read_text())
    assert document["systems"][0]["name"] == "ipsmatch"
    assert '<table id="summary">' in (out / "report.html").read_text()


def test_fit_then_evaluate_with_the_fitted_weights(history: Path, tmp_path: Path) -> None:
    weights = tmp_path / "models" / "weights.json"
    fitted = runner.invoke(
        cli.app, ["fit", *args(history, "--cutoff", "2024-07-01", "--out", str(weights), "-q")]
    )
    assert fitted.exit_code == 0, fitted.output
    assert weights.is_file() and weights.with_suffix(".md").is_file()
    out = tmp_path / "report"
    result = runner.invoke(
        cli.app,
        [
            "evaluate",
            *args(
                history,
                "--out",
                str(out),
                "--cutoff",
                "2024-07-01",
                "--weights",
                str(weights),
                *FAST,
            ),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads((out / "metrics.json").read_text())
    assert document["weights"]["source"].startswith("file")
    # Weights fitted up to a later cutoff than the evaluation's are refused.
    early = runner.invoke(
        cli.app,
        [
            "evaluate",
            *args(
                history,
                "--out",
                str(tmp_path / "x"),
                "--cutoff",
                "2024-05-01",
                "--weights",
                str(weights),
                "-q",
            ),
        ],
    )
    assert early.exit_code == 2
    assert "seen the evaluated period" in early.output
    assert not (tmp_path / "x").exists()


def test_bad_placements_are_reported_and_nothing_is_written(history: Path, tmp_path: Path) -> None:
    bad = tmp_path / "placements.csv"
    lines = (history / "placements.csv").read_text().splitlines()
    lines[2] = lines[2].replace(",contacted,", ",hire,").replace(",interview,", ",hire,")
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "report"
    result = runner.invoke(
        cli.app,
        [
            "evaluate",
            "--candidates",
            str(history / "candidates.jsonl"),
            "--openings",
            str(history / "openings.jsonl"),
            "--placements",
            str(bad),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 2
    assert "placements.csv, line 3: field 'stage'" in result.output
    assert "allowed: contacted, interview, hired" in result.output
    assert not out.exists()
    assert list(tmp_path.glob(".report*")) == []


def test_bad_cutoff_is_refused(history: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        cli.app, ["evaluate", *args(history, "--out", str(tmp_path / "r"), "--cutoff", "soon")]
    )
    assert result.exit_code == 2 and "--cutoff must be an ISO date" in result.output


def test_evaluate_adds_ips_figures_from_caseload_and_contacts(
    history: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    jobdev = ("--caseload", str(history / "caseload.csv"))
    alone = runner.invoke(cli.app, ["evaluate", *args(history, "--out", str(out), *jobdev)])
    assert alone.exit_code == 2 and "--caseload and --contacts together" in alone.output
    contacts = ("--contacts", str(history / "employer_contacts.csv"))
    result = runner.invoke(
        cli.app, ["evaluate", *args(history, "--out", str(out), *jobdev, *contacts, *FAST)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads((out / "metrics.json").read_text())
    cells = document["ips_figures"]["cells"]
    assert cells and {"team", "month", "first_contact_within_30_days"} <= set(cells[0])
    assert 'id="ips-figures"' in (out / "report.html").read_text()
