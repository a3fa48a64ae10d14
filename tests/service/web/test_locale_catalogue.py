"""Every text of the pages has a Danish translation, and Danish formats are Babel's."""

from __future__ import annotations

from datetime import date

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from matcher.conditions import CONDITIONS
from matcher.reasons import ITEM_TEMPLATES, TEMPLATES, Mention, Reason, placeholders
from service.web import i18n
from service.web.labels import CONDITIONS as CONDITION_LABELS
from service.web.reasons import ReasonWords, reason_words

WEB = i18n.LOCALE_DIR.parent


def _page_texts() -> set[str]:
    # As the README's `pybabel extract -F babel.cfg -k _ -k N_` finds them.
    with (WEB / "babel.cfg").open() as config:
        method_map, options = parse_mapping_cfg(config)
    keywords = {"_": None, "N_": None}
    found = extract_from_dir(str(WEB), method_map, options_map=options, keywords=keywords)
    return {str(message) for _, _, message, _, _ in found}


def _danish() -> dict[str, str]:
    with i18n.catalogue_path("da").open("rb") as source:
        return {m.id: m.string for m in read_po(source) if m.id}


def test_every_page_text_has_a_danish_translation() -> None:
    texts = _page_texts()
    assert len(texts) > 150  # the extractor found the templates
    danish = _danish()
    missing = sorted(t for t in texts if not danish.get(t))
    assert missing == [], "run the catalogue update in the README's 'Web pages' section"


def test_the_compiled_catalogue_translates_and_english_is_the_message_ids() -> None:
    assert i18n.translations("da").gettext("Caseload") == "Sagsstamme"
    assert i18n.translations("en").gettext("Caseload") == "Caseload"
    assert i18n.chosen_language("fr") == "da"


def test_danish_dates_and_numbers() -> None:
    danish = i18n.Formats("da")
    assert danish.day(date(2026, 12, 1)) == "1. dec. 2026"
    assert danish.number(1234.56) == "1.234,6"
    assert i18n.Formats("en").number(1234.56) == "1,234.6"


def test_every_reason_code_has_a_danish_translation_with_the_same_parts() -> None:
    danish = _danish()
    texts = _page_texts()
    for code, template in {**TEMPLATES, **ITEM_TEMPLATES}.items():
        assert template in texts, f"reason {code!r} is not extracted for the catalogue"
        translation = danish.get(template)
        assert translation, f"reason {code!r} has no Danish translation: {template!r}"
        assert placeholders(translation) == placeholders(template), code


def test_every_workplace_condition_has_a_label() -> None:
    assert sorted(CONDITION_LABELS) == sorted(c.name for c in CONDITIONS)


def test_reasons_in_danish_with_danish_numbers_and_words() -> None:
    words = reason_words("da")
    assert words(Reason("distance", {"km": 3.44})) == ("3,4 km fra hjemmet", None)
    assert words("12.5 km from home, beyond 7.5 km").text == "12,5 km fra hjemmet, mere end 7,5 km"
    assert words(Reason("schedule_wanted", {"schedules": ("day", "weekend")})).text == (
        "dag, weekend som ønsket"
    )
    assert words(Reason("job_unwanted", {"kinds": ("education", "job")})).text == (
        "et job; personen ønsker uddannelse eller job"
    )
    avoided = Reason(
        "avoid_conditions",
        {"phrase": "nattevagter", "conditions": (Mention("night work", "03-06"),)},
    )
    assert words(avoided).text == (
        "kan indebære 'nattevagter (natarbejde, teksten siger \"03-06\")', som personen vil undgå"
    )
    assert words(Reason("needs_language", {"language": "en"})).text == "kræver sproget engelsk"
    hired = Reason("hired_many", {"count": 1200, "field": "work such as 'Lager'"})
    assert words(hired).text == (
        "har ansat 1.200 personer inden for arbejde som 'Lager' de seneste 12 måneder"
    )
    # What the person wrote stays as written, English or not.
    assert words(Reason("wish_match", {"wish": "animal care"})).text == "passer til 'animal care'"


def test_a_reason_without_a_translation_is_shown_in_english() -> None:
    words = reason_words("da")
    assert words("a sentence no template writes") == ("a sentence no template writes", "en")
    untranslated = ReasonWords("da")
    untranslated._templates["distance"] = TEMPLATES["distance"]
    assert untranslated(Reason("distance", {"km": 3.0})) == ("3.0 km from home", "en")
    broken = ReasonWords("da")
    broken._templates["distance"] = "{kilometres} km"
    assert broken(Reason("distance", {"km": 3.0})) == ("3.0 km from home", "en")
    assert reason_words("en")(Reason("distance", {"km": 3.0})) == ("3.0 km from home", None)
