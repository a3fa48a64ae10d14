"""The profile editor's form, to and from the contract's candidate record.

The form shows every field of the contract (`matcher.records.Candidate`):
lists one item a line, past jobs as ``title; years; description`` lines.
Fields the form does not know (kept by the contract) survive an edit, and
``health`` is its own box, stored apart as the API stores it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from matcher.records import KINDS, SCHEDULES, Candidate
from service.web.forms import FormProblem, problems_of

# The caseload status a consultant sets; "in work" is read from the placement history.
STATUSES: tuple[str, ...] = ("searching", "paused")
# Fields of the contract this form edits; any other field of a stored profile is kept.
EDITED = ("id", "preferences", "competencies", "location", "disclosure", "health", "status")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _number(text: str | None) -> float | str | None:
    value = (text or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return value  # left for the contract's validation to name


def _experience(text: str | None) -> list[dict[str, Any]]:
    jobs = []
    for line in _lines(text):
        title, _, rest = line.partition(";")
        years, _, description = rest.partition(";")
        job: dict[str, Any] = {"title": title.strip()}
        if years.strip():
            job["years"] = _number(years)
        if description.strip():
            job["description"] = description.strip()
        jobs.append(job)
    return jobs


def _health_text(health: Any) -> str:
    if health is None:
        return ""
    if isinstance(health, dict) and set(health) == {"note"}:
        return str(health["note"])
    if isinstance(health, str):
        return health
    return json.dumps(health, ensure_ascii=False)


def form_values(document: Mapping[str, Any] | None) -> dict[str, Any]:
    """The editor's field values for a stored profile (health included), or an empty form."""
    document = document or {}
    preferences = document.get("preferences", {})
    competencies = document.get("competencies", {})
    location = document.get("location") or {}
    hours = preferences.get("hours_per_week") or {}

    def text(items: Any) -> str:
        return "\n".join(str(item) for item in items or [])

    jobs = [
        "; ".join(
            str(part)
            for part in (job.get("title"), job.get("years"), job.get("description"))
            if part not in (None, "")
        )
        for job in competencies.get("experience", [])
    ]
    licence = competencies.get("driving_licence")
    return {
        "id": document.get("id", ""),
        "status": document.get("status", "searching"),
        "desired": text(preferences.get("desired")),
        "avoid": text(preferences.get("avoid")),
        "occupations": text(preferences.get("occupations")),
        "hours_min": hours.get("min", ""),
        "hours_max": hours.get("max", ""),
        "schedule": list(preferences.get("schedule") or []),
        "max_commute_km": preferences.get("max_commute_km") or "",
        "kinds": list(preferences.get("kinds") or ["job"]),
        "skills": text(competencies.get("skills")),
        "experience": "\n".join(jobs),
        "education": text(competencies.get("education")),
        "languages": text(competencies.get("languages")),
        "driving_licence": "" if licence is None else ("yes" if licence else "no"),
        "postcode": location.get("postcode", ""),
        "lat": location.get("lat", ""),
        "lon": location.get("lon", ""),
        "disclosure": document.get("disclosure", "no"),
        "health": _health_text(document.get("health")),
    }


def profile_from_form(
    form: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> tuple[Candidate | None, list[FormProblem]]:
    """The profile the form describes, with the stored profile's other fields kept.

    Returns the validated candidate, or None and every problem by field.
    """
    document: dict[str, Any] = {k: v for k, v in (stored or {}).items() if k not in EDITED}
    preferences: dict[str, Any] = {
        "desired": _lines(form.get("desired")),
        "avoid": _lines(form.get("avoid")),
        "occupations": _lines(form.get("occupations")),
        "schedule": [s for s in form.get("schedule", []) if s in SCHEDULES] or None,
        "kinds": [k for k in form.get("kinds", []) if k in KINDS],
    }
    hours = {"min": _number(form.get("hours_min")), "max": _number(form.get("hours_max"))}
    if any(v is not None for v in hours.values()):
        preferences["hours_per_week"] = {k: v for k, v in hours.items() if v is not None}
    commute = _number(form.get("max_commute_km"))
    if commute is not None:
        preferences["max_commute_km"] = commute
    if preferences["schedule"] is None:
        del preferences["schedule"]
    if not preferences["kinds"]:
        del preferences["kinds"]  # the contract's default: jobs
    competencies: dict[str, Any] = {
        "skills": _lines(form.get("skills")),
        "experience": _experience(form.get("experience")),
        "education": _lines(form.get("education")),
        "languages": _lines(form.get("languages")),
    }
    licence = form.get("driving_licence")
    if licence in ("yes", "no"):
        competencies["driving_licence"] = licence == "yes"
    location = {
        "postcode": (form.get("postcode") or "").strip() or None,
        "lat": _number(form.get("lat")),
        "lon": _number(form.get("lon")),
    }
    location = {k: v for k, v in location.items() if v is not None}
    document.update(
        id=(form.get("id") or "").strip(),
        preferences=preferences,
        competencies=competencies,
        disclosure=form.get("disclosure") or "no",
    )
    if location:
        document["location"] = location
    status = form.get("status")
    if status in STATUSES:
        document["status"] = status
    health = (form.get("health") or "").strip()
    if health:
        document["health"] = {"note": health}
    try:
        return Candidate.model_validate(document), []
    except ValidationError as error:
        return None, problems_of(error)
