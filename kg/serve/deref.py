"""Dereferencing: every minted IRI's path answers with its description, in the format negotiated.

HTML (the site's page, else a generic one) or RDF, with ETag, 304, CORS and links to the other formats and
pages."""

from __future__ import annotations

import hashlib
import urllib.parse
from dataclasses import dataclass
from typing import Any

import jinja2
import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from kg.serve.backend import Backend, Settings, SitePages
from kg.serve.description import (
    LABELS,
    Description,
    describe,
    documents,
    sparql_link,
)
from kg.serve.negotiate import (
    FORMATS,
    HTML,
    JSON_LD,
    N_TRIPLES,
    RDF_FORMATS,
    TURTLE,
    Format,
    choose,
    language,
    serialize,
    split_suffix,
)
from kg.vocab import PREFIXES

CONTEXT_PATH = "context.jsonld"
WELL_KNOWN_VOID = ".well-known/void"
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, Link, Vary"}
_VOID_ORDER: tuple[Format, ...] = (TURTLE, HTML, N_TRIPLES, JSON_LD, *RDF_FORMATS[3:])


@dataclass(frozen=True, slots=True)
class Ask:
    """One dereferencing request: the resource's path (relative to the base), the format, the page."""

    path: str
    fmt: Format
    page: int
    lang: str


def request_path(request: Request) -> str:
    """The path as sent (percent-encoding kept: minted IRIs are percent-encoded), without the leading /."""
    raw = request.scope.get("raw_path")
    text = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    return text.split("?", 1)[0].lstrip("/")


def etag(backend: Backend, settings: Settings, *parts: object) -> str:
    seed = "\0".join([backend.etag_seed, settings.today().isoformat(), *map(str, parts)])
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


def not_modified(request: Request, tag: str) -> bool:
    given = request.headers.get("if-none-match")
    if not given:
        return False
    tags = {t.strip().removeprefix("W/") for t in given.split(",")}
    return tag in tags or "*" in tags


def root_of(settings: Settings) -> str:
    return settings.root


def context_url(settings: Settings) -> str:
    return (settings.public_base or settings.base) + CONTEXT_PATH


def _alternates(settings: Settings, path: str) -> list[str]:
    href = root_of(settings) + (path or "dataset")
    return [f'<{href}{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in FORMATS]


async def resource(
    request: Request, backend: Backend, settings: Settings, env: jinja2.Environment
) -> Response:
    """``GET``/``HEAD`` of any path that is not the SPARQL protocol's: an asset, a page, a description."""
    path = request_path(request)
    lang = language(request.headers.get("accept-language"))
    params = dict(request.query_params)
    site = await run_in_threadpool(backend.site, settings.today())
    if site is not None:
        asset = await run_in_threadpool(lambda: site.asset(path, lang=lang))
        if asset is not None:
            # charts and feeds speak the language asked (the stylesheet and the CSV are the same in both)
            tag = etag(backend, settings, "asset", path, lang)
            headers = {**CORS, "ETag": tag, "Cache-Control": "public, no-cache", "Vary": "Accept-Language"}
            if asset[1].startswith(("image/svg+xml", "application/atom+xml")):
                headers["Content-Language"] = lang
            if not_modified(request, tag):
                return Response(status_code=304, headers=headers)
            return Response(asset[0], media_type=asset[1], headers=headers)
    stem, suffix = split_suffix(path)
    offered = _VOID_ORDER if stem == WELL_KNOWN_VOID else FORMATS
    if stem == WELL_KNOWN_VOID:
        stem = "dataset"
    fmt = suffix or choose(request.headers.get("accept"), offered)
    if fmt is None:
        types = ", ".join(f.media_type for f in FORMATS)
        return PlainTextResponse(f"this resource is available as {types}\n", status_code=406, headers=CORS)
    try:
        page = int(params.get("page", "1"))
    except ValueError:
        page = 0
    if page < 1:
        return PlainTextResponse("page must be a whole number from 1\n", status_code=400, headers=CORS)
    query = urllib.parse.urlencode(sorted(params.items()))
    tag = etag(backend, settings, stem, fmt.name, query, lang if fmt is HTML else "")
    headers = {
        **CORS,
        "ETag": tag,
        "Vary": "Accept, Accept-Language" if suffix is None else "Accept-Language",
        "Cache-Control": "public, no-cache",
        "Link": ", ".join(_alternates(settings, stem)),
    }
    if not_modified(request, tag):
        return Response(status_code=304, headers=headers)
    ask = Ask(stem, fmt, page, lang)
    if fmt is HTML:
        return await _html(ask, params, backend, settings, site, env, headers)
    found = await run_in_threadpool(_triples, ask, backend, settings)
    if found is None:
        return PlainTextResponse(
            f"nothing is known of {settings.base}{stem}\n",
            status_code=404,
            headers={**CORS, "Vary": "Accept"},
        )
    triples, description = found
    body = await run_in_threadpool(serialize, triples, fmt, context_url=context_url(settings))
    if description is not None:
        _page_links(description, stem, settings, headers)
        if fmt in (TURTLE, N_TRIPLES) and (description.more or page > 1):
            body = _comment(description, stem, settings) + body
    return Response(body, media_type=fmt.content_type, headers=headers)


def _triples(
    ask: Ask, backend: Backend, settings: Settings
) -> tuple[list[ox.Triple], Description | None] | None:
    shipped = documents().get(ask.path)
    if shipped is not None:
        return (list(shipped), None) if ask.page == 1 else None
    description = describe(backend.store.store, settings.base + (ask.path or "dataset"), ask.page)
    if description is None:
        return None
    return description.triples, description


def _page_href(stem: str, settings: Settings, page: int) -> str:
    return f"{root_of(settings)}{stem}?page={page}"


def _page_links(description: Description, stem: str, settings: Settings, headers: dict[str, str]) -> None:
    links = [headers["Link"]]
    if description.more:
        links.append(f'<{_page_href(stem, settings, description.page + 1)}>; rel="next"')
    if description.page > 1:
        links.append(f'<{_page_href(stem, settings, description.page - 1)}>; rel="prev"')
    if description.more or description.page > 1:
        every = sparql_link(description.all_incoming_query(), root=root_of(settings))
        links.append(f'<{every}>; rel="related"; title="every incoming link"')
    headers["Link"] = ", ".join(links)


def _comment(description: Description, stem: str, settings: Settings) -> bytes:
    lines = [f"# page {description.page} of the incoming links of <{description.iri}>"]
    if description.more:
        lines.append(f"# next page: {_page_href(stem, settings, description.page + 1)}")
    every = sparql_link(description.all_incoming_query(), root=root_of(settings))
    lines.append(f"# every incoming link: {every}")
    return ("\n".join(lines) + "\n").encode("utf-8")


async def _html(
    ask: Ask,
    params: dict[str, str],
    backend: Backend,
    settings: Settings,
    site: SitePages | None,
    env: jinja2.Environment,
    headers: dict[str, str],
) -> Response:
    headers = {**headers, "Content-Language": ask.lang}
    if site is not None:
        html = await run_in_threadpool(lambda: site.page(ask.path, lang=ask.lang, params=params))
        if html is not None:
            return HTMLResponse(html, headers=headers)
    found = await run_in_threadpool(_triples, ask, backend, settings)
    if found is None:
        return await not_found(ask.path, ask.lang, site, settings, env)
    triples, description = found
    if description is not None:
        _page_links(description, ask.path, settings, headers)
    return HTMLResponse(generic_page(ask, triples, description, settings, env), headers=headers)


async def not_found(
    path: str, lang: str, site: SitePages | None, settings: Settings, env: jinja2.Environment
) -> Response:
    """The 404 page: the site's (which offers a search), else a plain one."""
    headers = {**CORS, "Vary": "Accept, Accept-Language", "Content-Language": lang}
    if site is not None:
        html = await run_in_threadpool(lambda: site.not_found(path, lang=lang))
        return HTMLResponse(html, status_code=404, headers=headers)
    words = urllib.parse.unquote(path.rsplit("/", 1)[-1])
    message = (
        f"Rien n'est connu de {settings.base}{path}."
        if lang == "fr"
        else f"Nothing is known of {settings.base}{path}."
    )
    page = env.get_template("error.html").render(
        title="Introuvable" if lang == "fr" else "Not found",
        message=message,
        search=words,
        lang=lang,
        root=root_of(settings),
    )
    return HTMLResponse(page, status_code=404, headers=headers)


@dataclass(frozen=True, slots=True)
class _Shown:
    text: str
    href: str | None


def generic_page(
    ask: Ask,
    triples: list[ox.Triple],
    description: Description | None,
    settings: Settings,
    env: jinja2.Environment,
) -> str:
    """A plain page of any description (what the site's pages do not cover: the ontology, shapes…)."""
    root = root_of(settings)
    iri = settings.base + (ask.path or "dataset")
    labels = _labels(triples, ask.lang)

    def shown(term: Any) -> _Shown:
        if isinstance(term, ox.NamedNode):
            href = (
                root + term.value[len(settings.base) :]
                if term.value.startswith(settings.base)
                else term.value
            )
            return _Shown(labels.get(term.value) or _curie(term.value), href)
        if isinstance(term, ox.Literal):
            return _Shown(term.value, None)
        return _Shown(str(term), None)

    subject = ox.NamedNode(iri)
    own = [(shown(t.predicate), shown(t.object)) for t in triples if t.subject == subject]
    incoming = [
        (shown(t.subject), shown(t.predicate))
        for t in triples
        if t.object == subject and t.subject != subject
    ]
    if description is None:  # a shipped document: every triple, by subject
        own = [(shown(t.predicate), shown(t.object)) for t in triples]
    formats = [
        {"name": f.name, "media_type": f.media_type, "href": f"{root}{ask.path}{f.suffix}"}
        for f in RDF_FORMATS
    ]
    more = description is not None and description.more
    return env.get_template("resource.html").render(
        title=labels.get(iri) or _curie(iri),
        iri=iri,
        own=own,
        incoming=incoming,
        formats=formats,
        lang=ask.lang,
        root=root,
        next=_page_href(ask.path, settings, ask.page + 1) if more else None,
        previous=_page_href(ask.path, settings, ask.page - 1) if ask.page > 1 else None,
        all_incoming=sparql_link(description.all_incoming_query(), root=root)
        if description is not None and (more or ask.page > 1)
        else None,
    )


def _labels(triples: list[ox.Triple], lang: str) -> dict[str, str]:
    found: dict[str, tuple[int, str]] = {}
    for t in triples:
        if t.predicate in LABELS and isinstance(t.object, ox.Literal) and isinstance(t.subject, ox.NamedNode):
            rank = 0 if t.object.language == lang else 1 if t.object.language is None else 2
            best = found.get(t.subject.value)
            if best is None or rank < best[0]:
                found[t.subject.value] = (rank, t.object.value)
    return {k: v for k, (_, v) in found.items()}


def _curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri
