"""What the pages of people, bodies, places and topics show beyond their facts: a deputy's mandates and groups,
a ministry's reshuffles, a group's members, a place's deputies, a topic's neighbours (index seeks only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyoxigraph as ox

from kg.site.labels import Labeller
from kg.site.stats import Scope
from kg.vocab import OX_HC, OX_ORG, OX_RDF, OX_SCHEMA, OX_SKOS


@dataclass(frozen=True, slots=True)
class Membership:
    """A mandate or group membership as a page lists it."""

    iri: str
    organe: str
    organe_label: str
    person: str
    person_label: str
    start: dt.date | None
    end: dt.date | None
    quality: str | None
    legislature: int | None
    constituency: str | None
    constituency_label: str | None


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


def _membership(store: ox.Store, mandate: ox.NamedNode, labels: Labeller) -> Membership | None:
    organe = _one(store, mandate, OX_ORG.organization)
    person = _one(store, mandate, OX_ORG.member)
    if not isinstance(organe, ox.NamedNode) or not isinstance(person, ox.NamedNode):
        return None
    constituency = _one(store, mandate, OX_HC.constituency)
    legislature = _one(store, mandate, OX_HC.legislature)
    return Membership(
        iri=mandate.value,
        organe=organe.value,
        organe_label=labels.name(organe.value),
        person=person.value,
        person_label=labels.name(person.value),
        start=_date(_one(store, mandate, OX_SCHEMA.startDate)),
        end=_date(_one(store, mandate, OX_SCHEMA.endDate)),
        quality=_text(_one(store, mandate, OX_HC.quality)),
        legislature=int(legislature.value)
        if isinstance(legislature, ox.Literal) and legislature.value.isdigit()
        else None,
        constituency=constituency.value if isinstance(constituency, ox.NamedNode) else None,
        constituency_label=labels.label(constituency.value)
        if isinstance(constituency, ox.NamedNode)
        else None,
    )


def _by_start(memberships: list[Membership]) -> list[Membership]:
    return sorted(memberships, key=lambda m: (m.start or dt.date.min, m.iri), reverse=True)


def person_memberships(store: ox.Store, person: str, types: tuple[str, ...]) -> dict[str, list[Membership]]:
    """A person's memberships of the given organe types (``ASSEMBLEE``, ``GP``…), newest first, by type."""
    labels = Labeller(store)
    out: dict[str, list[Membership]] = {t: [] for t in types}
    for quad in store.quads_for_pattern(None, OX_ORG.member, ox.NamedNode(person), None):
        if not isinstance(quad.subject, ox.NamedNode):
            continue
        kind = _text(_one(store, quad.subject, OX_HC.organeType))
        if kind in out:
            found = _membership(store, quad.subject, labels)
            if found is not None:
                out[kind].append(found)
    return {kind: _by_start(found) for kind, found in out.items()}


def organe_members(store: ox.Store, organe: str) -> list[Membership]:
    """Everyone who was a member of the organe (a group's deputies), newest first."""
    labels = Labeller(store)
    found = [
        _membership(store, q.subject, labels)
        for q in store.quads_for_pattern(None, OX_ORG.organization, ox.NamedNode(organe), None)
        if isinstance(q.subject, ox.NamedNode)
    ]
    return _by_start([m for m in found if m is not None])


def seat_holders(store: ox.Store, constituency: str) -> list[Membership]:
    """The deputies' mandates of a constituency, newest first."""
    labels = Labeller(store)
    found = [
        _membership(store, q.subject, labels)
        for q in store.quads_for_pattern(None, OX_HC.constituency, ox.NamedNode(constituency), None)
        if isinstance(q.subject, ox.NamedNode) and is_a(store, q.subject.value, OX_HC.Mandate)
    ]
    return _by_start([m for m in found if m is not None])


def _link(store: ox.Store, iri: str, labels: Labeller) -> Link:
    node = ox.NamedNode(iri)
    return Link(
        iri,
        labels.label(iri) or iri,
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
