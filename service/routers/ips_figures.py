"""``/ips-figures``: IPS fidelity figures by team and month, for analysts (JSON or a plot).

Computed from the store on request; cells under `min_cell` people or events
are suppressed, so no figure identifies a person.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from evaluation.ips_figures import MIN_CELL, IpsFigures, figures_png
from service.deps import Analyst, ReadSession, ServicesDep
from service.fidelity import store_figures

router = APIRouter(prefix="/ips-figures", tags=["ips figures"])

Until = Annotated[
    date | None, Query(description="The last day counted (YYYY-MM-DD). Default: today.")
]
MinCell = Annotated[
    int,
    Query(ge=MIN_CELL, le=100, description="Smallest cell shown; smaller ones are suppressed."),
]


def store_ips_figures(
    _: Analyst,
    session: ReadSession,
    services: ServicesDep,
    until: Until = None,
    min_cell: MinCell = MIN_CELL,
) -> IpsFigures:
    day = until or services.engine.today()
    return store_figures(session, services.pseudonyms, day, min_cell)


StoreFigures = Annotated[IpsFigures, Depends(store_ips_figures)]


@router.get("", summary="IPS figures by team and month (analyst)")
def figures(computed: StoreFigures) -> dict[str, Any]:
    return computed.to_dict()


@router.get(
    "/plot.png",
    summary="The IPS figures as a plot (analyst)",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def figures_plot(computed: StoreFigures) -> Response:
    return Response(figures_png(computed), media_type="image/png")
