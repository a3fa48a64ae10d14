"""``/exports``: pseudonymised data for analysts.

Candidates carry a keyed pseudonym instead of their id, and only the
contract's fields: no health, no unknown fields (where names and notes
would be). Files are in the formats `ipsmatch evaluate` reads.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, StreamingResponse

from service import store
from service.deps import Analyst, ServicesDep

router = APIRouter(prefix="/exports", tags=["exports"])

JSONL = "application/x-ndjson"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/candidates.jsonl",
    response_class=StreamingResponse,
    summary="Profiles, pseudonymised, without health (analyst)",
    responses={200: {"content": {JSONL: {}}}},
)
def export_candidates(user: Analyst, services: ServicesDep) -> StreamingResponse:
    with services.database.writer() as session:
        store.audit(session, user, "export.candidates")
        session.commit()
    with services.database.reader() as session:
        lines = list(store.export_candidates(session, services.pseudonyms))
    return StreamingResponse(iter(lines), media_type=JSONL, headers=_attachment("candidates.jsonl"))


@router.get(
    "/placements.csv",
    response_class=PlainTextResponse,
    summary="Placement history in the contract's CSV, candidates by pseudonym (analyst)",
    responses={200: {"content": {"text/csv": {}}}},
)
def export_placements(user: Analyst, services: ServicesDep) -> PlainTextResponse:
    with services.database.writer() as session:
        store.audit(session, user, "export.placements")
        session.commit()
    with services.database.reader() as session:
        text = store.export_placements(session)
    return PlainTextResponse(text, media_type="text/csv", headers=_attachment("placements.csv"))


@router.get(
    "/openings.jsonl",
    response_class=StreamingResponse,
    summary="Every stored opening as JSON Lines (analyst)",
    responses={200: {"content": {JSONL: {}}}},
)
def export_openings(_: Analyst, services: ServicesDep) -> StreamingResponse:
    with services.database.reader() as session:
        lines = list(store.export_openings(session))
    return StreamingResponse(iter(lines), media_type=JSONL, headers=_attachment("openings.jsonl"))
