"""The served query page's parts: examples, prefixes and the result table.

A form runs SPARQL on the server (no JavaScript, no CDN), with the project's prefixes known, the catalog's
queries as examples, and result IRIs linked to their pages on this server."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox

from kg.errors import KgError
from kg.query.binding import parse_assignments
from kg.query.catalog import load_catalog
from kg.vocab import PREFIXES

#: rows a page shows (the guard's result limit still applies to the query itself)
SHOWN_ROWS = 1000
#: what the page answers with, best first: solutions as JSON, graphs as N-Triples
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
DEFAULT_QUERY = """SELECT ?question ?title ?author ?authorName WHERE {
  ?question a hc:Question ;
            dcterms:title ?title ;
            dcterms:creator ?author .
  ?author foaf:name ?authorName .
}
ORDER BY ?question
LIMIT 20"""
_DECLARED = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:")


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    title: str
    description: str
    text: str


@cache
def examples() -> tuple[Example, ...]:
    """The catalog's queries, each with its first example's parameters bound."""
    found: list[Example] = []
    for spec in load_catalog():
        words = (spec.examples or ("",))[0].split()
        try:
            text = spec.render(parse_assignments([w for w in words if "=" in w]))
        except KgError:
            text = spec.text
        found.append(Example(spec.name, spec.title or spec.name, spec.description, text.strip()))
    return tuple(found)


def with_prefixes(query: str) -> str:
    """``query`` with a ``PREFIX`` line for each project prefix it uses and does not declare."""
    declared = {m.group(1) or "" for m in _DECLARED.finditer(query)}
    lines = [
        f"PREFIX {name}: <{iri}>"
        for name, iri in PREFIXES.items()
        if name not in declared and re.search(rf"(?<![\w:<]){re.escape(name)}:", query)
    ]
    return "\n".join([*lines, query]) if lines else query


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    href: str | None = None
    kind: str = "literal"  # iri, literal, blank


@dataclass(slots=True)
class Outcome:
    """What the page shows under the form: a table, a yes/no, or an error sentence."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell | None]] = field(default_factory=list)
    total: int = 0
    boolean: bool | None = None
    error: str | None = None
    ms: float = 0.0


def cell(term: Mapping[str, str] | ox.NamedNode | ox.Literal | ox.BlankNode, href: HrefFn) -> Cell:
    if isinstance(term, ox.NamedNode):
        return Cell(term.value, href(term.value), "iri")
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}", None, "blank")
    if isinstance(term, ox.Literal):
        return Cell(term.value)
    kind, value = term.get("type", "literal"), term.get("value", "")
    if kind == "uri":
        return Cell(value, href(value), "iri")
    if kind == "bnode":
        return Cell(f"_:{value}", None, "blank")
    return Cell(value)


class HrefFn:
    """Where a result IRI links: its page on this server when it is one of ours, else the IRI itself."""

    def __init__(self, base: str, root: str) -> None:
        self.base, self.root = base, root

    def __call__(self, iri: str) -> str:
        return self.root + iri[len(self.base) :] if iri.startswith(self.base) else iri


def outcome(status: int, content_type: str, body: bytes, href: HrefFn) -> Outcome:
    """The server's answer to the page's query, as the page shows it."""
    media = content_type.split(";", 1)[0].strip().lower()
    if status != 200:
        text = " ".join(body.decode("utf-8", "replace").split())[:600]
        return Outcome(error=f"HTTP {status}: {text or 'no message'}")
    if media == "application/sparql-results+json":
        data = json.loads(body)
        if "boolean" in data:
            return Outcome(boolean=bool(data["boolean"]))
        columns: list[str] = list(data.get("head", {}).get("vars", []))
        bindings = data.get("results", {}).get("bindings", [])
        rows = [[cell(b[c], href) if c in b else None for c in columns] for b in bindings[:SHOWN_ROWS]]
        return Outcome(columns=columns, rows=rows, total=len(bindings))
    if media == "application/n-triples":
        triples = list(ox.parse(body, ox.RdfFormat.N_TRIPLES))
        rows = [
            [cell(t.subject, href), cell(t.predicate, href), cell(t.object, href)]
            for t in triples[:SHOWN_ROWS]
        ]
        return Outcome(columns=["subject", "predicate", "object"], rows=rows, total=len(triples))
    return Outcome(error=f"the server answered in {media or 'an unknown format'}")
