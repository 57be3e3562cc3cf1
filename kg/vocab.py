"""Vocabularies: the project's ``hc:`` namespace and the reused ones, as rdflib and pyoxigraph terms.

The closed ``hc:`` namespace is kept equal to ``ontology/hemicycle.ttl`` by a test; rdflib terms serve the
ontology, shapes and small graphs, pyoxigraph terms the bulk path.
"""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox
from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, DefinedNamespace

HC_IRI = "https://w3id.org/hemicycle/ontology#"
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")


class HC(DefinedNamespace):
    """The hemicycle ontology. Every term here is declared in ``ontology/hemicycle.ttl`` and vice versa."""

    _NS = Namespace(HC_IRI)
    _fail = True

    # --- classes: questions and their lifecycle
    Question: URIRef
    WrittenQuestion: URIRef
    OralQuestion: URIRef
    GovernmentQuestion: URIRef
    Answer: URIRef
    LifecycleEvent: URIRef
    Publication: URIRef
    Attribution: URIRef
    Signalement: URIRef
    Renewal: URIRef
    Closure: URIRef
    Erratum: URIRef
    QuestionStatus: URIRef
    ClosureReason: URIRef
    # --- classes: people, bodies, places
    Mandate: URIRef
    Substitution: URIRef
    Organe: URIRef
    Ministry: URIRef
    Government: URIRef
    ParliamentaryGroup: URIRef
    Legislature: URIRef
    PoliticalParty: URIRef
    Constituency: URIRef
    Department: URIRef
    SourceRecord: URIRef
    # --- individuals: status and closure reasons
    Pending: URIRef
    Answered: URIRef
    Withdrawn: URIRef
    AnswerPublished: URIRef
    EndOfMandate: URIRef
    WithdrawnByAuthor: URIRef
    Lapsed: URIRef
    ConvertedToOralQuestion: URIRef
    AuthorDeceased: URIRef
    AuthorJoinedGovernment: URIRef
    OtherClosureReason: URIRef

    # --- question properties
    number: URIRef
    legislature: URIRef
    regime: URIRef
    textHtml: URIRef
    authorMandate: URIRef
    authorGroup: URIRef
    authorGroupMembership: URIRef
    constituency: URIRef
    questionedMinistry: URIRef
    attributedMinistry: URIRef
    publication: URIRef
    attribution: URIRef
    signalement: URIRef
    renewal: URIRef
    closure: URIRef
    erratum: URIRef
    answer: URIRef
    answers: URIRef
    status: URIRef
    publicationDate: URIRef
    answerDate: URIRef
    closureDate: URIRef
    answerDelayDays: URIRef
    # --- lifecycle event properties
    order: URIRef
    joType: URIRef
    joDate: URIRef
    joPage: URIRef
    joNumber: URIRef
    norReference: URIRef
    ministry: URIRef
    previousAttribution: URIRef
    ministryLabel: URIRef
    ministryShortLabel: URIRef
    answeringMinistry: URIRef
    filingDate: URIRef
    closureCode: URIRef
    closureLabel: URIRef
    closureReason: URIRef
    # --- people
    civility: URIRef
    sortName: URIRef
    trigram: URIRef
    birthPlace: URIRef
    birthDepartment: URIRef
    birthCountry: URIRef
    profession: URIRef
    socioProfessionalCategory: URIRef
    socioProfessionalFamily: URIRef
    # --- mandates
    organeType: URIRef
    quality: URIRef
    qualityCode: URIRef
    qualityGendered: URIRef
    principal: URIRef
    precedence: URIRef
    chamber: URIRef
    electionCause: URIRef
    constituencyOrgane: URIRef
    takingOffice: URIRef
    endCause: URIRef
    replacesMandate: URIRef
    seat: URIRef
    firstElection: URIRef
    substitution: URIRef
    substitute: URIRef
    previousMission: URIRef
    nextMission: URIRef
    # --- organes and places
    shortLabel: URIRef
    abbreviation: URIRef
    editionLabel: URIRef
    approvalDate: URIRef
    previousPortfolio: URIRef
    color: URIRef
    politicalPosition: URIRef
    secretary: URIRef
    country: URIRef
    meetingsPerYear: URIRef
    legalRegime: URIRef
    department: URIRef
    region: URIRef
    regionType: URIRef
    departmentNature: URIRef
    # --- provenance
    sourcePath: URIRef
    sourcePointer: URIRef
    sha256: URIRef
    conformsToShapes: URIRef


#: Prefixes used in every serialisation (stable order: Turtle output must not change between builds).
PREFIXES: dict[str, str] = {
    "hc": HC_IRI,
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "org": str(ORG),
    "skos": str(SKOS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "void": str(VOID),
    "dcat": str(DCAT),
}


@cache
def ox_iri(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


class _OxNamespace:
    """``OX_HC.number`` → ``pyoxigraph.NamedNode`` (cached). Closed for ``hc:``: unknown names raise."""

    def __init__(self, base: str, closed: type[DefinedNamespace] | None = None) -> None:
        self._base = base
        self._closed = closed

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._closed is not None:
            node = ox_iri(str(getattr(self._closed, name)))  # raises AttributeError for undeclared terms
        else:
            node = ox_iri(self._base + name)
        setattr(self, name, node)  # later lookups are plain attribute reads (this is on the hot path)
        return node


OX_HC = _OxNamespace(HC_IRI, HC)
OX_RDF = _OxNamespace(str(RDF))
OX_RDFS = _OxNamespace(str(RDFS))
OX_XSD = _OxNamespace(str(XSD))
OX_DCTERMS = _OxNamespace(str(DCTERMS))
OX_FOAF = _OxNamespace(str(FOAF))
OX_ORG = _OxNamespace(str(ORG))
OX_SKOS = _OxNamespace(str(SKOS))
OX_PROV = _OxNamespace(str(PROV))
OX_SCHEMA = _OxNamespace(str(SCHEMA))
OX_VOID = _OxNamespace(str(VOID))
OX_DCAT = _OxNamespace(str(DCAT))
