from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.metrics import (
    Clusters,
    bootstrap_ci,
    clustered_t_test,
    hit,
    holm,
    ndcg,
    opening_key,
    paired_comparison,
    per_query,
    query_key,
    randomization_test,
    ranx_grade,
    recall,
    reciprocal_rank,
)

# One query worked by hand. Graded openings (contract grades): a = 3, b = 0.5, c = 2.
# The system ranks x, c, a, y, b.
GRADES = {"a": 3.0, "b": 0.5, "c": 2.0}
RANKED = ["x", "c", "a", "y", "b"]


def hand_ndcg(k: int) -> float:
    dcg = 2 / math.log2(3) + 3 / math.log2(4) + (0.5 / math.log2(6) if k >= 5 else 0.0)
    ideal = 3 / math.log2(2) + 2 / math.log2(3) + 0.5 / math.log2(4)
    return dcg / ideal


def ranx_scores(metrics: list[str]) -> dict[str, float]:
    rows = {name: i for i, name in enumerate(["a", "b", "c", "x", "y"])}
    qrels = {query_key(0): {opening_key(rows[d]): ranx_grade(g) for d, g in GRADES.items()}}
    run = {query_key(0): {opening_key(rows[d]): float(10 - r) for r, d in enumerate(RANKED)}}
    return {m: float(v[0]) for m, v in per_query(qrels, run, metrics).items()}


def test_ranx_metrics_match_a_hand_computation() -> None:
    scores = ranx_scores(["ndcg@5", "ndcg@3", "recall@3", "recall@5", "mrr", "hit_rate@1"])
    assert scores["ndcg@5"] == pytest.approx(hand_ndcg(5))
    assert scores["ndcg@3"] == pytest.approx(hand_ndcg(3))
    assert scores["recall@3"] == pytest.approx(2 / 3)  # c and a of a, b, c
    assert scores["recall@5"] == pytest.approx(1.0)
    assert scores["mrr"] == pytest.approx(1 / 2)  # first relevant at rank 2
    assert scores["hit_rate@1"] == 0.0


def test_reference_formulas_agree_with_ranx_on_contract_grades() -> None:
    ranked = [GRADES.get(d, 0.0) for d in RANKED]
    all_grades = list(GRADES.values())
    assert ndcg(ranked, all_grades, 5) == pytest.approx(hand_ndcg(5))
    assert ndcg(ranked, all_grades, 3) == pytest.approx(hand_ndcg(3))
    assert recall(ranked, all_grades, 3) == pytest.approx(2 / 3)
    assert reciprocal_rank(ranked) == 0.5
    assert hit(ranked, 1) == 0.0 and hit(ranked, 2) == 1.0


def test_contacted_is_relevant_for_binary_metrics() -> None:
    # Grade 0.5 (contacted) must survive ranx's integer grades: doubled to 1, not rounded to 0.
    assert ranx_grade(0.5) == 1 and ranx_grade(3) == 6
    qrels = {query_key(0): {opening_key(1): ranx_grade(0.5)}}
    run = {query_key(0): {opening_key(1): 1.0}}
    assert per_query(qrels, run, ["hit_rate@1"])["hit_rate@1"][0] == 1.0
    with pytest.raises(ValueError, match=r"multiple of 0\.5"):
        ranx_grade(0.3)


def test_linear_gain_makes_ndcg_independent_of_the_doubling() -> None:
    ranked = [GRADES.get(d, 0.0) for d in RANKED]
    doubled = [2 * g for g in ranked]
    assert ndcg(doubled, [2 * g for g in GRADES.values()], 5) == pytest.approx(
        ndcg(ranked, list(GRADES.values()), 5)
    )


def test_bootstrap_interval_of_a_constant_is_the_constant() -> None:
    scores = np.full((40, 2), 0.25)
    clusters = Clusters.of([f"c{i % 10}" for i in range(40)])
    low, high = bootstrap_ci(scores, clusters, resamples=200)
    assert low == pytest.approx([0.25, 0.25]) and high == pytest.approx([0.25, 0.25])


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=4, max_size=40),
    st.integers(1, 6),
)
def test_bootstrap_interval_holds_the_mean(values: list[float], people: int) -> None:
    scores = np.asarray(values)[:, np.newaxis]
    clusters = Clusters.of([f"c{i % people}" for i in range(len(values))])
    low, high = bootstrap_ci(scores, clusters, resamples=300, seed=1)
    # The resampled means lie between the smallest and largest person's mean.
    means = clusters.sums(scores)[:, 0] / clusters.sizes()
    assert means.min() - 1e-9 <= low[0] <= high[0] <= means.max() + 1e-9


def test_resampling_people_gives_wider_intervals_than_resampling_queries() -> None:
    rng = np.random.default_rng(0)
    person_effect = np.repeat(rng.normal(0, 1, size=20), 10)
    scores = (person_effect + rng.normal(0, 0.1, size=200))[:, np.newaxis]
    by_person = Clusters.of([f"c{i // 10}" for i in range(200)])
    by_query = Clusters.of([f"q{i}" for i in range(200)])
    low_p, high_p = bootstrap_ci(scores, by_person, resamples=500)
    low_q, high_q = bootstrap_ci(scores, by_query, resamples=500)
    assert (high_p - low_p)[0] > 2 * (high_q - low_q)[0]


def test_paired_tests_tell_no_difference_from_a_clear_one() -> None:
    clusters = Clusters.of([f"c{i // 3}" for i in range(60)])
    same = np.zeros((60, 1))
    assert randomization_test(same, clusters, permutations=500)[0] == 1.0
    assert clustered_t_test(same, clusters)[0] == 1.0
    rng = np.random.default_rng(3)
    better = (0.3 + rng.normal(0, 0.1, size=60))[:, np.newaxis]
    assert randomization_test(better, clusters, permutations=500)[0] < 0.01
    assert clustered_t_test(better, clusters)[0] < 0.001
    noise = rng.normal(0, 0.1, size=(60, 1))
    assert randomization_test(noise, clusters, permutations=500)[0] > 0.05


def test_paired_comparison_gives_each_metric_its_difference_and_p_values() -> None:
    clusters = Clusters.of([f"c-{i // 2}" for i in range(40)])
    reference = np.column_stack([np.linspace(0, 1, 40), np.linspace(0, 1, 40)])
    # Column 0: better on every query (by 0.1 to 0.3); column 1: the same scores.
    scores = reference + np.column_stack([np.linspace(0.1, 0.3, 40), np.zeros(40)])
    first, second = paired_comparison(scores, reference, clusters, permutations=500)
    assert first["difference"] == pytest.approx(0.2)
    assert first["p_value"] < 0.01
    assert first["p_t_test"] < 0.01
    assert second == {"difference": 0.0, "p_value": 1.0, "p_t_test": 1.0}


def test_holm_adjustment_by_hand() -> None:
    # Sorted p 0.01, 0.02, 0.04 → 3×0.01, max(0.03, 2×0.02), max(0.04, 1×0.04).
    assert holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
