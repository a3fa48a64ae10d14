"""Offline evaluations that analysts start from the service.

An evaluation replays the store's placement history through ipsmatch and
the baselines exactly as ``ipsmatch evaluate`` does on exported files: it
reads the same pseudonymised exports (`service.store.export_candidates`,
`export_openings`, `export_placements`), so it sees no name, no health and
no field outside the contract, and what it keeps (metrics and the HTML
report) holds nothing more.

It runs in a thread of its own, one at a time, because a replay takes
minutes; the request that starts it returns at once with the evaluation's
id, and the row says ``running``, ``done`` or ``failed`` (with the reason).
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from matcher.encoders import CachedEncoder
from matcher.errors import IpsmatchError
from matcher.ranker import Postcodes
from service import store
from service.db import Database
from service.models import EvaluationRow, utcnow
from service.security import Pseudonymiser

if TYPE_CHECKING:
    from evaluation.pipeline import Settings

logger = logging.getLogger(__name__)

INTERRUPTED = "interrupted: the service stopped before the evaluation finished; start it again"


# The settings an analyst chooses; the rest keep `evaluation.pipeline.Settings`'s defaults.
CHOSEN = ("cutoff", "k", "resamples", "permutations", "seed")


def settings_record(settings: Settings) -> dict[str, Any]:
    """The chosen settings as stored with the evaluation (JSON)."""
    record = {name: getattr(settings, name) for name in CHOSEN}
    record["cutoff"] = settings.cutoff.isoformat() if settings.cutoff else None
    return record


class EvaluationRunner:
    """Starts evaluations in a background thread and records their outcome in the store."""

    def __init__(
        self,
        database: Database,
        encoder: CachedEncoder,
        pseudonyms: Pseudonymiser,
        postcodes: Postcodes | None = None,
    ) -> None:
        self.database = database
        self.encoder = encoder
        self.pseudonyms = pseudonyms
        self.postcodes = postcodes
        # One replay at a time: two would only share the same two cores more slowly.
        self._one_at_a_time = threading.Lock()
        self._threads: list[threading.Thread] = []

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
            target=self._run, args=(row_pk, settings), name=f"ipsmatch-evaluation-{row_pk}"
        )
        thread.daemon = True
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def wait(self, timeout_s: float | None = None) -> None:
        """Wait for running evaluations (at shutdown, and in tests)."""
        for thread in list(self._threads):
            thread.join(timeout_s)

    def _run(self, row_pk: int, settings: Settings) -> None:
        with self._one_at_a_time:
            try:
                metrics, report = self._evaluate(settings)
            except IpsmatchError as error:
                self._finish(row_pk, "failed", error=str(error))
            except Exception as error:  # the row must not stay "running" forever
                logger.exception("evaluation %d failed", row_pk)
                self._finish(row_pk, "failed", error=f"internal error ({type(error).__name__})")
            else:
                self._finish(row_pk, "done", metrics=metrics, report=report)

    def _evaluate(self, settings: Settings) -> tuple[dict[str, Any], str]:
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
            with self.database.reader() as session:
                files["candidates"].write_text(
                    "".join(store.export_candidates(session, self.pseudonyms)), encoding="utf-8"
                )
                files["openings"].write_text(
                    "".join(store.export_openings(session)), encoding="utf-8"
                )
                files["placements"].write_text(store.export_placements(session), encoding="utf-8")
            inputs = load_inputs(
                files["candidates"],
                files["openings"],
                files["placements"],
                postcodes=self.postcodes,
            )
        document = evaluate(inputs, self.encoder, settings)
        with self.database.reader() as session:
            figures = store_figures(session, self.pseudonyms, utcnow().date(), MIN_CELL)
        document["ips_figures"] = figures.to_dict()
        # Through JSON once, so what is stored is exactly what `metrics.json` would hold.
        metrics: dict[str, Any] = json.loads(to_json(document))
        return metrics, render(document)

    def _finish(
        self,
        row_pk: int,
        status: str,
        metrics: dict[str, Any] | None = None,
        report: str | None = None,
        error: str | None = None,
    ) -> None:
        with self.database.writer() as session:
            row = session.get(EvaluationRow, row_pk)
            if row is None:
                return
            row.status = status
            row.metrics = metrics
            row.report = report
            row.error = error
            row.finished_at = utcnow()
            session.commit()
