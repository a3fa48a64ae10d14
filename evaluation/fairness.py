"""Match quality per group of people, and the largest gap between groups.

Group labels (`evaluation.groups`) are read here only; no system sees them.
For each label column and each system: Hit@10 and NDCG@10 per group with a
bootstrap interval (resampling people, as everywhere in `evaluation.metrics`),
and the largest gap between two groups' means with its own interval (the
gap recomputed on each resample). Groups with fewer than `min_queries`
queries are shown but left out of the gap: their means are mostly noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from evaluation.groups import GroupLabels
from evaluation.history import Query
from evaluation.metrics import Clusters, resample_counts

FAIRNESS_METRICS: tuple[tuple[str, str], ...] = (("hit_rate@10", "Hit@10"), ("ndcg@10", "NDCG@10"))
FAIRNESS_KEYS: tuple[str, ...] = tuple(key for key, _ in FAIRNESS_METRICS)


def group_report(
    scores: Mapping[str, np.ndarray],
    queries: Sequence[Query],
    labels: GroupLabels,
    column: str,
    clusters: Clusters,
    *,
    metrics: Sequence[str] = FAIRNESS_KEYS,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    min_queries: int = 30,
) -> dict[str, Any]:
    """Per-group means with intervals, and the largest gap, for one label column."""
    values = np.column_stack([scores[m] for m in metrics])
    group_of = [labels.label(column, q.candidate_id) for q in queries]
    names = sorted(set(group_of))
    codes = np.asarray([names.index(g) for g in group_of], dtype=np.int64)
    counts_q = np.bincount(codes, minlength=len(names))
    candidates = [
        len({q.candidate_id for q, c in zip(queries, codes, strict=True) if c == g})
        for g in range(len(names))
    ]
    # Per (group, cluster) sums: a candidate carries one label, so each cluster sits in one group.
    sums = np.zeros((len(names), clusters.count, len(metrics)))
    sizes = np.zeros((len(names), clusters.count))
    np.add.at(sums, (codes, clusters.of_query), values)
    np.add.at(sizes, (codes, clusters.of_query), 1.0)
    rng = np.random.default_rng(seed)
    draws = []
    for counts in resample_counts(clusters.count, resamples, rng):
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (
                np.einsum("bc,gcm->bgm", counts, sums)
                / np.einsum("bc,gc->bg", counts, sizes)[:, :, np.newaxis]
            )
        draws.append(means)
    boot = np.concatenate(draws, axis=0)  # resamples × groups × metrics
    tail = (1 - level) / 2 * 100
    eligible = counts_q >= min_queries
    groups: dict[str, Any] = {}
    for g, name in enumerate(names):
        mask = codes == g
        entry: dict[str, Any] = {"queries": int(counts_q[g]), "candidates": candidates[g]}
        for j, metric in enumerate(metrics):
            low, high = np.nanpercentile(boot[:, g, j], [tail, 100 - tail])
            entry[metric] = {
                "mean": float(values[mask, j].mean()),
                "low": float(low),
                "high": float(high),
            }
        entry["in_gap"] = bool(eligible[g])
        groups[name] = entry
    gaps: dict[str, Any] = {}
    if eligible.sum() >= 2:
        for j, metric in enumerate(metrics):
            means = {
                n: groups[n][metric]["mean"] for n, ok in zip(names, eligible, strict=True) if ok
            }
            best = max(means, key=lambda n: means[n])
            worst = min(means, key=lambda n: means[n])
            resampled = np.nanmax(boot[:, eligible, j], axis=1) - np.nanmin(
                boot[:, eligible, j], axis=1
            )
            low, high = np.nanpercentile(resampled, [tail, 100 - tail])
            gaps[metric] = {
                "value": means[best] - means[worst],
                "low": float(low),
                "high": float(high),
                "highest": best,
                "lowest": worst,
            }
    return {"groups": groups, "gap": gaps, "min_queries": min_queries}
