"""Consultant page for the alerts inbox: new fitting openings for the caseload.

The page calls the API's own functions (`service.routers.alerts`), so
opening it scans the caseload exactly as ``GET /alerts`` does, and the
dismiss and hide buttons change the same rows as the API's posts.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from service.deps import ServicesDep
from service.routers import alerts as api
from service.web.pages import ConsultantPage, ConsultantPost, render

router = APIRouter(prefix="/web/alerts", include_in_schema=False)

ACTIONS = {"dismiss": api.dismiss, "hide": api.hide}


@router.get("", response_class=HTMLResponse)
def inbox(
    request: Request,
    current: ConsultantPage,
    services: ServicesDep,
    show: Literal["new", "all"] = "new",
) -> HTMLResponse:
    alerts = api.list_alerts(current.user, services, show)
    return render(request, "consultant/alerts.html", {"alerts": alerts, "show": show}, current)


@router.post("/{alert_id}/{action}")
def change(
    alert_id: int,
    action: Literal["dismiss", "hide"],
    current: ConsultantPost,
    services: ServicesDep,
) -> Response:
    with services.database.writer() as session:
        ACTIONS[action](alert_id, current.user, session)
    return RedirectResponse("/web/alerts", status_code=303)
