"""The lexical channel: character n-grams, and with `word_starts` only where words begin alike."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import lexical
from matcher.lexical import (
    MIN_WORD_START,
    LexicalChannel,
    goes_on_from,
    same_word,
    says_no_more,
    starts_a_head,
    starts_a_modifier,
    title_heads,
)
from matcher.text import words

TITLES = ["Bagagemedarbejder", "Bagermedhjælper", "Plum picker", "Plumber's mate", "Kok"]


def test_without_word_starts_words_sharing_letters_count() -> None:
    similarity = LexicalChannel().fit(TITLES).similarity(["bager", "plumber"])
    assert similarity[0, 0] > 0  # "bager" and "bagage" share "bag"
    assert similarity[1, 2] > 0  # "plumber" and "plum"


def test_with_word_starts_only_a_word_that_starts_a_title_word_counts() -> None:
    plain = LexicalChannel().fit(TITLES).similarity(["bager", "plumber"])
    gated = LexicalChannel(word_starts=True).fit(TITLES).similarity(["bager", "plumber"])
    # Look-alikes: the wish's word starts no word of the title.
    assert gated[0, 0] == 0.0 and gated[1, 2] == 0.0
    # A compound's first part and the same word keep their n-gram cosine unchanged.
    assert gated[0, 1] == pytest.approx(plain[0, 1]) and gated[0, 1] > 0
    assert gated[1, 3] == pytest.approx(plain[1, 3]) and gated[1, 3] > 0


def test_short_words_open_nothing() -> None:
    channel = LexicalChannel(word_starts=True).fit(["IT-supporter", "Kok"])
    # "it" is too short to start a word; "supporter" starts with "support".
    assert channel.similarity(["it"])[0, 0] == 0.0
    assert channel.similarity(["IT-support"])[0, 0] > 0
    assert channel.similarity(["kok"])[0, 1] == pytest.approx(1.0)


def test_added_documents_are_gated_like_fitted_ones() -> None:
    channel = LexicalChannel(word_starts=True).fit(TITLES)
    channel.add(["Bager", "Bagageafdeling"])
    similarity = channel.similarity(["bager"], rows=np.array([5, 6]))
    assert similarity[0, 0] == pytest.approx(1.0)
    assert similarity[0, 1] == 0.0


def test_an_empty_channel_gives_an_empty_similarity() -> None:
    channel = LexicalChannel(word_starts=True).fit([])
    assert channel.similarity(["bager"]).shape == (1, 0)


def _gated_by_definition(
    channel: LexicalChannel, titles: list[str], phrases: list[str]
) -> np.ndarray:
    """The n-gram cosine, zero where no word of the phrase starts a head of the document."""
    plain = np.asarray((channel.transform(phrases) @ channel.matrix_.T).toarray())
    for j, phrase in enumerate(phrases):
        for i, document in enumerate(titles):
            if not any(
                d.startswith(w)
                for w in words(phrase)
                if len(w) >= MIN_WORD_START
                for d in title_heads(document)
            ):
                plain[j, i] = 0.0
    return plain


_WORD = st.sampled_from(
    ["bager", "bagage", "kok", "køkken", "plum", "plumber", "lager", "lagerarbejder", "it", "pak"]
)


@given(
    titles=st.lists(st.lists(_WORD, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=8),
    phrases=st.lists(st.lists(_WORD, min_size=1, max_size=2).map(" ".join), min_size=1, max_size=4),
)
@settings(max_examples=60, deadline=None)
def test_gated_similarity_is_the_cosine_where_a_word_starts_a_title_head(
    titles: list[str], phrases: list[str]
) -> None:
    channel = LexicalChannel(word_starts=True).fit(titles)
    expected = _gated_by_definition(channel, titles, phrases)
    np.testing.assert_allclose(channel.similarity(phrases), expected, atol=1e-6)
    # Asked again (from the memo), and for a subset of rows in any order.
    rows = np.arange(len(titles))[::-1]
    np.testing.assert_allclose(channel.similarity(phrases, rows), expected[:, rows], atol=1e-6)


def test_a_copy_extended_with_documents_keeps_the_original_readings() -> None:
    original = LexicalChannel(word_starts=True).fit(["Bager", "Kok"])
    before = original.similarity(["bager"])
    extended = copy.copy(original)
    extended.add(["Bagerlærling"])
    assert extended.similarity(["bager"])[0, 2] > 0
    np.testing.assert_array_equal(original.similarity(["bager"]), before)
    assert original.similarity(["bager"]).shape == (1, 2)


def test_a_full_memo_starts_afresh_and_answers_stay_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lexical, "PHRASE_MEMO_SIZE", 2)
    channel = LexicalChannel(word_starts=True).fit(["Bager", "Kok", "Lagerarbejder"])
    first = channel.similarity(["bager", "kok", "lager"])
    assert len(channel.phrase_memo_) <= 2
    np.testing.assert_array_equal(channel.similarity(["bager", "kok", "lager"]), first)


@pytest.mark.parametrize(
    ("title", "heads"),
    [
        ("Mail server administrator", {"administrator"}),
        ("Painter and decorator", {"painter", "decorator"}),
        ("Kok til kantinen", {"kok"}),
        ("Plumber's mate", {"mate", "plumber"}),
        ("Dyrepasser-medhjælper", {"medhjælper", "dyrepasser"}),
        ("Medarbejder, lagerarbejde", {"medarbejder", "lagerarbejde"}),
        ("Chaufførernes planlægger", {"planlægger"}),
        ("Bike courier (part time)", {"courier", "time"}),
        # The one-letter Danish preposition "i" ends the head's part too.
        ("Ekspedient i tøjbutik", {"ekspedient"}),
        ("Slagter i supermarked", {"slagter"}),
    ],
)
def test_a_title_s_heads_are_the_last_words_of_its_parts(title: str, heads: set[str]) -> None:
    assert title_heads(title) == heads


def test_a_wish_word_confirms_only_at_the_start_of_a_head() -> None:
    assert starts_a_head(["mail carrier"], "Postal worker, mail route") is False
    assert starts_a_head(["mail carrier"], "Mail server administrator") is False
    assert starts_a_head(["noget med dyr"], "Dyrepasser-medhjælper") is True
    assert starts_a_head(["bager"], "Bagermedhjælper") is True
    assert starts_a_head(["x", "driver"], "Delivery driver") is True
    # A stem: "walking" is "walker"'s work; an industry in brackets is a head.
    assert starts_a_head(["dog walking"], "Dog walker") is True
    assert starts_a_head(["landbrug"], "Malkemedhjælper (Landbrug)") is True


def test_a_helper_head_alone_confirms_only_where_the_title_names_no_other_work() -> None:
    assert starts_a_head(["pharmacy assistant"], "Farm assistant") is False
    assert starts_a_head(["pharmacy assistant"], "Pharmacy assistant") is True
    assert starts_a_head(["medhjælper"], "Medhjælper i SFO") is True
    assert starts_a_head(["office assistant"], "Assistant (Office)") is True
    assert starts_a_head(["office assistant"], "Assistant (Warehouse)") is False


def test_a_wish_word_that_starts_only_a_title_s_other_words_names_a_modifier() -> None:
    assert starts_a_modifier(["sy og reparere tøj"], "Ekspedient i tøjbutik") is True
    assert starts_a_modifier(["slagter"], "Laborant på slagteri") is True
    assert starts_a_modifier(["slagter"], "Slagter i supermarked") is False
    assert starts_a_modifier(["maler"], "Malker på kvæggård") is False


def test_a_title_word_that_is_the_wish_s_own_word_is_no_modifier() -> None:
    # The workplace the wish names, as a whole word: work in it, not about it.
    assert starts_a_modifier(["cleaning rooms in a hotel"], "Rengøring på hotel") is False
    assert starts_a_modifier(["hoteller"], "Rengøring på hotellet") is False
    # Only a longer compound or a derivation of the wish's word is a modifier.
    assert starts_a_modifier(["noget med børn"], "Pædagogmedhjælper i børnehave") is True
    assert starts_a_modifier(["passe små børn"], "Ekspedient i børnetøjsbutik") is True


def test_same_word_reads_plural_and_article_endings_but_not_derivations() -> None:
    assert same_word("hotel", "hotel") is True
    assert same_word("hotellet", "hotel") is True
    assert same_word("børn", "børnene") is True
    assert same_word("butik", "butikker") is True
    assert same_word("slagter", "slagteri") is False
    assert same_word("tøj", "tøjbutik") is False
    assert same_word("hotel", "motel") is False


@settings(deadline=None)
@given(
    titles=st.lists(st.lists(_WORD, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=10),
    added=st.lists(st.lists(_WORD, min_size=1, max_size=3).map(" ".join), max_size=5),
    phrases=st.lists(st.lists(_WORD, min_size=1, max_size=2).map(" ".join), min_size=1, max_size=3),
    word_starts=st.booleans(),
)
def test_distinct_documents_give_exactly_the_similarities_of_every_document(
    titles: list[str], added: list[str], phrases: list[str], word_starts: bool
) -> None:
    every = LexicalChannel(word_starts=word_starts).fit(titles)
    distinct = LexicalChannel(word_starts=word_starts, distinct_documents=True).fit(titles)
    assert distinct.matrix_.shape[0] == len(set(titles))
    assert np.array_equal(distinct.vectorizer_.idf_, every.vectorizer_.idf_)
    assert np.array_equal(distinct.similarity(phrases), every.similarity(phrases))
    every.add(added)
    distinct.add(added)
    rows = np.arange(len(titles) + len(added))[::-1]
    # An added text already fitted reads that text's fitted row, where every document's
    # channel reads it anew (its n-grams summed in another order): the last bit may differ.
    np.testing.assert_allclose(
        distinct.similarity(phrases, rows), every.similarity(phrases, rows), rtol=1e-6, atol=0
    )


def test_distinct_documents_need_min_df_one() -> None:
    with pytest.raises(ValueError, match="min_df=1"):
        LexicalChannel(min_df=2, distinct_documents=True).fit(["a", "b"])


@pytest.mark.parametrize(
    ("wish", "title", "confirmed"),
    [
        # Compounds and inflections of the wish's word.
        ("skov", "Skovhjælper", True),
        ("bager", "Bagerlærling", True),
        ("rengøring", "Rengøringsassistent", True),
        ("truck", "Truckfører", True),
        ("gardening", "Gardener", True),
        ("pleje", "Plejehjemsassistent", True),
        # Another word that only begins with the wish's letters.
        ("skov", "Skovlfabrik, montage", False),
        ("sko", "Skovhjælper", False),
        ("maler", "Malker", False),
    ],
)
def test_a_title_word_confirms_a_wish_word_only_where_it_goes_on_as_a_word_would(
    wish: str, title: str, confirmed: bool
) -> None:
    assert starts_a_head([wish], title) is confirmed


@given(
    st.text(alphabet="abdefgklmnoprstuvæøå", min_size=3, max_size=10),
    st.sampled_from(["", "e", "er", "ing", "s", "en", "medarbejder", "hjælper", "slærling"]),
)
def test_a_word_goes_on_from_itself_into_any_ending_or_compound(word: str, rest: str) -> None:
    assert goes_on_from(word + rest, len(word))


def test_says_no_more_reads_each_word_of_the_phrase_in_the_other() -> None:
    assert says_no_more("bage brød", "bage brød og kager") is True
    assert says_no_more("sygeplejerske", "sygepleje") is True
    assert says_no_more("working with animals", "I want to work with animals") is True
    assert (
        says_no_more("gør rent på kontorer om morgenen", "gøre rent på kontorer om aftenen")
        is False
    )
    assert says_no_more("store manager", "store") is False


def test_a_wish_word_in_a_title_s_modifier_only_gives_no_lexical_fit() -> None:
    # "driving" names what the school teaches, not the receptionist's work.
    titles = ["Driving school receptionist", "Driver", "Bed shop sales assistant"]
    channel = LexicalChannel(word_starts=True).fit(titles)
    fit = channel.similarity(["driving", "driver", "beds", "sales"])
    assert fit[0, 0] == 0.0
    assert fit[1, 1] > 0.0
    assert fit[2, 2] == 0.0
    assert fit[3, 2] > 0.0
