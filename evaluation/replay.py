"""Replaying queries through several systems, in time order, with no look-ahead.

Queries are taken a calendar month at a time. For each month every system
gets the openings open on some day of it (`System.start_window`: ipsmatch
fits its ranker on them), then each query of the month in date order with
the openings open on its day, minus those the person already knew. A system
that returns anything else stops the replay with `LookAheadError`.

Ranking one query is a handful of small matrix products; threaded BLAS and
OpenMP pools only fight over the cores for them (measured: about 10 times
slower per query on a busy 2-core machine), so the replay runs them on one
thread. Encoding, before the replay, keeps every thread.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from evaluation.errors import EvaluationError, LookAheadError
from evaluation.history import Catalogue, Query, month_windows
from evaluation.progress import Progress, SilentProgress
from evaluation.systems import Suggestions, System


@dataclass
class ReplayResult:
    """Each system's suggestions, aligned with `queries`."""

    queries: list[Query]
    suggestions: dict[str, list[Suggestions]]
    depth: int
    seconds: dict[str, float] = field(default_factory=dict)


def replay(
    systems: Sequence[System],
    queries: Sequence[Query],
    catalogue: Catalogue,
    depth: int,
    progress: Progress | None = None,
) -> ReplayResult:
    """Ask every system every query; `depth` suggestions a query."""
    progress = progress or SilentProgress()
    names = [s.name for s in systems]
    if len(set(names)) != len(names):
        raise ValueError(f"system names must differ, got {names}")
    seconds = dict.fromkeys(names, 0.0)
    for system in systems:
        started = time.perf_counter()
        progress.start(f"Preparing {system.label}", system.prepare_size(queries))
        system.prepare(queries, progress=progress.advance)
        seconds[system.name] += time.perf_counter() - started
    position = {q.qid: i for i, q in enumerate(queries)}
    if len(position) != len(queries):
        raise ValueError("query ids must be unique")
    empty = Suggestions(openings=np.zeros(0, dtype=np.int64))
    answers: dict[str, list[Suggestions]] = {n: [empty] * len(queries) for n in names}
    progress.start(f"Replaying {len(queries)} queries through {len(systems)} systems", len(queries))
    with threadpool_limits(limits=1):
        for first, last, members in month_windows(queries):
            rows = catalogue.open_between(first, last)
            for system in systems:
                started = time.perf_counter()
                system.start_window(rows)
                seconds[system.name] += time.perf_counter() - started
            allowed = np.zeros(len(catalogue), dtype=bool)
            for query in members:
                open_now = catalogue.open_on(query.day, among=rows)
                if query.seen:
                    open_now = open_now[~np.isin(open_now, np.fromiter(query.seen, np.int64))]
                allowed[open_now] = True
                for system in systems:
                    started = time.perf_counter()
                    answer = system.rank(query, open_now, depth)
                    seconds[system.name] += time.perf_counter() - started
                    _check(system, query, answer, allowed)
                    answers[system.name][position[query.qid]] = answer
                allowed[open_now] = False
                progress.advance(1)
    return ReplayResult(list(queries), answers, depth, seconds)


def _check(system: System, query: Query, answer: Suggestions, allowed: np.ndarray) -> None:
    outside = answer.openings[~allowed[answer.openings]]
    if len(outside):
        raise LookAheadError(
            f"system {system.name!r} suggested {len(outside)} opening(s) for query {query.qid} "
            f"that were not open on {query.day} or were already known to the person "
            f"(catalogue rows {outside[:5].tolist()})"
        )
    if len(np.unique(answer.openings)) != len(answer.openings):
        raise EvaluationError(f"system {system.name!r} repeated an opening for query {query.qid}")
