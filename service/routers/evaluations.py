"""``/evaluations``: offline evaluations of match quality, for analysts.

An analyst starts one (``POST``), which replays the store's pseudonymised
placement history in the background (`service.evaluations`), then reads its
metrics and its HTML report. Nothing in either names a candidate or holds
a health note: the replay reads the same exports analysts may download.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from service import store
from service.deps import Analyst, ServicesDep
from service.evaluations import settings_record
from service.models import EvaluationRow
from service.schemas import EvaluationIn, EvaluationOut, RowId

router = APIRouter(prefix="/evaluations", tags=["evaluations"])


def _out(row: EvaluationRow, with_metrics: bool = False) -> EvaluationOut:
    return EvaluationOut(
        id=row.pk,
        status=row.status,  # type: ignore[arg-type]
        requested_at=row.requested_at,
        finished_at=row.finished_at,
        settings=row.settings,
        error=row.error,
        report=f"/evaluations/{row.pk}/report" if row.status == "done" else None,
        metrics=row.metrics if with_metrics else None,
    )


def _not_found(evaluation_id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"no evaluation {evaluation_id}")


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start an evaluation of the store's placement history (analyst)",
)
def start_evaluation(request: EvaluationIn, user: Analyst, services: ServicesDep) -> EvaluationOut:
    from evaluation.pipeline import Settings  # with ranx; only an evaluation needs it

    # Planned starts dated ahead are in the history; nothing after today is observed yet.
    settings = Settings(**request.model_dump(), as_of=date.today())
    with services.database.writer() as session:
        row = EvaluationRow(
            requested_by=user.id, status="running", settings=settings_record(settings)
        )
        session.add(row)
        session.flush()
        store.audit(session, user, "evaluation.start", evaluation=row.pk)
        session.commit()
        out = _out(row)
    services.evaluations.start(out.id, settings)
    return out


@router.get("", summary="Evaluations, latest first, without their metrics (analyst)")
def list_evaluations(
    _: Analyst,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[EvaluationOut]:
    with services.database.reader() as session:
        rows = session.scalars(select(EvaluationRow).order_by(EvaluationRow.pk.desc()).limit(limit))
        return [_out(row) for row in rows]


@router.get("/{evaluation_id}", summary="One evaluation, with its metrics when done (analyst)")
def get_evaluation(evaluation_id: RowId, _: Analyst, services: ServicesDep) -> EvaluationOut:
    with services.database.reader() as session:
        row = session.get(EvaluationRow, evaluation_id)
        if row is None:
            raise _not_found(evaluation_id)
        return _out(row, with_metrics=True)


@router.get(
    "/{evaluation_id}/report",
    response_class=HTMLResponse,
    summary="The evaluation's self-contained HTML report, with plots (analyst)",
    responses={status.HTTP_409_CONFLICT: {"description": "Still running, or failed"}},
)
def get_report(evaluation_id: RowId, _: Analyst, services: ServicesDep) -> HTMLResponse:
    with services.database.reader() as session:
        row = session.get(EvaluationRow, evaluation_id)
        if row is None:
            raise _not_found(evaluation_id)
        if row.status != "done" or row.report is None:
            reason = row.error if row.status == "failed" else "it is still running"
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"evaluation {evaluation_id} has no report: {reason}",
            )
        return HTMLResponse(row.report)
