"""The facts of any resource for its generic page: its own triples and incoming links, every IRI labelled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import islice

import pyoxigraph as ox

from kg.site.labels import Labeller, term_label
from kg.vocab import OX_RDF

#: How many incoming links a page lists before pointing to the SPARQL query that gives them all.
INCOMING_LIMIT = 100
_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


@dataclass(frozen=True, slots=True)
class Value:
    """An object or subject as a page shows it: a link (``iri``) with its label, or a literal's text."""

    text: str
    iri: str | None = None
    lang: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Fact:
    predicate: str  # IRI
    label: str  # the predicate's label in the page's language
    value: Value


@dataclass(slots=True)
class Description:
    iri: str
    label: str | None
    types: list[Value] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    incoming: list[tuple[Value, Fact]] = field(default_factory=list)  # (subject, predicate fact)
    more_incoming: bool = False
    graphs: list[Value] = field(default_factory=list)
    linked: bool = False  # something links to it

    @property
    def exists(self) -> bool:
        return bool(self.facts or self.types or self.linked)


def value_of(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, labels: Labeller) -> Value:
    if isinstance(term, ox.NamedNode):
        return Value(labels.label(term.value) or term.value, iri=term.value)
    if isinstance(term, ox.Literal):
        day = None
        if term.datatype.value == _XSD_DATE:
            try:
                day = dt.date.fromisoformat(term.value)
            except ValueError:
                day = None
        return Value(term.value, lang=term.language, date=day)
    return Value(str(term))


def describe(
    store: ox.Store, iri: str, lang: str, *, incoming: bool = True, labels: Labeller | None = None
) -> Description:
    """The triples of ``iri`` (sorted by property), its first :data:`INCOMING_LIMIT` incoming links (when
    ``incoming``) and the named graphs that hold its triples, with labels (from ``labels``, a labeller
    that outlives the page, when given); an unknown IRI gives a description that does not
    :attr:`~Description.exists`."""
    node = ox.NamedNode(iri)
    labels = labels if labels is not None else Labeller(store)
    description = Description(iri, labels.label(iri))
    graphs: set[str] = set()
    for quad in store.quads_for_pattern(node, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs.add(quad.graph_name.value)
        if quad.predicate == OX_RDF.type and isinstance(quad.object, ox.NamedNode):
            description.types.append(Value(term_label(quad.object.value, lang), iri=quad.object.value))
            continue
        predicate = quad.predicate.value
        description.facts.append(Fact(predicate, term_label(predicate, lang), value_of(quad.object, labels)))
    description.facts.sort(key=lambda f: (f.label.lower(), f.value.text))
    description.types.sort(key=lambda v: v.text)
    linked = list(
        islice(store.quads_for_pattern(None, None, node, None), INCOMING_LIMIT + 1 if incoming else 1)
    )
    description.linked = bool(linked)
    description.more_incoming = incoming and len(linked) > INCOMING_LIMIT
    for quad in linked[:INCOMING_LIMIT] if incoming else ():
        predicate = quad.predicate.value
        description.incoming.append(
            (value_of(quad.subject, labels), Fact(predicate, term_label(predicate, lang), Value(iri)))
        )
    description.incoming.sort(key=lambda pair: (pair[1].label.lower(), pair[0].text))
    description.graphs = [Value(labels.label(g) or g, iri=g) for g in sorted(graphs)]
    return description


def incoming_query(iri: str) -> str:
    """The SPARQL query that lists every incoming link of ``iri`` (linked from a page that shows 100)."""
    return f"SELECT ?subject ?property WHERE {{ ?subject ?property {ox.NamedNode(iri)} }} ORDER BY ?subject"
