"""Every text of the pages has a Danish translation, and Danish formats are Babel's."""

from __future__ import annotations

from datetime import date

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from service.web import i18n

WEB = i18n.LOCALE_DIR.parent


def _page_texts() -> set[str]:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(str(WEB), method_map, options_map=options, keywords={"_": None})
    return {str(message) for _, _, message, _, _ in found}


def test_every_page_text_has_a_danish_translation() -> None:
    texts = _page_texts()
    assert len(texts) > 150  # the extractor found the templates
    with i18n.catalogue_path("da").open("rb") as source:
        danish = {m.id: m.string for m in read_po(source) if m.id}
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
