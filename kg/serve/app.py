"""The web application of ``kg serve`` (Starlette), its routes and its request log.

The SPARQL protocol through the guard, the query page, every resource's address, the JSON-LD context and the
dump; one log line per request; the served store swapped live."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread
import httpx
import jinja2
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.build.dataset import DUMP_PATH
from kg.serve import deref, swap
from kg.serve.backend import Backend, Settings
from kg.serve.guard import (
    Answer,
    check_write,
    exchange,
    read_body,
    refusal,
    refuse,
    relay,
)
from kg.serve.negotiate import context_document, language
from kg.serve.querypage import ACCEPT, DEFAULT_QUERY, HrefFn, Outcome, examples, outcome, with_prefixes
from kg.vocab import PREFIXES

_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_BACKEND = "kg.backend"
N_QUADS = "application/n-quads"


@dataclass(eq=False)
class Served:
    """What the application serves now: the current backend (swapped whole), and those being retired."""

    settings: Settings
    backend: Backend
    retiring: list[Backend] = field(default_factory=list)
    client: httpx.AsyncClient | None = None
    log: Callable[[str], None] | None = None
    note: Callable[[Path], object] | None = None  # rewrites ``<store>.serving`` for the folder served


def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kg.serve", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class _Pin:
    """ASGI middleware: each request keeps the backend current when it started (a swap waits for it to
    finish before stopping that backend), and is logged as one line (method, path, status, ms)."""

    def __init__(self, app: ASGIApp, served: Served) -> None:
        self.app, self.served = app, served

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        backend = self.served.backend
        backend.inflight += 1
        scope[_BACKEND] = backend
        started = time.perf_counter()
        status = [0]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            backend.inflight -= 1
            if self.served.log is not None:
                ms = (time.perf_counter() - started) * 1000
                self.served.log(f"{scope['method']} {scope['path']} {status[0]} {ms:.1f} ms")


def create_app(served: Served) -> Starlette:
    settings = served.settings
    env = templates()

    def backend_of(request: Request) -> Backend:
        found: Backend = request.scope.get(_BACKEND) or served.backend
        return found

    def client() -> httpx.AsyncClient:
        assert served.client is not None, "the application is not started"
        return served.client

    async def forward(request: Request, upstream_path: str, *, write: bool) -> Response:
        backend = backend_of(request)
        policy = settings.policy
        if write:
            refused = check_write(request, policy)
            if refused is not None:
                return await refuse(request, refused)
        body = await read_body(request, None if write else policy.max_request_bytes)
        if isinstance(body, Response):
            return body
        query = request.scope.get("query_string", b"").decode("latin-1")
        url = backend.server.url + upstream_path + (f"?{query}" if query else "")
        answer = await exchange(
            client(),
            request.method,
            url,
            headers=dict(request.headers.items()),
            body=body or None,
            policy=policy,
            read=not write,
        )
        if isinstance(answer, Response):
            return answer
        if write and 200 <= answer.status < 300:
            await anyio.to_thread.run_sync(backend.written)
        return relay(answer)

    async def query_route(request: Request) -> Response:
        return await forward(request, "/query", write=False)

    async def sparql_route(request: Request) -> Response:
        wants_page = request.method in ("GET", "HEAD") and "text/html" in request.headers.get("accept", "")
        if wants_page:
            return await query_page(request)
        return await forward(request, "/query", write=False)

    async def query_page(request: Request) -> Response:
        backend = backend_of(request)
        lang = language(request.headers.get("accept-language"))
        params = request.query_params
        text = params.get("query")
        chosen = params.get("example")
        shown: Outcome | None = None
        status = 200
        if chosen is not None and text is None:
            text = next((e.text for e in examples() if e.name == chosen), None)
        elif text is not None and text.strip():
            started = time.perf_counter()
            answer = await exchange(
                client(),
                "POST",
                backend.server.url + "/query",
                headers={"content-type": "application/sparql-query", "accept": ACCEPT},
                body=with_prefixes(text).encode("utf-8"),
                policy=settings.policy,
                read=True,
            )
            href = HrefFn(settings.base, settings.root)
            if isinstance(answer, Answer):
                shown = await anyio.to_thread.run_sync(
                    outcome, answer.status, answer.headers.get("content-type", ""), answer.body, href
                )
                status = answer.status
            else:
                shown = outcome(answer.status_code, "", bytes(answer.body), href)
                status = answer.status_code
            shown.ms = (time.perf_counter() - started) * 1000
        html = env.get_template("query.html").render(
            title="Interroger les questions parlementaires (SPARQL)"
            if lang == "fr"
            else "Query the parliamentary questions (SPARQL)",
            lang=lang,
            root=settings.root,
            endpoint=f"{settings.root}query" if settings.public_base else "/query",
            prefixes=list(PREFIXES),
            query=text if text is not None else DEFAULT_QUERY,
            outcome=shown,
            examples=examples(),
        )
        return HTMLResponse(html, status_code=status, headers={"Content-Language": lang})

    async def update_route(request: Request) -> Response:
        return await forward(request, "/update", write=True)

    async def store_route(request: Request) -> Response:
        return await forward(request, "/store", write=request.method not in _READS)

    async def dump_route(request: Request) -> Response:
        """The whole dataset as N-Quads, streamed from the server's Graph Store (no size limit: it is the
        dump the dataset's VoID announces)."""
        backend = backend_of(request)
        tag = deref.etag(backend, settings, DUMP_PATH)
        headers = {**deref.CORS, "ETag": tag, "Cache-Control": "public, no-cache"}
        if deref.not_modified(request, tag):
            return Response(status_code=304, headers=headers)
        if request.method == "HEAD":
            return Response(media_type=N_QUADS, headers=headers)
        upstream = client().build_request(
            "GET",
            backend.server.store_url,
            headers={"accept": N_QUADS},
            timeout=httpx.Timeout(None, connect=10.0),
        )
        answer = await client().send(upstream, stream=True)
        if answer.status_code != 200:
            await answer.aclose()
            return refusal(502, f"the SPARQL server did not give the dump (HTTP {answer.status_code})")
        return StreamingResponse(
            answer.aiter_raw(), media_type=N_QUADS, headers=headers, background=BackgroundTask(answer.aclose)
        )

    async def context_route(request: Request) -> Response:
        body = json.dumps(context_document(), indent=1).encode("utf-8")
        return Response(body, media_type="application/ld+json", headers=deref.CORS)

    async def resource_route(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(
                status_code=204,
                headers={
                    **deref.CORS,
                    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match",
                    "Allow": "GET, HEAD, OPTIONS",
                },
            )
        if request.method not in _READS:
            refused = check_write(request, settings.policy)
            if refused is None:
                refused = refusal(405, f"{request.method} is not allowed here")
            return await refuse(request, refused)
        backend = backend_of(request)
        try:
            return await deref.resource(request, backend, settings, env)
        except (OSError, RuntimeError):
            if settings.read_only:
                raise
            # read-write: the server's compaction removed a file the store opened for pages had not read
            # yet; open it again (it then shows the latest writes) and answer once more
            await anyio.to_thread.run_sync(backend.written)
            return await deref.resource(request, backend, settings, env)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        served.client = httpx.AsyncClient(
            trust_env=False, limits=httpx.Limits(max_connections=128, max_keepalive_connections=64)
        )
        watcher = asyncio.create_task(swap.watch(served)) if swap.watches(settings) else None
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            await served.client.aclose()

    routes = [
        Route("/query", query_route, methods=["GET", "HEAD", "POST", "OPTIONS"]),
        Route("/sparql", sparql_route, methods=["GET", "HEAD", "POST", "OPTIONS"]),
        Route("/update", update_route, methods=_ALL_METHODS),
        Route("/store", store_route, methods=_ALL_METHODS),
        Route(f"/{deref.CONTEXT_PATH}", context_route, methods=["GET", "HEAD"]),
        Route(f"/{DUMP_PATH}", dump_route, methods=["GET", "HEAD"]),
        Route("/{path:path}", resource_route, methods=_ALL_METHODS),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(_Pin, served=served)
    return app


def stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
