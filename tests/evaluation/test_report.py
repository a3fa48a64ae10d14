from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest

from evaluation.report import render
from evaluation.results import EvaluationReport

SYSTEM_LABELS = [
    "ipsmatch (default weights)",
    "ipsmatch (fitted weights)",
    "Competency-first",
    "Whole-profile embedding",
    "Lexical TF-IDF",
    "Popularity",
    "Random",
]


class Tables(HTMLParser):
    """Collects the text of each table's cells by table id, and every image source."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self._table = attributes.get("id") or attributes.get("class") or "?"
            self.tables.setdefault(self._table, [])
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(attributes.get("src") or "")
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def parsed(tiny_document: EvaluationReport) -> tuple[str, Tables]:
    html = render(tiny_document)
    tables = Tables()
    tables.feed(html)
    return html, tables


def test_summary_table_has_every_system_and_metric(parsed: tuple[str, Tables]) -> None:
    _, tables = parsed
    summary = tables.tables["summary"]
    assert summary[0] == ["system", "NDCG@5", "NDCG@10", "Recall@10", "Recall@50", "MRR", "Hit@10"]
    assert [row[0] for row in summary[1:]] == SYSTEM_LABELS
    for row in summary[1:]:
        for cell in row[1:]:
            assert re.fullmatch(r"\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]", cell), cell
    comparisons = tables.tables["comparisons"]
    assert [row[0] for row in comparisons[1:]] == SYSTEM_LABELS[1:]
    assert all("p " in cell for row in comparisons[1:] for cell in row[1:])


def test_numbers_in_the_report_are_those_of_the_document(
    parsed: tuple[str, Tables], tiny_document: EvaluationReport
) -> None:
    _, tables = parsed
    reference = tiny_document.systems[0]
    assert reference.name == "ipsmatch"
    first_row = tables.tables["summary"][1]
    assert first_row[2].startswith(f"{reference.metrics['ndcg@10'].mean:.3f}")


def test_images_are_embedded_pngs(
    parsed: tuple[str, Tables], tiny_document: EvaluationReport
) -> None:
    html, tables = parsed
    # Summary, curves, IPS measures, data, and one per group column.
    assert len(tables.images) == 4 + len(tiny_document.fairness)
    for source in tables.images:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "http://" not in html and "https://" not in html  # nothing fetched


def test_ips_fairness_and_data_sections(
    parsed: tuple[str, Tables], tiny_document: EvaluationReport
) -> None:
    html, tables = parsed
    ips = tables.tables["ips"]
    assert [row[0] for row in ips[1:]] == SYSTEM_LABELS
    assert ips[1][2] == "100.0%"  # ipsmatch respects disclosure
    assert ips[-1][2] == "n/a"  # random proposes no contact route
    for column in ("gender", "age_band", "profile_language", "region"):
        assert f"By {column}" in html
    data = dict(tables.tables["data"][1:])
    described = tiny_document.data
    assert data["events"] == str(described.events)
    assert data["– hired"] == str(described.events_by_stage["hired"])
    assert described.first_event in html and described.last_event in html
    assert "Gain:" not in html or "linear gain" in html


def test_document_is_complete(tiny_document: EvaluationReport) -> None:
    names = [s.name for s in tiny_document.systems]
    assert names == [
        "ipsmatch",
        "ipsmatch_fitted",
        "competency_first",
        "embedding",
        "lexical",
        "popularity",
        "random",
    ]
    reference, *others = tiny_document.systems
    assert reference.comparison is None
    for system in others:
        assert system.comparison is not None
        for metric in ("ndcg@5", "ndcg@10", "recall@10", "recall@50", "mrr", "hit_rate@10"):
            comparison = system.comparison[metric]
            assert 0 < comparison.p_value <= 1 and comparison.p_holm >= comparison.p_value
            value = system.metrics[metric]
            assert value.low <= value.mean <= value.high
    assert reference.ips.disclosure_respected == 1.0
    # The simulator's wishes and titles are judged, for every system alike.
    judged = {s.ips.wish_coverage_queries for s in tiny_document.systems}
    assert len(judged) == 1 and judged.pop() > 0
    for system in tiny_document.systems:
        assert system.ips.wish_coverage is not None and 0 <= system.ips.wish_coverage <= 1
    assert tiny_document.data.queries.evaluated > 20
    assert "linear gain" in tiny_document.settings["gain"]
    assert tiny_document.system("random").name == "random"
    with pytest.raises(KeyError, match="systems: ipsmatch, "):
        tiny_document.system("bm25")
