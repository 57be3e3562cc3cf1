"""The embedded store: pyoxigraph on disk (default ``./hemicycle.oxigraph``), or in memory.

Writing replaces whole named graphs: a rebuilt question replaces exactly its own triples.
"""

from __future__ import annotations

import tempfile
import time
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import IO

import pyoxigraph as ox

from kg.errors import InputError

DEFAULT_STORE = Path("hemicycle.oxigraph")


class EmbeddedStore:
    def __init__(self, path: Path | None = DEFAULT_STORE, *, read_only: bool = False) -> None:
        self.path = path
        if path is None:
            self.store = ox.Store()
        elif read_only:
            if not path.is_dir():
                raise InputError("no store here (build one with 'kg build')", file=str(path))
            try:
                self.store = ox.Store.read_only(str(path))
            except OSError as exc:
                raise InputError(f"cannot open the store read-only ({exc})", file=str(path)) from exc
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.store = ox.Store(str(path))
            except OSError as exc:
                raise InputError(f"cannot open the store ({exc})", file=str(path)) from exc
        self._empty = len(self.store) == 0 if not read_only else False

    def replace_graphs(self, graphs: Sequence[ox.NamedNode], quads: Iterable[ox.Quad]) -> None:
        """Drop ``graphs`` if present, then add ``quads`` (which must all belong to those graphs)."""
        self._drop(graphs)
        self.store.bulk_extend(quads)
        self._empty = False

    def load_graphs(self, graphs: Sequence[ox.NamedNode], nquads: bytes) -> None:
        """Drop ``graphs`` if present, then load N-Quads (whose quads belong to those graphs or to the
        add-only shared graphs) with Oxigraph's bulk loader."""
        self._drop(graphs)
        if nquads:
            self.store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
            self._empty = False

    def load_file(self, path: Path) -> None:
        """Bulk-load an N-Quads file into new graphs (nothing dropped)."""
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        self._empty = False

    def is_new(self) -> bool:
        """Nothing was ever written to this store."""
        return self._empty

    def _drop(self, graphs: Sequence[ox.NamedNode]) -> None:
        if self._empty:  # a new store: nothing to drop (saves a lookup per graph on a first build)
            return
        for graph in graphs:
            self.remove_graph(graph)

    def remove_graph(self, graph: ox.NamedNode) -> None:
        if self.store.contains_named_graph(graph):
            self.store.remove_graph(graph)

    def named_graphs(self) -> list[ox.NamedNode]:
        return sorted((g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)), key=str)

    def __len__(self) -> int:
        return len(self.store)

    def flush(self) -> None:
        if self.path is not None:
            self.store.flush()


class BackgroundLoader:
    """Loads into a store from a thread of its own, in submission order, while the caller goes on.

    Oxigraph's bulk loader releases the GIL, so loading overlaps with the Python work of the build. Its CPU
    cost depends on how the data is split: every load leaves files that RocksDB compacts with the others in
    the background. Measured on 100k questions (7.25M quads): loads of ~100 MB cost 45 CPU s of compaction,
    a single load 6 s. So loads are gathered: into a spill file beside a new on-disk store (whose graphs
    need no dropping) until ``spill_bytes``, else in memory until ``min_bytes``. At most ``in_flight``
    gathered loads wait; an error is raised by a later :meth:`submit` or by :meth:`wait`, and fails the
    whole gathered load it belongs to."""

    def __init__(
        self,
        store: EmbeddedStore,
        *,
        in_flight: int = 1,
        min_bytes: int = 96 * 2**20,
        spill_bytes: int = 2**30,
    ) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="kg-store")
        self._pending: deque[Future[None]] = deque()
        self._in_flight = in_flight
        self._min_bytes = min_bytes
        self._graphs: list[ox.NamedNode] = []
        self._gathered: set[ox.NamedNode] = set()
        self._data: list[bytes] = []
        self._size = 0
        self._spill_bytes = spill_bytes
        self._spill_dir: tempfile.TemporaryDirectory[str] | None = None
        if store.path is not None and store.is_new():
            self._spill_dir = tempfile.TemporaryDirectory(prefix=".kg-load-", dir=store.path.parent)
        self._spill: IO[bytes] | None = None
        self._spills = 0
        self.cpu = 0.0  # CPU seconds of the loading thread (the bulk loader's own threads not counted)

    def submit(self, graphs: Sequence[ox.NamedNode], nquads: bytes) -> None:
        """Replace ``graphs`` with the quads of ``nquads`` (see :meth:`EmbeddedStore.load_graphs`)."""
        if self._spill_dir is not None and self._gathered.isdisjoint(graphs):
            self._gathered.update(graphs)  # a new store: nothing to drop, the quads go to the spill file
            if self._spill is None:
                self._spills += 1
                self._spill = Path(self._spill_dir.name, f"{self._spills}.nq").open("wb")  # noqa: SIM115
            self._spill.write(nquads)
            self._size += len(nquads)
            if self._size >= self._spill_bytes:
                self._flush()
            return
        if not self._gathered.isdisjoint(graphs):  # replaced again: the earlier load must land first
            self._flush()
        self._gathered.update(graphs)
        self._graphs.extend(graphs)
        self._data.append(nquads)
        self._size += len(nquads)
        if self._size >= self._min_bytes:
            self._flush()

    def _flush(self) -> None:
        if self._spill is not None:
            self._spill.close()
            path, self._spill = Path(self._spill.name), None
            self._wait_for_room()
            self._pending.append(self._executor.submit(self._load_file, path))
        if self._data or self._graphs:
            self._wait_for_room()
            graphs, data = self._graphs, b"".join(self._data)
            self._pending.append(self._executor.submit(self._load, graphs, data))
        self._graphs, self._data, self._size = [], [], 0
        self._gathered.clear()

    def _wait_for_room(self) -> None:
        while len(self._pending) >= self._in_flight:
            self._pending.popleft().result()

    def _load_file(self, path: Path) -> None:
        started = time.thread_time()
        try:
            self.store.load_file(path)
        finally:
            path.unlink(missing_ok=True)
        self.cpu += time.thread_time() - started

    def _load(self, graphs: Sequence[ox.NamedNode], nquads: bytes) -> None:
        started = time.thread_time()
        self.store.load_graphs(graphs, nquads)
        self.cpu += time.thread_time() - started

    def wait(self) -> None:
        """Every load submitted so far is done (or its error raised)."""
        self._flush()
        while self._pending:
            self._pending.popleft().result()

    def __enter__(self) -> BackgroundLoader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self.wait()
        finally:
            self._executor.shutdown(wait=True, cancel_futures=True)
            if self._spill is not None:
                self._spill.close()
            if self._spill_dir is not None:
                self._spill_dir.cleanup()
