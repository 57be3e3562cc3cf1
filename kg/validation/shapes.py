"""The shapes graph: loaded once from ``shapes/``, described shape by shape, planned for the fast engine."""

from __future__ import annotations

import logging
import pickle
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg.errors import InputError, KgError
from kg.export import atomic_writer
from kg.resources import ontology_file, resource_dir
from kg.validation.results import DISPLAY_PREFIXES, Severity, ValidationResult, compact
from kg.vocab import SH

_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))

log = logging.getLogger(__name__)

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


def load_shapes(directory: Path | None = None, *, kept: Path | None = None) -> Shapes:
    """Every ``*.ttl`` of ``shapes/`` (the installed copy, else the checkout's), parsed once a process.

    ``kept``: a file that keeps them parsed (a pickle; the build names it after a digest of the shapes and
    of the code that reads them: :meth:`kg.build.registry_cache.RegistryCache.shapes_file`), read instead
    of parsing when it is there and written when it is not. Parsing cost every build's process ~0.4 CPU s
    (each worker, and a one-page build: a fifth of its time). A file that cannot be read is parsed again."""
    path = (directory or resource_dir("shapes")).resolve()
    shapes = _LOADED.get(path)
    if shapes is None:
        shapes = _read_kept(kept, path) if kept is not None else None
        if shapes is None:
            shapes = _load_shapes(path)
            if kept is not None:
                _keep(shapes, kept)
        _LOADED[path] = shapes
    elif kept is not None and not kept.exists():  # parsed before this process knew where to keep them
        _keep(shapes, kept)
    return shapes


_LOADED: dict[Path, Shapes] = {}


def _read_kept(kept: Path, directory: Path) -> Shapes | None:
    try:
        shapes = pickle.loads(kept.read_bytes())
    except Exception:  # missing, truncated, or made by other code: parse them
        return None
    return shapes if isinstance(shapes, Shapes) and shapes.directory == directory else None


def _keep(shapes: Shapes, kept: Path) -> None:
    """Write the parsed shapes to ``kept`` atomically; best effort (a cache that cannot be written is no error)."""
    try:
        with atomic_writer(kept) as out:
            pickle.dump(shapes, out, protocol=pickle.HIGHEST_PROTOCOL)
    except (KgError, OSError):
        return


def changelog_version(directory: Path | None = None) -> str | None:
    """The shapes' version: the newest ``## x.y.z`` heading of ``shapes/CHANGELOG.md``, their one version source
    (the loader stamps it on every shapes document as ``owl:versionInfo``)."""
    path = (directory or resource_dir("shapes")) / "CHANGELOG.md"
    if not path.is_file():
        return None
    match = re.search(r"^## \[?(\d+\.\d+\.\d+)\]?", path.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else None


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
    version = changelog_version(directory) or "unversioned"
    for document in set(graph.subjects(RDF.type, OWL.Ontology)):  # one version source: the CHANGELOG
        if (document, OWL.versionInfo, None) not in graph:
            graph.add((document, OWL.versionInfo, Literal(version)))
    return Shapes(
        directory=directory,
        graph=graph,
        turtle=graph.serialize(format="turtle"),
        version=version,
        info=_shape_infos(graph, origin),
        files=tuple(f.name for f in files),
        subclass_axioms=_subclass_axioms(),
        fast_plan=plan_fast(graph),
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


def plan_fast(graph: Graph) -> _FastPlan:
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


def copy_path(source: Graph, node: Node, target: Graph) -> Node:
    """Copy a path structure (blank nodes and lists) from the shapes graph into the report graph."""
    if not isinstance(node, BNode):
        return node
    copy = BNode()
    for predicate, obj in source.predicate_objects(node):
        target.add((copy, predicate, copy_path(source, obj, target)))
    return copy


def _subclass_axioms() -> tuple[ox.Triple, ...]:
    ontology = Graph().parse(ontology_file(), format="turtle")
    return tuple(
        ox.Triple(ox.NamedNode(str(s)), _SUBCLASS, ox.NamedNode(str(o)))
        for s, o in sorted(ontology.subject_objects(RDFS.subClassOf))
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    )
