"""A real Oxigraph server on 127.0.0.1: ``kg serve`` over the built store answers every query exactly as the
embedded store does; ``kg load`` pushes every named graph with the Graph Store Protocol, twice without
duplicating anything, resuming where it stopped; errors are one line with exit code 3."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.errors import EndpointError, ExitCode, InputError
from kg.load import (
    Credentials,
    GraphStoreClient,
    LoadState,
    default_state_path,
    graph_store_url_for,
    load_store,
)
from kg.query.binding import parse_assignments
from kg.query.catalog import find_query, load_catalog
from kg.query.targets import EmbeddedTarget, EndpointTarget, run_query
from kg.serve.oxigraph import OxigraphServer, free_port, serve
from kg.store import EmbeddedStore

from .conftest import FIXTURES

pytestmark = pytest.mark.server

EXPECTED_DIR = FIXTURES / "queries"
CASES = [
    (data["query"], case["params"], case["rows"])
    for path in sorted(EXPECTED_DIR.glob("*.json"))
    for data in [json.loads(path.read_text(encoding="utf-8"))]
    for case in data["cases"]
]


def case_id(case: tuple[str, dict[str, str], list[dict[str, Any]]]) -> str:
    return case[0] + "".join(f"-{k}={v}" for k, v in sorted(case[1].items()))


@pytest.fixture(scope="module")
def store_dir(sample_store: Path) -> Path:
    return sample_store


@pytest.fixture(scope="module")
def local(store_dir: Path) -> EmbeddedTarget:
    return EmbeddedTarget.open(store_dir)


@pytest.fixture(scope="module")
def served(store_dir: Path) -> Iterator[OxigraphServer]:
    """``kg serve``: a read-only server over the built store."""
    server = serve(store_dir, port=free_port())
    try:
        yield server
    finally:
        server.stop()


def quad_count(url: str) -> int:
    rows = EndpointTarget(url).execute("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").values()
    count = rows[0][0]
    assert isinstance(count, int)
    return count


# ------------------------------------------------------------------ kg serve


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_served_endpoint_gives_the_expected_rows(
    served: OxigraphServer,
    site_server: Any,
    local: EmbeddedTarget,
    case: tuple[str, dict[str, str], list[dict[str, Any]]],
) -> None:
    """The Oxigraph server alone, and ``kg serve`` (the web application and its guard in front of it, over
    the session's sample store), give the expected rows."""
    name, params, rows = case
    spec = find_query(name)
    here = run_query(spec, params, local)
    for url in (served.query_url, site_server.query_url, site_server.url + "/sparql"):
        remote = run_query(spec, params, EndpointTarget(url))
        assert remote.records() == rows, url
        assert repr(remote.records()) == repr(rows)  # the same types too: True is not 1
        assert remote.columns == here.columns
        assert repr(remote.values()) == repr(here.values())


@pytest.mark.parametrize("spec", load_catalog(), ids=lambda s: s.name)
def test_every_catalog_query_is_identical_through_the_server(
    served: OxigraphServer, local: EmbeddedTarget, spec: Any
) -> None:
    params = parse_assignments([w for w in (spec.examples or ("",))[0].split() if "=" in w])
    remote = run_query(spec, params, EndpointTarget(served.query_url))
    here = run_query(spec, params, local)
    assert (remote.columns, remote.values()) == (here.columns, here.values())
    assert repr(remote.values()) == repr(here.values())
    assert len(here) > 0, f"the example of {spec.name} should find something in the sample"


def test_served_endpoint_answers_sparqlwrapper_and_a_browser(served: OxigraphServer, store_dir: Path) -> None:
    client = SPARQLWrapper(served.query_url)
    client.setReturnFormat(JSON)
    client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # the default graph is the union
    payload = client.queryAndConvert()
    assert isinstance(payload, dict)
    assert int(payload["results"]["bindings"][0]["n"]["value"]) == len(
        EmbeddedStore(store_dir, read_only=True)
    )
    request = urllib.request.Request(served.url + "/", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=10) as page:
        assert page.status == 200
        assert page.headers.get_content_type() == "text/html"
        assert b"<html" in page.read(4096).lower()


def test_served_endpoint_is_read_only(served: OxigraphServer) -> None:
    update = urllib.request.Request(
        served.update_url,
        data=b"update=DROP+ALL",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(update, timeout=10)
    assert caught.value.code in (403, 404, 405)
    with pytest.raises(EndpointError) as refused:
        GraphStoreClient(served.store_url).put("https://example.org/g", b'<http://e/s> <http://e/p> "o" .\n')
    assert "HTTP 4" in str(refused.value)
    assert quad_count(served.query_url) > 70000  # nothing was dropped


def test_server_binds_loopback_and_stops_by_pid(store_dir: Path) -> None:
    server = serve(store_dir, port=free_port())
    assert server.process is not None
    pid = server.process.pid
    assert server.url.startswith("http://127.0.0.1:")
    server.stop()
    assert server.process is None
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(pid, 0)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", server.port), timeout=1):
        pass


def test_server_start_failure_is_an_endpoint_error(served: OxigraphServer, tmp_path: Path) -> None:
    busy = OxigraphServer(None, port=served.port, read_only=False)
    with pytest.raises(EndpointError) as caught:
        busy.start(wait=10)
    assert "\n" not in str(caught.value)
    assert busy.process is None
    with pytest.raises(InputError, match="no store here"):
        serve(tmp_path / "missing", port=free_port())


# ------------------------------------------------------------------ kg load


def test_kg_load_twice_then_query_the_endpoint(local: EmbeddedTarget, tmp_path: Path) -> None:
    """Into a fresh read-write server: load, load again (skipped: same content), force a third load (every
    graph PUT again); exactly one copy remains and every case gives the expected rows. One test, not one
    per case: under pytest-xdist each worker would load its own server."""
    with OxigraphServer(None, port=free_port(), read_only=False) as server:
        client = GraphStoreClient(server.store_url)
        state = LoadState(tmp_path / "load-state.jsonl")
        first = load_store(local.store, client, state=state)
        assert first.loaded == first.graphs == len(local.store.named_graphs()) and first.skipped == 0
        assert first.triples == len(local.store)
        second = load_store(local.store, client, state=LoadState(state.path))
        assert (second.loaded, second.skipped) == (0, first.graphs)
        assert quad_count(server.query_url) == len(local.store)
        again = load_store(local.store, client)  # no state: every graph is PUT a second time
        assert (again.loaded, again.triples) == (first.graphs, first.triples)

        assert quad_count(server.query_url) == len(local.store)
        per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY STR(?g)"
        assert (
            EndpointTarget(server.query_url).execute(per_graph).values() == local.execute(per_graph).values()
        )

        wrong = []
        for name, params, rows in CASES:
            remote = run_query(find_query(name), params, EndpointTarget(server.query_url))
            if repr(remote.records()) != repr(rows):
                wrong.append(f"{name} {params}: expected {rows}, got {remote.records()}")
        assert not wrong, "\n".join(wrong)


def _small_store(version: str, graphs: int = 3) -> EmbeddedStore:
    """``graphs`` named graphs of one triple each; graph 2's content depends on ``version``."""
    store = EmbeddedStore(None)
    for n in range(1, graphs + 1):
        store.store.add(
            ox.Quad(
                ox.NamedNode("https://example.org/s"),
                ox.NamedNode("https://example.org/p"),
                ox.Literal(f"{n}-{version if n == 2 else 'same'}"),
                ox.NamedNode(f"https://example.org/graph/{n}"),
            )
        )
    return store


def test_a_changed_graph_replaces_its_old_content(tmp_path: Path) -> None:
    with OxigraphServer(None, port=free_port(), read_only=False) as server:
        client = GraphStoreClient(server.store_url)
        state = LoadState(tmp_path / "state.jsonl")
        assert load_store(_small_store("old"), client, state=state).loaded == 3
        summary = load_store(_small_store("new"), client, state=LoadState(state.path))
        assert (summary.loaded, summary.skipped) == (1, 2)
        values = (
            EndpointTarget(server.query_url)
            .execute("SELECT ?o WHERE { GRAPH <https://example.org/graph/2> { ?s ?p ?o } }")
            .values()
        )
        assert values == [("2-new",)]
        forced = load_store(_small_store("new"), client, state=LoadState(state.path), force=True)
        assert (forced.loaded, forced.skipped) == (3, 0)
        assert quad_count(server.query_url) == 3
        assert client.get("https://example.org/graph/2") == (
            b'<https://example.org/s> <https://example.org/p> "2-new" .\n'
        )
        client.delete("https://example.org/graph/2")
        assert client.get("https://example.org/graph/2") == b""


def test_an_interrupted_load_resumes_where_it_stopped(tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def stop_after_three(done: int, total: int, graph: str) -> None:
        if done == 3:
            raise Stop

    store = _small_store("v", graphs=8)
    with OxigraphServer(None, port=free_port(), read_only=False) as server:
        client = GraphStoreClient(server.store_url)
        state_path = default_state_path(tmp_path / "hemicycle.oxigraph")
        assert state_path.name == "hemicycle.oxigraph.load-state.jsonl"
        with pytest.raises(Stop):
            load_store(store, client, state=LoadState(state_path), progress=stop_after_three)
        assert quad_count(server.query_url) == 3
        with state_path.open("ab") as handle:
            handle.write(b'{"endpoint": "cut sho')  # a line torn by the interruption is ignored
        resumed = load_store(store, client, state=LoadState(state_path))
        assert (resumed.skipped, resumed.loaded) == (3, 5)
        assert quad_count(server.query_url) == len(store) == 8


def test_state_is_kept_per_endpoint(tmp_path: Path) -> None:
    state = LoadState(tmp_path / "s.jsonl")
    state.record("http://a/store", "g", "1")
    state.record("http://b/store", "g", "2")
    state.record("http://a/store", "g", "3")
    reread = LoadState(state.path)
    assert reread.loaded("http://a/store", "g") == "3"
    assert reread.loaded("http://b/store", "g") == "2"
    reread.forget("http://a/store")
    assert LoadState(state.path).loaded("http://a/store", "g") is None
    assert LoadState(state.path).loaded("http://b/store", "g") == "2"


# ------------------------------------------------------------------ errors, URLs, credentials


def test_network_errors_are_one_line_endpoint_errors() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(EndpointError) as caught:
        run_query(find_query("signalement-effect"), {}, EndpointTarget(closed + "/query", timeout=5))
    assert caught.value.exit_code == ExitCode.ENDPOINT
    assert "\n" not in str(caught.value) and closed in str(caught.value)
    with pytest.raises(EndpointError) as put:
        GraphStoreClient(closed + "/store").put("https://example.org/g", b"")
    assert "\n" not in str(put.value)
    with pytest.raises(InputError):
        EndpointTarget("ftp://example.org/sparql")


def test_http_errors_name_the_status(served: OxigraphServer) -> None:
    with pytest.raises(EndpointError, match="HTTP 404"):
        GraphStoreClient(served.url + "/nowhere").put("https://example.org/g", b"")
    with pytest.raises(EndpointError) as bad:
        EndpointTarget(served.query_url).execute("SELECT ?x WHERE { ?x")
    assert "\n" not in str(bad.value)


@pytest.mark.parametrize(
    ("endpoint", "store"),
    [
        ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/store"),
        ("http://localhost:8890/sparql", "http://localhost:8890/sparql-graph-crud-auth"),
        ("http://localhost:3030/hemicycle/sparql", "http://localhost:3030/hemicycle/data"),
        ("http://localhost:3030/hemicycle/query", "http://localhost:3030/hemicycle/data"),
        (
            "http://localhost:7200/repositories/hemicycle",
            "http://localhost:7200/repositories/hemicycle/rdf-graphs/service",
        ),
    ],
)
def test_graph_store_url_for_known_servers(endpoint: str, store: str) -> None:
    assert graph_store_url_for(endpoint) == store


def test_graph_store_url_unknown_layout_asks_for_it() -> None:
    with pytest.raises(InputError, match="--graph-store"):
        graph_store_url_for("http://example.org/some/where/else")


def test_credentials_come_from_the_environment() -> None:
    assert Credentials.from_env({}) is None
    creds = Credentials.from_env({"KG_ENDPOINT_USER": "dba", "KG_ENDPOINT_PASSWORD": "secret"})
    assert creds == Credentials("dba", "secret")
    assert "secret" not in repr(creds)


class _DigestGraphStore(BaseHTTPRequestHandler):
    """A Graph Store endpoint that demands HTTP Digest (MD5, qop=auth), checks every response as RFC 7616
    computes it, drops the connection on an unauthorised body (as Virtuoso does) and can change its nonce."""

    nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093"
    received: list[tuple[str, int]] = []  # noqa: RUF012 — shared by the test and the handler thread
    challenged: list[str] = []  # noqa: RUF012 — the methods answered with a challenge

    def do_HEAD(self) -> None:
        if not self._authorised():
            self._challenge()
            return
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self) -> None:
        if not self._authorised():
            self.close_connection = True
            self._challenge()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        _DigestGraphStore.received.append((self.path, len(body)))
        self.send_response(204)
        self.end_headers()

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return False
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[len("Digest ") :]))

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5("user:graphs@test:pass")
        ha2 = md5(f"{self.command}:{self.path}")
        expected = md5(f"{ha1}:{self.nonce}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
        return (
            fields.get("username") == "user"
            and fields.get("nonce") == self.nonce
            and fields.get("uri") == self.path
            and fields.get("response") == expected
        )

    def _challenge(self) -> None:
        _DigestGraphStore.challenged.append(self.command)
        self.send_response(401)
        self.send_header(
            "WWW-Authenticate", f'Digest realm="graphs@test", qop="auth", nonce="{self.nonce}", algorithm=MD5'
        )
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


def test_digest_auth_answers_once_then_authorises_every_put() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _DigestGraphStore)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/store"
        body = b"<a:b> <a:c> <a:d> .\n" * 50_000  # ~1 MB: an unauthorised PUT would be cut short
        with GraphStoreClient(url, credentials=Credentials("user", "pass")) as client:
            client.put("https://e/g1", body)
            client.put("https://e/g2", body)
            assert client.scheme == "digest" and set(_DigestGraphStore.challenged) == {"HEAD"}
            _DigestGraphStore.nonce = "a-new-nonce"  # the server forgets the old one (a stale nonce)
            client.put("https://e/g3", body)
        assert [path for path, _ in _DigestGraphStore.received] == [
            f"/store?graph=https%3A%2F%2Fe%2Fg{n}" for n in (1, 2, 3)
        ]
        assert {size for _, size in _DigestGraphStore.received} == {len(body)}
        with pytest.raises(EndpointError, match="HTTP 401"):
            GraphStoreClient(url, credentials=Credentials("user", "wrong")).put("https://e/g", b"")
    finally:
        httpd.shutdown()
        httpd.server_close()


class _BasicGraphStore(BaseHTTPRequestHandler):
    """A Graph Store endpoint that demands HTTP Basic and drops the connection on an unauthorised body."""

    received: list[tuple[str, bytes]] = []  # noqa: RUF012 — shared by the test and the handler thread

    def do_HEAD(self) -> None:
        self._challenge()

    def do_PUT(self) -> None:
        if self.headers.get("Authorization") != "Basic dXNlcjpwYXNz":  # user:pass
            self.close_connection = True
            self._challenge()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        _BasicGraphStore.received.append((self.path, body))
        self.send_response(204)
        self.end_headers()

    def _challenge(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="graphs"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


def test_basic_auth_is_sent_with_the_first_put() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _BasicGraphStore)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/store"
        GraphStoreClient(url, credentials=Credentials("user", "pass")).put(
            "https://e/g", b"<a:b> <a:c> <a:d> .\n"
        )
        assert _BasicGraphStore.received == [("/store?graph=https%3A%2F%2Fe%2Fg", b"<a:b> <a:c> <a:d> .\n")]
        with pytest.raises(EndpointError, match="HTTP 401"):
            GraphStoreClient(url, credentials=Credentials("user", "wrong")).put("https://e/g", b"")
    finally:
        httpd.shutdown()
        httpd.server_close()
