"""What a resource's address answers in RDF: its triples, incoming links and the labels of its neighbours.

Incoming links are paged; the ontology and the shapes are documents of their own."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from kg.resources import ontology_file, resource_dir
from kg.vocab import OX_DCTERMS, OX_FOAF, OX_HC, OX_RDFS, OX_SKOS

#: incoming links per page; past it, the next page and the SPARQL query that lists them all
INCOMING_PAGE = 100
#: triples of a named graph's content per page (a graph's IRI answers with what it holds)
GRAPH_PAGE = 10_000
#: the properties whose values name a thing (all of them are given, in every language)
LABELS: tuple[ox.NamedNode, ...] = (
    OX_RDFS.label,
    OX_SKOS.prefLabel,
    OX_FOAF.name,
    OX_DCTERMS.title,
    OX_HC.shortLabel,
)
#: paths that are documents loaded from the shipped files, not from the store
ONTOLOGY_PATH = "ontology"
SHAPES_PATH = "shapes"


@dataclass(slots=True)
class Description:
    """The triples answering for ``iri`` on ``page``; ``more``: a next page exists."""

    iri: str
    triples: list[ox.Triple] = field(default_factory=list)
    page: int = 1
    more: bool = False
    incoming: int = 0  # incoming links on this page

    def all_incoming_query(self) -> str:
        """The SPARQL query that lists every incoming link."""
        return f"SELECT ?subject ?property WHERE {{ ?subject ?property <{self.iri}> }} ORDER BY ?subject"


def _add(out: list[ox.Triple], seen: set[ox.Triple], triple: ox.Triple) -> None:
    if triple not in seen:
        seen.add(triple)
        out.append(triple)


def describe(store: ox.Store, iri: str, page: int = 1) -> Description | None:
    """The description of ``iri`` (``None`` when the store says nothing of it). Blank nodes it points to
    come with their own triples; a named graph's IRI brings the graph's content."""
    node = ox.NamedNode(iri)
    found = Description(iri, page=page)
    seen: set[ox.Triple] = set()
    out = found.triples
    first = page == 1
    if first:
        _own(store, node, out, seen)
    own = len(out)
    is_graph = store.contains_named_graph(node)
    if is_graph:
        start = (page - 1) * GRAPH_PAGE
        content = store.quads_for_pattern(None, None, None, node)
        for quad in islice(content, start, start + GRAPH_PAGE):
            _add(out, seen, quad.triple)
        found.more = next(content, None) is not None
    start = (page - 1) * INCOMING_PAGE
    incoming = store.quads_for_pattern(None, None, node, None)
    linked: list[ox.Triple] = []
    for quad in islice(incoming, start, start + INCOMING_PAGE):
        linked.append(quad.triple)
        _add(out, seen, quad.triple)
    found.incoming = len(linked)
    found.more = found.more or next(incoming, None) is not None
    if not out:
        return None if first and not is_graph else found if is_graph else None
    named = {t.object for t in out[:own] if isinstance(t.object, ox.NamedNode)}
    named.update(t.subject for t in linked if isinstance(t.subject, ox.NamedNode))
    named.discard(node)
    for other in sorted(named, key=str):
        for prop in LABELS:
            for quad in store.quads_for_pattern(other, prop, None, None):
                _add(out, seen, quad.triple)
    return found


def _own(
    store: ox.Store, node: ox.NamedNode | ox.BlankNode, out: list[ox.Triple], seen: set[ox.Triple]
) -> None:
    pending: list[ox.NamedNode | ox.BlankNode] = [node]
    visited: set[ox.NamedNode | ox.BlankNode] = set()
    while pending:
        subject = pending.pop()
        if subject in visited:
            continue
        visited.add(subject)
        for quad in store.quads_for_pattern(subject, None, None, None):
            _add(out, seen, quad.triple)
            if isinstance(quad.object, ox.BlankNode):
                pending.append(quad.object)


def sparql_link(query: str, *, root: str) -> str:
    """The address of this server's query page running ``query``."""
    return f"{root}sparql?{urllib.parse.urlencode({'query': query})}"


@cache
def documents() -> dict[str, tuple[ox.Triple, ...]]:
    """The shipped documents by path: ``ontology`` (every term of ``hc:``), ``shapes`` (every shape) and
    ``shapes/{name}`` (one file of shapes). Read once."""
    found: dict[str, tuple[ox.Triple, ...]] = {ONTOLOGY_PATH: _read(ontology_file())}
    every: list[ox.Triple] = []
    for path in sorted(resource_dir("shapes").glob("*.ttl")):
        triples = _read(path)
        found[f"{SHAPES_PATH}/{path.stem}"] = triples
        every.extend(triples)
    found[SHAPES_PATH] = tuple(every)
    return found


def _read(path: Path) -> tuple[ox.Triple, ...]:
    return tuple(quad.triple for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
