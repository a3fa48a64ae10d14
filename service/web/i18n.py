"""Languages of the pages: Danish first, English on request.

Page texts are written in English in the templates and code (the message
ids) and translated from the gettext catalogue ``locale/da/LC_MESSAGES/
messages.po``. The catalogue is compiled in memory when the app starts, so
no compiled ``.mo`` file has to be built or committed. Dates and numbers
are formatted by Babel for the page's locale.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import get_decimal_symbol, get_group_symbol
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "da"
# Page language -> Babel locale for dates and numbers.
LOCALES = {"da": "da_DK", "en": "en_GB"}
LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}
TIME_ZONE = "Europe/Copenhagen"


class CatalogueError(RuntimeError):
    """A message catalogue that cannot be read."""


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of `language` (English, the message ids, needs none)."""
    if language not in LOCALES:
        raise CatalogueError(
            f"language {language!r} has no catalogue; choose one of {sorted(LOCALES)}"
        )
    path = catalogue_path(language)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as source:
        catalogue = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def chosen_language(requested: str | None) -> str:
    return requested if requested in LOCALES else DEFAULT_LANGUAGE


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(LOCALES[language])


@cache
def _separators(language: str) -> dict[int, str]:
    # The locale's symbols, read from Babel's CLDR data once: a page of suggestions
    # formats hundreds of numbers, and Babel looks the symbols up on every call.
    locale = _locale(language)
    return {ord(","): get_group_symbol(locale), ord("."): get_decimal_symbol(locale)}


@dataclass(frozen=True)
class Formats:
    """Dates, times and numbers as the page's locale writes them."""

    language: str

    @property
    def locale(self) -> Locale:
        return _locale(self.language)

    def day(self, value: date | None) -> str:
        return "" if value is None else format_date(value, "medium", locale=self.locale)

    def moment(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, "medium", tzinfo=get_timezone(TIME_ZONE), locale=self.locale)

    def number(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return ""
        text = f"{value:,.{digits}f}"
        if digits:
            text = text.rstrip("0").rstrip(".")  # as the pattern "#,##0.#": no trailing zeros
        return text.translate(_separators(self.language))
