"""The Oxigraph server over the built store, as a child process behind the guard (``kg serve``, and the tests).

The server is the ``oxigraph`` binary of the ``oxigraph`` PyPI package, started as a child process on
127.0.0.1 and stopped by its PID.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from kg.errors import EndpointError, InputError
from kg.serve.guard import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RESULTS,
    DEFAULT_TIMEOUT_S,
    Guard,
    GuardPolicy,
    token_from_env,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
USER_ENV = "KG_ENDPOINT_USER"
PASSWORD_ENV = "KG_ENDPOINT_PASSWORD"
N_TRIPLES = "application/n-triples"
TURTLE = "text/turtle"


# ------------------------------------------------------------------ the Oxigraph server


#: for the readiness probe of our own server: straight to it, whatever proxy the environment sets
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def oxigraph_binary() -> Path:
    """The ``oxigraph`` server installed with this Python (venv ``bin/``), else the one on ``PATH``."""
    beside = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise EndpointError("the oxigraph server is not installed (pip install 'oxigraph>=0.5,<0.6')")


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is free
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@dataclass
class OxigraphServer:
    """An ``oxigraph`` server process over a store folder.

    ``read_only`` (the default) runs ``serve-read-only``: queries only, updates refused (HTTP 403); it may
    run while other processes read the store, never while one writes it. Otherwise ``serve`` accepts
    SPARQL Update and the Graph Store Protocol (``/store``); ``location=None`` keeps the data in memory.
    The default graph is the union of the named graphs, as the shipped queries expect. ``timeout_s`` is
    the server's query time limit (``--timeout-s``): past it the query is cancelled (the server may have
    answered 200 already and cuts the body short: :func:`serve_guarded` turns that into a 504).
    """

    location: Path | None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    read_only: bool = True
    union_default_graph: bool = True
    cors: bool = False
    timeout_s: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _log: IO[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 Protocol query endpoint (give this URL to other tools)."""
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint (read-write servers only)."""
        return f"{self.url}/store"

    def command(self) -> list[str]:
        mode = "serve-read-only" if self.read_only else "serve"
        cmd = [str(oxigraph_binary()), mode]
        if self.location is not None:
            cmd += ["--location", str(self.location)]
        elif self.read_only:
            raise InputError("a read-only server needs a store folder", field="--store")
        cmd += ["--bind", f"{self.host}:{self.port}"]
        if self.union_default_graph:
            cmd.append("--union-default-graph")
        if self.cors:
            cmd.append("--cors")
        if self.timeout_s is not None:
            cmd += ["--timeout-s", str(self.timeout_s)]
        return cmd

    def start(self, wait: float = 30.0) -> Self:
        """Start the server and return once it answers a query. Raises :class:`EndpointError` (with the
        server's own message) when it exits or does not answer within ``wait`` seconds."""
        if self.process is not None:
            return self
        if self.read_only and self.location is not None and not self.location.is_dir():
            raise InputError("no store here (build one with 'kg build')", file=str(self.location))
        command = self.command()
        if not port_is_free(self.host, self.port):  # else the probe below would reach the other server
            raise EndpointError(f"{self.host}:{self.port} is already in use (choose another --port)")
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 — lives as long as the server
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
            )
        except OSError as exc:
            self._close_log()
            raise EndpointError(f"cannot start {command[0]}: {exc}") from None
        try:
            self.wait_ready(wait)
        except EndpointError:
            self.stop()
            raise
        return self

    def wait_ready(self, wait: float = 30.0) -> None:
        deadline = time.monotonic() + wait
        probe = f"{self.query_url}?{urllib.parse.urlencode({'query': 'ASK {}'})}"
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise EndpointError(
                    f"the oxigraph server exited with code {self.process.returncode}: {self.log_tail()}"
                )
            try:
                with _DIRECT.open(probe, timeout=2) as response:
                    if response.status == 200 and (self.process is None or self.process.poll() is None):
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise EndpointError(f"the oxigraph server did not answer at {self.url} within {wait:.0f} s")
            time.sleep(0.05)

    def log_tail(self, limit: int = 600) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace")
        return " ".join(text.split())[-limit:] or "no message"

    def wait(self) -> int:
        """Block until the server exits (``kg serve`` runs in the foreground); its exit code."""
        if self.process is None:
            return 0
        return self.process.wait()

    def stop(self, grace: float = 10.0) -> None:
        """Stop the server by its PID: SIGTERM, then SIGKILL after ``grace`` seconds."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(grace)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def serve(
    store: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    cors: bool = False,
    timeout_s: int | None = DEFAULT_TIMEOUT_S,
) -> OxigraphServer:
    """Start a read-only SPARQL endpoint over ``store``, the Oxigraph server alone (no result-size limit:
    ``kg serve`` uses :func:`serve_guarded`); the caller waits or stops it."""
    return OxigraphServer(store, host=host, port=port, read_only=True, cors=cors, timeout_s=timeout_s).start()


@dataclass
class GuardedEndpoint:
    """``kg serve``: the Oxigraph server on a free loopback port, behind :class:`kg.serve.guard.Guard` listening
    on ``host:port``. Read-only unless built with a token (then the server is read-write and the guard lets
    through the writes that carry it). Same attributes as :class:`OxigraphServer` (``process`` is the
    server's process)."""

    server: OxigraphServer
    guard: Guard

    @property
    def read_only(self) -> bool:
        return self.guard.policy.token is None

    @property
    def host(self) -> str:
        return self.guard.host

    @property
    def port(self) -> int:
        return self.guard.port

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self.server.process

    @property
    def url(self) -> str:
        return self.guard.url

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.url}/store"

    def start(self, wait: float = 30.0) -> Self:
        if self.guard.running:
            return self
        if not port_is_free(self.guard.host, self.guard.port):
            raise EndpointError(
                f"{self.guard.host}:{self.guard.port} is already in use (choose another --port)"
            )
        self.server.start(wait)
        try:
            self.guard.start()
        except EndpointError:
            self.server.stop()
            raise
        return self

    def wait(self) -> int:
        return self.server.wait()

    def stop(self, grace: float = 10.0) -> None:
        self.guard.stop()
        self.server.stop(grace)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def serve_guarded(
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
) -> GuardedEndpoint:
    """Start ``kg serve``: read-only by default (``serve-read-only`` behind a guard that refuses every
    write with 403); with ``allow_updates``, ``oxigraph serve`` behind a guard that lets a write through
    only with ``Authorization: Bearer <token>``, the token given or read from ``KG_UPDATE_TOKEN`` (no token:
    :class:`InputError`, before anything starts). ``timeout_s`` and ``max_results`` of ``None`` (or 0) mean
    no limit. Binds ``host`` (loopback by default); the server itself always listens on 127.0.0.1."""
    if allow_updates:
        token = token_from_env(environ) if token is None else token_from_env({"KG_UPDATE_TOKEN": token})
    if not store.is_dir():
        raise InputError("no store here (build one with 'kg build')", file=str(store))
    if (timeout_s or 0) < 0 or (max_results or 0) < 0:
        raise InputError("limits must be positive (0: no limit)", field="--timeout/--max-results")
    upstream_port = free_port()
    while upstream_port == port:  # the OS may offer the port the guard is about to take
        upstream_port = free_port()
    upstream = OxigraphServer(
        store,
        host=DEFAULT_HOST,
        port=upstream_port,
        read_only=not allow_updates,
        cors=cors,
        timeout_s=timeout_s or None,
    )
    policy = GuardPolicy(
        token=token if allow_updates else None,
        timeout_s=timeout_s or None,
        max_results=max_results or None,
        max_response_bytes=max_response_bytes,
    )
    return GuardedEndpoint(upstream, Guard(upstream.url, host=host, port=port, policy=policy)).start()
