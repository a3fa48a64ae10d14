"""A 1 GiB body sent to a real server process: its memory and disk stay bounded.

The server (uvicorn, fake encoder, SQLite) runs as a subprocess with its own
temporary folder; the client streams a generated body (nothing is stored)
chunk by chunk. Without a token the server answers 401 before reading, so the
client cannot get far; with a token the body is cut off at the size limit
(413). Either way the server's peak memory grows by far less than the body and
nothing lands in its temporary folder.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from service import store
from service.db import Database

GIB = 1024**3
CHUNK = 1024**2
SERVER = """
import sys, uvicorn
sys.path.insert(0, {tests!r})
from fakes import FakeEncoder
from service.app import create_app
from service.settings import Settings
settings = Settings(data_dir={data!r}, cache_dir={cache!r}, database_url={url!r})
uvicorn.run(create_app(settings, encoder=FakeEncoder()), host="127.0.0.1", port={port},
            log_level="warning", server_header=False)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


BOUNDARY = "ipsmatch-boundary"
# A file part that never ends: the body after it is one endless file.
FILE_PART = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="o.jsonl"\r\n'
    "Content-Type: application/octet-stream\r\n\r\n"
).encode()


def _stream(port: int, path: str, token: str | None) -> tuple[int, int]:
    """Send up to 1 GiB chunked to `path`; the status line's code and the bytes sent."""
    connection = socket.create_connection(("127.0.0.1", port))
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    upload = path.endswith("/bulk")
    kind = f"multipart/form-data; boundary={BOUNDARY}" if upload else "application/json"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: {kind}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    connection.sendall(head.encode())
    if upload:
        connection.sendall(f"{len(FILE_PART):x}\r\n".encode() + FILE_PART + b"\r\n")
    sent = 0
    answer = bytearray()

    def read() -> None:
        while b"\r\n" not in answer:
            data = connection.recv(4096)
            if not data:
                return
            answer.extend(data)

    reader = threading.Thread(target=read)
    reader.start()
    chunk = f"{CHUNK:x}\r\n".encode() + b"x" * CHUNK + b"\r\n"
    try:
        while sent < GIB and reader.is_alive():
            connection.sendall(chunk)
            sent += CHUNK
    except OSError:
        pass  # the server answered and closed: exactly what it should do
    reader.join(timeout=30)
    connection.close()
    return int(answer.split(b" ")[1]), sent


@pytest.fixture
def server(tmp_path: Path) -> object:
    url = f"sqlite:///{tmp_path / 'store' / 'ipsmatch.db'}"
    database = Database(url)
    database.migrate()
    with database.writer() as session:
        _, token = store.create_user(session, "anna", "consultant")
        _, developer = store.create_user(session, "jens", "job_developer")
        session.commit()
    database.dispose()
    port = _free_port()
    temporary = tmp_path / "server-tmp"
    temporary.mkdir()
    code = SERVER.format(
        tests=str(REPO_ROOT / "tests"),
        data=str(tmp_path / "data"),
        cache=str(tmp_path / "cache"),
        url=url,
        port=port,
    )
    env = {**os.environ, "TMPDIR": str(temporary), "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not start")
        yield {"port": port, "pid": process.pid, "tmp": temporary, "anna": token,
               "jens": developer}  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_1_gib_body_leaves_memory_and_disk_bounded(server: dict) -> None:  # type: ignore[type-arg]
    port, pid, temporary = server["port"], server["pid"], server["tmp"]
    before = _peak_rss_kib(pid)
    results = {
        "candidates, no token": _stream(port, "/candidates", None),
        "bulk, no token": _stream(port, "/openings/bulk", None),
        "candidates, bad token": _stream(port, "/candidates", "ipsm_wrong"),
        "candidates, token": _stream(port, "/candidates", server["anna"]),
        "bulk, token": _stream(port, "/openings/bulk", server["jens"]),
    }
    grown_mib = (_peak_rss_kib(pid) - before) / 1024
    print({name: (status, sent // CHUNK) for name, (status, sent) in results.items()}, grown_mib)
    assert [status for status, _ in results.values()] == [401, 401, 401, 413, 413]
    # The server stopped reading long before 1 GiB: the client could not send it all.
    assert all(sent < GIB for _, sent in results.values())
    assert grown_mib < 200  # the upload limit is 64 MiB; a 1 GiB body held would be 1,024+
    assert _folder_bytes(temporary) == 0
