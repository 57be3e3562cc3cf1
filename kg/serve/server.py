"""``kg serve`` as a running thing: the web application on uvicorn in front of the store's Oxigraph server.

uvicorn runs in a thread of its own; both start and stop as one; ``<store>.serving`` notes it while it
runs."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

import uvicorn

from kg.errors import EndpointError, InputError
from kg.iris import DEFAULT_BASE
from kg.serve.app import Served, create_app, stderr_log
from kg.serve.backend import Backend, Settings, open_backend
from kg.serve.defaults import DEFAULT_HOST, DEFAULT_MAX_RESULTS, DEFAULT_PORT, DEFAULT_TIMEOUT_S
from kg.serve.guard import DEFAULT_MAX_RESPONSE_BYTES, GuardPolicy, token_from_env
from kg.serve.oxigraph import EndpointUrls, OxigraphServer
from kg.serve.swap import real_location, remove_serving, write_serving


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP said outright: asyncio sets TCP_NODELAY only on sockets that say it, and without it a
    # keep-alive connection waits 40 ms (Nagle and delayed ACK) for the body written after the headers
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        if exc.errno == 98:  # EADDRINUSE
            raise EndpointError(f"{host}:{port} is already in use (choose another --port)") from None
        raise EndpointError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    sock.set_inheritable(False)
    return sock


class SiteServer(EndpointUrls):
    """``kg serve``: start (returns once it answers), :meth:`wait` (the foreground), :meth:`stop`."""

    def __init__(
        self, settings: Settings, *, host: str, port: int, log: Callable[[str], None] | None
    ) -> None:
        self.settings, self.host, self.port = settings, host, port
        self.log = log
        self._served: Served | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    # -- what tests and the command read

    @property
    def read_only(self) -> bool:
        return self.settings.read_only

    @property
    def policy(self) -> GuardPolicy:
        return self.settings.policy

    @property
    def backend(self) -> Backend:
        assert self._served is not None, "not started"
        return self._served.backend

    @property
    def server(self) -> OxigraphServer:
        """The Oxigraph server serving now (another one after a swap)."""
        return self.backend.server

    @property
    def process(self) -> object:
        return self.backend.server.process

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- life

    def start(self, wait: float = 60.0) -> Self:
        if self._served is not None:
            return self
        self._socket = _listen(self.host, self.port)
        self.port = self._socket.getsockname()[1]
        try:
            backend = open_backend(real_location(self.settings.store), self.settings, wait=wait, say=self.log)
        except BaseException:
            self._socket.close()
            self._socket = None
            raise
        self._served = Served(self.settings, backend, log=self.log)
        config = uvicorn.Config(
            create_app(self._served),
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_keep_alive=15,
            h11_max_incomplete_event_size=1024 * 1024,  # long query texts in a GET
            server_header=False,
        )
        self._uvicorn = uvicorn.Server(config)
        sockets = [self._socket]
        self._thread = threading.Thread(
            target=lambda: self._uvicorn.run(sockets=sockets) if self._uvicorn else None,
            name="kg-serve",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + wait
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise EndpointError(f"the web server did not start on {self.url}")
            time.sleep(0.01)
        self._served.note = self._note
        self._note(backend.location)
        return self

    def _note(self, location: Path) -> Path:
        return write_serving(self.settings.store, port=self.port, host=self.host, location=location)

    def wait(self) -> int:
        """Block until the server stops (Ctrl-C raises KeyboardInterrupt here); 0, or 3 when the SPARQL
        server died under it."""
        while self.running:
            if self._served is not None:
                process = self._served.backend.server.process
                if process is not None and process.poll() is not None and not self._served.retiring:
                    return 3
            time.sleep(0.2)
        return 0

    def stop(self) -> None:
        served, self._served = self._served, None
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None
        self._uvicorn = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if served is not None:
            for backend in [*served.retiring, served.backend]:
                backend.stop()
            remove_serving(self.settings.store, port=self.port)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def serve_site(
    store: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    cors: bool = False,
    timeout_s: int | None = DEFAULT_TIMEOUT_S,
    max_results: int | None = DEFAULT_MAX_RESULTS,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    allow_updates: bool = False,
    token: str | None = None,
    environ: Mapping[str, str] | None = None,
    base: str = DEFAULT_BASE,
    public_base: str | None = None,
    as_of: dt.date | None = None,
    quiet: bool = True,
    log: Callable[[str], None] | None = None,
    poll_s: float = 1.0,
) -> SiteServer:
    """Start ``kg serve``: read-only by default (``serve-read-only`` behind a guard that refuses every
    write with 403); with ``allow_updates``, ``oxigraph serve`` behind a guard that lets a write through
    only with ``Authorization: Bearer <token>``, the token given or read from ``KG_UPDATE_TOKEN`` (no token:
    :class:`InputError`, before anything starts). ``timeout_s`` and ``max_results`` of ``None`` (or 0) mean
    no limit. Binds ``host`` (loopback by default); the SPARQL server itself always listens on 127.0.0.1.
    Logs one line per request to ``log`` (standard error by default) unless ``quiet``."""
    if allow_updates:
        token = token_from_env(environ) if token is None else token_from_env({"KG_UPDATE_TOKEN": token})
    if not store.is_dir():
        raise InputError("no store here (build one with 'kg build')", file=str(store))
    if (timeout_s or 0) < 0 or (max_results or 0) < 0:
        raise InputError("limits must be positive (0: no limit)", field="--timeout/--max-results")
    if public_base is not None and not (
        public_base.startswith(("http://", "https://")) and public_base.endswith("/")
    ):
        raise InputError(f"{public_base!r} is not an http(s) URL ending with '/'", field="--public-base")
    policy = GuardPolicy(
        token=token if allow_updates else None,
        timeout_s=timeout_s or None,
        max_results=max_results or None,
        max_response_bytes=max_response_bytes,
    )
    settings = Settings(
        store=store,
        policy=policy,
        base=base,
        public_base=public_base,
        as_of=as_of,
        cors=cors,
        quiet=quiet,
        poll_s=poll_s,
    )
    logger = None if quiet else (log or stderr_log)
    return SiteServer(settings, host=host, port=port, log=logger).start()


#: the former name (before the web stack): the same server
serve_guarded = serve_site
GuardedEndpoint = SiteServer
