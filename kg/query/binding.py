"""Typed query parameters: validate each value, turn it into an RDF term, and bind it into the query text.

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

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pyoxigraph as ox

from kg.errors import InputError
from kg.iris import ACTEUR_UID, DEPARTMENT_CODE, ORGANE_UID, QUESTION_UID
from kg.vocab import OX_HC

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_DATE = ox.NamedNode(_XSD + "date")
_XSD_INTEGER = ox.NamedNode(_XSD + "integer")

PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_STRING_PARAM = 1000


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
            value = value.upper()  # identifiers are upper case: qanr5l15qe40439, pa345722 and 2a are meant
            if not pattern.fullmatch(value):
                raise bad(expected)
            return ox.Literal(value)
        # STRING: the value as given (not stripped), any text but control characters
        if len(raw) > MAX_STRING_PARAM:
            raise InputError(f"value longer than {MAX_STRING_PARAM} characters", file=where, field=field)
        if _CONTROL.search(raw):
            raise InputError("value contains control characters", file=where, field=field)
        return ox.Literal(raw)


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
        if not PARAM_NAME.match(name):
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


def strip_comments(text: str) -> str:
    """The query's tokens without its comments (strings and IRIs kept whole), to look for variables."""
    return " ".join(token.text for token in _tokens(text))
