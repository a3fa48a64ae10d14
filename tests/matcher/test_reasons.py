"""Reasons as values: every code writes the English sentence the engine wrote before.

`SENTENCES` holds, for every code, parts and the sentence the f-strings of
`matcher.scoring.explain`, `matcher.explanation`, `matcher.employer_order` and
`service.engine` wrote for them before reasons became values; a code added
without a row here fails `test_every_code_has_a_sentence_here`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from matcher.reasons import (
    ITEM_TEMPLATES,
    TEMPLATES,
    Mention,
    Reason,
    ReasonError,
    explained,
    parse,
    placeholders,
)
from matcher.records import HoursRange, RankedOpening

GOLDEN = Path(__file__).parent / "golden" / "demo_rankings.json"
H_10_20 = HoursRange(min=10, max=20)
H_15_20 = HoursRange(min=15, max=20)

SENTENCES: list[tuple[str, dict[str, Any], str]] = [
    ("wish_match", {"wish": "arbejde med dyr"}, "matches 'arbejde med dyr'"),
    ("wish_partial", {"wish": "dyr"}, "partly matches 'dyr'"),
    ("wish_none", {}, "no close match to the stated wishes"),
    ("occupation_wanted", {"occupation": "5164"}, "wanted occupation 5164"),
    (
        "occupation_link",
        {"group": "5164", "title": "Dyrepassere"},
        "matches occupation 5164 Dyrepassere",
    ),
    ("occupation_group", {"group": "5164"}, "matches occupation 5164"),
    (
        "avoid_conditions",
        {
            "phrase": "nattevagter",
            "conditions": (Mention("night work", "03-06"), Mention("noise")),
        },
        "may involve 'nattevagter (night work, the text says \"03-06\", noise)', "
        "which the person wants to avoid",
    ),
    (
        "avoid",
        {"phrase": "kundekontakt"},
        "may involve 'kundekontakt', which the person wants to avoid",
    ),
    ("hours_within", {"offered": H_15_20, "wanted": H_10_20}, "15-20 h/week within 10-20 h/week"),
    (
        "hours_within_text",
        {"offered": H_15_20, "evidence": "15-20 timer", "wanted": H_10_20},
        "the text says 15-20 h/week: '15-20 timer' within 10-20 h/week",
    ),
    (
        "hours_partly",
        {"offered": HoursRange(min=15, max=25), "wanted": H_10_20},
        "15-25 h/week, partly within 10-20 h/week",
    ),
    (
        "hours_partly_text",
        {"offered": HoursRange(min=15, max=25), "evidence": "15-25 t", "wanted": H_10_20},
        "the text says 15-25 h/week: '15-25 t', partly within 10-20 h/week",
    ),
    (
        "hours_outside",
        {"offered": HoursRange(min=37, max=37), "wanted": HoursRange(max=20)},
        "37 h/week, outside the wanted at most 20 h/week",
    ),
    (
        "hours_outside_text",
        {"offered": HoursRange(min=37, max=37), "evidence": "fuldtid", "wanted": H_10_20},
        "the text says 37 h/week: 'fuldtid', outside the wanted 10-20 h/week",
    ),
    (
        "schedule_outside_text",
        {
            "said": (Mention("night", "03-06"), Mention("weekend", "lørdag")),
            "accepted": ("day",),
        },
        "the text says night work: '03-06', weekend work: 'lørdag'; accepts day",
    ),
    (
        "schedule_outside",
        {"outside": ("night", "weekend"), "accepted": ("day", "evening")},
        "includes night, weekend work; accepts day, evening",
    ),
    ("schedule_wanted", {"schedules": ("day", "weekend")}, "day, weekend work as wanted"),
    (
        "distance_beyond",
        {"km": 23.456, "limit": 15.0},
        "23.5 km from home, beyond 15 km",
    ),
    ("distance", {"km": 3.0}, "3.0 km from home"),
    (
        "education_unwanted",
        {"kinds": ("job",)},
        "an education place; the person wants job",
    ),
    ("job_unwanted", {"kinds": ("education",)}, "a job; the person wants education"),
    ("education_wanted", {}, "an education place, as wanted"),
    ("builds_on", {"experience": "lagermedarbejder"}, "builds on 'lagermedarbejder'"),
    ("needs_licence", {}, "requires a driving licence"),
    ("needs_language", {"language": "en"}, "requires language 'en'"),
    ("needs_skill", {"skill": "truckcertifikat"}, "asks for 'truckcertifikat'"),
    ("contact_consultant", {}, "the consultant may contact the employer"),
    ("contact_self", {}, "the person applies on their own (no disclosure)"),
    ("open_posting", {"title": "Dyrepasser"}, "open posting 'Dyrepasser'"),
    (
        "open_postings",
        {"title": "Dyrepasser", "more": 2},
        "open posting 'Dyrepasser' and 2 more",
    ),
    (
        "employer_fits",
        {},
        "nothing posted now; what the employer does fits (job development)",
    ),
    (
        "posted_before",
        {"title": "Lager"},
        "nothing posted now; posted 'Lager' before (job development)",
    ),
    (
        "posted_before_untitled",
        {},
        "nothing posted now; posted before (job development)",
    ),
    (
        "ips_history",
        {"hired": 1, "interviewed": 0},
        "earlier through IPS: 1 hired, 0 interviewed",
    ),
    (
        "hired_one",
        {"field": "work such as 'Lager'"},
        "hired 1 person in work such as 'Lager' in the last 12 months",
    ),
    (
        "hired_many",
        {"count": 12, "field": "group 9333"},
        "hired 12 people in group 9333 in the last 12 months",
    ),
    (
        "likely_to_hire",
        {"expected": 3.04, "field": "warehouse work", "months": 6},
        "likely to hire: about 3.0 in warehouse work expected in the next 6 months",
    ),
    (
        "contacted_once",
        {"days": 28},
        "contacted once for other candidates in the last 28 days; placed lower to spread contacts",
    ),
    (
        "contacted_times",
        {"count": 4, "days": 28},
        "contacted 4 times for other candidates in the last 28 days; "
        "placed lower to spread contacts",
    ),
    (
        "contact_limit",
        {"weekly_limit": 3},
        "reached its limit of 3 contacts this week; shown because every suggestion has",
    ),
]


def test_every_code_has_a_sentence_here() -> None:
    assert sorted(code for code, _, _ in SENTENCES) == sorted(TEMPLATES)


@pytest.mark.parametrize(("code", "params", "sentence"), SENTENCES, ids=lambda v: str(v)[:30])
def test_each_code_writes_the_sentence_the_engine_wrote_before(
    code: str, params: dict[str, Any], sentence: str
) -> None:
    reason = Reason(code, params)
    assert reason.text == sentence
    assert str(reason) == sentence
    read = parse(sentence)  # numbers come back as written: 23.5, not 23.456
    assert read is not None and (read.code, read.text) == (code, sentence)


def test_every_reason_of_the_golden_rankings_reads_back_to_the_same_sentence() -> None:
    golden = json.loads(GOLDEN.read_text())
    sentences = {
        text
        for rankings in golden.values()
        for ranking in rankings
        for result in ranking["results"]
        for text in result["reasons"]
    }
    assert len(sentences) > 100
    unread = sorted(s for s in sentences if (r := parse(s)) is None or r.text != s)
    assert unread == []


def test_a_reason_names_the_field_and_what_is_allowed() -> None:
    with pytest.raises(ReasonError, match=r"field 'code' is 'nonsense'; allowed: \[.*'wish_match'"):
        Reason("nonsense")
    with pytest.raises(ReasonError, match=r"field 'params' has \['km'\].*needs \['km', 'limit'\]"):
        Reason("distance_beyond", {"km": 3.0})


def test_templates_use_only_known_placeholders() -> None:
    for template in [*TEMPLATES.values(), *ITEM_TEMPLATES.values()]:
        assert placeholders(template) <= {
            *{name for t in TEMPLATES.values() for name in placeholders(t)},
            "schedule",
            "condition",
            "evidence",
            "title",
            "group",
        }


def test_a_sentence_no_template_writes_stays_a_string() -> None:
    assert parse("a sentence from elsewhere") is None
    values = [Reason("distance", {"km": 3.4})]
    assert explained(["3.4 km from home"], values) == values
    # The values no longer say the sentences: each sentence is read back, or kept.
    assert explained(["matches 'x'", "free text"], values) == [
        Reason("wish_match", {"wish": "x"}),
        "free text",
    ]


def test_carried_values_are_not_part_of_the_contract() -> None:
    def result() -> RankedOpening:
        return RankedOpening(
            rank=1,
            opening_id="o-1",
            employer_id="e-1",
            score=0.5,
            preference_fit=0.5,
            competency_fit=0.5,
            contact="self",
        )

    carried = result().with_reasons([Reason("distance", {"km": 3.4}), "as written"])
    plain = result().with_reasons(["3.4 km from home", "as written"])
    assert carried == plain
    assert carried.model_dump_json() == plain.model_dump_json()
    assert "Reason" not in carried.model_dump_json()
    assert carried.explained() == [Reason("distance", {"km": 3.4}), "as written"]
