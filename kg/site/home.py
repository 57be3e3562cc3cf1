"""The home page's content: what the dataset holds (its VoID description in the store) and the query catalog."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.iris import Minter
from kg.query.catalog import QuerySpec, load_catalog
from kg.site.labels import term_label
from kg.vocab import OX_DCTERMS, OX_VOID, ox_iri

_VOID_CLASS = ox_iri("http://rdfs.org/ns/void#class")
_VOID_DATA_DUMP = ox_iri("http://rdfs.org/ns/void#dataDump")
_VOID_SPARQL = ox_iri("http://rdfs.org/ns/void#sparqlEndpoint")
_VOID_EXAMPLE = ox_iri("http://rdfs.org/ns/void#exampleResource")


@dataclass(slots=True)
class DatasetSummary:
    iri: str
    title: str | None = None
    description: str | None = None
    triples: int | None = None
    classes: list[tuple[str, str, int]] = field(default_factory=list)  # (class IRI, label, entities)
    dumps: list[str] = field(default_factory=list)
    sparql: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def _literal(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode, lang: str) -> str | None:
    values = [q.object for q in store.quads_for_pattern(subject, predicate, None, None)]
    literals = [v for v in values if isinstance(v, ox.Literal)]
    for literal in literals:
        if literal.language == lang:
            return literal.value
    return literals[0].value if literals else None


def _objects(
    store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode
) -> list[ox.NamedNode | ox.Literal]:
    return [
        q.object
        for q in store.quads_for_pattern(subject, predicate, None, None)
        if isinstance(q.object, ox.NamedNode | ox.Literal)
    ]


def dataset_summary(store: ox.Store, base: str, lang: str) -> DatasetSummary:
    """The dataset's VoID description (``{base}dataset``), as the build wrote it into the store."""
    dataset = Minter(base).dataset()
    summary = DatasetSummary(dataset.value)
    summary.title = _literal(store, dataset, OX_DCTERMS.title, lang)
    summary.description = _literal(store, dataset, OX_DCTERMS.description, lang)
    triples = _objects(store, dataset, OX_VOID.triples)
    summary.triples = int(triples[0].value) if triples else None
    for part in _objects(store, dataset, OX_VOID.classPartition):
        if not isinstance(part, ox.NamedNode):
            continue
        classes = _objects(store, part, _VOID_CLASS)
        entities = _objects(store, part, OX_VOID.entities)
        if classes and entities:
            iri = classes[0].value
            summary.classes.append((iri, term_label(iri, lang), int(entities[0].value)))
    summary.classes.sort(key=lambda c: -c[2])
    summary.dumps = sorted(o.value for o in _objects(store, dataset, _VOID_DATA_DUMP))
    summary.sparql = sorted(o.value for o in _objects(store, dataset, _VOID_SPARQL))
    summary.examples = sorted(o.value for o in _objects(store, dataset, _VOID_EXAMPLE))
    return summary


def catalog() -> list[QuerySpec]:
    """The shipped competency queries (``queries/*.rq``)."""
    return load_catalog()
