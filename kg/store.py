"""The embedded store: pyoxigraph on disk (default ``./hemicycle.oxigraph``), or in memory.

Writing replaces whole named graphs: a rebuilt question replaces exactly its own triples.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

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
