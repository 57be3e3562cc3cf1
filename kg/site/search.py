"""The search index: SQLite FTS5 over the names of questions, people, bodies, places and topics, built from
the store once per store content (keyed by its fingerprint), insensitive to case, accents and word order."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from kg.store import EmbeddedStore

#: Bumped when the index's layout or content changes, so old index files are rebuilt.
INDEX_VERSION: Final = 1
_WORD = re.compile(r"\w+", re.UNICODE)

# kind, SPARQL giving (?item ?text ?weight-free extra): one scan per predicate, hash-joined
_SOURCES: Final[tuple[tuple[str, str], ...]] = (
    (
        "question",
        """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        PREFIX hc: <https://w3id.org/hemicycle/ontology#>
        SELECT ?item ?label ?extra ?detail WHERE {
          { SELECT ?item ?label WHERE { ?item hc:number ?n ; dcterms:identifier ?label } }
          OPTIONAL { SELECT ?item ?detail WHERE { ?item hc:number ?n2 ; dcterms:title ?detail } }
          OPTIONAL { SELECT ?item ?extra WHERE { ?item dcterms:creator ?p . ?p foaf:name ?extra } }
        }""",
    ),
    (
        "person",
        """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        SELECT ?item ?label ?extra (?extra AS ?detail) WHERE {
          ?item foaf:name ?label . OPTIONAL { ?item dcterms:identifier ?extra } }""",
    ),
    (
        "organe",
        """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX hc: <https://w3id.org/hemicycle/ontology#> PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?item ?label (CONCAT(COALESCE(?id, ""), " ", COALESCE(?short, ""), " ", COALESCE(?abbr, "")) AS ?extra)
               ?detail WHERE {
          ?item a org:Organization ; skos:prefLabel ?label .
          OPTIONAL { ?item dcterms:identifier ?id } OPTIONAL { ?item hc:shortLabel ?short }
          OPTIONAL { ?item hc:abbreviation ?abbr } OPTIONAL { ?item hc:organeType ?detail } }""",
    ),
    (
        "place",
        """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX hc: <https://w3id.org/hemicycle/ontology#>
        SELECT ?item ?label ?extra ?detail WHERE {
          { ?item a hc:Constituency } UNION { ?item a hc:Department }
          ?item rdfs:label ?label . OPTIONAL { ?item dcterms:identifier ?extra } }""",
    ),
    (
        "topic",
        """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?item ?label ?extra ?detail WHERE { ?item a skos:Concept ; skos:prefLabel ?label .
          OPTIONAL { ?item skos:inScheme ?scheme . ?scheme skos:prefLabel ?detail } }""",
    ),
)
#: Kinds listed first when they rank alike: people are what most searches look for.
_KIND_ORDER: Final = {"person": 0, "organe": 1, "topic": 2, "place": 3, "question": 4}


@dataclass(frozen=True, slots=True)
class Hit:
    iri: str
    kind: str  # question | person | organe | place | topic
    label: str
    detail: str


def fingerprint(store: EmbeddedStore) -> str:
    """What the store holds, in a few index reads: its dataset description (VoID counts) and the checksums
    of every source its graphs were made from (so a rebuilt record changes it)."""
    digest = hashlib.sha256(f"v{INDEX_VERSION}".encode())
    query = """PREFIX hc: <https://w3id.org/hemicycle/ontology#> PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?x WHERE { { ?s hc:sha256 ?x } UNION { ?s void:triples ?x } }"""
    solutions = store.store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    for value in sorted(str(row[0]) for row in solutions):
        digest.update(value.encode())
        digest.update(b"\n")
    return digest.hexdigest()[:32]


def normalise_query(text: str) -> str | None:
    """The user's words as an FTS5 query: each word quoted, a prefix match, all required (any order)."""
    words = _WORD.findall(text)[:12]
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words)


class SearchIndex:
    """The FTS5 index of one store, in a file beside the store (``<store>.search-<fingerprint>.sqlite``), in
    the user's temporary directory when the store's directory is not writable, in memory for an in-memory
    store. Thread-safe: one connection per thread."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self._local = threading.local()
        self._lock = threading.Lock()
        self._path: Path | None = None
        self._memory: sqlite3.Connection | None = None

    def _index_path(self) -> Path | None:
        if self.store.path is None:
            return None
        key = fingerprint(self.store)
        name = f"{self.store.path.name}.search-{key}.sqlite"
        beside = self.store.path.parent
        if os.access(beside, os.W_OK):
            return beside / name
        cache = Path(tempfile.gettempdir()) / "hemicycle-kg"
        cache.mkdir(exist_ok=True)
        return cache / f"{hashlib.sha256(str(self.store.path.resolve()).encode()).hexdigest()[:12]}-{name}"

    def ensure(self) -> None:
        """Build the index unless a file of the store's current content exists (done once per process)."""
        with self._lock:
            if self._path is not None or self._memory is not None:
                return
            path = self._index_path()
            if path is None:
                self._memory = sqlite3.connect(":memory:", check_same_thread=False)
                self._fill(self._memory)
                return
            if not path.exists():
                partial = path.with_suffix(f".{os.getpid()}.partial")
                with contextlib.closing(sqlite3.connect(partial)) as db:
                    self._fill(db)
                partial.replace(path)  # atomic: a reader sees no index or a whole one
                for old in path.parent.glob(
                    f"{self.store.path.name if self.store.path else ''}.search-*.sqlite"
                ):
                    if old != path:
                        with contextlib.suppress(OSError):
                            old.unlink()
            self._path = path

    def _fill(self, db: sqlite3.Connection) -> None:
        db.execute(
            "CREATE VIRTUAL TABLE entry USING fts5(label, extra, iri UNINDEXED, kind UNINDEXED, "
            "detail UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
        )
        db.executemany("INSERT INTO entry VALUES (?, ?, ?, ?, ?)", self._entries())
        db.commit()

    def _entries(self) -> Iterator[tuple[str, str, str, str, str]]:
        seen: set[str] = set()
        for kind, query in _SOURCES:
            solutions = self.store.store.query(query, use_default_graph_as_union=True)
            assert isinstance(solutions, ox.QuerySolutions)
            for row in solutions:
                item, label, extra, detail = row[0], row[1], row[2], row[3]
                if not isinstance(item, ox.NamedNode) or label is None or item.value in seen:
                    continue
                seen.add(item.value)
                yield (
                    label.value,
                    extra.value if extra is not None else "",
                    item.value,
                    kind,
                    detail.value if detail is not None else "",
                )

    def _connection(self) -> sqlite3.Connection:
        self.ensure()
        if self._memory is not None:
            return self._memory
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            assert self._path is not None
            db = sqlite3.connect(f"file:{self._path}?mode=ro", uri=True)
            self._local.db = db
        return db

    def search(self, text: str, limit: int = 50, offset: int = 0) -> tuple[list[Hit], int]:
        """The entries matching every word of ``text`` (best first) and how many match in all."""
        match = normalise_query(text)
        if match is None:
            return [], 0
        db = self._connection()
        with self._lock if self._memory is not None else contextlib.nullcontext():
            total = db.execute("SELECT count(*) FROM entry WHERE entry MATCH ?", (match,)).fetchone()[0]
            rows = db.execute(
                "SELECT iri, kind, label, detail FROM entry WHERE entry MATCH ? "
                "ORDER BY bm25(entry, 10.0, 1.0), CASE kind "
                + " ".join(f"WHEN '{k}' THEN {v}" for k, v in _KIND_ORDER.items())
                + " END, label LIMIT ? OFFSET ?",
                (match, limit, offset),
            ).fetchall()
        return [Hit(*row) for row in rows], int(total)
