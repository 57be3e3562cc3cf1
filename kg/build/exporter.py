"""Exporter mode (``kg build --no-store``): what the build would load, counted instead of loaded.

The dataset description (:func:`kg.build.dataset.describe`) needs the number of triples and, per class, its
instances. A build without a store takes them from the N-Quads it writes: each distinct line is one quad
(the mapping writes one quad a line, shared facts once), and the ``rdf:type`` lines alone go into a small
in-memory store the description queries (with the few other statements it looks at). Same interface as :class:`kg.store.BackgroundLoader`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from types import TracebackType

import pyoxigraph as ox

from kg.store import EmbeddedStore

#: The predicates :func:`kg.build.dataset.describe` queries (classes, example resources): their lines are
#: kept (tests/test_export_mode.py compares the description with a store build's, so a new one shows).
DESCRIBED = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "https://w3id.org/hemicycle/ontology#questionedMinistry",
    "https://w3id.org/hemicycle/ontology#attributedMinistry",
    "http://purl.org/dc/terms/creator",
)
#: a line with one of those predicates (subjects, IRIs or blank nodes, hold no space)
_KEPT_LINE = re.compile(
    rb"^\S+ <(?:" + b"|".join(re.escape(p.encode()) for p in DESCRIBED) + rb")> [^\n]*\n", re.MULTILINE
)


#: the same predicates as terms, for the workers to pick the lines out of their quads (cheaper than the
#: regular expression over the N-Quads, and beside the mapping rather than after it)
DESCRIBED_PREDICATES = frozenset(ox.NamedNode(p) for p in DESCRIBED)


def kept_lines(quads: Sequence[ox.Quad]) -> bytes:
    """The statements among ``quads`` the description needs, as N-Quads (what :class:`TypeTally` keeps)."""
    kept = [quad for quad in quads if quad.predicate in DESCRIBED_PREDICATES]
    return (ox.serialize(kept, None, ox.RdfFormat.N_QUADS) or b"") if kept else b""


def kept_in(nquads: bytes) -> bytes:
    """The lines of ``nquads`` the description needs."""
    return b"".join(_KEPT_LINE.findall(nquads))


class TypeTally:
    """Counts the quads submitted and keeps the statements the description needs in ``types`` (in memory)."""

    def __init__(self, types: EmbeddedStore) -> None:
        self.types = types
        self.triples = 0
        self.cpu = 0.0
        self._first = True
        #: what the first submission (the registry's graphs) counted: its triples and kept lines, for the
        #: registry cache (a build with the same registry then neither maps nor counts it again)
        self.registry_tally: tuple[int, bytes] | None = None

    def submit(self, graphs: Sequence[ox.NamedNode], nquads: bytes, kept: bytes | None = None) -> None:
        """Count ``nquads``; keep ``kept`` (the lines of the described predicates among them, when the
        caller has them already) or else the lines found in ``nquads``."""
        started = time.thread_time()
        if self._first:  # the registry's graphs: the one part where the mapping may repeat a statement
            self._first = False
            lines = set(nquads.splitlines())
            lines.discard(b"")
            typed = kept_in(nquads) if kept is None else kept
            self.registry_tally = (len(lines), typed)
            counted = len(lines)
        else:
            typed = kept_in(nquads) if kept is None else kept
            counted = nquads.count(b"\n")
        self.cpu += time.thread_time() - started
        self.add(counted, typed)

    def add(self, triples: int, kept: bytes) -> None:
        """Count quads already counted elsewhere (the registry's, from the cache) and keep their lines."""
        started = time.thread_time()
        self._first = False
        self.triples += triples
        if kept:
            self.types.store.bulk_load(kept, ox.RdfFormat.N_QUADS, lenient=True)  # our own N-Quads
        self.cpu += time.thread_time() - started

    def then(self, task: Callable[[], None]) -> None:
        task()

    def wait(self) -> None:
        return None

    def __enter__(self) -> TypeTally:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None
