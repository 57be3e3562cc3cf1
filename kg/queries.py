"""The competency queries: a catalog of ``queries/*.rq`` files, their typed parameters, and one way to run
them on the embedded store or on any SPARQL 1.1 endpoint.

Each file starts with a header of comment lines::

    # title: Questions of a deputy
    # description: Every question a deputy asked …
    #   (a line starting with ``#`` and two spaces continues the previous field)
    # param: deputy (pa-id, required) — the deputy's Assemblée identifier
    # param: legislature (integer, optional) — only this legislature
    # param: type (question-type, QE) — QE, QOSD, QG or all
    # example: --param deputy=PA345722

``(type, required)`` makes a parameter mandatory, ``(type, optional)`` leaves it unbound when not given
(the query then ranges over every value), any other word is the default value.

Parameters are bound as RDF terms, never pasted into the query text as text: each value is validated
against its type and turned into a pyoxigraph term, and the terms are written (in their N-Triples form,
which SPARQL reads as is) as ``VALUES ?name { term }`` blocks at the start of every ``WHERE`` group that
uses them, sub-queries included — the effect of binding the variables before evaluation, so a parameter
``?name`` means the same everywhere in its query. SPARQL over HTTP has no other way to pass bindings, so
the embedded store and a remote endpoint run the very same text. (SPARQL scoping still applies: after
``GROUP BY`` a parameter is visible only if grouped by.) pyoxigraph's own ``substitutions`` cannot serve:
it only accepts projected variables.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Protocol

import pyoxigraph as ox

from kg.errors import EndpointError, InputError
from kg.iris import ACTEUR_UID, DEFAULT_BASE, DEPARTMENT_CODE, ORGANE_UID, QUESTION_UID
from kg.resources import resource_dir
from kg.store import EmbeddedStore
from kg.vocab import OX_HC, PREFIXES

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_DATE = ox.NamedNode(_XSD + "date")
_XSD_INTEGER = ox.NamedNode(_XSD + "integer")

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

_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PARAM_LINE = re.compile(
    r"^(?P<name>\S+)\s*\(\s*(?P<type>[^,()]+?)\s*(?:,\s*(?P<default>[^()]*?)\s*)?\)\s*(?:[—–-]+\s*(?P<meaning>.*))?$"
)
_HEADER_FIELD = re.compile(r"^#\s?(?P<key>[a-z][a-z_-]*):\s*(?P<value>.*)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_STRING_PARAM = 1000
#: ``kg query`` on the embedded store: a query running longer is abandoned (``None``: no limit) …
DEFAULT_QUERY_TIMEOUT_S = 120.0
#: … and one giving more rows than this is refused (``None``: no limit).
DEFAULT_MAX_ROWS = 1_000_000


# ------------------------------------------------------------------ parameters


class ParamType(StrEnum):
    """The types a ``# param:`` line may declare, and the RDF term each value becomes."""

    DATE = "date"  # 2026-01-31 → "2026-01-31"^^xsd:date
    INTEGER = "integer"  # 16 → "16"^^xsd:integer
    PA_ID = "pa-id"  # PA345722 → "PA345722" (the dcterms:identifier of a person)
    PO_ID = "po-id"  # PO730934 → "PO730934" (the dcterms:identifier of an organe)
    QUESTION_UID = "question-uid"  # QANR5L15QE40439 → "QANR5L15QE40439"
    DEPARTMENT = "department"  # 92, 2A, 974, 099 → "92"
    QUESTION_TYPE = "question-type"  # QE | QOSD | QG → the hc: class; all → unbound
    STRING = "string"  # any text without control characters → a plain literal
    IRI = "iri"  # an absolute IRI → an IRI


_QUESTION_CLASSES: dict[str, ox.NamedNode | None] = {
    "QE": OX_HC.WrittenQuestion,
    "QOSD": OX_HC.OralQuestion,
    "QG": OX_HC.GovernmentQuestion,
    "ALL": None,
}

_PATTERNS: dict[ParamType, tuple[re.Pattern[str], str]] = {
    ParamType.PA_ID: (ACTEUR_UID, "a PA identifier such as PA345722"),
    ParamType.PO_ID: (ORGANE_UID, "a PO identifier such as PO730934"),
    ParamType.QUESTION_UID: (QUESTION_UID, "a question uid such as QANR5L15QE40439"),
    ParamType.DEPARTMENT: (DEPARTMENT_CODE, "a department code such as 01, 2A, 974 or 099"),
}


@dataclass(frozen=True, slots=True)
class Param:
    """One declared parameter. ``default`` is the value used when none is given (``None``: required
    when ``required``, else left unbound)."""

    name: str
    type: ParamType
    required: bool = False
    default: str | None = None
    description: str = ""

    @property
    def default_text(self) -> str:
        """``required``, ``optional`` or the default value, as the header writes it."""
        if self.required:
            return "required"
        return "optional" if self.default is None else self.default

    def term(self, raw: str, *, where: str) -> ox.NamedNode | ox.Literal | None:
        """The RDF term for ``raw`` (``None``: leave the variable unbound). Raises :class:`InputError`."""
        value = raw.strip()
        field = f"--param {self.name}"

        def bad(expected: str) -> InputError:
            return InputError(f"{value!r} is not {expected}", file=where, field=field)

        if self.type not in (ParamType.STRING, ParamType.IRI) and not value.isascii():
            # identifiers, numbers and dates are ASCII: Python's \d would also take "٣٤٥" for digits
            raise bad(f"a {self.type.value} (ASCII letters and digits only)")

        if self.type is ParamType.DATE:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise bad("a date (YYYY-MM-DD)")
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise bad("a date (YYYY-MM-DD)") from None
            return ox.Literal(day.isoformat(), datatype=_XSD_DATE)
        if self.type is ParamType.INTEGER:
            if not re.fullmatch(r"[+-]?\d{1,18}", value):
                raise bad("an integer")
            return ox.Literal(str(int(value)), datatype=_XSD_INTEGER)
        if self.type is ParamType.QUESTION_TYPE:
            key = value.upper()
            if key not in _QUESTION_CLASSES:
                raise bad("a question type (QE, QOSD, QG or all)")
            return _QUESTION_CLASSES[key]
        if self.type is ParamType.IRI:
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
                raise bad("an absolute IRI")
            try:
                return ox.NamedNode(value)
            except ValueError:
                raise bad("an absolute IRI") from None
        if self.type in _PATTERNS:
            pattern, expected = _PATTERNS[self.type]
            if not pattern.fullmatch(value):
                raise bad(expected)
            return ox.Literal(value)
        # STRING: the value as given (not stripped), any text but control characters
        if len(raw) > MAX_STRING_PARAM:
            raise InputError(f"value longer than {MAX_STRING_PARAM} characters", file=where, field=field)
        if _CONTROL.search(raw):
            raise InputError("value contains control characters", file=where, field=field)
        return ox.Literal(raw)


@dataclass(frozen=True, slots=True)
class QuerySpec:
    """A query of the catalog (or a file given on the command line), with its parsed header."""

    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = ()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def columns(self) -> tuple[str, ...]:
        """The result columns (projected variables), read by parsing the query (nothing is evaluated)."""
        result = _parse_check(self)
        if isinstance(result, ox.QuerySolutions):
            return tuple(v.value for v in result.variables)
        return ("ask",) if isinstance(result, ox.QueryBoolean) else ("subject", "predicate", "object")

    def bind(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Validate ``values`` against the declared parameters and apply defaults. Unknown names, missing
        required values and ill-typed values raise :class:`InputError` naming the query and the parameter."""
        where = self.name
        declared = {p.name for p in self.params}
        for name in values:
            if name not in declared:
                known = ", ".join(sorted(declared)) or "none"
                raise InputError(
                    f"unknown parameter {name!r} (this query takes: {known})",
                    file=where,
                    field=f"--param {name}",
                )
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for param in self.params:
            raw = values.get(param.name, param.default)
            if raw is None:
                if param.required:
                    raise InputError(
                        f"missing required parameter (give --param {param.name}=…: {param.description})",
                        file=where,
                        field=f"--param {param.name}",
                    )
                continue
            term = param.term(raw, where=where)
            if term is not None:
                bound[param.name] = term
        return bound

    def render(self, values: Mapping[str, str]) -> str:
        """The query text with ``values`` bound (validated) as a ``VALUES`` block in every WHERE group."""
        return inject_values(self.text, self.bind(values))


def _parse_check(spec: QuerySpec) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    try:
        return ox.Store().query(spec.text)
    except SyntaxError as exc:
        raise InputError(f"SPARQL syntax error: {exc}", file=str(spec.path)) from None


# ------------------------------------------------------------------ header and catalog


def parse_query_file(path: Path) -> QuerySpec:
    """Read one ``.rq`` file and its header. Raises :class:`InputError` naming the file and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the query ({exc})", file=str(path)) from None
    return parse_query_text(text, path)


def parse_query_text(text: str, path: Path) -> QuerySpec:
    fields: list[tuple[str, str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER_FIELD.match(stripped)
        if match:
            fields.append((match["key"], match["value"].strip()))
        elif fields and re.match(r"^#\s{2,}\S", stripped):
            key, value = fields[-1]
            fields[-1] = (key, f"{value} {stripped[1:].strip()}")
    title = description = ""
    params: list[Param] = []
    examples: list[str] = []
    where = str(path)
    for key, value in fields:
        if key == "title":
            title = value
        elif key == "description":
            description = value
        elif key == "param":
            param = _parse_param(value, where)
            if any(p.name == param.name for p in params):
                raise InputError(f"parameter {param.name!r} declared twice", file=where, field="# param")
            params.append(param)
        elif key == "example":
            examples.append(value)
    if not title:
        raise InputError("the header has no '# title:' line", file=where, field="# title")
    body = _strip_comments(text)
    for param in params:
        if not re.search(rf"[?$]{re.escape(param.name)}\b", body):
            raise InputError(
                f"parameter {param.name!r} is declared but the query never uses ?{param.name}",
                file=where,
                field="# param",
            )
    return QuerySpec(
        name=path.stem,
        path=path,
        text=text,
        title=title,
        description=description,
        params=tuple(params),
        examples=tuple(examples),
    )


def _parse_param(value: str, where: str) -> Param:
    match = _PARAM_LINE.match(value)
    if not match:
        raise InputError(
            f"cannot read {value!r} (expected: name (type, required|optional|default) — meaning)",
            file=where,
            field="# param",
        )
    name = match["name"]
    if not _PARAM_NAME.match(name):
        raise InputError(f"{name!r} is not a valid SPARQL variable name", file=where, field="# param")
    try:
        kind = ParamType(match["type"].strip().lower())
    except ValueError:
        known = ", ".join(t.value for t in ParamType)
        raise InputError(
            f"unknown parameter type {match['type']!r} for {name!r} (known: {known})",
            file=where,
            field="# param",
        ) from None
    default = (match["default"] or "optional").strip()
    param = Param(
        name=name,
        type=kind,
        required=default == "required",
        default=None if default in ("required", "optional") else default,
        description=(match["meaning"] or "").strip(),
    )
    if param.default is not None:
        param.term(param.default, where=where)  # a bad default is the query's fault: say so now
    return param


def catalog_dir() -> Path:
    """``queries/`` of the checkout, or the copy inside the installed wheel."""
    return resource_dir("queries")


def load_catalog(directory: Path | None = None) -> list[QuerySpec]:
    """Every ``*.rq`` of ``directory`` (default: the shipped ``queries/``), by name."""
    folder = directory or catalog_dir()
    return [parse_query_file(path) for path in sorted(folder.glob("*.rq"))]


def find_query(name_or_file: str, directory: Path | None = None) -> QuerySpec:
    """A catalog query by name (``questions-by-deputy``) or any ``.rq`` file by path."""
    candidate = Path(name_or_file)
    if name_or_file.endswith(".rq") or candidate.is_file():
        if not candidate.is_file():
            raise InputError("no such query file", file=name_or_file)
        return parse_query_file(candidate)
    folder = directory or catalog_dir()
    path = folder / f"{name_or_file}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name_or_file) or not path.is_file():
        known = ", ".join(spec.name for spec in load_catalog(folder))
        raise InputError(f"no query named {name_or_file!r} (known: {known})", file=str(folder))
    return parse_query_file(path)


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    """``["deputy=PA345722", …]`` → ``{"deputy": "PA345722"}``; a repeated name is an error."""
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"{item!r} is not name=value", field="--param")
        if name in values:
            raise InputError(f"parameter {name!r} given twice", field=f"--param {name}")
        values[name] = value
    return values


# ------------------------------------------------------------------ binding: VALUES injection


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "{", "}", "(", ")", "word", "other"
    start: int
    end: int
    text: str


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(
    r"[A-Za-z_][A-Za-z0-9_\-.]*(?::[A-Za-z0-9_\-.:%]*)?|[?$][A-Za-z0-9_]+|:[A-Za-z0-9_\-.:%]*|[0-9]+(?:\.[0-9]+)?"
)
_STRING_STARTS = ('"""', "'''", '"', "'")


def _tokens(text: str) -> Iterator[_Token]:
    """The tokens of a SPARQL query that matter for finding its groups: braces, parentheses and words,
    with comments, strings and IRIs skipped (so a ``{`` or ``#`` inside them is never mistaken)."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif ch in "\"'":
            quote = next(q for q in _STRING_STARTS if text.startswith(q, i))
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            yield _Token("other", i, min(j + len(quote), n), text[i : j + len(quote)])
            i = j + len(quote)
        elif ch == "<" and (m := _IRIREF.match(text, i)):
            yield _Token("other", i, m.end(), m.group())
            i = m.end()
        elif ch in "{}()":
            yield _Token(ch, i, i + 1, ch)
            i += 1
        elif m := _WORD.match(text, i):
            yield _Token("word", i, m.end(), m.group())
            i = m.end()
        else:
            yield _Token("other", i, i + 1, ch)
            i += 1


@dataclass(frozen=True, slots=True)
class _Group:
    open: int  # offset of "{"
    close: int  # offset of the matching "}"
    holds_subselect: bool  # { SELECT … }
    variables: frozenset[str]  # variables used in the group itself, not in the WHERE groups nested in it


def _where_groups(text: str) -> list[_Group]:
    """Every WHERE group: the group after each ``WHERE`` keyword, and the group of a query or sub-query
    written without the (optional) keyword. A group's variables are those of its whole (sub-)query — the
    SELECT clause, the group, GROUP BY, HAVING, ORDER BY — minus those of the sub-queries nested in it."""
    tokens = list(_tokens(text))
    closing: dict[int, int] = {}
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind == "{":
            stack.append(index)
        elif token.kind == "}" and stack:
            closing[stack.pop()] = index
    # (open brace, close brace, holds_subselect, first and last token of the (sub-)query)
    spans: list[tuple[int, int, bool, int, int]] = []
    pending: dict[int, str] = {}  # brace depth → "where" (next group is a WHERE group) | "template"
    starts: dict[int, int] = {}  # brace depth → token index of the query form keyword
    opened: list[int] = []  # token indexes of the open braces
    parens: list[int] = [0]  # open parentheses at each brace depth
    previous = ""
    for index, token in enumerate(tokens):
        depth = len(opened)
        word = token.text.upper() if token.kind == "word" else ""
        if word in ("SELECT", "ASK", "DESCRIBE", "CONSTRUCT") and parens[-1] == 0:
            pending[depth] = "template" if word == "CONSTRUCT" else "where"
            starts[depth] = index
        elif token.kind == "(":
            parens[-1] += 1
        elif token.kind == ")":
            parens[-1] = max(0, parens[-1] - 1)
        elif token.kind == "{":
            state = pending.pop(depth, None)
            is_where = parens[-1] == 0 and (previous == "WHERE" or state == "where")
            if state == "template" and previous != "WHERE":
                pending[depth] = "where"  # CONSTRUCT {template} [WHERE] {pattern}
                is_where = False
            if is_where and index in closing:
                nxt = tokens[index + 1] if index + 1 < len(tokens) else None
                holds_subselect = nxt is not None and nxt.kind == "word" and nxt.text.upper() == "SELECT"
                first = starts.get(depth, index)
                last = closing.get(opened[-1], len(tokens)) if opened else len(tokens)
                spans.append((index, closing[index], holds_subselect, first, last))
            opened.append(index)
            parens.append(0)
        elif token.kind == "}":
            if opened:
                opened.pop()
            if len(parens) > 1:
                parens.pop()
        previous = word if token.kind == "word" else token.kind
    groups = []
    for open_brace, close_brace, holds_subselect, first, last in spans:
        nested = [(a, b) for _, _, _, a, b in spans if first <= a and b <= last and (a, b) != (first, last)]
        variables = frozenset(
            tokens[i].text[1:]
            for i in range(first, last)
            if tokens[i].text[:1] in "?$" and not any(a <= i < b for a, b in nested)
        )
        groups.append(_Group(tokens[open_brace].start, tokens[close_brace].start, holds_subselect, variables))
    return groups


def values_clause(bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """``VALUES ?a { term } VALUES ?b { term }`` from terms in their N-Triples form (valid SPARQL syntax).

    One single-row block per variable (a join of one-row tables, the same as one block of several
    variables): Virtuoso 7.2 fails on multi-variable VALUES followed by an OPTIONAL (SP031 internal error)."""
    names = sorted(bindings)
    for name in names:
        if not _PARAM_NAME.match(name):
            raise InputError(f"{name!r} is not a valid SPARQL variable name", field="--param")
    return " ".join(f"VALUES ?{name} {{ {bindings[name]} }}" for name in names)


def inject_values(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """``text`` with ``bindings`` as VALUES blocks at the start of every WHERE group that uses them
    (sub-queries included: a sub-query sees only what it binds itself). Unchanged when empty.

    A group gets only the parameters it mentions outside its own sub-queries: binding a variable in a group
    whose UNION branches do not all mention it makes Virtuoso 7.2 drop those branches."""
    if not bindings:
        return text
    groups = _where_groups(text)
    if not groups:
        raise InputError("cannot find the WHERE group of the query to bind its parameters")
    inserts: list[tuple[int, str]] = []
    for group in groups:
        used = {name: term for name, term in bindings.items() if name in group.variables}
        if not used:
            continue
        clause = values_clause(used)
        if group.holds_subselect:  # { SELECT … } → { VALUES … { SELECT … } }
            inserts.append((group.open + 1, f" {clause} {{"))
            inserts.append((group.close, "} "))
        else:
            inserts.append((group.open + 1, f" {clause} "))
    out = text
    for position, snippet in sorted(inserts, key=lambda item: item[0], reverse=True):
        out = out[:position] + snippet + out[position:]
    return out


def _strip_comments(text: str) -> str:
    """The query's tokens without its comments (strings and IRIs kept whole), to look for variables."""
    return " ".join(token.text for token in _tokens(text))


# ------------------------------------------------------------------ results

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


# ------------------------------------------------------------------ where queries run


class QueryTarget(Protocol):
    """Where a query runs: the embedded store or a SPARQL endpoint. Both answer with a :class:`ResultTable`."""

    @property
    def description(self) -> str: ...

    def execute(self, text: str, *, name: str = "query") -> ResultTable: ...


class EmbeddedTarget:
    """The embedded pyoxigraph store, queried over the union of its named graphs.

    ``timeout`` (seconds) and ``max_rows`` bound a query (``None``: no bound). pyoxigraph cannot cancel a
    query, but it releases the GIL while it evaluates: the query runs in a daemon thread, and past the
    timeout :meth:`execute` gives up waiting and raises. Rows are produced lazily, and the thread stops at
    the next row once the time is up; a query that computes for long before its first row (a big sort or
    aggregate) keeps its thread busy until that row or the end of the process (``kg query`` exits at once)."""

    def __init__(
        self,
        store: EmbeddedStore,
        *,
        timeout: float | None = DEFAULT_QUERY_TIMEOUT_S,
        max_rows: int | None = DEFAULT_MAX_ROWS,
    ) -> None:
        self.store = store
        self.timeout = timeout or None
        self.max_rows = max_rows or None

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        timeout: float | None = DEFAULT_QUERY_TIMEOUT_S,
        max_rows: int | None = DEFAULT_MAX_ROWS,
    ) -> EmbeddedTarget:
        return cls(EmbeddedStore(path, read_only=True), timeout=timeout, max_rows=max_rows)

    @property
    def description(self) -> str:
        return f"store {self.store.path}" if self.store.path else "store (in memory)"

    def execute(self, text: str, *, name: str = "query") -> ResultTable:
        if self.timeout is None:
            return self._evaluate(text, name, None)
        deadline = time.monotonic() + self.timeout
        outcome: list[ResultTable | BaseException] = []

        def work() -> None:
            try:
                outcome.append(self._evaluate(text, name, deadline))
            except BaseException as exc:  # handed to the caller's thread, without the frames that hold
                outcome.append(exc.with_traceback(None))  # pyoxigraph objects (dropped in this thread only)

        worker = threading.Thread(target=work, name=f"kg-query-{name}", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if not outcome:
            raise self._timed_out(name)
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _timed_out(self, name: str) -> InputError:
        return InputError(
            f"the query ran longer than {self.timeout:g} s and was abandoned "
            "(give a longer --timeout, or 0 for no limit)",
            file=name,
            field="--timeout",
        )

    def _rows(
        self, solutions: ox.QuerySolutions, width: int, name: str, deadline: float | None
    ) -> tuple[tuple[Term | None, ...], ...]:
        rows: list[tuple[Term | None, ...]] = []
        limit = self.max_rows
        for solution in solutions:
            rows.append(tuple(solution[i] for i in range(width)))
            if limit is not None and len(rows) > limit:
                raise InputError(
                    f"the query gives more than {limit} rows (add a LIMIT, or give a larger --max-rows)",
                    file=name,
                    field="--max-rows",
                )
            if deadline is not None and len(rows) % 1024 == 0 and time.monotonic() > deadline:
                raise self._timed_out(name)
        return tuple(rows)

    def _evaluate(self, text: str, name: str, deadline: float | None) -> ResultTable:
        started = time.perf_counter()
        try:
            result = self.store.store.query(text, use_default_graph_as_union=True)
            if isinstance(result, ox.QueryBoolean):
                return ResultTable(
                    ("ask",),
                    ((ox.Literal(bool(result)),),),
                    time.perf_counter() - started,
                    self.description,
                )
            if not isinstance(result, ox.QuerySolutions):
                raise InputError("only SELECT and ASK queries can be run here", file=name)
            columns = tuple(v.value for v in result.variables)
            rows = self._rows(result, len(columns), name, deadline)
        except SyntaxError as exc:
            raise InputError(f"SPARQL syntax error: {exc}", file=name) from None
        except OSError as exc:
            raise InputError(f"the store cannot be read ({exc})", file=name) from None
        return ResultTable(columns, rows, time.perf_counter() - started, self.description)


class EndpointTarget:
    """A SPARQL 1.1 Protocol endpoint (``…/query`` of Oxigraph, ``…/sparql`` of Virtuoso, …), through
    SPARQLWrapper, POSTing the query and reading JSON results. The endpoint's default graph must be the
    union of the named graphs (Oxigraph: ``--union-default-graph``; Virtuoso, GraphDB: by default)."""

    def __init__(
        self,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
        timeout: float = 120.0,
    ) -> None:
        if not re.match(r"^https?://\S+$", url):
            raise InputError(f"{url!r} is not an http(s) URL", field="--endpoint")
        self.url = url
        self.user = user
        self.password = password
        self.auth = auth
        self.timeout = timeout

    @property
    def description(self) -> str:
        return f"endpoint {self.url}"

    def execute(self, text: str, *, name: str = "query") -> ResultTable:
        from SPARQLWrapper import DIGEST, JSON, POST, SPARQLWrapper

        started = time.perf_counter()
        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setReturnFormat(JSON)
        client.setTimeout(max(1, round(self.timeout)))
        client.setQuery(text)
        if self.user is not None:
            client.setCredentials(self.user, self.password or "")
            if self.auth == "digest":
                client.setHTTPAuth(DIGEST)
        try:
            payload = client.queryAndConvert()
        except Exception as exc:  # SPARQLWrapper, urllib and socket errors alike
            raise EndpointError(f"{self.url}: {_one_line(exc)}") from None
        if not isinstance(payload, dict):
            raise EndpointError(f"{self.url}: the endpoint did not answer with SPARQL JSON results")
        table = results_from_json(payload, where=self.url)
        return ResultTable(table.columns, table.rows, time.perf_counter() - started, self.description)


def _one_line(exc: BaseException) -> str:
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
        raise EndpointError(f"{where}: malformed SPARQL JSON results ({_one_line(exc)})") from None
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


def run_query(spec: QuerySpec, values: Mapping[str, str], target: QueryTarget) -> ResultTable:
    """Bind ``values`` (validated against the header) and run ``spec`` on ``target``."""
    return target.execute(spec.render(values), name=spec.name)


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
