"""Query results: the table every target answers with, and its output formats (table, CSV, TSV, JSON).

:class:`ResultTable` holds RDF terms; :func:`results_from_json` reads SPARQL 1.1 JSON results into one, and
:func:`write_result` writes it out."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import EndpointError, InputError
from kg.iris import DEFAULT_BASE
from kg.vocab import PREFIXES

_XSD = "http://www.w3.org/2001/XMLSchema#"

#: XSD datatypes whose values are integers (Virtuoso and others answer COUNT with several of them)
_INTEGER_TYPES = frozenset(
    _XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)
_DECIMAL_TYPES = frozenset(_XSD + name for name in ("decimal", "double", "float"))
#: decimals are rounded to this many places, so engines that compute means with different precision agree
DECIMAL_PLACES = 6


Term = ox.NamedNode | ox.BlankNode | ox.Literal
Cell = str | int | float | bool | date | None


@dataclass(frozen=True, slots=True)
class ResultTable:
    """The answer to a query: column names and rows of RDF terms (``None`` where unbound)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]
    seconds: float = 0.0
    source: str = ""

    def __len__(self) -> int:
        return len(self.rows)

    def values(self) -> list[tuple[Cell, ...]]:
        """The rows as Python values: IRIs as strings, integers as int, decimals as float (rounded to
        :data:`DECIMAL_PLACES`), booleans as bool, dates as :class:`datetime.date`, other literals as str."""
        return [tuple(python_value(term) for term in row) for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """The rows as JSON-ready objects keyed by column (dates as ISO strings, unbound as ``None``)."""
        return [
            {column: _jsonable(value) for column, value in zip(self.columns, row, strict=True)}
            for row in self.values()
        ]


def python_value(term: Term | None) -> Cell:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    datatype = term.datatype.value
    lexical = term.value.strip()
    try:
        if datatype in _INTEGER_TYPES:
            return int(lexical)
        if datatype in _DECIMAL_TYPES:
            number = Decimal(lexical)
            if not number.is_finite():
                return term.value
            return round(float(number), DECIMAL_PLACES)
        if datatype == _XSD + "boolean":
            if lexical in ("true", "1"):
                return True
            if lexical in ("false", "0"):
                return False
        if datatype == _XSD + "date":
            return (
                date.fromisoformat(lexical[:10])
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", lexical)
                else term.value
            )
    except (ValueError, InvalidOperation):
        return term.value
    return term.value


def _jsonable(value: Cell) -> str | int | float | bool | None:
    return value.isoformat() if isinstance(value, date) else value


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = text.replace("Tip: ", "")
    return text if len(text) <= 400 else text[:397] + "…"


def results_from_json(payload: Mapping[str, Any], *, where: str = "endpoint") -> ResultTable:
    """A :class:`ResultTable` from SPARQL 1.1 Query Results JSON (``typed-literal`` of old Virtuoso too)."""
    if "boolean" in payload:
        return ResultTable(("ask",), ((ox.Literal(bool(payload["boolean"])),),), source=where)
    try:
        columns = tuple(str(v) for v in payload["head"]["vars"])
        bindings = payload["results"]["bindings"]
        rows = tuple(
            tuple(_term_from_json(binding.get(column)) for column in columns) for binding in bindings
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise EndpointError(f"{where}: malformed SPARQL JSON results ({one_line(exc)})") from None
    return ResultTable(columns, rows, source=where)


def _term_from_json(value: Mapping[str, str] | None) -> Term | None:
    if value is None:
        return None
    kind, text = value["type"], value["value"]
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        try:
            return ox.BlankNode(text)
        except ValueError:
            return ox.BlankNode()
    if "xml:lang" in value:
        return ox.Literal(text, language=value["xml:lang"])
    if "datatype" in value:
        return ox.Literal(text, datatype=ox.NamedNode(value["datatype"]))
    if kind in ("literal", "typed-literal"):
        return ox.Literal(text)
    raise ValueError(f"unknown term type {kind!r}")


# ------------------------------------------------------------------ output formats

OUTPUT_FORMATS = ("table", "csv", "tsv", "json")


def write_result(result: ResultTable, fmt: str, stream: IO[str], *, base: str = DEFAULT_BASE) -> None:
    """Write ``result`` as ``table`` (aligned, IRIs shortened), ``csv`` (RFC 4180), ``tsv`` (tab,
    newline and backslash escaped as ``\\t``, ``\\n``, ``\\\\``) or ``json`` (an array of objects)."""
    if fmt == "json":
        stream.write(json.dumps(result.records(), ensure_ascii=False, indent=2))
        stream.write("\n")
    elif fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.values():
            writer.writerow(["" if v is None else _text(v) for v in row])
    elif fmt == "tsv":
        stream.write("\t".join(result.columns) + "\n")
        for row in result.values():
            stream.write("\t".join("" if v is None else _tsv_escape(_text(v)) for v in row) + "\n")
    elif fmt == "table":
        stream.write(render_table(result, base=base))
    else:
        raise InputError(
            f"unknown format {fmt!r} (choose from {', '.join(OUTPUT_FORMATS)})", field="--format"
        )


def format_result(result: ResultTable, fmt: str, *, base: str = DEFAULT_BASE) -> str:
    buffer = io.StringIO()
    write_result(result, fmt, buffer, base=base)
    return buffer.getvalue()


def _text(value: Cell) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _tsv_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def shorten(iri: str, base: str = DEFAULT_BASE) -> str:
    """``https://w3id.org/hemicycle/organe/PO1`` → ``organe/PO1``; ``…ontology#Answered`` → ``hc:Answered``."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    if iri.startswith(base) and len(iri) > len(base):
        return iri[len(base) :]
    return iri


@dataclass
class _Column:
    name: str
    cells: list[str] = field(default_factory=list)
    numeric: bool = True


def render_table(result: ResultTable, *, base: str = DEFAULT_BASE) -> str:
    """A plain aligned text table (no colours, so it can be piped), with a row count at the end."""
    columns = [_Column(name) for name in result.columns]
    for term_row, value_row in zip(result.rows, result.values(), strict=True):
        for column, term, value in zip(columns, term_row, value_row, strict=True):
            if value is None:
                text = ""
            elif isinstance(term, ox.NamedNode):
                text = shorten(term.value, base)
            else:
                text = _text(value)
            text = text.replace("\n", " ")
            if len(text) > 80:
                text = text[:79] + "…"
            column.numeric &= value is None or (
                isinstance(value, int | float) and not isinstance(value, bool)
            )
            column.cells.append(text)
    widths = [max([len(c.name), *(len(cell) for cell in c.cells)]) for c in columns]
    lines = [
        "  ".join(c.name.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for index in range(len(result.rows)):
        cells = [
            (c.cells[index].rjust(w) if c.numeric else c.cells[index].ljust(w))
            for c, w in zip(columns, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    count = len(result.rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"
