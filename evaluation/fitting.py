"""Fitting the scoring weights on placement history, within the preference-first order.

ipsmatch scores an opening as ``(p × preference_fit + c × competency_fit) /
(p + c)``, so only the ratio ``r = c / p`` changes an order, and preferences
come first exactly when ``r < 1``. `WeightFitter` picks ``r`` from a grid
below 1 by the NDCG@k it gives when re-ordering what the default ranker
returned for queries before the cutoff:

1. replay the queries before the cutoff through ipsmatch with default
   weights, 50 suggestions each, keeping each suggestion's
   ``preference_fit``, ``competency_fit`` and whether it breaks a stated
   preference (all three are in every `matcher.records.Ranking`);
2. grade each suggestion by what happened before the cutoff only;
3. for each ``r``, re-order each query's suggestions as the ranker would
   (violations last, then by ``preference_fit + r × competency_fit``) and
   take the mean NDCG@k; the best ``r`` wins (ties: the one nearest the
   default).

Only the two top-level weights are fitted; the weights inside each fit
(meaning against words, past work against requirements) and thresholds keep
their defaults. Re-ordering the default top 50 rather than the whole
catalogue is an approximation: an opening the default weights leave out of
the top 50 cannot be brought in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Self

import numpy as np
from sklearn.base import BaseEstimator

from evaluation.errors import EvaluationError
from evaluation.io import atomic_text, to_json
from evaluation.metrics import ndcg
from evaluation.replay import ReplayResult
from matcher.errors import FieldProblem, RecordValidationError
from matcher.scoring import ScoringWeights

WEIGHTS_FORMAT = "ipsmatch-scoring-weights"
WEIGHTS_VERSION = 1
DEFAULT_RATIOS: tuple[float, ...] = tuple(round(r, 2) for r in np.arange(0.0, 0.951, 0.05))


class WeightFitter(BaseEstimator):
    """Chooses the competency/preference weight ratio that best orders past outcomes.

    ``fit(X, y, groups)``: `X` has one row per (query, suggested opening) with
    columns ``preference_fit``, ``competency_fit`` and ``violated`` (0/1); `y`
    the contract grade of the opening; `groups` the query of each row.
    """

    def __init__(
        self,
        ratios: Sequence[float] = DEFAULT_RATIOS,
        k: int = 10,
        base_weights: ScoringWeights | None = None,
    ) -> None:
        self.ratios = ratios
        self.k = k
        self.base_weights = base_weights

    def fit(self, X: np.ndarray, y: np.ndarray, groups: Sequence[str]) -> Self:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        groups_array = np.asarray(groups, dtype=object)
        if X.ndim != 2 or X.shape[1] != 3:
            raise ValueError(
                f"X must have 3 columns (preference, competency, violated), got {X.shape}"
            )
        if not (len(X) == len(y) == len(groups_array)):
            raise ValueError("X, y and groups must have one entry per row")
        bad = [r for r in self.ratios if not 0 <= r < 1]
        if bad:
            raise ValueError(f"ratios must be in [0, 1) to keep preferences first, got {bad}")
        base = self.base_weights or ScoringWeights()
        default_ratio = base.competency / base.preference
        _, codes = np.unique(groups_array, return_inverse=True)
        members = [np.flatnonzero(codes == g) for g in range(codes.max(initial=-1) + 1)]
        useful = [rows for rows in members if (y[rows] > 0).any()]
        if not useful:
            raise EvaluationError(
                "no query before the cutoff had a relevant opening among the default ranker's "
                "suggestions; there is nothing to fit weights on (move the cutoff later?)"
            )
        scores: dict[float, float] = {}
        for ratio in self.ratios:
            values = []
            for rows in useful:
                score = X[rows, 0] + ratio * X[rows, 1]
                order = np.lexsort((rows, -score, X[rows, 2]))
                values.append(ndcg(list(y[rows][order]), list(y[rows]), self.k))
            scores[float(ratio)] = float(np.mean(values))
        best = max(scores.values())
        winners = [r for r, s in scores.items() if s >= best - 1e-12]
        self.ratio_ = min(winners, key=lambda r: abs(r - default_ratio))
        self.scores_ = scores
        self.n_queries_ = len(useful)
        self.n_rows_ = len(X)
        preference = round(1 / (1 + self.ratio_), 4)
        competency = round(self.ratio_ / (1 + self.ratio_), 4)
        self.weights_ = replace(base, preference=preference, competency=competency)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Scores in the order the ranker would use: violations sink below all others."""
        X = np.asarray(X, dtype=np.float64)
        return X[:, 0] + self.ratio_ * X[:, 1] - 10.0 * X[:, 2]


def training_rows(result: ReplayResult, system: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(X, y, groups) from a replay: each suggestion's fits, its grade, its query."""
    X: list[tuple[float, float, float]] = []
    y: list[float] = []
    groups: list[str] = []
    for query, answer in zip(result.queries, result.suggestions[system], strict=True):
        if (
            answer.preference_fit is None
            or answer.competency_fit is None
            or answer.violated is None
        ):
            raise EvaluationError(f"system {system!r} does not report its fits; cannot fit weights")
        for position, row in enumerate(answer.openings):
            X.append(
                (
                    float(answer.preference_fit[position]),
                    float(answer.competency_fit[position]),
                    float(answer.violated[position]),
                )
            )
            y.append(query.grades.get(int(row), 0.0))
            groups.append(query.qid)
    return np.asarray(X, dtype=np.float64).reshape(-1, 3), np.asarray(y), groups


# ------------------------------------------------------------------ saving and loading


def weights_document(fitter: WeightFitter, cutoff: date, about: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": WEIGHTS_FORMAT,
        "version": WEIGHTS_VERSION,
        "weights": fitter.weights_.to_dict(),
        "fitted": {
            "cutoff": cutoff.isoformat(),
            "created": datetime.now().astimezone().isoformat(timespec="seconds"),
            "method": "grid search of competency/preference ratio on NDCG@"
            f"{fitter.k} of re-ordered default top 50",
            "ratio": fitter.ratio_,
            "grid": {f"{r:.2f}": round(s, 5) for r, s in fitter.scores_.items()},
            "training_queries": fitter.n_queries_,
            "training_rows": fitter.n_rows_,
            **about,
        },
    }


def model_card(document: dict[str, Any], weights_file: str) -> str:
    fitted = document["fitted"]
    weights = document["weights"]
    default = ScoringWeights()
    grid = fitted["grid"]
    best = max(grid.values()) if grid else 0.0
    grid_lines = "\n".join(
        f"| {ratio} | {score:.4f} |{' ← chosen' if float(ratio) == fitted['ratio'] else ''}"
        for ratio, score in grid.items()
    )
    data = fitted.get("data", {})
    return f"""# Model card: fitted scoring weights `{weights_file}`

**What it is.** The two top-level weights of ipsmatch's score,
`preference` = {weights["preference"]} and `competency` = {weights["competency"]}
(defaults {default.preference} and {default.competency}), fitted on placement history
before **{fitted["cutoff"]}**. All other weights are the defaults. Preference stays
above competency by construction (the ratio grid stops below 1).

**Intended use.** `ipsmatch evaluate --weights {weights_file}` compares it with the
default weights on history from the cutoff on. Use it for ranking only if that
evaluation shows it better, and only for caseloads like the training data.

**Training data.** {data.get("candidates", "?")} candidates, {data.get("openings", "?")}
openings, {data.get("events_before_cutoff", "?")} placement events before the cutoff
(files: {data.get("files", "?")}). {fitted["training_queries"]} past queries with at
least one relevant suggestion, {fitted["training_rows"]} suggestions. Grades use only
what was known the day before the cutoff (a hire is graded 3 only if 90 days of
employment were seen by then).

**Method.** {fitted["method"]}: the default ranker's 50 suggestions per past query
are re-ordered with violations last and then by
`preference_fit + r × competency_fit`; the `r` with the best mean NDCG@10 (linear
gain) is kept, ties going to the one nearest the default
({default.competency / default.preference:.2f}).

| r = competency / preference | mean NDCG |
|---|---|
{grid_lines}

Best mean NDCG {best:.4f}.

**Limits.** Fitted on the history it was given: if those were simulated data
(`ipsmatch simulate`), the weights say something about the simulator, not about
real people. Only openings the default weights put in the top 50 can move. The
history records what consultants and people chose among what they saw, so it
carries the habits of the ranking used then.
"""


def save_weights(path: str | Path, document: dict[str, Any]) -> Path:
    """Write the weights JSON and its model card (same name, ``.md``); returns the card's path."""
    path = Path(path)
    card = path.with_suffix(".md")
    atomic_text(path, to_json(document))
    atomic_text(card, model_card(document, path.name))
    return card


def load_weights(path: str | Path) -> tuple[ScoringWeights, dict[str, Any]]:
    """Read weights written by `save_weights` (or a plain object of weights)."""
    path = Path(path)
    if not path.is_file():
        raise RecordValidationError([FieldProblem(None, None, "", "file not found")], source=path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RecordValidationError(
            [FieldProblem(None, None, "", f"not a JSON file of weights ({error})")], source=path
        ) from None
    if not isinstance(document, dict):
        raise RecordValidationError(
            [FieldProblem(None, None, "", "expected a JSON object")], source=path
        )
    values = document.get("weights", document)
    known = {f.name for f in fields(ScoringWeights)}
    if not isinstance(values, dict):
        raise RecordValidationError(
            [FieldProblem(None, None, "weights", "expected an object of weights")], source=path
        )
    unknown = sorted(set(values) - known)
    if unknown:
        raise RecordValidationError(
            [
                FieldProblem(
                    None,
                    None,
                    f"weights.{name}",
                    f"unknown weight; allowed: {', '.join(sorted(known))}",
                )
                for name in unknown
            ],
            source=path,
        )
    try:
        weights = ScoringWeights(**values)
    except (TypeError, ValueError) as error:
        raise RecordValidationError(
            [FieldProblem(None, None, "weights", str(error))], source=path
        ) from None
    fitted = document.get("fitted", {}) if "weights" in document else {}
    return weights, fitted if isinstance(fitted, dict) else {}
