"""Scores the engine on the hand-written understanding benchmark.

```sh
.venv/bin/python benchmarks/understanding.py [--part tune|heldout|all] [--cases DIR]
    [--model DIR] [--category NAME ...] [--precision] [--weights JSON] [--prose]
```

Each case of `benchmarks/understanding/cases/*.jsonl` is a profile, a small
catalogue and machine-checked expectations (see `benchmarks/README.md`). The
engine is run through its public facade only: ``PreferenceRanker(encoder)
.fit(openings).rank(candidate, k, day)``, with the encoder built as
`ipsmatch rank` builds it (the real model by default). Every case belongs to
one part, `tune` or `heldout`, by a fixed hash of its id (`part_of`); cases
never move between parts.

`--precision` also measures how often a "matches" reason is true: among the
openings a case's checks name as the wanted work or as not it (`wanted_work`),
the share of those given a reason starting "matches" that are the wanted work.

`--coverage` also measures wish coverage: for the cases whose profile states
two or more wishes and whose `covers` check names the openings fitting each
wish, the share of those wishes with such an opening in the check's top k
(`wish_coverage_of`).

`--weights '{"semantic_spans": 1}'` ranks with those `ScoringWeights` changed
(the others at their defaults), to measure one lever at a time.

`--prose` scores `matcher.prose` alone instead: the conditions, working
times and weekly hours it reads from each annotated opening's title and
description, against the case's `prose` annotations (precision and recall).

Per-category pass rates go to stdout as a table; the last line is one JSON
object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from matcher.encoders import BACKENDS, Quantisation  # noqa: E402
from matcher.onnx_model import QUANTISATIONS  # noqa: E402
from matcher.records import Candidate, Opening, Ranking, ViolationCode  # noqa: E402

CASES_DIR = Path(__file__).resolve().parent / "understanding" / "cases"
PARTS: tuple[str, ...] = ("tune", "heldout")
CATEGORIES: tuple[str, ...] = (
    "cross_lingual",
    "paraphrase",
    "preference_vs_past",
    "lookalike",
    "prose_conditions",
    "text_hours_schedule",
    "thin_openings",
    "requirement_gaps",
    "disclosure",
    "expiry",
    "health_invariance",
    "wish_coverage",
    "honest_reasons",
)


# ------------------------------------------------------------------ case files


class _Check(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Above(_Check):
    """`a` is ranked, and ranked before `b` (or `b` is not ranked)."""

    check: Literal["above"]
    a: str
    b: str


class InTop(_Check):
    check: Literal["top"]
    a: str
    k: int = Field(ge=1)


class HasViolation(_Check):
    check: Literal["violation"]
    a: str
    code: ViolationCode


class NoViolation(_Check):
    """`a` is ranked with no violation (of `code`, or of any code when absent)."""

    check: Literal["no_violation"]
    a: str
    code: ViolationCode | None = None


class HasGap(_Check):
    check: Literal["gap"]
    a: str
    code: Literal["driving_licence", "language", "skill"]


class NoGap(_Check):
    check: Literal["no_gap"]
    a: str
    code: Literal["driving_licence", "language", "skill"]


class ReasonMentions(_Check):
    check: Literal["reason_mentions"]
    a: str
    text: str


class NoReason(_Check):
    """No reason of `a` starts with `starts` (e.g. no "matches ..." on an unwanted job)."""

    check: Literal["no_reason"]
    a: str
    starts: str


class Absent(_Check):
    check: Literal["absent"]
    a: str


class Present(_Check):
    check: Literal["present"]
    a: str


class ContactIs(_Check):
    """Every result's `contact` is `value`."""

    check: Literal["contact"]
    value: Literal["consultant", "self"]


class HealthInvariant(_Check):
    """Ranking again with `health` replaced by `other`, and removed, changes nothing."""

    check: Literal["health_invariant"]
    other: Any


class Covers(_Check):
    """The top `k` holds an opening of at least `at_least` of the `wishes` groups."""

    check: Literal["covers"]
    k: int = Field(ge=1)
    at_least: int = Field(ge=1)
    wishes: dict[str, list[str]]


Check = Annotated[
    Above
    | InTop
    | HasViolation
    | NoViolation
    | HasGap
    | NoGap
    | ReasonMentions
    | NoReason
    | Absent
    | Present
    | ContactIs
    | HealthInvariant
    | Covers,
    Field(discriminator="check"),
]


class ProseTruth(BaseModel):
    """What an opening's title and description state, for scoring `matcher.prose`."""

    model_config = ConfigDict(extra="forbid")
    conditions: list[str] | None = None
    times: list[Literal["day", "evening", "night", "weekend"]] | None = None
    hours: tuple[float, float] | None = None


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    day: date
    candidate: Candidate
    openings: list[Opening] = Field(min_length=1)
    checks: list[Check] = Field(min_length=1)
    prose: dict[str, ProseTruth] = Field(default_factory=dict)
    note: str = ""


def part_of(case_id: str) -> str:
    """The fixed part of a case: the parity of its id's SHA-256 first byte."""
    return PARTS[hashlib.sha256(case_id.encode()).digest()[0] % 2]


def load_cases(directory: Path = CASES_DIR, part: str = "all") -> list[Case]:
    """Every case of the folder's `*.jsonl` files (of one part unless `part` is ``all``)."""
    cases: list[Case] = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                case = Case.model_validate_json(line)
            except ValueError as error:
                raise ValueError(f"{path.name}:{number}: {error}") from error
            if part in ("all", part_of(case.id)):
                cases.append(case)
    return cases


# ------------------------------------------------------------------ checks


def _rank_of(ranking: Ranking) -> dict[str, int]:
    return {result.opening_id: result.rank for result in ranking.results}


def check_passes(check: Check, ranking: Ranking, others: Sequence[Ranking] = ()) -> bool:
    """Whether `ranking` meets `check` (`others`: the health-variant rankings)."""
    ranks = _rank_of(ranking)
    result = {r.opening_id: r for r in ranking.results}
    if isinstance(check, Above):
        return check.a in ranks and ranks[check.a] < ranks.get(check.b, len(ranks) + 1)
    if isinstance(check, InTop):
        return ranks.get(check.a, check.k + 1) <= check.k
    if isinstance(check, HasViolation):
        return check.a in result and check.code in result[check.a].violations
    if isinstance(check, NoViolation):
        if check.a not in result:
            return False
        violations = result[check.a].violations
        return not violations if check.code is None else check.code not in violations
    if isinstance(check, HasGap):
        return check.a in result and check.code in result[check.a].requirement_gaps
    if isinstance(check, NoGap):
        return check.a in result and check.code not in result[check.a].requirement_gaps
    if isinstance(check, ReasonMentions):
        wanted = check.text.casefold()
        return check.a in result and any(wanted in r.casefold() for r in result[check.a].reasons)
    if isinstance(check, NoReason):
        starts = check.starts.casefold()
        return check.a in result and not any(
            r.casefold().startswith(starts) for r in result[check.a].reasons
        )
    if isinstance(check, Absent):
        return check.a not in ranks
    if isinstance(check, Present):
        return check.a in ranks
    if isinstance(check, ContactIs):
        return bool(ranking.results) and all(r.contact == check.value for r in ranking.results)
    if isinstance(check, HealthInvariant):
        return bool(others) and all(other == ranking for other in others)
    if isinstance(check, Covers):
        top = {r.opening_id for r in ranking.results if r.rank <= check.k}
        covered = sum(1 for ids in check.wishes.values() if top.intersection(ids))
        return covered >= check.at_least
    raise TypeError(f"unknown check {check!r}")


@dataclass(frozen=True)
class CheckOutcome:
    case_id: str
    category: str
    part: str
    check: str
    passed: bool


RankFunction = Callable[[Case, Candidate], Ranking]


def score_case(
    case: Case, rank: RankFunction, ranking: Ranking | None = None
) -> list[CheckOutcome]:
    """Run one case through `rank` (unless its `ranking` is given) and judge each check."""
    ranking = rank(case, case.candidate) if ranking is None else ranking
    others: list[Ranking] = []
    if any(isinstance(check, HealthInvariant) for check in case.checks):
        for check in case.checks:
            if isinstance(check, HealthInvariant):
                changed = case.candidate.model_copy(update={"health": check.other})
                removed = case.candidate.model_copy(update={"health": None})
                others.extend([rank(case, changed), rank(case, removed)])
    part = part_of(case.id)
    return [
        CheckOutcome(
            case.id,
            case.category,
            part,
            check.model_dump_json(),
            check_passes(check, ranking, others),
        )
        for check in case.checks
    ]


def summarise(outcomes: Iterable[CheckOutcome]) -> dict[str, dict[str, dict[str, float]]]:
    """{part: {category (and "all"): {"passed", "total", "rate"}}}."""
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for outcome in outcomes:
        for part in (outcome.part, "all"):
            for category in (outcome.category, "all"):
                counts[part][category][0] += outcome.passed
                counts[part][category][1] += 1
    return {
        part: {
            category: {"passed": passed, "total": total, "rate": round(passed / total, 4)}
            for category, (passed, total) in sorted(by_category.items())
        }
        for part, by_category in sorted(counts.items())
    }


# ------------------------------------------------------------------ "matches" precision

# Categories whose `above` and `top` checks name the wanted work as `a` (in the
# others they order openings of the same work by conditions, hours or wishes).
WANTED_BY_ORDER: frozenset[str] = frozenset(
    {"cross_lingual", "paraphrase", "preference_vs_past", "lookalike", "thin_openings"}
)
MATCHES = "matches"


def wanted_work(case: Case) -> tuple[set[str], set[str]]:
    """The openings the case's checks name as the wanted work, and as not the wanted work.

    Wanted: `a` of a `reason_mentions` check, and of `above` and `top` checks in the
    `WANTED_BY_ORDER` categories. Not wanted: `a` of a `no_reason` check on "matches".
    Openings no check names either way are left out.
    """
    wanted: set[str] = set()
    unwanted: set[str] = set()
    for check in case.checks:
        ordered = isinstance(check, Above | InTop) and case.category in WANTED_BY_ORDER
        if ordered or isinstance(check, ReasonMentions):
            wanted.add(check.a)
        elif isinstance(check, NoReason) and check.starts.casefold().startswith(MATCHES):
            unwanted.add(check.a)
    return wanted, unwanted - wanted


@dataclass(frozen=True)
class MatchClaims:
    """One case's named openings: how many, and how many a reason says "matches"."""

    part: str
    wanted: int
    unwanted: int
    claimed_wanted: int
    claimed_unwanted: int


def match_claims(case: Case, ranking: Ranking) -> MatchClaims:
    wanted, unwanted = wanted_work(case)
    claimed = {
        r.opening_id
        for r in ranking.results
        if any(reason.casefold().startswith(MATCHES) for reason in r.reasons)
    }
    return MatchClaims(
        part_of(case.id),
        len(wanted),
        len(unwanted),
        len(claimed & wanted),
        len(claimed & unwanted),
    )


def precision_of_matches(claims: Iterable[MatchClaims]) -> dict[str, dict[str, float]]:
    """{part (and "all"): precision of "matches" reasons, and the counts it rests on}.

    precision = claimed wanted / (claimed wanted + claimed unwanted), None when no
    named opening is claimed; recall = claimed wanted / wanted.
    """
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for claim in claims:
        for part in (claim.part, "all"):
            total = totals[part]
            total[0] += claim.wanted
            total[1] += claim.unwanted
            total[2] += claim.claimed_wanted
            total[3] += claim.claimed_unwanted
    summary: dict[str, dict[str, Any]] = {}
    for part, (wanted, unwanted, right, wrong) in sorted(totals.items()):
        summary[part] = {
            "precision": round(right / (right + wrong), 4) if right + wrong else None,
            "recall": round(right / wanted, 4) if wanted else None,
            "matches_on_wanted": right,
            "matches_on_unwanted": wrong,
            "wanted": wanted,
            "unwanted": unwanted,
        }
    return summary


# ------------------------------------------------------------------ wish coverage


def wish_coverage_of(case: Case, ranking: Ranking) -> float | None:
    """The share of the case's wishes with a fitting opening in the top k, or None.

    Only cases whose profile states two or more distinct wishes and that have a
    `covers` check are measured: the check's `wishes` names, for each wish, the
    openings the case's author wrote for it, and its `k` is the depth.
    """
    wishes = {w.casefold().strip() for w in case.candidate.preferences.desired}
    covers = [c for c in case.checks if isinstance(c, Covers)]
    if len(wishes) < 2 or not covers:
        return None
    check = covers[0]
    top = {r.opening_id for r in ranking.results if r.rank <= check.k}
    return sum(1 for ids in check.wishes.values() if top.intersection(ids)) / len(check.wishes)


def coverage_summary(
    cases: Sequence[Case], coverages: Sequence[float | None]
) -> dict[str, dict[str, float | int | None]]:
    """{part (and "all"): cases with two or more wishes, those measured, mean coverage}."""
    tallies: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0])
    for case, coverage in zip(cases, coverages, strict=True):
        several = len({w.casefold().strip() for w in case.candidate.preferences.desired}) >= 2
        for part in (part_of(case.id), "all"):
            tally = tallies[part]
            tally[0] += several
            if coverage is not None:
                tally[1] += 1
                tally[2] += coverage
                tally[3] += coverage == 1.0
    return {
        part: {
            "cases_two_or_more_wishes": int(several),
            "measured": int(measured),
            "mean_coverage": round(total / measured, 4) if measured else None,
            "all_wishes_covered": int(full),
        }
        for part, (several, measured, total, full) in sorted(tallies.items())
    }


# ------------------------------------------------------------------ engine


def engine_ranker(
    model: str | None,
    weights: dict[str, float] | None = None,
    backend: str | None = None,
    quantisation: Quantisation | None = None,
) -> RankFunction:
    """Rank a case with `PreferenceRanker` and the encoder `ipsmatch rank` would build.

    `weights` replace defaults of `ScoringWeights` by name, to measure one lever at a time;
    `backend` and `quantisation`, when given, replace the settings' encoder choice.
    """
    from matcher.ranker import PreferenceRanker
    from matcher.scoring import ScoringWeights
    from service.cli import load_encoder
    from service.settings import get_settings

    encoder = load_encoder(
        get_settings(), model, quiet=True, backend=backend, quantisation=quantisation
    )
    scoring = ScoringWeights(**(weights or {}))
    fitted: dict[str, PreferenceRanker] = {}

    def rank(case: Case, candidate: Candidate) -> Ranking:
        if case.id not in fitted:
            fitted.clear()
            fitted[case.id] = PreferenceRanker(encoder, weights=scoring).fit(case.openings)
        return fitted[case.id].rank(candidate, len(case.openings), case.day)

    return rank


# ------------------------------------------------------------------ prose reader


def score_prose(cases: Sequence[Case]) -> dict[str, dict[str, float]]:
    """Precision and recall of `matcher.prose` on the annotated openings of `cases`."""
    from matcher.prose import read_prose

    tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # true, found, stated
    for case in cases:
        openings = {o.id: o for o in case.openings}
        for opening_id, truth in case.prose.items():
            opening = openings[opening_id]
            reading = read_prose(f"{opening.title}. {opening.description}")
            pairs: list[tuple[str, set[str], set[str]]] = []
            if truth.conditions is not None:
                pairs.append(("conditions", set(truth.conditions), set(reading.condition_names)))
            if truth.times is not None:
                pairs.append(("times", set(truth.times), set(reading.schedule)))
            if truth.hours is not None:
                found = reading.hours
                stated = {f"{truth.hours[0]:g}-{truth.hours[1]:g}"}
                got = set() if found is None else {f"{found.low:g}-{found.high:g}"}
                pairs.append(("hours", stated, got))
            for kind, stated_set, found_set in pairs:
                tally = tallies[kind]
                tally[0] += len(stated_set & found_set)
                tally[1] += len(found_set)
                tally[2] += len(stated_set)
    summary: dict[str, dict[str, float]] = {}
    for kind, (true, found, stated) in sorted(tallies.items()):
        summary[kind] = {
            "precision": round(true / found, 4) if found else 1.0,
            "recall": round(true / stated, 4) if stated else 1.0,
            "found": found,
            "stated": stated,
        }
    return summary


# ------------------------------------------------------------------ command


def _print_table(summary: dict[str, dict[str, dict[str, float]]]) -> None:
    parts = [p for p in (*PARTS, "all") if p in summary]
    print(f"{'category':<22}" + "".join(f"{p:>16}" for p in parts))
    for category in (*CATEGORIES, "all"):
        cells = []
        for part in parts:
            cell = summary[part].get(category)
            cells.append(
                f"{cell['passed']:>4.0f}/{cell['total']:<4.0f} {cell['rate']:>5.1%}"
                if cell
                else f"{'-':>16}"
            )
        print(f"{category:<22}" + "".join(f"{c:>16}" for c in cells))


def _weights(text: str) -> dict[str, float]:
    """`--weights`: a JSON object of `ScoringWeights` field names and numbers."""
    from matcher.scoring import ScoringWeights

    try:
        weights = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"--weights is not JSON: {error}") from error
    known = set(ScoringWeights().to_dict())
    if not isinstance(weights, dict) or not set(weights) <= known:
        raise argparse.ArgumentTypeError(
            f"--weights must be a JSON object with keys among {sorted(known)}, got {text!r}"
        )
    return weights


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--cases", type=Path, default=CASES_DIR)
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
    parser.add_argument("--category", action="append", choices=CATEGORIES)
    parser.add_argument(
        "--precision", action="store_true", help='also measure the precision of "matches" reasons'
    )
    parser.add_argument(
        "--weights",
        type=_weights,
        default=None,
        help="ScoringWeights to change, as JSON: '{\"semantic_spans\": 1}'",
    )
    parser.add_argument(
        "--coverage", action="store_true", help="also measure wish coverage of the top k"
    )
    parser.add_argument("--prose", action="store_true", help="score matcher.prose alone")
    args = parser.parse_args(argv)

    cases = load_cases(args.cases, args.part)
    if args.category:
        cases = [c for c in cases if c.category in args.category]
    if args.prose:
        prose = score_prose(cases)
        for kind, figures in prose.items():
            print(f"{kind:<12} {json.dumps(figures)}")
        print(json.dumps({"part": args.part, "prose": prose}))
        return 0

    started = time.perf_counter()
    rank = engine_ranker(args.model, args.weights, args.backend, args.quantisation)
    outcomes: list[CheckOutcome] = []
    claims: list[MatchClaims] = []
    coverages: list[float | None] = []
    for number, case in enumerate(cases, 1):
        ranking = rank(case, case.candidate)
        outcomes.extend(score_case(case, rank, ranking))
        claims.append(match_claims(case, ranking))
        coverages.append(wish_coverage_of(case, ranking))
        print(f"\r{number}/{len(cases)} cases", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    failed = [o for o in outcomes if not o.passed]
    for outcome in failed:
        print(f"FAIL {outcome.part:<7} {outcome.case_id:<10} {outcome.check}", file=sys.stderr)
    summary = summarise(outcomes)
    _print_table(summary)
    report: dict[str, Any] = {
        "part": args.part,
        "cases": len(cases),
        "checks": len(outcomes),
        "seconds": round(time.perf_counter() - started, 1),
        "results": summary,
    }
    if args.precision:
        report["matches_precision"] = precision_of_matches(claims)
        for part, figures in report["matches_precision"].items():
            print(f'"matches" precision {part:<8} {json.dumps(figures)}')
    if args.coverage:
        report["wish_coverage"] = coverage_summary(cases, coverages)
        for part, figures in report["wish_coverage"].items():
            print(f"wish coverage {part:<8} {json.dumps(figures)}")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
