"""How far apart Danish and English sit in the encoder's space, on the understanding cases.

```sh
.venv/bin/python benchmarks/language_gap.py [--model DIR] [--part tune|heldout|all]
```

Pairs come from the `cross_lingual`, `paraphrase` and `lookalike` cases of
`benchmarks/understanding/cases`: each case's wish (encoded as a query, as
the ranker does) against its wanted opening's title and description (as a
passage) is a pair of the *same meaning*; the wish against the wanted
openings of every other case is a pair of *different meanings*. Pairs are
grouped by the wish's and the opening's language (the case's own `note` for
cross-lingual cases, else the opening title's language by
`matcher.taxonomy.guess_language`), and the mean cosine of each group is
printed. The last line is one JSON object:
``{"<query lang>-><passage lang>": {"same": .., "different": .., "pairs_same": ..,
"pairs_different": ..}, ..., "gap": ..}`` where ``gap`` is the mean cosine of
different-meaning pairs within one language less that across languages.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.understanding import load_cases  # noqa: E402
from matcher.taxonomy import guess_language  # noqa: E402

CATEGORIES = ("cross_lingual", "paraphrase", "lookalike")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Danish-English gap in the encoder's space")
    parser.add_argument("--model", default=None, help="sentence-transformers folder")
    parser.add_argument("--part", choices=("tune", "heldout", "all"), default="all")
    args = parser.parse_args(argv)

    from service.cli import load_encoder
    from service.settings import get_settings

    wishes: list[tuple[str, str]] = []  # (text, language)
    openings: list[tuple[str, str]] = []
    for case in load_cases(part=args.part):
        if case.category not in CATEGORIES:
            continue
        wanted = next(o for o in case.openings if o.id.endswith("-want"))
        wish = case.candidate.preferences.desired[0]
        text = f"{wanted.title}. {wanted.description}"
        if case.category == "cross_lingual":  # note: "da wish, en opening"
            wish_language = case.note.split()[0]
            opening_language = "en" if wish_language == "da" else "da"
        else:
            wish_language = opening_language = guess_language([wanted.title, wanted.description])
        wishes.append((wish, wish_language))
        openings.append((text, opening_language))

    encoder = load_encoder(get_settings(), args.model, quiet=True)
    queries = encoder.encode([w for w, _ in wishes], "query")
    passages = encoder.encode([o for o, _ in openings], "passage")
    encoder.cache.flush()
    cosines = queries @ passages.T

    groups: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for i, (_, wish_language) in enumerate(wishes):
        for j, (_, opening_language) in enumerate(openings):
            key = f"{wish_language}->{opening_language}"
            groups[key]["same" if i == j else "different"].append(float(cosines[i, j]))
    result: dict[str, object] = {}
    for key, kinds in sorted(groups.items()):
        result[key] = {
            "same": round(float(np.mean(kinds["same"])), 4) if kinds["same"] else None,
            "different": round(float(np.mean(kinds["different"])), 4),
            "pairs_same": len(kinds["same"]),
            "pairs_different": len(kinds["different"]),
        }
        print(f"{key:<8} {json.dumps(result[key])}")
    within = [c for k, v in groups.items() if k[:2] == k[-2:] for c in v["different"]]
    across = [c for k, v in groups.items() if k[:2] != k[-2:] for c in v["different"]]
    result["gap"] = round(float(np.mean(within) - np.mean(across)), 4)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
