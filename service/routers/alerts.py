"""``/alerts``: new or changed openings that fit a person on your caseload well.

Opening the inbox looks for openings written since your last look; each
alert names the person, the opening and why it fits, and comes once. Dismiss
it when done, or hide the opening for that person for good (both keep it
from ever coming back).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status

from service import alerts as alert_store
from service import store
from service.deps import Consultant, ServicesDep, WriteSession
from service.models import AlertRow
from service.schemas import AlertOut, RowId

router = APIRouter(prefix="/alerts", tags=["alerts"])


def _out(alert: AlertRow, candidate_id: str, record: dict[str, object] | None) -> AlertOut:
    return AlertOut(
        id=alert.pk,
        candidate_id=candidate_id,
        opening_id=alert.opening_id,
        employer_id=str(record["employer_id"]) if record else None,
        title=str(record["title"]) if record else None,
        score=alert.score,
        preference_fit=alert.preference_fit,
        reasons=list(alert.reasons),
        status=alert.status,  # type: ignore[arg-type]
        created_at=alert.created_at,
    )


@router.get("", summary="Your inbox: new fitting openings for your caseload")
def list_alerts(
    user: Consultant,
    services: ServicesDep,
    show: Annotated[
        Literal["new", "all"], Query(description="'new' (default) or 'all' alerts.")
    ] = "new",
) -> list[AlertOut]:
    day = services.engine.today()
    alert_store.scan_caseload(services.database, services.engine, user, day)
    statuses = ("new",) if show == "new" else alert_store.STATUSES
    with services.database.reader() as session:
        return [_out(*item) for item in alert_store.inbox(session, user, statuses)]


def _change(alert_id: int, new_status: str, user: Consultant, session: WriteSession) -> AlertOut:
    view = alert_store.set_status(session, user, alert_id, new_status)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no alert {alert_id} in your inbox")
    store.audit(session, user, f"alert.{new_status}", alert_id=alert_id)
    session.commit()
    return _out(*view)


@router.post("/{alert_id}/dismiss", summary="Done with this alert")
def dismiss(alert_id: RowId, user: Consultant, session: WriteSession) -> AlertOut:
    return _change(alert_id, "dismissed", user, session)


@router.post("/{alert_id}/hide", summary="Never alert this opening for this person again")
def hide(alert_id: RowId, user: Consultant, session: WriteSession) -> AlertOut:
    return _change(alert_id, "hidden", user, session)
