"""Reading posted forms and naming what is wrong with them, for every page router."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import ValidationError


@dataclass(frozen=True)
class FormProblem:
    """One thing wrong with a posted form: the record field and what is wrong."""

    field: str
    message: str


def problems_of(error: ValidationError) -> list[FormProblem]:
    return [FormProblem(".".join(str(p) for p in e["loc"]), e["msg"]) for e in error.errors()]


async def read_form(request: Request, list_fields: Sequence[str] = ()) -> dict[str, Any]:
    """The posted text fields; each of `list_fields` (checkboxes) as a list of its values."""
    form = await request.form()
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    for name in list_fields:
        values[name] = [v for v in form.getlist(name) if isinstance(v, str)]
    return values
