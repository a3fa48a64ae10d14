from __future__ import annotations

from evaluation_builders import make_candidate, make_opening

from evaluation.checks import PreferenceChecker
from evaluation.history import Catalogue
from evaluation.profiles import ProfileVersion

OPENINGS = [
    make_opening(
        "o-quiet",
        "Arkivmedarbejder",
        "2025-01-01",
        "2025-12-31",
        description="Scanning og arkivering. Ingen kundekontakt.",
        hours_per_week={"min": 10, "max": 15},
        schedule=["day"],
        location={"lat": 55.68, "lon": 12.57},
    ),
    make_opening(
        "o-shop",
        "Butiksassistent",
        "2025-01-01",
        "2025-12-31",
        description="Ekspedition ved kassen. Meget kundekontakt.",
        hours_per_week={"min": 30, "max": 37},
        schedule=["day", "weekend"],
        location={"lat": 56.16, "lon": 10.20},
    ),
    make_opening("o-school", "HF-enkeltfag", "2025-01-01", "2025-12-31", kind="education"),
]
CHECKER = PreferenceChecker(Catalogue(OPENINGS))
PEOPLE = iter(range(1_000_000))


def broken(row: int, **preferences: object) -> tuple[str, ...]:
    # A new person each time: the checker caches its answers by profile version.
    candidate = make_candidate(
        f"c-{next(PEOPLE)}",
        ["arkiv"],
        preferences=preferences,
        location={"lat": 55.68, "lon": 12.57},
    )
    return CHECKER.violations(ProfileVersion(candidate), row)


def test_each_stated_preference_is_checked_where_both_sides_state_it() -> None:
    assert broken(0, avoid=["kundekontakt"]) == ()  # negated in the text
    assert broken(1, avoid=["kundekontakt"]) == ("avoid",)
    assert broken(1, hours_per_week={"max": 20}) == ("hours",)
    assert broken(1, schedule=["day"]) == ("schedule",)
    assert broken(1, max_commute_km=50) == ("commute",)  # Aarhus from Copenhagen
    assert broken(2) == ("kind",)  # education, and the person wants the default: job
    assert broken(2, kinds=["job", "education"]) == ()
    assert broken(0, hours_per_week={"max": 20}, schedule=["day"], max_commute_km=5) == ()
    assert broken(2, hours_per_week={"max": 20}, schedule=["day"]) == ("kind",)  # not stated


def test_all_codes_together() -> None:
    assert broken(
        1,
        avoid=["kundekontakt"],
        hours_per_week={"max": 20},
        schedule=["day"],
        max_commute_km=50,
        kinds=["education"],
    ) == ("avoid", "hours", "schedule", "commute", "kind")
