"""The contract's records as JSON Schema, generated from the pydantic models.

`data/contract/<name>.schema.json` holds the output of `schema_text(name)`
for every name in `RECORDS` (a test keeps the files equal to it), and
``ipsmatch schema NAME`` prints it. The prose that explains the records is
`data/contract/README.md`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from matcher.placement_events import PlacementRecord
from matcher.records import Candidate, Opening, Ranking

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Record name → its model; a placement is one row of the history's CSV.
RECORDS: Mapping[str, type[BaseModel]] = MappingProxyType(
    {
        "candidate": Candidate,
        "opening": Opening,
        "ranking": Ranking,
        "placement": PlacementRecord,
    }
)


class UnknownRecordError(KeyError):
    """A schema was asked for by a name the contract does not define."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"no record {self.name!r} in the contract; allowed: {', '.join(RECORDS)}"


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the record called `name`."""
    model = RECORDS.get(name)
    if model is None:
        raise UnknownRecordError(name)
    # Rankings are written by the engine; the others are read from users.
    if name == "ranking":
        schema = model.model_json_schema(mode="serialization")
    else:
        schema = model.model_json_schema(mode="validation")
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


def schema_text(name: str) -> str:
    """`json_schema(name)` as the text of its committed file (stable, newline-ended)."""
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"
