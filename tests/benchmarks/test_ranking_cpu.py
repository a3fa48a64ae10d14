"""benchmarks/ranking_cpu.py: the same catalogue and rankings on every run, figures named."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import ranking_cpu  # noqa: E402


def test_two_runs_rank_alike_and_report_cpu_figures() -> None:
    first = ranking_cpu.main(["--openings", "200", "--candidates", "6"])
    second = ranking_cpu.main(["--openings", "200", "--candidates", "6"])
    assert first["rankings_sha"] == second["rankings_sha"]
    assert first["openings"] == 200 and first["candidates"] == 6
    assert 0 < first["cpu_p50_ms"] <= first["cpu_p95_ms"]


def test_another_seed_makes_another_catalogue() -> None:
    one = ranking_cpu.main(["--openings", "200", "--candidates", "6", "--seed", "1"])
    two = ranking_cpu.main(["--openings", "200", "--candidates", "6", "--seed", "2"])
    assert one["rankings_sha"] != two["rankings_sha"]


def test_recall_against_exhaustive_rankings_is_reported_on_request() -> None:
    plain = ranking_cpu.main(["--openings", "200", "--candidates", "4"])
    assert "recall_at_k" not in plain
    # A catalogue this small is scored whole: the rankings are the exhaustive ones.
    measured = ranking_cpu.main(["--openings", "200", "--candidates", "4", "--recall"])
    assert measured["recall_at_k"] == measured["recall_at_k_tie_aware"] == 1.0
    assert measured["rankings_sha"] == plain["rankings_sha"]
