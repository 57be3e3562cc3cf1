"""Accessibility of the site's pages: axe-core (from npm) run in Debian's headless Chromium (driven by
Playwright, as tests/test_browser.py does) on every kind of page, with its stylesheet and charts, in French
and English; no serious or critical finding.

The pages are answered by :class:`kg.site.api.Site` itself through the browser's request routing (no
server needed). Skipped, with the reason, where Playwright, Chromium or axe-core is missing (``.ci/run``
installs them; axe-core into ``~/.cache/hemicycle-kg/node_modules``, or set ``KG_AXE_CORE`` to
``axe.min.js``)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from kg.build.pipeline import BuildOptions, build
from kg.site.api import Site
from kg.store import EmbeddedStore

pytestmark = pytest.mark.server

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)"
)
CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or ""
AXE = Path(
    os.environ.get("KG_AXE_CORE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "hemicycle-kg/node_modules/axe-core/axe.min.js"
)
if not CHROMIUM or not Path(CHROMIUM).exists():
    pytest.skip("no Chromium here (apt-get install chromium, or set KG_CHROMIUM)", allow_module_level=True)
if not AXE.is_file():
    pytest.skip(f"axe-core is not installed ({AXE}; .ci/run installs it from npm)", allow_module_level=True)

ORIGIN = "http://site.test/"
BASE = "https://w3id.org/hemicycle/"
PAGES = [
    "",
    "question/QANR5L15QE40439",
    "question/QANR5L16QE4115",
    "person/PA345722",
    "organe/PO791605",
    "organe/PO730934",
    "organe/PO717460",
    "constituency/92-6",
    "department/92",
    "topic/rubrique/numerique",
    "question/QANR5L15QE40439/attribution/2",
    "search?q=le+grip",
    "nowhere/404",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    out = tmp_path_factory.mktemp("axe")
    build(BuildOptions(store=out / "store", quarantine=out / "quarantine.jsonl"))
    store = EmbeddedStore(out / "store", read_only=True)
    return Site(store, base=BASE, public_base=ORIGIN, as_of=dt.date(2026, 1, 31))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            yield launched
        finally:
            launched.close()


def _serve(site: Site, lang: str) -> Any:
    def route(route: Any) -> None:
        url = urlsplit(route.request.url)
        if not route.request.url.startswith(ORIGIN):
            route.abort()
            return
        path = url.path.lstrip("/")
        asset = site.asset(path)
        if asset is not None:
            route.fulfill(status=200, body=asset[0], content_type=asset[1])
            return
        page = site.page(path, lang=lang, params=dict(parse_qsl(url.query)))
        if page is None:
            route.fulfill(status=404, body=site.not_found(path, lang=lang), content_type="text/html")
        else:
            route.fulfill(status=200, body=page, content_type="text/html; charset=utf-8")

    return route


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_serious_accessibility_finding(browser: Any, site: Site, lang: str) -> None:
    context = browser.new_context(locale="fr-FR" if lang == "fr" else "en-GB")
    try:
        page = context.new_page()
        page.route("**/*", _serve(site, lang))
        findings: list[str] = []
        # the check itself finds what it must: an image without text, a page without a language
        page.goto(ORIGIN + "nowhere/404")
        page.set_content(
            '<!DOCTYPE html><html><head><title>t</title></head><body><img src="x.svg"></body></html>'
        )
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id)")
        assert {"image-alt", "html-has-lang"} <= set(found)
        for path in PAGES:
            page.goto(ORIGIN + path)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
            )
            for violation in result:
                if violation["impact"] in ("serious", "critical"):
                    findings.append(
                        f"/{path}: {violation['id']} ({violation['impact']}): {violation['help']} {violation['nodes']}"
                    )
        assert findings == []
    finally:
        context.close()
