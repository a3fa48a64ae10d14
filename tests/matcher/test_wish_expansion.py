"""The wish expansion: a wish said as a task or a feeling, looked for as the work it names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from builders import candidate, opening
from fakes import FakeEncoder

from matcher.bridge import WishVariants
from matcher.encoders import CachedEncoder
from matcher.errors import EncoderError, NotFittedError
from matcher.ranker import PreferenceRanker
from matcher.scoring import ScoringWeights
from matcher.text import normalise
from matcher.wish_expansion import (
    EXPANSION_COLUMNS,
    Expansion,
    WishExpansion,
    packaged_expansions,
    read_expansions,
)

DAY = date(2026, 12, 2)
ENTRIES = [
    Expansion(("noget med hænderne", "working with my hands"), "montage og håndværk", "assembly"),
    Expansion(("være udenfor", "being outdoors"), "parkarbejde og gartner", "park keeping"),
    Expansion(("rolige omgivelser",), "arkiv og bibliotek", "archive and library"),
    Expansion(("rolige opgaver",), "sortering", "sorting"),
]


def _variants(wishes: list[str], **settings: float) -> dict[str, list[str]]:
    encoder = CachedEncoder(FakeEncoder())
    expansion = WishExpansion(ENTRIES, **settings).fit(encoder)
    found = expansion.variants(wishes, encoder.encode(wishes, "query"))
    assert not found.confirming().any()
    said: dict[str, list[str]] = {}
    for text, owner in zip(found.texts, found.owner, strict=True):
        said.setdefault(wishes[int(owner)], []).append(text)
    return said


def test_a_wish_that_is_a_phrasing_gets_the_work_in_both_languages() -> None:
    assert _variants(["Noget med hænderne", "lagerarbejde", "being outdoors"]) == {
        "Noget med hænderne": ["montage og håndværk", "assembly"],
        "being outdoors": ["parkarbejde og gartner", "park keeping"],
    }


def test_a_wish_between_two_entries_gets_nothing_without_a_clear_margin() -> None:
    # "rolige" is shared by two entries; at a low similarity both are near.
    wish = ["rolige omgivelser opgaver"]
    assert _variants(wish, similarity=0.5, margin=0.05) == {}
    # With no margin asked, the nearer entry is taken.
    assert list(_variants(wish, similarity=0.5, margin=0.0)) == wish
    assert _variants(wish, similarity=0.99) == {}


def test_settings_and_fitting_are_checked() -> None:
    encoder = CachedEncoder(FakeEncoder())
    with pytest.raises(NotFittedError):
        WishExpansion(ENTRIES).variants(["x"], np.zeros((1, 256), dtype=np.float32))
    with pytest.raises(ValueError, match="similarity"):
        WishExpansion(ENTRIES, similarity=1.5).fit(encoder)
    with pytest.raises(ValueError, match="margin"):
        WishExpansion(ENTRIES, margin=-1).fit(encoder)
    with pytest.raises(ValueError, match="at least one"):
        WishExpansion([]).fit(encoder)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "expansions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_with_other_columns_is_refused_naming_them(tmp_path: Path) -> None:
    path = _write(tmp_path, "wish,work\nx,y\n")
    with pytest.raises(EncoderError, match=r"phrasings, work_da, work_en.*got wish, work"):
        read_expansions(path)


def test_a_phrasing_under_two_entries_is_refused_naming_both_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "phrasings,work_da,work_en\nbiler|motorer,mekaniker,mechanic\nMotorer,smed,smith\n",
    )
    with pytest.raises(EncoderError, match=r"line 3: the phrasing 'motorer' is already on line 2"):
        read_expansions(path)


def test_an_entry_without_its_work_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "phrasings,work_da,work_en\nbiler,mekaniker,\n")
    with pytest.raises(EncoderError, match="line 2: 'phrasings', 'work_da' and 'work_en'"):
        read_expansions(path)
    with pytest.raises(EncoderError, match="cannot read"):
        read_expansions(tmp_path / "missing.csv")


def test_the_packaged_list_reads_and_names_each_phrasing_once() -> None:
    entries = packaged_expansions()
    assert len(entries) >= 50
    phrasings = [normalise(p) for entry in entries for p in set(entry.phrasings)]
    assert len({p for p in phrasings}) == len({*phrasings})
    assert all(entry.work_da != entry.work_en for entry in entries)
    assert EXPANSION_COLUMNS == ("phrasings", "work_da", "work_en")


def test_joined_variants_keep_their_order_owners_and_confirmation() -> None:
    one = WishVariants(["a"], np.array([0]), np.ones((1, 2), dtype=np.float32))
    two = WishVariants(
        ["b", "c"], np.array([1, 1]), np.zeros((2, 2), dtype=np.float32), np.array([False, False])
    )
    joined = WishVariants.joined([one, WishVariants.none(), two])
    assert joined.texts == ["a", "b", "c"]
    assert joined.owner.tolist() == [0, 1, 1]
    assert joined.confirming().tolist() == [True, False, False]
    assert joined.vectors is not None and joined.vectors.shape == (3, 2)
    assert WishVariants.joined([WishVariants.none()]).texts == []
    with pytest.raises(ValueError, match="vectors"):
        WishVariants.joined([one, WishVariants(["d"], np.array([0]))])


def test_the_work_a_wish_names_ranks_but_never_says_matches() -> None:
    # The packaged list reads "noget med hænderne" as assembly and crafts; the fake
    # encoder knows only shared words, so the wanted opening shares the list's words.
    (entry,) = [e for e in packaged_expansions() if "noget med hænderne" in e.phrasings]
    catalogue = [
        opening("o-work", "Montør", entry.work_da),
        opening("o-other", "Bogholder", "Bogføring og fakturering af regninger."),
    ]
    person = candidate(["noget med hænderne"])
    expanded = PreferenceRanker(FakeEncoder()).fit(catalogue).rank(person, k=2, on=DAY)
    off = PreferenceRanker(FakeEncoder(), weights=ScoringWeights(expansion_similarity=2.0))
    plain = off.fit(catalogue).rank(person, k=2, on=DAY)
    first = expanded.results[0]
    assert first.opening_id == "o-work"
    unexpanded = next(r for r in plain.results if r.opening_id == "o-work")
    assert first.preference_fit > unexpanded.preference_fit
    # The list's reading of the wish is not the person's words: no "matches".
    assert not first.reasons[0].startswith("matches")
    assert "noget med hænderne" in first.reasons[0]


def test_a_wish_matched_in_the_person_s_words_is_named_before_a_reading() -> None:
    # "noget med hænderne" fits best through the list's reading (the text is the
    # reading's words), but only partly; "tømrer" is confirmed by the title.
    (entry,) = [e for e in packaged_expansions() if "noget med hænderne" in e.phrasings]
    catalogue = [
        opening("o-work", "Samling og reparation af ting, tømrer", entry.work_da),
        opening("o-other", "Bogholder", "Bogføring og fakturering af regninger."),
    ]
    ranker = PreferenceRanker(FakeEncoder()).fit(catalogue)
    alone = ranker.rank(candidate(["noget med hænderne"]), k=1, on=DAY).results[0]
    assert alone.reasons[0] == "partly matches 'noget med hænderne'"
    both = ranker.rank(candidate(["noget med hænderne", "tømrer"]), k=1, on=DAY).results[0]
    assert both.opening_id == "o-work"
    assert both.reasons[0] == "matches 'tømrer'"
