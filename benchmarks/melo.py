"""The project's occupation mapping on a MELO set (national occupation titles to ESCO).

```sh
.venv/bin/python benchmarks/melo.py ../shared/data/melo/nor_q_no_c_no [--model DIR]
    [--depth 100] [--batch 256] [--elements | --order labels|concepts --label-centroid 1]
```

A MELO set folder holds `queries.tsv` (query id, title), `corpus_elements.tsv`
(element id, ESCO label: each ESCO concept's preferred and alternative labels
are separate elements), `annotations.tsv` (TREC qrels: query id, 0, element
id, relevance) and `concept_mapping.tsv` (element id, ESCO concept URI).
`matcher.occupations.OccupationMapper`, the code that maps wishes and titles
in the product, ranks the elements for each query; the run's first `--depth`
elements are scored with ranx against the qrels. The encoder is built as
`ipsmatch rank` builds it.

By default (when the set has `concept_mapping.tsv`) the mapper is fitted as it
is on the product's taxonomy: one entry per concept, every label of the
concept indexed (an occupation's title and alternative labels), each label's
vector pulled toward its concept's mean (`label_centroid`, 1 here). `--order
labels` (the default) ranks every element by its own score (the mapper's
score of its label); `--order concepts` ranks the concepts (the mapper's
groups) and lists each one's elements, by their own score, before the next
concept's. Both use the set's concept mapping, which the published systems
did not. `--elements` fits the mapper as before: every element an entry and
a group of its own, no concept mapping, the published systems' task.

Printed: MRR, success@1/5/10 (`hit_rate@k`: at least one relevant element in
the first k) and MAP (over the run's depth), the trec_eval definitions, as one
JSON object on the last line, named as in MELO's `published.tsv`.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from matcher.encoders import BACKENDS  # noqa: E402
from matcher.occupations import CorpusEntry, OccupationMapper  # noqa: E402
from matcher.onnx_model import QUANTISATIONS  # noqa: E402

METRICS = {
    "mrr": "mrr",
    "success_1": "hit_rate@1",
    "success_5": "hit_rate@5",
    "success_10": "hit_rate@10",
    "map": "map",
}


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if row]


def read_set(folder: Path) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, int]]]:
    """(queries, corpus elements, qrels) of one MELO set folder."""
    queries = {row[0]: row[1] for row in _rows(folder / "queries.tsv")}
    corpus = {row[0]: row[1] for row in _rows(folder / "corpus_elements.tsv")}
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for row in _rows(folder / "annotations.tsv"):
        query, _, element, relevance = row[:4]
        if int(relevance) > 0:
            qrels[query][element] = int(relevance)
    return queries, corpus, dict(qrels)


def read_concepts(folder: Path) -> dict[str, str] | None:
    """Element id -> ESCO concept URI from the set's `concept_mapping.tsv`, if it has one."""
    path = folder / "concept_mapping.tsv"
    return {row[0]: row[1] for row in _rows(path)} if path.exists() else None


def concept_entries(
    corpus: dict[str, str], concepts: dict[str, str]
) -> tuple[list[CorpusEntry], dict[str, list[str]]]:
    """One corpus entry per concept (its first element's label the title, the others
    alternative labels) and each concept's elements, in file order."""
    members: dict[str, list[str]] = defaultdict(list)
    for element in corpus:
        members[concepts[element]].append(element)
    entries = [
        CorpusEntry(
            id=concept,
            label=corpus[elements[0]],
            alt_labels=tuple(corpus[e] for e in elements[1:]),
        )
        for concept, elements in members.items()
    ]
    return entries, dict(members)


def run_concepts(
    mapper: OccupationMapper,
    queries: dict[str, str],
    corpus: dict[str, str],
    members: dict[str, list[str]],
    depth: int,
    batch: int,
    order: str = "labels",
) -> dict[str, dict[str, float]]:
    """The first `depth` elements for each query of a mapper fitted on concepts.

    `order` "labels": every element by its own score (the mapper's score of the entry
    with its label), as the published systems ranked elements. "concepts": the mapper's
    concepts (groups) best first, each expanded to its elements by their own score.
    """
    entry_of = {
        (mapper.groups_[g], text.casefold()): i
        for i, (g, text) in enumerate(zip(mapper.entry_groups_, mapper.entry_texts_, strict=True))
    }
    # Elements with the same label in one concept share its entry (the mapper keeps one).
    element_entries = np.asarray(
        [entry_of[c, corpus[e].casefold()] for c, es in members.items() for e in es]
    )
    element_ids = [e for es in members.values() for e in es]
    spans, first = {}, 0
    for concept, elements in members.items():
        spans[concept] = slice(first, first + len(elements))
        first += len(elements)
    ids = list(queries)
    run: dict[str, dict[str, float]] = {}
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        phrases = [queries[q] for q in chunk]
        ranked = (
            mapper.map(phrases, top=min(depth, len(mapper.groups_)))
            if order == "concepts"
            else None
        )
        own = mapper.combine(*mapper.entry_scores_and_spelling(phrases))[:, element_entries]
        for row, query in enumerate(chunk):
            if ranked is None:
                best = np.argsort(-own[row], kind="stable")[:depth]
                elements = [element_ids[i] for i in best]
            else:
                elements = []
                for match in ranked[row]:
                    within = spans[match.group]
                    best = within.start + np.argsort(-own[row, within], kind="stable")
                    elements.extend(element_ids[i] for i in best)
                    if len(elements) >= depth:
                        break
            run[query] = {e: float(depth - i) for i, e in enumerate(elements[:depth])}
        print(f"\r{min(start + batch, len(ids))}/{len(ids)} queries", end="", file=sys.stderr)
    print(file=sys.stderr)
    return run


def run_mapper(
    mapper: OccupationMapper, queries: dict[str, str], depth: int, batch: int
) -> dict[str, dict[str, float]]:
    """The mapper's first `depth` elements for each query, with their scores."""
    ids = list(queries)
    run: dict[str, dict[str, float]] = {}
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        for query, matches in zip(
            chunk, mapper.map([queries[q] for q in chunk], top=depth), strict=True
        ):
            # Equal scores would be ordered by id in ranx; the mapper's own order breaks
            # them instead, by a rank-sized nudge far below any score difference that matters.
            run[query] = {m.group: m.score - i * 1e-7 for i, m in enumerate(matches)}
        print(f"\r{min(start + batch, len(ids))}/{len(ids)} queries", end="", file=sys.stderr)
    print(file=sys.stderr)
    return run


def evaluate(
    qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]
) -> dict[str, float]:
    from ranx import Qrels, Run
    from ranx import evaluate as ranx_evaluate

    judged = {q: docs for q, docs in qrels.items() if q in run}
    scores = ranx_evaluate(Qrels(judged), Run({q: run[q] for q in judged}), list(METRICS.values()))
    return {name: round(float(scores[metric]), 4) for name, metric in METRICS.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="OccupationMapper on a MELO set")
    parser.add_argument("dataset", type=Path, help="a MELO set folder")
    parser.add_argument("--model", default=None, help="sentence-transformers folder")
    parser.add_argument(
        "--backend", choices=BACKENDS, default=None, help="encoder backend (default: settings)"
    )
    parser.add_argument(
        "--quantisation",
        choices=QUANTISATIONS,
        default=None,
        help="ONNX graph, int8 or fp32 (default: settings)",
    )
    parser.add_argument("--depth", type=int, default=100, help="elements ranked per query")
    parser.add_argument("--batch", type=int, default=256, help="queries mapped at once")
    parser.add_argument(
        "--order",
        choices=("labels", "concepts"),
        default="labels",
        help="with concepts: every element by its own score, or concept by concept",
    )
    parser.add_argument(
        "--label-centroid",
        type=float,
        default=1.0,
        help="with concepts: OccupationMapper's label_centroid (0: labels as encoded)",
    )
    parser.add_argument(
        "--elements",
        action="store_true",
        help="every element a group of its own, as the published systems ranked them "
        "(default: the concepts of concept_mapping.tsv are the groups)",
    )
    args = parser.parse_args(argv)

    from service.cli import load_encoder
    from service.settings import get_settings

    started = time.perf_counter()
    queries, corpus, qrels = read_set(args.dataset)
    encoder = load_encoder(
        get_settings(),
        args.model,
        quiet=True,
        backend=args.backend,
        quantisation=args.quantisation,
    )
    concepts = None if args.elements else read_concepts(args.dataset)
    if concepts is None:
        entries = [CorpusEntry(id=element, label=label) for element, label in corpus.items()]
        print(f"fitting on {len(entries)} corpus elements", file=sys.stderr)
        mapper = OccupationMapper(encoder).fit_corpus(entries)
    else:
        entries, members = concept_entries(corpus, concepts)
        print(f"fitting on {len(entries)} concepts ({len(corpus)} elements)", file=sys.stderr)
        # Every label of a concept is indexed: the product's default keeps the first few.
        labels = max(len(elements) for elements in members.values())
        mapper = OccupationMapper(
            encoder, max_alt_labels=labels, label_centroid=args.label_centroid
        ).fit_corpus(entries)
    encoder.cache.flush()
    if concepts is None:
        run = run_mapper(mapper, queries, args.depth, args.batch)
    else:
        run = run_concepts(mapper, queries, corpus, members, args.depth, args.batch, args.order)
    encoder.cache.flush()
    figures = evaluate(qrels, run)
    result = {
        "dataset": args.dataset.name,
        "queries": len([q for q in qrels if q in run]),
        "corpus": len(corpus),
        "groups": "elements" if concepts is None else "concepts",
        **(
            {} if concepts is None else {"order": args.order, "label_centroid": args.label_centroid}
        ),
        **figures,
        "depth": args.depth,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
