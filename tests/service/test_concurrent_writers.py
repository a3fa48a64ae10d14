"""Eight concurrent writers and a kill -9, on both stores: no acknowledged write is lost.

Eight clients, each a consultant of their own, add profiles to a real server
process as fast as it answers; the server is killed with SIGKILL in the
middle, then started again. Every profile the server acknowledged (201) must
be there after the restart, readable by its consultant, and the audit log's
hash chain must still be whole: the writers never chained onto one entry.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
from conftest import add_users, candidate
from servers import start_server

from service import auditchain
from service.db import Database

WRITERS = 8
KILL_AFTER = 200  # acknowledged writes before the kill


def test_no_acknowledged_write_is_lost_to_a_kill(database_url: str, tmp_path: Path) -> None:
    database = Database(database_url)
    database.migrate()
    tokens = add_users(database, {f"writer-{n}": "consultant" for n in range(WRITERS)})
    server = start_server(database_url, tmp_path, tokens, "writers")
    acknowledged: list[list[str]] = [[] for _ in range(WRITERS)]
    refused: list[int] = []
    stop = threading.Event()

    def write(number: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[f'writer-{number}']}"}
        with httpx.Client(base_url=server.base, headers=headers, timeout=30) as client:
            for sequence in range(100_000):
                if stop.is_set():
                    return
                profile_id = f"c-{number}-{sequence}"
                try:
                    response = client.post("/candidates", json=candidate(profile_id))
                except httpx.HTTPError:
                    return  # the server is gone: this write was never acknowledged
                if response.status_code == 201:
                    acknowledged[number].append(profile_id)
                else:
                    refused.append(response.status_code)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while sum(map(len, acknowledged)) < KILL_AFTER:
            assert time.monotonic() < deadline, "the writers did not get going"
            time.sleep(0.01)
        server.kill()  # while every writer is mid-stream
        stop.set()
        for thread in threads:
            thread.join(60)
    finally:
        stop.set()
        server.stop()
    print({"acknowledged": sum(map(len, acknowledged)), "writers": WRITERS})
    assert refused == []
    assert sum(map(len, acknowledged)) >= KILL_AFTER

    again = start_server(database_url, tmp_path, tokens, "again")
    try:
        for number, ids in enumerate(acknowledged):
            stored = {c["id"] for c in again.get(f"writer-{number}", "/candidates")}
            missing = set(ids) - stored
            assert not missing, f"writer {number}: acknowledged but lost: {sorted(missing)[:5]}"
    finally:
        again.stop()
    with database.reader() as session:
        report = auditchain.verify(session)
    assert report.intact, report
    database.dispose()
