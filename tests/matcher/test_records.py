from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from matcher.errors import RecordValidationError
from matcher.record_files import read_candidates, read_openings
from matcher.records import Candidate, Opening

CONTRACT_CANDIDATE = {
    "id": "c-0042",
    "preferences": {
        "desired": ["arbejde med dyr", "dyrepasser", "udendørs arbejde"],
        "avoid": ["kundekontakt", "støjende miljø"],
        "occupations": ["5164"],
        "hours_per_week": {"min": 10, "max": 20},
        "schedule": ["day", "weekend"],
        "max_commute_km": 15,
        "kinds": ["job", "education"],
    },
    "competencies": {
        "skills": ["truckcertifikat", "lagerstyring"],
        "experience": [{"title": "lagermedarbejder", "years": 3, "description": "pluk og pak"}],
        "education": ["HF"],
        "languages": ["da", "en"],
        "driving_licence": True,
    },
    "location": {"postcode": "2400"},
    "disclosure": "no",
    "health": {"note": "stored for the consultant; never used by the engine"},
}

CONTRACT_OPENING = {
    "id": "o-1007",
    "employer_id": "e-88",
    "employer_name": "Dyrehospitalet Nord",
    "title": "Dyrepasser-medhjælper",
    "description": "Fodring, rengøring af bure og pasning af hunde og katte.",
    "occupation": "5164",
    "industry": "dyrehospital",
    "kind": "job",
    "hours_per_week": {"min": 15, "max": 20},
    "schedule": ["day"],
    "location": {"lat": 55.71, "lon": 12.53},
    "requires": {"skills": [], "driving_licence": False, "languages": ["da"]},
    "posted": "2026-11-01",
    "expires": "2026-12-15",
}


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_contract_examples_parse() -> None:
    candidate = Candidate.model_validate(CONTRACT_CANDIDATE)
    opening = Opening.model_validate(CONTRACT_OPENING)
    assert candidate.preferences.hours_per_week is not None
    assert candidate.preferences.hours_per_week.max == 20
    assert candidate.location is not None and candidate.location.postcode == "2400"
    assert opening.expires == date(2026, 12, 15)
    assert opening.requires.languages == ["da"]


def test_defaults_follow_the_contract() -> None:
    candidate = Candidate.model_validate({"id": "c", "preferences": {"desired": ["lager"]}})
    opening = Opening.model_validate({"id": "o", "employer_id": "e-1", "title": "Lager"})
    assert candidate.preferences.kinds == ["job"]
    assert candidate.disclosure == "no"
    assert opening.employer_name == "e-1"
    assert opening.kind == "job"


def test_unknown_fields_are_kept() -> None:
    record = {**CONTRACT_OPENING, "salary_note": "overenskomst"}
    opening = Opening.model_validate(record)
    assert opening.model_dump()["salary_note"] == "overenskomst"


def test_candidate_needs_a_wish() -> None:
    with pytest.raises(ValueError, match="desired"):
        Candidate.model_validate({"id": "c", "preferences": {"desired": ["  "]}})


def test_bad_file_names_file_line_record_and_field(tmp_path: Path) -> None:
    good = dict(CONTRACT_OPENING)
    bad_hours = {**CONTRACT_OPENING, "id": "o-2", "hours_per_week": {"min": 30, "max": 10}}
    bad_kind = {**CONTRACT_OPENING, "id": "o-3", "kind": "internship"}
    path = write_jsonl(tmp_path / "openings.jsonl", [good, bad_hours, bad_kind])
    with pytest.raises(RecordValidationError) as caught:
        read_openings(path)
    message = str(caught.value)
    assert "openings.jsonl" in message
    assert "line 2, record 'o-2': field 'hours_per_week'" in message
    assert "min (30) is greater than max (10)" in message
    assert "line 3, record 'o-3': field 'kind'" in message
    assert "'job' or 'education'" in message
    assert len(caught.value.problems) == 2


def test_missing_required_field_and_broken_json(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "c-1", "preferences": {}}\n{not json\n', "utf-8")
    with pytest.raises(RecordValidationError) as caught:
        read_candidates(path)
    lines = {p.line for p in caught.value.problems}
    assert lines == {1, 2}
    assert any(p.field == "preferences.desired" for p in caught.value.problems)
    assert "not valid JSON" in str(caught.value)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "o.jsonl", [CONTRACT_OPENING, CONTRACT_OPENING])
    with pytest.raises(RecordValidationError, match="duplicate id"):
        read_openings(path)


def test_languages_must_be_iso_639_1() -> None:
    record = {
        "id": "c",
        "preferences": {"desired": ["x"]},
        "competencies": {"languages": ["dansk"]},
    }
    with pytest.raises(ValueError, match="ISO 639-1"):
        Candidate.model_validate(record)


def test_location_needs_coordinates_or_postcode() -> None:
    with pytest.raises(ValueError, match="both 'lat' and 'lon'"):
        Opening.model_validate({**CONTRACT_OPENING, "location": {"lat": 55.7}})
    with pytest.raises(ValueError, match="'postcode'"):
        Opening.model_validate({**CONTRACT_OPENING, "location": {}})


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RecordValidationError, match="file not found"):
        read_openings(tmp_path / "nope.jsonl")


def test_open_on_respects_posted_and_expires() -> None:
    opening = Opening.model_validate(CONTRACT_OPENING)
    assert opening.is_open_on(date(2026, 12, 15))
    assert not opening.is_open_on(date(2026, 12, 16))
    assert not opening.is_open_on(date(2026, 10, 31))


def test_a_past_job_needs_a_title_or_a_description() -> None:
    # Issue 10 item 7: a job given only by its description used to be refused.
    described = Candidate.model_validate(
        {
            "id": "c-1",
            "preferences": {"desired": ["lager"]},
            "competencies": {"experience": [{"description": "pluk og pak", "years": 2}]},
        }
    )
    (job,) = described.competencies.experience
    assert job.title is None and job.text == "pluk og pak"
    titled = Candidate.model_validate(
        {
            "id": "c-2",
            "preferences": {"desired": ["lager"]},
            "competencies": {"experience": [{"title": "lagermedarbejder", "description": "pluk"}]},
        }
    )
    assert titled.competencies.experience[0].text == "lagermedarbejder: pluk"
    with pytest.raises(ValidationError, match="give 'title', 'description' or both"):
        Candidate.model_validate(
            {
                "id": "c-3",
                "preferences": {"desired": ["lager"]},
                "competencies": {"experience": [{"title": " ", "years": 3}]},
            }
        )
