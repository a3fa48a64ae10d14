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
