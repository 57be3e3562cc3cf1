"""What the pages of bodies, places and topics show beyond their facts, read from the store by index seeks:
a ministry's reshuffles, a place's department or constituencies, a topic's neighbours; and which kind of
page a path gets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyoxigraph as ox

from kg.site.labels import Labeller
from kg.site.stats import Scope
from kg.vocab import OX_HC, OX_RDF, OX_SCHEMA, OX_SKOS


@dataclass(frozen=True, slots=True)
class Link:
    iri: str
    label: str
    start: dt.date | None = None
    end: dt.date | None = None


def _one(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> ox.NamedNode | ox.Literal | None:
    values = sorted(
        (
            q.object
            for q in store.quads_for_pattern(subject, predicate, None, None)
            if isinstance(q.object, ox.NamedNode | ox.Literal)
        ),
        key=lambda o: o.value,
    )
    return values[0] if values else None


def _date(term: ox.NamedNode | ox.Literal | None) -> dt.date | None:
    if isinstance(term, ox.Literal):
        try:
            return dt.date.fromisoformat(term.value)
        except ValueError:
            return None
    return None


def _text(term: ox.NamedNode | ox.Literal | None) -> str | None:
    return term.value if term is not None else None


def organe_type(store: ox.Store, iri: str) -> str | None:
    """``MINISTERE``, ``GP``, ``ASSEMBLEE``, ``GOUVERNEMENT``…, the registry's type of an organe."""
    return _text(_one(store, ox.NamedNode(iri), OX_HC.organeType))


def is_a(store: ox.Store, iri: str, cls: ox.NamedNode) -> bool:
    return next(store.quads_for_pattern(ox.NamedNode(iri), OX_RDF.type, cls, None), None) is not None


def legislature_number(store: ox.Store, iri: str) -> int | None:
    term = _one(store, ox.NamedNode(iri), OX_HC.legislature)
    return int(term.value) if isinstance(term, ox.Literal) and term.value.isdigit() else None


def _link(store: ox.Store, iri: str, labels: Labeller) -> Link:
    node = ox.NamedNode(iri)
    return Link(
        iri,
        labels.name(iri),
        _date(_one(store, node, OX_SCHEMA.startDate)),
        _date(_one(store, node, OX_SCHEMA.endDate)),
    )


def portfolio_chain(store: ox.Store, ministry: str) -> tuple[list[Link], list[Link]]:
    """The same portfolio in earlier governments (nearest first) and in later ones (nearest first), by
    following ``hc:previousPortfolio`` both ways across reshuffles."""
    labels = Labeller(store)
    before: list[Link] = []
    seen = {ministry}
    current = ox.NamedNode(ministry)
    while (previous := _one(store, current, OX_HC.previousPortfolio)) is not None:
        if not isinstance(previous, ox.NamedNode) or previous.value in seen:
            break
        seen.add(previous.value)
        before.append(_link(store, previous.value, labels))
        current = previous
    after: list[Link] = []
    current = ox.NamedNode(ministry)
    while True:
        nexts = sorted(
            q.subject.value
            for q in store.quads_for_pattern(None, OX_HC.previousPortfolio, current, None)
            if isinstance(q.subject, ox.NamedNode) and q.subject.value not in seen
        )
        if not nexts:
            break
        seen.add(nexts[0])
        after.append(_link(store, nexts[0], labels))
        current = ox.NamedNode(nexts[0])
    return before, after


def related(store: ox.Store, iri: str, predicate: ox.NamedNode, *, incoming: bool) -> list[Link]:
    """The resources linked to ``iri`` by ``predicate`` (as subject, or as object when ``incoming``)."""
    labels = Labeller(store)
    node = ox.NamedNode(iri)
    if incoming:
        iris = {
            q.subject.value
            for q in store.quads_for_pattern(None, predicate, node, None)
            if isinstance(q.subject, ox.NamedNode)
        }
    else:
        iris = {
            q.object.value
            for q in store.quads_for_pattern(node, predicate, None, None)
            if isinstance(q.object, ox.NamedNode)
        }
    return sorted((_link(store, i, labels) for i in iris), key=lambda link: link.label.lower())


def topic_neighbours(store: ox.Store, topic: str) -> dict[str, list[Link]]:
    """A topic's scheme, broader and narrower concepts (SKOS)."""
    return {
        "scheme": related(store, topic, OX_SKOS.inScheme, incoming=False),
        "broader": related(store, topic, OX_SKOS.broader, incoming=False)
        + related(store, topic, OX_SKOS.narrower, incoming=True),
        "narrower": related(store, topic, OX_SKOS.narrower, incoming=False)
        + related(store, topic, OX_SKOS.broader, incoming=True),
    }


def scope_for(store: ox.Store, base: str, path: str) -> tuple[str, Scope] | None:
    """The questions a page about ``path`` lists, and the page's kind: ``deputy`` (their questions),
    ``ministry`` (in its charge), ``group`` (its members'), ``legislature``, ``constituency``,
    ``department``, ``topic``; ``None`` for a path with no questions of its own."""
    iri = base + path
    head = path.split("/", 1)[0]
    if head == "person":
        return "deputy", Scope.column("author", iri)
    if head == "constituency":
        return "constituency", Scope.column("constituency", iri)
    if head == "department":
        return "department", Scope.department(iri)
    if head == "topic" and path.count("/") >= 2:
        return "topic", Scope.topic(iri)
    if head == "organe":
        if is_a(store, iri, OX_HC.Ministry):
            return "ministry", Scope.column("attributed", iri)
        if is_a(store, iri, OX_HC.ParliamentaryGroup):
            return "group", Scope.column("grp", iri)
        if is_a(store, iri, OX_HC.Legislature):
            number = legislature_number(store, iri)
            if number is not None:
                return "legislature", Scope.column("legislature", number)
    return None
