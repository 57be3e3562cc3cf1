"""The typed validation report: results with every field of a SHACL result, severities, conformance."""

from __future__ import annotations

import logging
import re
from enum import StrEnum
from typing import TYPE_CHECKING

import orjson
from pydantic import BaseModel, ConfigDict
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rich.table import Table

from kg.errors import ExitCode
from kg.validation.terms import rdflib_term
from kg.vocab import PREFIXES, SH

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from kg.validation.shapes import Shapes

SHAPES_IRI = "https://w3id.org/hemicycle/shapes#"
#: prefixes used to print paths, shapes and components compactly (stable: reports must not change)
DISPLAY_PREFIXES: dict[str, str] = {**PREFIXES, "hcsh": SHAPES_IRI, "sh": str(SH)}


class Engine(StrEnum):
    PYSHACL = "pyshacl"
    FAST = "fast"


class Severity(StrEnum):
    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


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
        from kg.validation.shapes import (  # the shapes module reads these results' types
            copy_path,
            load_shapes,
        )

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
            graph.add((node, SH.focusNode, rdflib_term(result.focus_node, iri=True)))
            graph.add((node, SH.sourceShape, rdflib_term(result.source_shape, iri=True)))
            graph.add((node, SH.sourceConstraintComponent, URIRef(result.component)))
            graph.add((node, SH.resultSeverity, SH[result.severity.value]))
            graph.add((node, SH.resultMessage, Literal(result.message_fr, lang="fr")))
            graph.add((node, SH.resultMessage, Literal(result.message_en, lang="en")))
            if result.value is not None:
                graph.add((node, SH.value, rdflib_term(result.value)))
            path = shapes.path_node(result)
            if path is not None:
                graph.add((node, SH.resultPath, copy_path(shapes.graph, path, graph)))
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
