"""Analyst pages: start an evaluation, watch it run, read its report, download exports.

Everything here is pseudonymised as in the API: the pages call the same
evaluation and export functions (`service.routers.evaluations`, `.exports`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from service.deps import ServicesDep
from service.routers import evaluations as api
from service.routers import exports
from service.schemas import EvaluationIn
from service.web.pages import AnalystPage, AnalystPost, render

router = APIRouter(prefix="/web", include_in_schema=False)

EXPORTS = {
    "candidates.jsonl": exports.export_candidates,
    "placements.csv": exports.export_placements,
    "openings.jsonl": exports.export_openings,
}


@router.get("/evaluations", response_class=HTMLResponse)
def evaluations(request: Request, current: AnalystPage, services: ServicesDep) -> HTMLResponse:
    rows = api.list_evaluations(current.user, services, limit=50)
    return render(request, "analyst/evaluations.html", {"evaluations": rows}, current)


@router.post("/evaluations")
def start(
    request: Request,
    current: AnalystPost,
    services: ServicesDep,
    cutoff: Annotated[str, Form()] = "",
    k: Annotated[int, Form()] = 10,
    resamples: Annotated[int, Form()] = 1000,
    permutations: Annotated[int, Form()] = 10_000,
) -> Response:
    try:
        settings = EvaluationIn(
            cutoff=date.fromisoformat(cutoff) if cutoff else None,
            k=k,
            resamples=resamples,
            permutations=permutations,
        )
    except (ValueError, ValidationError) as error:
        raise HTTPException(422, f"the evaluation was not started: {error}") from error
    started = api.start_evaluation(settings, current.user, services)
    return RedirectResponse(f"/web/evaluations/{started.id}", status_code=303)


@router.get("/evaluations/{evaluation_id}", response_class=HTMLResponse)
def evaluation(
    request: Request, evaluation_id: int, current: AnalystPage, services: ServicesDep
) -> HTMLResponse:
    found = api.get_evaluation(evaluation_id, current.user, services)
    return render(request, "analyst/evaluation.html", {"evaluation": found}, current)


@router.get("/evaluations/{evaluation_id}/report", response_class=HTMLResponse)
def report(evaluation_id: int, current: AnalystPage, services: ServicesDep) -> HTMLResponse:
    return api.get_report(evaluation_id, current.user, services)


@router.get("/exports", response_class=HTMLResponse)
def exports_page(request: Request, current: AnalystPage) -> HTMLResponse:
    return render(request, "analyst/exports.html", {"names": list(EXPORTS)}, current)


@router.get("/exports/{name}")
def download(name: str, current: AnalystPage, services: ServicesDep) -> Response:
    export = EXPORTS.get(name)
    if export is None:
        raise HTTPException(404, f"no export {name!r}; choose one of {', '.join(EXPORTS)}")
    return export(current.user, services)
