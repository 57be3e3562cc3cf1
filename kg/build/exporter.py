"""Exporter mode (``kg build --no-store``): what the build would load, counted instead of loaded.

The dataset description (:func:`kg.build.dataset.describe`) needs the number of triples and, per class, its
instances, and one example of each main kind. A build without a store takes them from the N-Quads it writes:
each distinct line is one quad (the mapping writes one quad a line, shared facts once), and the lines of the
few predicates the description looks at are read as they come (the ``rdf:type`` lines give each class its
instances).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from types import TracebackType

import pyoxigraph as ox

from kg.build.dataset import DatasetFacts

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


_TYPE, _QUESTIONED = (f"<{p}>".encode() for p in DESCRIBED[:2])  # the others: their objects are examples
_CONCEPT = b"<http://www.w3.org/2004/02/skos/core#Concept>"


class TypeTally:
    """Counts the quads submitted and gathers from the kept lines what the description needs: the distinct
    instances of each class and the least IRI of each kind of example (as the store's queries would find
    them; tests/test_export_mode.py compares the two). Loading those lines (~1.1M at 100k) into an
    in-memory store for two queries cost ~7 CPU s of the build's main process; reading them, ~1 s."""

    def __init__(self) -> None:
        self.triples = 0
        self.cpu = 0.0
        self._first = True
        #: what the first submission (the registry's graphs) counted: its triples and kept lines, for the
        #: registry cache (a build with the same registry then neither maps nor counts it again)
        self.registry_tally: tuple[int, bytes] | None = None
        self._instances: defaultdict[bytes, set[bytes]] = defaultdict(set)  # class → its instances
        self._least: dict[bytes, bytes] = {}  # example kind (a predicate, or skos:Concept) → least IRI

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
        instances, least = self._instances, self._least
        for line in kept.splitlines():
            # pyoxigraph's N-Quads: subject, predicate and object (an IRI or a blank node for these
            # predicates) hold no space
            subject, predicate, node, _ = line.split(b" ", 3)
            if predicate == _TYPE:
                instances[node].add(subject)
                if node == _CONCEPT:
                    _keep_least(least, _CONCEPT, subject)
            elif predicate == _QUESTIONED:
                _keep_least(least, predicate, subject)
            else:  # dcterms:creator, hc:attributedMinistry: their objects
                _keep_least(least, predicate, node)
        self.cpu += time.thread_time() - started

    def facts(self) -> DatasetFacts:
        """What the description counts, from the lines kept so far."""
        classes = {
            cls[1:-1].decode(): len(members)
            for cls, members in self._instances.items()
            if cls.startswith(b"<")
        }
        return DatasetFacts(classes, [iri.decode() for iri in self._least.values()])

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


def _keep_least(least: dict[bytes, bytes], kind: bytes, term: bytes) -> None:
    """Keep ``term`` as the example of ``kind`` when it is an IRI less than the one kept (the order of their
    UTF-8 bytes is that of their code points: SPARQL's ``MIN(STR(…))``)."""
    if term.startswith(b"<"):
        iri = term[1:-1]
        known = least.get(kind)
        if known is None or iri < known:
            least[kind] = iri
