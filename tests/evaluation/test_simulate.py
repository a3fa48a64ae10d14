"""The simulator against the published IPS figures it is calibrated to (ips_outcomes.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from evaluation_builders import TINY

from evaluation.pipeline import load_inputs
from evaluation.simulate import (
    Simulation,
    SimulationSettings,
    calibration,
    files_of,
    simulate,
    tenure_by_fit,
)
from matcher.text import opening_segments

CALIBRATION_RUN = SimulationSettings(candidates=700, openings=3000, months=24, seed=11)


@pytest.fixture(scope="module")
def calibrated() -> Simulation:
    return simulate(CALIBRATION_RUN)


def test_outcome_rates_match_the_published_figures(calibrated: Simulation) -> None:
    figures = calibration(calibrated)
    assert figures["people_followed_18_months"] >= 150
    # Danish IPS trial: 59.9% in work or education within 18 months.
    assert 0.50 <= figures["work_or_education_within_18_months"] <= 0.70
    # The first job after a few months.
    assert 45 <= figures["median_days_to_first_job"] <= 150
    # About 2/3 of IPS jobs are 20 hours a week or more.
    assert 0.58 <= figures["share_jobs_20h_or_more"] <= 0.76
    # Tenure of months (22 weeks mean in the longest job in six RCTs).
    assert 60 <= figures["median_days_employed_of_ended"] <= 160


def test_jobs_that_match_hidden_interests_are_taken_more_often_and_last_longer(
    calibrated: Simulation,
) -> None:
    figures = tenure_by_fit(calibrated)
    assert figures["hire_rate_fit"] > 1.5 * figures["hire_rate_other"]
    assert figures["median_days_fit"] > 1.3 * figures["median_days_other"]


def test_same_seed_same_files_other_seed_other_files(tiny_simulation: Simulation) -> None:
    again = simulate(TINY)
    assert files_of(again) == files_of(tiny_simulation)
    other = simulate(SimulationSettings(**{**TINY.__dict__, "seed": TINY.seed + 1}))
    assert files_of(other)["placements.csv"] != files_of(tiny_simulation)["placements.csv"]


def test_files_follow_the_contract_and_are_consistent(tiny_files: Path) -> None:
    inputs = load_inputs(
        tiny_files / "candidates.jsonl",
        tiny_files / "openings.jsonl",
        tiny_files / "placements.csv",
        tiny_files / "groups.csv",
    )
    assert len(inputs.profiles) == 90
    versions = list(inputs.profiles.all_versions())
    assert any(v.valid_from is not None for v in versions)  # some wishes changed
    assert inputs.groups is not None
    assert set(inputs.groups.columns) == {"gender", "age_band", "profile_language", "region"}
    stages = {p.stage for p in inputs.placements}
    assert stages == {"contacted", "interview", "hired"}


def test_texts_are_danish_and_english_from_a_limited_vocabulary(calibrated: Simulation) -> None:
    titles = {o.title for o in calibrated.openings}
    assert "Dyrepasser-medhjælper" in titles and "Animal caretaker" in titles
    segments = {s for o in calibrated.openings for s in opening_segments(o)}
    assert len(segments) < 1500  # an encoder cache encodes each distinct text once
    wishes = {w for v in calibrated.versions for w in v.candidate.preferences.desired}
    assert "noget med dyr" in wishes or "arbejde med dyr" in wishes
    assert any(w.startswith("working") or w in {"computers", "cooking"} for w in wishes)
