"""The site index: an SQLite file beside the store holding what pages list and count, and the search entries.

Questions, their events and labels, and the search entries, built once per store content (keyed by the store's fingerprint)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
import threading
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from kg.site.fill import fill
from kg.store import EmbeddedStore

#: Bumped when the index's tables change, so index files of an older layout are rebuilt.
INDEX_VERSION: Final = 2


def fingerprint(store: EmbeddedStore) -> str:
    """What the store holds: a hash of the checksums of every source its graphs were made from (a
    rebuilt record changes it) and of its dataset description's counts. One scan of two predicates."""
    digest = hashlib.sha256(f"v{INDEX_VERSION}".encode())
    query = """PREFIX hc: <https://w3id.org/hemicycle/ontology#> PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?x WHERE { { ?s hc:sha256 ?x } UNION { ?s void:triples ?x } }"""
    solutions = store.store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    for value in sorted(str(row[0]) for row in solutions):
        digest.update(value.encode())
        digest.update(b"\n")
    return digest.hexdigest()[:32]


class SiteIndex:
    """The index of one store, in ``<store>.site-<fingerprint>.sqlite`` beside it (in the temporary
    directory when the store's folder is not writable; in memory for an in-memory store). Built on first
    use, atomically (a reader sees no file or a whole one); older files of the same store are removed.
    One read-only connection per thread."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self._local = threading.local()
        self._lock = threading.Lock()
        self._path: Path | None = None
        self._memory: sqlite3.Connection | None = None
        self._fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        """The store's fingerprint, computed once (the served store does not change under a server)."""
        if self._fingerprint is None:
            self._fingerprint = fingerprint(self.store)
        return self._fingerprint

    def _file(self) -> Path:
        assert self.store.path is not None
        name = f"{self.store.path.name}.site-{self.fingerprint}.sqlite"
        folder = self.store.path.resolve().parent
        if os.access(folder, os.W_OK):
            return folder / name
        cache = Path(tempfile.gettempdir()) / "hemicycle-kg"
        cache.mkdir(exist_ok=True)
        return cache / f"{hashlib.sha256(str(folder).encode()).hexdigest()[:12]}-{name}"

    def ensure(self) -> None:
        """Build the index unless it exists for the store's current content (done once per process)."""
        with self._lock:
            if self._path is not None or self._memory is not None:
                return
            if self.store.path is None:
                memory = sqlite3.connect(":memory:", check_same_thread=False)
                fill(memory, self.store.store)
                self._memory = memory
                return
            path = self._file()
            if not path.exists():
                partial = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.partial")
                partial.unlink(missing_ok=True)
                with contextlib.closing(sqlite3.connect(partial)) as db:
                    fill(db, self.store.store)
                partial.replace(path)
                for old in path.parent.glob(f"{self.store.path.name}.site-*.sqlite"):
                    if old != path:
                        with contextlib.suppress(OSError):
                            old.unlink()
            self._path = path

    def connection(self) -> sqlite3.Connection:
        """A read-only connection to the index for this thread (the in-memory one is shared: SQLite
        serialises it)."""
        self.ensure()
        if self._memory is not None:
            return self._memory
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            assert self._path is not None
            if not self._path.exists():  # removed by a process that indexed another content: build again
                with self._lock:
                    self._path = None
                self.ensure()
                assert self._path is not None
            db = sqlite3.connect(f"file:{self._path}?mode=ro", uri=True, check_same_thread=False)
            self._local.db = db
        return db
