"""Offline evaluation at scale: `python benchmarks/evaluate.py [--candidates N] ...`.

Simulates an INVENTED placement history (`evaluation.simulate`; 2,000 people,
20,000 openings, 24 months by default), then runs the whole evaluation
(`evaluation.pipeline.evaluate`: ipsmatch with default and fitted weights and
five baselines, ranx metrics with bootstrap intervals and paired tests, IPS
and fairness measures, the HTML report) with the real default encoder,
multilingual-e5-small, behind a `CachedEncoder` whose `EmbeddingCache` lives in
a folder. `--cold` empties that folder first, so every text is encoded.

Progress goes to stderr; the metric table and timings to stdout, the last line
of which is one JSON object with the measurements. The report is written to
`benchmarks/results/evaluate/` (not committed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from evaluation.io import to_json, write_files  # noqa: E402
from evaluation.pipeline import Settings, evaluate, load_inputs  # noqa: E402
from evaluation.report import render  # noqa: E402
from evaluation.simulate import (  # noqa: E402
    SimulationSettings,
    calibration,
    simulate,
    write_simulation,
)
from matcher.encoders import (  # noqa: E402
    BACKENDS,
    DEFAULT_BACKEND,
    DEFAULT_QUANTISATION,
)
from matcher.engine import build_engine, model_encoder  # noqa: E402
from matcher.onnx_model import QUANTISATIONS  # noqa: E402

DEFAULT_MODEL = REPO / "models" / "multilingual-e5-small"
WORK = REPO / ".cache" / "evaluate-benchmark"
RESULTS = REPO / "benchmarks" / "results" / "evaluate"
_START = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _START:7.1f}s] {message}", file=sys.stderr, flush=True)


class LogProgress:
    """Progress as log lines: each step's start and, for long steps, every 10%."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self.next_mark = 0.1
        self.description = ""

    def start(self, description: str, total: int) -> None:
        self.description, self.total, self.done, self.next_mark = description, total, 0, 0.1
        log(f"{description} ({total})")

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.total >= 500 and self.done / self.total >= self.next_mark:
            log(f"  {self.description}: {self.done}/{self.total}")
            while self.next_mark <= self.done / self.total:
                self.next_mark += 0.1

    def note(self, message: str) -> None:
        log(message)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--openings", type=int, default=20000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="encoder folder")
    parser.add_argument("--backend", choices=BACKENDS, default=DEFAULT_BACKEND)
    parser.add_argument("--quantisation", choices=QUANTISATIONS, default=DEFAULT_QUANTISATION)
    parser.add_argument("--work", type=Path, default=WORK, help="simulated data and vectors")
    parser.add_argument("--out", type=Path, default=RESULTS, help="metrics.json, report.html")
    parser.add_argument("--cold", action="store_true", help="start with no cached vectors")
    return parser.parse_args(argv)


def simulated_history(args: argparse.Namespace) -> tuple[Path, dict[str, Any], float]:
    """The simulated files, made once per settings and kept in the work folder."""
    settings = SimulationSettings(
        candidates=args.candidates, openings=args.openings, months=args.months, seed=args.seed
    )
    folder = args.work / f"sim-{args.candidates}-{args.openings}-{args.months}-{args.seed}"
    marker = folder / "calibration.json"
    if marker.is_file():
        return folder, json.loads(marker.read_text()), 0.0
    started = time.perf_counter()
    simulation = simulate(settings)
    write_simulation(simulation, folder)
    figures = calibration(simulation)
    marker.write_text(json.dumps(figures))
    return folder, figures, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    log(f"simulating {args.candidates} people, {args.openings} openings, {args.months} months")
    folder, figures, simulate_seconds = simulated_history(args)
    log(f"simulated history in {folder} ({simulate_seconds:.1f} s): {figures}")

    vectors = args.work / "vectors"
    if args.cold and vectors.exists():
        shutil.rmtree(vectors)
    # The engine every path builds (language direction removed, packaged DISCO-08 and
    # postcodes), with its vector cache in the benchmark's own folder.
    encoder = model_encoder(
        args.model, vectors, backend=args.backend, quantisation=args.quantisation
    )
    engine = build_engine(encoder=encoder)
    cached_before = len(encoder.cache)

    started = time.perf_counter()
    inputs = load_inputs(
        folder / "candidates.jsonl",
        folder / "openings.jsonl",
        folder / "placements.csv",
        folder / "groups.csv",
    )
    load_seconds = time.perf_counter() - started
    log(f"read and checked the files in {load_seconds:.1f} s")
    document = evaluate(inputs, engine, Settings(), progress=LogProgress())
    encoder.cache.flush()
    html = render(document)
    write_files(
        args.out,
        {"metrics.json": to_json(document.to_dict()).encode(), "report.html": html.encode()},
    )
    total = time.perf_counter() - started
    log(f"wrote {args.out / 'report.html'}")

    lines = [
        "| system | " + " | ".join(m.label for m in document.metrics) + " |",
        "|---|" + "---|" * len(document.metrics),
    ]
    for system in document.systems:
        cells = []
        for metric in document.metrics:
            value = system.metrics[metric.key]
            cell = f"{value.mean:.3f} [{value.low:.3f}, {value.high:.3f}]"
            if system.comparison:
                p = system.comparison[metric.key].p_value
                cell += f" p{'<0.001' if p < 0.001 else f'={p:.3f}'}"
            cells.append(cell)
        lines.append(f"| {system.label} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    ips_lines = [
        "| system | no broken preference | disclosure respected | distinct employers "
        "| coverage | hires at suggested employer |",
        "|---|---|---|---|---|---|",
    ]
    for system in document.systems:
        ips = system.ips
        disclosure = ips.disclosure_respected
        hires = ips.hires_at_suggested_employers
        ips_lines.append(
            f"| {system.label} | {ips.no_broken_preference:.1%} | "
            f"{'n/a' if disclosure is None else f'{disclosure:.1%}'} | "
            f"{ips.distinct_employers:.1f} | {ips.catalogue_coverage:.1%} | "
            f"{'n/a' if hires is None else f'{hires:.1%}'} |"
        )
    print("\n".join(ips_lines))
    result = {
        "candidates": args.candidates,
        "openings": args.openings,
        "months": args.months,
        "queries": document.data.queries.evaluated,
        "events": document.data.events,
        "cold": args.cold,
        "vectors_cached_before": cached_before,
        "texts_encoded": encoder.encoded_count,
        "seconds_simulate": round(simulate_seconds, 1),
        "seconds_load": round(load_seconds, 1),
        "seconds_total_evaluate": round(total, 1),
        "timing": document.timing,
        "seconds_per_system": {s.name: s.seconds for s in document.systems},
        "fitted_weights": document.weights.get("fitted", {}).get("preference"),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
