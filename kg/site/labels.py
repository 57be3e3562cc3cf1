"""Names of things for pages: the label of any IRI in the store, and of the ontology's terms by language."""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox

from kg.resources import ontology_file
from kg.vocab import OX_DCTERMS, OX_FOAF, OX_HC, OX_RDFS, OX_SKOS, PREFIXES

#: The properties that name a thing, best first.
_NAMING: tuple[ox.NamedNode, ...] = (
    OX_FOAF.name,
    OX_SKOS.prefLabel,
    OX_HC.shortLabel,
    OX_RDFS.label,
    OX_DCTERMS.title,
    OX_DCTERMS.identifier,
)


@cache
def ontology_labels() -> dict[str, dict[str, str]]:
    """``term IRI → {lang: label}`` for every term of the hc: ontology (read once from the shipped file)."""
    store = ox.Store()
    store.load(path=str(ontology_file()), format=ox.RdfFormat.TURTLE)
    labels: dict[str, dict[str, str]] = {}
    for quad in store.quads_for_pattern(None, OX_RDFS.label, None, None):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
            labels.setdefault(quad.subject.value, {})[quad.object.language or ""] = quad.object.value
    return labels


def curie(iri: str) -> str:
    """``hc:authorGroup`` for a term of a known vocabulary, else the IRI itself."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def term_label(iri: str, lang: str) -> str:
    """A vocabulary term as people read it: its ontology label in ``lang``, else its CURIE."""
    found = ontology_labels().get(iri)
    if found:
        return found.get(lang) or found.get("fr") or found.get("en") or next(iter(found.values()))
    return curie(iri)


class Labeller:
    """The label of resources of one store (looked up by index, cached for the life of one page, or of a
    static export's process: then at most ``limit`` labels are kept, the cache emptied when full)."""

    def __init__(self, store: ox.Store, limit: int | None = None) -> None:
        self.store = store
        self.limit = limit
        self._cache: dict[str, str | None] = {}

    def name(self, iri: str) -> str:
        """The label, else the IRI's last segment (the source identifier it was minted from)."""
        return self.label(iri) or iri.rstrip("/").rsplit("/", 1)[-1]

    def label(self, iri: str) -> str | None:
        if iri in self._cache:
            return self._cache[iri]
        node = ox.NamedNode(iri)
        found: str | None = None
        for predicate in _NAMING:
            values = [q.object for q in self.store.quads_for_pattern(node, predicate, None, None)]
            literals = sorted((v for v in values if isinstance(v, ox.Literal)), key=lambda v: v.value)
            if literals:
                found = literals[0].value
                if predicate == OX_FOAF.name:
                    civility = next(self.store.quads_for_pattern(node, OX_HC.civility, None, None), None)
                    if civility is not None and isinstance(civility.object, ox.Literal):
                        found = f"{civility.object.value} {found}"
                break
        if self.limit is not None and len(self._cache) >= self.limit:
            self._cache.clear()
        self._cache[iri] = found
        return found
