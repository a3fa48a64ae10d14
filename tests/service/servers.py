"""The service run as a real process (uvicorn), for tests that kill it or run two at once.

The child ranks with the hashing fake encoder, slowed down by `delay_s` per
text, and appends every text it encodes to a log file, so a test can tell
which process encoded what.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from conftest import REPO_ROOT

CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    import uvicorn
    from fakes import FakeEncoder
    from service import upload_jobs
    from service.app import create_app
    from service.settings import Settings

    port, log_path = int(sys.argv[1]), sys.argv[2]
    delay_s, upload_jobs.CHUNK_OPENINGS = float(sys.argv[3]), int(sys.argv[4])
    workers = int(sys.argv[5])

    class RecordingEncoder(FakeEncoder):
        def encode(self, texts, role):
            time.sleep(delay_s * len(texts))
            vectors = super().encode(texts, role)
            with open(log_path, "a", encoding="utf-8") as log:
                pid = os.getpid()
                log.writelines(json.dumps([role, text, pid]) + "\\n" for text in texts)
            return vectors

    if workers > 1:
        from service.prefork import SharedCatalogueServer, prepared_app

        app = prepared_app(Settings(), RecordingEncoder())
        SharedCatalogueServer(app, "127.0.0.1", port, workers).run()
    else:
        app = create_app(Settings(), encoder=RecordingEncoder())
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    """
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path
    tokens: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str, path: str) -> Any:
        response = httpx.get(self.base + path, headers=self.headers(who), timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, who: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.post(self.base + path, headers=self.headers(who), timeout=60, **kwargs)

    def encoded(self) -> list[tuple[str, str]]:
        """(role, text) of every text this server encoded, in order."""
        return [(role, text) for role, text, _ in self.encoded_by()]

    def encoded_by(self) -> list[tuple[str, str, int]]:
        """(role, text, process id) of every text this server's processes encoded, in order."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [(role, text, pid) for role, text, pid in map(json.loads, lines)]

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    database_url: str,
    folder: Path,
    tokens: dict[str, str],
    name: str,
    delay_s: float = 0.0,
    chunk: int = 128,
    workers: int = 1,
) -> Server:
    """A service on `database_url`; returns once it answers /health.

    With `workers` above 1 it is `service.prefork`'s master and its workers.
    """
    port = free_port()
    log = folder / f"{name}-encoded.jsonl"
    env = dict(
        os.environ,
        PYTHONPATH=f"{REPO_ROOT}{os.pathsep}{REPO_ROOT / 'tests'}",
        IPSMATCH_DATABASE_URL=database_url,
        IPSMATCH_DATA_DIR=str(folder / "data"),
        IPSMATCH_CACHE_DIR=str(folder / f"{name}-cache"),
    )
    output = (folder / f"{name}.out").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, *map(str, (port, log, delay_s, chunk, workers))],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    server = Server(process, f"http://127.0.0.1:{port}", log, tokens)
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise AssertionError(
                f"server {name} ended: {(folder / f'{name}.out').read_text(errors='replace')}"
            )
        try:
            if httpx.get(server.base + "/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise AssertionError(f"server {name} did not start within 120 s")
        time.sleep(0.1)


def wait_for(check: Any, timeout_s: float, what: str, every_s: float = 0.05) -> Any:
    """The first truthy value of `check()` within `timeout_s`, else an AssertionError."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        time.sleep(every_s)
