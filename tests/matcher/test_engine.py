"""The engine factory: encoder, imports and weights, built one way for every path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from builders import candidate, opening
from fakes import FakeEncoder
from test_links import TAXONOMY

from matcher.encoders import CachedEncoder, EmbeddingCache
from matcher.engine import build_engine, imports_stamp, load_imports
from matcher.errors import StoredDataError
from matcher.language_space import LanguageNeutraliser
from matcher.places import Place, PostcodeTable
from matcher.scoring import ScoringWeights

POSTCODES = PostcodeTable([Place("2400", "København NV", 55.7126, 12.5288)])


def test_without_a_data_folder_postcodes_are_packaged_and_there_is_no_taxonomy() -> None:
    engine = build_engine(encoder=FakeEncoder())
    # A stated commute limit is never silently off: the packaged Danish table places postcodes.
    assert engine.taxonomy is None
    assert engine.postcodes is not None and "2400" in engine.postcodes
    assert engine.occupation_mapper is None
    assert isinstance(engine.encoder, CachedEncoder)
    assert engine.refreshed() is engine


def test_a_model_folder_or_an_encoder_is_needed() -> None:
    with pytest.raises(ValueError, match="model_dir or an encoder"):
        build_engine()


def test_the_imports_and_weights_reach_every_ranker(tmp_path: Path) -> None:
    TAXONOMY.save(tmp_path / "taxonomy")
    POSTCODES.save(tmp_path / "geo")
    weights = ScoringWeights(preference=0.7, competency=0.3)
    engine = build_engine(data_dir=tmp_path, encoder=FakeEncoder(), weights=weights)
    ranker = engine.ranker()
    assert ranker.weights is weights
    assert ranker.taxonomy is engine.taxonomy and ranker.postcodes is engine.postcodes
    assert ranker.occupation_mapper is engine.occupation_mapper
    assert engine.ranker(weights=ScoringWeights()).weights == ScoringWeights()
    fitted = ranker.fit([opening("o-dyr", "Hundeluftning", occupation="516400")])
    ranking = fitted.rank(candidate(["noget andet"], occupations=["5164"]))
    assert any(r.startswith("matches occupation 5164") for r in ranking.results[0].reasons)


def test_a_new_import_is_picked_up_and_nothing_else_changes(tmp_path: Path) -> None:
    engine = build_engine(data_dir=tmp_path, encoder=FakeEncoder())
    # Until an import, the packaged tables: every Danish postcode, DISCO-08 titles.
    assert engine.postcodes is not None and len(engine.postcodes) > 1000
    assert engine.taxonomy is not None
    POSTCODES.save(tmp_path / "geo")
    newer = engine.refreshed()
    assert newer is not engine and newer.postcodes is not None and "2400" in newer.postcodes
    assert len(newer.postcodes) == 1
    assert newer.encoder is engine.encoder  # the vectors cached so far are kept
    assert newer.refreshed() is newer  # nothing changed since
    TAXONOMY.save(tmp_path / "taxonomy")
    latest = newer.refreshed()
    assert latest.taxonomy is not None and latest.occupation_mapper is not None


def test_the_stamp_changes_when_an_import_replaces_its_file(tmp_path: Path) -> None:
    path = POSTCODES.save(tmp_path / "geo")
    before = imports_stamp(tmp_path)
    os.utime(path, ns=(0, 0))
    assert imports_stamp(tmp_path) != before
    assert load_imports(tmp_path).stamp == imports_stamp(tmp_path)


def test_an_unreadable_import_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "geo").mkdir()
    (tmp_path / "geo" / "postcodes.json").write_text("{not json", "utf-8")
    with pytest.raises(StoredDataError, match=r"postcodes\.json"):
        build_engine(data_dir=tmp_path, encoder=FakeEncoder())


@pytest.mark.parametrize("language_neutral", [True, False])
def test_the_model_encoder_removes_the_language_direction_unless_told_not_to(
    tmp_path: Path, language_neutral: bool
) -> None:
    # The model is loaded on the first encode only, so an empty folder will do here.
    engine = build_engine(model_dir=tmp_path, language_neutral=language_neutral)
    raw_id = engine.encoder.encoder.model_id
    if language_neutral:
        assert isinstance(engine.encoder.transform, LanguageNeutraliser)
        assert engine.model_id == f"{raw_id}+{engine.encoder.transform.identity}"
    else:
        assert engine.encoder.transform is None
        assert engine.model_id == raw_id
    # Either way the cache holds the model's own vectors, under the model's name.
    assert engine.encoder.cache_key("query", "kok") == EmbeddingCache.key(raw_id, "query", "kok")


def test_a_given_encoder_is_used_as_it_is() -> None:
    assert build_engine(encoder=FakeEncoder()).encoder.transform is None
