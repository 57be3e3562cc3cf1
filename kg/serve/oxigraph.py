"""The Oxigraph server over a store, as a child process (behind the web application of ``kg serve``).

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
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx

from kg.errors import EndpointError, InputError
from kg.serve.guard import DEFAULT_TIMEOUT_S

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
USER_ENV = "KG_ENDPOINT_USER"
PASSWORD_ENV = "KG_ENDPOINT_PASSWORD"
N_TRIPLES = "application/n-triples"
TURTLE = "text/turtle"


# ------------------------------------------------------------------ the Oxigraph server


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


class EndpointUrls:
    """The addresses of a SPARQL server listening on ``host``:``port`` (Oxigraph's layout, which ``kg serve`` keeps)."""

    host: str
    port: int

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


@dataclass
class OxigraphServer(EndpointUrls):
    """An ``oxigraph`` server process over a store folder.

    ``read_only`` (the default) runs ``serve-read-only``: queries only, updates refused (HTTP 403); it may
    run while other processes read the store, never while one writes it. Otherwise ``serve`` accepts
    SPARQL Update and the Graph Store Protocol (``/store``); ``location=None`` keeps the data in memory.
    The default graph is the union of the named graphs, as the shipped queries expect. ``timeout_s`` is
    the server's query time limit (``--timeout-s``): past it the query is cancelled (the server may have
    answered 200 already and cuts the body short: the guard of ``kg serve`` turns that into a 504).
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
        # straight to our own server, whatever proxy the environment sets
        with httpx.Client(trust_env=False, timeout=2.0) as client:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    raise EndpointError(
                        f"the oxigraph server exited with code {self.process.returncode}: {self.log_tail()}"
                    )
                try:
                    response = client.get(self.query_url, params={"query": "ASK {}"})
                    if response.status_code == 200 and (self.process is None or self.process.poll() is None):
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise EndpointError(
                        f"the oxigraph server did not answer at {self.url} within {wait:.0f} s"
                    )
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
    ``kg serve`` is :func:`kg.serve.server.serve_site`); the caller waits or stops it."""
    return OxigraphServer(store, host=host, port=port, read_only=True, cors=cors, timeout_s=timeout_s).start()
