"""What the candidates, employers and openings routers share: one resource, by id.

A record PUT under a path must carry the path's id, a PUT that added the
record answers 201, and a record not stored is a 404 naming the kind and id.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Response, status
from pydantic import BaseModel


def not_found(kind: str, record_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"no {kind} {record_id!r}")


def check_path_id(record_id: str, path_id: str) -> None:
    """Refuse a record whose id is not the one in the path (422)."""
    if record_id != path_id:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"record {record_id!r}: field 'id' must equal the id in the path ({path_id!r})",
        )


def answer_created(response: Response, created: bool) -> None:
    """A PUT that added the record (rather than replacing it) answers 201 Created."""
    if created:
        response.status_code = status.HTTP_201_CREATED


def as_stored(model: type[BaseModel], summary: str) -> dict[str, Any]:
    """Route options for an answer that is a record as it was stored.

    The answer is the contract's model with the fields the record left out
    left out again (`response_model_exclude_unset`), so a profile reads back
    as it was written.
    """
    return {"response_model": model, "response_model_exclude_unset": True, "summary": summary}


def as_added(model: type[BaseModel], summary: str) -> dict[str, Any]:
    """Route options for a POST that adds one record and answers it (201)."""
    return as_stored(model, summary) | {"status_code": status.HTTP_201_CREATED}


def as_replaced(model: type[BaseModel], summary: str) -> dict[str, Any]:
    """Route options for a PUT that replaces a record or adds it under the path's id (201)."""
    return as_stored(model, summary) | {"responses": {201: {"description": "Added"}}}
