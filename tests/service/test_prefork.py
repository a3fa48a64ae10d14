"""`ipsmatch serve --workers N` (`service.prefork`): workers forked from one fitted engine.

The service runs as real processes (gunicorn's master and two workers) on
the embedded store, with the recording fake encoder of `servers.py`, which
logs the process id with each text it encodes.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from conftest import USERS, add_users, candidate, opening
from servers import Server, start_server, wait_for
from starlette.types import Message, Receive, Scope, Send

from matcher.language_space import packaged_phrase_pairs
from service.db import Database
from service.prefork import HandBackWhenBusy


def _workers_that_ranked(server: Server, wish: str) -> set[int]:
    master = server.process.pid
    return {pid for _, text, pid in server.encoded_by() if text == wish and pid != master}


def test_two_workers_share_the_master_s_fit_and_stay_current(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    database = Database(url)
    database.migrate()
    tokens = add_users(database, USERS)
    database.dispose()
    # A catalogue in the store before the start, written by a one-process service.
    wish = "gartner i en park"
    first = start_server(url, tmp_path, tokens, "first")
    try:
        created = first.post("anna", "/candidates", json=candidate("c-1", [wish]))
        assert created.status_code == 201, created.text
        added = opening("o-park", "Gartner", "Pleje af park.", employer_id="e-park")
        assert first.post("jens", "/openings", json=added).status_code == 201
    finally:
        first.stop()

    server = start_server(url, tmp_path, tokens, "prefork", workers=2)
    try:
        master = server.process.pid
        # The master made the query encoder's phrase lists before forking; no worker did.
        danish, _ = packaged_phrase_pairs()[0]
        by = {pid for _, text, pid in server.encoded_by() if text == danish}
        assert by == {master}

        # Both workers answer: each encodes the wish once, for its own first ranking.
        def both_ranked_it() -> bool:
            ranking = server.get("anna", f"/candidates/c-1/recommendations?k={len(seen) + 1}")
            assert [r["opening_id"] for r in ranking["results"]] == ["o-park"]
            seen.add(0)
            return len(_workers_that_ranked(server, wish)) == 2

        seen: set[int] = set()
        wait_for(both_ranked_it, 60, "rankings from both workers", every_s=0.0)

        # A killed worker is replaced by a fork of the master, which catches up with the
        # store before it answers: the opening added after the fork is still ranked.
        victim = min(_workers_that_ranked(server, wish))
        os.kill(victim, signal.SIGKILL)
        second = opening("o-have", "Gartner", "Pleje af have.", employer_id="e-have")
        assert server.post("jens", "/openings", json=second).status_code == 201

        def replaced_and_current() -> bool:
            ranking = server.get("anna", "/candidates/c-1/recommendations?k=5")
            assert {r["opening_id"] for r in ranking["results"]} == {"o-park", "o-have"}
            return len(_workers_that_ranked(server, wish) - {victim}) == 2

        wait_for(replaced_and_current, 60, "a new worker ranking, with both openings", every_s=0.0)
    finally:
        server.stop()
    assert server.process.returncode == 0, (tmp_path / "prefork.out").read_text()


def test_a_busy_worker_hands_its_connections_back_and_an_idle_one_keeps_them() -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/slow":
            started.set()
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    middleware = HandBackWhenBusy(app)

    async def call(path: str) -> dict[str, str]:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        async def send(message: Message) -> None:
            sent.append(message)

        await middleware({"type": "http", "path": path}, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        return {k.decode(): v.decode() for k, v in start["headers"]}

    async def scenario() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        alone = await call("/fast")
        slow = asyncio.create_task(call("/slow"))
        await started.wait()
        while_busy = await call("/fast")
        release.set()
        return alone, while_busy, await slow

    alone, while_busy, slow_one = asyncio.run(scenario())
    assert "connection" not in alone
    assert while_busy["connection"] == "close"
    # The slow request answered alone again: its connection stays open.
    assert "connection" not in slow_one
    assert middleware.in_flight == 0
