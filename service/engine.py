"""The matching engine inside the service: rankers fitted on the store, kept current.

Opening vectors and the faiss index are derived data. Vectors are kept in
the store's ``text_vectors`` table by `CachedEncoder.cache_key` (model, role
and exact text; the model's own vectors, before the encoder's transform),
so a restart, or a second process on the same PostgreSQL store, encodes
only texts it has never seen. The rankers are refitted from
the store whenever the catalogue revision (bumped in the same transaction as
every change to openings or employers) differs from the one they were
fitted on; refitting from cached vectors costs no encoding.

Two rankers are kept:

* the **current** one, on openings not expired when it was fitted, answers
  ``/recommendations``; an upload brings it up to date before it returns, so
  a new opening is rankable the moment its upload is acknowledged. Small
  changes are applied in place (`PreferenceRanker.partial_fit` on a copy:
  only the changed openings are loaded, tabulated and indexed); once the
  changes since the last whole fit reach `REFIT_SHARE` of the catalogue, or
  on a new day, it is fitted whole again;
* the **history** one, on every opening with its dates set aside plus each
  employer's own description, finds employers known to hire in a wanted
  field even with nothing posted today. It is refitted only when employers
  are asked for.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar, cast

import faiss
import numpy as np
from sqlalchemy import select
from threadpoolctl import threadpool_limits

from matcher.encoders import CachedEncoder, EmbeddingCache, Role, TextEncoder
from matcher.engine import Engine
from matcher.errors import StoredDataError
from matcher.links import TaxonomyLinks
from matcher.occupations import OccupationMapper
from matcher.places import Located, check_postcodes
from matcher.queries import CandidateQuery, QueryEncoder
from matcher.ranker import OpeningVectors, Postcodes, PreferenceRanker, encode_openings
from matcher.reasons import Reason
from matcher.records import Candidate, Opening, RankedOpening, Ranking
from matcher.text import opening_segments
from service import store
from service.db import Database
from service.models import EmployerRow, OpeningRow, TextVector
from service.schemas import SuggestedEmployer

logger = logging.getLogger(__name__)

EMPLOYER_PROFILE_PREFIX = "employer:"
# Changes since the last whole fit, as a share of that fit's openings, that make the next
# update a whole refit (a partial fit keeps the lexical channel's vocabulary and weights).
REFIT_SHARE = 0.2
# ... but a catalogue this small is simply refitted.
REFIT_UP_TO = 500


class OneThreadPerRanking:
    """Keeps numpy's, scipy's and faiss's thread pools to one thread per ranking.

    The service ranks for many requests at once, one per worker thread, so
    a ranking's small matrix products gain nothing from more threads of their
    own; they only oversubscribe the cores and wait on the thread pools'
    locks. OpenBLAS's limit is process-wide (set once); faiss's OpenMP limit
    belongs to each thread, so every ranking thread sets its own. Torch keeps
    its threads: encoding a batch is one large computation that does use them.
    """

    def __init__(self) -> None:
        self._limits = threadpool_limits(limits=1, user_api="blas")
        self._local = threading.local()

    def __enter__(self) -> None:
        if not getattr(self._local, "set", False):
            faiss.omp_set_num_threads(1)
            self._local.set = True

    def __exit__(self, *_: object) -> None:
        return None


class LockedEncoder:
    """One encode at a time: a model's forward pass is not made for concurrent threads."""

    def __init__(self, encoder: TextEncoder) -> None:
        self.encoder = encoder
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    @property
    def dimension(self) -> int:
        return self.encoder.dimension

    def encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        with self._lock:
            return self.encoder.encode(texts, role)


def _mapper_of(links: TaxonomyLinks | None) -> OccupationMapper | None:
    return links.mapper if links is not None else None


class RankingCache:
    """The last rankings asked for, by (profile revision, catalogue revision, k, date).

    Both revisions are in the key, so a changed profile or catalogue never
    returns an old ranking; entries simply age out. (The same bounded map keeps
    encoded profiles, by profile revision and query encoder: `MatchingEngine`.)
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        if self.size == 0:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        if self.size == 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class PhraseVectors(EmbeddingCache):
    """Vectors of profile phrases, in memory, the least recently used dropped first.

    Profiles change and people leave; their phrases must not pile up in the
    process for ever. `trim` keeps the `size` most recently used (it is called
    after each encoding, so one call's own texts are never dropped mid-call).
    """

    def __init__(self, size: int) -> None:
        super().__init__(None)
        self.size = size
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._recent)

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            vector = self._recent.get(key)
            if vector is not None:
                self._recent.move_to_end(key)
            return vector

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            found = {key: vector for key in keys if (vector := self.get(key)) is not None}
        return found

    def put(self, key: str, vector: np.ndarray) -> None:
        with self._lock:
            self._recent[key] = vector
            self._recent.move_to_end(key)

    def trim(self) -> None:
        with self._lock:
            while len(self._recent) > self.size:
                self._recent.popitem(last=False)

    def flush(self) -> None:
        return None  # never written: phrases are cheap to encode again


@dataclass(frozen=True)
class Catalogue:
    """A fitted ranker and what it was fitted on."""

    revision: int
    # Openings that expired before this day were left out of the fit.
    day: date
    ranker: PreferenceRanker | None
    openings: dict[str, Opening]
    # When each opening was last written (the store's `updated_at`): what changed since.
    stamps: dict[str, datetime]
    # Openings in the last whole fit, and openings added or retired since.
    fitted: int = 0
    changes: int = 0
    # The engine (encoder, imports, weights) the ranker was fitted with.
    engine: Engine | None = None


@dataclass(frozen=True)
class History:
    revision: int
    ranker: PreferenceRanker | None
    openings: dict[str, Opening]
    employers: dict[str, dict[str, Any]]
    # As in `Catalogue`: when each opening and employer was last written, and how much
    # has changed since the last whole fit.
    stamps: dict[str, datetime] = dataclasses.field(default_factory=dict)
    employer_stamps: dict[str, datetime] = dataclasses.field(default_factory=dict)
    fitted: int = 0
    changes: int = 0
    engine: Engine | None = None


class Fitted(Protocol):
    """What `KeptCurrent` needs of a fitted state: the revision and engine it was fitted on."""

    @property
    def revision(self) -> int: ...

    @property
    def engine(self) -> Engine | None: ...


FittedT = TypeVar("FittedT", bound=Fitted)


class KeptCurrent(Generic[FittedT]):
    """One fitted state kept current with the store's catalogue revision and the engine.

    A request gets the state fitted on the store's current revision with the
    current engine. When the revision moved on, the state is updated in place
    (`update`; None when a whole refit is due) or fitted whole (`fit`); when
    the engine changed (a new import), it is fitted whole. Waiting for the
    lock (not serving the older fit) is what makes an acknowledged upload
    visible to every later request, in this process or another.
    """

    def __init__(
        self,
        revision: Callable[[], int],
        engine: Callable[[], Engine],
        fit: Callable[[Engine], FittedT],
        update: Callable[[FittedT], FittedT | None],
    ) -> None:
        self._revision = revision
        self._engine = engine
        self._fit = fit
        self._update = update
        self._state: FittedT | None = None
        self._lock = threading.Lock()

    @property
    def latest(self) -> FittedT | None:
        """The state as last fitted or updated, without bringing it up to date (None: none yet)."""
        return self._state

    def get(self, revision: int | None = None) -> FittedT:
        """The state, brought up to date first if it is not; `revision`: the store's, if read."""
        engine = self._engine()
        state = self._state
        if revision is None:
            revision = self._revision()
        if state is not None and state.revision == revision and state.engine is engine:
            return state
        with self._lock:
            state = self._state
            if state is not None and state.engine is engine:
                if state.revision == self._revision():
                    return state
                updated = self._update(state)
                if updated is not None:
                    self._state = updated
                    return updated
            fitted = self._fit(engine)
            self._state = fitted
            return fitted


class DateTooEarly(ValueError):
    """A ranking date before the day the catalogue was fitted for."""


class MatchingEngine:
    """Rankers fitted on the store with the service's `Engine` (`matcher.engine`).

    `engine` is built by `matcher.engine.build_engine`; its encoder must be
    safe to call from many threads (the app wraps it in `LockedEncoder`).
    When the data folder's imports change, the next request refits on them.
    """

    def __init__(
        self,
        database: Database,
        engine: Engine,
        ranking_cache_size: int = 4096,
        phrase_cache_size: int = 20_000,
        today: Callable[[], date] = date.today,
        query_cache_size: int = 4096,
    ) -> None:
        self.database = database
        self._engine = engine
        self._engine_lock = threading.Lock()
        self.encoder = engine.encoder
        # Profile phrases are encoded apart from openings' texts, into a bounded cache.
        self.phrases = PhraseVectors(phrase_cache_size)
        self._phrase_encoder = CachedEncoder(
            engine.encoder.encoder, self.phrases, transform=engine.encoder.transform
        )
        self._kept_query_encoder: QueryEncoder | None = None
        self.rankings = RankingCache(ranking_cache_size)
        # A new opening or a new day makes every ranking new but leaves every profile's
        # encoding (its phrases' vectors, occupations, variants) as it was: keep those.
        self.queries = RankingCache(query_cache_size)
        self.today = today
        self._catalogue = KeptCurrent(
            self.revision, self.current_engine, self._fit_catalogue, self._update_catalogue
        )
        self._history = KeptCurrent(
            self.revision, self.current_engine, self._fit_history, self._update_history
        )
        self.one_thread = OneThreadPerRanking()

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    @property
    def postcodes(self) -> Postcodes | None:
        return self._engine.postcodes

    def check_places(self, records: Sequence[Located], source: str | None = None) -> None:
        """Refuse records whose postcode the engine's table cannot place (422 on the field).

        Such a record would silently switch the commute rule off for the person.
        """
        if self.postcodes is not None:
            check_postcodes(records, self.postcodes, source=source)

    def current_engine(self) -> Engine:
        """The engine on the imports saved now: a new import is picked up here.

        An import that cannot be read is logged and the engine kept as it was
        (imports replace their files in one rename, so this is a damaged file).
        """
        with self._engine_lock:
            try:
                engine = self._engine.refreshed()
            except StoredDataError as error:
                logger.warning("the new imports are not used: %s", error)
                return self._engine
            if engine is not self._engine:
                logger.info("the imports changed; the next fit uses them")
                self._engine = engine
            return engine

    # ------------------------------------------------------------- vectors

    def _texts(self, openings: Sequence[Opening]) -> list[tuple[Role, str]]:
        texts: list[tuple[Role, str]] = []
        for opening in openings:
            texts.extend(("passage", segment) for segment in opening_segments(opening))
            texts.extend(("query", skill) for skill in opening.requires.skills)
        return texts

    def prepare(self, openings: Sequence[Opening]) -> int:
        """Make sure every text of `openings` has a vector, in memory and in the store.

        Vectors the store has are loaded; the rest are encoded and saved (in
        their own transaction: they are a cache, valid whatever happens to the
        upload). Returns how many texts were encoded.
        """
        cache = self.encoder.cache
        keys: dict[str, tuple[Role, str]] = {}
        for role, text in self._texts(openings):
            keys.setdefault(self.encoder.cache_key(role, text), (role, text))
        absent = [key for key in keys if cache.get(key) is None]
        if absent:
            with self.database.reader() as session:
                for part in store.chunks(absent):
                    rows = session.execute(
                        select(TextVector.key, TextVector.vector).where(TextVector.key.in_(part))
                    )
                    for key, blob in rows:
                        cache.put(key, np.frombuffer(blob, dtype=np.float32))
        missing = [key for key in absent if cache.get(key) is None]
        if not missing:
            return 0
        for role in ("passage", "query"):
            texts = [keys[key][1] for key in missing if keys[key][0] == role]
            if texts:
                self.encoder.encode(texts, role)
        rows_to_save = []
        for key in missing:
            vector = cache.get(key)
            if vector is not None:
                rows_to_save.append({"key": key, "vector": vector.astype(np.float32).tobytes()})
        self._save_vectors(rows_to_save)
        return len(missing)

    def _save_vectors(self, rows: list[dict[str, Any]]) -> None:
        with self.database.writer() as session:
            for part in store.chunks(rows):
                # Another process may have saved the same text meanwhile; either copy will do.
                statement = store.insert_ignoring_duplicates(session, TextVector)
                session.execute(statement, list(part))
            session.commit()

    def _vectors(self, openings: Sequence[Opening]) -> OpeningVectors:
        self.prepare(openings)
        # Every text is in the in-memory cache now: this assembles, it does not encode.
        return encode_openings(openings, self.encoder)

    def _fit(self, openings: list[Opening], engine: Engine) -> PreferenceRanker | None:
        if not openings:
            return None
        vectors = self._vectors(openings)
        return engine.ranker().fit(openings, vectors=vectors)

    # ------------------------------------------------------------ catalogue

    def revision(self) -> int:
        with self.database.reader() as session:
            return store.catalogue_revision(session)

    def current(self, revision: int | None = None) -> Catalogue:
        """The current catalogue, refitted first if the store or the imports have changed.

        `revision` is the store's catalogue revision when the caller has just
        read it (saving a query); else it is read here.
        """
        return self._catalogue.get(revision)

    @property
    def latest_catalogue(self) -> Catalogue | None:
        """The catalogue as last fitted, without reading the store (for followers and tests)."""
        return self._catalogue.latest

    def history(self) -> History:
        """Every opening, dates set aside, and employers' own descriptions, kept current."""
        return self._history.get()

    def _fit_catalogue(self, engine: Engine) -> Catalogue:
        started = time.perf_counter()
        day = self.today()
        with self.database.reader() as session:
            revision = store.catalogue_revision(session)
            stamped = store.load_stamped_openings(session, expired_before=day)
        openings = [opening for opening, _ in stamped]
        ranker = self._fit(openings, engine)
        stamps = {opening.id: at for opening, at in stamped}
        logger.info(
            "fitted the catalogue: %d openings, revision %d, %.2f s",
            len(openings),
            revision,
            time.perf_counter() - started,
        )
        return Catalogue(
            revision,
            day,
            ranker,
            {o.id: o for o in openings},
            stamps,
            fitted=len(openings),
            engine=engine,
        )

    def _update_catalogue(self, catalogue: Catalogue) -> Catalogue | None:
        """The catalogue with what changed in the store applied, or None if a refit is due."""
        if catalogue.day != self.today():
            return None  # a new day: openings expired since must leave the fit
        if catalogue.ranker is None or catalogue.fitted <= REFIT_UP_TO:
            return None
        with self.database.reader() as session:
            revision = store.catalogue_revision(session)
            stamps = store.written_stamps(session, OpeningRow, expired_before=catalogue.day)
            changed, removed = _written_since(catalogue.stamps, stamps)
            changes = catalogue.changes + len(changed) + len(removed)
            if changes > REFIT_SHARE * catalogue.fitted:
                return None
            added = [opening for opening, _ in store.load_stamped_openings(session, ids=changed)]
        if not added and not removed:  # employers changed, not openings
            return dataclasses.replace(catalogue, revision=revision)
        # On a copy: requests still ranking with the old catalogue are not disturbed.
        ranker = copy.copy(catalogue.ranker).partial_fit(
            added, vectors=self._vectors(added), retire=removed
        )
        openings = {i: o for i, o in catalogue.openings.items() if i in stamps}
        openings.update((o.id, o) for o in added)
        logger.info(
            "updated the catalogue: %d changes since its fit, revision %d", changes, revision
        )
        return dataclasses.replace(
            catalogue,
            revision=revision,
            ranker=ranker,
            openings=openings,
            stamps=stamps,
            changes=changes,
        )

    def _fit_history(self, engine: Engine) -> History:
        with self.database.reader() as session:
            revision = store.catalogue_revision(session)
            stamped = store.load_stamped_openings(session)
            employers = {e["id"]: e for e in store.load_employers(session)}
            employer_stamps = store.written_stamps(session, EmployerRow)
        openings = [opening for opening, _ in stamped]
        timeless = [_timeless(o) for o in openings]
        timeless.extend(_employer_profiles(employers.values()))
        return History(
            revision,
            self._fit(timeless, engine),
            {o.id: o for o in openings},
            employers,
            stamps={o.id: at for o, at in stamped},
            employer_stamps=employer_stamps,
            fitted=len(timeless),
            engine=engine,
        )

    def _update_history(self, history: History) -> History | None:
        """`history` with what changed applied in place (see `_update_catalogue`), or None."""
        if history.ranker is None or history.fitted <= REFIT_UP_TO:
            return None
        with self.database.reader() as session:
            revision = store.catalogue_revision(session)
            stamps = store.written_stamps(session, OpeningRow)
            employer_stamps = store.written_stamps(session, EmployerRow)
            changed, removed = _written_since(history.stamps, stamps)
            changed_employers, removed_employers = _written_since(
                history.employer_stamps, employer_stamps
            )
            changes = history.changes + len(changed) + len(removed)
            changes += len(changed_employers) + len(removed_employers)
            if changes > REFIT_SHARE * history.fitted:
                return None
            added = [o for o, _ in store.load_stamped_openings(session, ids=changed)]
            employers = store.load_employers(session, ids=changed_employers)
        if not (added or removed or employers or removed_employers):
            return dataclasses.replace(history, revision=revision)
        # An employer's own description is a pseudo-opening: replaced when the employer
        # changes, retired when it has nothing to say any more or is gone.
        profiles = _employer_profiles(employers)
        retired = removed + [
            EMPLOYER_PROFILE_PREFIX + i for i in [*changed_employers, *removed_employers]
        ]
        timeless = [_timeless(o) for o in added] + profiles
        ranker = copy.copy(history.ranker).partial_fit(
            timeless, vectors=self._vectors(timeless), retire=retired
        )
        openings = {i: o for i, o in history.openings.items() if i in stamps}
        openings.update((o.id, o) for o in added)
        known = {i: e for i, e in history.employers.items() if i in employer_stamps}
        known.update((e["id"], e) for e in employers)
        return dataclasses.replace(
            history,
            revision=revision,
            ranker=ranker,
            openings=openings,
            employers=known,
            stamps=stamps,
            employer_stamps=employer_stamps,
            changes=changes,
        )

    # -------------------------------------------------------------- ranking

    def _query_encoder(self, ranker: PreferenceRanker) -> QueryEncoder:
        """The query encoder for `ranker`, kept while its occupation mapper and weights are.

        A refit wraps the same fitted mapper in new `TaxonomyLinks`; what a
        profile encodes to depends on the mapper and the weights only, so the
        encoder (and the encoded profiles kept under it) outlives such refits.
        """
        links = ranker.links_
        encoder = self._kept_query_encoder
        if (
            encoder is None
            or _mapper_of(encoder.links) is not _mapper_of(links)
            or encoder.weights != ranker.weights_
        ):
            encoder = QueryEncoder(self._phrase_encoder, ranker.weights_, links)
            self._kept_query_encoder = encoder
        return encoder

    def warm(self) -> None:
        """Make now what the first ranking would make: the catalogue and the query encoder.

        The query encoder encodes its phrase lists (a few seconds on a CPU);
        made before a pre-forking server forks (`service.prefork`), it is
        made once and shared, and no first request waits for it.
        """
        ranker = self.current().ranker
        if ranker is not None:
            self._query_encoder(ranker)
        self.history()

    def encode_profile(
        self,
        ranker: PreferenceRanker,
        candidate: Candidate,
        profile_key: Hashable | None = None,
    ) -> CandidateQuery:
        """The profile encoded for `ranker`, its phrases through the bounded phrase cache.

        With a `profile_key` (which must change whenever the profile does), the
        encoding is kept and reused while the query encoder stays the same
        (until a taxonomy import changes the ranker's links).
        """
        query_encoder = self._query_encoder(ranker)
        # The encoder object, not its id: an id may be reused once the old one is freed.
        key = None if profile_key is None else (profile_key, query_encoder)
        if key is not None:
            cached = self.queries.get(key)
            if cached is not None:
                return cast(CandidateQuery, cached)
        (query,) = query_encoder.encode([candidate])
        self.phrases.trim()
        if key is not None:
            self.queries.put(key, query)
        return query

    def recommend(
        self,
        candidate: Callable[[], Candidate],
        profile_key: Hashable,
        k: int,
        day: date,
        revision: int | None = None,
    ) -> tuple[Ranking, int]:
        """The contract's Ranking for a profile, and the catalogue revision it came from.

        `candidate` makes the profile; it is called only when the ranking is not
        cached under `profile_key` (which must change whenever the profile does).
        """
        catalogue = self.current(revision)
        if day < catalogue.day:
            raise DateTooEarly(
                f"query parameter 'date': {day.isoformat()} is before "
                f"{catalogue.day.isoformat()}; rankings are made for today or later dates"
            )
        # The imports are in the key too: a new import changes rankings, not the revision.
        imports = catalogue.engine.imports.stamp if catalogue.engine is not None else None
        key = ("ranking", profile_key, catalogue.revision, imports, k, day)
        cached = self.rankings.get(key)
        if cached is not None:
            return cached, catalogue.revision
        profile = candidate()
        if catalogue.ranker is None:
            ranking = Ranking(candidate_id=profile.id, results=[])
        else:
            query = self.encode_profile(catalogue.ranker, profile, profile_key)
            with self.one_thread:
                ranking = catalogue.ranker.rank_encoded(query, k=k, on=day)
        self.rankings.put(key, ranking)
        return ranking, catalogue.revision

    def suggest_employers(
        self,
        candidate: Candidate,
        k: int,
        day: date,
        placements: Callable[[list[str]], dict[str, dict[str, int]]],
    ) -> tuple[list[SuggestedEmployer], int]:
        """Employers to approach, best fit with the person's wishes first.

        Each employer is placed by its best-fitting opening, open or not, or by
        its own description; openings with violations sink as in a ranking.
        """
        history = self.history()
        if history.ranker is None:
            return [], history.revision
        size = len(history.ranker.openings_)
        query = self.encode_profile(history.ranker, candidate)
        with self.one_thread:
            ranking = history.ranker.rank_encoded(query, k=min(size, max(200, 20 * k)), on=day)
        best: dict[str, RankedOpening] = {}
        for item in ranking.results:
            best.setdefault(item.employer_id, item)
        chosen = list(best)[:k]
        counts = placements(chosen)
        open_by_employer: dict[str, list[str]] = {}
        past_by_employer: dict[str, int] = {}
        fits = {item.opening_id: item.score for item in ranking.results}
        for opening in history.openings.values():
            if opening.employer_id not in best:
                continue
            if opening.is_open_on(day):
                open_by_employer.setdefault(opening.employer_id, []).append(opening.id)
            else:
                past_by_employer[opening.employer_id] = (
                    past_by_employer.get(opening.employer_id, 0) + 1
                )
        results = []
        for rank, employer_id in enumerate(chosen, start=1):
            item = best[employer_id]
            employer = history.employers.get(employer_id, {"id": employer_id})
            open_ids = sorted(
                open_by_employer.get(employer_id, []), key=lambda i: (-fits.get(i, 0.0), i)
            )
            events = counts.get(employer_id, {})
            reasons = _employer_reasons(item, history, open_ids, events)
            results.append(
                SuggestedEmployer(
                    rank=rank,
                    employer_id=employer_id,
                    employer_name=str(employer.get("name") or employer_id),
                    score=item.score,
                    preference_fit=item.preference_fit,
                    competency_fit=item.competency_fit,
                    violations=item.violations,
                    open_openings=open_ids,
                    past_openings=past_by_employer.get(employer_id, 0),
                    placements=events,
                    contact=item.contact,
                    reasons=[],  # written with their values just below
                ).with_reasons(reasons)
            )
        return results, history.revision


def _written_since(
    before: dict[str, datetime], now: dict[str, datetime]
) -> tuple[list[str], list[str]]:
    """Ids written since `before` was read (new or changed), and ids gone since."""
    changed = [i for i, at in now.items() if before.get(i) != at]
    removed = [i for i in before if i not in now]
    return changed, removed


def _timeless(opening: Opening) -> Opening:
    """The opening with its dates set aside: employers are suggested for what they post."""
    return opening.model_copy(update={"posted": None, "expires": None})


def _employer_profiles(employers: Any) -> list[Opening]:
    """An employer's own description as a pseudo-opening, where it says what they do."""
    profiles = []
    for employer in employers:
        industry = employer.get("industry")
        description = employer.get("description")
        if not industry and not description:
            continue
        profiles.append(
            Opening.model_validate(
                {
                    "id": EMPLOYER_PROFILE_PREFIX + employer["id"],
                    "employer_id": employer["id"],
                    "employer_name": employer.get("name") or employer["id"],
                    "title": employer.get("name") or employer["id"],
                    "industry": industry,
                    "description": description or "",
                    "location": employer.get("location"),
                }
            )
        )
    return profiles


def _employer_reasons(
    item: RankedOpening, history: History, open_ids: list[str], events: dict[str, int]
) -> list[Reason | str]:
    """Why to approach the employer, then the reasons of its best-fitting opening."""
    reasons: list[Reason | str] = []
    if open_ids:
        title = history.openings[open_ids[0]].title
        if len(open_ids) > 1:
            reasons.append(Reason("open_postings", {"title": title, "more": len(open_ids) - 1}))
        else:
            reasons.append(Reason("open_posting", {"title": title}))
    elif item.opening_id.startswith(EMPLOYER_PROFILE_PREFIX):
        reasons.append(Reason("employer_fits"))
    else:
        past = history.openings.get(item.opening_id)
        if past is not None:
            reasons.append(Reason("posted_before", {"title": past.title}))
        else:
            reasons.append(Reason("posted_before_untitled"))
    hired, interviews = events.get("hired", 0), events.get("interview", 0)
    if hired or interviews:
        reasons.append(Reason("ips_history", {"hired": hired, "interviewed": interviews}))
    return [*reasons, *item.explained()]
