"""Ranking metrics (with ranx), confidence intervals and paired tests.

**Grades as integers.** ranx stores relevance grades as integers (a 0.5
becomes 0 without a warning), so the contract's grades are doubled first:
contacted 0.5 → 1, interview 1 → 2, hired 2 → 4, hired and stayed 3 → 6.

**Gain.** NDCG uses ranx's ``ndcg``: the linear gain of Järvelin and
Kekäläinen, DCG@k = Σ grade_i / log2(i + 1). A linear gain is unchanged by
scaling every grade, so NDCG on the doubled grades equals NDCG on the
contract's grades. (The exponential gain 2^grade − 1 would not be; it is
not used.)

**Binary metrics.** Recall@k, Hit@k and MRR count an opening as relevant
when its grade is above 0, i.e. anything from a contact up. MRR is the
reciprocal rank of the first relevant opening within the ranked depth (50).

**Intervals and tests resample people, not queries.** One person's queries
are alike (same profile, same outcomes graded again later), so treating them
as independent would make intervals too narrow. Confidence intervals are
percentile bootstraps over candidates (a candidate drawn brings all their
queries), and the paired test of two systems is a randomization test that
swaps the two systems' scores for all of one candidate's queries at once
(two-sided, on the mean difference). A t-test on per-candidate mean
differences is reported beside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from evaluation.history import Query
from evaluation.systems import Suggestions

GRADE_SCALE = 2
GAIN = (
    "linear gain (Järvelin & Kekäläinen: DCG = Σ grade / log2(rank + 1)) on grades doubled to "
    "integers for ranx (0.5→1, 1→2, 2→4, 3→6); NDCG is the same as on the contract's grades"
)
SUMMARY_METRICS: tuple[tuple[str, str], ...] = (
    ("ndcg@5", "NDCG@5"),
    ("ndcg@10", "NDCG@10"),
    ("recall@10", "Recall@10"),
    ("recall@50", "Recall@50"),
    ("mrr", "MRR"),
    ("hit_rate@10", "Hit@10"),
)
CURVE_KS: tuple[int, ...] = (1, 3, 5, 10, 20, 50)
CURVE_FAMILIES: tuple[tuple[str, str], ...] = (
    ("ndcg", "NDCG@k"),
    ("recall", "Recall@k"),
    ("hit_rate", "Hit@k"),
)


def ranx_grade(grade: float) -> int:
    """A contract grade (0.5 steps) as the integer ranx stores."""
    scaled = grade * GRADE_SCALE
    if scaled != round(scaled) or scaled < 0:
        raise ValueError(f"relevance grade {grade} is not a non-negative multiple of 0.5")
    return round(scaled)


# ranx compiles (numba) its conversion of ids for each string width it meets, which costs
# about a minute; ids of one fixed width are compiled once and then cached on disk.
def query_key(position: int) -> str:
    return f"q{position:09d}"


def opening_key(row: int) -> str:
    return f"d{row:09d}"


NOTHING = "d-00000001"  # a key of the same width that names no opening


def qrels_of(queries: Sequence[Query]) -> dict[str, dict[str, int]]:
    """ranx qrels: query key → opening key → integer grade (grades above 0 only).

    Keys are positions (`query_key`) and catalogue rows (`opening_key`).
    """
    return {
        query_key(i): {opening_key(row): ranx_grade(g) for row, g in q.grades.items() if g > 0}
        for i, q in enumerate(queries)
    }


def run_of(answers: Sequence[Suggestions]) -> dict[str, dict[str, float]]:
    """ranx run: query key → opening key → a score that decreases with rank."""
    run: dict[str, dict[str, float]] = {}
    for i, answer in enumerate(answers):
        n = len(answer.openings)
        run[query_key(i)] = {
            opening_key(int(row)): float(n - rank) for rank, row in enumerate(answer.openings)
        }
    return run


def per_query(
    qrels: Mapping[str, Mapping[str, int]],
    run: Mapping[str, Mapping[str, float]],
    metrics: Sequence[str],
) -> dict[str, np.ndarray]:
    """Each metric's score for each query, in the order of `qrels` (with ranx)."""
    from ranx import Qrels, Run, evaluate

    order = list(qrels)
    ranx_qrels = Qrels({q: dict(d) for q, d in qrels.items()})
    # ranx wants the same queries in both, each with something ranked; a query answered with
    # nothing gets a placeholder that is never relevant, and so scores 0.
    ranx_run = Run({q: dict(run.get(q) or {}) or {NOTHING: 0.0} for q in order})
    # Both hold the same queries, sorted by key. Passing ranx the typed lists it computes on
    # skips its key comparison and `make_comparable`, which numba compiles anew in every
    # process (about 10 s each).
    asked = list(metrics)
    if len(asked) == 1:
        # ranx 0.3 fails to return per-query scores of a single metric; ask for two.
        asked.append("mrr" if asked[0] != "mrr" else "ndcg@1")
    computed = evaluate(
        ranx_qrels.to_typed_list(), ranx_run.to_typed_list(), asked, return_mean=False
    )
    position = {q: i for i, q in enumerate(sorted(order))}
    rows = np.asarray([position[q] for q in order], dtype=np.int64)
    return {m: np.asarray(computed[m], dtype=np.float64)[rows] for m in metrics}


def mean_scores(
    qrels: Mapping[str, Mapping[str, int]],
    run: Mapping[str, Mapping[str, float]],
    metrics: Sequence[str],
) -> dict[str, float]:
    scores = per_query(qrels, run, metrics)
    return {m: float(v.mean()) if len(v) else 0.0 for m, v in scores.items()}


# ------------------------------------------------------------------ reference formulas
# Plain numpy versions of the metrics, for tests against ranx and for fitting weights.


def dcg(grades: Sequence[float], k: int) -> float:
    gains = np.asarray(grades[:k], dtype=np.float64)
    return float((gains / np.log2(np.arange(2, len(gains) + 2))).sum())


def ndcg(ranked: Sequence[float], all_grades: Sequence[float], k: int) -> float:
    """NDCG@k of grades in ranked order, against the best order of `all_grades`."""
    ideal = dcg(sorted(all_grades, reverse=True), k)
    return dcg(ranked, k) / ideal if ideal > 0 else 0.0


def recall(ranked: Sequence[float], all_grades: Sequence[float], k: int) -> float:
    relevant = sum(1 for g in all_grades if g > 0)
    return sum(1 for g in ranked[:k] if g > 0) / relevant if relevant else 0.0


def hit(ranked: Sequence[float], k: int) -> float:
    return 1.0 if any(g > 0 for g in ranked[:k]) else 0.0


def reciprocal_rank(ranked: Sequence[float]) -> float:
    for position, g in enumerate(ranked, start=1):
        if g > 0:
            return 1.0 / position
    return 0.0


# ------------------------------------------------------------------ uncertainty


@dataclass(frozen=True)
class Clusters:
    """Which candidate (cluster) each query belongs to."""

    of_query: np.ndarray
    count: int

    @classmethod
    def of(cls, labels: Sequence[str]) -> Clusters:
        names, codes = np.unique(np.asarray(labels, dtype=object), return_inverse=True)
        return cls(of_query=codes.astype(np.int64), count=len(names))

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per-cluster sums of per-query rows, shape ``(count, columns)``."""
        values = values.reshape(len(values), -1)
        out = np.zeros((self.count, values.shape[1]), dtype=np.float64)
        np.add.at(out, self.of_query, values)
        return out

    def sizes(self) -> np.ndarray:
        return np.bincount(self.of_query, minlength=self.count).astype(np.float64)

    def subset(self, mask: np.ndarray) -> Clusters:
        codes = self.of_query[mask]
        _, compact = np.unique(codes, return_inverse=True)
        return Clusters(of_query=compact.astype(np.int64), count=int(compact.max(initial=-1) + 1))


def resample_counts(
    n: int, resamples: int, rng: np.random.Generator, chunk: int = 250
) -> Iterator[np.ndarray]:
    """Bootstrap draws as count matrices ``(chunk, n)``: how often each cluster was drawn."""
    done = 0
    while done < resamples:
        size = min(chunk, resamples - done)
        draws = rng.integers(0, n, size=(size, n))
        counts = np.zeros((size, n), dtype=np.float64)
        np.add.at(counts, (np.repeat(np.arange(size), n), draws.ravel()), 1.0)
        done += size
        yield counts


def bootstrap_means(
    scores: np.ndarray, clusters: Clusters, resamples: int = 1000, seed: int = 0
) -> np.ndarray:
    """Means of each column of `scores` (queries × columns) over cluster bootstrap resamples."""
    scores = scores.reshape(len(scores), -1)
    if clusters.count == 0:
        return np.full((resamples, scores.shape[1]), np.nan)
    sums = clusters.sums(scores)
    sizes = clusters.sizes()
    rng = np.random.default_rng(seed)
    means = []
    for counts in resample_counts(clusters.count, resamples, rng):
        means.append((counts @ sums) / (counts @ sizes)[:, np.newaxis])
    return np.vstack(means)


def bootstrap_ci(
    scores: np.ndarray,
    clusters: Clusters,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of the mean of each column of `scores`, resampling clusters."""
    means = bootstrap_means(scores, clusters, resamples, seed)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail], axis=0)
    return np.asarray(low), np.asarray(high)


def randomization_test(
    differences: np.ndarray, clusters: Clusters, permutations: int = 10_000, seed: int = 0
) -> np.ndarray:
    """Two-sided p-values that each column's mean difference is 0, swapping by cluster."""
    differences = differences.reshape(len(differences), -1)
    sums = clusters.sums(differences)
    observed = np.abs(sums.sum(axis=0))
    rng = np.random.default_rng(seed)
    at_least = np.zeros(sums.shape[1], dtype=np.int64)
    done = 0
    while done < permutations:
        size = min(1000, permutations - done)
        signs = rng.choice(np.asarray([-1.0, 1.0]), size=(size, clusters.count))
        statistics = np.abs(signs @ sums)
        # A small tolerance so that exact ties (e.g. identical systems) count as "as extreme".
        at_least += (statistics >= observed - 1e-9).sum(axis=0)
        done += size
    return (at_least + 1) / (permutations + 1)


def clustered_t_test(differences: np.ndarray, clusters: Clusters) -> np.ndarray:
    """Two-sided one-sample t-test p-values of per-cluster mean differences."""
    differences = differences.reshape(len(differences), -1)
    means = clusters.sums(differences) / clusters.sizes()[:, np.newaxis]
    p = np.ones(means.shape[1])
    for column in range(means.shape[1]):
        values = means[:, column]
        if len(values) > 1 and np.ptp(values) > 0:
            p[column] = float(stats.ttest_1samp(values, 0.0).pvalue)
        elif len(values) and values[0] != 0:
            p[column] = 0.0
    return p


def paired_comparison(
    scores: np.ndarray,
    reference: np.ndarray,
    clusters: Clusters,
    permutations: int = 10_000,
    seed: int = 0,
) -> list[dict[str, float]]:
    """Each column of `scores` against the same column of `reference` (queries × metrics).

    Per column: the mean difference, the randomization test's p-value (`p_value`) and
    the clustered t-test's (`p_t_test`); both pair by candidate.
    """
    differences = (scores - reference).reshape(len(scores), -1)
    p_random = randomization_test(differences, clusters, permutations, seed)
    p_t = clustered_t_test(differences, clusters)
    return [
        {
            "difference": float(differences[:, j].mean()) if len(differences) else 0.0,
            "p_value": float(p_random[j]),
            "p_t_test": float(p_t[j]),
        }
        for j in range(differences.shape[1])
    ]


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (family-wise error over the given tests)."""
    order = np.argsort(pvalues)
    m = len(pvalues)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * float(pvalues[index])))
        adjusted[index] = running
    return adjusted
