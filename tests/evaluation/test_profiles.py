from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from evaluation_builders import make_candidate

from evaluation.profiles import ProfileHistory, ProfileVersion, read_profiles, write_profiles
from matcher.errors import RecordValidationError


def write(path: Path, *records: object) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), "utf-8"
    )
    return path


def record(candidate_id: str, wish: str, valid_from: str | None = None) -> dict[str, object]:
    data: dict[str, object] = {"id": candidate_id, "preferences": {"desired": [wish]}}
    if valid_from:
        data["valid_from"] = valid_from
    return data


def test_the_version_valid_on_a_day(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.jsonl",
        record("c-1", "dyr"),
        record("c-1", "lager", "2025-03-01"),
        record("c-1", "kok", "2025-06-01"),
        record("c-2", "it", "2025-02-01"),
    )
    history = read_profiles(path)
    assert len(history) == 2
    wish = lambda cid, day: history.on(cid, date.fromisoformat(day)).candidate.preferences.desired  # noqa: E731
    assert wish("c-1", "2025-02-28") == ["dyr"]
    assert wish("c-1", "2025-03-01") == ["lager"]
    assert wish("c-1", "2025-12-01") == ["kok"]
    assert history.on("c-2", date(2025, 1, 31)) is None  # no profile yet
    assert history.on("c-9", date(2025, 1, 31)) is None
    assert history.latest("c-1").key == "c-1@2025-06-01"


def test_problems_name_line_record_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.jsonl",
        record("c-1", "dyr"),
        record("c-1", "lager"),  # a second undated version
        record("c-2", "it", "2025-13-01"),
        "{broken",
        {"id": "c-3", "preferences": {"desired": []}},
    )
    with pytest.raises(RecordValidationError) as caught:
        read_profiles(path)
    problems = [(p.line, p.field) for p in caught.value.problems]
    assert problems == [(2, "id"), (3, "valid_from"), (4, ""), (5, "preferences.desired")]
    assert "duplicate id (first on line 1)" in str(caught.value)
    assert "'2025-13-01' is not an ISO date" in str(caught.value)


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    versions = [
        ProfileVersion(make_candidate("c-1", ["dyr"], disclosure="yes")),
        ProfileVersion(make_candidate("c-1", ["lager"]), valid_from=date(2025, 3, 1)),
    ]
    path = tmp_path / "c.jsonl"
    write_profiles(path, versions)
    back = read_profiles(path)
    assert [(v.key, v.candidate.preferences.desired) for v in back.all_versions()] == [
        ("c-1", ["dyr"]),
        ("c-1@2025-03-01", ["lager"]),
    ]
    assert ProfileHistory.of(versions).on("c-1", date(2025, 2, 1)) == versions[0]
