"""One way to build the engine: encoder, imports and weights, for every path.

``ipsmatch rank``, the service and the evaluation all call `build_engine`
with plain arguments (a model folder, the data folder holding the imports,
weights, a cache folder) and rank with rankers from `Engine.ranker`, so they
rank the same way: with the same encoder, the imported taxonomy (``taxonomy/``)
and postcode table (``geo/``), and the same weights.

An import replaces its file in one rename; `Engine.refreshed` compares the
files' stamps and returns an engine on the new imports (same encoder, same
cache) when they changed, so a long-running service picks up an import on
its next fit without a restart.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.encoders import (
    DEFAULT_BACKEND,
    DEFAULT_QUANTISATION,
    CachedEncoder,
    EmbeddingCache,
    EncoderBackend,
    Quantisation,
    SentenceTransformerEncoder,
    TextEncoder,
)
from matcher.language_space import LanguageNeutraliser
from matcher.occupations import OccupationMapper
from matcher.places import POSTCODES_FILENAME, PostcodeTable, packaged_postcodes
from matcher.ranker import Postcodes, PreferenceRanker
from matcher.scoring import ScoringWeights
from matcher.taxonomy import TAXONOMY_FILENAME, Taxonomy, packaged_taxonomy
from matcher.vector_cache import DEFAULT_MAX_ENTRIES

TAXONOMY_DIR = "taxonomy"
GEO_DIR = "geo"
# Per imported file: (inode, modification time, size); None where nothing is imported.
ImportStamp = tuple[tuple[int, int, int] | None, ...]


def _file_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return (status.st_ino, status.st_mtime_ns, status.st_size)


def imports_stamp(data_dir: Path | None) -> ImportStamp:
    """What is imported under `data_dir`, cheaply: changes whenever an import replaces a file."""
    if data_dir is None:
        return (None, None)
    return (
        _file_stamp(data_dir / TAXONOMY_DIR / TAXONOMY_FILENAME),
        _file_stamp(data_dir / GEO_DIR / POSTCODES_FILENAME),
    )


@dataclass(frozen=True)
class Imports:
    """The taxonomy and postcode table imported under a data folder (either may be absent)."""

    taxonomy: Taxonomy | None = None
    # Postcode → (lat, lon): an imported `PostcodeTable`, or any mapping given in code.
    postcodes: Postcodes | None = None
    stamp: ImportStamp = (None, None)


def load_imports(data_dir: Path | None) -> Imports:
    """The imports saved under `data_dir` (``taxonomy/``, ``geo/``), else the packaged tables.

    Postcodes are always placed: with the imported table, else the Danish table
    shipped with ipsmatch, so a stated commute limit is never silently off.
    With a data folder (every command, the service and the evaluation give one)
    occupations come from the imported taxonomy, else the packaged DISCO-08
    titles; without one (a library caller's quick ranker) there is no taxonomy.
    A saved file that cannot be read raises `StoredDataError` naming it.
    """
    if data_dir is None:
        return Imports(postcodes=load_postcodes(None))
    stamp = imports_stamp(data_dir)
    taxonomy_dir = data_dir / TAXONOMY_DIR
    taxonomy = Taxonomy.load(taxonomy_dir) if Taxonomy.exists(taxonomy_dir) else None
    return Imports(
        taxonomy=taxonomy if taxonomy is not None else packaged_taxonomy(),
        postcodes=load_postcodes(data_dir),
        stamp=stamp,
    )


def load_postcodes(data_dir: Path | None) -> PostcodeTable:
    """The postcode table imported under `data_dir` (``geo/``), else the packaged Danish one.

    Cheap next to `load_imports` (no taxonomy): commands check their input files'
    postcodes with it before they load a model.
    """
    geo_dir = data_dir / GEO_DIR if data_dir is not None else None
    if geo_dir is not None and PostcodeTable.exists(geo_dir):
        return PostcodeTable.load(geo_dir)
    return packaged_postcodes()


def model_encoder(
    model_dir: Path,
    cache_dir: Path | None = None,
    *,
    backend: EncoderBackend = DEFAULT_BACKEND,
    quantisation: Quantisation = DEFAULT_QUANTISATION,
    cache_entries: int = DEFAULT_MAX_ENTRIES,
    language_neutral: bool = True,
) -> CachedEncoder:
    """A sentence-transformers folder's encoder, with its vector cache under `cache_dir`.

    One bounded cache store (``cache_dir/vectors``) serves every model: its keys
    name the model, backend and quantisation. Without `cache_dir` vectors are
    cached in memory only. With `language_neutral` every vector loses the
    direction that tells Danish from English (`matcher.language_space`), after
    the cache; the encoder's `model_id` says so.
    """
    encoder = SentenceTransformerEncoder(model_dir, backend=backend, quantisation=quantisation)
    transform = LanguageNeutraliser() if language_neutral else None
    if cache_dir is None:
        return CachedEncoder(encoder, transform=transform)
    cache = EmbeddingCache(cache_dir / "vectors", max_entries=cache_entries)
    return CachedEncoder(encoder, cache, transform=transform)


@dataclass(frozen=True)
class Engine:
    """The encoder, the imports and the weights every ranker of one engine shares."""

    encoder: CachedEncoder
    imports: Imports = Imports()
    weights: ScoringWeights | None = None
    # Where the imports come from (for `refreshed`); None: they never change.
    data_dir: Path | None = None
    # Fitted on `imports.taxonomy` once, shared by every ranker (None without a taxonomy).
    occupation_mapper: OccupationMapper | None = None

    @property
    def taxonomy(self) -> Taxonomy | None:
        return self.imports.taxonomy

    @property
    def postcodes(self) -> Postcodes | None:
        return self.imports.postcodes

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    def ranker(self, weights: ScoringWeights | None = None, **settings: Any) -> PreferenceRanker:
        """An unfitted `PreferenceRanker` of this engine (`weights` override the engine's)."""
        return PreferenceRanker(
            self.encoder,
            weights=weights if weights is not None else self.weights,
            postcodes=self.postcodes,
            taxonomy=self.taxonomy,
            occupation_mapper=self.occupation_mapper,
            **settings,
        )

    def refreshed(self) -> Engine:
        """This engine, or one on the new imports if the data folder's imports changed."""
        if self.data_dir is None or imports_stamp(self.data_dir) == self.imports.stamp:
            return self
        imports = load_imports(self.data_dir)
        mapper = None
        if imports.taxonomy is not None:
            mapper = _fitted_mapper(self.encoder, imports.taxonomy, None)
        return dataclasses.replace(self, imports=imports, occupation_mapper=mapper)


def _fitted_mapper(
    encoder: CachedEncoder, taxonomy: Taxonomy, progress: Callable[[int], None] | None
) -> OccupationMapper:
    return OccupationMapper(encoder).fit(taxonomy, progress=progress)


def build_engine(
    model_dir: Path | None = None,
    data_dir: Path | None = None,
    *,
    weights: ScoringWeights | None = None,
    cache_dir: Path | None = None,
    encoder: TextEncoder | CachedEncoder | None = None,
    progress: Callable[[int], None] | None = None,
    language_neutral: bool = True,
) -> Engine:
    """The engine: the encoder of `model_dir` (or `encoder`), the imports under `data_dir`.

    Parameters
    ----------
    model_dir:
        A sentence-transformers folder; ignored when `encoder` is given.
    data_dir:
        The folder holding the imports (``taxonomy/``, ``geo/``); None for none.
    weights:
        Scoring weights of every ranker; None for the defaults.
    cache_dir:
        Where encoded vectors are cached on disk (see `model_encoder`).
    encoder:
        An encoder to use instead of loading `model_dir` (tests pass a fake one).
    progress:
        Called with the number of taxonomy texts encoded as the occupation index is fitted.
    language_neutral:
        Remove the Danish-English direction from the vectors of `model_dir`'s
        encoder (see `model_encoder`); a given `encoder` is used as it is.
    """
    if encoder is None:
        if model_dir is None:
            raise ValueError("build_engine needs a model_dir or an encoder")
        cached = model_encoder(model_dir, cache_dir, language_neutral=language_neutral)
    elif isinstance(encoder, CachedEncoder):
        cached = encoder
    else:
        cached = CachedEncoder(encoder)
    imports = load_imports(data_dir)
    mapper = None
    if imports.taxonomy is not None:
        mapper = _fitted_mapper(cached, imports.taxonomy, progress)
    return Engine(
        encoder=cached,
        imports=imports,
        weights=weights,
        data_dir=data_dir,
        occupation_mapper=mapper,
    )
