"""benchmarks/melo.py: reading a MELO set and scoring a run (fake encoder, tiny set)."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeEncoder
from paths import load_benchmark

from matcher.occupations import CorpusEntry, OccupationMapper

melo = load_benchmark("melo")


def _write(folder: Path, name: str, rows: list[str]) -> None:
    (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_reads_a_set_and_scores_the_mappers_run(tmp_path: Path) -> None:
    _write(tmp_path, "queries.tsv", ["Q1\tDyrepasser", "Q2\tLagerarbejder", "Q3\tukendt"])
    _write(
        tmp_path,
        "corpus_elements.tsv",
        ["C1_000\tDyrepasser", "C1_001\tdyreplejer", "C2_000\tLagermedarbejder", "C3_000\tKok"],
    )
    _write(
        tmp_path, "annotations.tsv", ["Q1\t0\tC1_000\t1", "Q1\t0\tC1_001\t1", "Q2\t0\tC2_000\t1"]
    )
    queries, corpus, qrels = melo.read_set(tmp_path)
    assert queries["Q1"] == "Dyrepasser" and len(corpus) == 4
    assert qrels == {"Q1": {"C1_000": 1, "C1_001": 1}, "Q2": {"C2_000": 1}}

    entries = [CorpusEntry(id=element, label=label) for element, label in corpus.items()]
    mapper = OccupationMapper(FakeEncoder()).fit_corpus(entries)
    run = melo.run_mapper(mapper, queries, depth=4, batch=2)
    assert next(iter(run["Q1"])) == "C1_000"
    assert set(run) == {"Q1", "Q2", "Q3"} and all(len(r) == 4 for r in run.values())


def test_metrics_follow_the_trec_eval_definitions() -> None:
    qrels = {"Q1": {"C1_000": 1, "C1_001": 1}, "Q2": {"C2_000": 1}}
    run = {
        "Q1": {"C1_000": 0.9, "C3_000": 0.8, "C1_001": 0.7},
        "Q2": {"C3_000": 0.9, "C2_000": 0.5},
        "Q9": {"C3_000": 0.9},  # not judged: left out, as trec_eval does
    }
    figures = melo.evaluate(qrels, run)
    assert figures == {
        "mrr": 0.75,  # (1 + 1/2) / 2
        "success_1": 0.5,
        "success_5": 1.0,
        "success_10": 1.0,
        "map": round(((1 + 2 / 3) / 2 + 1 / 2) / 2, 4),
    }


def test_concepts_are_ranked_then_expanded_to_their_elements(tmp_path: Path) -> None:
    _write(tmp_path, "queries.tsv", ["Q1\tDyrepasser", "Q2\tLagerarbejder"])
    _write(
        tmp_path,
        "corpus_elements.tsv",
        ["C1_000\tdyreplejer", "C1_001\tDyrepasser", "C2_000\tLagermedarbejder", "C3_000\tKok"],
    )
    _write(
        tmp_path,
        "concept_mapping.tsv",
        ["C1_000\thttp://c/1", "C1_001\thttp://c/1", "C2_000\thttp://c/2", "C3_000\thttp://c/3"],
    )
    _write(tmp_path, "annotations.tsv", ["Q1\t0\tC1_000\t1", "Q1\t0\tC1_001\t1"])
    queries, corpus, _ = melo.read_set(tmp_path)
    concepts = melo.read_concepts(tmp_path)
    assert concepts is not None and melo.read_concepts(tmp_path / "missing") is None
    entries, members = melo.concept_entries(corpus, concepts)
    assert (entries[0].id, entries[0].label, entries[0].alt_labels) == (
        "http://c/1",
        "dyreplejer",
        ("Dyrepasser",),
    )
    assert members == {
        "http://c/1": ["C1_000", "C1_001"],
        "http://c/2": ["C2_000"],
        "http://c/3": ["C3_000"],
    }

    mapper = OccupationMapper(FakeEncoder(), max_alt_labels=9, label_centroid=1.0)
    mapper.fit_corpus(entries)
    # Concept by concept: the right concept first, its elements by their own score (the
    # exact label first), then the next concept's; cut at the depth.
    run = melo.run_concepts(mapper, queries, corpus, members, depth=3, batch=1, order="concepts")
    ranked = list(run["Q1"])
    assert ranked[:2] == ["C1_001", "C1_000"] and len(ranked) == 3
    assert ranked[2] in {"C2_000", "C3_000"}
    assert list(run["Q1"].values()) == sorted(run["Q1"].values(), reverse=True)
    # Label by label: every element by its own score.
    labels = melo.run_concepts(mapper, queries, corpus, members, depth=4, batch=2)
    assert next(iter(labels["Q1"])) == "C1_001" and set(labels["Q1"]) == set(corpus)
    own = mapper.combine(*mapper.entry_scores(["Dyrepasser"]))[0]
    by_text = dict(zip(mapper.entry_texts_, own, strict=True))
    assert [round(float(by_text[corpus[e]]), 6) for e in labels["Q1"]] == sorted(
        (round(float(by_text[corpus[e]]), 6) for e in labels["Q1"]), reverse=True
    )
