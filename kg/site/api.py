"""The site's front door: :class:`Site` answers a path under the base IRI with a page, a 404 page or an asset.

Interface (mounted by the ASGI server of :mod:`kg.serve`, used by the static export of :mod:`kg.site`)::

    site = Site(store, base="https://w3id.org/hemicycle/", public_base="http://127.0.0.1:8000/",
                as_of=datetime.date(2026, 1, 31))
    site.page("question/QANR5L15QE40439", lang="fr", params={})  # -> str (HTML) | None
    site.page("", lang="en", params={})                         # the home page
    site.page("search", lang="fr", params={"q": "le grip"})     # search results
    site.not_found("question/QANR5L99QE1", lang="fr")           # -> str: a 404 page offering a search
    site.asset("assets/site.css")                               # -> (bytes, media type) | None
    site.asset("charts/answer-delays/person/PA345722.svg", lang="en")  # a chart, in English

- ``path`` is relative to ``base`` with no leading ``/`` and no query string: ``question/{uid}``,
  ``person/{PA…}``, ``organe/{PO…}``, ``constituency/92-6``, ``topic/rubrique/numerique``, ``""`` (home),
  ``"search"``. Any IRI the graph holds under ``base`` gets a page (the kinds without a page of their own —
  events, answers, mandates, sources, graphs, unresolved fallbacks — a generic page of their facts);
  ``page`` returns ``None`` for a path that names nothing in the store (the server then answers 404 with
  :meth:`Site.not_found`).
- ``lang`` is ``"fr"`` or ``"en"``: the interface strings (the data stays in French), of pages and of the
  charts' and feeds' titles, descriptions, axes and events.
- ``params`` are the query-string parameters: ``q`` for search, ``page`` for paginated lists.
- Links in pages point to ``public_base`` (or ``base`` when ``None``) + path, so they land on the server
  that serves the pages; ``public_base`` may be root-relative (``"/"``) for a static export.
- ``as_of`` is the date overdue questions are judged at; every page that depends on it shows it.
- Assets live under ``assets/`` (CSS), ``charts/`` (SVG charts and their CSV data) and ``feeds/`` (Atom);
  no minted IRI starts with these segments.
- Pages and assets are computed from the store on each call: the caller caches (ETag from the store's
  fingerprint and ``as_of``, see :meth:`Site.fingerprint`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from importlib import resources
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from kg.iris import QUESTION_UID
from kg.site import feeds, stats
from kg.site.charts import CHARTS
from kg.site.describe import Description, describe, incoming_query
from kg.site.home import catalog, dataset_summary
from kg.site.i18n import LANGUAGES, pick_language, ui
from kg.site.index import SiteIndex
from kg.site.labels import Labeller
from kg.site.links import Links
from kg.site.markup import Fragments
from kg.site.paging import pager
from kg.site.question import load_question, question_context
from kg.site.render import render
from kg.site.resource import (
    FEED_KINDS,
    ChartLink,
    chart_paths,
    kind_context,
    make_charts,
    questions_context,
)
from kg.site.search import Hit, search
from kg.site.stats import Scope
from kg.site.text import safe_html
from kg.site.views import scope_for
from kg.store import EmbeddedStore
from kg.vocab import HC_IRI

#: Labels a static export keeps in memory (the IRIs most pages link to: deputies, bodies, ministries).
LABELS_KEPT = 200_000
#: Search results shown per page.
SEARCH_PAGE = 25
#: The RDF forms of a resource, by suffix (served by :mod:`kg.serve`, written by the static export).
RDF_FORMATS: tuple[tuple[str, str, str], ...] = (
    ("Turtle", ".ttl", "text/turtle"),
    ("JSON-LD", ".jsonld", "application/ld+json"),
    ("N-Triples", ".nt", "application/n-triples"),
    ("RDF/XML", ".rdf", "application/rdf+xml"),
)


class Site:
    """The HTML face of one store: see the module docstring for the interface."""

    def __init__(
        self,
        store: EmbeddedStore,
        *,
        base: str,
        public_base: str | None,
        as_of: dt.date,
        rdf_formats: tuple[tuple[str, str, str], ...] = RDF_FORMATS,
        paginate: bool = True,
        static: bool = False,
    ) -> None:
        self.store = store
        self.base = base
        self.links = Links(base, public_base if public_base is not None else base)
        self.as_of = as_of
        # a static export holds Turtle and JSON-LD files only
        self.rdf_formats = (
            tuple(f for f in rdf_formats if f[1] in (".ttl", ".jsonld")) if static else rdf_formats
        )
        self.paginate = paginate
        self.static = static
        self.index = SiteIndex(store)
        self._fragments = {lang: Fragments(self.links, lang) for lang in LANGUAGES}
        # a static export reads a store that does not change: labels are looked up once per process
        self._labels = Labeller(store.store, limit=LABELS_KEPT) if static else None
        self._made: dict[tuple[str, str], str | tuple[bytes, str] | None] = {}

    def fingerprint(self) -> str:
        """What the store holds (a hash of its sources' checksums and counts); with ``as_of``, a page's ETag."""
        return self.index.fingerprint

    # ------------------------------------------------------------------ pages

    def page(self, path: str, *, lang: str, params: Mapping[str, str]) -> str | None:
        """The HTML of the resource at ``path`` (relative to the base), ``None`` when there is none."""
        lang = pick_language(lang)
        path = path.lstrip("/")
        if path == "":  # the same for every visitor of this store and day: made once per language
            home = self._made.get(("home", lang))
            if home is None:
                home = self._made[("home", lang)] = self._home(lang)
            assert isinstance(home, str)
            return home
        if path == "search":
            return self._names(lang) if self.static else self._search(lang, params)
        head, _, rest = path.partition("/")
        if head == "question" and QUESTION_UID.match(rest):
            return self._question(rest, lang)
        found = scope_for(self.store.store, self.base, path)
        if found is not None:
            return self._resource(path, found[0], found[1], lang, params)
        return self._generic(path, lang)

    def not_found(self, path: str, *, lang: str) -> str:
        """A 404 page for ``path``, offering a search prefilled with its last segment."""
        lang = pick_language(lang)
        guess = path.rstrip("/").rsplit("/", 1)[-1]
        return render("not_found.html", **self._common(lang, ui(lang)["not_found"]), query=guess)

    def asset(self, path: str, *, lang: str = "fr") -> tuple[bytes, str] | None:
        """The bytes and media type of an asset (CSS, charts and their CSV, feeds); ``None`` otherwise.
        Charts and feeds speak ``lang``; the CSV is the same in every language."""
        lang = pick_language(lang)
        path = path.lstrip("/")
        if path == "assets/site.css":
            return resources.files("kg.site").joinpath(
                "templates/site.css"
            ).read_bytes(), "text/css; charset=utf-8"
        head, _, rest = path.partition("/")
        if head == "charts":
            if "/" in rest:
                return self._chart(rest, lang)
            made = self._made.get((f"chart-{lang}", rest))  # the dataset's charts: made once
            if made is None:
                made = self._made[(f"chart-{lang}", rest)] = self._chart(rest, lang)
            assert made is None or isinstance(made, tuple)
            return made
        if head == "feeds" and rest.endswith(".atom"):
            return self._feed(rest.removesuffix(".atom"), lang)
        return None

    def _chart(self, rest: str, lang: str) -> tuple[bytes, str] | None:
        stem, dot, suffix = rest.rpartition(".")
        if not dot or suffix not in ("svg", "csv"):
            return None
        name, _, path = stem.partition("/")
        if name not in CHARTS:
            return None
        if path:
            found = scope_for(self.store.store, self.base, path)
            if found is None:
                return None
            kind, scope = found
            subject = self._label(self.base + path) or path
        else:
            kind, scope, subject = "dataset", Scope.everything(), ui(lang)["whole_dataset"]
        db = self.index.connection()
        if stats.count(db, scope) == 0:
            return None
        chart = make_charts(db, scope, subject, lang, kind).get(name)
        if chart is None:
            return None
        if suffix == "svg":
            return chart.svg(lang), "image/svg+xml"
        return chart.csv(), "text/csv; charset=utf-8"

    def _feed(self, path: str, lang: str) -> tuple[bytes, str] | None:
        head, _, rest = path.partition("/")
        db = self.index.connection()
        iri = self.base + path
        if head == "question" and QUESTION_UID.match(rest):
            scope = Scope("q.iri = ?", (iri,))
        else:
            found = scope_for(self.store.store, self.base, path)
            if found is None or found[0] not in FEED_KINDS:
                return None
            scope = Scope.received_by(iri) if found[0] == "ministry" else found[1]
        if stats.count(db, scope) == 0:
            return None
        label = self._label(iri) or path
        body = feeds.atom(
            feeds.events(db, scope),
            feed_id=iri,
            title=f"{label} — {ui(lang)['feed_events']} — hemicycle-kg",
            page=self.links.href(iri),
            self_href=self.links.path(f"feeds/{path}.atom"),
            links=self.links,
            lang=lang,
            updated=self.as_of,
        )
        return body, "application/atom+xml; charset=utf-8"

    def label(self, iri: str) -> str | None:
        """The name pages give ``iri``."""
        return self._label(iri)

    def _label(self, iri: str) -> str | None:
        return stats.label(self.index.connection(), iri) or (
            self._labels or Labeller(self.store.store)
        ).label(iri)

    # ------------------------------------------------------------------ the kinds

    def _common(self, lang: str, title: str, resource: str | None = None) -> dict[str, Any]:
        formats = []
        if resource is not None:
            href = self.links.href(resource)
            formats = [{"name": n, "href": href + suffix, "type": t} for n, suffix, t in self.rdf_formats]
        fragments = self._fragments[lang]
        return {
            "lang": lang,
            "t": ui(lang),
            "links": self.links,
            "link": fragments.link,
            "ref": fragments.ref,
            "day": fragments.day,
            "as_of": self.as_of,
            "title": title,
            "formats": formats,
            "alternates": [{"type": f["type"], "href": f["href"], "title": f["name"]} for f in formats],
            "static": self.static,
        }

    def _home(self, lang: str) -> str:
        summary = dataset_summary(self.store.store, self.base, lang)
        title = summary.title or ui(lang)["dataset"]
        return render(
            "home.html",
            **self._common(lang, title, summary.iri),
            summary=summary,
            queries=catalog(),
            charts=self._home_charts(lang),
        )

    def _home_charts(self, lang: str) -> list[ChartLink]:
        db = self.index.connection()
        if stats.count(db, Scope.everything()) == 0:
            return []
        made = make_charts(db, Scope.everything(), ui(lang)["whole_dataset"], lang, "dataset")
        return [
            ChartLink(made[name].title, self.links.path(asset + ".svg"), self.links.path(asset + ".csv"))
            for name, asset in chart_paths("").items()
        ]

    def _resource(
        self, path: str, kind: str, scope: Scope, lang: str, params: Mapping[str, str]
    ) -> str | None:
        iri = self.base + path
        description = describe(self.store.store, iri, lang, incoming=False, labels=self._labels)
        if not description.exists:
            return None
        t = ui(lang)
        title = description.label or path
        db = self.index.connection()
        return render(
            "resource.html",
            **self._common(lang, title, iri),
            kind=kind,
            kind_label=t[f"k_{kind}"],
            unresolved="/unresolved/" in path,
            description=description,
            **kind_context(self.store.store, db, kind, iri),
            **questions_context(
                db,
                scope,
                kind,
                path,
                title,
                links=self.links,
                lang=lang,
                as_of=self.as_of,
                params=params,
                paginate=self.paginate,
            ),
        )

    def _search(self, lang: str, params: Mapping[str, str]) -> str:
        t = ui(lang)
        query = params.get("q", "").strip()
        hits: list[Hit] = []
        total = 0
        paging = pager(self.links.path("search"), params, 0, SEARCH_PAGE)
        if query:
            db = self.index.connection()
            _, total = search(db, query, limit=0)
            paging = pager(self.links.path("search"), params, total, SEARCH_PAGE)
            hits, total = search(db, query, limit=SEARCH_PAGE, offset=paging.offset)
        kinds = {k: t[f"kind_{k}"] for k in ("question", "person", "organe", "place", "topic")}
        return render(
            "search.html",
            **self._common(lang, f"{t['search_results']} : {query}" if query else t["search_results"]),
            query=query,
            hits=hits,
            total=total,
            first=paging.offset + 1,
            paging=paging,
            kinds=kinds,
        )

    def _names(self, lang: str) -> str:
        """A static export's stand-in for search: every named deputy, body, place and topic, by kind."""
        t = ui(lang)
        db = self.index.connection()
        groups = [
            (
                t[f"kind_{kind}"],
                db.execute("SELECT iri, label FROM label WHERE kind = ? ORDER BY label", (kind,)).fetchall(),
            )
            for kind in ("person", "organe", "topic", "place")
        ]
        return render("names.html", **self._common(lang, t["names"]), groups=groups)

    def _question(self, uid: str, lang: str) -> str | None:
        page = load_question(self.store, uid, self.as_of, self.base)
        if page is None:
            return None
        card = page.card
        context = question_context(page)
        answer_html = [safe_html(a.html) for a in context["answers"]]
        return render(
            "question.html",
            **self._common(lang, card.title or f"{card.type_label} n° {card.number}", card.iri),
            **context,
            events=card.events,
            text_html=safe_html(card.html),
            answer_html=answer_html,
            feed_href=self.links.path(f"feeds/{card.iri[len(self.base) :]}.atom")
            if card.iri.startswith(self.base)
            else None,
        )

    @staticmethod
    def _generic_title(description: Description, path: str) -> str:
        """``Attribution — question/QANR5L15QE40439/attribution/2`` for a thing without a label."""
        hc = [v.text for v in description.types if v.iri and v.iri.startswith(HC_IRI)]
        kind = hc[0] if hc else (description.types[0].text if description.types else None)
        return f"{kind[:1].upper()}{kind[1:]} — {path}" if kind else path

    def _generic(self, path: str, lang: str) -> str | None:
        iri = self.base + path
        description = describe(self.store.store, iri, lang, labels=self._labels)
        if not description.exists:
            return None
        query_href = self.links.path("sparql") + "?query=" + quote(incoming_query(iri), safe="")
        return render(
            "generic.html",
            **self._common(lang, description.label or self._generic_title(description, path), iri),
            description=description,
            incoming_href=Markup.escape(query_href),
            incoming_query=incoming_query(iri),
            unresolved="/unresolved/" in path,
        )
