"""``/candidates/{id}/recommendations`` and ``/candidates/{id}/employers``.

Every request is written to the audit log before it is answered: who asked,
for which candidate (by pseudonym), with which engine and model, and what
came back (ids and scores; never the profile, never health).

These are the service's hot path, so each runs as one thread-pool call
(authentication included) with lean queries, and a ranking is computed only
when the profile or the catalogue has changed since it was last asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.security import HTTPAuthorizationCredentials

from matcher.records import Ranking
from service import store
from service.deps import Credentials, Services, ServicesDep, admit, require_token
from service.employer_suggestions import with_hiring_and_load
from service.hiring import outlooks_for
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


# Both routes answer for one candidate of the caller's caseload.
FOR_ONE_CANDIDATE: dict[int | str, dict[str, Any]] = {
    status.HTTP_404_NOT_FOUND: {"description": "Not a candidate on your caseload"},
}


@dataclass(frozen=True)
class Asked:
    """Who asked, for which candidate, against which catalogue revision, for which day."""

    user: User
    entry: store.CaseloadEntry
    revision: int
    day: date


def _asked(
    services: Services,
    credentials: HTTPAuthorizationCredentials | None,
    candidate_id: str,
    day: date | None,
) -> Asked:
    """The caller (a consultant), their candidate (or 404), the revision and the day.

    Called inside the route, not as a dependency: the route stays one thread-pool call.
    """
    token = require_token(credentials)
    with services.database.reader() as session:
        found, entry, revision = store.caller_and_candidate(
            session, token.credentials, candidate_id
        )
    # The read transaction has ended: ranking may take a while and must not pin a snapshot.
    user = admit(found, token, ("consultant",))
    if entry is None:
        raise not_on_caseload(candidate_id)
    return Asked(user, entry, revision, day or services.engine.today())


def _log(
    services: Services,
    asked: Asked,
    action: str,
    revision: int,
    results: list[dict[str, Any]],
    k: int,
) -> None:
    """The audit entry of one answer: the candidate by pseudonym, ids and scores only."""
    services.audit.write(
        asked.user.id,
        action,
        services.pseudonyms.candidate(asked.entry.pseudonym_seed),
        k=k,
        date=asked.day.isoformat(),
        engine=services.version,
        model=services.engine.model_id,
        catalogue_revision=revision,
        results=results,
    )


@router.get(
    "/{candidate_id}/recommendations",
    response_model=Ranking,
    summary="Openings for one of your candidates, preferences first (the contract's Ranking)",
    responses=FOR_ONE_CANDIDATE,
)
def recommendations(
    candidate_id: str,
    services: ServicesDep,
    credentials: Credentials,
    k: K = 10,
    day: Day = None,
) -> Response:
    asked = _asked(services, credentials, candidate_id, day)
    ranking = recommend_for(services, asked.user, asked.entry, asked.revision, k, asked.day)
    # Serialised here: the model is already validated, FastAPI need not check it again.
    return Response(ranking.model_dump_json(), media_type="application/json")


@router.get(
    "/{candidate_id}/employers",
    summary="Employers to approach for one of your candidates, posting or not (job development)",
    responses=FOR_ONE_CANDIDATE,
)
def suggested_employers(
    candidate_id: str,
    services: ServicesDep,
    credentials: Credentials,
    k: K = 10,
    day: Day = None,
) -> EmployerSuggestions:
    asked = _asked(services, credentials, candidate_id, day)
    results = suggest_employers_for(services, asked.user, asked.entry, k, asked.day)
    return EmployerSuggestions(candidate_id=asked.entry.id, results=results)


def recommend_for(
    services: Services,
    user: User,
    entry: store.CaseloadEntry,
    revision: int,
    k: int,
    on: date,
) -> Ranking:
    """A consultant's ranking for their candidate, written to the audit log (API and pages)."""
    asked = Asked(user, entry, revision, on)
    ranking, revision = services.engine.recommend(
        entry.candidate, (entry.pk, entry.revision), k, on, revision
    )
    results = [{"opening_id": r.opening_id, "score": r.score} for r in ranking.results]
    _log(services, asked, "recommendations", revision, results, k)
    return ranking


def suggest_employers_for(
    services: Services, user: User, entry: store.CaseloadEntry, k: int, on: date
) -> list[SuggestedEmployer]:
    """Employers to approach for a consultant's candidate, audit-logged (API and pages)."""
    asked = Asked(user, entry, 0, on)

    def placements(employer_ids: list[str]) -> dict[str, dict[str, int]]:
        with services.database.reader() as reader:
            return store.placement_counts(reader, employer_ids)

    # Twice as many as asked, so employers at their weekly contact limit can drop out.
    placed, revision = services.engine.suggest_employers(
        asked.entry.candidate(), min(2 * k, 100), asked.day, placements
    )
    hiring = outlooks_for(services.database).current(asked.day)
    with services.database.reader() as reader:
        results = with_hiring_and_load(
            placed, reader, asked.entry.profile, asked.entry.pk, asked.day, hiring, k
        )
    logged = [{"employer_id": r.employer_id, "score": r.score} for r in results]
    _log(services, asked, "suggested_employers", revision, logged, k)
    return results
