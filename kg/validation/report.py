"""What can be validated (triples, N-Quads, a store, the registry, RDF files), each into one typed report."""

from __future__ import annotations

import io
import logging
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.iris import DEFAULT_BASE, Minter
from kg.store import EmbeddedStore
from kg.validation.engines import Statement, build_engine, make_report, quads_of, run_engine, run_fast
from kg.validation.results import Engine, ValidationReport
from kg.validation.shapes import Shapes, load_shapes, plan_fast

#: the registry's named graphs (kg.iris.Minter.registry_graph names)
REGISTRY_GRAPHS = ("acteurs", "organes", "geography")

log = logging.getLogger(__name__)

# ------------------------------------------------------------------ what can be validated


def validate_triples(
    statements: Iterable[Statement], *, engine: Engine = Engine.PYSHACL, shapes: Shapes | None = None
) -> ValidationReport:
    """Validate the union of triples and quads (every named graph merged; duplicates are harmless)."""
    started = time.perf_counter()
    shapes = shapes or load_shapes()
    raws, count = run_engine(statements, engine, shapes)
    return make_report(raws, engine, shapes, count, started)


def validate_nquads(
    data: bytes, *, engine: Engine = Engine.PYSHACL, shapes: Shapes | None = None
) -> ValidationReport:
    """Validate N-Quads bytes (the union of their graphs). With the fast engine the bytes go to the engine
    as they are: no Python object per statement (the registry alone is over a million statements)."""
    started = time.perf_counter()
    shapes = shapes or load_shapes()
    if engine is not Engine.FAST:
        return validate_triples(ox.parse(data, ox.RdfFormat.N_QUADS), engine=engine, shapes=shapes)
    plan = shapes.fast_plan or plan_fast(shapes.graph)
    axioms = ox.serialize(quads_of(shapes.subclass_axioms), None, ox.RdfFormat.N_QUADS) or b""
    with tempfile.TemporaryFile() as handle:
        handle.write(data)
        handle.write(axioms)
        handle.seek(0)
        raws = run_fast(handle, plan.core_turtle)
    if plan.sparql_turtle is not None:
        # the SPARQL-based shapes see only the statements of their predicates: a cheap byte-level pick of
        # the lines that may hold one, then an exact check on the parsed statements
        markers = tuple(f"> <{p.value}> ".encode() for p in plan.sparql_predicates)
        lines = b"".join(line for line in data.splitlines(keepends=True) if any(m in line for m in markers))
        apart = [q for q in ox.parse(lines, ox.RdfFormat.N_QUADS) if q.predicate in plan.sparql_predicates]
        apart_bytes = ox.serialize(apart, None, ox.RdfFormat.N_QUADS) or b""
        raws += run_fast(io.BytesIO(apart_bytes), plan.sparql_turtle)
    return make_report(raws, engine, shapes, data.count(b"\n"), started)


def store_of(store: EmbeddedStore | ox.Store) -> ox.Store:
    return store.store if isinstance(store, EmbeddedStore) else store


def _union(store: ox.Store, graphs: Sequence[ox.NamedNode] | None = None) -> Iterator[ox.Quad]:
    if graphs is None:
        yield from store.quads_for_pattern(None, None, None, None)
        return
    for graph in graphs:
        yield from store.quads_for_pattern(None, None, None, graph)


def validate_store(
    store: EmbeddedStore | ox.Store,
    *,
    engine: Engine = Engine.PYSHACL,
    shapes: Shapes | None = None,
    graphs: Sequence[ox.NamedNode] | None = None,
) -> ValidationReport:
    """Validate the union of the store's graphs (or of ``graphs`` only)."""
    return validate_triples(_union(store_of(store), graphs), engine=engine, shapes=shapes)


def validate_registry(
    store: EmbeddedStore | ox.Store,
    *,
    engine: Engine | None = None,
    shapes: Shapes | None = None,
    base: str = DEFAULT_BASE,
) -> ValidationReport:
    """Validate the registry graphs (acteurs, organes, geography) once, on their own."""
    mint = Minter(base)
    graphs = [mint.registry_graph(name) for name in REGISTRY_GRAPHS]
    return validate_store(store, engine=engine or build_engine(), shapes=shapes, graphs=graphs)


#: file suffix → RDF format that ``kg validate FILE`` reads
READ_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}


def read_rdf_files(paths: Sequence[Path]) -> list[Statement]:
    """The statements (triples and quads) of RDF files. :class:`InputError` names the file and the line."""
    statements: list[Statement] = []
    for path in paths:
        fmt = READ_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise InputError(
                f"unknown RDF file type {path.suffix or '(none)'!r} (expected one of {', '.join(READ_FORMATS)})",
                file=str(path),
            )
        if not path.is_file():
            raise InputError("no such file", file=str(path))
        try:
            statements.extend(ox.parse(path=path, format=fmt))
        except SyntaxError as exc:
            raise InputError(f"not valid {fmt.name}: {exc}", file=str(path)) from exc
        except OSError as exc:
            raise InputError(f"cannot read ({exc})", file=str(path)) from exc
    return statements


def validate_files(
    paths: Sequence[Path], *, engine: Engine = Engine.PYSHACL, shapes: Shapes | None = None
) -> ValidationReport:
    """Validate the merge of RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML)."""
    if not paths:
        raise InputError("no file to validate")
    return validate_triples(read_rdf_files(paths), engine=engine, shapes=shapes)
