"""The contract's limits: every record a store cannot hold, or too big to work on, is refused.

Each case here was accepted before the limits (and then failed in PostgreSQL, or
slowed every ranking, or was silently changed).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from matcher.records import (
    MAX_DEPTH,
    MAX_ID_CHARS,
    MAX_LIST_ITEMS,
    MAX_NAME_CHARS,
    MAX_PHRASE_CHARS,
    MAX_TEXT_CHARS,
    Candidate,
    Opening,
    UnstorableValue,
    check_json_value,
)

CANDIDATE: dict[str, Any] = {
    "id": "c-1",
    "preferences": {"desired": ["dyrepasser"], "hours_per_week": {"min": 10, "max": 20}},
    "competencies": {"experience": [{"title": "lager"}]},
    "health": {"note": "ok"},
}
OPENING: dict[str, Any] = {"id": "o-1", "employer_id": "e-1", "title": "Dyrepasser"}


def _with(record: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(record)
    target = changed
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(parts[-1])] = value
    else:
        target[parts[-1]] = value
    return changed


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def _message(error: ValidationError) -> str:
    return json.dumps([item["msg"] for item in error.errors()])


@pytest.mark.parametrize(
    ("path", "value", "said"),
    [
        ("health.note", "angst\x00", "NUL"),
        ("health.note", "angst\ud800", "lone surrogate"),
        ("health", ["\udfff"], "lone surrogate"),
        ("preferences.desired.0", "dyr\x00", "NUL"),
        ("why", {"deep\x00key": 1}, "field name"),
        ("health", "x" * (MAX_TEXT_CHARS + 1), "longer than"),
        ("health", _nested(MAX_DEPTH + 1), "nested deeper"),
        ("note", _nested(10_000), "nested deeper"),
        ("health", list(range(MAX_LIST_ITEMS + 1)), "more than"),
        ("preferences.hours_per_week.max", float("inf"), "finite"),
        ("preferences.hours_per_week.min", float("nan"), "finite"),
        ("extra_score", float("-inf"), "finite"),
    ],
)
def test_candidates_refuse_what_no_store_holds(path: str, value: Any, said: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Candidate.model_validate(_with(CANDIDATE, path, value))
    assert said in _message(caught.value)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("id", "c" * (MAX_ID_CHARS + 1)),
        ("preferences.desired", ["x"] * (MAX_LIST_ITEMS + 1)),
        ("preferences.desired.0", "x" * (MAX_PHRASE_CHARS + 1)),
        ("competencies.experience.0.years", 1e308),
        ("preferences.max_commute_km", 1e9),
        ("location", {"postcode": False}),
        ("location", {"postcode": True}),
    ],
)
def test_candidate_fields_are_bounded_and_typed(path: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        Candidate.model_validate(_with(CANDIDATE, path, value))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("id", "o" * (MAX_ID_CHARS + 1)),
        ("employer_id", "e" * (MAX_ID_CHARS + 1)),
        ("employer_name", "n" * (MAX_NAME_CHARS + 1)),
        ("title", "t" * (MAX_PHRASE_CHARS + 1)),
        ("title", "a\x00b"),
        ("description", "d" * (MAX_TEXT_CHARS + 1)),
        ("posted", 0),
        ("expires", 1_700_000_000),
        ("posted", 0.0),
        ("occupation", True),
    ],
)
def test_opening_fields_are_bounded_and_typed(path: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        Opening.model_validate(_with(OPENING, path, value))


def test_the_limits_themselves_are_accepted() -> None:
    record = _with(CANDIDATE, "id", "c" * MAX_ID_CHARS)
    record["health"] = _nested(MAX_DEPTH - 1)
    record["preferences"]["desired"] = ["x" * MAX_PHRASE_CHARS] * MAX_LIST_ITEMS
    assert Candidate.model_validate(record).id == "c" * MAX_ID_CHARS
    opening = _with(OPENING, "employer_name", "n" * MAX_NAME_CHARS)
    opening["location"] = {"postcode": 2400}
    assert Opening.model_validate(opening).location.postcode == "2400"  # type: ignore[union-attr]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


def _storable_in_postgres(value: Any) -> bool:
    """What PostgreSQL's JSONB takes: UTF-8 text without NUL, finite numbers."""
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
        text.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return False
    return "\\u0000" not in text


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_whatever_the_check_accepts_a_store_can_hold(value: Any) -> None:
    try:
        check_json_value(value)
    except UnstorableValue:
        return
    assert _storable_in_postgres(value)
