from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from evaluation_builders import FAST, SmallHistory, event

from evaluation.errors import EvaluationError
from evaluation.pipeline import Settings, default_cutoff, evaluate
from matcher.encoders import CachedEncoder
from matcher.engine import build_engine
from matcher.scoring import ScoringWeights


def test_default_cutoff_is_the_median_event_date(small_history: SmallHistory) -> None:
    # Events on 02-03, 02-05, 02-12, 02-20, 03-10, 06-01: the fourth (index 3) is the median.
    assert default_cutoff(small_history.placements) == date(2025, 2, 20)


def test_a_cutoff_after_all_events_leaves_nothing_to_evaluate(
    small_history: SmallHistory, fake_cached_encoder: CachedEncoder
) -> None:
    with pytest.raises(EvaluationError, match="no placement events on or after"):
        evaluate(
            small_history.inputs(),
            build_engine(encoder=fake_cached_encoder),
            Settings(cutoff=date(2026, 1, 1)),
        )


def test_weights_fitted_on_the_evaluated_period_are_refused(
    small_history: SmallHistory, fake_cached_encoder: CachedEncoder
) -> None:
    weights = (ScoringWeights(preference=0.7, competency=0.3), {"cutoff": "2025-06-01"})
    with pytest.raises(EvaluationError, match="seen the evaluated period"):
        evaluate(
            small_history.inputs(),
            build_engine(encoder=fake_cached_encoder),
            Settings(cutoff=date(2025, 3, 1)),
            weights=weights,
        )


def test_small_history_end_to_end(
    small_history: SmallHistory, fake_cached_encoder: CachedEncoder
) -> None:
    inputs = small_history.inputs()
    inputs.placements += [
        event("c-1", "o-lager1", "contacted", "2025-03-10"),
        event("c-1", "o-lager1", "interview", "2025-03-20"),
    ]
    settings = Settings(
        cutoff=date(2025, 3, 1), resamples=FAST.resamples, permutations=FAST.permutations
    )
    weights = (ScoringWeights(preference=0.7, competency=0.3), {"cutoff": "2025-02-01"})
    document = evaluate(
        inputs, build_engine(encoder=fake_cached_encoder), settings, weights=weights
    )
    assert document.cutoff == "2025-03-01"
    assert document.data.queries.evaluated == 1  # c-1 on 2025-03-10
    reference = document.system("ipsmatch")
    # Graded: o-lager2 (contacted, 0.5) and o-lager1 (interview, 1); both warehouse jobs,
    # which the March profile wants: ipsmatch finds them.
    assert reference.metrics["hit_rate@10"].mean == 1.0
    assert reference.metrics["recall@10"].mean == 1.0
    assert document.weights["fitted"]["preference"] == 0.7


def test_an_unknown_postcode_is_refused_by_the_packaged_or_a_given_table(tmp_path: Path) -> None:
    from evaluation.pipeline import load_inputs
    from matcher.errors import RecordValidationError
    from matcher.places import packaged_postcodes

    person = {"id": "c-1", "preferences": {"desired": ["dyr"]}, "location": {"postcode": "9999"}}
    job = {"id": "o-1", "employer_id": "e-1", "title": "Dyrepasser"}
    (tmp_path / "candidates.jsonl").write_text(json.dumps(person) + "\n", encoding="utf-8")
    (tmp_path / "openings.jsonl").write_text(json.dumps(job) + "\n", encoding="utf-8")
    (tmp_path / "placements.csv").write_text(
        "candidate_id,opening_id,employer_id,stage,date,ended,hours_per_week\n"
        "c-1,o-1,e-1,contacted,2025-02-01,,\n",
        encoding="utf-8",
    )
    files = [tmp_path / n for n in ("candidates.jsonl", "openings.jsonl", "placements.csv")]
    # Before: without a table nothing was checked, and the commute rule silently did nothing.
    with pytest.raises(RecordValidationError, match="unknown postcode '9999'") as packaged:
        load_inputs(*files)
    assert "candidates.jsonl" in str(packaged.value)
    assert "'location.postcode'" in str(packaged.value)
    with pytest.raises(RecordValidationError, match="9999") as caught:
        load_inputs(*files, postcodes={"2200": (55.69, 12.55)})
    assert "candidates.jsonl" in str(caught.value)
    person["location"] = {"postcode": "2400"}
    (tmp_path / "candidates.jsonl").write_text(json.dumps(person) + "\n", encoding="utf-8")
    assert load_inputs(*files).postcodes is packaged_postcodes()
