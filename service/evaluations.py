"""Offline evaluations that analysts start from the service.

An evaluation replays the store's placement history through ipsmatch and
the baselines exactly as ``ipsmatch evaluate`` does on exported files: it
reads the same pseudonymised exports (`service.store.export_candidates`,
`export_openings`, `export_placements`), so it sees no name, no health and
no field outside the contract, and what it keeps (metrics and the HTML
report) holds nothing more.

It runs in a process of its own, one at a time, because a replay takes
minutes of a core; the request that starts it returns at once with the
evaluation's id, and the row says ``running``, ``done`` or ``failed`` (with
the reason). Errors name what the analyst can act on: the export with the
row to fix (``GET /exports/placements.csv, line 12``), never a file on the
server.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from matcher.engine import Engine
from matcher.errors import IpsmatchError, RecordValidationError
from service import store
from service.db import Database
from service.models import EvaluationRow, utcnow
from service.security import Pseudonymiser

if TYPE_CHECKING:
    from evaluation.pipeline import Settings

logger = logging.getLogger(__name__)

INTERRUPTED = "interrupted: the service stopped before the evaluation finished; start it again"


# The files an evaluation reads, by the export an analyst can download to see the same rows.
EXPORTS = {
    "candidates.jsonl": "GET /exports/candidates.jsonl",
    "openings.jsonl": "GET /exports/openings.jsonl",
    "placements.csv": "GET /exports/placements.csv",
}

# The settings an analyst chooses; the rest keep `evaluation.pipeline.Settings`'s defaults.
CHOSEN = ("cutoff", "k", "resamples", "permutations", "seed")


def settings_record(settings: Settings) -> dict[str, Any]:
    """The chosen settings as stored with the evaluation (JSON)."""
    record = {name: getattr(settings, name) for name in CHOSEN}
    record["cutoff"] = settings.cutoff.isoformat() if settings.cutoff else None
    return record


EngineFactory = Callable[[], Engine]


class EvaluationRunner:
    """Runs evaluations in a process of their own, one at a time, and records the outcome.

    A replay keeps a core busy for minutes; in a process of its own it does
    not hold the API's interpreter. The process is started with ``spawn``
    (a fresh interpreter, no copy of the API's threads and locks) and builds
    its engine with `engine_factory`, which must therefore be picklable. A
    thread of the API waits for it, so that evaluations run one after the
    other, and marks the row failed if the process dies without a word.
    """

    def __init__(
        self,
        database: Database,
        engine_factory: EngineFactory,
        pseudonyms: Pseudonymiser,
    ) -> None:
        self.database = database
        # Handed to the evaluation's process: the key lives in a file apart from the store.
        self.pseudonyms = pseudonyms
        # Builds the service's engine (`matcher.engine`, same settings and imports) in the
        # evaluation's process, so the evaluation ranks as the API does.
        self.engine_factory = engine_factory
        # One replay at a time: two would only share the same two cores more slowly.
        self._one_at_a_time = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._context = multiprocessing.get_context("spawn")

    def mark_interrupted(self) -> int:
        """At start: evaluations left running by a stopped process have failed."""
        with self.database.writer() as session:
            result = session.execute(
                update(EvaluationRow)
                .where(EvaluationRow.status == "running")
                .values(status="failed", error=INTERRUPTED, finished_at=utcnow())
            )
            session.commit()
            return int(getattr(result, "rowcount", 0) or 0)

    def start(self, row_pk: int, settings: Settings) -> None:
        thread = threading.Thread(
            target=self._supervise, args=(row_pk, settings), name=f"ipsmatch-evaluation-{row_pk}"
        )
        thread.daemon = True
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def wait(self, timeout_s: float | None = None) -> None:
        """Wait for running evaluations (at shutdown, and in tests)."""
        for thread in list(self._threads):
            thread.join(timeout_s)

    def _supervise(self, row_pk: int, settings: Settings) -> None:
        with self._one_at_a_time:
            # Daemonic: a stopping service takes it down, and the next start marks it failed.
            process = self._context.Process(
                target=run_evaluation,
                args=(self.database.url, row_pk, settings, self.engine_factory, self.pseudonyms),
                name=f"ipsmatch-evaluation-{row_pk}",
                daemon=True,
            )
            try:
                process.start()
                process.join()
            except Exception as error:  # the row must not stay "running" forever
                logger.exception("evaluation %d could not be started", row_pk)
                _finish(self.database, row_pk, "failed", error=f"not started ({error})")
                return
            if process.exitcode != 0:
                _finish(
                    self.database,
                    row_pk,
                    "failed",
                    error=f"the evaluation process stopped (exit code {process.exitcode}); "
                    "start it again",
                    only_running=True,
                )


def run_evaluation(
    database_url: str,
    row_pk: int,
    settings: Settings,
    engine_factory: EngineFactory,
    pseudonyms: Pseudonymiser,
) -> None:
    """The evaluation process: replay the store's history and record the outcome in its row."""
    logging.basicConfig(level=logging.INFO)
    database = Database(database_url)
    try:
        try:
            metrics, report = _evaluate(database, pseudonyms, engine_factory(), settings)
        except IpsmatchError as error:
            _finish(database, row_pk, "failed", error=str(error))
        except Exception as error:  # the row must not stay "running" forever
            logger.exception("evaluation %d failed", row_pk)
            _finish(database, row_pk, "failed", error=f"internal error ({type(error).__name__})")
        else:
            _finish(database, row_pk, "done", metrics=metrics, report=report)
    finally:
        database.dispose()


def _evaluate(
    database: Database,
    pseudonyms: Pseudonymiser,
    engine: Engine,
    settings: Settings,
) -> tuple[dict[str, Any], str]:
    # Imported here: the evaluation brings matplotlib and ranx, which only a run needs.
    from evaluation.io import to_json
    from evaluation.ips_figures import MIN_CELL
    from evaluation.pipeline import evaluate, load_inputs
    from evaluation.report import render
    from service.fidelity import store_figures

    with tempfile.TemporaryDirectory(prefix="ipsmatch-evaluation-") as folder:
        files = {
            "candidates": Path(folder) / "candidates.jsonl",
            "openings": Path(folder) / "openings.jsonl",
            "placements": Path(folder) / "placements.csv",
        }
        with database.reader() as session:
            files["candidates"].write_text(
                "".join(store.export_candidates(session, pseudonyms)), encoding="utf-8"
            )
            files["openings"].write_text("".join(store.export_openings(session)), encoding="utf-8")
            files["placements"].write_text(store.export_placements(session), encoding="utf-8")
            erased = store.erased_pseudonyms(session)
        try:
            inputs = load_inputs(
                files["candidates"],
                files["openings"],
                files["placements"],
                postcodes=engine.postcodes,
                erased=erased,
            )
        except RecordValidationError as error:
            # Name the export the analyst can download, never the temporary copy.
            source = EXPORTS.get(Path(error.source or "").name, "the store's exports")
            raise RecordValidationError(error.problems, source=source) from None
    document = evaluate(inputs, engine, settings)
    with database.reader() as session:
        figures = store_figures(session, pseudonyms, utcnow().date(), MIN_CELL)
    document = dataclasses.replace(document, ips_figures=figures.to_dict())
    # Through JSON once, so what is stored is exactly what `metrics.json` would hold.
    metrics: dict[str, Any] = json.loads(to_json(document.to_dict()))
    return metrics, render(document)


def _finish(
    database: Database,
    row_pk: int,
    status: str,
    metrics: dict[str, Any] | None = None,
    report: str | None = None,
    error: str | None = None,
    only_running: bool = False,
) -> None:
    with database.writer() as session:
        row = session.get(EvaluationRow, row_pk)
        if row is None or (only_running and row.status != "running"):
            return
        row.status = status
        row.metrics = metrics
        row.report = report
        row.error = error
        row.finished_at = utcnow()
        session.commit()
