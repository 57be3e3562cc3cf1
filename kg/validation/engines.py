"""The two SHACL engines behind one call that gives typed results.

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
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.errors import InputError
from kg.validation.results import Engine, Severity, ValidationReport, ValidationResult, compact
from kg.validation.shapes import Shapes, plan_fast
from kg.validation.terms import node_id, ox_term, parse_nt_term
from kg.vocab import SH

log = logging.getLogger(__name__)


def fast_engine_available() -> bool:
    """True when ``shacl-rust`` is installed (the extra ``hemicycle-kg[fast]``)."""
    return importlib.util.find_spec("shacl_rust") is not None


def build_engine() -> Engine:
    """The engine ``kg build`` uses: the fast one when installed, else pySHACL."""
    return Engine.FAST if fast_engine_available() else Engine.PYSHACL


# ------------------------------------------------------------------ engines


@dataclass(frozen=True, slots=True)
class RawResult:
    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    path: str | None  # the engine's own rendering, used only when the shape has no sh:path
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    shape: str
    component: str
    severity: str
    message: str | None


Statement = ox.Triple | ox.Quad


def run_engine(
    statements: Iterable[Statement], engine: Engine, shapes: Shapes, serialized: bytes = b""
) -> tuple[list[RawResult], int]:
    """Serialise the data (plus the ontology's class hierarchy) once, run the engine on it.

    The fast engine reads N-Quads and validates the union of the graphs; pySHACL gets one rdflib graph.
    ``serialized``: more data, already N-Quads (only for the fast engine, on a list of quads and shapes
    without SPARQL: see :func:`_reads_serialized`)."""
    if engine is Engine.FAST and isinstance(statements, list):
        plan = shapes.fast_plan or plan_fast(shapes.graph)
        if plan.sparql_turtle is None and all(type(s) is ox.Quad for s in statements):
            # the build's batches: quads in a list, no SPARQL shape to set apart — straight to the engine
            rest = ox.serialize([*statements, *quads_of(shapes.subclass_axioms)], None, ox.RdfFormat.N_QUADS)
            batch = serialized + rest if serialized and rest else serialized or rest or b""
            return run_fast(io.BytesIO(batch), plan.core_turtle), len(statements)
    if serialized:
        raise ValueError("serialized data is read by the fast engine only, on shapes without SPARQL")
    counter = _Counter(statements)
    with tempfile.TemporaryFile() as handle:
        if engine is Engine.FAST:
            plan = shapes.fast_plan or plan_fast(shapes.graph)
            apart: list[ox.Quad] = []
            data = quads_of(_chain(counter, shapes.subclass_axioms))
            ox.serialize(_tap(data, plan.sparql_predicates, apart), handle, ox.RdfFormat.N_QUADS)
            handle.seek(0)
            raws = run_fast(handle, plan.core_turtle)
            if plan.sparql_turtle is not None:
                apart_bytes = ox.serialize(apart, format=ox.RdfFormat.N_QUADS)
                assert apart_bytes is not None
                raws += run_fast(io.BytesIO(apart_bytes), plan.sparql_turtle)
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


def quads_of(statements: Iterable[Statement]) -> Iterator[ox.Quad]:
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


def run_fast(data: IO[bytes], shapes_turtle: str) -> list[RawResult]:
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
    out: list[RawResult] = []
    for result in report["results"]:
        value = result.get("value")
        messages = result.get("messages") or []
        out.append(
            RawResult(
                focus=parse_nt_term(result["focusNode"]),
                path=result.get("resultPath"),
                value=parse_nt_term(value) if value else None,
                shape=_strip_brackets(result["sourceShape"]),
                component=_strip_brackets(result["sourceConstraintComponent"]),
                severity=_strip_brackets(result["severity"]).removeprefix(str(SH)),
                message=messages[0] if messages else None,
            )
        )
    return out


def _strip_brackets(text: str) -> str:
    return text[1:-1] if text.startswith("<") and text.endswith(">") else text


def _run_pyshacl(data: IO[bytes], shapes: Shapes) -> list[RawResult]:
    import pyshacl  # heavy import, only when used

    graph = Graph()
    graph.parse(source=data, format="nt")
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes.graph, advanced=False, inference=None)
    assert isinstance(report, Graph)
    out: list[RawResult] = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        value = report.value(node, SH.value)
        path = report.value(node, SH.resultPath)
        severity = report.value(node, SH.resultSeverity)
        shape = report.value(node, SH.sourceShape)
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        assert focus is not None and severity is not None and shape is not None
        out.append(
            RawResult(
                focus=ox_term(focus),
                path=f"<{path}>" if isinstance(path, URIRef) else None,
                value=ox_term(value) if value is not None else None,
                shape=node_id(ox_term(shape)),
                component=str(report.value(node, SH.sourceConstraintComponent)),
                severity=str(severity).removeprefix(str(SH)),
                message=messages[0] if messages else None,
            )
        )
    return out


def typed_result(raw: RawResult, shapes: Shapes) -> ValidationResult:
    info = shapes.info.get(raw.shape)
    path: str | None
    if info is not None and info.kind == "property" and info.path is not None:
        path = info.path.render()
    elif raw.path:
        path = compact(_strip_brackets(raw.path)) if raw.path.startswith("<") else raw.path
    else:
        path = None
    return ValidationResult(
        focus_node=node_id(raw.focus),
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


def make_report(
    raws: Sequence[RawResult], engine: Engine, shapes: Shapes, triples: int, started: float
) -> ValidationReport:
    results = sorted(
        {typed_result(raw, shapes) for raw in raws}, key=lambda r: (r.key(), r.engine_message or "")
    )
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
