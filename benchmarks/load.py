"""Load on the running service: `python benchmarks/load.py [--openings 20000] [--upload 10000]`.

On loopback only, and bounded in time:

1. makes a fresh store in a temporary folder (SQLite, or ``--database-url``)
   holding the 40 demo candidates and ``--openings`` synthetic openings made
   by recombining the demo openings' titles and sentences. Titles, sentences
   and skills are encoded for real; each opening's whole text gets a vector
   derived from its parts' real vectors (their mean plus noise), stored as the
   service stores vectors, so the service starts without encoding the
   catalogue;
2. starts the service in a child process and waits for ``/health``: one
   uvicorn process, or with ``--workers N`` N processes that share one fit
   (``service.prefork``, as ``ipsmatch serve --workers N``), or with
   ``--process-model separate`` N uvicorn workers that fit a catalogue each;
3. asks once for every candidate (cold: query encoding and ranking), then
   runs ``--clients`` concurrent clients requesting recommendations for random
   candidates for ``--duration`` seconds;
4. measures the bare encoder's throughput on a sample of the texts the
   upload will need encoded, in batches of 64 as the service encodes them,
   then uploads ``--upload`` new openings as one JSON Lines file, times it
   to the response (validation and one transaction: 202), follows the
   background job at ``/uploads/{id}`` to its end and reports its encoding
   rate (texts encoded over the job's working time) against the bare
   encoder's.

The summed proportional set size (PSS) of the service's processes is read
from ``/proc/PID/smaps_rollup`` once the service is up, after the load and
after the single openings (a change to the catalogue), so shared pages are
counted once across the workers.

Progress goes to stderr; the last line of stdout is one JSON object.
``--no-ranking-cache`` turns the service's ranking cache off, so every
request ranks (from the profile's kept encoding, as after a new opening or on
a new day; ``--no-query-cache`` encodes the profile again too, as after a
profile edit); ``--encoder fake`` runs the whole thing in seconds with the
hashing test encoder (throughput figures are then meaningless).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from matcher.encoders import EmbeddingCache, SentenceTransformerEncoder, TextEncoder  # noqa: E402
from matcher.record_files import read_candidates, read_openings  # noqa: E402
from matcher.records import Opening  # noqa: E402
from matcher.text import opening_segments, opening_title_text, split_sentences  # noqa: E402
from service import store  # noqa: E402
from service.db import Database  # noqa: E402
from service.models import TextVector  # noqa: E402

DEMO = REPO / "data" / "demo"
# Openings added one at a time, after the load and before the bulk upload.
SINGLES = 5
DEFAULT_MODEL = REPO / "models" / "multilingual-e5-small"
BATCH = 64  # the service's CachedEncoder batch size
THROUGHPUT_TEXTS = 512
NOISE_COSINE = 0.96  # cosine between a derived whole-text vector and its parts' mean

_START = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _START:7.1f}s] {message}", file=sys.stderr, flush=True)


def load_average() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return float("nan")


def make_encoder(kind: str, model: Path) -> TextEncoder:
    if kind == "fake":
        sys.path.insert(0, str(REPO / "tests"))
        from fakes import FakeEncoder

        return FakeEncoder(384)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return SentenceTransformerEncoder(model)


# ------------------------------------------------------------------ synthetic openings


class Synthesiser:
    """New openings from the demo's: a demo opening's fields, sentences from its field."""

    def __init__(self, demo: Sequence[Opening], seed: int) -> None:
        self.demo = list(demo)
        self.rng = random.Random(seed)
        self.sentences = [split_sentences(o.description) for o in self.demo]
        by_field: dict[str, list[int]] = {}
        for i, o in enumerate(self.demo):
            by_field.setdefault(o.occupation or o.industry or o.title, []).append(i)
        self.siblings = [by_field[o.occupation or o.industry or o.title] for o in self.demo]
        self.seen: set[tuple[str, str | None, str]] = set()

    def pool(self) -> tuple[list[str], list[str]]:
        """Every passage part (titles, sentences) and every required skill."""
        passages = {opening_title_text(o) for o in self.demo}
        passages |= {s for sentences in self.sentences for s in sentences}
        skills = {s for o in self.demo for s in o.requires.skills}
        return sorted(passages), sorted(skills)

    def make(self, count: int, prefix: str) -> list[Opening]:
        today = date.today()
        openings = []
        while len(openings) < count:
            b = self.rng.randrange(len(self.demo))
            base = self.demo[b]
            own = self.sentences[b]
            # Middle sentences mostly from the same field, sometimes from anywhere, so that
            # every opening is a new combination of texts the pool already holds.
            donor = self.rng.choice(self.siblings[b])
            if self.rng.random() < 0.3:
                donor = self.rng.randrange(len(self.demo))
            # Only whole sentences, so that the description splits back into pool sentences.
            extra = [s for s in self.sentences[donor] if s not in own and s[-1:] in ".!?"]
            if own and own[0][-1:] not in ".!?":
                extra = []
            middle = self.rng.sample(extra, min(len(extra), self.rng.randint(0, 2)))
            parts = own[:1] + middle + own[1:]
            description = " ".join(dict.fromkeys(parts))
            signature = (base.title, base.industry, description)
            if signature in self.seen:
                continue
            self.seen.add(signature)
            n = len(openings)
            record = base.model_dump(mode="json", exclude_none=True)
            location = record.get("location")
            if location and "lat" in location:
                location["lat"] += self.rng.uniform(-0.02, 0.02)
                location["lon"] += self.rng.uniform(-0.03, 0.03)
            record.update(
                id=f"{prefix}-{n:06d}",
                employer_id=f"e-{prefix}-{n % max(1, count // 10):05d}",
                employer_name=f"{base.employer_name} {n % max(1, count // 10)}",
                description=description,
                posted=(today - timedelta(days=self.rng.randint(0, 60))).isoformat(),
                expires=(today + timedelta(days=self.rng.randint(30, 200))).isoformat(),
            )
            openings.append(Opening.model_validate(record))
        return openings


def derived_vectors(
    openings: Sequence[Opening], parts: dict[str, np.ndarray], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Whole-text vectors: the mean of the real vectors of an opening's parts, plus noise."""
    dimension = len(next(iter(parts.values())))
    sigma = float(np.sqrt((1 / NOISE_COSINE**2 - 1) / dimension))
    out: dict[str, np.ndarray] = {}
    for opening in openings:
        segments = opening_segments(opening)
        known = [parts[s] for s in segments[1:] if s in parts]
        if segments[0] in parts or not known:
            continue
        mean = np.mean(known, axis=0)
        mean /= np.linalg.norm(mean)
        noisy = mean + rng.standard_normal(dimension).astype(np.float32) * sigma
        out[segments[0]] = (noisy / np.linalg.norm(noisy)).astype(np.float32)
    return out


# ----------------------------------------------------------------------- the store


def seed_store(
    url: str,
    openings: Sequence[Opening],
    passage_vectors: dict[str, np.ndarray],
    skill_vectors: dict[str, np.ndarray],
    model_id: str,
) -> str:
    """The catalogue, the demo candidates and two users; returns the consultant's token."""
    database = Database(url)
    database.migrate()
    rows = [
        {"key": EmbeddingCache.key(model_id, "passage", t), "vector": v.tobytes()}
        for t, v in passage_vectors.items()
    ]
    rows += [
        {"key": EmbeddingCache.key(model_id, "query", t), "vector": v.tobytes()}
        for t, v in skill_vectors.items()
    ]
    with database.writer() as session:
        consultant, token = store.create_user(session, "load-consultant", "consultant")
        for candidate in read_candidates(DEMO / "candidates.jsonl"):
            store.save_candidate(session, consultant, candidate, None)
        store.upsert_openings(session, openings)
        store.bump_catalogue(session)
        for part in store.chunks(rows):
            session.execute(TextVector.__table__.insert(), list(part))
        session.commit()
    database.dispose()
    return token


def add_job_developer(url: str) -> str:
    database = Database(url)
    with database.writer() as session:
        _, token = store.create_user(session, "load-job-developer", "job_developer")
        session.commit()
    database.dispose()
    return token


# ---------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def service_settings(options: dict[str, Any]) -> Any:
    from service.settings import Settings

    return Settings(
        data_dir=options["data_dir"],
        database_url=options["database_url"],
        ranking_cache_size=0 if options["no_ranking_cache"] else 4096,
        query_cache_size=0 if options["no_query_cache"] else 4096,
    )


def worker_app() -> Any:
    """The app of one worker process, from the options `serve` left in the environment."""
    from service.app import create_app
    from service.prefork import HandBackWhenBusy

    options = json.loads(os.environ["IPSMATCH_LOAD_SERVE"])
    encoder = make_encoder(options["encoder"], Path(options["model"]))
    app = create_app(service_settings(options), encoder=encoder)
    # Several workers balance as the shared ones do, so that only the fit differs.
    return HandBackWhenBusy(app) if options["workers"] > 1 else app


def serve(args: argparse.Namespace) -> None:
    """The child process: the service on loopback, in `--workers` processes."""
    import uvicorn

    options = {
        "data_dir": str(args.data_dir),
        "database_url": args.database_url,
        "no_ranking_cache": args.no_ranking_cache,
        "no_query_cache": args.no_query_cache,
        "encoder": args.encoder,
        "model": str(args.model),
        "workers": args.workers,
    }
    if args.workers > 1 and args.process_model == "shared":
        # As `ipsmatch serve --workers N`: one fit in the master, forked to the workers.
        from service.prefork import SharedCatalogueServer, prepared_app

        app = prepared_app(service_settings(options), make_encoder(args.encoder, args.model))
        SharedCatalogueServer(app, "127.0.0.1", args.port, args.workers).run()
        return
    os.environ["IPSMATCH_LOAD_SERVE"] = json.dumps(options)
    uvicorn.run(
        "load:worker_app",
        factory=True,
        app_dir=str(Path(__file__).parent),
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )


def start_server(args: argparse.Namespace, data_dir: Path, url: str, port: int) -> Any:
    command = [
        sys.executable,
        __file__,
        "--serve",
        "--data-dir",
        str(data_dir),
        "--database-url",
        url,
        "--port",
        str(port),
        "--encoder",
        args.encoder,
        "--model",
        str(args.model),
    ]
    command += ["--workers", str(args.workers), "--process-model", args.process_model]
    if args.no_ranking_cache:
        command.append("--no-ranking-cache")
    if args.no_query_cache:
        command.append("--no-query-cache")
    return subprocess.Popen(command, stdout=sys.stderr, stderr=sys.stderr)


def wait_for(base: str, server: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the service exited with {server.returncode} while starting")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the service did not answer /health within {timeout_s:.0f} s")


# ------------------------------------------------------------------------ the load


async def run_load(
    base: str, token: str, candidates: list[str], clients: int, duration_s: float, k: int
) -> tuple[list[float], int, int]:
    """`clients` closed-loop clients, each asking for a random candidate's ranking in turn.

    aiohttp, not httpx: on two cores shared with the service, the client's own
    cost per request shows up in every latency it measures, and httpx's is
    several times aiohttp's (with httpx the generator alone took a whole core
    at about 200 requests a second).
    """
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration_s

    async def client(number: int, http: aiohttp.ClientSession) -> None:
        nonlocal errors
        rng = random.Random(number)
        while time.perf_counter() < deadline:
            candidate = rng.choice(candidates)
            started = time.perf_counter()
            try:
                async with http.get(
                    f"{base}/candidates/{candidate}/recommendations", params={"k": str(k)}
                ) as response:
                    body = await response.read()
                ok = response.status == 200 and len(json.loads(body)["results"]) == k
            except (TimeoutError, aiohttp.ClientError):
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(headers=headers, connector=connector, timeout=timeout) as http:
        await asyncio.gather(*(client(n, http) for n in range(clients)))
    return latencies, errors, len(latencies)


def follow_upload(url: str, headers: dict[str, str], every_s: float = 1.0) -> dict[str, Any]:
    """The upload job's progress once it has finished (logged as it goes)."""
    reported = time.perf_counter()
    while True:
        progress: dict[str, Any] = httpx.get(url, headers=headers, timeout=60).json()
        if progress["status"] in ("done", "failed"):
            if progress["status"] == "failed" or progress["errors"]:
                log(f"upload errors: {progress['errors'][:5]}")
            return progress
        if time.perf_counter() - reported > 30:
            reported = time.perf_counter()
            log(f"  {progress['indexed']}/{progress['total']} indexed, "
                f"{progress['rate_per_s']} openings/s")  # fmt: skip
        time.sleep(every_s)


def stat_fields(stat: Path) -> list[str] | None:
    """The fields of a `/proc/PID/stat` file after the command name (the state first),
    or None if the process ended while being read."""
    try:
        # The command name, in parentheses, may hold spaces: split after it.
        return stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_tree(root: int) -> list[int]:
    """`root` and every process below it, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = stat_fields(stat)
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def tree_memory_mb(root: int) -> dict[str, float]:
    """Summed PSS (shared pages split between their sharers) and RSS of a process tree."""
    pss_kb = rss_kb = 0
    processes = 0
    for pid in process_tree(root):
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        fields = {line.split(":")[0]: line.split()[1] for line in lines[1:] if ":" in line}
        pss_kb += int(fields.get("Pss", 0))
        rss_kb += int(fields.get("Rss", 0))
        processes += 1
    return {"pss_mb": round(pss_kb / 1024, 1), "rss_mb": round(rss_kb / 1024, 1),
            "processes": processes}  # fmt: skip


def tree_cpu_s(root: int) -> float:
    """CPU seconds (user and system) spent so far by a process tree's living processes."""
    ticks = 0
    for pid in process_tree(root):
        fields = stat_fields(Path(f"/proc/{pid}/stat"))
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile_ms(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values) * 1000, q)), 1) if values else 0.0


# ----------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openings", type=int, default=20_000, help="catalogue when loaded")
    parser.add_argument("--upload", type=int, default=10_000, help="openings in the upload")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--encoder", choices=("e5", "fake"), default="e5")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="encoder folder")
    parser.add_argument(
        "--database-url", default=None, help="a SQLAlchemy URL; default: SQLite in a temp dir"
    )
    parser.add_argument("--no-ranking-cache", action="store_true")
    parser.add_argument(
        "--no-query-cache",
        action="store_true",
        help="encode the profile for every ranking too, as after a profile edit",
    )
    parser.add_argument("--workers", type=int, default=1, help="service processes")
    parser.add_argument(
        "--process-model",
        choices=("shared", "separate"),
        default="shared",
        help="with --workers N: one fit shared by N forked workers (service.prefork, as "
        "`ipsmatch serve --workers N`) or N uvicorn workers that fit a catalogue each",
    )
    parser.add_argument("--start-timeout", type=float, default=900.0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="ipsmatch-load-"))
    url = args.database_url or f"sqlite:///{workdir / 'ipsmatch.db'}"
    encoder = make_encoder(args.encoder, args.model)
    demo = read_openings(DEMO / "openings.jsonl")
    synthesiser = Synthesiser(demo, args.seed)
    catalogue = synthesiser.make(args.openings, "b")
    upload = synthesiser.make(args.upload, "u")
    singles = synthesiser.make(SINGLES, "s")
    log(f"made {len(catalogue)} + {len(upload)} openings; store {workdir}")

    passages, skills = synthesiser.pool()
    encoder.encode(["opvarmning"], "passage")  # loads the model
    started = time.perf_counter()
    parts = dict(zip(passages, encoder.encode(passages, "passage"), strict=True))
    skill_vectors = dict(zip(skills, encoder.encode(skills, "query"), strict=True))
    log(f"encoded {len(passages)} titles and sentences, {len(skills)} skills for real "
        f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    whole = derived_vectors(catalogue, parts, np.random.default_rng(args.seed))
    token = seed_store(url, catalogue, {**parts, **whole}, skill_vectors, encoder.model_id)
    upload_token = add_job_developer(url)

    # The texts the upload will make the service encode: those the store has no vector for.
    stored = set(parts) | set(whole)
    new_texts = list(dict.fromkeys(s for o in upload for s in opening_segments(o)))
    new_texts = [t for t in new_texts if t not in stored]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args, workdir, url, port)
    try:
        started = time.perf_counter()
        wait_for(base, server, args.start_timeout)
        start_s = time.perf_counter() - started
        log(f"service up in {start_s:.1f} s with {len(catalogue)} openings")
        memory_up = tree_memory_mb(server.pid)
        log(f"service memory: {memory_up}")
        candidates = [c.id for c in read_candidates(DEMO / "candidates.jsonl")]
        headers = {"Authorization": f"Bearer {token}"}
        cold = []
        for candidate in candidates:
            began = time.perf_counter()
            response = httpx.get(
                f"{base}/candidates/{candidate}/recommendations",
                params={"k": args.k},
                headers=headers,
                timeout=120,
            )
            response.raise_for_status()
            cold.append(time.perf_counter() - began)
        log(f"cold: every candidate once, p50 {percentile_ms(cold, 50)} ms")
        log(f"{args.clients} clients for {args.duration:.0f} s (load {load_average():.1f})")
        service_cpu, client_cpu = tree_cpu_s(server.pid), time.process_time()
        latencies, errors, requests = asyncio.run(
            run_load(base, token, candidates, args.clients, args.duration, args.k)
        )
        # Where the two cores went: the service's processes, and this load generator.
        service_cpu_ms = (tree_cpu_s(server.pid) - service_cpu) * 1000 / max(requests, 1)
        client_cpu_ms = (time.process_time() - client_cpu) * 1000 / max(requests, 1)
        log(f"{requests} requests, {errors} errors, p95 {percentile_ms(latencies, 95)} ms; "
            f"CPU per request: service {service_cpu_ms:.1f} ms, "
            f"load generator {client_cpu_ms:.1f} ms")  # fmt: skip
        memory_loaded = tree_memory_mb(server.pid)
        log(f"service memory after the load: {memory_loaded}")

        # One opening at a time, as a job developer adds them: each is rankable when the
        # call returns, so this includes encoding its texts and updating the catalogue.
        single = []
        for opening in singles:
            started = time.perf_counter()
            response = httpx.post(
                f"{base}/openings",
                content=opening.model_dump_json(exclude_none=True),
                headers={
                    "Authorization": f"Bearer {upload_token}",
                    "Content-Type": "application/json",
                },
                timeout=600,
            )
            single.append(time.perf_counter() - started)
            response.raise_for_status()
        log(f"{len(single)} single openings added, p50 {percentile_ms(single, 50)} ms")
        # Each worker applies the change to a copy of what changed; rank once per worker
        # (roughly) so that every worker has caught up before the memory is read.
        for candidate in candidates[: 4 * args.workers]:
            httpx.get(
                f"{base}/candidates/{candidate}/recommendations",
                params={"k": args.k},
                headers=headers,
                timeout=120,
            ).raise_for_status()
        memory_changed = tree_memory_mb(server.pid)
        log(f"service memory after the single openings: {memory_changed}")

        bare, upload_s, indexed_s, worked_s, encoded = 0.0, 0.0, 0.0, 0.0, 0
        if upload:
            # The bare encoder on a sample of exactly those texts, in the service's batches,
            # right before the upload so that both meet the same machine load.
            sample_texts = random.Random(args.seed).sample(
                new_texts, min(THROUGHPUT_TEXTS, len(new_texts))
            )
            started = time.perf_counter()
            for first in range(0, len(sample_texts), BATCH):
                encoder.encode(sample_texts[first : first + BATCH], "passage")
            bare = len(sample_texts) / max(time.perf_counter() - started, 1e-9)
            log(f"bare encoder: {bare:.1f} texts/s on {len(sample_texts)} of the upload's "
                f"{len(new_texts)} new texts (load {load_average():.1f})")  # fmt: skip

            body = "".join(o.model_dump_json(exclude_none=True) + "\n" for o in upload).encode()
            log(f"uploading {len(upload)} openings ({len(body) / 1e6:.1f} MB)")
            upload_headers = {"Authorization": f"Bearer {upload_token}"}
            started = time.perf_counter()
            response = httpx.post(
                f"{base}/openings/bulk",
                files={"file": ("upload.jsonl", body)},
                headers=upload_headers,
                timeout=3600,
            )
            upload_s = time.perf_counter() - started
            response.raise_for_status()
            log(f"upload answered ({response.status_code}) in {upload_s:.1f} s; indexing")
            progress = follow_upload(base + response.json()["progress"], upload_headers)
            indexed_s = time.perf_counter() - started
            encoded = progress["texts_encoded"]
            # The job's own clock: from a worker taking it to its last chunk.
            worked_s = (
                datetime.fromisoformat(progress["finished_at"])
                - datetime.fromisoformat(progress["started_at"])
            ).total_seconds()
            log(f"upload indexed: {encoded} texts encoded in {worked_s:.1f} s of work, "
                f"{indexed_s:.1f} s after the upload began")  # fmt: skip
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    upload_rate = encoded / worked_s if worked_s else 0.0
    result = {
        "rps": round(requests / args.duration, 1) if args.duration else 0.0,
        "p50_ms": percentile_ms(latencies, 50),
        "p95_ms": percentile_ms(latencies, 95),
        "p99_ms": percentile_ms(latencies, 99),
        "errors": errors,
        "service_cpu_ms_per_request": round(service_cpu_ms, 2),
        "client_cpu_ms_per_request": round(client_cpu_ms, 2),
        "upload_answer_s": round(upload_s, 1),
        "upload_indexed_s": round(indexed_s, 1),
        "upload_texts_per_s": round(upload_rate, 1),
        "bare_encoder_texts_per_s": round(bare, 1),
        "upload_vs_bare": round(upload_rate / bare, 3) if bare and upload_rate else None,
        "requests": requests,
        "clients": args.clients,
        "duration_s": args.duration,
        "openings": len(catalogue),
        "upload_openings": len(upload),
        "upload_texts_encoded": encoded,
        "upload_new_texts": len(new_texts),
        "single_opening_p50_ms": percentile_ms(single, 50),
        "single_opening_max_ms": round(max(single) * 1000, 1),
        "cold_p50_ms": percentile_ms(cold, 50),
        "cold_p95_ms": percentile_ms(cold, 95),
        "ranking_cache": not args.no_ranking_cache,
        "query_cache": not args.no_query_cache,
        "workers": args.workers,
        "process_model": args.process_model if args.workers > 1 else "single",
        "service_pss_mb_up": memory_up["pss_mb"],
        "service_pss_mb_after_load": memory_loaded["pss_mb"],
        "service_pss_mb_after_change": memory_changed["pss_mb"],
        "service_rss_mb_after_load": memory_loaded["rss_mb"],
        "service_processes": memory_loaded["processes"],
        "service_start_s": round(start_s, 1),
        "encoder": encoder.model_id,
        "database": url.split(":", 1)[0],
        "load_average": load_average(),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    if "--serve" in sys.argv[1:]:
        serve(parse_args(sys.argv[1:]))
    else:
        main()
