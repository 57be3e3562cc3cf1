"""RDF terms between rdflib, pyoxigraph and N-Triples text, as the engines and the report need them."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node


def ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unexpected RDF term {term!r}")


def parse_nt_term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An N-Triples term as the fast engine prints it, parsed by Oxigraph (never by hand)."""
    subject = "<urn:hemicycle:s>" if not text.startswith("_:") else text
    obj = text if not text.startswith("_:") else "<urn:hemicycle:o>"
    document = f"{subject} <urn:hemicycle:p> {obj} .\n".encode()
    triple = next(iter(ox.parse(document, format=ox.RdfFormat.N_TRIPLES)))
    term = triple.subject if text.startswith("_:") else triple.object
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term
    raise ValueError(f"unexpected term from the SHACL engine: {text!r}")


def rdflib_term(text: str, *, iri: bool = False) -> Node:
    if text.startswith("_:"):
        return BNode(text[2:])
    if iri:
        return URIRef(text)
    term = parse_nt_term(text)
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def node_id(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)
