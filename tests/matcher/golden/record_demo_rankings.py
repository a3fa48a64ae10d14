"""Record the demo rankings the ranker refactor must keep identical.

Run once from the repository root with the code before a refactor:
``PYTHONPATH=.:tests:tests/matcher python tests/matcher/golden/record_demo_rankings.py``.
`tests/matcher/test_ranker_golden.py` compares the current code with the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_ranker_golden import CONFIGURATIONS, demo_rankings

OUT = Path(__file__).parent / "demo_rankings.json"

if __name__ == "__main__":
    recorded = {name: demo_rankings(name) for name in CONFIGURATIONS}
    OUT.write_text(json.dumps(recorded, ensure_ascii=False, indent=0, sort_keys=True) + "\n")
    print(f"wrote {OUT}")
