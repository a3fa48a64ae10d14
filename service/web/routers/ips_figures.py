"""Analyst page for the IPS fidelity figures: a table by team and month, and the plot.

Both come from the API's own dependency (`service.routers.ips_figures`), so
the page suppresses the same small cells; the plot has a route of its own
here so the browser fetches it with the page's session, not an API token.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from evaluation.ips_figures import MIN_CELL, IpsFigures, figures_png
from service.deps import Services, ServicesDep
from service.routers import ips_figures as api
from service.web.pages import AnalystPage, render
from service.web.sessions import SignedIn

router = APIRouter(prefix="/web/ips-figures", include_in_schema=False)

# The table's columns: the figure's field and whether it is a share (shown in %).
COLUMNS = (
    ("people_started", False),
    ("first_contact_within_30_days", True),
    ("median_days_to_first_contact", False),
    ("contacts", False),
    ("contacts_per_consultant_week", False),
    ("contacts_in_wanted_field", True),
    ("job_starts", False),
    ("retention_90_days", True),
    ("median_days_to_first_job", False),
)


def _figures(current: SignedIn, services: Services, until: str, min_cell: int) -> IpsFigures:
    try:
        day = date.fromisoformat(until) if until else None
    except ValueError as error:
        raise HTTPException(422, f"field 'until': {until!r} is not a date (YYYY-MM-DD)") from error
    if not MIN_CELL <= min_cell <= 100:
        raise HTTPException(
            422, f"field 'min_cell': {min_cell} is outside the allowed {MIN_CELL}–100"
        )
    with services.database.reader() as session:
        return api.store_ips_figures(current.user, session, services, day, min_cell)


@router.get("", response_class=HTMLResponse)
def figures_page(
    request: Request,
    current: AnalystPage,
    services: ServicesDep,
    until: str = "",
    min_cell: int = MIN_CELL,
) -> HTMLResponse:
    computed = _figures(current, services, until, min_cell)
    return render(
        request,
        "analyst/ips_figures.html",
        {
            "figures": computed,
            "columns": COLUMNS,
            "until": until,
            "min_cell": min_cell,
            "min_allowed": MIN_CELL,
        },
        current,
    )


@router.get("/plot.png")
def figures_plot(
    current: AnalystPage, services: ServicesDep, until: str = "", min_cell: int = MIN_CELL
) -> Response:
    computed = _figures(current, services, until, min_cell)
    response = Response(figures_png(computed), media_type="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response
