"""`ipsmatch models adapt`: its errors (training itself is measured in benchmarks/README.md)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from service import cli

runner = CliRunner()


def base_folder(tmp_path: Path) -> Path:
    base = tmp_path / "base"
    base.mkdir()
    (base / "config.json").write_text("{}", "utf-8")
    (base / "modules.json").write_text("[]", "utf-8")
    return base


def test_a_missing_taxonomy_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "taxonomy" / "esco").mkdir(parents=True)
    args = ["models", "adapt", "--taxonomy", str(tmp_path / "taxonomy")]
    out = ["--out", str(tmp_path / "out")]
    result = runner.invoke(cli.app, [*args, *out, "--base", str(base_folder(tmp_path))])
    assert result.exit_code == 2
    assert "ISCOGroups_en.csv: file not found" in result.output
    assert not (tmp_path / "out").exists()


def test_a_missing_taxonomy_folder_is_named(tmp_path: Path) -> None:
    args = ["models", "adapt", "--taxonomy", str(tmp_path / "nowhere")]
    out = ["--out", str(tmp_path / "out")]
    result = runner.invoke(cli.app, [*args, *out, "--base", str(base_folder(tmp_path))])
    assert result.exit_code == 2
    assert "nowhere: taxonomy folder not found" in result.output


def test_an_unknown_pair_kind_is_refused(tmp_path: Path) -> None:
    args = ["models", "adapt", "--taxonomy", str(tmp_path), "--pairs", "titles"]
    result = runner.invoke(cli.app, [*args, "--base", str(base_folder(tmp_path))])
    assert result.exit_code == 2
    assert "--pairs titles" in result.output


def test_an_existing_target_is_kept_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = ["models", "adapt", "--taxonomy", str(tmp_path), "--out", str(out)]
    result = runner.invoke(cli.app, [*args, "--base", str(base_folder(tmp_path))])
    assert result.exit_code == 2
    assert "--force" in result.output
