"""Self-checks (``kg check``): the ontology, the shapes, the mapping and the queries agree with each other.

Each check returns typed :class:`Finding` objects; a run passes when no finding is an error. The same
functions back the tests, so ``kg check`` and ``make test`` check the same things:

- ``ontology``: ``ontology/hemicycle.ttl`` parses; every ``hc:`` term has a kind, labels in French and English
  and a comment;
- ``vocabulary``: the closed ``hc:`` namespace of :mod:`kg.vocab` is exactly what the ontology declares;
- ``shapes-meta``: ``shapes/`` validates against SHACL-for-SHACL (the W3C shapes graph shipped by pySHACL);
- ``shapes-docs``: every shape has ``sh:name``, ``sh:description`` and ``sh:message`` in French and English, an
  IRI (no blank-node shapes), and every file carries the version of ``shapes/CHANGELOG.md``;
- ``terms``: every class and property used by the shapes, the mapping (its table of terms and classes) and the
  queries is declared in the ontology or in a reused vocabulary (Dublin Core, FOAF, ORG, SKOS, PROV,
  schema.org, RDF, RDFS, XSD, OWL, VoID, DCAT);
- ``fixtures``: every shape has a conforming fixture and a violating one, and each violating fixture gives
  exactly its expected results (shape, path, component, severity, focus node, value) — with the fast engine
  when installed, else pySHACL (the tests run both).
"""

from __future__ import annotations

import importlib.resources
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)
from rdflib.term import Node

from kg.errors import InputError
from kg.resources import ontology_file, resource_dir
from kg.validation.engines import build_engine
from kg.validation.report import validate_triples
from kg.validation.results import DISPLAY_PREFIXES, Engine, Severity, ValidationResult, compact
from kg.validation.shapes import Shapes, changelog_version, load_shapes
from kg.vocab import HC, HC_IRI, SH

#: reused vocabularies whose terms count as declared (rdflib's closed namespaces)
REUSED: tuple[type[DefinedNamespace], ...] = (
    DCTERMS,
    FOAF,
    ORG,
    SKOS,
    PROV,
    SDO,
    RDF,
    RDFS,
    XSD,
    OWL,
    VOID,
    DCAT,
)


#: the shapes' own fixtures: ``shapes/fixtures`` in a checkout, shipped inside the wheel with the shapes
def fixtures_dir() -> Path:
    return resource_dir("shapes") / "fixtures"


_LANGUAGES = ("fr", "en")


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found. ``subject`` names the term, shape, file or case concerned."""

    check: str
    level: Level
    message: str
    subject: str | None = None

    def one_line(self) -> str:
        where = f" {self.subject}:" if self.subject else ""
        return f"{self.level.value}: [{self.check}]{where} {self.message}"


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level is Level.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        warnings = sum(1 for f in self.findings if f.level is Level.WARNING)
        verdict = "all checks pass" if self.ok else f"{len(self.errors)} errors"
        return f"{verdict}, {warnings} warnings ({', '.join(self.checks)})"


# ------------------------------------------------------------------ ontology and vocabulary


def _ontology() -> Graph:
    try:
        return Graph().parse(ontology_file(), format="turtle")
    except Exception as exc:  # rdflib raises many types for bad Turtle
        raise InputError(f"the ontology does not parse: {exc}", file=str(ontology_file())) from exc


def declared_terms(ontology: Graph) -> set[URIRef]:
    return {
        s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(HC_IRI)
    }


def check_ontology(ontology: Graph | None = None) -> list[Finding]:
    """Every ``hc:`` term has a kind, a label in French and English and a comment in French and English."""
    try:
        ontology = ontology if ontology is not None else _ontology()
    except InputError as exc:
        return [Finding("ontology", Level.ERROR, exc.one_line())]
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual, RDF.Property}
    findings: list[Finding] = []
    for term in sorted(declared_terms(ontology)):
        name = compact(str(term))
        if not set(ontology.objects(term, RDF.type)) & kinds:
            findings.append(Finding("ontology", Level.ERROR, "no kind (owl:Class, owl:*Property…)", name))
        for predicate, what in ((RDFS.label, "label"), (RDFS.comment, "comment")):
            languages = {o.language for o in ontology.objects(term, predicate) if isinstance(o, Literal)}
            for language in _LANGUAGES:
                if language not in languages:
                    findings.append(Finding("ontology", Level.ERROR, f"no {what} in {language}", name))
    return findings


def check_vocabulary(ontology: Graph | None = None) -> list[Finding]:
    """The closed namespace of :class:`kg.vocab.HC` lists exactly the terms the ontology declares."""
    ontology = ontology if ontology is not None else _ontology()
    in_code = {URIRef(HC_IRI + name) for name in HC.__annotations__}
    declared = declared_terms(ontology)
    findings = [
        Finding("vocabulary", Level.ERROR, "in kg/vocab.py but not declared in the ontology", compact(str(t)))
        for t in sorted(in_code - declared)
    ]
    findings += [
        Finding(
            "vocabulary",
            Level.ERROR,
            "declared in the ontology but missing from kg/vocab.py",
            compact(str(t)),
        )
        for t in sorted(declared - in_code)
    ]
    return findings


# ------------------------------------------------------------------ shapes


def shacl_shacl() -> Graph:
    """The W3C SHACL-for-SHACL shapes graph (Appendix C of the SHACL recommendation), as pySHACL ships it."""
    asset = importlib.resources.files("pyshacl") / "assets" / "shacl-shacl.ttl"
    return Graph().parse(data=asset.read_text(encoding="utf-8"), format="turtle")


def check_shapes_meta(shapes: Shapes | None = None) -> list[Finding]:
    """``shapes/`` is a valid shapes graph: it conforms to SHACL-for-SHACL."""
    import pyshacl  # heavy import, only when used

    shapes = shapes or load_shapes()
    conforms, report, _ = pyshacl.validate(shapes.graph, shacl_graph=shacl_shacl(), advanced=True)
    if conforms:
        return []
    assert isinstance(report, Graph)
    findings = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        message = report.value(result, SH.resultMessage)
        findings.append(
            Finding(
                "shapes-meta",
                Level.ERROR,
                f"not valid SHACL: {message}",
                compact(str(focus)) if focus else None,
            )
        )
    return sorted(findings, key=lambda f: (f.subject or "", f.message))


def check_shapes_docs(shapes: Shapes | None = None) -> list[Finding]:
    """Every shape is named, described and has a message in French and English; no file carries a version of its own."""
    shapes = shapes or load_shapes()
    graph = shapes.graph
    findings: list[Finding] = []
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in graph.subjects(RDF.type, kind):
            if isinstance(shape, BNode):
                findings.append(
                    Finding("shapes-docs", Level.ERROR, "a shape must have an IRI, not a blank node")
                )
    for iri, info in sorted(shapes.info.items()):
        name = compact(iri)
        for what, fr, en in (
            ("sh:name", info.name_fr, info.name_en),
            ("sh:description", info.description_fr, info.description_en),
            ("sh:message", info.message_fr, info.message_en),
        ):
            for language, text in (("fr", fr), ("en", en)):
                if not text:
                    findings.append(Finding("shapes-docs", Level.ERROR, f"no {what} in {language}", name))
        if not iri.startswith(DISPLAY_PREFIXES["hcsh"]):
            findings.append(
                Finding("shapes-docs", Level.ERROR, "shape IRI outside the hcsh: namespace", name)
            )
    documents = {str(s): s for s in graph.subjects(RDF.type, OWL.Ontology)}
    expected = changelog_version(shapes.directory)
    if expected is None:
        findings.append(Finding("shapes-docs", Level.ERROR, "no version heading in shapes/CHANGELOG.md"))
    for file in shapes.files:
        document = f"https://w3id.org/hemicycle/shapes/{file.removesuffix('.ttl')}"
        if document not in documents:
            findings.append(Finding("shapes-docs", Level.ERROR, f"no owl:Ontology header <{document}>", file))
            continue
        own = (
            Graph()
            .parse(shapes.directory / file, format="turtle")
            .value(documents[document], OWL.versionInfo)
        )
        if own is not None:
            findings.append(
                Finding(
                    "shapes-docs",
                    Level.ERROR,
                    f"owl:versionInfo {own} in the file: the version lives in CHANGELOG.md alone",
                    file,
                )
            )
    return findings


# ------------------------------------------------------------------ terms used are declared


def _is_declared(iri: str, declared: set[URIRef]) -> bool:
    if iri.startswith(HC_IRI):
        return URIRef(iri) in declared
    for namespace in REUSED:
        base = str(namespace._NS)
        if iri.startswith(base):
            local = iri[len(base) :]
            return local in namespace.__annotations__ or local in getattr(namespace, "_extras", ())
    return True  # a vocabulary we do not reuse as a closed namespace (sh:, external pages): not ours to judge


def _vocabulary_term(iri: str) -> bool:
    """Is this IRI a term of a vocabulary (ours or a reused one), rather than data?"""
    return iri.startswith(HC_IRI) or any(iri.startswith(str(ns._NS)) for ns in REUSED)


def shape_terms(shapes: Shapes) -> dict[str, set[str]]:
    """Classes and properties the shapes use: paths, targets, sh:class and the IRIs of SPARQL queries."""
    graph = shapes.graph
    used: dict[str, set[str]] = {}

    def add(iri: str, where: str) -> None:
        if _vocabulary_term(iri):
            used.setdefault(iri, set()).add(where)

    for predicate in (
        SH.targetClass,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
        SH["class"],
        SH.ignoredProperties,
    ):
        for shape, obj in graph.subject_objects(predicate):
            for value in _list_or_single(graph, obj):
                if isinstance(value, URIRef):
                    add(str(value), compact(str(shape)))
    for shape, path in graph.subject_objects(SH.path):
        for iri in _iris_in(graph, path):
            add(iri, compact(str(shape)))
    for shape, constraint in graph.subject_objects(SH.sparql):
        query = graph.value(constraint, SH.select) or graph.value(constraint, SH.ask)
        prefixes = {
            str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace))
            for holder in graph.objects(constraint, SH.prefixes)
            for d in graph.objects(holder, SH.declare)
        }
        for iri in query_terms(str(query), prefixes):
            add(iri, compact(str(shape)))
    for shape, value in graph.subject_objects(SH["in"]):
        for item in _list_or_single(graph, value):
            if isinstance(item, URIRef):
                add(str(item), compact(str(shape)))
    return used


def _list_or_single(graph: Graph, node: Node) -> list[Node]:
    if (node, RDF.first, None) in graph:
        items: list[Node] = []
        while node != RDF.nil:
            first = graph.value(node, RDF.first)
            if first is not None:
                items.append(first)
            node = graph.value(node, RDF.rest) or RDF.nil
        return items
    return [node]


def _iris_in(graph: Graph, node: Node) -> Iterator[str]:
    if isinstance(node, URIRef):
        if node != RDF.nil:
            yield str(node)
        return
    for predicate, obj in graph.predicate_objects(node):
        if predicate not in (RDF.first, RDF.rest) and not str(predicate).startswith(str(SH)):
            yield str(predicate)
        yield from _iris_in(graph, obj)


def query_terms(query: str, prefixes: Mapping[str, str] | None = None) -> set[str]:
    """The IRIs a SPARQL query names, read by rdflib's SPARQL parser (``$this`` and ``$PATH`` allowed)."""
    from rdflib.plugins.sparql import prepareQuery  # heavy import, only when used

    header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or {}).items())
    parsed = prepareQuery(header + query.replace("$PATH", "?__path"))
    found: set[str] = set()
    _walk(parsed.algebra, found)
    return {iri for iri in found if _vocabulary_term(iri)}


def _walk(node: Any, found: set[str]) -> None:
    if isinstance(node, URIRef):
        found.add(str(node))
    elif isinstance(node, Mapping):
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list | tuple | set | frozenset):
        for value in node:
            _walk(value, found)


def mapping_terms() -> dict[str, set[str]]:
    """The terms :mod:`kg.mapping` says it writes (its table of fields) and the classes it types nodes with."""
    from kg import mapping  # the mapping imports the registry: only when this check runs

    used: dict[str, set[str]] = {}
    for source_field, terms in mapping.MAPPED_FIELDS.items():
        for term in terms:
            prefix, local = term.split(":", 1)
            used.setdefault(DISPLAY_PREFIXES[prefix] + local, set()).add(source_field)
    for table in (mapping.QUESTION_CLASS, mapping.ORGANE_CLASS):
        for node in table.values():
            used.setdefault(node.value, set()).add("kg.mapping classes")
    return used


def queries_terms(directory: Path | None = None) -> tuple[dict[str, set[str]], list[Finding]]:
    """The terms the shipped queries (``queries/*.rq``) use; a query that does not parse is a finding."""
    used: dict[str, set[str]] = {}
    findings: list[Finding] = []
    try:
        folder = directory or resource_dir("queries")
    except FileNotFoundError:
        return used, [Finding("terms", Level.WARNING, "no queries/ folder in this installation")]
    for path in sorted(folder.glob("*.rq")):
        try:
            terms = query_terms(path.read_text(encoding="utf-8"))
        except Exception as exc:  # the SPARQL parser raises pyparsing errors
            findings.append(Finding("terms", Level.ERROR, f"the query does not parse: {exc}", path.name))
            continue
        for iri in terms:
            used.setdefault(iri, set()).add(path.name)
    return used, findings


def check_terms(shapes: Shapes | None = None, ontology: Graph | None = None) -> list[Finding]:
    """Every class and property used by the shapes, the mapping and the queries is declared somewhere."""
    shapes = shapes or load_shapes()
    declared = declared_terms(ontology if ontology is not None else _ontology())
    query_use, findings = queries_terms()
    for origin, used in (
        ("shapes", shape_terms(shapes)),
        ("mapping", mapping_terms()),
        ("queries", query_use),
    ):
        for iri, where in sorted(used.items()):
            if not _is_declared(iri, declared):
                findings.append(
                    Finding(
                        "terms",
                        Level.ERROR,
                        f"used by the {origin} ({', '.join(sorted(where)[:3])}) but declared nowhere",
                        compact(iri),
                    )
                )
    return findings


# ------------------------------------------------------------------ fixtures of the shapes

#: prefixes of the manifest's Turtle snippets and compact names
FIXTURE_PREFIXES: dict[str, str] = {
    **DISPLAY_PREFIXES,
    "question": "https://w3id.org/hemicycle/question/",
    "person": "https://w3id.org/hemicycle/person/",
    "mandate": "https://w3id.org/hemicycle/mandate/",
    "organe": "https://w3id.org/hemicycle/organe/",
    "constituency": "https://w3id.org/hemicycle/constituency/",
    "department": "https://w3id.org/hemicycle/department/",
    "topic": "https://w3id.org/hemicycle/topic/",
    "qe": "https://w3id.org/hemicycle/question/QANR5L15QE20618/",
    "qosd": "https://w3id.org/hemicycle/question/QANR5L15QOSD812/",
    "qg": "https://w3id.org/hemicycle/question/QANR5L15QG2108/",
}


@dataclass(frozen=True, slots=True)
class Expected:
    shape: str
    component: str
    focus: str
    path: str | None
    severity: Severity = Severity.VIOLATION
    value: str | None = None
    #: the engines that give this result (None: all). shacl-rust 0.2.12 gives no result when a comparison
    #: (sh:lessThanOrEquals, sh:minInclusive…) meets values that do not compare, e.g. a string and a date;
    #: the SHACL recommendation and pySHACL do. The mistyped value itself is reported by both engines.
    engines: frozenset[Engine] | None = None

    def matches(self, result: ValidationResult) -> bool:
        return (
            result.source_shape == self.shape
            and result.component == self.component
            and result.focus_node == self.focus
            and (result.path or None) == self.path
            and result.severity is self.severity
            and (self.value is None or result.value == self.value)
        )

    def describe(self) -> str:
        value = f" = {self.value}" if self.value else ""
        return (
            f"{compact(self.shape)} {compact(self.component)} on {compact(self.focus)} "
            f"{self.path or '(no path)'}{value} [{self.severity.value}]"
        )


@dataclass(frozen=True, slots=True)
class Case:
    """A violating fixture: a conforming world with one defect, and exactly the results it must give."""

    name: str
    world: str
    delete: tuple[str, ...]
    insert: tuple[str, ...]
    expected: tuple[Expected, ...]
    rename: tuple[str, str] | None = None  # an IRI of the world replaced everywhere by another
    note: str = ""


@dataclass(frozen=True, slots=True)
class Manifest:
    directory: Path
    worlds: Mapping[str, tuple[str, ...]]
    cases: tuple[Case, ...]

    def world_statements(self, world: str) -> list[ox.Triple]:
        return _read_world(self.directory, self.worlds[world])

    def statements(self, case: Case) -> list[ox.Triple]:
        """The case's data: its world, less the deleted triples, plus the inserted ones."""
        triples = self.world_statements(case.world)
        if case.rename is not None:
            old, new = (ox.NamedNode(expand(name)) for name in case.rename)
            triples = [
                ox.Triple(
                    new if t.subject == old else t.subject, t.predicate, new if t.object == old else t.object
                )
                for t in triples
            ]
        remove = set(_parse_snippet(case.delete, case.name))
        missing = remove - set(triples)
        if missing:
            raise InputError(
                f"deletes triples its world does not have: {sorted(map(str, missing))[:2]}",
                file=str(self.directory / "manifest.toml"),
                record=case.name,
                field="delete",
            )
        return [t for t in triples if t not in remove] + _parse_snippet(case.insert, case.name)


def _read_world(directory: Path, files: Sequence[str]) -> list[ox.Triple]:
    triples: list[ox.Triple] = []
    for name in files:
        triples.extend(_as_triples(ox.parse(path=directory / name, format=ox.RdfFormat.TURTLE)))
    return triples


def _as_triples(items: Iterable[ox.Triple | ox.Quad]) -> list[ox.Triple]:
    return [
        ox.Triple(item.subject, item.predicate, item.object) if isinstance(item, ox.Quad) else item
        for item in items
    ]


def _parse_snippet(lines: Sequence[str], case: str) -> list[ox.Triple]:
    if not lines:
        return []
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in FIXTURE_PREFIXES.items())
    try:
        return _as_triples(ox.parse((header + "\n".join(lines)).encode("utf-8"), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise InputError(f"a Turtle snippet does not parse: {exc}", record=case) from exc


def expand(name: str) -> str:
    """``hcsh:Question`` → full IRI, with :data:`FIXTURE_PREFIXES`; ``<iri>`` → iri."""
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    if prefix in FIXTURE_PREFIXES and not local.startswith("//"):
        return FIXTURE_PREFIXES[prefix] + local.replace("\\/", "/")
    return name


def load_manifest(directory: Path | None = None) -> Manifest:
    """Read ``manifest.toml`` of the fixtures folder. Bad entries raise :class:`InputError` naming the case."""
    directory = directory or fixtures_dir()
    path = directory / "manifest.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read the manifest ({exc})", file=str(path)) from exc
    worlds = {name: tuple(files) for name, files in data.get("worlds", {}).items()}
    cases: list[Case] = []
    seen: set[str] = set()
    for n, raw in enumerate(data.get("violation", []), start=1):
        name = str(raw.get("name") or f"{raw.get('shape')}#{raw.get('component')}")
        if name in seen:
            name = f"{name}#{n}"
        seen.add(name)
        if raw.get("world") not in worlds:
            raise InputError(
                f"unknown world {raw.get('world')!r}", file=str(path), record=name, field="world"
            )
        expected = [_expected(raw, path, name)] + [
            _expected(extra, path, name) for extra in raw.get("also", [])
        ]
        cases.append(
            Case(
                name=name,
                world=str(raw["world"]),
                delete=tuple(raw.get("delete", ())),
                insert=tuple(raw.get("insert", ())),
                expected=tuple(expected),
                rename=(str(raw["rename"][0]), str(raw["rename"][1])) if raw.get("rename") else None,
                note=str(raw.get("note", "")),
            )
        )
    return Manifest(directory=directory, worlds=worlds, cases=tuple(cases))


def _expected(raw: Mapping[str, Any], path: Path, case: str) -> Expected:
    try:
        component = str(raw["component"])
        return Expected(
            shape=expand(str(raw["shape"])),
            component=expand(component if ":" in component else f"sh:{component}ConstraintComponent"),
            focus=expand(str(raw["focus"])),
            path=str(raw["path"]) if raw.get("path") else None,
            severity=Severity(str(raw.get("severity", "Violation"))),
            value=str(raw["value"]) if raw.get("value") else None,
            engines=frozenset(Engine(e) for e in raw["engines"]) if raw.get("engines") else None,
        )
    except (KeyError, ValueError) as exc:
        raise InputError(f"incomplete expected result ({exc})", file=str(path), record=case) from exc


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    case: Case
    results: tuple[ValidationResult, ...]
    missing: tuple[Expected, ...]
    unexpected: tuple[ValidationResult, ...]

    @property
    def ok(self) -> bool:
        return not self.missing and not self.unexpected

    def explain(self) -> str:
        lines = [f"case {self.case.name}:"]
        lines += [f"  expected but not given: {e.describe()}" for e in self.missing]
        lines += [f"  given but not expected: {r.one_line()}" for r in self.unexpected]
        return "\n".join(lines)


def run_case(manifest: Manifest, case: Case, engine: Engine, shapes: Shapes | None = None) -> CaseOutcome:
    report = validate_triples(manifest.statements(case), engine=engine, shapes=shapes)
    expected = [e for e in case.expected if e.engines is None or engine in e.engines]
    missing = tuple(e for e in expected if not any(e.matches(r) for r in report.results))
    unexpected = tuple(r for r in report.results if not any(e.matches(r) for e in expected))
    return CaseOutcome(case, report.results, missing, unexpected)


def shape_targets_in(shapes: Shapes, triples: Iterable[ox.Triple]) -> set[str]:
    """The shapes that have at least one focus node in a graph (property shapes through their node shapes)."""
    graph = Graph()
    for t in triples:
        graph.add(tuple(_rdflib(x) for x in (t.subject, t.predicate, t.object)))  # type: ignore[arg-type]
    for axiom in shapes.subclass_axioms:
        graph.add(tuple(_rdflib(x) for x in (axiom.subject, axiom.predicate, axiom.object)))  # type: ignore[arg-type]
    active: set[str] = set()
    for iri, info in shapes.info.items():
        if info.kind == "node" and _has_focus(shapes.graph, graph, URIRef(iri)):
            active.add(iri)
    for iri, info in shapes.info.items():
        if info.kind == "property" and any(parent in active for parent in info.parents):
            active.add(iri)
    return active


def _rdflib(term: Any) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unexpected term {term!r}")


def _has_focus(shapes: Graph, data: Graph, shape: URIRef) -> bool:
    for cls in shapes.objects(shape, SH.targetClass):
        classes = {cls, *data.transitive_subjects(RDFS.subClassOf, cls)}
        if any(True for c in classes for _ in data.subjects(RDF.type, c)):
            return True
    if any(True for p in shapes.objects(shape, SH.targetObjectsOf) for _ in data.objects(None, p)):
        return True
    if any(True for p in shapes.objects(shape, SH.targetSubjectsOf) for _ in data.subjects(p, None)):
        return True
    return any(True for _ in shapes.objects(shape, SH.targetNode))


def check_fixtures(
    shapes: Shapes | None = None, directory: Path | None = None, engine: Engine | None = None
) -> list[Finding]:
    """Every shape has a conforming and a violating fixture; each violating fixture gives exactly its results."""
    shapes = shapes or load_shapes()
    directory = directory or fixtures_dir()
    if not (directory / "manifest.toml").is_file():
        return [
            Finding("fixtures", Level.WARNING, "no fixtures here (they ship with the source, not the wheel)")
        ]
    engine = engine or build_engine()
    try:
        manifest = load_manifest(directory)
    except InputError as exc:
        return [Finding("fixtures", Level.ERROR, exc.one_line())]
    findings: list[Finding] = []
    conforming: set[str] = set()
    for world in manifest.worlds:
        triples = manifest.world_statements(world)
        report = validate_triples(triples, engine=engine, shapes=shapes)
        if report.results:
            findings.append(
                Finding(
                    "fixtures",
                    Level.ERROR,
                    f"the world does not conform: {report.results[0].one_line()}",
                    world,
                )
            )
            continue
        conforming |= shape_targets_in(shapes, triples)
    violated: set[str] = set()
    for case in manifest.cases:
        try:
            outcome = run_case(manifest, case, engine, shapes)
        except InputError as exc:
            findings.append(Finding("fixtures", Level.ERROR, exc.one_line(), case.name))
            continue
        if not outcome.ok:
            findings.append(Finding("fixtures", Level.ERROR, outcome.explain(), case.name))
        violated |= {e.shape for e in case.expected}
    for iri, info in sorted(shapes.info.items()):
        covered = iri in violated or (
            info.constraints == ("property",) and any(p in violated for p in _children(shapes, iri))
        )
        if not covered:
            findings.append(Finding("fixtures", Level.ERROR, "no violating fixture", compact(iri)))
        if iri not in conforming:
            findings.append(
                Finding("fixtures", Level.ERROR, "no conforming fixture (no focus node)", compact(iri))
            )
    return findings


def _children(shapes: Shapes, node_shape: str) -> list[str]:
    return [iri for iri, info in shapes.info.items() if node_shape in info.parents]


# ------------------------------------------------------------------ all of them


CHECKS = ("ontology", "vocabulary", "shapes-meta", "shapes-docs", "terms", "fixtures")


def run_checks(names: Sequence[str] = CHECKS, *, engine: Engine | None = None) -> CheckReport:
    """Run the named checks (all by default) and gather their findings."""
    report = CheckReport()
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise InputError(f"unknown check {unknown[0]!r} (choose from {', '.join(CHECKS)})", field="--only")
    shapes = load_shapes()
    ontology = _ontology()
    for name in names:
        report.checks.append(name)
        if name == "ontology":
            report.findings += check_ontology(ontology)
        elif name == "vocabulary":
            report.findings += check_vocabulary(ontology)
        elif name == "shapes-meta":
            report.findings += check_shapes_meta(shapes)
        elif name == "shapes-docs":
            report.findings += check_shapes_docs(shapes)
        elif name == "terms":
            report.findings += check_terms(shapes, ontology)
        elif name == "fixtures":
            report.findings += check_fixtures(shapes, engine=engine)
    return report
