"""``/candidates/{id}/recommendations`` and ``/candidates/{id}/employers``.

Every request is written to the audit log before it is answered: who asked,
for which candidate (by pseudonym), with which engine and model, and what
came back (ids and scores; never the profile, never health).

These are the service's hot path, so each runs as one thread-pool call
(authentication included) with lean queries, and a ranking is computed only
when the profile or the catalogue has changed since it was last asked for.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.security import HTTPAuthorizationCredentials

from matcher.records import Ranking
from service import store
from service.deps import Credentials, Services, ServicesDep, admit, require_token
from service.models import User
from service.routers.candidates import not_on_caseload
from service.schemas import EmployerSuggestions, SuggestedEmployer

router = APIRouter(prefix="/candidates", tags=["recommendations"])

K = Annotated[int, Query(ge=1, le=100, description="How many results.")]
Day = Annotated[
    date | None,
    Query(
        alias="date",
        description="Ranking date (YYYY-MM-DD, today or later): openings expired before it, "
        "or not yet posted, are left out. Default: today.",
    ),
]


def _entry(
    services: Services, credentials: HTTPAuthorizationCredentials | None, candidate_id: str
) -> tuple[User, store.CaseloadEntry, int]:
    """The caller (a consultant), their candidate (or 404) and the catalogue revision."""
    token = require_token(credentials)
    with services.database.reader() as session:
        found, entry, revision = store.caller_and_candidate(
            session, token.credentials, candidate_id
        )
    # The read transaction has ended: ranking may take a while and must not pin a snapshot.
    user = admit(found, token, ("consultant",))
    if entry is None:
        raise not_on_caseload(candidate_id)
    return user, entry, revision


def _log(
    services: Services,
    user: User,
    action: str,
    pseudonym: str,
    revision: int,
    results: list[dict[str, Any]],
    k: int,
    day: date,
) -> None:
    services.audit.write(
        user.id,
        action,
        pseudonym,
        k=k,
        date=day.isoformat(),
        engine=services.version,
        model=services.engine.model_id,
        catalogue_revision=revision,
        results=results,
    )


@router.get(
    "/{candidate_id}/recommendations",
    response_model=Ranking,
    summary="Openings for one of your candidates, preferences first (the contract's Ranking)",
    responses={
        status.HTTP_404_NOT_FOUND: {"description": "Not a candidate on your caseload"},
    },
)
def recommendations(
    candidate_id: str,
    services: ServicesDep,
    credentials: Credentials,
    k: K = 10,
    day: Day = None,
) -> Response:
    user, entry, revision = _entry(services, credentials, candidate_id)
    ranking = recommend_for(services, user, entry, revision, k, day or services.engine.today())
    # Serialised here: the model is already validated, FastAPI need not check it again.
    return Response(ranking.model_dump_json(), media_type="application/json")


@router.get(
    "/{candidate_id}/employers",
    summary="Employers to approach for one of your candidates, posting or not (job development)",
    responses={
        status.HTTP_404_NOT_FOUND: {"description": "Not a candidate on your caseload"},
    },
)
def suggested_employers(
    candidate_id: str,
    services: ServicesDep,
    credentials: Credentials,
    k: K = 10,
    day: Day = None,
) -> EmployerSuggestions:
    user, entry, _ = _entry(services, credentials, candidate_id)
    results = suggest_employers_for(services, user, entry, k, day or services.engine.today())
    return EmployerSuggestions(candidate_id=entry.id, results=results)


def recommend_for(
    services: Services,
    user: User,
    entry: store.CaseloadEntry,
    revision: int,
    k: int,
    on: date,
) -> Ranking:
    """A consultant's ranking for their candidate, written to the audit log (API and pages)."""
    ranking, revision = services.engine.recommend(
        entry.candidate, (entry.pk, entry.revision), k, on, revision
    )
    results = [{"opening_id": r.opening_id, "score": r.score} for r in ranking.results]
    pseudonym = services.pseudonyms.candidate(entry.pk)
    _log(services, user, "recommendations", pseudonym, revision, results, k, on)
    return ranking


def suggest_employers_for(
    services: Services, user: User, entry: store.CaseloadEntry, k: int, on: date
) -> list[SuggestedEmployer]:
    """Employers to approach for a consultant's candidate, audit-logged (API and pages)."""

    def placements(employer_ids: list[str]) -> dict[str, dict[str, int]]:
        with services.database.reader() as reader:
            return store.placement_counts(reader, employer_ids)

    results, revision = services.engine.suggest_employers(entry.candidate(), k, on, placements)
    logged = [{"employer_id": r.employer_id, "score": r.score} for r in results]
    pseudonym = services.pseudonyms.candidate(entry.pk)
    _log(services, user, "suggested_employers", pseudonym, revision, logged, k, on)
    return results
