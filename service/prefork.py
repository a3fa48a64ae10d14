"""Several service processes on one machine that share one fitted catalogue.

One service process answers uncached rankings one at a time on the
interpreter lock, so a busy machine needs several. Each fitting its own
catalogue would cost a fit and a whole catalogue's memory per process; here
gunicorn's master fits it once (`fitted_engine`), `gc.freeze()`s what it
built, and forks its workers (``preload_app``). A worker's catalogue is
then the master's pages, shared copy-on-write: ranking only reads the
vectors and the faiss indices, so the pages stay shared.

Each worker is a full service (its own upload consumer, audit writer and
catalogue follower, as if it were another server on the same store), so it
stays current with writes made through any worker the way several servers
do (`service.catalogue_follower`). A change to the catalogue is appended in
that worker (`PreferenceRanker.partial_fit`): the fitted vectors have room
after them (`matcher.row_buffer.RowBuffer`) and the indices grow in layers
(`matcher.index.LayeredIndex`), so the fitted pages stay shared and each
worker holds only what it added, until the layers are merged (an eighth of
the catalogue added) or the worker refits (a fifth); from then on it holds a
catalogue of its own until the service is restarted.

What must not cross a fork does not: the master closes its ONNX sessions
(`matcher.onnx_model.release_sessions`: ONNX Runtime hangs in a forked
process otherwise) and its store connections before forking, and each
worker makes its own session as it starts, on the graph's weights that the
master read into arrays before the fork (shared, not loaded once per worker);
the vector cache's SQLite file is opened again in a process that did not open
it (`matcher.vector_cache`).
No thread runs in the master at the fork: the follower, the upload consumer
and the audit writer start in the workers only.

The workers share one listening socket and race to accept a connection, and
a kept-alive connection stays with the worker that accepted it: 16 clients
that connect at once can land 14 on one worker and 2 on the other, which then
idles (seen under `benchmarks/load.py`; gunicorn leaves the balance to the
kernel). A worker that is already answering another request therefore closes
each connection after its response (`HandBackWhenBusy`), and the client's
next request races for the socket again, which an idle worker wins first
(a busy worker's event loop waits for the interpreter lock).

gunicorn is the well-kept pre-forking server for this (a master that
supervises and restarts workers, graceful stops on SIGTERM); uvicorn's own
``--workers`` cannot share an app made before the fork, and
``uvicorn_worker.UvicornWorker`` runs each gunicorn worker on uvicorn.
"""

from __future__ import annotations

import gc
import logging
from typing import Any, ClassVar

from gunicorn.app.base import BaseApplication
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn_worker import UvicornWorker

from matcher.encoders import CachedEncoder, TextEncoder
from matcher.onnx_model import open_sessions, release_sessions
from service.app import create_app, evaluation_runner, fitted_engine, mark_interrupted
from service.settings import Settings

logger = logging.getLogger(__name__)

__all__ = ["HandBackWhenBusy", "QuietUvicornWorker", "SharedCatalogueServer", "prepared_app"]


class HandBackWhenBusy:
    """ASGI middleware: a response sent while another request is in flight closes its connection.

    For a worker among several on one listening socket (see the module's
    docstring): the client reconnects, and the least busy worker tends to
    accept. An idle worker keeps its connections alive as usual.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Only the worker's event loop thread changes it, so no lock is needed.
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_closing_when_busy(message: Message) -> None:
            if message["type"] == "http.response.start" and self.in_flight > 1:
                headers = [*message.get("headers", []), (b"connection", b"close")]
                message = {**message, "headers": headers}
            await send(message)

        self.in_flight += 1
        try:
            await self.app(scope, receive, send_closing_when_busy)
        finally:
            self.in_flight -= 1


class QuietUvicornWorker(UvicornWorker):
    """uvicorn in a gunicorn worker, without the `server` banner (as `ipsmatch serve`)."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        **UvicornWorker.CONFIG_KWARGS,
        "server_header": False,
    }


def prepared_app(settings: Settings, encoder: TextEncoder | CachedEncoder | None) -> Any:
    """The app on an engine fitted here, in the master, before any worker is forked.

    It hands its connections back when busy (`HandBackWhenBusy`), for the workers to share.
    """
    engine = fitted_engine(settings, encoder)
    database = engine.database
    try:
        # Once, before the workers: the key file is made here, not by several at once.
        mark_interrupted(evaluation_runner(settings, encoder, database))
        engine.warm()
    finally:
        # The workers open their own connections; none of the master's may cross the fork.
        database.engine.dispose()
    release_sessions(share_weights=True)
    app = HandBackWhenBusy(create_app(settings, encoder=encoder, fitted=engine))
    # The fitted catalogue is never freed; keep the collector from touching (and so
    # copying) its objects' pages in every worker.
    gc.collect()
    gc.freeze()
    return app


def _open_sessions(_: object) -> None:
    open_sessions()


class SharedCatalogueServer(BaseApplication):
    """gunicorn with `workers` uvicorn workers forked from one prepared app."""

    def __init__(self, app: Any, host: str, port: int, workers: int) -> None:
        self.application = app
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": f"{QuietUvicornWorker.__module__}.{QuietUvicornWorker.__name__}",
            "preload_app": True,
            # Fitting happens before the fork; a worker's start is the store's catch-up only.
            "timeout": 120,
            "graceful_timeout": 30,
            # No access log: request lines may carry query strings (see service.guard).
            "accesslog": None,
            # No control socket in the home folder: the service is stopped by its signals.
            "control_socket_disable": True,
            # Each worker loads its ONNX session before its first request, not during it.
            "post_worker_init": _open_sessions,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application
