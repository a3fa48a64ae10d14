"""Workplace conditions people often want to avoid, in Danish and English.

A small sentence encoder is good at telling "animal care" from "IT support",
but poor at telling whether one sentence mentions customers: "kundekontakt"
is about as close to an IT job text as to a shop job text. Avoid checks must
not sink good jobs by mistake, so conditions are found in openings through
these word lists (both languages), and a person's own phrase is linked to a
condition by its words or, failing that, by meaning (the encoder compares
short phrases with short labels well). Because every condition's signs are
in both languages, an avoided phrase in Danish finds an English opening and
the reverse: the phrase names a condition, the condition is looked for.

`find_conditions` returns each mention with the words that showed it, so a
reason can quote the text ("the text says personal care: 'hjælp til bad'").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from matcher.text import normalise


@dataclass(frozen=True)
class Condition:
    name: str
    # How people phrase it; the encoder links a person's phrase to these.
    labels: tuple[str, ...]
    # Word starts that show the condition in an opening's text.
    signs: tuple[str, ...]
    # Parts of Danish compounds that show it anywhere in a word ("plejehjemsbeboere").
    inner: tuple[str, ...] = ()
    # Regular expressions for signs that a word start cannot express ("25 kg", "nat" alone).
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConditionMention:
    """One place in a text that shows a condition: its name and the words, with offsets."""

    condition: str
    span: str
    start: int
    end: int


CONDITIONS: tuple[Condition, ...] = (
    Condition(
        "customer contact",
        (
            "kundekontakt",
            "kundeservice",
            "betjene kunder",
            "kontakt med mennesker",
            "customer contact",
            "customer service",
            "dealing with the public",
        ),
        (
            "kunde",
            "customer",
            "ekspedi",
            "betjen",
            "salg",
            "sælge",
            "sales",
            "selling",
            "kassen",
            "kassemedarb",
            "kasseekspedi",
            "kassedame",
            "kasseassist",
            "kassearbejd",
            "kassebetjen",
            "cashier",
            "klient",
            "client",
            "gæst",
            "guest",
            "besøgende",
            "visitor",
            "publikum",
            "the public",
            "skranke",
            "front desk",
            "receptionist",
        ),
        inner=("borgerkontakt", "beboerkontakt", "kundekontakt"),
        # Residents, citizens and patients are named in many texts that involve no contact
        # with them ("mad til beboerne"); only the words for being with them count.
        patterns=(
            r"(?<!\w)(?:kontakt|samvær|betjen\w*|hjælpe?r?|pleje|omsorg|hos|contact|help(?:ing|s)?"
            r"|assist(?:ing|s)?|serv(?:ing|es?)|car(?:ing|es?) for|support(?:ing|s)?|talking)"
            r"(?:\s+[\w-]+){0,2}?\s+(?:beboer|borger|resident|patient|pårørende)",
        ),
    ),
    Condition(
        "noise",
        ("støjende miljø", "larm", "støj", "noisy workplace", "loud environment", "noise"),
        ("støj", "larm", "nois", "loud", "høj musik", "høreværn", "hearing protection"),
    ),
    Condition(
        "heavy lifting",
        ("tunge løft", "fysisk hårdt arbejde", "heavy lifting", "physically demanding work"),
        (
            "tunge løft",
            "tungt",
            "heavy",
            "lifting",
            "bæring",
            "fysisk hårdt",
            "fysisk krævende",
            "hårdt fysisk",
            "physically demanding",
        ),
        patterns=(r"\bbære\b", r"\b(?:op til |up to )?\d{2,3}\s?kg\b"),
    ),
    Condition(
        "night work",
        ("nattevagter", "natarbejde", "night shifts", "working at night"),
        (
            "nattevagt",
            "natarbejde",
            "natvagt",
            "nathold",
            "natlig",
            "om natten",
            "night",
            "overnight",
        ),
        patterns=(r"\bnat(?:ten)?\b",),
    ),
    Condition(
        "phone work",
        ("telefonarbejde", "tale i telefon", "phone calls", "call centre"),
        (
            "telefon",
            "phone",
            "opkald",
            "call cent",
            "callcent",
            "calling",
            "ringe til",
            "ringer til",
        ),
    ),
    Condition(
        "time pressure",
        ("stress", "tidspres", "højt tempo", "stressful work", "fast pace"),
        ("travl", "tidspres", "stress", "hektisk", "højt tempo", "busy", "fast-paced", "fast pace"),
    ),
    Condition(
        "driving",
        ("kørsel", "køre bil", "driving"),
        (
            "kørsel",
            "chauffør",
            "varebil",
            "lastbil",
            "kørekort",
            "driving",
            "driver",
            "drive",
            "the company van",
        ),
        patterns=(r"\bkøre[rn]?\b", r"\bvan\b"),
    ),
    Condition(
        "heights",
        ("højder", "arbejde i højden", "heights"),
        ("stillads", "højder", "i højden", "heights", "ladder", "stige", "scaffold"),
        patterns=(r"\bmeters? højde",),
    ),
    Condition(
        "alcohol",
        ("alkohol", "bararbejde", "serving alcohol"),
        ("alkohol", "alcohol", "bartender", "cocktail"),
        patterns=(r"\bpub\b",),
    ),
    Condition(
        "weekend work",
        ("weekendarbejde", "arbejde i weekender", "weekend work"),
        ("weekend", "lørdag", "søndag", "saturday", "sunday"),
    ),
    Condition(
        "personal care",
        ("personlig pleje", "hjælp til bad og toilet", "personal care", "intimate care"),
        (
            "personlig pleje",
            "personlig hygiejne",
            "hjælp til bad",
            "badning",
            "påklædning",
            "toiletbesøg",
            "bleskift",
            "nedre hygiejne",
            "personal care",
            "intimate care",
            "bathing",
            "toileting",
            "personal hygiene",
        ),
        patterns=(r"\bwashing,? (?:and )?dressing\b",),
    ),
    Condition(
        "children",
        ("børn", "arbejde med børn", "children", "working with children", "kids"),
        (
            "børn",
            "vuggestue",
            "dagpleje",
            "daginstitution",
            "fritidsklub",
            "skolebørn",
            "elever",
            "children",
            "child",
            "kids",
            "kindergarten",
            "toddler",
            "pupils",
            "schoolchildren",
        ),
        inner=("børn", "vuggestue"),
    ),
)

# A mention is negated when a negation word comes at most three words before it in
# the same clause: "ingen tunge løft", "no contact with customers", "ingen nattevagter
# eller weekendarbejde". Words of willingness undo it: "ikke bange for tunge løft".
_NEGATED = re.compile(
    r"(?<!\w)(?:ingen|ikke|uden|intet|hverken|aldrig|no|not|without|never|neither|nor)"
    r"\s+(?:[\w-]+\s+){0,3}$",
    re.IGNORECASE,
)
_WILLING = re.compile(r"(?<!\w)(?:bange|afraid|kun|only|mind|problem|problemer)(?!\w)", re.I)


def is_negated(text: str, start: int) -> bool:
    """Whether the mention starting at `start` is negated by the words just before it."""
    before = _NEGATED.search(text, max(0, start - 80), start)
    return before is not None and not _WILLING.search(before.group(0))


def _condition_pattern(condition: Condition) -> re.Pattern[str]:
    alternatives = [rf"(?<!\w){re.escape(sign)}" for sign in condition.signs]
    alternatives += [rf"(?<=\w){re.escape(part)}" for part in condition.inner]
    alternatives += list(condition.patterns)
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


_PATTERNS = tuple(_condition_pattern(c) for c in CONDITIONS)
_WORD_REST = re.compile(r"[\w-]*")
# A cheap test before the full pattern, which is slow to scan (many alternatives behind
# look-behinds, ignoring case): it reads 100,000 openings at every catalogue fit. A sign or
# compound part occurs in the lower-cased text as a substring wherever the full pattern
# matches; only the free-form patterns need a search of their own.
_LITERALS = tuple(tuple(s.lower() for s in (*c.signs, *c.inner)) for c in CONDITIONS)
# Found by comparing re.IGNORECASE with str.lower() over all of Unicode for the signs'
# letters: the dotless i and the long s match "i" and "s" but lower to themselves.
_FOLDED_APART = frozenset("ıſ")
_FREE_FORM = tuple(
    re.compile("|".join(f"(?:{p})" for p in c.patterns), re.IGNORECASE) if c.patterns else None
    for c in CONDITIONS
)


def _may_show(index: int, lowered: str, composed: str) -> bool:
    """False only where the condition's full pattern cannot match `composed`."""
    if any(literal in lowered for literal in _LITERALS[index]):
        return True
    free_form = _FREE_FORM[index]
    return free_form is not None and free_form.search(composed) is not None


def find_conditions(text: str) -> tuple[ConditionMention, ...]:
    """Every condition the text shows, once each, with its first unnegated mention.

    Offsets index the NFC form of `text` (the same as `text` for composed input);
    the span runs to the end of the word the sign starts, so a reason quotes
    "nattevagter", not "nattevagt".
    """
    composed = unicodedata.normalize("NFC", text)
    # Where lowering changes the text's length, or the text holds a character that
    # case-insensitive matching folds onto a sign's letter but lower() keeps, every
    # pattern runs as before.
    lowered = composed.lower()
    exact_prefilter = len(lowered) == len(composed) and _FOLDED_APART.isdisjoint(lowered)
    found: list[ConditionMention] = []
    for index, (condition, pattern) in enumerate(zip(CONDITIONS, _PATTERNS, strict=True)):
        if exact_prefilter and not _may_show(index, lowered, composed):
            continue
        for match in pattern.finditer(composed):
            if is_negated(composed, match.start()):
                continue
            end = _WORD_REST.match(composed, match.end())
            stop = end.end() if end else match.end()
            found.append(
                ConditionMention(
                    condition.name, composed[match.start() : stop], match.start(), stop
                )
            )
            break
    return tuple(found)


def conditions_in_text(text: str) -> int:
    """Bitmask of the conditions an opening's text shows (bit i = `CONDITIONS[i]`)."""
    return conditions_mask(mention.condition for mention in find_conditions(text))


def conditions_mask(names: Iterable[str]) -> int:
    """Bitmask of the named conditions; an unknown name is an error naming the known ones."""
    mask = 0
    for name in names:
        if name not in _BITS:
            raise ValueError(f"unknown condition {name!r}; known: {', '.join(_BITS)}")
        mask |= 1 << _BITS[name]
    return mask


_BITS = {condition.name: bit for bit, condition in enumerate(CONDITIONS)}


def conditions_named_by_words(phrase: str) -> int:
    """Bitmask of conditions whose labels or signs a phrase uses."""
    lowered = normalise(phrase)
    mask = 0
    for bit, condition in enumerate(CONDITIONS):
        if any(label in lowered or lowered in label for label in condition.labels) or any(
            re.search(rf"(?<!\w){re.escape(sign)}", lowered) for sign in condition.signs
        ):
            mask |= 1 << bit
    return mask


def condition_names(mask: int) -> list[str]:
    return [c.name for bit, c in enumerate(CONDITIONS) if mask >> bit & 1]


def all_labels() -> list[tuple[int, str]]:
    """(condition bit, label) for every label, to encode once."""
    return [(bit, label) for bit, c in enumerate(CONDITIONS) for label in c.labels]
