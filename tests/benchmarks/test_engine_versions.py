"""Comparing two engine versions' runs on one history: alignment, metrics and tests by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from paths import load_benchmark

from evaluation.coverage import VocabularyJudge
from evaluation.history import Catalogue, Query
from evaluation.profiles import ProfileVersion
from evaluation.systems import Suggestions
from matcher.records import Candidate, Opening

bench = load_benchmark("engine_versions")

# Simulator titles: animals, animals, warehouse, kitchen.
TITLES = ["Dyrepasser-medhjælper", "Hundelufter", "Lagermedarbejder", "Køkkenmedhjælper"]
CATALOGUE = Catalogue(
    [
        Opening.model_validate({"id": f"o-{i}", "employer_id": f"e-{i}", "title": t})
        for i, t in enumerate(TITLES)
    ]
)


def moment(person: str, desired: list[str], grades: dict[int, float]) -> Query:
    candidate = Candidate.model_validate({"id": person, "preferences": {"desired": desired}})
    return Query(
        qid=f"{person}@2025-05-01",
        candidate_id=person,
        day=date(2025, 5, 1),
        profile=ProfileVersion(candidate),
        seen=frozenset(),
        grades=grades,
    )


QUERIES = [
    moment("c-1", ["noget med dyr", "lagerarbejde"], {0: 2.0}),
    moment("c-2", ["noget med dyr", "dyrepasser"], {1: 1.0}),
    moment("c-3", ["lagerarbejde"], {2: 1.0}),
]


def answers(*tops: list[int]) -> list[Suggestions]:
    return [Suggestions(openings=np.asarray(top, dtype=np.int64)) for top in tops]


def test_comparison_by_hand() -> None:
    runs = {
        # The same hits; new shows c-1 a warehouse job beside the animal job, old does not.
        "new": answers([0, 2], [1, 0], [2]),
        "old": answers([0, 1], [1, 0], [2]),
        # Misses c-3's warehouse job, which it ranks second.
        "base": answers([0, 2], [1, 0], [3, 2]),
    }
    result = bench.compare(
        QUERIES,
        runs,
        VocabularyJudge(CATALOGUE),
        "new",
        ["old", "base"],
        catalogue_rows=np.arange(len(CATALOGUE)),
        # No warehouse job open for c-1: half of its wishes can be covered at most (the
        # runs are not held to these rows here).
        ceilings={"open": [np.asarray([0, 1, 3]), np.asarray([0, 1]), np.asarray([2])]},
        resamples=200,
        permutations=200,
    )
    assert result["counts"] == {
        "metrics": {"queries": 3, "people": 3},
        "two_or_more_wishes": {"queries": 2, "people": 2, "attainable_coverage_open": 0.75},
        "wishes_of_different_work": {
            "queries": 1,
            "people": 1,
            "attainable_coverage_open": 0.5,
        },
    }
    systems = result["systems"]
    assert systems["new"]["metrics"]["ndcg@10"]["mean"] == pytest.approx(1.0)
    assert systems["old"]["metrics"]["ndcg@10"]["mean"] == pytest.approx(1.0)
    # c-3's hit at rank 2: NDCG 1/log2(3), MRR 1/2.
    assert systems["base"]["metrics"]["mrr"]["mean"] == pytest.approx((1 + 1 + 0.5) / 3)
    # c-1 (two kinds of work): old covers 1 of 2 wishes; c-2's two wishes are one work.
    assert systems["new"]["two_or_more_wishes"]["wish_coverage"]["mean"] == 1.0
    assert systems["old"]["two_or_more_wishes"]["wish_coverage"]["mean"] == 0.75
    assert systems["old"]["wishes_of_different_work"]["wish_coverage"]["mean"] == 0.5
    tests = result["tests"]
    assert tests["old"]["wishes_of_different_work"]["wish_coverage"]["difference"] == 0.5
    assert tests["old"]["metrics"]["ndcg@10"] == {
        "difference": 0.0,
        "p_value": 1.0,
        "p_t_test": 1.0,
    }
    assert tests["base"]["metrics"]["ndcg@10"]["difference"] == pytest.approx(
        (1 - 1 / np.log2(3)) / 3
    )
    table = bench.tables(result, {"new": "new", "old": "old", "base": "base"})
    assert "| old | 1.000 [1.000, 1.000]" in table
    assert (
        "wishes of different work: 1 of 3 (1 of 3 people). "
        "Coverage reachable at most from open: 0.500." in table
    )


def test_a_run_file_is_read_in_the_queries_order(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    rows = [
        {"qid": QUERIES[1].qid, "openings": ["o-1"], "contacts": ["self"]},
        {"qid": QUERIES[0].qid, "openings": ["o-0", "o-2"], "contacts": None},
        {"qid": QUERIES[2].qid, "openings": [], "contacts": None},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    read = bench.read_run(path, QUERIES, CATALOGUE.index)
    assert [a.openings.tolist() for a in read] == [[0, 2], [1], []]
    assert read[1].contacts == ["self"]


def test_a_run_of_other_queries_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text(json.dumps({"qid": "c-9@2025-05-01", "openings": [], "contacts": None}))
    with pytest.raises(ValueError, match="did not replay the same history"):
        bench.read_run(path, QUERIES, CATALOGUE.index)
