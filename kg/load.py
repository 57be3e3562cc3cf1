"""``kg load``: a SPARQL 1.1 Graph Store Protocol client that pushes every named graph of the store to any endpoint.

The loader PUTs each named graph as N-Triples, so loading again replaces a graph instead of adding a second
copy; a state file remembers which content (its SHA-256) each graph had when it was last loaded at an endpoint,
so an interrupted or repeated run skips what is already there.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import re
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

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
    The last line for an (endpoint, graph) wins; a line cut short by a crash is ignored. :meth:`loaded`
    answers from the file as it was when this object was made (and the graphs loaded again since).

    Each line reaches the system as soon as its PUT is accepted (a killed process loses none); it is forced
    to the disk at most every :data:`FSYNC_S` seconds and by :meth:`close` (an fsync per graph cost more
    than the PUT of a small graph). A line lost in a power cut only makes the next run PUT that graph again."""

    FSYNC_S = 1.0

    def __init__(self, path: Path) -> None:
        self.path = path
        #: endpoint → graph → SHA-256 (one dict per endpoint: the endpoint is not repeated in each key)
        self._loaded: dict[str, dict[str, str]] = {}
        self._handle: IO[bytes] | None = None
        self._synced = time.monotonic()
        if path.is_file():
            with path.open("rb") as lines:
                for line in lines:
                    try:
                        entry = orjson.loads(line)
                        self._remember(str(entry["endpoint"]), str(entry["graph"]), str(entry["sha256"]))
                    except (orjson.JSONDecodeError, KeyError, TypeError):
                        continue

    def _remember(self, endpoint: str, graph: str, sha256: str) -> None:
        self._loaded.setdefault(endpoint, {})[graph] = sha256

    def loaded(self, endpoint: str, graph: str) -> str | None:
        return self._loaded.get(endpoint, {}).get(graph)

    def record(self, endpoint: str, graph: str, sha256: str) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("ab")
        self._handle.write(orjson.dumps({"endpoint": endpoint, "graph": graph, "sha256": sha256}) + b"\n")
        self._handle.flush()
        if time.monotonic() - self._synced >= self.FSYNC_S:
            self._sync()
        known = self._loaded.get(endpoint)
        if known is not None and graph in known:  # a graph loaded again: what this run knew is now stale
            known[graph] = sha256
        # a graph loaded for the first time is only written down: a load asks about each graph once, before
        # it sends it, and 100k first loads would otherwise hold ~20 MB here (a new LoadState reads them)

    def _sync(self) -> None:
        if self._handle is not None:
            os.fsync(self._handle.fileno())
        self._synced = time.monotonic()

    def close(self) -> None:
        """Force what was recorded to the disk and let the file go (recording again reopens it)."""
        if self._handle is not None:
            self._sync()
            self._handle.close()
            self._handle = None

    def forget(self, endpoint: str) -> None:
        """Drop what is known of ``endpoint`` (``--force``): the next run loads every graph again."""
        self.close()
        self._loaded.pop(endpoint, None)
        if self.path.is_file():
            kept = [
                orjson.dumps({"endpoint": e, "graph": g, "sha256": s}) + b"\n"
                for e, graphs in sorted(self._loaded.items())
                for g, s in sorted(graphs.items())
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


#: A graph's N-Triples stay in memory up to this size, then spill to a temporary file.
SPOOL_BYTES = 8 * 2**20
#: A larger graph is sent in pieces of about this size: a PUT of the first (it replaces the graph), then a
#: POST of each next one (it adds to it), so a load holds one piece at a time, whatever the graph's size
#: (the acteurs graph of a full registry is 1.1 million triples, 144 MB of N-Triples).
PIECE_BYTES = 4 * 2**20


class GraphPayload:
    """One named graph as N-Triples, written once from the store and read back to be sent: its SHA-256,
    size and triple count are known before a byte is sent. The statements come in Oxigraph's dump order,
    which depends on the content only (as for ``kg export``), so the hash does too."""

    def __init__(self, store: EmbeddedStore, graph: ox.NamedNode) -> None:
        # closed by close() (the payload is a context manager)
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, prefix="kg-load-")  # noqa: SIM115
        self._digest = hashlib.sha256()
        self.size = 0
        self.triples = 0
        self.blank_nodes = False  # a blank node's statements must travel in one request
        self._last = b""
        store.store.dump(cast(IO[bytes], self), ox.RdfFormat.N_TRIPLES, from_graph=graph)
        self.sha256 = self._digest.hexdigest()

    def write(self, data: bytes) -> int:
        """Oxigraph's dump writes here, 8 KiB at a time."""
        self._digest.update(data)
        self.file.write(data)
        self.size += len(data)
        self.triples += data.count(b"\n")
        self.blank_nodes = self.blank_nodes or b"_:" in self._last + data
        self._last = data[-1:]
        return len(data)

    def flush(self) -> None:
        return None

    def body(self) -> bytes:
        self.file.seek(0)
        return self.file.read()

    def pieces(self, size: int = PIECE_BYTES) -> Iterator[bytes]:
        """The N-Triples in pieces of whole lines of about ``size`` bytes (one piece for a graph with blank
        nodes: a blank node's label means one node within one request only)."""
        if self.blank_nodes or self.size <= size:
            yield self.body()
            return
        self.file.seek(0)
        while chunk := self.file.read(size):
            yield chunk + self.file.readline()  # to the end of the line it stopped in

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> GraphPayload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def graph_payload(store: EmbeddedStore, graph: ox.NamedNode) -> GraphPayload:
    """The graph as N-Triples, ready to send (a context manager: it may hold a temporary file)."""
    return GraphPayload(store, graph)


def iter_graphs(store: EmbeddedStore) -> Iterator[ox.NamedNode]:
    """The named graphs, as the store lists them (an order that depends on the data only), none held."""
    for graph in store.store.named_graphs():
        if isinstance(graph, ox.NamedNode):
            yield graph


def _send(client: GraphStoreClient, graph: str, payload: GraphPayload) -> None:
    """PUT the graph, in pieces when it is large: the first replaces the graph, the others are added."""
    pieces = payload.pieces(PIECE_BYTES)
    client.put(graph, next(pieces, b""))
    for piece in pieces:
        # httpx leaves each request and its body in a reference cycle: freed at the next collection, which
        # a few large objects do not trigger (measured: +4 MB held per piece sent, until a collection). Only
        # here: a full collection costs ~40 ms, more than the PUT of a small graph
        gc.collect()
        client._send("POST", graph, piece, client.content_type)


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
    as soon as the server accepts it, so a run stopped anywhere resumes where it stopped. One graph is held
    at a time, and a large one in pieces (:data:`PIECE_BYTES`): memory does not grow with the store."""
    started = time.perf_counter()
    summary = LoadSummary()
    if state is not None and force:
        state.forget(client.url)
    summary.graphs = total = sum(1 for _ in iter_graphs(store))
    try:
        for done, graph in enumerate(iter_graphs(store), start=1):
            with graph_payload(store, graph) as payload:
                if state is not None and state.loaded(client.url, graph.value) == payload.sha256:
                    summary.skipped += 1
                else:
                    _send(client, graph.value, payload)
                    if state is not None:
                        state.record(client.url, graph.value, payload.sha256)
                    summary.loaded += 1
                    summary.triples += payload.triples
                    summary.bytes += payload.size
            progress(done, total, graph.value)
    finally:
        if state is not None:
            state.close()
    summary.seconds = time.perf_counter() - started
    return summary
