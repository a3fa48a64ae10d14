"""CPU time of an uncached ranking: `python benchmarks/ranking_cpu.py [--openings N]`.

`rank.py` measures wall-clock latency with the real encoder; its catalogue
depends on how many templates the encoder gets through in its time budget,
and on a machine shared with other jobs its wall-clock figures move with
their load. This script measures what one ranking costs the machine, so that
two versions of the engine can be compared even while other work runs:

- the catalogue is made as `rank.py` makes it (recombined demo openings, the
  same seed) but encoded by the deterministic hashing encoder of the tests
  (`tests/fakes.py`, 384 dimensions), so every checkout gets the same one;
- every ranking runs with BLAS, OpenMP and faiss on one thread, and its
  thread's CPU time (`time.thread_time`) is taken, which other processes on
  the machine stretch far less than the wall clock;
- `rankings_sha` hashes every ranking's ids, scores and reasons, so a change
  meant to be only faster can show that it ranks exactly as before;
- `change_rss_mb` and `change_s` are what adding one opening to the fitted
  catalogue (`partial_fit` on a shallow copy of the ranker, as the service
  applies a change while older rankings may still run) costs in resident
  memory and seconds; the fitted catalogue is kept alive, as a service
  process forked from a fit keeps its master's.

`--encoder e5` encodes the templates with the provisioned model instead
(within `--encode-budget` seconds, so the catalogue depends on the machine's
speed): real vectors make shortlists as large as the service's are, which the
hashing encoder's do not. Compare an older commit by copying this script into
a worktree of it. `--recall` also ranks every candidate exhaustively
(every open opening scored) and reports recall@k of the timed rankings
against those (`recall_at_k`, and `recall_at_k_tie_aware` as `rank.py`
counts it). The
last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import copy
import gc
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for folder in (REPO, REPO / "tests", HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import rank as catalogue_maker  # noqa: E402
from fakes import FakeEncoder  # noqa: E402

from matcher.encoders import CachedEncoder  # noqa: E402
from matcher.queries import CandidateQuery  # noqa: E402
from matcher.ranker import PreferenceRanker  # noqa: E402
from matcher.records import Opening, Ranking  # noqa: E402


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openings", type=int, default=20_000, help="catalogue size")
    parser.add_argument("--candidates", type=int, default=200, help="rankings timed per pass")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of the timed rankings to stderr"
    )
    parser.add_argument(
        "--recall",
        action="store_true",
        help="also rank every candidate exhaustively and report recall@k of the rankings",
    )
    parser.add_argument(
        "--encoder",
        choices=("fake", "e5"),
        default="fake",
        help="fake: the tests' hashing encoder (the same catalogue everywhere); e5: the "
        "provisioned model (ONNX, float32), so shortlists are as large as real vectors make them",
    )
    parser.add_argument(
        "--encode-budget", type=float, default=120.0, help="seconds of real encoding (--encoder e5)"
    )
    return parser.parse_args(argv)


def timed(
    ranker: PreferenceRanker, queries: Sequence[CandidateQuery], k: int
) -> tuple[list[float], list[float], list[Ranking]]:
    """Wall-clock and CPU milliseconds per ranking, and the rankings."""
    wall, cpu, rankings = [], [], []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.thread_time()
        rankings.append(ranker.rank_encoded(query, k=k, on=catalogue_maker.RANK_DATE))
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return wall, cpu, rankings


def rankings_sha(rankings: Sequence[Ranking]) -> str:
    shown = [
        [(r.opening_id, round(r.score, 4), tuple(r.reasons)) for r in x.results] for x in rankings
    ]
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:12]


def one_change(ranker: PreferenceRanker, template: Opening) -> tuple[float, float]:
    """Resident memory (MiB) and seconds that adding one opening to the catalogue costs."""
    gc.collect()
    before = catalogue_maker.rss_mb()
    started = time.perf_counter()
    changed = copy.copy(ranker).partial_fit([template.model_copy(update={"id": "added-1"})])
    seconds = time.perf_counter() - started
    gc.collect()
    grown = catalogue_maker.rss_mb() - before
    if len(changed.openings_) != len(ranker.openings_) + 1:
        raise RuntimeError("the change did not add one opening")
    return round(grown, 1), round(seconds, 3)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    rng = np.random.default_rng(args.seed)
    demo_openings = catalogue_maker.read_openings(catalogue_maker.DEMO / "openings.jsonl")
    demo_candidates = catalogue_maker.read_candidates(catalogue_maker.DEMO / "candidates.jsonl")
    templates = catalogue_maker.make_templates(demo_openings, 2_000, rng)
    if args.encoder == "e5":
        encoder: Any = catalogue_maker.load_encoder(catalogue_maker.DEFAULT_MODEL, "onnx", "fp32")
        encoded = catalogue_maker.encode_templates(templates, encoder, args.encode_budget)
    else:
        encoder = FakeEncoder(384)
        encoded = catalogue_maker.encode_templates(templates, encoder, 600.0)
    openings, vectors, _ = catalogue_maker.synthesise(encoded, args.openings, rng)
    places, _ = catalogue_maker.load_places(demo_openings)
    cached = CachedEncoder(encoder)
    catalogue_maker.warm_cache(cached, openings, vectors)
    ranker = PreferenceRanker(cached)
    started = time.perf_counter()
    ranker.fit(openings, vectors=vectors)
    build_s = time.perf_counter() - started
    catalogue_maker.log(f"fit in {build_s:.1f} s; {catalogue_maker.memory()}")
    candidates = catalogue_maker.vary_candidates(demo_candidates, args.candidates, places, rng)
    queries = ranker.encode_candidates(candidates)
    faiss.omp_set_num_threads(1)
    with threadpool_limits(1):
        timed(ranker, queries[:10], args.k)  # warm-up
        wall, cpu, rankings = timed(ranker, queries, args.k)
        # A second pass: what a service asked again for the same people spends.
        _, cpu_again, _ = timed(ranker, queries, args.k)
        if args.profile:
            print(
                catalogue_maker.profile_rankings(ranker, queries, args.k, exhaustive=False),
                file=sys.stderr,
            )
    recall: dict[str, float] = {}
    if args.recall:
        with threadpool_limits(1):
            exhaustive = [
                ranker.rank_encoded(q, k=args.k, on=catalogue_maker.RANK_DATE, exhaustive=True)
                for q in queries
            ]
        by_id, tie_aware = catalogue_maker.recalls(rankings, exhaustive)
        recall = {"recall_at_k": round(by_id, 4), "recall_at_k_tie_aware": round(tie_aware, 4)}
    change_rss_mb, change_s = one_change(ranker, openings[0])
    return {
        "openings": args.openings,
        "encoder": args.encoder,
        "candidates": len(queries),
        "build_s": round(build_s, 1),
        "peak_rss_mb": round(catalogue_maker.peak_rss_mb(), 1),
        "cpu_mean_ms": round(float(np.mean(cpu)), 2),
        "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 2),
        "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 2),
        "cpu_again_p50_ms": round(float(np.percentile(cpu_again, 50)), 2),
        "cpu_again_p95_ms": round(float(np.percentile(cpu_again, 95)), 2),
        "wall_p50_ms": round(float(np.percentile(wall, 50)), 2),
        "rankings_sha": rankings_sha(rankings),
        **recall,
        "change_rss_mb": change_rss_mb,
        "change_s": change_s,
        "load_avg_1m": catalogue_maker.load_average(),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
