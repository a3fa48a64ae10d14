"""``/health``: is the service up and its store reachable (no token needed)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from service import store
from service.deps import ReadSession, ServicesDep
from service.models import OpeningRow
from service.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness and store check; needs no token")
def health(services: ServicesDep, session: ReadSession) -> HealthOut:
    return HealthOut(
        status="ok",
        version=services.version,
        database=services.database.dialect,
        openings=int(session.scalar(select(func.count()).select_from(OpeningRow)) or 0),
        catalogue_revision=store.catalogue_revision(session),
        encoder=services.engine.model_id,
    )
