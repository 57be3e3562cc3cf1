"""Serialisation of the store: one table of formats, deterministic output, atomic writes.

Triple formats (Turtle, N-Triples) carry the union of all named graphs, each triple once; quad formats
(N-Quads, TriG, JSON-LD) keep the named graphs. Output is sorted, so the same store gives
byte-identical files (Oxigraph's index order depends on the data only), and Turtle uses the stable prefixes of :data:`kg.vocab.PREFIXES`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import InputError
from kg.store import EmbeddedStore
from kg.vocab import PREFIXES


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    rdf_format: ox.RdfFormat
    quads: bool  # keeps named graphs
    suffixes: tuple[str, ...]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("ttl", ox.RdfFormat.TURTLE, False, (".ttl",)),
        Format("nt", ox.RdfFormat.N_TRIPLES, False, (".nt",)),
        Format("nq", ox.RdfFormat.N_QUADS, True, (".nq",)),
        Format("trig", ox.RdfFormat.TRIG, True, (".trig",)),
        Format("jsonld", ox.RdfFormat.JSON_LD, True, (".jsonld", ".json")),
    )
}


def format_for(out: Path | None, name: str | None) -> Format:
    """The format named, else the one the file suffix says, else Turtle."""
    if name:
        try:
            return FORMATS[name]
        except KeyError:
            raise InputError(
                f"unknown format {name!r} (choose from {', '.join(FORMATS)})", field="--format"
            ) from None
    if out is not None:
        for fmt in FORMATS.values():
            if out.suffix.lower() in fmt.suffixes:
                return fmt
    return FORMATS["ttl"]


#: Each triple of the union of the named graphs once, streamed by Oxigraph in its index order (which
#: depends on the data only, so the same store always gives the same bytes).
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def export(store: EmbeddedStore, out: Path, fmt: Format) -> None:
    """Write the store to ``out`` atomically (``-`` writes to standard output)."""
    if str(out) == "-":
        _write(store, sys.stdout.buffer, fmt)
        sys.stdout.buffer.flush()
        return
    with atomic_writer(out) as handle:
        _write(store, handle, fmt)


def _write(store: EmbeddedStore, handle: IO[bytes], fmt: Format) -> None:
    prefixes = PREFIXES if fmt.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    if fmt.quads:
        store.store.dump(handle, fmt.rdf_format, prefixes=prefixes)
    else:
        ox.serialize(store.store.query(_UNION), handle, fmt.rdf_format, prefixes=prefixes)  # type: ignore[arg-type]


def export_stream(chunks: Iterable[bytes], out: Path, fmt: Format) -> None:
    """Write chunks of N-Quads (a build's batches, in order) as ``fmt``: N-Quads as they are, other
    formats through Oxigraph's parser and serializer, streamed (never the whole graph in memory)."""

    def quads() -> Iterator[ox.Quad]:
        for chunk in chunks:
            yield from ox.parse(chunk, ox.RdfFormat.N_QUADS)

    def write(handle: IO[bytes]) -> None:
        if fmt.rdf_format == ox.RdfFormat.N_QUADS:
            for chunk in chunks:
                handle.write(chunk)
            return
        prefixes = PREFIXES if fmt.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        data: Iterator[ox.Quad] | Iterator[ox.Triple] = quads() if fmt.quads else (q.triple for q in quads())
        ox.serialize(data, handle, fmt.rdf_format, prefixes=prefixes)

    if str(out) == "-":
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    with atomic_writer(out) as handle:
        write(handle)


@contextmanager
def atomic_writer(path: Path) -> Iterator[IO[bytes]]:
    """A binary file handle whose content replaces ``path`` only when the block completes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    Path(tmp).chmod(0o666 & ~umask)  # mkstemp makes 0600 files; give the usual permissions
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
