"""The user's registry cache: a registry read, mapped and validated once, reused by every build on the machine.

Reading the full acteurs/organes registry (13k files) and mapping it to 1.3M quads costs a new store ~20 CPU
seconds; most builds use the same registry again. An *entry* keeps what that costs to make, keyed by the
registry's content fingerprint (:func:`kg.build.manifest.fingerprint`: tool version, base IRI, each file's
SHA-256), the digest of the shapes and of the tool's own code:

- ``meta.pickle``: the fingerprint, the counts and the diagnostics of reading it;
- ``registry.pickle``: the :class:`~kg.registry.Registry` the mapping of questions looks people up in;
- ``validation-<engine>.pickle``: the SHACL results of its graphs, per engine;
- ``render-<format>``: its graphs rendered for a streamed output (Turtle, N-Triples, N-Quads);
- ``store/``: a checkpoint of a store holding its graphs alone: a new store starts as a copy of it
  (hard links where the file system allows, a copy elsewhere: seconds, where loading costs ~20 CPU s).

Finding the entry of a registry without reading it: an *index* maps a stamp of the registry's files (names,
sizes, modification and change times, inodes: one ``stat`` a file) to the entry's key, as a store's
manifest does for question files. A file changed in any of these is read again; its content decides
whether the same entry serves.

Concurrent builds: every file of an entry is written under a temporary name and renamed into place
(readers see a whole file or none); an entry is complete once its ``meta.pickle`` exists. Builds hold a
shared lock on the cache while they read or write it, :func:`RegistryCache.clean` an exclusive one. The
cache is an optimisation: a cache that cannot be read or written makes a build do the work, never fail.
The folder: ``--cache-dir``, else ``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/hemicycle-kg`` (by default
``~/.cache/hemicycle-kg``).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import pickle
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO

import pyoxigraph as ox

import kg
from kg.build.manifest import fingerprint
from kg.build.memory import collector_paused
from kg.errors import ExitCode, KgError
from kg.registry import Registry, load_registry
from kg.report import Diagnostic
from kg.resources import resource_dir
from kg.validation.results import Engine, ValidationResult

ENV_VAR = "KG_CACHE_DIR"
FORMAT = 1  # bump when the layout of an entry changes: older entries are then never found
LOCK_WAIT_S = 60.0  # how long `kg cache clean` waits for running builds to let go of the cache
KEEP_STORES = 3  # store checkpoints kept (the most recently used): each is ~400 MB for the full registry


class CacheBusy(KgError):
    """The cache is in use by builds for longer than ``kg cache clean`` waits."""

    exit_code = ExitCode.BUSY


def default_cache_dir() -> Path:
    """``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/hemicycle-kg``, else ``~/.cache/hemicycle-kg``."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "hemicycle-kg"


def registry_stamp(roots: Sequence[Path]) -> str:
    """A digest of the names, sizes, times and inodes of every file under ``roots``, in their order."""
    digest = hashlib.sha256(f"stamp {FORMAT}".encode())
    for root in roots:
        top = os.path.realpath(root)
        digest.update(f"\0root\0{top}\n".encode())
        if not os.path.isdir(top):  # noqa: PTH112 - strings all along: thousands of files
            digest.update(_stat_line("", top))
            continue
        for folder, dirs, files in os.walk(top, followlinks=True):
            dirs.sort()
            relative = os.path.relpath(folder, top)
            for name in sorted(files):
                digest.update(_stat_line(f"{relative}/{name}", os.path.join(folder, name)))  # noqa: PTH118
    return digest.hexdigest()


def _stat_line(name: str, path: str) -> bytes:
    try:
        st = os.stat(path)  # noqa: PTH116 - one system call a file, thousands of files
    except OSError:
        return f"{name}\0missing\n".encode()
    return f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\n".encode()


def _digest_files(files: Sequence[Path], label: str) -> str:
    digest = hashlib.sha256(label.encode())
    for path in files:
        digest.update(f"\0{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


#: The code a registry's products depend on (reading, mapping, validating it), beside the shapes: a change
#: to any (a new version, or a checkout being worked on) makes the entries made before it unreachable.
CODE = (
    "registry.py",
    "mapping.py",
    "iris.py",
    "vocab.py",
    "models.py",
    "report.py",
    "sources/amo.py",
    "sources/files.py",
    "sources/values.py",
    "sources/wire.py",
    "sources/wire_base.py",
    "sources/xmldict.py",
    "validation/engines.py",
    "validation/report.py",
    "validation/results.py",
    "validation/shapes.py",
    "validation/terms.py",
)


@cache
def code_digest() -> str:
    """A digest of :data:`CODE` and the shapes, once a process (the code it runs is what it imported)."""
    package = Path(kg.__file__).parent
    code = [package / name for name in CODE if (package / name).is_file()]
    shapes = sorted(resource_dir("shapes").glob("*.ttl"))
    return _digest_files([*code, *shapes], f"code {FORMAT} {kg.__version__}")


@dataclass(frozen=True)
class RegistryMeta:
    """What a build reports of a registry without reading it."""

    fingerprint: str
    persons: int
    organes: int
    mandates: int
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class CacheInfo:
    folder: Path
    entries: list[tuple[str, RegistryMeta | None, int, float, bool]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(size for _, _, size, _, _ in self.entries)

    def lines(self) -> list[str]:
        """What ``kg cache info`` prints."""
        count = len(self.entries)
        out = [
            f"{self.folder}: {count} {'registry' if count == 1 else 'registries'}, {self.size / 2**20:,.1f} MiB"
        ]
        for key, meta, size, used, has_store in self.entries:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(used)) if used else "never"
            what = f"{meta.persons} persons, {meta.organes} organes" if meta is not None else "incomplete"
            store = ", with a store" if has_store else ""
            out.append(f"  {key[:12]}  {what}{store}, {size / 2**20:,.1f} MiB, last used {when}")
        return out


class RegistryCache:
    """The cache folder: entries by key, the index of stamps, the lock."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else default_cache_dir()

    @property
    def entries(self) -> Path:
        return self.folder / "registry"

    @property
    def index(self) -> Path:
        return self.folder / "index"

    def shapes_file(self) -> Path:
        """Where the shapes are kept parsed (:func:`kg.validation.shapes.load_shapes`), named after the digest
        of the shapes and of the code that reads them."""
        return self.folder / "shapes" / f"{self.code()}.pickle"

    def code(self) -> str:
        return code_digest()

    @contextmanager
    def _lock(self, exclusive: bool, wait: float | None = None) -> Iterator[bool]:
        """Hold the cache's lock (shared or exclusive) for the block; yields False when it could not be had
        (no folder, or still busy after ``wait`` seconds)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle: IO[bytes] = (self.folder / "lock").open("ab")
        except OSError:
            yield False
            return
        with handle:
            mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            deadline = time.monotonic() + (wait or 0.0)
            while True:
                try:
                    fcntl.flock(handle, mode | (fcntl.LOCK_NB if wait is not None else 0))
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.1)
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _stamp_key(self, stamp: str, base: str) -> str:
        return hashlib.sha256(f"{stamp}|{base}|{self.code()}".encode()).hexdigest()

    def find(self, roots: Sequence[Path], base: str) -> tuple[CacheEntry | None, str]:
        """The entry of the registry at ``roots`` when its files are as when it was cached, else ``None``;
        and the stamp to :meth:`remember` once the registry is read (taken before reading: a file changed
        meanwhile gives another stamp next time)."""
        stamp = registry_stamp(roots)
        try:
            key = (self.index / self._stamp_key(stamp, base)).read_text().strip()
        except (OSError, UnicodeDecodeError):
            return None, stamp
        entry = self.entry_of(key)
        if entry.meta() is None:
            return None, stamp
        return entry, stamp

    def entry(self, fingerprint: str) -> CacheEntry:
        """The entry of a registry read: its key is its content fingerprint, the code and the format."""
        key = hashlib.sha256(f"entry {FORMAT}|{fingerprint}|{self.code()}".encode()).hexdigest()[:32]
        return self.entry_of(key)

    def entry_of(self, key: str) -> CacheEntry:
        return CacheEntry(self, key)

    def remember(self, stamp: str, base: str, entry: CacheEntry) -> None:
        """Index ``entry`` under the stamp of the files it was read from."""
        with self._lock(exclusive=False) as locked:
            if locked:
                _write_atomic(self.index / self._stamp_key(stamp, base), entry.key.encode())

    def info(self) -> CacheInfo:
        info = CacheInfo(self.folder)
        if not self.entries.is_dir():
            return info
        for folder in sorted(self.entries.iterdir()):
            entry = self.entry_of(folder.name)
            meta = entry.meta()
            size = sum(_size(p) for p in folder.rglob("*"))
            used = _mtime(folder / "meta.pickle")
            info.entries.append((folder.name, meta, size, used, (folder / "store").is_dir()))
        return info

    def clean(self) -> int:
        """Remove every entry and the index; the bytes freed. Waits for running builds to let go of the
        cache (:class:`CacheBusy` after :data:`LOCK_WAIT_S`)."""
        if not self.folder.is_dir():
            return 0
        with self._lock(exclusive=True, wait=LOCK_WAIT_S) as locked:
            if not locked:
                raise CacheBusy(f"the cache {self.folder} is in use by a build; try again when it is done")
            freed = sum(_size(p) for p in self.folder.rglob("*"))
            for name in ("registry", "index", "shapes", "tmp"):
                shutil.rmtree(self.folder / name, ignore_errors=True)
            return freed

    def prune_stores(self, keep: int = KEEP_STORES) -> None:
        """Drop the store checkpoints of all but the ``keep`` most recently used entries (when no other build
        is using the cache; else next time)."""
        if not self.entries.is_dir():
            return
        with self._lock(exclusive=True, wait=0.0) as locked:
            if not locked:
                return
            stores = [p / "store" for p in self.entries.iterdir() if (p / "store").is_dir()]
            stores.sort(key=lambda p: _mtime(p.parent / "meta.pickle"), reverse=True)
            for stale in stores[keep:]:
                shutil.rmtree(stale, ignore_errors=True)

    def scratch(self) -> Path:
        """A new folder for a file or a checkpoint being made (then renamed into an entry)."""
        path = self.folder / "tmp" / f"{os.getpid()}-{uuid.uuid4().hex}"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


class CacheEntry:
    """One registry's cached products. Each ``save_*`` is best effort and atomic; each getter gives
    ``None`` when the product is missing or unreadable."""

    def __init__(self, cache: RegistryCache, key: str) -> None:
        self.cache = cache
        self.key = key
        self.folder = cache.entries / key
        self._meta: RegistryMeta | None = None

    # ------------------------------------------------------------------ reading

    def meta(self) -> RegistryMeta | None:
        if self._meta is None:
            loaded = self._load("meta.pickle")
            self._meta = loaded if isinstance(loaded, RegistryMeta) else None
        return self._meta

    def registry(self) -> Registry | None:
        loaded = self._load("registry.pickle")
        return loaded if isinstance(loaded, Registry) else None

    def validation(self, engine: Engine) -> list[ValidationResult] | None:
        loaded = self._load(f"validation-{engine.value}.pickle")
        if not isinstance(loaded, list) or not all(isinstance(r, ValidationResult) for r in loaded):
            return None
        return loaded

    def rendered(self, fmt: str) -> bytes | None:
        try:
            return (self.folder / f"render-{fmt}").read_bytes()
        except OSError:
            return None

    def tally(self) -> tuple[int, bytes] | None:
        """What exporter mode counts of the registry: its triples and the lines the description reads."""
        loaded = self._load("tally.pickle")
        if not isinstance(loaded, tuple) or len(loaded) != 2:
            return None
        triples, kept = loaded
        return (triples, kept) if isinstance(triples, int) and isinstance(kept, bytes) else None

    def has_store(self) -> bool:
        return (self.folder / "store" / "CURRENT").is_file()

    def seed_store(self, target: Path) -> bool:
        """Make ``target`` (which must not exist) a copy of the cached store: its immutable table files
        hard-linked (copied across file systems), the rest copied; assembled beside ``target`` and renamed
        into place, so a crash never leaves half a store. False when there is no checkpoint to copy."""
        if not self.has_store():
            return False
        scratch = target.with_name(f".{target.name}.seeding-{os.getpid()}")
        with self.cache._lock(exclusive=False) as locked:
            if not locked:
                return False
            try:
                scratch.mkdir(parents=True)
                for source in (self.folder / "store").iterdir():
                    _link_or_copy(source, scratch / source.name)
                scratch.rename(target)
            except OSError:
                shutil.rmtree(scratch, ignore_errors=True)
                return False
        self.touch()
        return True

    def touch(self) -> None:
        """Mark the entry as used now (which store checkpoints are kept depends on it)."""
        with suppress(OSError):
            os.utime(self.folder / "meta.pickle")

    def _load(self, name: str) -> object:
        try:
            with (self.folder / name).open("rb") as handle, collector_paused():
                return pickle.load(handle)  # the user's own cache, written by this module
        except (
            OSError,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
            TypeError,
            ValueError,
        ):
            return None

    # ------------------------------------------------------------------ writing

    def save(self, meta: RegistryMeta, registry_pickle: bytes) -> None:
        """The registry and its meta (last: an entry with a meta is complete)."""
        with self.cache._lock(exclusive=False) as locked:
            if not locked:
                return
            _write_atomic(self.folder / "registry.pickle", registry_pickle)
            _write_atomic(self.folder / "meta.pickle", pickle.dumps(meta, protocol=pickle.HIGHEST_PROTOCOL))
        self._meta = meta

    def save_validation(self, engine: Engine, results: list[ValidationResult]) -> None:
        self._save(
            f"validation-{engine.value}.pickle", pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
        )

    def save_rendered(self, fmt: str, piece: bytes) -> None:
        self._save(f"render-{fmt}", piece)

    def save_tally(self, tally: tuple[int, bytes]) -> None:
        self._save("tally.pickle", pickle.dumps(tally, protocol=pickle.HIGHEST_PROTOCOL))

    def _save(self, name: str, data: bytes) -> None:
        with self.cache._lock(exclusive=False) as locked:
            if locked and self.folder.is_dir():
                _write_atomic(self.folder / name, data)

    def save_store(self, backup: Callable[[Path], None]) -> None:
        """Keep a checkpoint of a store holding the registry's graphs alone: ``backup(folder)`` writes it
        (e.g. ``pyoxigraph.Store.backup``) into a folder that does not exist yet."""
        if self.has_store():
            return
        with self.cache._lock(exclusive=False) as locked:
            if not locked or not self.folder.is_dir():
                return
            scratch = self.cache.scratch()
            try:
                backup(scratch)
                scratch.rename(self.folder / "store")
            except (OSError, RuntimeError):  # another build was first, or the checkpoint failed
                shutil.rmtree(scratch, ignore_errors=True)
                return
        self.cache.prune_stores()


def checkpoint(store: ox.Store) -> Callable[[Path], None]:
    """A ``backup`` for :meth:`CacheEntry.save_store`: flush, then RocksDB's checkpoint of ``store``."""

    def backup(folder: Path) -> None:
        store.flush()
        store.backup(str(folder))

    return backup


#: RocksDB files that are appended to or rewritten by the store that opens them: copied, never linked.
_MUTABLE_PREFIXES = ("CURRENT", "MANIFEST", "OPTIONS", "LOG", "IDENTITY", "LOCK")


def _link_or_copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target)
        return
    if source.suffix == ".sst" and not source.name.startswith(_MUTABLE_PREFIXES):
        try:
            os.link(source, target)
            return
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
    shutil.copy2(source, target)


def _write_atomic(path: Path, data: bytes) -> None:
    """Best effort: a cache that cannot be written is not an error of the build."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


class RegistrySource:
    """The registry of a build: from the cache when its files are as they were, else read (and cached).

    :attr:`meta` is all a build needs when it reads no question; :meth:`registry` unpickles (or reads) the
    registry itself only when asked."""

    def __init__(
        self,
        roots: Sequence[Path],
        meta: RegistryMeta,
        entry: CacheEntry | None,
        registry: Registry | None = None,
        pickled: bytes | None = None,
    ) -> None:
        self.roots = roots
        self.meta = meta
        self.entry = entry
        self._registry = registry
        self.pickled = pickled  # the registry pickled (when it was read here): what workers are sent
        self.cached = registry is None  # found in the cache, not read

    def registry(self) -> Registry:
        if self._registry is None:
            cached = self.entry.registry() if self.entry is not None else None
            # removed or damaged since it was found (``kg cache clean`` meanwhile): read after all
            self._registry = cached if cached is not None else load_registry(self.roots)
        return self._registry


def open_registry(roots: Sequence[Path], base: str, cache: RegistryCache | None) -> RegistrySource:
    """The registry at ``roots``: its entry's meta when the cache has it; else read, fingerprinted and
    cached (``cache`` None: read, not cached). Raises :class:`~kg.errors.InputError` for a missing root."""
    if not roots:
        empty = Registry.empty()
        return RegistrySource(roots, RegistryMeta(fingerprint(empty, base), 0, 0, 0, ()), None, empty)
    stamp = ""
    if cache is not None:
        entry, stamp = cache.find(roots, base)
        if entry is not None:
            meta = entry.meta()
            assert meta is not None
            entry.touch()
            return RegistrySource(roots, meta, entry)
    registry = load_registry(roots)
    meta = RegistryMeta(
        fingerprint=fingerprint(registry, base),
        persons=len(registry.persons),
        organes=len(registry.organes),
        mandates=sum(len(p.mandates) for p in registry.persons.values()),
        diagnostics=tuple(registry.diagnostics),
    )
    if cache is None:
        return RegistrySource(roots, meta, None, registry)
    pickled = pickle.dumps(registry, protocol=pickle.HIGHEST_PROTOCOL)
    entry = cache.entry(meta.fingerprint)
    entry.save(meta, pickled)
    cache.remember(stamp, base, entry)
    return RegistrySource(roots, meta, entry, registry, pickled)
