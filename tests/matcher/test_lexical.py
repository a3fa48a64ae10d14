"""The lexical channel: character n-grams, and with `word_starts` only where words begin alike."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.lexical import LexicalChannel

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
