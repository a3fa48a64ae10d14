"""The understanding benchmark: its case files and the scorer's check logic."""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import date

import pytest
from paths import load_benchmark

from matcher.records import Candidate, Ranking

bench = load_benchmark("understanding")


def _ranking(*results: dict[str, object]) -> Ranking:
    rows = []
    for rank, fields in enumerate(results, 1):
        row = {
            "rank": rank,
            "employer_id": "e",
            "score": 0.5,
            "preference_fit": 0.5,
            "competency_fit": 0.5,
            "contact": "self",
            **fields,
        }
        rows.append(row)
    return Ranking.model_validate({"candidate_id": "c", "results": rows})


RANKING = _ranking(
    {"opening_id": "a", "reasons": ["matches 'gartner'", "6.2 km from home"]},
    {"opening_id": "b", "violations": ["avoid"], "requirement_gaps": ["skill"]},
    {"opening_id": "c", "reasons": ["partly matches 'gartner'"]},
)


def check(**fields: object) -> object:
    return bench.Case.model_validate(
        {
            "id": "t",
            "category": "expiry",
            "day": "2026-12-01",
            "candidate": {"id": "c", "preferences": {"desired": ["x"]}},
            "openings": [{"id": "a", "employer_id": "e", "title": "t"}],
            "checks": [fields],
        }
    ).checks[0]


@pytest.mark.parametrize(
    ("fields", "passes"),
    [
        ({"check": "above", "a": "a", "b": "b"}, True),
        ({"check": "above", "a": "b", "b": "a"}, False),
        ({"check": "above", "a": "a", "b": "missing"}, True),
        ({"check": "above", "a": "missing", "b": "a"}, False),
        ({"check": "top", "a": "b", "k": 2}, True),
        ({"check": "top", "a": "c", "k": 2}, False),
        ({"check": "violation", "a": "b", "code": "avoid"}, True),
        ({"check": "violation", "a": "a", "code": "avoid"}, False),
        ({"check": "violation", "a": "b", "code": "hours"}, False),
        ({"check": "no_violation", "a": "a"}, True),
        ({"check": "no_violation", "a": "b"}, False),
        ({"check": "no_violation", "a": "b", "code": "hours"}, True),
        ({"check": "no_violation", "a": "missing"}, False),
        ({"check": "gap", "a": "b", "code": "skill"}, True),
        ({"check": "gap", "a": "a", "code": "skill"}, False),
        ({"check": "no_gap", "a": "a", "code": "skill"}, True),
        ({"check": "no_gap", "a": "b", "code": "skill"}, False),
        ({"check": "reason_mentions", "a": "a", "text": "GARTNER"}, True),
        ({"check": "reason_mentions", "a": "b", "text": "gartner"}, False),
        ({"check": "no_reason", "a": "c", "starts": "matches"}, True),
        ({"check": "no_reason", "a": "a", "starts": "matches"}, False),
        ({"check": "absent", "a": "missing"}, True),
        ({"check": "absent", "a": "a"}, False),
        ({"check": "present", "a": "c"}, True),
        ({"check": "present", "a": "missing"}, False),
        ({"check": "contact", "value": "self"}, True),
        ({"check": "contact", "value": "consultant"}, False),
        ({"check": "covers", "k": 2, "at_least": 2, "wishes": {"x": ["a"], "y": ["b"]}}, True),
        ({"check": "covers", "k": 2, "at_least": 2, "wishes": {"x": ["a"], "y": ["c"]}}, False),
    ],
)
def test_check_logic_on_a_known_ranking(fields: dict[str, object], passes: bool) -> None:
    assert bench.check_passes(check(**fields), RANKING) is passes


def test_an_empty_ranking_shows_no_contact() -> None:
    assert not bench.check_passes(check(check="contact", value="self"), _ranking())


def test_health_invariance_compares_the_variant_rankings() -> None:
    case = bench.Case.model_validate(
        {
            "id": "he-x",
            "category": "health_invariance",
            "day": "2026-12-01",
            "candidate": {"id": "c", "preferences": {"desired": ["x"]}, "health": {"n": "a"}},
            "openings": [{"id": "a", "employer_id": "e", "title": "t"}],
            "checks": [{"check": "health_invariant", "other": {"n": "b"}}],
        }
    )

    def steady(case: object, candidate: Candidate) -> Ranking:
        return RANKING

    def leaky(case: object, candidate: Candidate) -> Ranking:
        return RANKING if candidate.health == {"n": "a"} else _ranking()

    (kept,) = bench.score_case(case, steady)
    (broken,) = bench.score_case(case, leaky)
    assert kept.passed and not broken.passed
    assert kept.part == bench.part_of("he-x")


def test_summary_counts_each_part_and_category() -> None:
    outcome = bench.CheckOutcome
    summary = bench.summarise(
        [
            outcome("x1", "expiry", "tune", "{}", True),
            outcome("x1", "expiry", "tune", "{}", False),
            outcome("x2", "lookalike", "heldout", "{}", True),
        ]
    )
    assert summary["tune"]["expiry"] == {"passed": 1, "total": 2, "rate": 0.5}
    assert summary["all"]["all"] == {"passed": 2, "total": 3, "rate": 0.6667}
    assert "lookalike" not in summary["tune"]


def _case(
    case_id: str,
    category: str,
    checks: list[dict[str, object]],
    desired: tuple[str, ...] = ("gartner",),
) -> object:
    return bench.Case.model_validate(
        {
            "id": case_id,
            "category": category,
            "day": "2026-12-01",
            "candidate": {"id": "c", "preferences": {"desired": list(desired)}},
            "openings": [{"id": o, "employer_id": "e", "title": "t"} for o in ("a", "b", "c", "d")],
            "checks": checks,
        }
    )


def test_wanted_work_is_what_the_checks_name() -> None:
    lookalike = _case(
        "la-x",
        "lookalike",
        [
            {"check": "above", "a": "a", "b": "b"},
            {"check": "no_reason", "a": "b", "starts": "matches"},
        ],
    )
    assert bench.wanted_work(lookalike) == ({"a"}, {"b"})
    # In a conditions case `above` orders two openings of the same work: neither is named.
    conditions = _case("pc-x", "prose_conditions", [{"check": "above", "a": "a", "b": "b"}])
    assert bench.wanted_work(conditions) == (set(), set())
    honest = _case(
        "hr-x",
        "honest_reasons",
        [
            {"check": "reason_mentions", "a": "a", "text": "'gartner'"},
            {"check": "no_reason", "a": "c", "starts": "matches"},
            {"check": "no_reason", "a": "d", "starts": "6.2 km"},
        ],
    )
    assert bench.wanted_work(honest) == ({"a"}, {"c"})


def test_precision_counts_matches_reasons_on_named_openings_only() -> None:
    case = _case(
        "hr-y",
        "honest_reasons",
        [
            {"check": "reason_mentions", "a": "a", "text": "matches"},
            {"check": "reason_mentions", "a": "d", "text": "matches"},
            {"check": "no_reason", "a": "b", "starts": "matches"},
            {"check": "no_reason", "a": "c", "starts": "matches"},
        ],
    )
    ranking = _ranking(
        {"opening_id": "a", "reasons": ["matches 'gartner'"]},
        {"opening_id": "b", "reasons": ["matches 'gartner'"]},
        # "partly matches" is no claim that the opening is the wanted work.
        {"opening_id": "c", "reasons": ["partly matches 'gartner'"]},
        {"opening_id": "d", "reasons": ["partly matches 'gartner'"]},
    )
    claims = bench.match_claims(case, ranking)
    assert (claims.claimed_wanted, claims.claimed_unwanted) == (1, 1)
    summary = bench.precision_of_matches([claims, claims])
    assert summary[claims.part] == summary["all"]
    assert summary["all"] == {
        "precision": 0.5,
        "recall": 0.5,
        "matches_on_wanted": 2,
        "matches_on_unwanted": 2,
        "wanted": 4,
        "unwanted": 4,
    }
    nothing = bench.match_claims(case, _ranking({"opening_id": "c", "reasons": []}))
    assert bench.precision_of_matches([nothing])["all"]["precision"] is None


COVERS = {
    "check": "covers",
    "k": 2,
    "at_least": 3,
    "wishes": {"tjener": ["a", "b"], "barista": ["c"], "kok": ["d"]},
}


def test_wish_coverage_is_the_share_of_wishes_with_an_opening_in_the_top_k() -> None:
    case = _case("wc-x", "wish_coverage", [COVERS], ("tjener", "barista", "kok"))
    # Top 2: a (tjener) and c (barista); d (kok) is third, below k.
    ranking = _ranking({"opening_id": "a"}, {"opening_id": "c"}, {"opening_id": "d"})
    assert bench.wish_coverage_of(case, ranking) == pytest.approx(2 / 3)
    both_tjener = _ranking({"opening_id": "a"}, {"opening_id": "b"}, {"opening_id": "c"})
    assert bench.wish_coverage_of(case, both_tjener) == pytest.approx(1 / 3)


def test_wish_coverage_needs_two_wishes_and_a_covers_check() -> None:
    one_wish = _case("wc-y", "wish_coverage", [COVERS], ("tjener", "Tjener "))
    no_mapping = _case(
        "hr-z", "honest_reasons", [{"check": "present", "a": "a"}], ("gartner", "parkarbejde")
    )
    ranking = _ranking({"opening_id": "a"})
    assert bench.wish_coverage_of(one_wish, ranking) is None
    assert bench.wish_coverage_of(no_mapping, ranking) is None
    covered = _case("wc-x", "wish_coverage", [COVERS], ("tjener", "barista", "kok"))
    summary = bench.coverage_summary(
        [covered, covered, no_mapping, one_wish], [1.0, 0.5, None, None]
    )
    part = bench.part_of("wc-x")
    assert summary["all"]["cases_two_or_more_wishes"] == 3
    assert summary[part]["measured"] == 2
    assert summary[part]["mean_coverage"] == 0.75
    assert summary[part]["all_wishes_covered"] == 1


def test_the_split_is_fixed() -> None:
    # Pinned: a change of `part_of` would move cases between the parts.
    assert {case_id: bench.part_of(case_id) for case_id in PINNED} == PINNED


PINNED = {
    "xl-001": "heldout",
    "pv-001": "heldout",
    "pc-001": "tune",
    "hs-001": "tune",
    "wc-001": "heldout",
}


def test_case_files_validate_and_cover_every_category_in_both_parts() -> None:
    cases = bench.load_cases()
    assert len({c.id for c in cases}) == len(cases)
    assert sum(len(c.checks) for c in cases) >= 400
    parts = Counter((c.category, bench.part_of(c.id)) for c in cases)
    for category in bench.CATEGORIES:
        for part in bench.PARTS:
            assert parts[(category, part)] > 0, (category, part)
    for case in cases:
        ids = [o.id for o in case.openings]
        assert len(set(ids)) == len(ids), case.id
        named = set(case.prose)
        for item in case.checks:
            named |= {getattr(item, key) for key in ("a", "b") if hasattr(item, key)}
            for group in getattr(item, "wishes", {}).values():
                named |= set(group)
        assert named <= set(ids), (case.id, named - set(ids))
        assert case.day == date(2026, 12, 1)


def test_case_records_are_contract_records() -> None:
    # The records are parsed by the contract's own models (`matcher.records`); a case
    # file that breaks the contract is refused with its file and line.
    for case in bench.load_cases():
        assert case.candidate.preferences.desired
        for opening in case.openings:
            assert opening.title and opening.employer_id


def test_a_bad_case_line_is_refused_with_its_file_and_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bad.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:1"):
        bench.load_cases(tmp_path)


def test_prose_scoring_counts_found_and_stated() -> None:
    case = bench.Case.model_validate(
        {
            "id": "pc-x",
            "category": "prose_conditions",
            "day": "2026-12-01",
            "candidate": {"id": "c", "preferences": {"desired": ["x"]}},
            "openings": [
                {"id": "a", "employer_id": "e", "title": "Lager", "description": "Nat 22-06."}
            ],
            "checks": [{"check": "present", "a": "a"}],
            "prose": {"a": {"conditions": ["night work", "noise"], "times": ["night"]}},
        }
    )
    figures = bench.score_prose([case])
    assert figures["conditions"] == {"precision": 1.0, "recall": 0.5, "found": 1, "stated": 2}
    assert figures["times"]["recall"] == 1.0


def test_weights_option_takes_known_scoring_weights_only() -> None:
    assert bench._weights('{"semantic_spans": 1, "match_whole": 99}') == {
        "semantic_spans": 1,
        "match_whole": 99,
    }
    with pytest.raises(argparse.ArgumentTypeError, match="keys among"):
        bench._weights('{"no_such_weight": 1}')
    with pytest.raises(argparse.ArgumentTypeError, match="not JSON"):
        bench._weights("semantic_spans=1")


def test_the_added_cases_validate_and_share_no_id_with_the_original_ones() -> None:
    added = bench.load_cases(bench.CASES_DIR.parent / "more_cases")
    original = {c.id for c in bench.load_cases()}
    assert len(added) == 44 and not original & {c.id for c in added}
    assert {bench.part_of(c.id) for c in added} == set(bench.PARTS)
    for case in added:
        named = {o.id for o in case.openings}
        assert {getattr(item, "a", None) for item in case.checks} <= named, case.id
