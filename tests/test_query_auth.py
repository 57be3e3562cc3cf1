"""``kg query --endpoint`` with credentials answers the endpoint's challenge, HTTP Digest or Basic, as
``kg load`` does: against a real HTTP server on loopback that checks every Digest response itself
(RFC 7616: MD5 and SHA-256, qop=auth, nonce counts, stale nonces) and evaluates the queries on the sample
store. The Virtuoso test (tests/test_virtuoso.py) does the same against Virtuoso's ``/sparql-auth``."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.errors import EndpointError, ExitCode
from kg.query.catalog import find_query
from kg.query.results import Cell
from kg.query.targets import EmbeddedTarget, EndpointTarget, run_query
from kg.store import EmbeddedStore

USER, PASSWORD, REALM = "reader", "s3cret-pässword", "hemicycle test"
QUERY = "questions-by-deputy"
PARAMS = {"deputy": "PA345722"}


@dataclass
class AuthServer:
    """What the loopback endpoint asks for (``digest``, ``basic``, both or nothing) and what it saw."""

    schemes: tuple[str, ...] = ("digest",)
    algorithm: str = "MD5"
    nonce_uses: int = 1000  # 1: every nonce is single-use, the next request with it is told it is stale
    store: ox.Store | None = None
    url: str = ""
    authorizations: list[str | None] = field(default_factory=list)
    nonces: dict[str, int] = field(default_factory=dict)  # nonce → highest nc seen
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hash(self, text: str) -> str:
        name = "md5" if self.algorithm.upper().startswith("MD5") else "sha256"
        return hashlib.new(name, text.encode("utf-8")).hexdigest()

    def challenges(self, stale: bool = False) -> list[str]:
        out = []
        for scheme in self.schemes:
            if scheme == "digest":
                nonce = secrets.token_hex(16)
                with self.lock:
                    self.nonces[nonce] = 0
                extra = ", stale=true" if stale else ""
                out.append(
                    f'Digest realm="{REALM}", qop="auth", nonce="{nonce}", opaque="op4que", '
                    f"algorithm={self.algorithm}{extra}"
                )
            else:
                out.append(f'Basic realm="{REALM}"')
        return out

    def check(self, header: str | None, method: str, path: str) -> str:
        """``ok``, ``stale`` or ``denied``, checked as a server must (never trusting the client)."""
        if not self.schemes:
            return "ok"
        if header is None:
            return "denied"
        scheme, _, rest = header.partition(" ")
        if scheme.lower() == "basic" and "basic" in self.schemes:
            user, _, password = base64.b64decode(rest).decode("utf-8").partition(":")
            return "ok" if (user, password) == (USER, PASSWORD) else "denied"
        if scheme.lower() != "digest" or "digest" not in self.schemes:
            return "denied"
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        nonce, nc = fields.get("nonce", ""), int(fields.get("nc", "0"), 16)
        with self.lock:
            if nonce not in self.nonces:
                return "denied"
            if nc <= self.nonces[nonce]:
                return "denied"  # a replayed count
            if nc > self.nonce_uses:
                return "stale"
            self.nonces[nonce] = nc
        if (fields.get("username"), fields.get("realm"), fields.get("uri")) != (USER, REALM, path):
            return "denied"
        if fields.get("opaque") != "op4que" or fields.get("qop") != "auth":
            return "denied"
        if fields.get("algorithm", "MD5").upper() != self.algorithm.upper():
            return "denied"
        ha1 = self.hash(f"{USER}:{REALM}:{PASSWORD}")
        if self.algorithm.upper().endswith("-SESS"):
            ha1 = self.hash(f"{ha1}:{nonce}:{fields['cnonce']}")
        ha2 = self.hash(f"{method}:{path}")
        expected = self.hash(f"{ha1}:{nonce}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
        return "ok" if secrets.compare_digest(expected, fields.get("response", "")) else "denied"


def _handler(config: AuthServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            header = self.headers.get("Authorization")
            with config.lock:
                config.authorizations.append(header)
            verdict = config.check(header, "POST", self.path)
            if verdict != "ok":
                self.send_response(401)
                for challenge in config.challenges(stale=verdict == "stale"):
                    self.send_header("WWW-Authenticate", challenge)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            query = urllib.parse.parse_qs(body.decode("utf-8"))["query"][0]
            assert config.store is not None
            result = config.store.query(query, use_default_graph_as_union=True)
            assert isinstance(result, ox.QuerySolutions | ox.QueryBoolean)
            payload = result.serialize(format=ox.QueryResultsFormat.JSON)
            assert payload is not None
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@pytest.fixture(scope="module")
def sample(sample_store: Path) -> Path:
    return sample_store


@pytest.fixture(scope="module")
def expected(sample: Path) -> list[tuple[Cell, ...]]:
    rows = run_query(
        find_query(QUERY), PARAMS, EmbeddedTarget(EmbeddedStore(sample, read_only=True))
    ).values()
    assert rows, "the sample must give rows, or these tests could not tell an empty answer from a refused one"
    return rows


@pytest.fixture
def endpoint(sample: Path) -> Iterator[AuthServer]:
    """A real HTTP server on a free loopback port; the test sets what it asks for before querying."""
    config = AuthServer(store=EmbeddedStore(sample, read_only=True).store)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(config))
    config.url = f"http://127.0.0.1:{server.server_address[1]}/sparql-auth?default-graph-uri="
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield config
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _target(config: AuthServer, password: str = PASSWORD) -> EndpointTarget:
    return EndpointTarget(config.url, user=USER, password=password, timeout=10)


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256", "SHA-256-sess"])
def test_digest_challenge_is_answered(
    endpoint: AuthServer, expected: list[tuple[Cell, ...]], algorithm: str
) -> None:
    endpoint.algorithm = algorithm
    target = _target(endpoint)
    assert run_query(find_query(QUERY), PARAMS, target).values() == expected
    # the nonce is reused with a growing count: one challenge for several queries
    assert run_query(find_query(QUERY), PARAMS, target).values() == expected
    assert target.scheme == "digest"
    seen = endpoint.authorizations
    assert seen[0] is None  # the probe, without credentials
    assert [h.split(" ")[0] for h in seen[1:] if h] == ["Digest", "Digest"]
    assert len(seen) == 3
    assert ", nc=00000001," in (seen[1] or "") and ", nc=00000002," in (seen[2] or "")
    assert not any(PASSWORD in (h or "") or "Basic" in (h or "") for h in seen)


def test_digest_is_preferred_when_basic_is_offered_too(
    endpoint: AuthServer, expected: list[tuple[Cell, ...]]
) -> None:
    endpoint.schemes = ("basic", "digest")
    assert run_query(find_query(QUERY), PARAMS, _target(endpoint)).values() == expected
    assert [(h or "").split(" ")[0] for h in endpoint.authorizations] == ["", "Digest"]


def test_a_stale_nonce_is_learnt_again_once(endpoint: AuthServer, expected: list[tuple[Cell, ...]]) -> None:
    endpoint.nonce_uses = 1
    target = _target(endpoint)
    for _ in range(3):
        assert run_query(find_query(QUERY), PARAMS, target).values() == expected
    # probe, query; then for each later query: refused as stale, probe again, query
    assert len(endpoint.authorizations) == 2 + 2 * 3


def test_basic_challenge_is_answered(endpoint: AuthServer, expected: list[tuple[Cell, ...]]) -> None:
    endpoint.schemes = ("basic",)
    target = _target(endpoint)
    assert run_query(find_query(QUERY), PARAMS, target).values() == expected
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert endpoint.authorizations == [None, f"Basic {token}"]


def test_an_open_endpoint_is_sent_no_password(endpoint: AuthServer, expected: list[tuple[Cell, ...]]) -> None:
    endpoint.schemes = ()
    target = _target(endpoint)
    assert run_query(find_query(QUERY), PARAMS, target).values() == expected
    assert endpoint.authorizations == [None, None]


def test_wrong_password_is_one_endpoint_error(endpoint: AuthServer) -> None:
    with pytest.raises(EndpointError, match=r"refused the credentials of user 'reader' \(HTTP 401\)$"):
        run_query(find_query(QUERY), PARAMS, _target(endpoint, password="wrong"))


def test_missing_credentials_say_where_to_give_them(endpoint: AuthServer) -> None:
    with pytest.raises(EndpointError, match=r"asks for credentials.*KG_ENDPOINT_USER"):
        run_query(find_query(QUERY), PARAMS, EndpointTarget(endpoint.url, timeout=10))


def test_cli_query_endpoint_answers_digest(
    endpoint: AuthServer, expected: list[tuple[Cell, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.cli import app

    runner = CliRunner()
    args = ["query", QUERY, "--param", "deputy=PA345722", "--endpoint", endpoint.url, "--format", "csv"]
    monkeypatch.setenv("KG_ENDPOINT_USER", USER)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", PASSWORD)
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 + len(expected)
    assert "Digest" in (endpoint.authorizations[-1] or "")

    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "wrong")
    result = runner.invoke(app, args)
    assert result.exit_code == ExitCode.ENDPOINT
    assert result.stdout == ""
    assert "refused the credentials" in result.stderr and len(result.stderr.strip().splitlines()) == 1
