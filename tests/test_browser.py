"""``kg serve`` in a real headless Chromium (Debian's, driven by Playwright; no browser is downloaded): the
home page, a search for a deputy, question → deputy → ministry, a query run from the query page and its
result table, and the RDF forms fetched by the browser. Nothing is loaded from another host.

Skipped, with the reason, where Playwright or Chromium is missing (``.ci/run`` installs both)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib

from kg.serve.server import SiteServer

pytestmark = pytest.mark.server

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)"
)
CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or ""
if not CHROMIUM or not Path(CHROMIUM).exists():
    pytest.skip("no Chromium here (apt-get install chromium, or set KG_CHROMIUM)", allow_module_level=True)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUESTION = "question/QANR5L15QE40439"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Visit:
    """A page of the browser that records requests to other hosts (refused) and script errors."""

    def __init__(self, browser: Any, server: SiteServer) -> None:
        self.context = browser.new_context(locale="fr-FR", base_url=server.url)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.elsewhere: list[str] = []
        self.errors: list[str] = []
        local = server.url

        def route(route: Any) -> None:
            if route.request.url.startswith(local):
                route.continue_()
            else:
                self.elsewhere.append(route.request.url)
                route.abort()

        self.page.route("**/*", route)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "console",
            lambda msg: (
                self.errors.append(msg.text) if msg.type == "error" and "net::" not in msg.text else None
            ),
        )

    def close(self) -> None:
        self.context.close()
        assert self.elsewhere == [], "nothing is loaded from another host"
        assert self.errors == []


@pytest.fixture
def visit(browser: Any, site_server: SiteServer) -> Iterator[Visit]:
    opened = Visit(browser, site_server)
    try:
        yield opened
    finally:
        opened.close()


def test_home_lists_the_dataset_and_finds_a_deputy(visit: Visit) -> None:
    page = visit.page
    answer = page.goto("/")
    assert answer is not None and answer.status == 200
    assert "hemicycle" in page.title().lower() or "questions" in page.title().lower()
    body = page.inner_text("main")
    assert re.search(r"\d", body), "the home page gives the dataset's figures"
    search = page.locator("input[type=search]").first
    search.fill("le grip")
    search.press("Enter")
    page.wait_for_load_state()
    assert "/search" in page.url
    page.locator("main a[href$='/person/PA345722']").first.click()
    page.wait_for_url(re.compile(r"/person/PA345722$"))
    assert "Le Grip" in page.inner_text("h1")


def test_question_to_deputy_to_ministry(visit: Visit) -> None:
    page = visit.page
    answer = page.goto(f"/{QUESTION}")
    assert answer is not None and answer.status == 200
    text = page.inner_text("main")
    assert "Le Grip" in text
    page.locator("main a[href$='/person/PA345722']").first.click()
    page.wait_for_url(re.compile(r"/person/PA345722$"))
    assert page.locator(f"main a[href$='/{QUESTION}']").count() >= 1, "the deputy's page lists the question"
    page.go_back()
    page.wait_for_url(re.compile(rf"/{QUESTION}$"))
    page.locator("main a[href$='/organe/PO791605']").first.click()
    page.wait_for_url(re.compile(r"/organe/PO791605$"))
    assert page.locator(f"main a[href$='/{QUESTION}']").count() >= 1, "the ministry's page lists the question"


def test_the_query_page_runs_a_query_and_links_its_results(visit: Visit) -> None:
    page = visit.page
    page.goto("/sparql")
    assert "SPARQL" in page.title()
    assert page.locator("#examples li").count() >= 5, "the catalog's queries are offered"
    page.fill(
        "#query",
        "SELECT ?question ?title WHERE { ?question hc:questionedMinistry ?m ; dcterms:title ?title } "
        "ORDER BY ?question LIMIT 7",
    )
    page.click("#run")
    page.wait_for_selector("#result-table")
    headers = page.locator("#result-table thead th").all_inner_texts()
    assert headers == ["question", "title"]
    rows = page.locator("#result-table tbody tr")
    assert rows.count() == 7
    first = rows.first.locator("a").first
    href = first.get_attribute("href")
    assert href is not None and href.startswith("/question/")
    first.click()
    page.wait_for_url(re.compile(r"/question/QANR"))
    assert page.locator("h1").count() == 1
    page.goto("/sparql")
    page.locator("#examples a").first.click()
    page.wait_for_load_state()
    assert "SELECT" in page.input_value("#query") or "CONSTRUCT" in page.input_value("#query")
    page.click("#run")
    page.wait_for_selector("#result-table, #boolean")


def test_the_browser_fetches_every_rdf_form(visit: Visit, site_server: SiteServer) -> None:
    page = visit.page
    page.goto("/sparql")
    graphs = {}
    for media, fmt in [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ]:
        text = page.evaluate(
            "([path, media]) => fetch(path, {headers: {Accept: media}}).then(r => r.ok ? r.text() : 'HTTP ' + r.status)",
            [f"/{QUESTION}", media],
        )
        graph = rdflib.Graph()
        graph.parse(data=text, format=fmt)
        graphs[media] = set(graph)
    assert len(graphs["text/turtle"]) > 20
    assert graphs["text/turtle"] == graphs["application/n-triples"] == graphs["application/rdf+xml"]


AXE = Path(
    os.environ.get("KG_AXE_CORE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "hemicycle-kg/node_modules/axe-core/axe.min.js"
)


@pytest.mark.skipif(
    not AXE.is_file(), reason=f"axe-core is not installed ({AXE}; .ci/run installs it from npm)"
)
def test_the_servers_own_pages_have_no_serious_accessibility_finding(visit: Visit) -> None:
    """axe-core on the pages ``kg serve`` makes itself: the query page (empty, with results, with an
    error) and the generic page of a shipped document."""
    page = visit.page
    findings: list[str] = []
    for path in [
        "/sparql",
        "/sparql?query=SELECT+%3Fq+%3Fm+WHERE+%7B+%3Fq+hc%3AquestionedMinistry+%3Fm+%7D+LIMIT+3",
        "/sparql?query=SELECT+%3Fx+WHERE+%7B",
        "/shapes/question",
    ]:
        page.goto(path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
        )
        findings += [
            f"{path}: {v['id']} ({v['impact']}): {v['help']} {v['nodes']}"
            for v in result
            if v["impact"] in ("serious", "critical")
        ]
    assert findings == []
    # the query with a syntax error is answered 400 on purpose: the browser logs that, nothing else
    visit.errors[:] = [e for e in visit.errors if "status of 400" not in e]
