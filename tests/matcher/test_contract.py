"""The contract in the repository: the committed JSON Schemas are the models' own."""

from __future__ import annotations

import json
import re
from datetime import date

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import REPO
from pydantic import ValidationError

from matcher.contract import RECORDS, UnknownRecordError, json_schema, schema_text
from matcher.placement_events import PlacementRecord
from matcher.vocabularies import STAGES

CONTRACT = REPO / "data" / "contract"
PLACEMENT_SCHEMA = jsonschema.Draft202012Validator(json_schema("placement"))


@pytest.mark.parametrize("name", list(RECORDS))
def test_the_committed_schema_is_the_generated_one(name: str) -> None:
    committed = (CONTRACT / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(name), f"run `make schemas`: {name}.schema.json is stale"


def _examples() -> dict[str, list[object]]:
    """The README's JSON examples, by the record their first key shows."""
    text = (CONTRACT / "README.md").read_text(encoding="utf-8")
    found: dict[str, list[object]] = {}
    for block in re.findall(r"```json\n(.*?)```", text, flags=re.S):
        example = json.loads(block)
        name = (
            "ranking"
            if "results" in example
            else "candidate"
            if "preferences" in example
            else "opening"
        )
        found.setdefault(name, []).append(example)
    return found


def test_the_readme_examples_follow_the_schemas() -> None:
    examples = _examples()
    assert set(examples) == {"candidate", "opening", "ranking"}
    for name, records in examples.items():
        validator = jsonschema.Draft202012Validator(json_schema(name))
        for record in records:
            validator.validate(record)
            RECORDS[name].model_validate(record)


def test_the_demo_records_follow_the_schemas() -> None:
    for name, file in (("candidate", "candidates.jsonl"), ("opening", "openings.jsonl")):
        validator = jsonschema.Draft202012Validator(json_schema(name))
        lines = (REPO / "data" / "demo" / file).read_text(encoding="utf-8").splitlines()
        for line in lines:
            validator.validate(json.loads(line))


def test_the_placement_schema_states_the_rules_of_the_model() -> None:
    validator = jsonschema.Draft202012Validator(json_schema("placement"))
    hired = {"candidate_id": "c-1", "employer_id": "e-1", "stage": "hired", "date": "2026-02-01"}
    assert validator.is_valid(hired | {"hours_per_week": 15, "ended": "2026-06-30"})
    assert not validator.is_valid(hired | {"stage": "interview", "hours_per_week": 15})
    assert not validator.is_valid(hired | {"stage": "contacted", "ended": "2026-06-30"})
    assert not validator.is_valid(hired | {"stage": "offer"})
    assert not validator.is_valid(hired | {"note": "free text"})


def test_a_past_job_needs_a_title_or_a_description_in_the_schema_too() -> None:
    validator = jsonschema.Draft202012Validator(json_schema("candidate"))
    person = {"id": "c-1", "preferences": {"desired": ["lager"]}}
    described = {"experience": [{"description": "pluk og pak"}]}
    assert validator.is_valid(person | {"competencies": described})
    assert not validator.is_valid(person | {"competencies": {"experience": [{"years": 2}]}})


def test_an_unknown_record_names_the_allowed_ones() -> None:
    with pytest.raises(UnknownRecordError, match="allowed: candidate, opening, ranking, placement"):
        json_schema("offer")


DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    stage=st.sampled_from([*STAGES, "ended", "offer"]),
    day=DAYS,
    ended=st.none() | DAYS,
    hours=st.none() | st.floats(min_value=-5, max_value=200, allow_nan=False),
)
def test_the_placement_schema_and_model_agree(
    stage: str, day: date, ended: date | None, hours: float | None
) -> None:
    row: dict[str, object] = {
        "candidate_id": "c-1",
        "employer_id": "e-1",
        "stage": stage,
        "date": day.isoformat(),
    }
    if ended is not None:
        row["ended"] = ended.isoformat()
    if hours is not None:
        row["hours_per_week"] = hours
    try:
        PlacementRecord.model_validate(row)
    except ValidationError:
        by_model = False
    else:
        by_model = True
    by_schema = PLACEMENT_SCHEMA.is_valid(row)
    # The schema cannot compare two dates: an end before its hire passes it, not the model.
    if ended is not None and ended < day and stage == "hired":
        assert not by_model
    else:
        assert by_model == by_schema, row
