"""The VoID/DCAT description of the dataset, computed from the store (no wall-clock time in it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import VOID

from kg import __version__
from kg.iris import Minter
from kg.mapping import lit_int
from kg.store import EmbeddedStore
from kg.vocab import OX_DCAT, OX_DCTERMS, OX_FOAF, OX_PROV, OX_RDF, OX_RDFS, OX_VOID, PREFIXES, ox_iri

LICENCE = ox.NamedNode("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
AN_OPEN_DATA = ox.NamedNode("https://data.assemblee-nationale.fr/")

_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE { GRAPH ?g { ?s a ?class } }
GROUP BY ?class ORDER BY ?class
"""
_VOID_CLASS = ox_iri(str(VOID) + "class")  # ``class`` is a Python keyword: no attribute access
#: paths under the base of the served SPARQL endpoint and of the whole dataset's dump (kg serve answers both)
SPARQL_PATH = "sparql"
DUMP_PATH = "dump/hemicycle.nq"
#: one example of each main kind (a question, an author, an attributed ministry, a topic): the first of each
#: in IRI order (stable from build to build). The author is any question's: joining on the questions with a
#: questioned ministry cost ~1 s at 100k in every build, however few questions changed.
_EXAMPLES = """
PREFIX hc: <https://w3id.org/hemicycle/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?x WHERE {
  { SELECT (MIN(STR(?q)) AS ?i) WHERE { ?q hc:questionedMinistry ?m } }
  UNION { SELECT (MIN(STR(?p)) AS ?i) WHERE { ?q <http://purl.org/dc/terms/creator> ?p } }
  UNION { SELECT (MIN(STR(?m)) AS ?i) WHERE { ?q hc:attributedMinistry ?m } }
  UNION { SELECT (MIN(STR(?t)) AS ?i) WHERE { ?t a skos:Concept } }
  BIND (IRI(?i) AS ?x)
}
"""


@dataclass(frozen=True, slots=True)
class DatasetFacts:
    """What the description counts besides the triples: the instances of each class (in any named graph)
    and one example of each main kind. From a store (:func:`facts_of`), or gathered from the statements a
    build without a store writes (:class:`kg.build.exporter.TypeTally`)."""

    classes: Mapping[str, int]  # class IRI → its distinct instances
    examples: Sequence[str]  # IRIs, one of each main kind


def facts_of(store: EmbeddedStore) -> DatasetFacts:
    """The facts the description counts, queried from a store whose description was dropped."""
    solutions = store.store.query(_CLASSES)
    assert isinstance(solutions, ox.QuerySolutions)
    classes = {
        row[0].value: int(row[1].value)
        for row in solutions
        if isinstance(row[0], ox.NamedNode) and isinstance(row[1], ox.Literal)
    }
    return DatasetFacts(classes, [node.value for node in _examples(store)])


def describe(facts: DatasetFacts, mint: Minter, triples: int) -> list[ox.Quad]:
    """Quads of the ``graph/dataset`` named graph describing everything else in the store: ``triples`` is the
    number of its quads without the description (a triple never stands in two graphs: shared facts have
    graphs of their own, so no costly DISTINCT over millions)."""
    g = mint.dataset_graph()
    d = mint.dataset()
    out: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Quad(s, p, o, g))

    add(d, OX_RDF.type, OX_VOID.Dataset)
    add(d, OX_RDF.type, OX_DCAT.Dataset)
    add(d, OX_DCTERMS.title, ox.Literal("Questions parlementaires de l'Assemblée nationale", language="fr"))
    add(
        d,
        OX_DCTERMS.title,
        ox.Literal("Parliamentary questions of the French National Assembly", language="en"),
    )
    add(
        d,
        OX_DCTERMS.description,
        ox.Literal(
            "Questions écrites, orales sans débat et au Gouvernement, leurs auteurs, circonscriptions, "
            "groupes, ministères et rubriques, avec leur cycle de vie daté.",
            language="fr",
        ),
    )
    add(d, OX_DCTERMS.license, LICENCE)
    add(d, OX_DCTERMS.source, AN_OPEN_DATA)
    add(d, OX_VOID.uriSpace, ox.Literal(mint.base))
    # where kg serve answers under the base (w3id.org redirects there): the SPARQL endpoint and the dump
    add(d, OX_VOID.sparqlEndpoint, ox.NamedNode(mint.base + SPARQL_PATH))
    add(d, OX_VOID.dataDump, ox.NamedNode(mint.base + DUMP_PATH))
    for example in sorted(set(facts.examples)):
        add(d, OX_VOID.exampleResource, ox.NamedNode(example))
    add(d, OX_PROV.wasAttributedTo, mint.tool(__version__))
    add(mint.tool(__version__), OX_RDF.type, OX_PROV.SoftwareAgent)
    add(mint.tool(__version__), OX_RDFS.label, ox.Literal(f"hemicycle-kg {__version__}"))
    add(mint.tool(__version__), OX_FOAF.homepage, ox.NamedNode("https://w3id.org/hemicycle/"))
    for prefix in sorted(PREFIXES):
        if prefix not in ("rdf", "rdfs", "xsd", "owl", "void", "dcat"):
            add(d, OX_VOID.vocabulary, ox.NamedNode(PREFIXES[prefix]))
    add(d, OX_VOID.triples, lit_int(triples))
    add(d, OX_VOID.classes, lit_int(len(facts.classes)))
    for cls in sorted(facts.classes):
        part = ox.NamedNode(f"{d.value}/class/{_local_name(cls)}")
        add(d, OX_VOID.classPartition, part)
        add(part, _VOID_CLASS, ox.NamedNode(cls))
        add(part, OX_VOID.entities, lit_int(facts.classes[cls]))
    return out


def _examples(store: EmbeddedStore) -> list[ox.NamedNode]:
    solutions = store.store.query(_EXAMPLES, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    found = {row[0] for row in solutions if isinstance(row[0], ox.NamedNode)}
    return sorted(found, key=lambda n: n.value)


def _local_name(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}-{iri[len(ns) :]}"
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
