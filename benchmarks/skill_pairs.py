"""Does the encoder tell a held skill that meets a requirement from one that does not?

```sh
.venv/bin/python benchmarks/skill_pairs.py [--model DIR]
```

`benchmarks/understanding/skill_pairs.tsv` holds 90 invented pairs (held skill,
required skill, met 1/0): the same skill in the other language or other words
("madlavning", "cooking"), a narrower skill for a broader one ("Photoshop",
"billedbehandling"), and a different skill of the same field ("Photoshop",
"AutoCAD"; "engelsk", "tysk"). Each pair is judged three ways, as
`matcher.scorer.skills` would: by the encoder's rise above both phrases'
baselines against `ScoringWeights.skill_threshold`, by that plus
`matcher.specifics`, and by those plus the packaged list of skills
(`matcher.skill_lexicon`). The pairs were written while the list was, so the
third figure says the list holds what it was written to hold, no more; the
first two say how far the encoder alone gets. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from matcher.calibration import measure_scale  # noqa: E402
from matcher.scoring import ScoringWeights  # noqa: E402
from matcher.skill_lexicon import SkillComparison, SkillLexicon  # noqa: E402
from matcher.specifics import differ_in_specifics  # noqa: E402
from service.cli import load_encoder  # noqa: E402
from service.settings import Settings  # noqa: E402

PAIRS = REPO / "benchmarks" / "understanding" / "skill_pairs.tsv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="Encoder folder (default: the configured model).")
    args = parser.parse_args(argv)
    with PAIRS.open(encoding="utf-8", newline="") as handle:
        pairs = [
            (r["held"], r["required"], r["met"] == "1")
            for r in csv.DictReader(handle, delimiter="\t")
        ]
    encoder = load_encoder(Settings(), args.model, quiet=True)
    scale = measure_scale(encoder)
    held = encoder.encode([p[0] for p in pairs], "query")
    required = encoder.encode([p[1] for p in pairs], "query")
    baselines = (scale.baselines(held)[:, 0] + scale.baselines(required)[:, 0]) / 2
    rises = scale.rise((held * required).sum(axis=1), baselines)
    threshold = ScoringWeights().skill_threshold
    lexicon = SkillLexicon()
    right = {"encoder": 0, "encoder_and_specifics": 0, "with_known_skills": 0}
    for (one, other, met), rise in zip(pairs, rises, strict=True):
        by_encoder = bool(rise >= threshold)
        with_specifics = by_encoder and not differ_in_specifics(one, other)
        known = lexicon.compare(one, other)
        with_list = with_specifics if known is None else known is SkillComparison.MEETS
        for name, said in zip(right, (by_encoder, with_specifics, with_list), strict=True):
            right[name] += said == met
        said_by_list = known.value if known else "-"
        print(f"{int(met)} rise {rise:5.2f} list {said_by_list:5} {one!r} -> {other!r}")
    result = {"pairs": len(pairs), "threshold": threshold, "right": right}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
