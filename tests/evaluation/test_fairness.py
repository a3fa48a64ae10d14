from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from evaluation_builders import make_candidate

from evaluation.fairness import group_report
from evaluation.groups import GroupLabels
from evaluation.history import Query
from evaluation.metrics import Clusters
from evaluation.profiles import ProfileVersion


def moments(count: int) -> list[Query]:
    return [
        Query(
            qid=f"c-{i}@2025-01-01",
            candidate_id=f"c-{i}",
            day=date(2025, 1, 1),
            profile=ProfileVersion(make_candidate(f"c-{i}", ["lager"])),
            seen=frozenset(),
            grades={0: 1.0},
        )
        for i in range(count)
    ]


def test_group_means_and_the_largest_gap_by_hand() -> None:
    queries = moments(90)
    labels = GroupLabels(
        {"age": {f"c-{i}": ["young", "middle", "older"][i % 3] for i in range(90)}}
    )
    hit = np.asarray([1.0 if i % 3 == 0 else (0.5 if i % 3 == 1 else 0.0) for i in range(90)])
    scores = {"hit_rate@10": hit, "ndcg@10": hit / 2}
    clusters = Clusters.of([q.candidate_id for q in queries])
    report = group_report(scores, queries, labels, "age", clusters, resamples=200)
    groups = report["groups"]
    assert groups["young"]["hit_rate@10"]["mean"] == 1.0
    assert groups["middle"]["hit_rate@10"]["mean"] == 0.5
    assert groups["older"]["ndcg@10"]["mean"] == 0.0
    assert groups["young"]["queries"] == 30 and groups["young"]["candidates"] == 30
    gap = report["gap"]["hit_rate@10"]
    assert gap["value"] == 1.0 and gap["highest"] == "young" and gap["lowest"] == "older"
    assert gap["low"] == pytest.approx(1.0) and gap["high"] == pytest.approx(1.0)


def test_small_groups_are_shown_but_left_out_of_the_gap() -> None:
    queries = moments(40)
    labels = GroupLabels({"region": {f"c-{i}": "big" if i < 35 else "small" for i in range(40)}})
    scores = {"hit_rate@10": np.ones(40), "ndcg@10": np.ones(40)}
    clusters = Clusters.of([q.candidate_id for q in queries])
    report = group_report(scores, queries, labels, "region", clusters, resamples=50)
    assert report["groups"]["small"]["in_gap"] is False
    assert report["gap"] == {}  # only one group is large enough
