"""``kg load``: a SPARQL 1.1 Graph Store Protocol client that pushes every named graph of the store to any endpoint.

The loader PUTs each named graph as N-Triples, so loading again replaces a graph instead of adding a second
copy; a state file remembers which content (its SHA-256) each graph had when it was last loaded at an endpoint,
so an interrupted or repeated run skips what is already there.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
import pyoxigraph as ox

from kg.errors import EndpointError, InputError
from kg.fetch.http import describe, make_client
from kg.store import EmbeddedStore

USER_ENV = "KG_ENDPOINT_USER"
PASSWORD_ENV = "KG_ENDPOINT_PASSWORD"
N_TRIPLES = "application/n-triples"
TURTLE = "text/turtle"


# ------------------------------------------------------------------ Graph Store Protocol client


@dataclass(frozen=True, slots=True)
class Credentials:
    user: str
    password: str = field(repr=False, default="")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials | None:
        """From ``KG_ENDPOINT_USER`` / ``KG_ENDPOINT_PASSWORD``; ``None`` when no user is set."""
        env = os.environ if environ is None else environ
        user = env.get(USER_ENV)
        return cls(user, env.get(PASSWORD_ENV, "")) if user else None


def graph_store_url_for(endpoint: str) -> str:
    """The Graph Store Protocol URL that goes with a SPARQL query endpoint, for the servers whose layout
    is known; else :class:`InputError` asking for ``--graph-store``.

    Oxigraph ``…/query`` → ``…/store``; Virtuoso ``…/sparql`` → ``…/sparql-graph-crud-auth``; Fuseki
    ``…/{dataset}/sparql`` or ``…/{dataset}/query`` → ``…/{dataset}/data``; GraphDB / RDF4J
    ``…/repositories/{id}`` → ``…/repositories/{id}/rdf-graphs/service``.
    """
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")

    def at(new_path: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

    if re.search(r"/repositories/[^/]+$", path):
        return at(path + "/rdf-graphs/service")
    if path == "/query":
        return at("/store")
    if path == "/sparql":
        return at("/sparql-graph-crud-auth")
    match = re.match(r"^(/[^/]+)/(?:sparql|query)$", path)
    if match:
        return at(match[1] + "/data")
    raise InputError(
        f"cannot tell the Graph Store Protocol URL of {endpoint} (give it with --graph-store)",
        field="--graph-store",
    )


class GraphStoreClient:
    """A SPARQL 1.1 Graph Store Protocol client over httpx (kg/fetch/http.py): PUT, GET and DELETE one graph.

    With credentials it answers HTTP Basic and Digest challenges (httpx's ``BasicAuth`` and ``DigestAuth``).
    It learns the challenge with a body-less ``HEAD`` first and answers it there, so that each later request
    goes out already authorised: Virtuoso answers a large unauthorised PUT with 401 and closes the connection
    before reading the body, which a client that waits for the challenge sees as a connection reset."""

    def __init__(self, url: str, *, credentials: Credentials | None = None, timeout: float = 300.0) -> None:
        if not re.match(r"^https?://\S+$", url):
            raise InputError(f"{url!r} is not an http(s) URL", field="--graph-store")
        self.url = url
        self.timeout = timeout
        self.content_type = N_TRIPLES
        self._credentials = credentials
        self._auth: httpx.Auth | None = None
        self._ready = credentials is None
        self._http = make_client(timeout=httpx.Timeout(timeout, connect=min(timeout, 20.0)))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GraphStoreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def graph_url(self, graph: str) -> str:
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}{urllib.parse.urlencode({'graph': graph})}"

    def put(self, graph: str, body: bytes) -> None:
        """Replace ``graph`` with the N-Triples ``body``. A server that refuses N-Triples (415) gets the
        same bytes as Turtle, of which N-Triples is a subset."""
        try:
            self._send("PUT", graph, body, self.content_type)
        except _UnsupportedMediaType:
            if self.content_type == TURTLE:
                raise EndpointError(f"{self.url}: the server accepts neither N-Triples nor Turtle") from None
            self.content_type = TURTLE
            self._send("PUT", graph, body, self.content_type)

    def get(self, graph: str) -> bytes:
        """The graph as N-Triples (empty bytes when the server does not have it)."""
        try:
            return self._send("GET", graph, None, None, accept=N_TRIPLES)
        except _NotFound:
            return b""

    def delete(self, graph: str) -> None:
        with contextlib.suppress(_NotFound):
            self._send("DELETE", graph, None, None)

    @property
    def scheme(self) -> str | None:
        """The authentication scheme in use (``basic``, ``digest``; ``None``: none asked)."""
        if isinstance(self._auth, httpx.DigestAuth):
            return "digest"
        return "basic" if isinstance(self._auth, httpx.BasicAuth) else None

    def _send(
        self, method: str, graph: str, body: bytes | None, content_type: str | None, accept: str | None = None
    ) -> bytes:
        url = self.graph_url(graph)
        if not self._ready:
            self._learn(url)
        headers = {}
        if content_type:
            headers["Content-Type"] = f"{content_type}; charset=utf-8"
        if accept:
            headers["Accept"] = accept
        for attempt in (1, 2):
            try:
                response = self._http.request(method, url, content=body, headers=headers, auth=self._auth)
            except httpx.TransportError as exc:
                if self._credentials is not None and attempt == 1:
                    self._learn(url)  # refused before the body was read (a stale challenge?): learn it again
                    continue
                raise EndpointError(f"{method} {graph} at {self.url}: {describe(exc)}") from None
            unasked = response.status_code == 401 and self._auth is None and self._credentials is not None
            if unasked and attempt == 1:  # a challenge on this method only: learn it, once
                self._learn(url)
                continue
            if response.is_success:
                return response.content
            raise self._http_error(method, graph, response)
        raise EndpointError(f"{method} {graph} at {self.url}: not authorised")  # pragma: no cover

    def _learn(self, url: str) -> None:
        """Ask ``url`` with a body-less ``HEAD`` which scheme it wants, and answer a Digest challenge there
        (httpx's DigestAuth then authorises every later request at once)."""
        assert self._credentials is not None
        user, password = self._credentials.user, self._credentials.password
        self._ready = True
        try:
            response = self._http.head(url)
            scheme = response.headers.get("WWW-Authenticate", "").strip().split(" ", 1)[0].lower()
            if response.status_code != 401:
                self._auth = None
            elif scheme == "basic":
                self._auth = httpx.BasicAuth(user, password)
            elif scheme == "digest":
                self._auth = httpx.DigestAuth(user, password)
                self._http.head(url, auth=self._auth)
            else:
                self._auth = None
        except httpx.HTTPError as exc:
            raise EndpointError(f"HEAD {url}: {describe(exc)}") from None

    def _http_error(self, method: str, graph: str, response: httpx.Response) -> Exception:
        code = response.status_code
        if code == 415:
            return _UnsupportedMediaType()
        if code == 404 and method != "PUT":
            return _NotFound()
        detail = " ".join(response.text[:300].split())
        hints = {
            401: f" (set {USER_ENV} and {PASSWORD_ENV})",
            403: " (a read-only endpoint, or a user who may not write)",
        }
        hint = hints.get(code, "")
        return EndpointError(
            f"{method} {graph} at {self.url}: HTTP {code} {response.reason_phrase}{hint}"
            + (f": {detail}" if detail else "")
        )


class _UnsupportedMediaType(Exception):
    pass


class _NotFound(Exception):
    pass


# ------------------------------------------------------------------ load state and the loader


class LoadState:
    """What was loaded where: an append-only JSON-lines file of ``{"endpoint", "graph", "sha256"}``.
    The last line for an (endpoint, graph) wins; a line cut short by a crash is ignored."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._loaded: dict[tuple[str, str], str] = {}
        if path.is_file():
            for line in path.read_bytes().splitlines():
                try:
                    entry = orjson.loads(line)
                    self._loaded[(str(entry["endpoint"]), str(entry["graph"]))] = str(entry["sha256"])
                except (orjson.JSONDecodeError, KeyError, TypeError):
                    continue

    def loaded(self, endpoint: str, graph: str) -> str | None:
        return self._loaded.get((endpoint, graph))

    def record(self, endpoint: str, graph: str, sha256: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = orjson.dumps({"endpoint": endpoint, "graph": graph, "sha256": sha256}) + b"\n"
        with self.path.open("ab") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        self._loaded[(endpoint, graph)] = sha256

    def forget(self, endpoint: str) -> None:
        """Drop what is known of ``endpoint`` (``--force``): the next run loads every graph again."""
        self._loaded = {key: value for key, value in self._loaded.items() if key[0] != endpoint}
        if self.path.is_file():
            kept = [
                orjson.dumps({"endpoint": e, "graph": g, "sha256": s}) + b"\n"
                for (e, g), s in sorted(self._loaded.items())
            ]
            tmp = self.path.with_suffix(self.path.suffix + ".tmp")
            tmp.write_bytes(b"".join(kept))
            tmp.replace(self.path)


def default_state_path(store: Path) -> Path:
    """``hemicycle.oxigraph`` → ``hemicycle.oxigraph.load-state.jsonl`` (beside the store, not in it)."""
    return store.with_name(store.name + ".load-state.jsonl")


@dataclass
class LoadSummary:
    graphs: int = 0
    loaded: int = 0
    skipped: int = 0  # already at the endpoint with the same content
    triples: int = 0  # triples sent
    bytes: int = 0
    seconds: float = 0.0

    def one_line(self) -> str:
        return (
            f"graphs {self.graphs}: loaded {self.loaded}, unchanged {self.skipped}; "
            f"triples sent {self.triples}, {self.bytes / 1e6:.1f} MB, {self.seconds:.2f} s"
        )


LoadProgress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, graph: str) -> None:
    return None


def graph_payload(store: EmbeddedStore, graph: ox.NamedNode) -> tuple[bytes, int]:
    """The graph as sorted N-Triples (so its hash depends on its content only) and its triple count."""
    data = store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
    lines = sorted(set(data.splitlines()))
    return b"".join(line + b"\n" for line in lines), len(lines)


def iter_graphs(store: EmbeddedStore) -> Iterator[ox.NamedNode]:
    yield from store.named_graphs()


def load_store(
    store: EmbeddedStore,
    client: GraphStoreClient,
    *,
    state: LoadState | None = None,
    force: bool = False,
    progress: LoadProgress = _no_progress,
) -> LoadSummary:
    """PUT every named graph of ``store`` to ``client``'s endpoint. Graphs recorded in ``state`` with the
    same content hash for this endpoint are skipped (``force`` loads them all again); each PUT is recorded
    as soon as the server accepts it, so a run stopped anywhere resumes where it stopped."""
    started = time.perf_counter()
    summary = LoadSummary()
    if state is not None and force:
        state.forget(client.url)
    graphs = list(iter_graphs(store))
    summary.graphs = len(graphs)
    for done, graph in enumerate(graphs, start=1):
        body, triples = graph_payload(store, graph)
        digest = hashlib.sha256(body).hexdigest()
        if state is not None and state.loaded(client.url, graph.value) == digest:
            summary.skipped += 1
        else:
            client.put(graph.value, body)
            if state is not None:
                state.record(client.url, graph.value, digest)
            summary.loaded += 1
            summary.triples += triples
            summary.bytes += len(body)
        progress(done, len(graphs), graph.value)
    summary.seconds = time.perf_counter() - started
    return summary
