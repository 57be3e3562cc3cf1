"""The embedded store: pyoxigraph on disk (default ``./hemicycle.oxigraph``), or in memory.

Writing replaces whole named graphs: a rebuilt question replaces exactly its own triples.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import ExitCode, InputError

DEFAULT_STORE = Path("hemicycle.oxigraph")


class StoreBusy(InputError):
    """The store is open for writing in another process (RocksDB's lock): exit 4, busy."""

    exit_code = ExitCode.BUSY


def _is_lock_held(exc: OSError) -> bool:
    """RocksDB's words when another process holds the store's LOCK file."""
    text = str(exc)
    return "LOCK" in text and ("temporarily unavailable" in text or "lock hold by current process" in text)


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
            if path.exists() and not path.is_dir():
                raise InputError("is a file, not a store folder", file=str(path), field="--store")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(
                    f"cannot make the store's folder ({exc.strerror or exc})", file=str(path), field="--store"
                ) from None
            try:
                self.store = ox.Store(str(path))
            except OSError as exc:
                if _is_lock_held(exc):
                    raise StoreBusy(
                        "another kg build is writing this store (wait for it to finish, or build into "
                        "another --store)",
                        file=str(path),
                    ) from None
                raise InputError(f"cannot open the store ({exc})", file=str(path)) from exc
        self._empty = self.is_empty() if not read_only else False

    def replace_graphs(self, graphs: Sequence[ox.NamedNode], quads: Iterable[ox.Quad]) -> None:
        """Drop ``graphs`` if present, then add ``quads`` (which must all belong to those graphs)."""
        self._drop(graphs)
        self.store.bulk_extend(quads)
        self._empty = False

    def load_graphs(self, graphs: Sequence[ox.NamedNode], nquads: bytes | Path) -> None:
        """Drop ``graphs`` if present, then load N-Quads (whose quads belong to those graphs or to the
        add-only shared graphs), given or in a file, with Oxigraph's bulk loader.

        The N-Quads must be pyoxigraph's own serialisation of terms (as the build's are): they are parsed
        leniently, without checking each IRI again (~6% of the load's CPU)."""
        self._drop(graphs)
        if isinstance(nquads, Path):
            if nquads.stat().st_size:
                self.store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
                self._empty = False
        elif nquads:
            self.store.bulk_load(nquads, ox.RdfFormat.N_QUADS, lenient=True)
            self._empty = False

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
        """The number of quads: a scan of a whole index (seconds on millions of quads)."""
        return len(self.store)

    def is_empty(self) -> bool:
        """No quad at all (one index lookup, where ``len`` scans)."""
        return next(self.store.quads_for_pattern(None, None, None, None), None) is None

    def flush(self) -> None:
        if self.path is not None:
            self.store.flush()


#: The sizes of a build's first loads into a store on disk (see :class:`BackgroundLoader`), beside the
#: mapping; after them, a load gathers SPILL_BYTES of N-Quads (100k questions, ~1.6 GB of N-Quads: their
#: last 1.4 GB in one load at the end, once the workers are gone).
FIRST_LOADS = (32 * 2**20, 64 * 2**20, 128 * 2**20)
SPILL_BYTES = 2 * 2**30
MEMORY_LOAD_BYTES = 32 * 2**20  # a load into a store in memory


class BackgroundLoader:
    """Loads into a store from a thread of its own, in submission order, while the caller goes on.

    Loads are gathered until they hold enough N-Quads: every load leaves files that RocksDB compacts with
    the earlier ones, so few large loads cost less CPU than many small ones. For a store on disk they are
    gathered in a file beside the store (a hidden ``.NAME.load-*.nq``, removed once loaded), not in
    memory. Measured on the 7.25M quads of 100k questions and the registry: the bulk loader took 77 CPU s
    (47 s) in loads of 32 MiB from memory, 69 CPU s in four loads of 460 MB from files, 54 CPU s (32 s,
    2.2 GB resident) in one load from a file. On two cores the workers keep both busy while they map, so a
    large build gains by loading little beside them and the rest in one load at the end (100k: 88.6 s →
    ~81 s); a small one has cores to spare while the workers start and map, and gains by loading beside
    them (10k: one load at the end 8.3 s, growing loads 6.6 s). Hence the sizes (:data:`FIRST_LOADS`):
    32, 64 and 128 MiB beside the mapping (a load of 256 MiB took 1.5 GB: with the workers, over 3 GB),
    then 2 GiB a load. That is for a ``new`` store (or one holding the registry alone): in a store where a
    build replaces graphs, the loads stay at 32 MiB, from memory, each dropping the graphs it replaces
    (the 14th legislature rebuilt after 0.5% changed, all its 104,000 graphs replaced: 142 s and a
    3.1 GB store so; 163 s and 6.2 GB, with a largest process of 3.9 GB, in one load at the end). With
    ``min_bytes`` given, every load gathers that much; a store in memory gathers 32 MiB a load.

    At most ``in_flight`` gathered loads wait; an error is raised by a later :meth:`submit` or by
    :meth:`wait`, and fails the whole gathered load it belongs to."""

    def __init__(
        self, store: EmbeddedStore, in_flight: int = 1, min_bytes: int | None = None, *, new: bool = False
    ) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="kg-store")
        self._pending: deque[Future[None]] = deque()
        self._in_flight = in_flight
        self._growing = new and min_bytes is None and store.path is not None
        self._spill_to = store.path.parent if self._growing and store.path is not None else None
        self._sizes = deque(FIRST_LOADS if self._growing else ())  # the next loads' sizes
        self._min_bytes = self._next_size() if min_bytes is None else min_bytes
        self._graphs: list[ox.NamedNode] = []
        self._gathered: set[ox.NamedNode] = set()
        self._data: list[bytes] = []
        self._file: BinaryIO | None = None  # the file gathering the next load (a store on disk)
        self._file_path = Path()
        self._files: set[Path] = set()  # written and not loaded yet: removed on the way out
        self._size = 0
        self.cpu = 0.0  # CPU seconds of the loading thread (the bulk loader's own threads not counted)
        if store.path is not None:
            _remove_spills(store.path)  # left by a build that was killed (the store's lock is ours now)

    def _next_size(self) -> int:
        if self._sizes:
            return self._sizes.popleft()
        return SPILL_BYTES if self._growing else MEMORY_LOAD_BYTES

    def submit(self, graphs: Sequence[ox.NamedNode], nquads: bytes) -> None:
        """Replace ``graphs`` with the quads of ``nquads`` (see :meth:`EmbeddedStore.load_graphs`)."""
        start = 0
        # the bulk loader's memory grows with its load (from a file: what one submission holds is in
        # memory already; the registry's 300 MB load in one piece)
        while not self._growing and len(nquads) - start > self._min_bytes:
            cut = nquads.find(b"\n", start + self._min_bytes) + 1
            if cut <= 0:
                break
            self._gather(graphs if start == 0 else (), nquads[start:cut])
            start = cut
        self._gather(graphs if start == 0 else (), nquads[start:] if start else nquads)

    def _gather(self, graphs: Sequence[ox.NamedNode], nquads: bytes) -> None:
        if not self._gathered.isdisjoint(graphs):  # replaced again: the earlier load must land first
            self._flush()
        self._gathered.update(graphs)
        self._graphs.extend(graphs)
        if self._spill_to is None:
            self._data.append(nquads)
        elif nquads:
            if self._file is None:
                assert self.store.path is not None
                fd, name = tempfile.mkstemp(".nq", f".{self.store.path.name}.load-", self._spill_to)
                self._file, self._file_path = os.fdopen(fd, "wb"), Path(name)  # closed by _flush
                self._files.add(self._file_path)
            try:
                self._file.write(nquads)
            except OSError as exc:  # a full disk: say which file (a write error names none)
                raise OSError(exc.errno, exc.strerror, str(self._file_path)) from None
        self._size += len(nquads)
        if self._size >= self._min_bytes:
            self._flush()

    def _flush(self) -> None:
        if not self._data and not self._graphs and self._file is None:
            return
        while len(self._pending) >= self._in_flight:
            self._pending.popleft().result()
        data: bytes | Path
        if self._file is not None:
            self._file.close()
            data, self._file = self._file_path, None
        else:
            data = b"".join(self._data)
        graphs = self._graphs
        if self._growing:
            self._min_bytes = self._next_size()
        self._graphs, self._data, self._size = [], [], 0
        self._gathered.clear()
        self._pending.append(self._executor.submit(self._load, graphs, data))

    def _load(self, graphs: Sequence[ox.NamedNode], nquads: bytes | Path) -> None:
        started = time.thread_time()
        try:
            self.store.load_graphs(graphs, nquads)
        finally:
            if isinstance(nquads, Path):
                nquads.unlink(missing_ok=True)
                self._files.discard(nquads)
        self.cpu += time.thread_time() - started

    def then(self, task: Callable[[], None]) -> None:
        """Run ``task`` in the loading thread once everything submitted so far is loaded (and before what
        is submitted after): e.g. a checkpoint of the store as it is at that point."""
        self._flush()
        self._pending.append(self._executor.submit(task))

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
            if self._file is not None:
                self._file.close()
            for path in self._files:
                path.unlink(missing_ok=True)


def _remove_spills(store: Path) -> None:
    """Remove the files of loads a killed build gathered beside ``store`` and never loaded."""
    try:
        stale = list(store.parent.glob(f".{store.name}.load-*.nq"))
    except OSError:
        return
    for path in stale:
        with contextlib.suppress(OSError):
            path.unlink()
