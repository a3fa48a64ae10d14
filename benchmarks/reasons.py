"""What showing reasons in Danish costs a page: `python benchmarks/reasons.py`.

Takes the recorded demo rankings (`tests/matcher/golden/demo_rankings.json`,
every configuration), gives each result its reasons as values (read back
from the sentences, as the engine would have carried them), and times the
suggestions page's work per reason in Danish: the values as carried
(suggestions, suggested employers) and the sentences read back (alerts).
Best of ``--rounds``; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from matcher.reasons import parse  # noqa: E402
from matcher.records import RankedOpening  # noqa: E402
from service.web.reasons import reason_words  # noqa: E402

GOLDEN = REPO / "tests" / "matcher" / "golden" / "demo_rankings.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    recorded = json.loads(GOLDEN.read_text())
    results = [
        RankedOpening.model_validate(result)
        for rankings in recorded.values()
        for ranking in rankings
        for result in ranking["results"]
    ]
    for result in results:
        result.with_reasons([parse(sentence) or sentence for sentence in result.reasons])
    words = reason_words("da")
    count = sum(len(result.reasons) for result in results)

    def best(read_back: bool) -> float:
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            for result in results:
                for reason in result.reasons if read_back else result.explained():
                    words(reason)
            times.append(time.perf_counter() - started)
        return min(times) / count * 1e6

    english = sum(words(r).lang is not None for res in results for r in res.explained())
    print(
        json.dumps(
            {
                "reasons": count,
                "carried_us_per_reason": round(best(read_back=False), 1),
                "read_back_us_per_reason": round(best(read_back=True), 1),
                "left_in_english": english,
            }
        )
    )


if __name__ == "__main__":
    main()
