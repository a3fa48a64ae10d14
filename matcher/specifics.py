"""Two short phrases of one kind with different specifics: "truckcertifikat" and
"kranførercertifikat", "B-kørekort" and "C-kørekort", "customer service" and
"telephone service".

The encoder puts such phrases very close (both are certificates, licences,
services), so a required skill of the same kind as a held one looked met. Their
words tell them apart: the same head (the last word, or the shared end of two
compounds) with a different word or compound part before it. A phrase whose
specific part is missing ("Excel" beside "Microsoft Excel") or contained in
the other's ("hygiene certificate", "food hygiene certificate") is not different.
Long texts (past work described in sentences) are not compared: their last
word is no head.
"""

from __future__ import annotations

from matcher.text import words

__all__ = ["differ_in_specifics"]

# A shared end of two one-word compounds at least this long is their common head
# ("certifikat", "arbejde"); shorter shared ends are endings ("-ning", "-er").
MIN_COMPOUND_HEAD = 5
# Phrases of more words than this are descriptions, not names of a skill.
MAX_PHRASE_WORDS = 3


def differ_in_specifics(one: str, other: str) -> bool:
    """Whether `one` and `other` name the same kind of thing with different specifics."""
    first, second = words(one), words(other)
    if not first or not second or max(len(first), len(second)) > MAX_PHRASE_WORDS:
        return False
    if len(first) == 1 and len(second) == 1:
        return _compounds_differ(first[0], second[0])
    if first[-1] != second[-1]:
        return False
    before, after = " ".join(first[:-1]), " ".join(second[:-1])
    return bool(before) and bool(after) and before not in after and after not in before


def _compounds_differ(one: str, other: str) -> bool:
    if one == other:
        return False
    shared = 0
    for a, b in zip(reversed(one), reversed(other), strict=False):
        if a != b:
            break
        shared += 1
    if shared < MIN_COMPOUND_HEAD:
        return False
    before, after = one[: len(one) - shared], other[: len(other) - shared]
    # Both must have a part of their own before the head ("arbejde" is not
    # "lagerarbejde" by other specifics: it has none).
    if not before or not after:
        return False
    # One specific part inside the other ("truck", "truckfører") names the same thing.
    short, long = sorted((before, after), key=len)
    return not (long.startswith(short) or long.endswith(short))
