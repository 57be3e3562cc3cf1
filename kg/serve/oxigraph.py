"""The Oxigraph server over a store, as a child process (behind the web application of ``kg serve``).

The server is the ``oxigraph`` binary of the ``oxigraph`` PyPI package, started as a child process on
127.0.0.1 and stopped by its PID. On Linux the child dies with its parent, even one killed by SIGKILL.
"""

from __future__ import annotations

import ctypes
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import httpx

from kg.errors import EndpointError, InputError
from kg.serve.defaults import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TIMEOUT_S

USER_ENV = "KG_ENDPOINT_USER"
PASSWORD_ENV = "KG_ENDPOINT_PASSWORD"
N_TRIPLES = "application/n-triples"
TURTLE = "text/turtle"


# ------------------------------------------------------------------ a child that dies with its parent

#: ``prctl`` option: the signal the kernel sends a process when its parent dies (Linux, <linux/prctl.h>).
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, a ``preexec_fn`` that has the kernel SIGKILL the child when its parent dies (a ``kg
    serve`` killed by SIGKILL or the OOM killer runs no clean-up of its own, and a server left behind
    holds the port and the store's lock); ``None`` elsewhere. The libc function is looked up here, in the
    parent: the child, between fork and exec, only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent, kill = os.getpid(), int(signal.SIGKILL)

    def arrange() -> None:
        prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request was made: nobody would signal
            os.kill(os.getpid(), kill)

    return arrange


class _Spawner:
    """Starts child processes from one thread that lives as long as the process.

    The kernel's "parent death" is the death of the *thread* that forked the child, not of its process:
    a server started from a worker thread (``kg serve`` swaps its store from anyio's worker threads,
    which end when idle) would be killed with that thread. Every child is therefore forked by this
    thread, which never ends before the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[tuple[list[str], dict[str, Any], Future[subprocess.Popen[bytes]]]]
        self._jobs = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def popen(self, command: list[str], **options: Any) -> subprocess.Popen[bytes]:
        """``subprocess.Popen(command, **options)``, made to die with this process where the OS allows."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():  # first use, or a forked process
                self._jobs = queue.SimpleQueue()
                self._thread = threading.Thread(target=self._run, name="kg-spawner", daemon=True)
                self._thread.start()
            done: Future[subprocess.Popen[bytes]] = Future()
            self._jobs.put((command, options, done))
        return done.result()

    def _run(self) -> None:
        jobs = self._jobs
        while True:
            command, options, done = jobs.get()
            try:
                done.set_result(subprocess.Popen(command, preexec_fn=_die_with_parent(), **options))
            except BaseException as exc:  # handed to the caller's thread
                done.set_exception(exc)


_spawner = _Spawner()


def spawn_child(command: list[str], **options: Any) -> subprocess.Popen[bytes]:
    """Start ``command`` as a child that the kernel kills when this process dies (Linux; elsewhere a
    plain child process). ``options`` are :class:`subprocess.Popen`'s."""
    return _spawner.popen(command, **options)


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
            self.process = spawn_child(
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
