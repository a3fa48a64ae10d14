from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from evaluation.errors import EvaluationError
from evaluation.fitting import WeightFitter, load_weights, save_weights, weights_document
from matcher.errors import RecordValidationError
from matcher.scoring import ScoringWeights

# Two past queries, each with a right answer that needs a given weight ratio r = c / p:
# q1: A (pref 0.8, comp 0.0) was ignored, B (pref 0.2, comp 1.0) led to a hire:
#     B ranks first only when 0.2 + r > 0.8, i.e. r > 0.6.
# q2: C (pref 0.9, comp 0.0) led to a hire, D (pref 0.0, comp 1.0) was ignored:
#     C stays first for every r < 0.9.
# The best ratios are 0.65 ... 0.85; the nearest to the default 0.25 is 0.65.
X = np.asarray(
    [[0.8, 0.0, 0], [0.2, 1.0, 0], [0.9, 0.0, 0], [0.0, 1.0, 0]],
    dtype=float,
)
Y = np.asarray([0.0, 3.0, 3.0, 0.0])
GROUPS = ["q1", "q1", "q2", "q2"]


def test_fits_the_ratio_that_orders_past_outcomes_best() -> None:
    fitter = WeightFitter().fit(X, Y, GROUPS)
    assert fitter.ratio_ == pytest.approx(0.65)
    assert fitter.scores_[0.65] == pytest.approx(1.0)
    assert fitter.scores_[0.25] < 1.0
    weights = fitter.weights_
    assert weights.preference == pytest.approx(1 / 1.65, abs=1e-4)
    assert weights.competency == pytest.approx(0.65 / 1.65, abs=1e-4)
    assert weights.preference > weights.competency  # preferences stay first
    assert weights.semantic == ScoringWeights().semantic  # only the two are fitted
    assert fitter.n_queries_ == 2


def test_violations_sink_whatever_the_weights() -> None:
    # B breaks a stated preference: it ranks last for every ratio, so no ratio helps q1.
    flagged = X.copy()
    flagged[1, 2] = 1
    fitter = WeightFitter().fit(flagged, Y, GROUPS)
    assert fitter.ratio_ == pytest.approx(0.25)  # all ratios tie; the default wins
    assert fitter.predict(flagged)[1] < fitter.predict(flagged)[0]


def test_the_preference_first_order_cannot_be_fitted_away() -> None:
    with pytest.raises(ValueError, match="keep preferences first"):
        WeightFitter(ratios=(0.5, 1.0)).fit(X, Y, GROUPS)


def test_nothing_to_learn_from_is_an_error() -> None:
    with pytest.raises(EvaluationError, match="nothing to fit"):
        WeightFitter().fit(X, np.zeros(4), GROUPS)


def test_follows_scikit_learn_conventions() -> None:
    fitter = WeightFitter(k=5)
    assert fitter.get_params()["k"] == 5
    copy = clone(fitter)
    assert copy.get_params()["k"] == 5 and not hasattr(copy, "ratio_")
    assert fitter.fit(X, Y, GROUPS) is fitter


def test_weights_file_and_model_card(tmp_path: Path) -> None:
    fitter = WeightFitter().fit(X, Y, GROUPS)
    document = weights_document(
        fitter,
        date(2025, 1, 1),
        {"data": {"candidates": 2, "openings": 4, "events_before_cutoff": 7, "files": "x"}},
    )
    path = tmp_path / "models" / "weights-2025-01-01.json"
    card = save_weights(path, document)
    weights, fitted = load_weights(path)
    assert weights == fitter.weights_
    assert fitted["cutoff"] == "2025-01-01"
    text = card.read_text()
    assert card.name == "weights-2025-01-01.md"
    assert "before **2025-01-01**" in text and "| 0.65 |" in text and "← chosen" in text


def test_bad_weights_files_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"weights": {"preference": 0.3, "competency": 0.7}}))
    with pytest.raises(RecordValidationError, match="preferences first"):
        load_weights(path)
    path.write_text(json.dumps({"weights": {"preferences": 0.9}}))
    with pytest.raises(RecordValidationError, match=r"weights\.preferences.*unknown weight"):
        load_weights(path)
    path.write_text("{not json")
    with pytest.raises(RecordValidationError, match="not a JSON file"):
        load_weights(path)
    # A plain object of weights is accepted too.
    path.write_text(json.dumps({"preference": 0.7, "competency": 0.3}))
    assert load_weights(path)[0].preference == 0.7
