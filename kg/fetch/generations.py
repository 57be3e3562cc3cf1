"""Store generations: build a new store beside the one being served, then swap it in with one atomic rename.

The protocol, shared with ``kg serve``:

* the store path the user names (``hemicycle.oxigraph``) is a symbolic link to a generation folder beside it,
  ``hemicycle.oxigraph.gen-N`` (the first update turns a real folder into ``.gen-1`` and the link);
* ``kg update`` builds generation N+1 (a copy of N, then an incremental build; or a full build) and replaces the
  link with ``os.replace`` of a temporary link: a reader sees the old generation or the new one, never a mix;
* ``kg serve`` writes ``<store>.serving`` (JSON: ``pid``, ``port`` and ``path``, the generation it serves)
  while it runs, polls the link's real path and switches to the new generation without dropping requests;
* the previous generation is kept until no live ``.serving`` marker names it; older ones are removed;
* a plain ``kg build`` into a store with a live ``.serving`` marker is refused (exit 4).

Each generation carries its sidecars (``<gen>.manifest.json``, the build manifest; ``<gen>.questions.json``,
the snapshot of its questions for the change report), moved and copied with it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from kg.fetch.manifest import BusyError, held

SIDECARS = (".manifest.json", ".questions.json", ".inputs.json")


def serving_marker(store: Path) -> Path:
    return store.with_name(store.name + ".serving")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_marker(store: Path) -> dict[str, Any] | None:
    """The ``.serving`` marker of ``store`` when its process is alive (a stale one is ignored)."""
    try:
        marker = orjson.loads(serving_marker(store).read_bytes())
        pid = int(marker["pid"])
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    return marker if isinstance(marker, dict) and pid > 0 and _alive(pid) else None


def lock_path(store: Path) -> Path:
    """The lock ``kg update`` holds on a store for its whole run (fetch, build, swap)."""
    return store.with_name(store.name + ".lock")


@contextlib.contextmanager
def unless_updating(store: Path) -> Iterator[None]:
    """For a build into ``store``: hold ``kg update``'s lock when the store has one (a store kept by
    ``kg update``), so a build and an update never change it at once; :class:`BusyError` (exit 4) while an
    update runs. A store ``kg update`` never touched gets no lock file."""
    lock = lock_path(store)
    if not lock.exists():
        yield
        return
    with held(lock, f"the store {store} (kg update)"):
        yield


def refuse_if_served(store: Path) -> None:
    """:class:`BusyError` when a live ``kg serve`` serves ``store`` (a build would change it under it)."""
    marker = live_marker(store)
    if marker is not None:
        raise BusyError(
            f"{store} is being served (kg serve, pid {marker['pid']}, port {marker.get('port', '?')}; "
            f"{serving_marker(store).name}): update it with 'kg update', which swaps in a new generation"
        )


def sidecar(folder: Path, suffix: str) -> Path:
    return folder.with_name(folder.name + suffix)


class Generations:
    """The generations of one store path."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self._pattern = re.compile(re.escape(store.name) + r"\.gen-(\d+)")

    def number(self, folder: Path) -> int | None:
        match = self._pattern.fullmatch(folder.name)
        return int(match[1]) if match and folder.parent.resolve() == self.store.parent.resolve() else None

    def all(self) -> list[tuple[int, Path]]:
        found = []
        for path in self.store.parent.glob(self.store.name + ".gen-*"):
            n = self.number(path)
            if n is not None and path.is_dir():
                found.append((n, path))
        return sorted(found)

    def current(self) -> Path | None:
        """The generation folder the store path points to (the store itself when it is a real folder)."""
        if self.store.is_symlink():
            target = self.store.resolve()
            return target if target.is_dir() else None
        return self.store if self.store.is_dir() else None

    def adopt(self) -> Path | None:
        """Make the store path a link to a generation: a real folder becomes ``.gen-1`` (its sidecars
        follow). The current generation, or ``None`` when there is no store yet."""
        if self.store.is_symlink() or not self.store.exists():
            return self.current()
        if not self.store.is_dir():
            raise BusyError(f"{self.store} is not a store folder")
        first = self.store.with_name(self.store.name + f".gen-{self._next_number()}")
        self.store.rename(first)
        for suffix in SIDECARS:
            with contextlib.suppress(FileNotFoundError):
                sidecar(self.store, suffix).rename(sidecar(first, suffix))
        self._point_to(first)
        return first

    def _next_number(self) -> int:
        return max((n for n, _ in self.all()), default=0) + 1

    def new(self, copy_of: Path | None) -> Path:
        """A new generation folder: a copy of ``copy_of`` (and its sidecars), or an empty one."""
        folder = self.store.with_name(self.store.name + f".gen-{self._next_number()}")
        for leftover in (folder, *(sidecar(folder, s) for s in SIDECARS)):  # an interrupted earlier update
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink(missing_ok=True)
        if copy_of is None:
            folder.mkdir()
            return folder
        shutil.copytree(copy_of, folder, ignore=shutil.ignore_patterns("LOCK"))
        for suffix in SIDECARS:
            if sidecar(copy_of, suffix).is_file():
                shutil.copy2(sidecar(copy_of, suffix), sidecar(folder, suffix))
        return folder

    def discard(self, folder: Path) -> None:
        """Remove a generation that was not swapped in (a failed build)."""
        shutil.rmtree(folder, ignore_errors=True)
        for suffix in SIDECARS:
            sidecar(folder, suffix).unlink(missing_ok=True)

    def swap(self, folder: Path) -> None:
        """Point the store path at ``folder``, atomically."""
        self._point_to(folder)

    def _point_to(self, folder: Path) -> None:
        tmp = self.store.with_name(f".{self.store.name}.link-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(folder.name)
        tmp.replace(self.store)
        with contextlib.suppress(OSError):
            fd = os.open(self.store.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def prune(self) -> list[Path]:
        """Remove the generations older than the current one, except, while a live ``kg serve`` runs, the
        one its marker names and the one just before the current. The folders removed."""
        current = self.current()
        marker = live_marker(self.store)
        served = None if marker is None else marker.get("path")
        keep: set[Path] = set()
        if current is not None:
            keep.add(current.resolve())
        older = [path for _, path in self.all() if path.resolve() not in keep]
        if marker is not None and older:
            # the generation the server names, and the one just before the current (a server may be
            # switching to it while it still names an older one it drains)
            keep.add(older[-1].resolve())
            if isinstance(served, str):
                keep.add(Path(served).resolve())
        removed = []
        for path in older:
            if path.resolve() not in keep:
                self.discard(path)
                removed.append(path)
        return removed
