"""The ontology is data: it parses, every term is documented in French and English, and the closed
``hc:`` namespace in kg.vocab is exactly what ontology/hemicycle.ttl declares."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.resources import ontology_file
from kg.vocab import HC, HC_IRI


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_file(), format="turtle")


def _declared(ontology: Graph) -> set[URIRef]:
    return {
        s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(HC_IRI)
    }


def test_vocab_module_matches_ontology_exactly(ontology: Graph) -> None:
    in_code = {URIRef(HC_IRI + name) for name in HC.__annotations__}
    declared = _declared(ontology)
    assert in_code - declared == set(), "declared in kg/vocab.py but not in the ontology"
    assert declared - in_code == set(), "declared in the ontology but not in kg/vocab.py"


def test_every_term_has_labels_and_comments_in_french_and_english(ontology: Graph) -> None:
    for term in sorted(_declared(ontology)):
        for prop in (RDFS.label, RDFS.comment):
            languages = {o.language for o in ontology.objects(term, prop) if isinstance(o, Literal)}
            assert {"fr", "en"} <= languages, f"{term} lacks {prop} in fr/en"


def test_every_term_has_a_kind(ontology: Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual, RDF.Property}
    for term in _declared(ontology):
        assert set(ontology.objects(term, RDF.type)) & kinds, f"{term} has no kind"


def test_closed_namespace_refuses_undeclared_terms() -> None:
    with pytest.raises(AttributeError):
        _ = HC.notATerm


def test_ontology_header(ontology: Graph) -> None:
    onto = URIRef("https://w3id.org/hemicycle/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionInfo) is not None
