"""What a suggestions page adds to the API's own ranking: `python benchmarks/pages.py`.

In one process, on a fresh SQLite store holding the demo data, with the
service's ranking cache off so that every request ranks:

1. signs the demo consultant in to the pages (a session cookie) and keeps
   the API token;
2. for every demo candidate, ``--rounds`` times, asks the API for
   ``/candidates/{id}/recommendations?k=K`` and the page
   ``/web/candidates/{id}/suggestions?k=K``, in alternating order, each
   through the same in-process ASGI client (no network in either);
3. reports the medians and the page's overhead, ``page_p50 / api_p50 - 1``
   (the issue's limit is 0.20).

Progress goes to stderr; the last line of stdout is one JSON object.
``--encoder fake`` uses the hashing test encoder: rankings are then cheaper,
so the page's share of the time is larger than with the real model.
``--openings N`` grows the catalogue to N openings by copying the demo
openings under new ids (same texts, so nothing new is encoded): the ranking
then costs what it costs on a job centre's catalogue, the page's own work
stays the same.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from fastapi.testclient import TestClient  # noqa: E402

from matcher.encoders import CachedEncoder, SentenceTransformerEncoder, TextEncoder  # noqa: E402
from matcher.record_files import read_candidates, read_openings  # noqa: E402
from service import store  # noqa: E402
from service.app import create_app  # noqa: E402
from service.db import Database  # noqa: E402
from service.demo import DEMO_DIR, load_demo  # noqa: E402
from service.settings import Settings  # noqa: E402

DEFAULT_MODEL = REPO / "models" / "multilingual-e5-small"


def _encoder(kind: str, model: Path) -> TextEncoder:
    if kind == "fake":
        from fakes import FakeEncoder

        return FakeEncoder()
    return SentenceTransformerEncoder(model)


def _sign_in(client: TestClient, token: str) -> None:
    form = client.get("/web/sign-in").text
    marker = 'name="form_token" value="'
    form_token = form.split(marker, 1)[1].split('"', 1)[0]
    answer = client.post(
        "/web/sign-in",
        data={"token": token, "form_token": form_token, "next": ""},
        follow_redirects=False,
    )
    if answer.status_code != 303:
        raise SystemExit(f"sign-in failed: {answer.status_code} {answer.text[:200]}")


def _grow_catalogue(database: Database, size: int) -> None:
    demo = read_openings(DEMO_DIR / "openings.jsonl")
    copies = [
        opening.model_copy(
            update={"id": f"{opening.id}-copy{n}", "employer_id": f"{opening.employer_id}-{n}"}
        )
        for n in range(1, size // max(len(demo), 1) + 1)
        for opening in demo
    ][: max(size - len(demo), 0)]
    if copies:
        with database.writer() as session:
            store.upsert_openings(session, copies)
            store.bump_catalogue(session)
            session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--encoder", choices=("real", "fake"), default="real")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--openings", type=int, default=0, help="Grow the catalogue to this.")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="ipsmatch-pages-bench-"))
    settings = Settings(
        data_dir=folder / "data",
        cache_dir=folder / "cache",
        database_url=f"sqlite:///{folder / 'ipsmatch.db'}",
        ranking_cache_size=0,
    )
    database = Database(settings.resolved_database_url())
    database.migrate()
    logins = {login.role: login.token for login in load_demo(database).logins}
    _grow_catalogue(database, args.openings)
    database.dispose()
    ids = [c.id for c in read_candidates(DEMO_DIR / "candidates.jsonl")]
    encoder = CachedEncoder(_encoder(args.encoder, args.model))
    print(f"starting the app on {len(ids)} demo candidates...", file=sys.stderr)
    with TestClient(create_app(settings, encoder=encoder)) as client:
        _sign_in(client, logins["consultant"])
        bearer = {"Authorization": f"Bearer {logins['consultant']}"}

        def api(candidate_id: str) -> float:
            start = time.perf_counter()
            answer = client.get(
                f"/candidates/{candidate_id}/recommendations?k={args.k}", headers=bearer
            )
            elapsed = time.perf_counter() - start
            assert answer.status_code == 200, answer.text
            return elapsed

        def page(candidate_id: str) -> float:
            start = time.perf_counter()
            answer = client.get(f"/web/candidates/{candidate_id}/suggestions?k={args.k}")
            elapsed = time.perf_counter() - start
            assert answer.status_code == 200, answer.text
            return elapsed

        for candidate_id in ids[:3]:  # warm-up: query texts encoded, code paths loaded
            api(candidate_id)
            page(candidate_id)
        api_times: list[float] = []
        page_times: list[float] = []
        for round_number in range(args.rounds):
            for n, candidate_id in enumerate(ids):
                first, second = (api, page) if (n + round_number) % 2 == 0 else (page, api)
                for measure in (first, second):
                    (api_times if measure is api else page_times).append(measure(candidate_id))
            print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else ""
    api_p50 = statistics.median(api_times) * 1000
    page_p50 = statistics.median(page_times) * 1000
    print(
        json.dumps(
            {
                "encoder": args.encoder,
                "openings": max(args.openings, 0) or "demo",
                "k": args.k,
                "requests_each": len(api_times),
                "api_p50_ms": round(api_p50, 2),
                "page_p50_ms": round(page_p50, 2),
                "page_overhead": round(page_p50 / api_p50 - 1, 3),
                "api_mean_ms": round(statistics.fmean(api_times) * 1000, 2),
                "page_mean_ms": round(statistics.fmean(page_times) * 1000, 2),
                "load_avg_1m_at_end": load,
            }
        )
    )


if __name__ == "__main__":
    main()
