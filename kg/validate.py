"""SHACL validation against the shapes in ``shapes/``: two engines behind one typed report.

Engines:

- ``pyshacl`` (the default of ``kg validate``): the reference implementation, pure Python, slow on big graphs;
- ``fast``: `shacl-rust <https://pypi.org/project/shacl-rust/>`_ (optional extra ``hemicycle-kg[fast]``) with its
  interned index; exact on these shapes (a test proves both engines give the same results on the fixtures).

Both see the same data: the triples given plus the ``rdfs:subClassOf`` axioms of ``ontology/hemicycle.ttl``
(like pySHACL's ``ont_graph``), so ``sh:targetClass hc:Question`` and ``sh:class hc:Question`` reach the three
kinds of question. Their results become one typed :class:`ValidationReport`: every field of a SHACL result
(focus node, path, value, message in French and English, source shape, constraint component, severity),
the messages and the path taken from the shapes graph, so both engines report them identically.

Conformance follows pySHACL's ``allow_warnings``: a report conforms when it has no result of severity
``sh:Violation``; warnings and infos are reported and do not fail a run.

For the build, :func:`judge_questions` validates a batch of question records, each with its own named graph
plus the registry nodes it links to, in one engine call, and gives each question its own results;
:func:`validate_registry` validates the registry graphs once.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import IO, Any

import orjson
import pyoxigraph as ox
from pydantic import BaseModel, ConfigDict
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node
from rich.table import Table

from kg.errors import ExitCode, InputError
from kg.iris import DEFAULT_BASE, Minter
from kg.resources import ontology_file, resource_dir
from kg.store import EmbeddedStore
from kg.vocab import PREFIXES, SH

log = logging.getLogger(__name__)

SHAPES_IRI = "https://w3id.org/hemicycle/shapes#"
#: prefixes used to print paths, shapes and components compactly (stable: reports must not change)
DISPLAY_PREFIXES: dict[str, str] = {**PREFIXES, "hcsh": SHAPES_IRI, "sh": str(SH)}

_HC = "https://w3id.org/hemicycle/ontology#"
_ORG = "http://www.w3.org/ns/org#"
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
_Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_ORG_MEMBER = ox.NamedNode(_ORG + "member")
_ORGANE_TYPE = ox.NamedNode(_HC + "organeType")
_AUTHOR_GROUP = ox.NamedNode(_HC + "authorGroup")
_CREATOR = ox.NamedNode("http://purl.org/dc/terms/creator")
#: from a linked registry node, also fetch the nodes these predicates lead to (their shapes check their class)
_EXPAND = frozenset(
    ox.NamedNode(iri)
    for iri in (
        _ORG + "member",
        _HC + "constituency",
        _HC + "department",
        _HC + "substitution",
        "http://www.w3.org/2004/02/skos/core#inScheme",
    )
)
_REGISTRY_GRAPHS = ("acteurs", "organes", "geography")


class Engine(StrEnum):
    PYSHACL = "pyshacl"
    FAST = "fast"


class Severity(StrEnum):
    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


def fast_engine_available() -> bool:
    """True when ``shacl-rust`` is installed (the extra ``hemicycle-kg[fast]``)."""
    return importlib.util.find_spec("shacl_rust") is not None


def build_engine() -> Engine:
    """The engine ``kg build`` uses: the fast one when installed, else pySHACL."""
    return Engine.FAST if fast_engine_available() else Engine.PYSHACL


# ------------------------------------------------------------------ the typed report


class ValidationResult(BaseModel):
    """One SHACL validation result, with every field of ``sh:ValidationResult``.

    ``focus_node`` and ``source_shape`` are IRIs (``_:…`` for a blank node); ``value`` is an N-Triples term
    (``<iri>``, ``"2021-07-27"^^<…#date>``, ``"texte"@fr``); ``path`` is a SPARQL property path written with
    :data:`DISPLAY_PREFIXES` (``hc:number``, ``^hc:authorMandate/hc:publicationDate``); ``component`` is the
    constraint component's IRI. Messages come from the shape's ``sh:message`` (French and English);
    ``engine_message`` is what the engine said, which differs between engines and is left out of :meth:`key`.
    """

    model_config = ConfigDict(frozen=True)

    focus_node: str
    path: str | None
    value: str | None
    source_shape: str
    component: str
    severity: Severity
    message_fr: str
    message_en: str
    engine_message: str | None = None

    def key(self) -> tuple[str, str, str, str, str, str]:
        """What two engines must agree on."""
        return (
            self.focus_node,
            self.path or "",
            self.value or "",
            self.source_shape,
            self.component,
            self.severity.value,
        )

    @property
    def shape_name(self) -> str:
        return compact(self.source_shape)

    @property
    def component_name(self) -> str:
        return compact(self.component)

    def one_line(self, file: str | None = None, record: str | None = None) -> str:
        """``file [record] path: message (shape, component)`` on one line, in English."""
        where = " ".join(part for part in (file, f"[{record}]" if record else None) if part)
        subject = self.path or compact(self.focus_node)
        value = f" = {self.value}" if self.value and self.value != f"<{self.focus_node}>" else ""
        text = f"{subject}{value}: {self.message_en} ({self.shape_name}, {self.component_name})"
        return " ".join(f"{where}: {text}".split()) if where else " ".join(text.split())


class ValidationReport(BaseModel):
    """The results of one validation run, sorted; conforms when no result is a ``sh:Violation``."""

    model_config = ConfigDict(frozen=True)

    engine: Engine
    shapes_version: str
    results: tuple[ValidationResult, ...]
    triples: int = 0
    seconds: float = 0.0

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.severity is Severity.VIOLATION)

    @property
    def warnings(self) -> int:
        return sum(1 for r in self.results if r.severity is Severity.WARNING)

    @property
    def infos(self) -> int:
        return sum(1 for r in self.results if r.severity is Severity.INFO)

    @property
    def conforms(self) -> bool:
        return self.violations == 0

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.OK if self.conforms else ExitCode.NOT_CONFORMING

    def summary(self) -> str:
        verdict = "conforms" if self.conforms else "does not conform"
        return (
            f"{verdict}: {self.violations} violations, {self.warnings} warnings, {self.infos} infos "
            f"({self.triples} triples, engine {self.engine.value}, shapes {self.shapes_version}, "
            f"{self.seconds:.2f} s)"
        )

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "conforms": self.conforms,
                "violations": self.violations,
                "warnings": self.warnings,
                "infos": self.infos,
                "engine": self.engine.value,
                "shapes_version": self.shapes_version,
                "triples": self.triples,
                "results": [r.model_dump(mode="json") for r in self.results],
            },
            option=orjson.OPT_INDENT_2,
        )

    def to_table(self, *, language: str = "en", limit: int | None = None) -> Table:
        """A rich table, one row per result (``limit`` rows at most)."""
        table = Table(title=f"SHACL: {self.summary()}", title_justify="left")
        for column in ("severity", "focus node", "path", "value", "message", "shape", "component"):
            table.add_column(column, overflow="fold")
        for result in self.results[:limit]:
            table.add_row(
                result.severity.value,
                compact(result.focus_node),
                result.path or "",
                _short(result.value or ""),
                result.message_fr if language == "fr" else result.message_en,
                result.shape_name,
                result.component_name.removeprefix("sh:").removesuffix("ConstraintComponent"),
            )
        return table

    def to_graph(self, shapes: Shapes | None = None) -> Graph:
        """The report as a W3C SHACL ``sh:ValidationReport`` graph (complex paths copied from the shapes)."""
        shapes = shapes or load_shapes()
        graph = Graph()
        for prefix, ns in DISPLAY_PREFIXES.items():
            graph.bind(prefix, ns)
        report = BNode("report")
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for n, result in enumerate(self.results, start=1):
            node = BNode(f"result{n}")
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, _rdflib_term(result.focus_node, iri=True)))
            graph.add((node, SH.sourceShape, _rdflib_term(result.source_shape, iri=True)))
            graph.add((node, SH.sourceConstraintComponent, URIRef(result.component)))
            graph.add((node, SH.resultSeverity, SH[result.severity.value]))
            graph.add((node, SH.resultMessage, Literal(result.message_fr, lang="fr")))
            graph.add((node, SH.resultMessage, Literal(result.message_en, lang="en")))
            if result.value is not None:
                graph.add((node, SH.value, _rdflib_term(result.value)))
            path = shapes.path_node(result)
            if path is not None:
                graph.add((node, SH.resultPath, _copy_path(shapes.graph, path, graph)))
        return graph

    def to_turtle(self, shapes: Shapes | None = None) -> str:
        return self.to_graph(shapes).serialize(format="turtle")


def compact(iri: str) -> str:
    """``https://w3id.org/hemicycle/ontology#number`` → ``hc:number`` (unknown namespaces: ``<iri>``)."""
    for prefix, ns in DISPLAY_PREFIXES.items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w.-]*", iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri if iri.startswith("_:") else f"<{iri}>"


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# ------------------------------------------------------------------ the shapes


@dataclass(frozen=True, slots=True)
class ShapePath:
    """A SHACL property path: a predicate, an inverse, a sequence or an alternative (what our shapes use)."""

    kind: str  # "predicate" | "inverse" | "sequence" | "alternative" | "other"
    iri: str | None = None
    steps: tuple[ShapePath, ...] = ()

    def render(self) -> str:
        if self.kind == "predicate" and self.iri:
            return compact(self.iri)
        if self.kind == "inverse":
            return "^" + _group(self.steps[0])
        if self.kind == "sequence":
            return "/".join(_group(step) for step in self.steps)
        if self.kind == "alternative":
            return "|".join(_group(step) for step in self.steps)
        return "?"


def _group(path: ShapePath) -> str:
    text = path.render()
    return f"({text})" if path.kind in ("sequence", "alternative") else text


@dataclass(frozen=True, slots=True)
class ShapeInfo:
    """What the documentation and the reports need to know of one shape."""

    iri: str
    file: str
    kind: str  # "node" | "property"
    name_fr: str
    name_en: str
    description_fr: str
    description_en: str
    message_fr: str
    message_en: str
    severity: Severity
    path: ShapePath | None
    path_node: Node | None
    targets: tuple[str, ...]  # rendered: "class hc:Question", "objects of hc:authorMandate"
    constraints: tuple[str, ...]  # constraint parameters used: "minCount", "pattern", "sparql"…
    parents: tuple[str, ...]  # node shapes that use this property shape


@dataclass(frozen=True)
class Shapes:
    """The shapes graph, as rdflib (pySHACL, documentation) and as Turtle text (the fast engine)."""

    directory: Path
    graph: Graph
    turtle: str
    version: str
    info: Mapping[str, ShapeInfo]
    files: tuple[str, ...]
    subclass_axioms: tuple[ox.Triple, ...] = field(default=(), repr=False)
    fast_plan: _FastPlan | None = field(default=None, repr=False)

    def path_node(self, result: ValidationResult) -> Node | None:
        """The ``sh:path`` node of the result's shape, or the result's simple path as an IRI."""
        info = self.info.get(result.source_shape)
        if info is not None and info.kind == "property" and info.path_node is not None:
            return info.path_node
        if result.path and re.fullmatch(r"[a-z]+:[\w.-]+", result.path):
            prefix, local = result.path.split(":", 1)
            if prefix in DISPLAY_PREFIXES:
                return URIRef(DISPLAY_PREFIXES[prefix] + local)
        if result.path and result.path.startswith("<") and result.path.endswith(">"):
            return URIRef(result.path[1:-1])
        return None


def load_shapes(directory: Path | None = None) -> Shapes:
    """Every ``*.ttl`` of ``shapes/`` (the installed copy, else the checkout's), parsed once and cached."""
    return _load_shapes((directory or resource_dir("shapes")).resolve())


@cache
def _load_shapes(directory: Path) -> Shapes:
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise InputError("no shapes (*.ttl) in this folder", file=str(directory))
    graph = Graph()
    for prefix, ns in DISPLAY_PREFIXES.items():
        graph.bind(prefix, ns)
    origin: dict[str, str] = {}
    for file in files:
        part = Graph()
        try:
            part.parse(file, format="turtle")
        except Exception as exc:  # rdflib raises many types for bad Turtle
            raise InputError(f"cannot parse the shapes: {exc}", file=str(file)) from exc
        for subject in set(part.subjects(RDF.type, SH.NodeShape)) | set(
            part.subjects(RDF.type, SH.PropertyShape)
        ):
            origin[str(subject)] = file.name
        graph += part
    versions = {str(v) for v in graph.objects(None, OWL.versionInfo)}
    version = versions.pop() if len(versions) == 1 else "+".join(sorted(versions)) or "unversioned"
    return Shapes(
        directory=directory,
        graph=graph,
        turtle=graph.serialize(format="turtle"),
        version=version,
        info=_shape_infos(graph, origin),
        files=tuple(f.name for f in files),
        subclass_axioms=_subclass_axioms(),
        fast_plan=_plan_fast(graph),
    )


@dataclass(frozen=True)
class _FastPlan:
    """How the fast engine runs the shapes: the core shapes on all the data, the SPARQL-based ones apart on
    only the predicates their queries, paths and targets use. A SPARQL constraint makes shacl-rust build a
    query store from its whole data graph, which costs twice the parsing (measured: see shapes/README.md);
    on the few predicates the queries need it costs little, and the results are the same."""

    core_turtle: str
    sparql_turtle: str | None
    sparql_predicates: frozenset[ox.NamedNode]


def _plan_fast(graph: Graph) -> _FastPlan:
    sparql_shapes = sorted({s for s in graph.subjects(SH.sparql, None) if isinstance(s, URIRef)})
    if not sparql_shapes:
        return _FastPlan(graph.serialize(format="turtle"), None, frozenset())
    core, apart = Graph(), Graph()
    core += graph
    predicates = {str(RDF.type), str(RDFS.subClassOf)}
    for shape in sparql_shapes:
        for triple in _closure(graph, shape):
            core.remove(triple)
            apart.add(triple)
        for owner in graph.subjects(SH.property, shape):
            core.remove((owner, SH.property, shape))
            apart.add((owner, RDF.type, SH.NodeShape))
            apart.add((owner, SH.property, shape))
            for target in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
                for value in graph.objects(owner, target):
                    apart.add((owner, target, value))
                    if target in (SH.targetSubjectsOf, SH.targetObjectsOf):
                        predicates.add(str(value))
        for target in (SH.targetSubjectsOf, SH.targetObjectsOf):
            predicates.update(str(value) for value in graph.objects(shape, target))
        path = graph.value(shape, SH.path)
        if path is not None:
            predicates.update(str(o) for _, _, o in _closure(graph, path) if isinstance(o, URIRef))
            if isinstance(path, URIRef):
                predicates.add(str(path))
        for constraint in graph.objects(shape, SH.sparql):
            prefixes = _declared_prefixes(graph, constraint)
            for prefixes_node in graph.objects(constraint, SH.prefixes):
                apart += _closure(graph, prefixes_node)
            query = str(graph.value(constraint, SH.select) or graph.value(constraint, SH.ask) or "")
            predicates.update(_query_iris(query, prefixes))
    return _FastPlan(
        core.serialize(format="turtle"),
        apart.serialize(format="turtle"),
        frozenset(ox.NamedNode(iri) for iri in predicates),
    )


def _closure(graph: Graph, node: Node) -> Graph:
    """The triples about ``node`` and, recursively, about the blank nodes they reach."""
    out = Graph()
    todo, seen = [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for predicate, obj in graph.predicate_objects(current):
            out.add((current, predicate, obj))
            if isinstance(obj, BNode):
                todo.append(obj)
    return out


def _declared_prefixes(graph: Graph, constraint: Node) -> dict[str, str]:
    prefixes: dict[str, str] = {}
    for holder in graph.objects(constraint, SH.prefixes):
        for declaration in graph.objects(holder, SH.declare):
            prefix, namespace = graph.value(declaration, SH.prefix), graph.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                prefixes[str(prefix)] = str(namespace)
    return prefixes


def _query_iris(query: str, prefixes: Mapping[str, str]) -> set[str]:
    """Every IRI a SPARQL query names: ``<…>`` and prefixed names (string literals left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', " ", query)
    iris = set(re.findall(r"<([^<>\s]*)>", text))
    text = re.sub(r"<[^<>\s]*>", " ", text)
    for prefix, local in re.findall(r"(?<![\w$?])([A-Za-z][\w-]*)?:([A-Za-z_][\w-]*)", text):
        if prefix in prefixes:
            iris.add(prefixes[prefix] + local)
    return iris


_CONSTRAINT_PARAMETERS = (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "maxInclusive", "minExclusive",
    "maxExclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang", "equals", "disjoint",
    "lessThan", "lessThanOrEquals", "not", "and", "or", "xone", "node", "property", "qualifiedValueShape",
    "closed", "hasValue", "in", "sparql",
)  # fmt: skip


def _shape_infos(graph: Graph, origin: Mapping[str, str]) -> dict[str, ShapeInfo]:
    infos: dict[str, ShapeInfo] = {}
    parents: dict[str, list[str]] = defaultdict(list)
    for node_shape, prop in graph.subject_objects(SH.property):
        parents[str(prop)].append(str(node_shape))
    for iri, file in origin.items():
        shape = URIRef(iri)
        is_property = (shape, RDF.type, SH.PropertyShape) in graph or (shape, SH.path, None) in graph
        path_node = graph.value(shape, SH.path)
        severity = graph.value(shape, SH.severity)
        infos[iri] = ShapeInfo(
            iri=iri,
            file=file,
            kind="property" if is_property else "node",
            name_fr=_text(graph, shape, SH.name, "fr"),
            name_en=_text(graph, shape, SH.name, "en"),
            description_fr=_text(graph, shape, SH.description, "fr"),
            description_en=_text(graph, shape, SH.description, "en"),
            message_fr=_text(graph, shape, SH.message, "fr"),
            message_en=_text(graph, shape, SH.message, "en"),
            severity=Severity(str(severity).removeprefix(str(SH))) if severity else Severity.VIOLATION,
            path=_parse_path(graph, path_node) if path_node is not None else None,
            path_node=path_node,
            targets=_targets(graph, shape),
            constraints=tuple(p for p in _CONSTRAINT_PARAMETERS if (shape, SH[p], None) in graph),
            parents=tuple(sorted(parents.get(iri, ()))),
        )
    return infos


def _text(graph: Graph, subject: Node, predicate: URIRef, language: str) -> str:
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal) and value.language == language:
            return str(value)
    return ""


def _targets(graph: Graph, shape: URIRef) -> tuple[str, ...]:
    out: list[str] = []
    for predicate, label in (
        (SH.targetClass, "class"),
        (SH.targetNode, "node"),
        (SH.targetSubjectsOf, "subjects of"),
        (SH.targetObjectsOf, "objects of"),
    ):
        out.extend(sorted(f"{label} {compact(str(o))}" for o in graph.objects(shape, predicate)))
    return tuple(out)


def _parse_path(graph: Graph, node: Node) -> ShapePath:
    if isinstance(node, URIRef):
        return ShapePath("predicate", str(node))
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return ShapePath("inverse", steps=(_parse_path(graph, inverse),))
    alternative = graph.value(node, SH.alternativePath)
    if alternative is not None:
        return ShapePath(
            "alternative", steps=tuple(_parse_path(graph, n) for n in Collection(graph, alternative))
        )
    if (node, RDF.first, None) in graph:
        return ShapePath("sequence", steps=tuple(_parse_path(graph, n) for n in Collection(graph, node)))
    return ShapePath("other")


def _copy_path(source: Graph, node: Node, target: Graph) -> Node:
    """Copy a path structure (blank nodes and lists) from the shapes graph into the report graph."""
    if not isinstance(node, BNode):
        return node
    copy = BNode()
    for predicate, obj in source.predicate_objects(node):
        target.add((copy, predicate, _copy_path(source, obj, target)))
    return copy


def _subclass_axioms() -> tuple[ox.Triple, ...]:
    ontology = Graph().parse(ontology_file(), format="turtle")
    return tuple(
        ox.Triple(ox.NamedNode(str(s)), _SUBCLASS, ox.NamedNode(str(o)))
        for s, o in sorted(ontology.subject_objects(RDFS.subClassOf))
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    )


# ------------------------------------------------------------------ terms


def _ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
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


def _parse_nt_term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An N-Triples term as the fast engine prints it, parsed by Oxigraph (never by hand)."""
    subject = "<urn:hemicycle:s>" if not text.startswith("_:") else text
    obj = text if not text.startswith("_:") else "<urn:hemicycle:o>"
    document = f"{subject} <urn:hemicycle:p> {obj} .\n".encode()
    triple = next(iter(ox.parse(document, format=ox.RdfFormat.N_TRIPLES)))
    term = triple.subject if text.startswith("_:") else triple.object
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term
    raise ValueError(f"unexpected term from the SHACL engine: {text!r}")


def _rdflib_term(text: str, *, iri: bool = False) -> Node:
    if text.startswith("_:"):
        return BNode(text[2:])
    if iri:
        return URIRef(text)
    term = _parse_nt_term(text)
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _node_id(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


# ------------------------------------------------------------------ engines


@dataclass(frozen=True, slots=True)
class _Raw:
    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    path: str | None  # the engine's own rendering, used only when the shape has no sh:path
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    shape: str
    component: str
    severity: str
    message: str | None


Statement = ox.Triple | ox.Quad


def _run(
    statements: Iterable[Statement], engine: Engine, shapes: Shapes, serialized: bytes = b""
) -> tuple[list[_Raw], int]:
    """Serialise the data (plus the ontology's class hierarchy) once, run the engine on it.

    The fast engine reads N-Quads and validates the union of the graphs; pySHACL gets one rdflib graph.
    ``serialized``: more data, already N-Quads (only for the fast engine, on a list of quads and shapes
    without SPARQL: see :func:`_reads_serialized`)."""
    if engine is Engine.FAST and isinstance(statements, list):
        plan = shapes.fast_plan or _plan_fast(shapes.graph)
        if plan.sparql_turtle is None and all(type(s) is ox.Quad for s in statements):
            # the build's batches: quads in a list, no SPARQL shape to set apart — straight to the engine
            rest = ox.serialize([*statements, *_quads(shapes.subclass_axioms)], None, ox.RdfFormat.N_QUADS)
            batch = serialized + rest if serialized and rest else serialized or rest or b""
            return _run_fast(io.BytesIO(batch), plan.core_turtle), len(statements)
    if serialized:
        raise ValueError("serialized data is read by the fast engine only, on shapes without SPARQL")
    counter = _Counter(statements)
    with tempfile.TemporaryFile() as handle:
        if engine is Engine.FAST:
            plan = shapes.fast_plan or _plan_fast(shapes.graph)
            apart: list[ox.Quad] = []
            data = _quads(_chain(counter, shapes.subclass_axioms))
            ox.serialize(_tap(data, plan.sparql_predicates, apart), handle, ox.RdfFormat.N_QUADS)
            handle.seek(0)
            raws = _run_fast(handle, plan.core_turtle)
            if plan.sparql_turtle is not None:
                apart_bytes = ox.serialize(apart, format=ox.RdfFormat.N_QUADS)
                assert apart_bytes is not None
                raws += _run_fast(io.BytesIO(apart_bytes), plan.sparql_turtle)
        else:
            ox.serialize(_triples(_chain(counter, shapes.subclass_axioms)), handle, ox.RdfFormat.N_TRIPLES)
            handle.seek(0)
            raws = _run_pyshacl(handle, shapes)
    return raws, counter.count


def _tap(
    quads: Iterable[ox.Quad], predicates: frozenset[ox.NamedNode], sink: list[ox.Quad]
) -> Iterator[ox.Quad]:
    """Pass every quad on; keep aside those whose predicate is in ``predicates``."""
    for quad in quads:
        if quad.predicate in predicates:
            sink.append(quad)
        yield quad


class _Counter:
    def __init__(self, statements: Iterable[Statement]) -> None:
        self._statements = statements
        self.count = 0

    def __iter__(self) -> Iterator[Statement]:
        for statement in self._statements:
            self.count += 1
            yield statement


def _chain(*parts: Iterable[Statement]) -> Iterator[Statement]:
    for part in parts:
        yield from part


def _quads(statements: Iterable[Statement]) -> Iterator[ox.Quad]:
    for statement in statements:
        if isinstance(statement, ox.Quad):
            yield statement
        else:
            yield ox.Quad(statement.subject, statement.predicate, statement.object)


def _triples(statements: Iterable[Statement]) -> Iterator[ox.Triple]:
    for statement in statements:
        if isinstance(statement, ox.Quad):
            yield ox.Triple(statement.subject, statement.predicate, statement.object)
        else:
            yield statement


def _run_fast(data: IO[bytes], shapes_turtle: str) -> list[_Raw]:
    try:
        import shacl_rust  # type: ignore[import-untyped]  # optional: the extra hemicycle-kg[fast]
    except ImportError:
        raise InputError(
            "the fast engine needs the package shacl-rust (pip install 'hemicycle-kg[fast]'); "
            "use --engine pyshacl",
            field="--engine",
        ) from None
    report: dict[str, Any] = shacl_rust.validate_file(
        data,
        io.BytesIO(shapes_turtle.encode("utf-8")),
        data_format="nq",
        shapes_format="turtle",
        experimental_index=True,
    )
    out: list[_Raw] = []
    for result in report["results"]:
        value = result.get("value")
        messages = result.get("messages") or []
        out.append(
            _Raw(
                focus=_parse_nt_term(result["focusNode"]),
                path=result.get("resultPath"),
                value=_parse_nt_term(value) if value else None,
                shape=_strip_brackets(result["sourceShape"]),
                component=_strip_brackets(result["sourceConstraintComponent"]),
                severity=_strip_brackets(result["severity"]).removeprefix(str(SH)),
                message=messages[0] if messages else None,
            )
        )
    return out


def _strip_brackets(text: str) -> str:
    return text[1:-1] if text.startswith("<") and text.endswith(">") else text


def _run_pyshacl(data: IO[bytes], shapes: Shapes) -> list[_Raw]:
    import pyshacl  # heavy import, only when used

    graph = Graph()
    graph.parse(source=data, format="nt")
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes.graph, advanced=False, inference=None)
    assert isinstance(report, Graph)
    out: list[_Raw] = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        value = report.value(node, SH.value)
        path = report.value(node, SH.resultPath)
        severity = report.value(node, SH.resultSeverity)
        shape = report.value(node, SH.sourceShape)
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        assert focus is not None and severity is not None and shape is not None
        out.append(
            _Raw(
                focus=_ox_term(focus),
                path=f"<{path}>" if isinstance(path, URIRef) else None,
                value=_ox_term(value) if value is not None else None,
                shape=_node_id(_ox_term(shape)),
                component=str(report.value(node, SH.sourceConstraintComponent)),
                severity=str(severity).removeprefix(str(SH)),
                message=messages[0] if messages else None,
            )
        )
    return out


def _typed(raw: _Raw, shapes: Shapes) -> ValidationResult:
    info = shapes.info.get(raw.shape)
    path: str | None
    if info is not None and info.kind == "property" and info.path is not None:
        path = info.path.render()
    elif raw.path:
        path = compact(_strip_brackets(raw.path)) if raw.path.startswith("<") else raw.path
    else:
        path = None
    return ValidationResult(
        focus_node=_node_id(raw.focus),
        path=path,
        value=str(raw.value) if raw.value is not None else None,
        source_shape=raw.shape,
        component=raw.component,
        severity=_severity(raw.severity),
        message_fr=info.message_fr if info else (raw.message or ""),
        message_en=info.message_en if info else (raw.message or ""),
        engine_message=raw.message,
    )


def _severity(name: str) -> Severity:
    try:
        return Severity(name)
    except ValueError:  # a custom severity: SHACL treats any other IRI like a violation for conformance
        return Severity.VIOLATION


def _report(
    raws: Sequence[_Raw], engine: Engine, shapes: Shapes, triples: int, started: float
) -> ValidationReport:
    results = sorted({_typed(raw, shapes) for raw in raws}, key=lambda r: (r.key(), r.engine_message or ""))
    unique: dict[tuple[str, ...], ValidationResult] = {}
    for result in results:
        unique.setdefault(result.key(), result)
    return ValidationReport(
        engine=engine,
        shapes_version=shapes.version,
        results=tuple(unique.values()),
        triples=triples,
        seconds=time.perf_counter() - started,
    )


# ------------------------------------------------------------------ what can be validated


def validate_triples(
    statements: Iterable[Statement], *, engine: Engine = Engine.PYSHACL, shapes: Shapes | None = None
) -> ValidationReport:
    """Validate the union of triples and quads (every named graph merged; duplicates are harmless)."""
    started = time.perf_counter()
    shapes = shapes or load_shapes()
    raws, count = _run(statements, engine, shapes)
    return _report(raws, engine, shapes, count, started)


def validate_nquads(
    data: bytes, *, engine: Engine = Engine.PYSHACL, shapes: Shapes | None = None
) -> ValidationReport:
    """Validate N-Quads bytes (the union of their graphs). With the fast engine the bytes go to the engine
    as they are: no Python object per statement (the registry alone is over a million statements)."""
    started = time.perf_counter()
    shapes = shapes or load_shapes()
    if engine is not Engine.FAST:
        return validate_triples(ox.parse(data, ox.RdfFormat.N_QUADS), engine=engine, shapes=shapes)
    plan = shapes.fast_plan or _plan_fast(shapes.graph)
    axioms = ox.serialize(_quads(shapes.subclass_axioms), None, ox.RdfFormat.N_QUADS) or b""
    with tempfile.TemporaryFile() as handle:
        handle.write(data)
        handle.write(axioms)
        handle.seek(0)
        raws = _run_fast(handle, plan.core_turtle)
    if plan.sparql_turtle is not None:
        # the SPARQL-based shapes see only the statements of their predicates: a cheap byte-level pick of
        # the lines that may hold one, then an exact check on the parsed statements
        markers = tuple(f"> <{p.value}> ".encode() for p in plan.sparql_predicates)
        lines = b"".join(line for line in data.splitlines(keepends=True) if any(m in line for m in markers))
        apart = [q for q in ox.parse(lines, ox.RdfFormat.N_QUADS) if q.predicate in plan.sparql_predicates]
        apart_bytes = ox.serialize(apart, None, ox.RdfFormat.N_QUADS) or b""
        raws += _run_fast(io.BytesIO(apart_bytes), plan.sparql_turtle)
    return _report(raws, engine, shapes, data.count(b"\n"), started)


def _store_of(store: EmbeddedStore | ox.Store) -> ox.Store:
    return store.store if isinstance(store, EmbeddedStore) else store


def _union(store: ox.Store, graphs: Sequence[ox.NamedNode] | None = None) -> Iterator[ox.Quad]:
    if graphs is None:
        yield from store.quads_for_pattern(None, None, None, None)
        return
    for graph in graphs:
        yield from store.quads_for_pattern(None, None, None, graph)


def validate_store(
    store: EmbeddedStore | ox.Store,
    *,
    engine: Engine = Engine.PYSHACL,
    shapes: Shapes | None = None,
    graphs: Sequence[ox.NamedNode] | None = None,
) -> ValidationReport:
    """Validate the union of the store's graphs (or of ``graphs`` only)."""
    return validate_triples(_union(_store_of(store), graphs), engine=engine, shapes=shapes)


def validate_registry(
    store: EmbeddedStore | ox.Store,
    *,
    engine: Engine | None = None,
    shapes: Shapes | None = None,
    base: str = DEFAULT_BASE,
) -> ValidationReport:
    """Validate the registry graphs (acteurs, organes, geography) once, on their own."""
    mint = Minter(base)
    graphs = [mint.registry_graph(name) for name in _REGISTRY_GRAPHS]
    return validate_store(store, engine=engine or build_engine(), shapes=shapes, graphs=graphs)


#: file suffix → RDF format that ``kg validate FILE`` reads
READ_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}


def read_rdf_files(paths: Sequence[Path]) -> list[Statement]:
    """The statements (triples and quads) of RDF files. :class:`InputError` names the file and the line."""
    statements: list[Statement] = []
    for path in paths:
        fmt = READ_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise InputError(
                f"unknown RDF file type {path.suffix or '(none)'!r} (expected one of {', '.join(READ_FORMATS)})",
                file=str(path),
            )
        if not path.is_file():
            raise InputError("no such file", file=str(path))
        try:
            statements.extend(ox.parse(path=path, format=fmt))
        except SyntaxError as exc:
            raise InputError(f"not valid {fmt.name}: {exc}", file=str(path)) from exc
        except OSError as exc:
            raise InputError(f"cannot read ({exc})", file=str(path)) from exc
    return statements


def validate_files(
    paths: Sequence[Path], *, engine: Engine = Engine.PYSHACL, shapes: Shapes | None = None
) -> ValidationReport:
    """Validate the merge of RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML)."""
    if not paths:
        raise InputError("no file to validate")
    return validate_triples(read_rdf_files(paths), engine=engine, shapes=shapes)


# ------------------------------------------------------------------ the build: questions in batches

#: question → registry links whose targets the context brings in (and topics, described by the batch itself)
_LINKS = frozenset(
    ox.NamedNode(iri)
    for iri in (
        "http://purl.org/dc/terms/creator",
        _HC + "authorMandate",
        _HC + "authorGroup",
        _HC + "constituency",
        _HC + "questionedMinistry",
        _HC + "attributedMinistry",
        _HC + "ministry",
        _HC + "answeringMinistry",
        "http://purl.org/dc/terms/subject",
    )
)
_GP = ox.Literal("GP")
_AUTHOR_GROUP_MEMBERSHIP = ox.NamedNode(_HC + "authorGroupMembership")
_READ_IN_BATCH = _LINKS | _EXPAND | {_AUTHOR_GROUP_MEMBERSHIP}  # the predicates _prepare looks at


@dataclass
class _Batch:
    """A batch of questions and the registry nodes they need, and which questions pulled in each node."""

    uids: frozenset[str]
    quads: list[Statement] = field(default_factory=list)
    pulled: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # registry node → uids
    _mentions: dict[str, set[str]] | None = None  # node → uids whose quads mention it (built on demand)
    _index: _Index | None = None

    def mentions(self, batch: Mapping[str, Sequence[ox.Quad]]) -> dict[str, set[str]]:
        if self._mentions is None:
            self._mentions = defaultdict(set)
            for uid, quads in batch.items():
                for quad in quads:
                    self._mentions[_node_id(quad.subject)].add(uid)
                    self._mentions[_node_id(quad.object)].add(uid)
        return self._mentions

    def index(self) -> _Index:
        if self._index is None:
            self._index = _Index(self.quads)
        return self._index


def judge_questions(
    batch: Mapping[str, Sequence[ox.Quad]],
    context: EmbeddedStore | ox.Store | None,
    *,
    engine: Engine | None = None,
    shapes: Shapes | None = None,
    base: str = DEFAULT_BASE,
    serialized: Mapping[str, bytes] | None = None,
) -> dict[str, list[ValidationResult]]:
    """Validate many questions in one engine call; give each question (uid) its own results.

    ``batch`` maps each uid to the quads :meth:`kg.mapping.QuestionMapper.map` made for it (its own named
    graph plus its facts in ``graph/topics`` and ``graph/mentions``). ``context`` is the store that holds the
    registry graphs (``graph/registry/{acteurs,organes,geography}``); from it each question gets the nodes it
    links to (author, mandate, group, ministries, constituency), what those need to be checked (the
    mandate's person, constituency and substitutions, the constituency's department) and the author's group
    memberships (typeOrgane GP). The membership a question names (hc:authorGroupMembership) is judged with it;
    the author's other group memberships are only read (their member and organe type, all that
    hcsh:Question-author-member-on-date needs): a question does not answer for registry nodes it does not
    link to, which the registry's own validation reports once (and they were ~40% of the context: judging
    10k questions took 15% less CPU, with the same results). ``None``: no registry (the links are then
    checked by pattern only).

    A result belongs to the question whose IRI its focus node is or extends (``question/{uid}``,
    ``question/{uid}/answer``, ``question/{uid}/attribution/{n}``, ``graph/question/{uid}``…). A result on a
    registry node belongs to every question of the batch that pulled the node in, narrowed to one question
    when the result's value is a question or its path starts from the questions
    (``^hc:authorMandate/hc:publicationDate``, ``^hc:authorGroupMembership/hc:publicationDate``: the
    questions whose date is the value). A result on a node the questions share (topic, organe named by a
    question) belongs to every question of the batch that mentions it. Every uid of the batch is a key of the
    answer (an empty list when it conforms); warnings are included: the caller decides by severity.

    ``serialized``: each question's quads (all of ``batch[uid]``, in any order) as N-Quads, when the caller
    has them already (the build does: they go to the store). The fast engine then reads those bytes rather
    than a new serialisation of the same quads (~15% of judging's CPU on the build's batches).
    """
    shapes = shapes or load_shapes()
    engine = engine or build_engine()
    mint = Minter(base)
    owner = _QuestionOwner(mint, batch)
    prepared = _prepare(batch, _store_of(context) if context is not None else None, mint)
    if serialized is not None and _reads_serialized(engine, shapes):
        own = sum(len(quads) for quads in batch.values())  # first in prepared.quads; the context follows
        data = b"".join(serialized[uid] for uid in batch)
        raws, _ = _run(prepared.quads[own:], engine, shapes, serialized=data)
    else:
        raws, _ = _run(prepared.quads, engine, shapes)
    verdicts: dict[str, set[ValidationResult]] = {uid: set() for uid in batch}
    for raw in raws:
        result = _typed(raw, shapes)
        uids = _attribute(result, raw, prepared, owner, batch, shapes)
        if not uids:
            log.warning("SHACL result on a node no question of the batch brought in: %s", result.one_line())
        for uid in uids:
            verdicts[uid].add(result)
    return {uid: sorted(results, key=lambda r: r.key()) for uid, results in verdicts.items()}


def _reads_serialized(engine: Engine, shapes: Shapes) -> bool:
    """Whether :func:`_run` takes data already serialised: the fast engine's one pass, no SPARQL apart."""
    return engine is Engine.FAST and (shapes.fast_plan or _plan_fast(shapes.graph)).sparql_turtle is None


class _QuestionOwner:
    """Which question of the batch an IRI belongs to, read from the IRI itself (no scan of the data):
    ``{base}question/{uid}…`` and ``{base}graph/question/{uid}``; ``{base}source/{sha}`` by its graph."""

    def __init__(self, mint: Minter, batch: Mapping[str, Sequence[ox.Quad]]) -> None:
        self._batch = batch
        self._pattern = re.compile(re.escape(mint.base) + r"(?:graph/)?question/([^/]+)(?:/.*)?$")
        self._source = mint.base + "source/"
        self._sources: dict[str, str] | None = None

    def __call__(self, node: str) -> str | None:
        match = self._pattern.match(node)
        if match is not None:
            return match.group(1) if match.group(1) in self._batch else None
        if node.startswith(self._source):
            if self._sources is None:
                self._sources = {
                    quad.object.value: uid
                    for uid, quads in self._batch.items()
                    for quad in quads
                    if quad.predicate == _DERIVED_FROM and isinstance(quad.object, ox.NamedNode)
                }
            return self._sources.get(node)
        return None


_DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")


def _prepare(batch: Mapping[str, Sequence[ox.Quad]], store: ox.Store | None, mint: Minter) -> _Batch:
    """The batch's quads, plus the registry nodes they link to and what checking those needs."""
    prepared = _Batch(uids=frozenset(batch))
    linked: dict[ox.NamedNode, set[str]] = defaultdict(set)
    authors: dict[ox.NamedNode, set[str]] = defaultdict(set)
    expand_in_batch: dict[ox.NamedNode, list[ox.NamedNode]] = defaultdict(list)
    named: set[ox.NamedNode] = set()  # the group memberships the questions name
    for uid, quads in batch.items():
        prepared.quads.extend(quads)
        for quad in quads:
            predicate = quad.predicate  # each read of a term makes a new object: once per quad
            if predicate not in _READ_IN_BATCH:
                continue
            target = quad.object
            if not isinstance(target, ox.NamedNode):
                continue
            if predicate in _LINKS:
                linked[target].add(uid)
                if predicate == _CREATOR:
                    authors[target].add(uid)
            elif predicate == _AUTHOR_GROUP_MEMBERSHIP:
                named.add(target)
            elif isinstance(source := quad.subject, ox.NamedNode):  # one of _EXPAND
                expand_in_batch[source].append(target)
    if store is None:
        return prepared
    graphs = frozenset(
        [mint.registry_graph(name) for name in _REGISTRY_GRAPHS]
        + [mint.shared_graph(name) for name in ("topics", "mentions")]
    )
    described: dict[ox.NamedNode, list[ox.NamedNode]] = {}  # node → what checking it needs
    queue = [(node, uids, 0) for node, uids in linked.items()]
    acteurs = mint.registry_graph("acteurs")
    for membership, uids in _group_memberships(store, mint, authors).items():
        if membership in named:  # judged with the questions that name it
            queue.append((membership, uids, 1))
        else:  # only read, by hcsh:Question-author-member-on-date: its member and organe type
            for predicate in (_ORG_MEMBER, _ORGANE_TYPE):
                prepared.quads.extend(store.quads_for_pattern(membership, predicate, None, acteurs))
    while queue:
        node, uids, depth = queue.pop()
        pulled = prepared.pulled[node.value]
        if node in described and uids <= pulled:
            continue
        pulled.update(uids)
        if node not in described:
            quads = [q for q in store.quads_for_pattern(node, None, None) if q.graph_name in graphs]
            prepared.quads.extend(quads)
            described[node] = [
                quad.object
                for quad in quads
                if quad.predicate in _EXPAND and isinstance(quad.object, ox.NamedNode)
            ]
            described[node] += expand_in_batch.get(node, ())
        if depth < 2:  # what checking the node needs: from the registry, or from the batch (a new topic)
            queue.extend((target, uids, depth + 1) for target in described[node])
    return prepared


def _group_memberships(
    store: ox.Store, mint: Minter, authors: Mapping[ox.NamedNode, set[str]]
) -> dict[ox.NamedNode, set[str]]:
    """The authors' group memberships (typeOrgane GP), each with the uids of its member's questions.

    hcsh:Question-author-member-on-date reads them (``dcterms:creator/^org:member/hc:organeType``: does the
    registry give the author any GP membership?), and the one a question links (hc:authorGroupMembership) is
    among them. Two index lookups in the acteurs graph, no query: the GP memberships, then the member of
    each (measured on the real registry, 4,171 GP memberships: 17 ms for any batch, where a SPARQL query
    per author took 200 ms for 1,159 authors)."""
    graph = mint.registry_graph("acteurs")
    if not store.contains_named_graph(graph):
        return {}
    found: dict[ox.NamedNode, set[str]] = defaultdict(set)
    for typed in store.quads_for_pattern(None, _ORGANE_TYPE, _GP, graph):
        membership = typed.subject
        if not isinstance(membership, ox.NamedNode):
            continue
        for quad in store.quads_for_pattern(membership, _ORG_MEMBER, None, graph):
            uids = authors.get(quad.object) if isinstance(quad.object, ox.NamedNode) else None
            if uids:
                found[membership].update(uids)
    return found


def _attribute(
    result: ValidationResult,
    raw: _Raw,
    prepared: _Batch,
    owner: _QuestionOwner,
    batch: Mapping[str, Sequence[ox.Quad]],
    shapes: Shapes,
) -> set[str]:
    """The uids of the batch a result belongs to (see :func:`judge_questions`)."""
    uid = owner(result.focus_node)
    if uid is not None:
        return {uid}
    if isinstance(raw.value, ox.NamedNode):
        uid = owner(raw.value.value)
        if uid is not None:
            return {uid}
    candidates = prepared.pulled.get(result.focus_node) or prepared.mentions(batch).get(
        result.focus_node, set()
    )
    info = shapes.info.get(result.source_shape)
    if info is None or info.path is None or not _starts_inverse(info.path):
        return set(candidates)
    narrowed = _narrow(info.path, raw, prepared.index(), owner)
    return narrowed & prepared.uids or set(candidates)


def _starts_inverse(path: ShapePath) -> bool:
    first = path.steps[0] if path.kind == "sequence" else path
    return first.kind == "inverse" and first.steps[0].kind == "predicate"


class _Index:
    """Subject and object indexes of the batch's data, to follow a path (built only when needed)."""

    def __init__(self, statements: Iterable[Statement]) -> None:
        self.forward: dict[tuple[str, str], set[_Node]] = defaultdict(set)
        self.backward: dict[tuple[str, str], set[_Node]] = defaultdict(set)
        for t in statements:
            self.forward[(str(t.subject), t.predicate.value)].add(t.object)
            self.backward[(str(t.object), t.predicate.value)].add(t.subject)

    def follow(self, nodes: set[_Node], path: ShapePath) -> set[_Node]:
        if path.kind == "predicate" and path.iri:
            iri = path.iri
            return {o for n in nodes for o in self.forward.get((str(n), iri), ())}
        if path.kind == "inverse" and path.steps[0].kind == "predicate" and path.steps[0].iri:
            iri = path.steps[0].iri
            return {s for n in nodes for s in self.backward.get((str(n), iri), ())}
        if path.kind == "sequence":
            for step in path.steps:
                nodes = self.follow(nodes, step)
            return nodes
        if path.kind == "alternative":
            return {o for step in path.steps for o in self.follow(nodes, step)}
        return set()


def _narrow(path: ShapePath, raw: _Raw, index: _Index, owner: _QuestionOwner) -> set[str]:
    """For a path ``^p/rest`` from a registry node: the questions that link the node by ``p`` and from which
    ``rest`` reaches the result's value (all of them when the result has no value)."""
    steps = path.steps if path.kind == "sequence" else (path,)
    first, rest = steps[0], ShapePath("sequence", steps=steps[1:])
    blamed: set[str] = set()
    for node in index.follow({raw.focus}, first):
        uid = owner(_node_id(node))
        if uid is None:
            continue
        if raw.value is None or not rest.steps or raw.value in index.follow({node}, rest):
            blamed.add(uid)
    return blamed
