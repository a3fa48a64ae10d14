"""The contract in the repository: the committed JSON Schemas are the models' own."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from paths import REPO

from matcher.contract import RECORDS, UnknownRecordError, json_schema, schema_text

CONTRACT = REPO / "data" / "contract"


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
