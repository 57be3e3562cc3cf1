"""Serialisation of the store: one table of formats, deterministic output, atomic writes.

Triple formats (Turtle, N-Triples) carry the union of all named graphs, each triple once; quad formats
(N-Quads, TriG, JSON-LD) keep the named graphs. Output is sorted, so the same store gives
byte-identical files (Oxigraph's index order depends on the data only), and Turtle uses the stable prefixes of :data:`kg.vocab.PREFIXES`.
"""

from __future__ import annotations

import errno
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
    """The format named, else the one the file suffix says, else Turtle. A format named that the suffix of
    ``out`` contradicts (``--format nt --out x.ttl``) is an error: the file would lie about its content."""
    by_suffix = _by_suffix(out) if out is not None and str(out) != "-" else None
    if name:
        try:
            fmt = FORMATS[name]
        except KeyError:
            raise InputError(
                f"unknown format {name!r} (choose from {', '.join(FORMATS)})", field="--format"
            ) from None
        if out is not None and by_suffix is not None and by_suffix is not fmt:
            raise InputError(
                f"--format {fmt.name}, but the name says {by_suffix.name}: name the file "
                f"{out.with_suffix(fmt.suffixes[0]).name} or leave --format out",
                file=str(out),
                field="--out",
            )
        return fmt
    return by_suffix or FORMATS["ttl"]


def _by_suffix(out: Path) -> Format | None:
    for fmt in FORMATS.values():
        if out.suffix.lower() in fmt.suffixes:
            return fmt
    return None


def default_output(fmt: Format, stem: str = "hemicycle") -> Path:
    """Where a graph goes when no ``--out`` is given: ``out/hemicycle`` with the format's own suffix, so an
    export in one format never overwrites the file of another."""
    return Path("out") / f"{stem}{fmt.suffixes[0]}"


def check_writable(path: Path, what: str = "--out") -> None:
    """Raise :class:`InputError` (a usage error) when ``path`` cannot be written as a file: it is a folder,
    a file stands where a folder of its path should be, or its nearest existing folder is not writable.
    Creates nothing: a build checks its outputs before it opens (and creates) the store."""
    if str(path) == "-":
        return
    if path.is_dir():
        raise InputError("is a folder, not a file", file=str(path), field=what)
    parent = path.parent
    while not parent.exists():
        if parent.is_symlink():  # a dangling link: mkdir would fail
            raise InputError(f"{parent} is a broken link", file=str(path), field=what)
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{parent} is a file, not a folder", file=str(path), field=what)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write in {parent} (permission denied)", file=str(path), field=what)


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


#: Formats a build writes while it loads the store; the others are written from the store once built.
STREAMED = frozenset({"ttl", "nt", "nq"})


class Renderer:
    """Statements as pieces of one document in ``fmt``: each piece without the prefix block, which
    :attr:`header` holds once. Pieces made anywhere (in worker processes too) concatenate, in any grouping,
    into the document the serializer would write for all their statements in that order. Triple formats
    take the triple of each quad (the union of the graphs: the build writes each triple once)."""

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self.prefixes = PREFIXES if fmt.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        probe = ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"))
        data = self._serialize([probe])
        self.header = data[: data.rindex(b"<urn:x:s>")]

    def _serialize(self, quads: Iterable[ox.Quad]) -> bytes:
        statements: Iterable[ox.Quad] | Iterable[ox.Triple] = (
            quads if self.fmt.quads else (q.triple for q in quads)
        )
        return ox.serialize(statements, None, self.fmt.rdf_format, prefixes=self.prefixes) or b""

    def piece(self, quads: Iterable[ox.Quad]) -> bytes:
        data = self._serialize(quads)
        if not data:
            return b""
        assert data.startswith(self.header)
        return data[len(self.header) :]

    def piece_of_nquads(self, nquads: bytes) -> bytes:
        if self.fmt.rdf_format == ox.RdfFormat.N_QUADS:
            return nquads
        return self.piece(ox.parse(nquads, ox.RdfFormat.N_QUADS))


class StreamedOutput:
    """The output of a build into a new store, written as the store is loaded (no second pass over it)."""

    def __init__(self, handle: IO[bytes], fmt: Format) -> None:
        if fmt.name not in STREAMED:
            raise ValueError(f"{fmt.name} is written from the store, not streamed")
        self.handle = handle
        self.renderer = Renderer(fmt)
        self._started = False

    def write(self, piece: bytes) -> None:
        """A piece made by :class:`Renderer` for this format."""
        if not piece:
            return
        if not self._started:
            self.handle.write(self.renderer.header)
            self._started = True
        self.handle.write(piece)

    def write_nquads(self, nquads: bytes) -> None:
        self.write(self.renderer.piece_of_nquads(nquads))

    def copy(self, source: int, offset: int, length: int) -> None:
        """A piece made by :class:`Renderer` for this format, ``length`` bytes at ``offset`` of the file
        open as ``source``, copied by the kernel (no pass through this process's memory)."""
        if not length:
            return
        if not self._started:
            self.handle.write(self.renderer.header)
            self._started = True
        self.handle.flush()
        copy_range(source, self.handle.fileno(), offset, length)


def copy_range(source: int, target: int, offset: int, length: int) -> None:
    """Append ``length`` bytes of the file open as ``source``, from ``offset``, to ``target`` at its
    position: ``copy_file_range`` (within the kernel, a reflink where the file system shares blocks), else
    ``sendfile`` (Linux), else a plain read and write (other systems, pipes the kernel cannot copy to)."""
    while length:
        copied = _copy_some(source, target, offset, length)
        if not copied:
            raise OSError(errno.EIO, f"{length} bytes missing from the piece being copied")
        offset += copied
        length -= copied


#: the kernel cannot copy between these files (across file systems, to a pipe, not supported here)
_NO_KERNEL_COPY = frozenset({errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF})


def _copy_some(source: int, target: int, offset: int, length: int) -> int:
    copy_file_range = getattr(os, "copy_file_range", None)  # Linux only
    if copy_file_range is not None:
        try:
            copied: int = copy_file_range(source, target, length, offset)
            return copied
        except OSError as exc:
            if exc.errno not in _NO_KERNEL_COPY:
                raise
    if sys.platform == "linux":  # elsewhere, sendfile writes to sockets only
        try:
            return os.sendfile(target, source, offset, length)
        except OSError as exc:
            if exc.errno not in _NO_KERNEL_COPY:
                raise
    os.lseek(source, offset, os.SEEK_SET)
    data = os.read(source, min(length, 16 * 2**20))
    written = 0
    while written < len(data):
        written += os.write(target, data[written:])
    return len(data)


@contextmanager
def output_handle(out: Path) -> Iterator[IO[bytes]]:
    """``out`` written atomically, or standard output for ``-``."""
    if str(out) == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with atomic_writer(out) as handle:
        yield handle


@contextmanager
def atomic_writer(path: Path) -> Iterator[IO[bytes]]:
    """A binary file handle whose content replaces ``path`` only when the block completes."""
    check_writable(path, "file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"cannot write here ({exc.strerror or exc})", file=str(path)) from None
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
