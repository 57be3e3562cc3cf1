"""The guard: what the SPARQL server cannot do itself (token, time and size limits), as async proxy steps.

The Oxigraph server has no authentication and streams results without a size limit; when a query outruns
``--timeout-s`` it has often already answered ``200 OK`` and ends the body with an error text. The web
application (:mod:`kg.serve.app`) listens where ``kg serve`` was asked to listen and forwards the SPARQL
protocol to the server, which listens on a free loopback port, through the steps here:

* **writes need the token.** A read is ``GET``/``HEAD``/``OPTIONS`` on any path but ``/update``, or a
  ``POST`` of a query to ``/query`` or ``/sparql`` (both forwarded to the server's query service, which never
  writes); everything else (``/update``, ``PUT``/``POST``/``DELETE``/``PATCH`` on ``/store`` …) is a write.
  With no token (the default) every write is refused with 403, in front of a server that is itself
  read-only; with a token, a write must carry ``Authorization: Bearer <token>`` (compared in constant
  time), else 401. The token is never forwarded.
* **time limit.** The server gets the timeout (``--timeout-s``); an answer that took that long, or a server
  that stays silent 5 s longer, becomes ``504 Gateway Timeout`` instead of a cut-off ``200``.
* **size limits.** A result larger than :attr:`GuardPolicy.max_response_bytes`, or with more than
  :attr:`GuardPolicy.max_results` solutions (or triples), becomes ``413 Content Too Large`` with a message
  that says to add a ``LIMIT``; the whole answer is read before it is sent, so a client never gets a
  truncated result that looks complete. A query (unauthenticated request body) larger than
  :attr:`GuardPolicy.max_request_bytes` is refused with 413 too.
* **a refusal never poisons the connection**: the refused request's body is read (up to a bound) or the
  connection is closed, so the next request on a keep-alive connection is answered normally.
"""

from __future__ import annotations

import csv
import hmac
import io
import os
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import httpx
import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from kg.errors import InputError
from kg.serve.defaults import DEFAULT_MAX_RESULTS, DEFAULT_TIMEOUT_S, UPDATE_TOKEN_ENV

MIN_TOKEN_LENGTH = 16
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024
#: how much longer than the query timeout the guard waits for the server before answering 504 itself
GRACE_S = 5.0
#: the most of a refused request's body read (and dropped) to keep its connection usable
_DRAIN_MOST = 16 * 1024 * 1024

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
        "accept-encoding",  # the guard reads the answer: it must come uncompressed
        "content-encoding",
    }
)
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: paths whose POST is a query (the server's query service, which refuses updates)
QUERY_PATHS = frozenset({"/query", "/sparql"})


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
    return not (method == "POST" and path in QUERY_PATHS)


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
    except (SyntaxError, ValueError, OSError, csv.Error, UnicodeDecodeError):
        return None
    return None


def _count(items: Any, limit: int) -> int:
    count = 0
    for _ in items:
        count += 1
        if count > limit:
            break
    return count


def refusal(status: int, message: str, *, bearer: bool = False, close: bool = False) -> Response:
    """A one-sentence plain-text refusal. ``close``: the request's body was not read whole, so the
    connection cannot carry another request."""
    headers = {}
    if bearer:
        headers["WWW-Authenticate"] = 'Bearer realm="hemicycle-kg"'
    if close:
        headers["Connection"] = "close"
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def authorised(request: Request, token: str) -> bool:
    scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def check_write(request: Request, policy: GuardPolicy) -> Response | None:
    """The refusal of a write this request may not make, or ``None`` when it may go on."""
    if policy.token is None:
        return refusal(403, "this endpoint is read-only (kg serve --allow-updates with a token to write)")
    if not authorised(request, policy.token):
        return refusal(401, "writing needs 'Authorization: Bearer <token>'", bearer=True)
    return None


async def drain(request: Request, most: int = _DRAIN_MOST) -> bool:
    """Read and drop the request's body (at most ``most`` bytes); whether it was read whole."""
    read = 0
    async for chunk in request.stream():
        read += len(chunk)
        if read > most:
            return False
    return True


async def refuse(request: Request, response: Response) -> Response:
    """``response`` after the request's body was drained, so that the connection stays usable."""
    if not await drain(request):
        response.headers["Connection"] = "close"
    return response


async def read_body(request: Request, limit: int | None) -> bytes | Response:
    """The request's body, or a 413 refusal when it is longer than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            return refusal(400, "bad Content-Length", close=True)
        if length < 0:
            return refusal(400, "bad Content-Length", close=True)
        if limit is not None and length > limit:
            return await refuse(request, refusal(413, f"the request is larger than {limit} bytes"))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if limit is not None and size > limit:
            return await refuse(request, refusal(413, f"the request is larger than {limit} bytes"))
        chunks.append(chunk)
    return b"".join(chunks)


class TooLarge(Exception):
    pass


def too_large(limit: str) -> str:
    return f"the result is larger than this endpoint's limit of {limit}: add a LIMIT or narrow the query"


def timed_out(policy: GuardPolicy) -> Response:
    return refusal(504, f"the query took longer than {policy.timeout_s:g} s (the endpoint's time limit)")


@dataclass(frozen=True, slots=True)
class Answer:
    """The server's whole answer, read within the limits."""

    status: int
    headers: dict[str, str]
    body: bytes


async def exchange(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    body: bytes | None,
    policy: GuardPolicy,
    read: bool,
) -> Answer | Response:
    """One request to the server, its answer read whole within the guard's limits; a refusal (413, 502,
    504) when a limit is passed or the server does not answer."""
    forwarded = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}
    timeout = None if policy.timeout_s is None else policy.timeout_s + GRACE_S
    started = time.monotonic()
    try:
        async with client.stream(
            method, url, headers=forwarded, content=body, timeout=httpx.Timeout(timeout, connect=10.0)
        ) as answer:
            chunks: list[bytes] = []
            size = 0
            async for chunk in answer.aiter_bytes():
                size += len(chunk)
                if size > policy.max_response_bytes:
                    raise TooLarge
                chunks.append(chunk)
            status = answer.status_code
            answer_headers = {k.lower(): v for k, v in answer.headers.items()}
    except httpx.TimeoutException:
        return timed_out(policy)
    except TooLarge:
        return refusal(413, too_large(f"{policy.max_response_bytes} bytes"))
    except httpx.HTTPError as exc:
        return refusal(
            502, f"the SPARQL server did not answer ({' '.join(str(exc).split()) or type(exc).__name__})"
        )
    data = b"".join(chunks)
    elapsed = time.monotonic() - started
    if read and policy.timeout_s is not None and elapsed >= policy.timeout_s and status == 200:
        return timed_out(policy)  # the server cancelled the query after it had started answering
    if read and status == 200 and policy.max_results is not None and data:
        count = await anyio.to_thread.run_sync(
            count_results, data, answer_headers.get("content-type", ""), policy.max_results
        )
        if count is not None and count > policy.max_results:
            return refusal(413, too_large(f"{policy.max_results} results"))
    return Answer(status, answer_headers, data)


def relay(answer: Answer) -> Response:
    """The server's answer as the client gets it (hop-by-hop headers dropped)."""
    headers = {k: v for k, v in answer.headers.items() if k not in _HOP_BY_HOP}
    return Response(answer.body, status_code=answer.status, headers=headers)
