"""The guard: a small reverse proxy in front of the Oxigraph server, for what the server cannot do itself.

The Oxigraph server has no authentication and streams results without a size limit; when a query outruns
``--timeout-s`` it has often already answered ``200 OK`` and ends the body with an error text. The guard
(standard library only: :class:`http.server.ThreadingHTTPServer` and :mod:`http.client`) listens where
``kg serve`` was asked to listen and forwards to the server, which listens on a free loopback port:

* **writes need the token.** A read is ``GET``/``HEAD``/``OPTIONS`` on any path but ``/update``, or a
  ``POST`` to ``/query``; everything else (``/update``, ``PUT``/``POST``/``DELETE``/``PATCH`` on ``/store``
  …) is a write. With no token (the default) every write is refused with 403, in front of a server that is
  itself read-only; with a token, a write must carry ``Authorization: Bearer <token>`` (compared in
  constant time), else 401. The token is never forwarded.
* **time limit.** The server gets the timeout (``--timeout-s``); an answer that took that long, or a server
  that stays silent 5 s longer, becomes ``504 Gateway Timeout`` instead of a cut-off ``200``.
* **size limits.** A result larger than :attr:`GuardPolicy.max_response_bytes`, or with more than
  :attr:`GuardPolicy.max_results` solutions (or triples), becomes ``413 Content Too Large`` with a message
  that says to add a ``LIMIT``; the guard reads the whole answer before sending it, so a client never gets
  a truncated result that looks complete. A query (unauthenticated request body) larger than
  :attr:`GuardPolicy.max_request_bytes` is refused with 413 too.
"""

from __future__ import annotations

import csv
import hmac
import http.client
import io
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Self

import pyoxigraph as ox

from kg.errors import EndpointError, InputError

UPDATE_TOKEN_ENV = "KG_UPDATE_TOKEN"
MIN_TOKEN_LENGTH = 16
DEFAULT_TIMEOUT_S = 30
DEFAULT_MAX_RESULTS = 100_000
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024
#: how much longer than the query timeout the guard waits for the server before answering 504 itself
GRACE_S = 5.0

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "authorization",  # the update token stays here
        "host",
        "content-length",
    }
)
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The update token from ``KG_UPDATE_TOKEN``. Raises :class:`InputError` when it is missing or shorter
    than :data:`MIN_TOKEN_LENGTH` characters (a guessable token is no protection)."""
    env = os.environ if environ is None else environ
    token = env.get(UPDATE_TOKEN_ENV, "")
    if not token:
        raise InputError(
            f"updates need a token: set {UPDATE_TOKEN_ENV} (e.g. to the output of 'openssl rand -hex 32')",
            field="--allow-updates",
        )
    if len(token) < MIN_TOKEN_LENGTH or token.strip() != token:
        raise InputError(
            f"{UPDATE_TOKEN_ENV} must be at least {MIN_TOKEN_LENGTH} characters without surrounding spaces",
            field="--allow-updates",
        )
    return token


@dataclass(frozen=True, slots=True)
class GuardPolicy:
    token: str | None = None  # None: read-only, every write refused
    timeout_s: float | None = DEFAULT_TIMEOUT_S  # None: no time limit
    max_results: int | None = DEFAULT_MAX_RESULTS  # None: no limit on solutions/triples
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES

    def __repr__(self) -> str:  # never print the token
        return (
            f"GuardPolicy(token={'set' if self.token else None}, timeout_s={self.timeout_s}, "
            f"max_results={self.max_results}, max_response_bytes={self.max_response_bytes})"
        )


def is_write(method: str, target: str) -> bool:
    """Whether a request may change the data (and so needs the token). Conservative: anything that is not
    plainly a read is a write, whatever the server would do with it."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(target).path)
    if method in _READ_METHODS:
        return "update" in path.lower()
    return not (method == "POST" and path == "/query")


def count_results(body: bytes, content_type: str, limit: int) -> int | None:
    """Solutions (or triples) in a SPARQL result, counted up to ``limit + 1``; ``None`` when the media
    type is not a result format or the body does not parse (then only the byte limit applies)."""
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        if media == "text/csv":  # pyoxigraph writes SPARQL CSV results but does not read them back
            rows = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
            return max(_count(rows, limit + 1) - 1, 0)  # the header is not a result
        results_format = ox.QueryResultsFormat.from_media_type(media)
        if results_format is not None:
            parsed = ox.parse_query_results(body, results_format)
            if isinstance(parsed, ox.QueryBoolean):
                return 1
            return _count(parsed, limit)
        rdf_format = ox.RdfFormat.from_media_type(media)
        if rdf_format is not None:
            return _count(ox.parse(body, rdf_format), limit)
    except (SyntaxError, ValueError, OSError, csv.Error):
        return None
    return None


def _count(items: Any, limit: int) -> int:
    count = 0
    for _ in items:
        count += 1
        if count > limit:
            break
    return count


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hemicycle-kg-guard"
    sys_version = ""
    timeout = 60  # seconds to send a request: a client that stalls does not hold a thread for ever
    guard: ClassVar[Guard]
    _upstream: http.client.HTTPConnection | None = None

    def log_message(self, format: str, *args: Any) -> None:  # quiet: kg serve prints what matters
        return None

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    # -- the work

    def _handle(self) -> None:
        policy = self.guard.policy
        write = is_write(self.command, self.path)
        if write:
            if policy.token is None:
                self._refuse(
                    403, "this endpoint is read-only (kg serve --allow-updates with a token to write)"
                )
                return
            if not self._authorised(policy.token):
                self._refuse(401, "writing needs 'Authorization: Bearer <token>'", bearer=True)
                return
        if self.headers.get("Transfer-Encoding") is not None:
            self._refuse(411, "send the request with a Content-Length")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._refuse(400, "bad Content-Length")
            return
        if length < 0 or (not write and length > policy.max_request_bytes):
            self._drain(length)  # so that the client reads the answer rather than a reset connection
            self._refuse(413, f"the request is larger than {policy.max_request_bytes} bytes")
            return
        body = self.rfile.read(length) if length else None
        self._forward(body, read=not write)

    def _drain(self, length: int, most: int = 16 * 1024 * 1024) -> None:
        left = min(max(length, 0), most)
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                return
            left -= len(chunk)

    def _authorised(self, token: str) -> bool:
        scheme, _, given = (self.headers.get("Authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())

    def _forward(self, body: bytes | None, *, read: bool) -> None:
        policy = self.guard.policy
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        if body is not None:
            headers["Content-Length"] = str(len(body))
        started = time.monotonic()
        try:
            status, reason, answer_headers, data = self._exchange(body, headers)
        except TimeoutError:
            self._refuse(
                504, f"the query took longer than {policy.timeout_s:g} s (the endpoint's time limit)"
            )
            return
        except _TooLarge:
            self._refuse(413, self._too_large(f"{policy.max_response_bytes} bytes"))
            return
        except OSError as exc:
            self._refuse(502, f"the SPARQL server did not answer ({' '.join(str(exc).split())})")
            return
        elapsed = time.monotonic() - started
        if read and policy.timeout_s is not None and elapsed >= policy.timeout_s and status == 200:
            # the server cancelled the query after it had started answering: the body is cut off
            self._refuse(
                504, f"the query took longer than {policy.timeout_s:g} s (the endpoint's time limit)"
            )
            return
        if read and status == 200 and policy.max_results is not None and data:
            count = count_results(data, answer_headers.get("content-type", ""), policy.max_results)
            if count is not None and count > policy.max_results:
                self._refuse(413, self._too_large(f"{policy.max_results} results"))
                return
        self.send_response(status, reason)
        for key, value in answer_headers.items():
            if key not in _HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _exchange(
        self, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, str, dict[str, str], bytes]:
        """One request to the server on this client's connection (re-opened once if the server closed
        it). The answer's body is read whole, up to the byte limit."""
        policy = self.guard.policy
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._close_upstream()
                if attempt == 2:
                    raise
                continue
            try:
                data = response.read(policy.max_response_bytes + 1)
                if len(data) > policy.max_response_bytes:
                    raise _TooLarge
                if response.will_close:
                    self._close_upstream()
                answer = {k.lower(): v for k, v in response.getheaders()}
                return response.status, response.reason, answer, data
            except BaseException:
                self._close_upstream()
                raise
        raise OSError("no answer")  # pragma: no cover - the loop returns or raises

    def _connection(self) -> http.client.HTTPConnection:
        if self._upstream is None:
            timeout = self.guard.policy.timeout_s
            self._upstream = http.client.HTTPConnection(
                self.guard.upstream_host,
                self.guard.upstream_port,
                timeout=None if timeout is None else timeout + GRACE_S,
            )
        return self._upstream

    def _close_upstream(self) -> None:
        if self._upstream is not None:
            self._upstream.close()
            self._upstream = None

    def finish(self) -> None:
        super().finish()
        self._close_upstream()

    @staticmethod
    def _too_large(limit: str) -> str:
        return f"the result is larger than this endpoint's limit of {limit}: add a LIMIT or narrow the query"

    def _refuse(self, status: int, message: str, *, bearer: bool = False) -> None:
        data = (message + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if bearer:
            self.send_header("WWW-Authenticate", 'Bearer realm="hemicycle-kg"')
        if status in (411, 413) and self.command != "GET":
            self.send_header("Connection", "close")  # the request body may not have been read
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class _TooLarge(Exception):
    pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type[_Handler]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)


class Guard:
    """The proxy, listening on ``host:port`` and forwarding to ``upstream`` (``http://127.0.0.1:PORT``).
    :meth:`start` returns once it listens; :meth:`stop` closes it. A context manager."""

    def __init__(self, upstream: str, *, host: str, port: int, policy: GuardPolicy) -> None:
        parts = urllib.parse.urlsplit(upstream)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise InputError(f"{upstream!r} is not http://host:port", field="upstream")
        self.upstream_host, self.upstream_port = parts.hostname, parts.port
        self.host, self.port, self.policy = host, port, policy
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> Self:
        if self._server is not None:
            return self
        handler = type("GuardHandler", (_Handler,), {"guard": self})
        try:
            self._server = _Server((self.host, self.port), handler)
        except OSError as exc:
            raise EndpointError(f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc})") from None
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="kg-guard", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
