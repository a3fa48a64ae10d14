"""Known answers of the prose reader, in Danish and English, with negations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.prose import (
    FULL_TIME_HOURS,
    PART_TIME_MAX_HOURS,
    TIMES,
    avoided_mentions,
    read_prose,
    read_texts,
    read_times,
    read_weekly_hours,
    times_of_range,
)
from matcher.records import SCHEDULES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lagerarbejde mellem kl. 3 og 6 om natten.", ("night",)),
        ("Cleaning offices 03-06.", ("night",)),
        ("Arbejdstid: 22.00-06.00.", ("night",)),
        ("Nathold fra 22 til 6.", ("night",)),
        ("Early morning round from 2 to 5 am.", ("night",)),
        ("We work nights.", ("night",)),
        ("Aftenvagter fra 17 til 23.", ("evening",)),
        ("Evening shifts 6pm to 11pm.", ("evening",)),
        ("Hotel reception, 15-23.", ("evening",)),
        ("Dagvagter 7-15.", ("day",)),
        ("Rengøring kl. 8-12 på hverdage.", ("day",)),
        ("Round from 9 am to 1 pm.", ("day",)),
        ("We work days.", ("day",)),
        ("Vagterne ligger om aftenen og natten.", ("evening", "night")),
        ("Weekendvagter lørdag og søndag.", ("weekend",)),
        ("Shop work, mainly Saturdays and Sundays.", ("weekend",)),
        # Negated, or not times at all.
        ("Ingen nattevagter, ingen weekendarbejde.", ()),
        ("No night shifts.", ()),
        ("Vi arbejder ikke om natten.", ()),
        ("15-20 timer om ugen.", ()),
        ("Løft af 20-25 kg.", ()),
        ("3 days a week.", ()),
        ("Opslået 2026-11-01, tiltræden 01-02-2027.", ()),
        ("Pasning af dyr i naturen.", ()),
    ],
)
def test_working_times(text: str, expected: tuple[str, ...]) -> None:
    assert read_prose(text).schedule == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (3, 6, ("night",)),
        (22, 6, ("night",)),
        (7, 15, ("day",)),
        (15, 23, ("evening",)),
        (12, 20, ("day", "evening")),
        (8, 10, ("day",)),
        (5, 5, ()),
    ],
)
def test_times_of_range(start: int, end: int, expected: tuple[str, ...]) -> None:
    assert times_of_range(start, end) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15-20 timer om ugen.", (15, 20)),
        ("Arbejdstid 12-18 timer ugentligt.", (12, 18)),
        ("Stillingen er på deltid, ca. 15 timer om ugen.", (15, 15)),
        ("20 hours/week.", (20, 20)),
        ("10-15 hours a week.", (10, 15)),
        ("Full-time, 37 hours per week.", (37, 37)),
        ("7,5 timer pr. uge", (7.5, 7.5)),
        ("Stillingen er på fuldtid.", (FULL_TIME_HOURS, FULL_TIME_HOURS)),
        ("Full time position.", (FULL_TIME_HOURS, FULL_TIME_HOURS)),
        ("Deltid.", (None, PART_TIME_MAX_HOURS)),
        ("Part-time job in a café.", (None, PART_TIME_MAX_HOURS)),
        ("Kurset varer 3 timer.", None),
        ("Ikke fuldtid.", None),
        ("Løft af kasser op til 25 kg.", None),
    ],
)
def test_weekly_hours(text: str, expected: tuple[float | None, float | None] | None) -> None:
    hours = read_weekly_hours(text)
    assert (None if hours is None else (hours.low, hours.high)) == expected


def test_provenance_points_at_the_words_in_the_text() -> None:
    text = "Pakkeri. Arbejdet ligger 03-06, 20 timer om ugen, med tunge løft."
    reading = read_prose(text)
    assert reading.evidence("night") == "03-06"
    assert reading.evidence("night work") == "03-06"
    assert reading.evidence("heavy lifting") == "tunge løft"
    assert reading.evidence("children") is None
    assert reading.hours is not None
    assert text[reading.hours.start : reading.hours.end] == reading.hours.span
    for mention in (*reading.times, *reading.conditions):
        assert text[mention.start : mention.end] == mention.span


def test_night_and_weekend_times_are_also_conditions() -> None:
    assert read_prose("Cleaning 01-05.").condition_names == ("night work",)
    assert read_prose("Lørdag og søndag.").condition_names == ("weekend work",)


@pytest.mark.parametrize(
    ("avoid", "text", "expected"),
    [
        (["tunge løft"], "Warehouse work with heavy lifting.", [("tunge løft", "heavy lifting")]),
        (["heavy lifting"], "Tunge løft af kasser.", [("heavy lifting", "heavy lifting")]),
        (
            ["kundekontakt"],
            "Welcoming guests at the front desk.",
            [("kundekontakt", "customer contact")],
        ),
        (["nattevagter"], "Night shifts 22-06.", [("nattevagter", "night work")]),
        (["phone work"], "Du besvarer telefonen.", [("phone work", "phone work")]),
        (["børn"], "Kitchen helper at a kindergarten.", [("børn", "children")]),
        (["tunge løft"], "Scanning small parcels; no heavy lifting.", []),
        (["computere"], "Heavy lifting.", []),
    ],
)
def test_avoided_conditions_are_found_across_languages(
    avoid: list[str], text: str, expected: list[tuple[str, str]]
) -> None:
    found = avoided_mentions(avoid, read_prose(text))
    assert [(m.phrase, m.mention.condition) for m in found] == expected


def test_read_texts_joins_title_and_description() -> None:
    reading = read_texts(["Natportier", None, "Hotel, 23-07."])
    assert reading.schedule == ("night",)
    assert read_texts([]) == read_prose("")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_any_text(text: str) -> None:
    reading = read_prose(text)
    assert set(reading.schedule) <= {"day", "evening", "night", "weekend"}
    read_times(text)
    hours = read_weekly_hours(text)
    assert hours is None or hours.low is None or hours.high is None or hours.low <= hours.high


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["ingen", "ikke", "no", "not", "without", "uden"]),
    st.sampled_from(["tunge løft", "nattevagter", "kundekontakt", "heavy lifting", "night shifts"]),
)
def test_a_negated_condition_is_never_found(negation: str, condition: str) -> None:
    assert read_prose(f"Der er {negation} {condition}.").condition_names == ()


def test_working_times_are_the_contracts_schedule_values() -> None:
    assert TIMES == SCHEDULES
