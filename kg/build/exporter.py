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


class TypeTally:
    """Counts the quads submitted and keeps the statements the description needs in ``types`` (in memory)."""

    def __init__(self, types: EmbeddedStore) -> None:
        self.types = types
        self.triples = 0
        self.cpu = 0.0
        self._first = True

    def submit(self, graphs: Sequence[ox.NamedNode], nquads: bytes) -> None:
        started = time.thread_time()
        if self._first:  # the registry's graphs: the one part where the mapping may repeat a statement
            self._first = False
            lines = set(nquads.splitlines())
            lines.discard(b"")
            self.triples += len(lines)
        else:
            self.triples += nquads.count(b"\n")
        typed = b"".join(_KEPT_LINE.findall(nquads))
        if typed:
            self.types.store.bulk_load(typed, ox.RdfFormat.N_QUADS)
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
