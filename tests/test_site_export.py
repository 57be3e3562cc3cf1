"""The static export (``kg site``): the files it writes (pages, Turtle and JSON-LD parsed back and compared with
the store, charts, feeds), and the content negotiation its rules give on real web servers started on a
loopback port: its nginx server block on Debian's nginx, its .htaccess on Debian's Apache."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import httpx
import lxml.html
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from kg.build.pipeline import BuildOptions, build
from kg.cli import app
from kg.errors import InputError
from kg.serve.description import describe
from kg.serve.negotiate import context_document
from kg.serve.oxigraph import free_port
from kg.site import jsonld
from kg.site.export import export_site, resource_paths
from kg.store import EmbeddedStore

# rdflib's JSON-LD parser, which reads the export back, warns about its own use of ConjunctiveGraph
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
BASE = "https://w3id.org/hemicycle/"
AS_OF = dt.date(2026, 1, 31)
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
APACHE = shutil.which("apache2") or shutil.which("apache2", path="/usr/sbin")
APACHE_MODULES = Path("/usr/lib/apache2/modules")

#: The registry's memberships of other bodies than the Assemblée, groups and governments are dropped from
#: the sample (derived store: ~5,000 committee memberships make the export slow and add no kind of page).
_TRIM = """
PREFIX hc: <https://w3id.org/hemicycle/ontology#>
DELETE { GRAPH ?g { ?m ?p ?o } }
WHERE {
  GRAPH ?g { ?m a hc:Mandate ; hc:organeType ?type ; ?p ?o }
  FILTER (?type NOT IN ("ASSEMBLEE", "GP", "GOUVERNEMENT", "MINISTERE"))
  FILTER NOT EXISTS { ?question hc:authorMandate ?m }
  FILTER NOT EXISTS { ?question hc:authorGroupMembership ?m }
}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    out = tmp_path_factory.mktemp("export-store")
    build(BuildOptions(store=out / "store", quarantine=out / "quarantine.jsonl"))
    trimmed = EmbeddedStore(out / "store")
    trimmed.store.update(_TRIM)
    trimmed.flush()
    del trimmed
    return EmbeddedStore(out / "store", read_only=True)


@pytest.fixture(scope="module")
def exported(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "site"
    summary = export_site(store, out, base=BASE, as_of=AS_OF, jobs=2)
    assert summary.resources > 300 and summary.files > 3 * 300
    return out


def test_every_resource_has_its_page_turtle_and_json_ld(store: EmbeddedStore, exported: Path) -> None:
    paths = list(resource_paths(store.store, BASE))
    assert "question/QANR5L15QE40439" in paths and "person/PA345722" in paths and "dataset" in paths
    for path in paths:
        for suffix in (".html", ".ttl", ".jsonld"):
            assert (exported / f"{path}{suffix}").is_file(), path + suffix
    for name in ("index.html", "search.html", "404.html", ".htaccess", "nginx.conf", "context.jsonld"):
        assert (exported / name).is_file(), name
    assert (exported / "ontology.ttl").is_file() and (exported / "shapes.ttl").is_file()
    assert not list(exported.parent.glob(".site.partial-*"))


def _graph_of(triples: list[ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


@pytest.mark.parametrize(
    "path",
    ["question/QANR5L15QE40439", "person/PA345722", "organe/PO791605", "question/QANR5L16QE4115/answer"],
)
def test_rdf_files_hold_the_description(store: EmbeddedStore, exported: Path, path: str) -> None:
    description = describe(store.store, BASE + path)
    assert description is not None
    expected = _graph_of(description.triples)
    turtle = rdflib.Graph().parse(exported / f"{path}.ttl", format="turtle")
    assert isomorphic(turtle, expected)
    document = json.loads((exported / f"{path}.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == "/context.jsonld"
    document["@context"] = context_document()["@context"]  # the published context, read offline
    from_json = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    assert isomorphic(from_json, expected)


def test_pages_link_within_the_export(exported: Path) -> None:
    page = (exported / "question/QANR5L15QE40439.html").read_text(encoding="utf-8")
    hrefs = {a.get("href") for a in lxml.html.fromstring(page).iter("a")}
    assert "/person/PA345722" in hrefs and "/organe/PO791605" in hrefs
    assert "/sparql" not in hrefs  # a static export has no endpoint
    names = (exported / "search.html").read_text(encoding="utf-8")
    assert "/person/PA345722" in names and "Constance Le Grip" in names


def test_charts_and_feeds_are_written(exported: Path) -> None:
    for name in ("questions-per-month", "answer-delays", "answer-rate-per-ministry"):
        assert (exported / f"charts/{name}.svg").is_file() and (exported / f"charts/{name}.csv").is_file()
        assert (exported / f"charts/{name}/person/PA345722.svg").is_file()
    assert (exported / "charts/questions-per-month/organe/PO791605.csv").is_file()
    for path in ("person/PA345722", "organe/PO791605", "question/QANR5L15QE40439"):
        assert (exported / f"feeds/{path}.atom").is_file()


def test_export_replaces_the_folder_whole(store: EmbeddedStore, tmp_path: Path) -> None:
    small = EmbeddedStore(None)  # one question's graph: enough to export, quick
    graph = ox.NamedNode(BASE + "graph/question/QANR5L15QE40439")
    small.store.extend(store.store.quads_for_pattern(None, None, None, graph))
    out = tmp_path / "site"
    out.mkdir()
    (out / "stale.html").write_text("old", encoding="utf-8")
    export_site(small, out, base=BASE, as_of=AS_OF)
    assert (out / "question/QANR5L15QE40439.html").is_file()
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_resource_path_that_would_leave_the_folder_is_refused(tmp_path: Path) -> None:
    """Paths are checked by their text (no file is resolved on the disk): an IRI whose path decodes to
    ``..`` segments stops the export with a one-line error, and nothing is written outside the folder."""
    small = EmbeddedStore(None)
    small.store.add(
        ox.Quad(
            ox.NamedNode(BASE + "topic/%2E%2E/%2E%2E/%2E%2E/evil"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("evil"),
            ox.NamedNode(BASE + "graph/topics"),
        )
    )
    with pytest.raises(InputError, match="leaves the export folder"):
        export_site(small, tmp_path / "site", base=BASE, as_of=AS_OF)
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_bad_options(store: EmbeddedStore, tmp_path: Path) -> None:
    runner = CliRunner()
    assert store.path is not None
    bad_date = runner.invoke(
        app, ["site", "--store", str(store.path), "--out", str(tmp_path / "s"), "--as-of", "x"]
    )
    assert bad_date.exit_code == 2 and "--as-of" in bad_date.output and "Traceback" not in bad_date.output
    no_store = runner.invoke(
        app,
        ["site", "--store", str(tmp_path / "none"), "--out", str(tmp_path / "s"), "--as-of", "2026-01-31"],
    )
    assert no_store.exit_code == 2 and "no store here" in no_store.output
    bad_base = runner.invoke(
        app,
        [
            "site",
            "--store",
            str(store.path),
            "--out",
            str(tmp_path / "s"),
            "--as-of",
            "2026-01-31",
            "--public-base",
            "/x",
        ],
    )
    assert bad_base.exit_code == 2 and "--public-base" in bad_base.output
    assert not (tmp_path / "s").exists()


# ------------------------------------------------------------------ nginx and Apache


@pytest.fixture(scope="module")
def nginx(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's nginx serving the export with the server block ``kg site`` wrote, on a loopback port."""
    if NGINX is None:
        pytest.skip("nginx is not installed (.ci/run installs it)")
    work = tmp_path_factory.mktemp("nginx")
    port = free_port()
    block = (exported / "nginx.conf").read_text(encoding="utf-8")
    block, n = re.subn(r"listen \S+;", f"listen 127.0.0.1:{port};", block)
    assert n == 1
    (work / "site.conf").write_text(block, encoding="utf-8")
    temp = "\n".join(
        f"    {name}_temp_path {work / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's private folders
    (work / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\n"
        f"events {{ worker_connections 64; }}\nhttp {{\n    access_log off;\n{temp}\n    include {work / 'site.conf'};\n}}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(work), "-c", str(work / "nginx.conf")], stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            if process.poll() is not None:
                pytest.fail(f"nginx did not start: {process.stderr.read() if process.stderr else ''}")
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def apache(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's Apache serving the export with the .htaccess ``kg site`` wrote, on a loopback port."""
    if APACHE is None or not (APACHE_MODULES / "mod_rewrite.so").exists():
        pytest.skip("no Apache with mod_rewrite here (.ci/run installs apache2)")
    work = tmp_path_factory.mktemp("apache")
    port = free_port()
    modules = "\n".join(
        f"LoadModule {name}_module {APACHE_MODULES}/mod_{name}.so"
        for name in ("mpm_event", "authz_core", "rewrite", "mime", "headers", "dir")
    )
    (work / "httpd.conf").write_text(
        f"""ServerRoot "{work}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{work}/httpd.pid"
ErrorLog "{work}/error.log"
# no system-wide types: the .htaccess must declare every type the export holds
TypesConfig "{work}/mime.types"
{modules}
DocumentRoot "{exported}"
<Directory "{exported}">
    AllowOverride All
    Require all granted
</Directory>
""",
        encoding="utf-8",
    )
    (work / "mime.types").write_text("", encoding="utf-8")
    process = subprocess.Popen(
        [APACHE, "-f", str(work / "httpd.conf"), "-DFOREGROUND"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        yield _wait(process, url, work / "error.log")
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait(process: subprocess.Popen[str] | subprocess.Popen[bytes], url: str, log: Path) -> str:
    for _ in range(200):
        if process.poll() is not None:
            error = log.read_text(encoding="utf-8") if log.exists() else ""
            pytest.fail(f"the web server did not start: {error}")
        try:
            httpx.get(url, timeout=1, trust_env=False)
            return url
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail("the web server did not answer within 10 s")


@pytest.fixture(params=["nginx", "apache"])
def served(request: pytest.FixtureRequest) -> str:
    """The export behind a real web server and its rules: nginx.conf on nginx, .htaccess on Apache."""
    url: str = request.getfixturevalue(request.param)
    return url


def test_web_server_negotiates_html_turtle_and_json_ld(served: str, store: EmbeddedStore) -> None:
    path = "question/QANR5L15QE40439"
    html = httpx.get(served + path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Constance Le Grip" in html.text and "Accept" in html.headers.get("vary", "")
    description = describe(store.store, BASE + path)
    assert description is not None
    expected = _graph_of(description.triples)
    turtle = httpx.get(served + path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert isomorphic(rdflib.Graph().parse(data=turtle.text, format="turtle"), expected)
    json_ld = httpx.get(served + path, headers={"Accept": "application/ld+json"})
    assert json_ld.status_code == 200 and json_ld.headers["content-type"].startswith("application/ld+json")
    document = json_ld.json()
    context = httpx.get(served + "context.jsonld").json()
    document["@context"] = context["@context"]
    assert isomorphic(rdflib.Graph().parse(data=json.dumps(document), format="json-ld"), expected)
    for suffix, media in (
        (".ttl", "text/turtle"),
        (".jsonld", "application/ld+json"),
        (".html", "text/html"),
    ):
        answer = httpx.get(served + path + suffix)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media), suffix


def test_web_server_serves_home_assets_and_a_404_page(served: str) -> None:
    home = httpx.get(served)
    assert home.status_code == 200 and "Questions parlementaires" in home.text
    for path, media in (
        ("charts/questions-per-month.svg", "image/svg+xml"),
        ("charts/questions-per-month.csv", "text/csv"),
        ("feeds/person/PA345722.atom", "application/atom+xml"),
        ("assets/site.css", "text/css"),
        ("ontology", "text/turtle"),
        ("search", "text/html"),
    ):
        answer = httpx.get(served + path)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media), path
    missing = httpx.get(served + "question/QANR5L99QE1")
    assert missing.status_code == 404 and "Ressource introuvable" in missing.text


def test_web_server_every_link_of_a_page_lands(served: str) -> None:
    """Follow every on-site link of the question page, then of the deputy and ministry pages."""
    seen: set[str] = set()
    for start in ("question/QANR5L15QE40439", "person/PA345722", "organe/PO791605"):
        page = httpx.get(served + start)
        for a in lxml.html.fromstring(page.text).iter("a", "link", "img"):
            href = a.get("href") or a.get("src")
            if not href or not href.startswith("/") or href.startswith("//") or href in seen:
                continue
            seen.add(href)
            answer = httpx.get(urljoin(served, href))
            assert answer.status_code == 200, href
    assert len(seen) > 30


def test_compact_json_ld_holds_every_triple(store: EmbeddedStore) -> None:
    """The export's own JSON-LD writer (kg.site.jsonld) gives the very graph of each description: every kind
    of resource, typed and language-tagged literals, integers, booleans, dates."""
    context = context_document()["@context"]
    checked = 0
    for n, path in enumerate(resource_paths(store.store, BASE)):
        if n % 3:
            continue
        description = describe(store.store, BASE + path)
        assert description is not None
        document = json.loads(jsonld.compact(description.triples, "/context.jsonld"))
        document["@context"] = context
        parsed = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
        assert isomorphic(parsed, _graph_of(description.triples)), path
        checked += 1
    assert checked > 100
