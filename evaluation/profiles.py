"""Career profiles as they were on a date: one record, or dated versions of it.

A replay must rank with the profile the consultant had on the day, not one
edited later. A candidates file may therefore hold several records with the
same `id`, each with a ``valid_from`` date (an unknown field to the contract,
kept and ignored by ranking): the version used on a day is the latest one
valid from that day or earlier. A record without ``valid_from`` is valid
from the start. With one record per id this is just the contract's file.

Each record is validated with the contract's own model
(`matcher.record_files.parse_records`); problems are collected over the whole
file and raised together, naming line, record and field.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from evaluation.io import atomic_text
from matcher.errors import FieldProblem, RecordValidationError
from matcher.record_files import jsonl_rows, parse_records
from matcher.records import Candidate

VALID_FROM = "valid_from"


@dataclass(frozen=True)
class ProfileVersion:
    """One version of a profile, valid from `valid_from` (None: from the start)."""

    candidate: Candidate
    valid_from: date | None = None
    line: int = 0

    @property
    def key(self) -> str:
        """Names this version: the id, with its start date when it has one."""
        suffix = f"@{self.valid_from.isoformat()}" if self.valid_from else ""
        return f"{self.candidate.id}{suffix}"


@dataclass
class ProfileHistory:
    """Every candidate's versions, oldest first."""

    versions: dict[str, list[ProfileVersion]] = field(default_factory=dict)

    @classmethod
    def of(cls, candidates: Sequence[Candidate | ProfileVersion]) -> ProfileHistory:
        history = cls()
        for item in candidates:
            version = item if isinstance(item, ProfileVersion) else ProfileVersion(item)
            history.versions.setdefault(version.candidate.id, []).append(version)
        for versions in history.versions.values():
            versions.sort(key=lambda v: v.valid_from or date.min)
        return history

    def __contains__(self, candidate_id: object) -> bool:
        return candidate_id in self.versions

    def __len__(self) -> int:
        return len(self.versions)

    def ids(self) -> list[str]:
        return list(self.versions)

    def all_versions(self) -> Iterator[ProfileVersion]:
        for versions in self.versions.values():
            yield from versions

    def on(self, candidate_id: str, day: date) -> ProfileVersion | None:
        """The version valid on `day`, or None when the first version starts later."""
        versions = self.versions.get(candidate_id)
        if not versions:
            return None
        starts = [v.valid_from or date.min for v in versions]
        position = bisect.bisect_right(starts, day) - 1
        return versions[position] if position >= 0 else None

    def latest(self, candidate_id: str) -> ProfileVersion:
        return self.versions[candidate_id][-1]


def read_profiles(path: str | Path) -> ProfileHistory:
    """Read candidates (JSON Lines), allowing dated versions of one id; all or nothing."""
    path = Path(path)
    if not path.is_file():
        raise RecordValidationError([FieldProblem(None, None, "", "file not found")], source=path)
    problems: list[FieldProblem] = []
    versions: list[ProfileVersion] = []
    first_line: dict[tuple[str, date | None], int] = {}
    try:
        for line, obj in jsonl_rows(path, problems):
            try:
                (candidate,) = parse_records([(line, obj)], Candidate, source=path)
            except RecordValidationError as error:
                problems.extend(error.problems)
                continue
            raw = obj.get(VALID_FROM)
            valid_from: date | None = None
            if raw is not None:
                try:
                    valid_from = date.fromisoformat(str(raw))
                except ValueError:
                    problems.append(
                        FieldProblem(
                            line,
                            candidate.id,
                            VALID_FROM,
                            f"{raw!r} is not an ISO date such as 2026-11-22",
                        )
                    )
                    continue
            key = (candidate.id, valid_from)
            if key in first_line:
                what = "duplicate id" if valid_from is None else f"duplicate id and {VALID_FROM}"
                problems.append(
                    FieldProblem(
                        line, candidate.id, "id", f"{what} (first on line {first_line[key]})"
                    )
                )
                continue
            first_line[key] = line
            versions.append(ProfileVersion(candidate, valid_from, line))
    except UnicodeDecodeError as error:
        raise RecordValidationError(
            [FieldProblem(None, None, "", f"not UTF-8 text ({error.reason})")], source=path
        ) from None
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise RecordValidationError(problems, source=path)
    return ProfileHistory.of(versions)


def profiles_jsonl(versions: Sequence[ProfileVersion]) -> str:
    """Versions as JSON Lines; a dated version carries its ``valid_from``."""
    lines = []
    for version in versions:
        record = version.candidate.model_dump(mode="json", exclude_none=True)
        record.pop(VALID_FROM, None)
        if version.valid_from is not None:
            record[VALID_FROM] = version.valid_from.isoformat()
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(lines)


def write_profiles(path: str | Path, versions: Sequence[ProfileVersion]) -> None:
    """Write versions as JSON Lines, whole or not at all."""
    atomic_text(path, profiles_jsonl(versions))
