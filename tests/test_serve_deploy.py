"""The w3id.org redirect rules (``deploy/w3id/.htaccess``) on a real Apache on loopback, as the registry
runs them: a browser is sent to the page, an RDF client to the file of the format it asks for, the SPARQL
endpoint with 307; and the address they lead to answers on ``kg serve``.

Skipped, with the reason, where Apache is not installed (``.ci/run`` installs Debian's apache2)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kg.serve.oxigraph import free_port
from kg.serve.server import SiteServer

pytestmark = pytest.mark.server

APACHE = shutil.which("apache2") or shutil.which("httpd") or shutil.which("apache2", path="/usr/sbin")
MODULES = Path("/usr/lib/apache2/modules")
RULES = Path(__file__).resolve().parent.parent / "deploy" / "w3id" / ".htaccess"
TARGET = "https://hemicycle.example.org/"

if APACHE is None or not (MODULES / "mod_rewrite.so").exists():
    pytest.skip("no Apache with mod_rewrite here (apt-get install apache2)", allow_module_level=True)


@pytest.fixture(scope="module")
def w3id(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Apache serving a folder ``hemicycle/`` that holds the rules, as w3id.org does."""
    root = tmp_path_factory.mktemp("apache")
    (root / "www" / "hemicycle").mkdir(parents=True)
    shutil.copy(RULES, root / "www" / "hemicycle" / ".htaccess")
    port = free_port()
    (root / "httpd.conf").write_text(
        f"""ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{root}/httpd.pid"
ErrorLog "{root}/error.log"
LoadModule mpm_event_module {MODULES}/mod_mpm_event.so
LoadModule authz_core_module {MODULES}/mod_authz_core.so
LoadModule rewrite_module {MODULES}/mod_rewrite.so
DocumentRoot "{root}/www"
<Directory "{root}/www">
    AllowOverride All
    Options +FollowSymLinks
    Require all granted
</Directory>
""",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [str(APACHE), "-f", str(root / "httpd.conf"), "-DFOREGROUND"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/hemicycle/"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                error = (root / "error.log").read_text() if (root / "error.log").exists() else ""
                pytest.fail(
                    f"apache did not start: {process.stderr.read() if process.stderr else ''} {error}"
                )
            try:
                httpx.get(url, timeout=1, trust_env=False)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def redirect(url: str, path: str, accept: str | None = None, method: str = "GET") -> tuple[int, str]:
    headers = {"Accept": accept} if accept else {}
    answer = httpx.request(method, url + path, headers=headers, trust_env=False, follow_redirects=False)
    return answer.status_code, answer.headers.get("location", "")


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("path", "accept", "status", "location"),
    [
        ("question/QANR5L15QE40439", BROWSER, 303, "question/QANR5L15QE40439"),
        ("question/QANR5L15QE40439", "text/turtle", 303, "question/QANR5L15QE40439.ttl"),
        ("person/PA345722", "application/ld+json", 303, "person/PA345722.jsonld"),
        ("organe/PO791605", "application/n-triples", 303, "organe/PO791605.nt"),
        ("topic/rubrique/numerique", "application/rdf+xml", 303, "topic/rubrique/numerique.rdf"),
        ("question/QANR5L15QE40439", "*/*", 303, "question/QANR5L15QE40439"),
        ("question/QANR5L15QE40439", None, 303, "question/QANR5L15QE40439"),
        ("question/QANR5L15QE40439.ttl", BROWSER, 303, "question/QANR5L15QE40439.ttl"),
        ("ontology", "text/turtle", 303, "ontology.ttl"),
        ("context.jsonld", "application/ld+json", 303, "context.jsonld"),
        ("", BROWSER, 303, ""),
        ("sparql", BROWSER, 307, "sparql"),
    ],
)
def test_w3id_rules_send_each_client_to_its_format(
    w3id: str, path: str, accept: str | None, status: int, location: str
) -> None:
    assert redirect(w3id, path, accept) == (status, TARGET + location)


def test_a_posted_query_stays_a_post(w3id: str) -> None:
    assert redirect(w3id, "query", "application/sparql-results+json", method="POST") == (
        307,
        TARGET + "query",
    )


def test_where_the_rules_lead_kg_serve_answers(w3id: str, site_server: SiteServer) -> None:
    """Each address the rules give, with the public host replaced by the local server, is a 200 in the
    format the client asked for."""
    for path, accept, media in [
        ("question/QANR5L15QE40439", "text/turtle", "text/turtle"),
        ("person/PA345722", "application/ld+json", "application/ld+json"),
        ("question/QANR5L15QE40439", BROWSER, "text/html"),
        ("ontology", "application/rdf+xml", "application/rdf+xml"),
    ]:
        _, location = redirect(w3id, path, accept)
        local = site_server.url + "/" + location[len(TARGET) :]
        answer = httpx.get(local, headers={"Accept": accept}, trust_env=False, timeout=30)
        assert answer.status_code == 200, local
        assert answer.headers["content-type"].startswith(media), local
