"""``/health``: is the service up and its store reachable (no token needed).

An anonymous caller learns only "ok": the version, database and encoder
would tell an attacker what to look up. A caller with a valid token sees them.
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from service import store
from service.deps import OptionalCredentials, ReadSession, ServicesDep
from service.models import OpeningRow
from service.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    summary="Liveness and store check; needs no token (with one, says more)",
    response_model_exclude_none=True,
)
def health(
    services: ServicesDep, session: ReadSession, credentials: OptionalCredentials
) -> HealthOut:
    openings = int(session.scalar(select(func.count()).select_from(OpeningRow)) or 0)
    if credentials is None or not services.token_valid(credentials.credentials):
        return HealthOut(status="ok")
    return HealthOut(
        status="ok",
        version=services.version,
        database=services.database.dialect,
        openings=openings,
        catalogue_revision=store.catalogue_revision(session),
        encoder=services.engine.model_id,
    )
