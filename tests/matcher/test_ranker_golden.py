"""The ranker's results on the demo data stay identical across refactors.

`golden/demo_rankings.json` was recorded from the ranker before it was split
into parts (`golden/record_demo_rankings.py`); every configuration here takes
a different path through it (scored whole, shortlisted by scan, shortlisted
through an exact and an HNSW index, with a taxonomy and postcodes). The
shortlists were recorded by whole text, so those configurations ask for it
(`segment_retrieval=False`); retrieval by segments, the default since, is held
to these rankings in `test_segment_retrieval.py`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeEncoder
from test_links import TAXONOMY

from matcher.places import Place, PostcodeTable
from matcher.ranker import PreferenceRanker
from matcher.record_files import read_candidates, read_openings

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
GOLDEN = Path(__file__).parent / "golden" / "demo_rankings.json"
DAY = date(2026, 11, 22)
POSTCODES = PostcodeTable(
    [
        Place("2400", "København NV", 55.713, 12.529),
        Place("8000", "Aarhus C", 56.157, 10.211),
        Place("5000", "Odense C", 55.396, 10.388),
    ]
)
# The shortlisting configurations retrieve by whole text, as when the rankings were recorded.
# Nor did they score every fitting opening of a large catalogue without retrieval.
WHOLE_TEXT: dict[str, Any] = {
    "segment_retrieval": False,
    "score_all_up_to": 20,
    "score_fitting_up_to": 0,
}
CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "whole": {},
    "scan": {**WHOLE_TEXT, "shortlist_per_query": 8},
    "exact": {**WHOLE_TEXT, "shortlist_per_query": 8, "scan_up_to": 10},
    "hnsw": {**WHOLE_TEXT, "shortlist_per_query": 8, "scan_up_to": 10, "index": "hnsw"},
    "half": {"half_precision_from": 10},
    "taxonomy": {"taxonomy": TAXONOMY, "postcodes": POSTCODES},
}


def demo_rankings(name: str) -> list[dict[str, Any]]:
    ranker = PreferenceRanker(FakeEncoder(), **CONFIGURATIONS[name])
    ranker.fit(read_openings(DEMO / "openings.jsonl"))
    candidates = read_candidates(DEMO / "candidates.jsonl")
    return [r.model_dump(mode="json") for r in ranker.rank_many(candidates, k=10, on=DAY)]


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_demo_rankings_are_those_recorded_before_the_refactor(name: str) -> None:
    recorded = json.loads(GOLDEN.read_text())[name]
    assert demo_rankings(name) == recorded
