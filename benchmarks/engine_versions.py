"""Two engine versions on one simulated history, person by person.

```sh
.venv/bin/python benchmarks/engine_versions.py [--old-ref ed06799] [--candidates 600]
    [--openings 6000] [--months 24] [--seed 0] [--model DIR] [--work DIR]
```

1. Simulates an INVENTED history once (`evaluation.simulate`, this checkout's
   simulator) into the work folder.
2. Replays its evaluated queries (cutoff: the median event date, as
   `ipsmatch evaluate`) through the evaluation's ipsmatch system of each
   engine version, each in a process of its own whose ``PYTHONPATH`` is that
   version's checkout: the old one a detached git worktree of `--old-ref`
   made under the work folder, the new one this checkout. Each process
   writes its run file (per query: the suggested opening ids, best first)
   and checks that it imported the checkout it was given. Each version keeps
   its own vector cache, so neither reads vectors the other wrote.
3. Replays the same queries, in this process, through the plain baseline:
   the wishes alone by the encoder, stated limits applied
   (`evaluation.systems.WishEmbeddingSystem`).
4. Grades all runs against the same queries (this checkout's
   `evaluation.history`) and reports each system's metrics with bootstrap
   intervals over people, the new engine's paired randomization test and
   t-test against the old engine and against the baseline (sign flips by
   person), IPS measures, and wish coverage of the top 10 for queries whose
   profile states two or more wishes (`evaluation.coverage`) with NDCG@10 of
   the same queries beside it.

Tables go to stdout, progress to stderr; the last line is one JSON object.
Run files, per-query scores and the JSON are written under
``--work/results-<old ref>-<sizes>/``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = REPO / "models" / "multilingual-e5-small"
WORK = REPO / ".cache" / "engine-versions"
# main just before the first issue-10 engine change (30d9a0d, the wider condition
# vocabulary): its ranker is 1f53811's and 08d6016's, its encoder (ONNX float32) and
# vector cache are main's, so only the engine's issue-10 work differs.
DEFAULT_OLD_REF = "ed06799"
DEPTH = 50
K = 10
_START = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _START:7.1f}s] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ one version (child)
# Runs with PYTHONPATH set to a version's checkout: it may use only what both versions
# have (load_inputs, build_queries, SharedVectors, IpsmatchSystem, replay, build_engine).


def evaluated_queries(history: Path) -> tuple[Any, Any, Any, list[Any]]:
    """The history's inputs, cutoff (the median event date), catalogue and evaluated queries.

    Built as `ipsmatch evaluate` builds them, with whichever checkout is imported.
    """
    from evaluation.history import Catalogue, build_queries, observed_until
    from evaluation.pipeline import default_cutoff, load_inputs

    inputs = load_inputs(
        history / "candidates.jsonl", history / "openings.jsonl", history / "placements.csv"
    )
    cutoff = default_cutoff(inputs.placements)
    catalogue = Catalogue(inputs.openings)
    queries = build_queries(
        inputs.placements,
        inputs.profiles,
        catalogue,
        start=cutoff,
        known_until=observed_until(inputs.placements),
    ).queries
    return inputs, cutoff, catalogue, queries


def replay_version(
    history: Path, checkout: Path, model: Path, cache: Path, out: Path
) -> dict[str, Any]:
    """Replay `history`'s evaluated queries through the ipsmatch system of `checkout`."""
    import evaluation
    from evaluation.replay import replay
    from evaluation.systems import IpsmatchSystem, SharedVectors, TrainingData
    from matcher.engine import build_engine

    imported = Path(evaluation.__file__).resolve()
    if not imported.is_relative_to(checkout.resolve()):
        raise RuntimeError(f"expected the evaluation of {checkout}, imported {imported}")
    inputs, cutoff, catalogue, queries = evaluated_queries(history)
    started = time.perf_counter()
    engine = build_engine(model, None, cache_dir=cache)
    shared = SharedVectors(engine, catalogue)
    encoded = time.perf_counter() - started
    system = IpsmatchSystem(shared)
    before = [p for p in inputs.placements if p.date < cutoff]
    system.fit(TrainingData(catalogue, before, cutoff))
    started = time.perf_counter()
    result = replay([system], queries, catalogue, DEPTH)
    replayed = time.perf_counter() - started
    lines = []
    for query, answer in zip(queries, result.suggestions[system.name], strict=True):
        lines.append(
            json.dumps(
                {
                    "qid": query.qid,
                    "openings": [str(catalogue.ids[int(r)]) for r in answer.openings],
                    "contacts": answer.contacts,
                }
            )
        )
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {
        "checkout": str(checkout),
        "encoder": engine.model_id,
        "queries": len(queries),
        "seconds_encode": round(encoded, 1),
        "seconds_replay": round(replayed, 1),
    }


# ------------------------------------------------------------------ comparing (parent)


def read_run(path: Path, queries: Sequence[Any], index: Mapping[str, int]) -> list[Any]:
    """A version's run file as `Suggestions`, aligned with `queries` (the same ids, or an error)."""
    import numpy as np

    from evaluation.systems import Suggestions

    answers: dict[str, Any] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        answers[row["qid"]] = Suggestions(
            openings=np.asarray([index[o] for o in row["openings"]], dtype=np.int64),
            contacts=row["contacts"],
        )
    wanted = {q.qid for q in queries}
    if set(answers) != wanted:
        raise ValueError(
            f"{path} answers {len(answers)} queries, {len(set(answers) ^ wanted)} of them "
            "differ from this checkout's queries: the versions did not replay the same history"
        )
    return [answers[q.qid] for q in queries]


def compare(
    queries: Sequence[Any],
    runs: Mapping[str, Sequence[Any]],
    judge: Any,
    reference: str,
    against: Sequence[str],
    *,
    catalogue_rows: Any = None,
    ceilings: Mapping[str, Sequence[Any]] | None = None,
    resamples: int = 1000,
    permutations: int = 10_000,
    seed: int = 0,
) -> dict[str, Any]:
    """Metrics with intervals for every run; `reference` against each of `against`, paired.

    Adds wish coverage of the top `K` with NDCG@10 beside it on two subsets of the
    queries (the same for every run): those whose profile states two or more wishes,
    and of those, the ones whose wishes name different work (with `catalogue_rows`).
    `ceilings` name, for each query, the openings a top 10 could be drawn from (such as
    those open on its day and new to the person); for each, the coverage a top 10 could
    reach at most is reported too: the share of wishes with any matching opening there.
    """
    import numpy as np

    from evaluation.coverage import wish_coverage
    from evaluation.metrics import (
        SUMMARY_METRICS,
        Clusters,
        bootstrap_ci,
        paired_comparison,
        per_query,
        qrels_of,
        run_of,
    )
    from evaluation.systems import Suggestions

    summary = [m for m, _ in SUMMARY_METRICS]
    qrels = qrels_of(queries)
    reachable: dict[str, np.ndarray] = {}
    for ceiling, pools in (ceilings or {}).items():
        everything = [Suggestions(openings=np.asarray(rows, dtype=np.int64)) for rows in pools]
        deepest = max((len(rows) for rows in pools), default=1)
        reachable[ceiling] = wish_coverage(queries, everything, judge, max(deepest, 1)).per_query
    clusters = Clusters.of([q.candidate_id for q in queries])
    ndcg10 = summary.index("ndcg@10")
    overall: dict[str, np.ndarray] = {}
    on_wishes: dict[str, np.ndarray] = {}
    subsets: dict[str, np.ndarray] = {}
    for name, answers in runs.items():
        scores = per_query(qrels, run_of(answers), summary)
        overall[name] = np.column_stack([scores[m] for m in summary])
        coverage = wish_coverage(queries, answers, judge, K, catalogue_rows=catalogue_rows)
        on_wishes[name] = np.column_stack([coverage.per_query, overall[name][:, ndcg10]])
        # Which queries are judged depends on the profiles alone, so every run agrees.
        subsets["two_or_more_wishes"] = coverage.judged
        if coverage.different_work is not None:
            subsets["wishes_of_different_work"] = coverage.different_work
    wish_keys = ["wish_coverage", "ndcg@10"]
    tables = [("metrics", summary, overall, np.ones(len(queries), dtype=bool))]
    tables += [(subset, wish_keys, on_wishes, mask) for subset, mask in subsets.items()]

    systems: dict[str, Any] = {name: {} for name in runs}
    tests: dict[str, Any] = {other: {} for other in against}
    counts: dict[str, dict[str, int]] = {}
    for table, keys, matrices, mask in tables:
        of = clusters.subset(mask)
        counts[table] = {"queries": int(mask.sum()), "people": of.count}
        if table != "metrics":
            for ceiling, values in reachable.items():
                counts[table][f"attainable_coverage_{ceiling}"] = float(values[mask].mean())
        for name in runs:
            matrix = matrices[name][mask]
            low, high = bootstrap_ci(matrix, of, resamples, seed=seed)
            systems[name][table] = {
                key: {
                    "mean": float(matrix[:, j].mean()),
                    "low": float(low[j]),
                    "high": float(high[j]),
                }
                for j, key in enumerate(keys)
            }
        for other in against:
            tested = paired_comparison(
                matrices[reference][mask], matrices[other][mask], of, permutations, seed
            )
            tests[other][table] = dict(zip(keys, tested, strict=True))
    return {
        "counts": counts,
        "systems": systems,
        "reference": reference,
        "tests": tests,
    }


# ------------------------------------------------------------------ command


def _cell(interval: Mapping[str, float]) -> str:
    return f"{interval['mean']:.3f} [{interval['low']:.3f}, {interval['high']:.3f}]"


def _p(p: float) -> str:
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


SUBSETS = {
    "two_or_more_wishes": "two or more wishes",
    "wishes_of_different_work": "wishes of different work",
}


def tables(result: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The comparison as markdown: metrics, the paired tests, wish coverage."""
    from evaluation.metrics import SUMMARY_METRICS

    reference = result["reference"]
    head = "| system | " + " | ".join(label for _, label in SUMMARY_METRICS) + " |"
    lines = [head, "|---|" + "---|" * len(SUMMARY_METRICS)]
    for name, figures in result["systems"].items():
        cells = [_cell(figures["metrics"][m]) for m, _ in SUMMARY_METRICS]
        lines.append(f"| {labels[name]} | " + " | ".join(cells) + " |")
    lines += ["", f"| {labels[reference]} minus | " + head.split("| ", 2)[2]]
    lines.append("|---|" + "---|" * len(SUMMARY_METRICS))
    for other, test in result["tests"].items():
        cells = [
            f"{test['metrics'][m]['difference']:+.3f} ({_p(test['metrics'][m]['p_value'])})"
            for m, _ in SUMMARY_METRICS
        ]
        lines.append(f"| {labels[other]} | " + " | ".join(cells) + " |")
    counts = result["counts"]
    for subset, words in SUBSETS.items():
        if subset not in counts:
            continue
        lines += [
            "",
            f"Queries whose profile states {words}: {counts[subset]['queries']} of "
            f"{counts['metrics']['queries']} ({counts[subset]['people']} of "
            f"{counts['metrics']['people']} people). "
            + "".join(
                f"Coverage reachable at most from {key.removeprefix('attainable_coverage_')}: "
                f"{value:.3f}. "
                for key, value in counts[subset].items()
                if key.startswith("attainable_coverage_")
            ),
            "",
            f"| system (difference: {labels[reference]} minus it) "
            "| wish coverage of the top 10 | NDCG@10 (same queries) |",
            "|---|---|---|",
        ]
        for name, figures in result["systems"].items():
            cells = [_cell(figures[subset][key]) for key in ("wish_coverage", "ndcg@10")]
            if name in result["tests"]:
                tested = result["tests"][name][subset]
                cells = [
                    f"{cell} (difference {tested[key]['difference']:+.3f}, "
                    f"{_p(tested[key]['p_value'])})"
                    for cell, key in zip(cells, ("wish_coverage", "ndcg@10"), strict=True)
                ]
            lines.append(f"| {labels[name]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def old_checkout(ref: str, work: Path) -> Path:
    """A detached worktree of `ref` under `work` (made once)."""
    resolved = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", f"{ref}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    folder = work / f"checkout-{resolved[:12]}"
    if not (folder / "evaluation").is_dir():
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(folder), resolved],
            check=True,
            capture_output=True,
        )
    return folder


def run_version(
    name: str,
    checkout: Path,
    history: Path,
    model: Path,
    work: Path,
    results: Path,
    reuse: bool = False,
) -> dict[str, Any]:
    """Replay through `checkout`'s engine in a process of its own (its run file in `results`).

    With `reuse`, a run file and its description from an earlier run are read instead.
    """
    out = results / f"run-{name}.jsonl"
    described = results / f"run-{name}.json"
    if reuse and out.is_file() and described.is_file():
        log(f"reusing the {name} engine's run file {out}")
        earlier: dict[str, Any] = json.loads(described.read_text(encoding="utf-8"))
        return earlier
    env = {**os.environ, "PYTHONPATH": str(checkout), "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--replay-version",
        str(checkout),
        "--history",
        str(history),
        "--model",
        str(model),
        "--cache",
        str(work / f"vectors-{name}"),
        "--run",
        str(out),
    ]
    log(f"replaying through the {name} engine ({checkout})")
    done = subprocess.run(
        command, env=env, cwd=checkout, check=True, capture_output=True, text=True
    )
    about: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    described.write_text(json.dumps(about), encoding="utf-8")
    log(f"  {name}: {about}")
    return about


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--old-ref", default=DEFAULT_OLD_REF, help="the old engine's commit")
    parser.add_argument("--candidates", type=int, default=600)
    parser.add_argument("--openings", type=int, default=6000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="encoder folder")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--permutations", type=int, default=10_000)
    parser.add_argument(
        "--reuse-runs", action="store_true", help="read the versions' run files of an earlier run"
    )
    # The child's arguments (one version's replay), set by `run_version`.
    parser.add_argument("--replay-version", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--history", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.replay_version is not None:
        about = replay_version(args.history, args.replay_version, args.model, args.cache, args.run)
        print(json.dumps(about))
        return about
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import numpy as np

    from evaluation.checks import PreferenceChecker
    from evaluation.coverage import VocabularyJudge
    from evaluation.replay import replay
    from evaluation.simulate import SimulationSettings, simulate, write_simulation
    from evaluation.systems import SharedVectors, TrainingData, WishEmbeddingSystem
    from matcher.engine import build_engine

    sizes = f"{args.candidates}-{args.openings}-{args.months}-{args.seed}"
    history = args.work / f"sim-{sizes}"
    if not (history / "placements.csv").is_file():
        log(f"simulating {sizes} (people-openings-months-seed) into {history}")
        settings = SimulationSettings(
            candidates=args.candidates, openings=args.openings, months=args.months, seed=args.seed
        )
        write_simulation(simulate(settings), history)
    old = old_checkout(args.old_ref, args.work)
    results = args.work / f"results-{args.old_ref}-{sizes}"
    results.mkdir(parents=True, exist_ok=True)
    versions = {
        name: run_version(name, checkout, history, args.model, args.work, results, args.reuse_runs)
        for name, checkout in (("old", old), ("new", REPO))
    }

    inputs, cutoff, catalogue, queries = evaluated_queries(history)
    runs = {
        name: read_run(results / f"run-{name}.jsonl", queries, catalogue.index) for name in versions
    }
    log("replaying through the wishes-by-embedding baseline")
    engine = build_engine(args.model, None, cache_dir=args.work / "vectors-new")
    checker = PreferenceChecker(catalogue, inputs.postcodes)
    baseline = WishEmbeddingSystem(SharedVectors(engine, catalogue), checker)
    baseline.fit(TrainingData(catalogue, [p for p in inputs.placements if p.date < cutoff], cutoff))
    runs[baseline.name] = replay([baseline], queries, catalogue, DEPTH).suggestions[baseline.name]

    log("grading and testing")
    # What a top 10 could hold: openings open on the query's day and new to the person.
    pools = [np.setdiff1d(catalogue.open_on(q.day), np.fromiter(q.seen, np.int64)) for q in queries]
    result = compare(
        queries,
        runs,
        VocabularyJudge(catalogue),
        "new",
        ["old", baseline.name],
        catalogue_rows=np.arange(len(catalogue)),
        ceilings={
            "the openings open that day": pools,
            "those of them within the stated limits (hours, times, commute, kind)": [
                rows[~checker.mask(q.profile, rows)] for q, rows in zip(queries, pools, strict=True)
            ],
        },
        resamples=args.resamples,
        permutations=args.permutations,
        seed=args.seed,
    )
    labels = {
        "new": "ipsmatch (this checkout)",
        "old": f"ipsmatch at {args.old_ref}",
        baseline.name: baseline.label,
    }
    print(tables(result, labels))
    document = {
        "old_ref": args.old_ref,
        "sizes": {
            "candidates": args.candidates,
            "openings": args.openings,
            "months": args.months,
            "seed": args.seed,
        },
        "cutoff": cutoff.isoformat(),
        "versions": versions,
        **result,
    }
    (results / "comparison.json").write_text(json.dumps(document, indent=1), encoding="utf-8")
    print(json.dumps(document))
    return document


if __name__ == "__main__":
    main()
