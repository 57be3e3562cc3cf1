"""One generation of what ``kg serve`` serves, started and stopped as one.

The store's Oxigraph server, the store opened in-process for pages, its fingerprint (for ETags), and the
site's pages (from :mod:`kg.site.api` when installed)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kg.errors import KgError
from kg.iris import DEFAULT_BASE
from kg.serve.defaults import DEFAULT_HOST
from kg.serve.guard import GuardPolicy
from kg.serve.oxigraph import OxigraphServer, free_port
from kg.store import EmbeddedStore


class SitePages(Protocol):
    """The HTML side (:class:`kg.site.api.Site`): pages by path relative to the base, assets, a 404 page."""

    def page(self, path: str, *, lang: str, params: Mapping[str, str]) -> str | None: ...

    def not_found(self, path: str, *, lang: str) -> str: ...

    def asset(self, path: str, *, lang: str = "fr") -> tuple[bytes, str] | None: ...

    def fingerprint(self) -> str: ...


class SiteFactory(Protocol):
    def __call__(
        self, store: EmbeddedStore, *, base: str, public_base: str | None, as_of: dt.date
    ) -> SitePages: ...


def site_factory() -> SiteFactory | None:
    """The site's page maker, or ``None`` when this installation has no HTML pages (RDF only)."""
    try:
        module = importlib.import_module("kg.site.api")
    except ImportError:
        return None
    factory: SiteFactory | None = getattr(module, "Site", None)
    return factory


@dataclass(frozen=True, slots=True)
class Settings:
    """What ``kg serve`` was asked for (fixed for its whole run)."""

    store: Path  # as given: may be a symbolic link to a generation folder
    policy: GuardPolicy = field(default_factory=GuardPolicy)
    base: str = DEFAULT_BASE
    public_base: str | None = None
    as_of: dt.date | None = None  # None: today on the server, each day
    cors: bool = False
    quiet: bool = False
    poll_s: float = 1.0  # how often the store's real path is looked at (0: never)

    @property
    def read_only(self) -> bool:
        return self.policy.token is None

    @property
    def root(self) -> str:
        """Where this server's pages are, for links in HTML: the public base, else root-relative."""
        return self.public_base or "/"

    def today(self) -> dt.date:
        return self.as_of or dt.date.today()


def fingerprint(location: Path) -> str:
    """A digest of the store's files (names and sizes, the info log left out): RocksDB never rewrites a
    data file in place, so another content means other files. Cheap: no data is read. Used when the site's
    pages are not installed; else the site's fingerprint of the content (sources' checksums and counts)."""
    digest = hashlib.sha256()
    for path in sorted(location.iterdir()):
        if path.name.startswith("LOG") or not path.is_file():
            continue
        digest.update(f"{path.name}\0{path.stat().st_size}\n".encode())
    return digest.hexdigest()[:24]


@dataclass(eq=False)
class Backend:
    """A store being served. ``inflight``: requests that started on it and have not finished (a swapped-out
    backend is stopped once it drops to 0)."""

    location: Path
    server: OxigraphServer
    store: EmbeddedStore
    fingerprint: str
    settings: Settings
    inflight: int = 0
    generation: int = 0
    _sites: dict[dt.date, SitePages | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def etag_seed(self) -> str:
        return f"{self.fingerprint}.{self.generation}"

    def site(self, as_of: dt.date) -> SitePages | None:
        """The pages as of ``as_of`` (made once per day and store)."""
        with self._lock:
            if as_of not in self._sites:
                factory = site_factory()
                self._sites.clear()  # one day at a time
                self._sites[as_of] = (
                    None
                    if factory is None
                    else factory(
                        self.store,
                        base=self.settings.base,
                        public_base=self.settings.root,
                        as_of=as_of,
                    )
                )
            return self._sites[as_of]

    def written(self) -> None:
        """A write went through the endpoint (read-write mode): reopen the store so pages see it. The
        server may be compacting the files at that moment: a failed open is tried again, and at worst
        the pages keep the earlier state (the SPARQL endpoint always has the latest)."""
        with self._lock:
            self.generation += 1
            self._sites.clear()
            with contextlib.suppress(RuntimeError, OSError, KgError):
                self.store = _open_read_only(self.location)

    def stop(self) -> None:
        self.server.stop()


def open_backend(
    location: Path, settings: Settings, *, wait: float = 60.0, say: Callable[[str], None] | None = None
) -> Backend:
    """Start an Oxigraph server on ``location`` (a real folder, not a link) on a free loopback port and open
    the store for pages. Raises :class:`kg.errors.KgError` when either fails (nothing left running).
    ``say``: where to tell that the pages are being prepared, when that takes a while."""
    server = OxigraphServer(
        location,
        host=DEFAULT_HOST,
        port=free_port(),
        read_only=settings.read_only,
        cors=settings.cors,
        timeout_s=None if settings.policy.timeout_s is None else int(settings.policy.timeout_s),
    )
    store = _open_read_only(location)  # before a read-write server starts rewriting files
    server.start(wait)
    try:
        backend = Backend(location, server, store, fingerprint(location), settings)
        site = backend.site(settings.today())
        if site is not None:
            backend.fingerprint = site.fingerprint()
            # the home page reads the site's index: built now (minutes on a big store, once per content),
            # before this generation takes requests, not by the first visitor
            started = time.monotonic()
            notice = threading.Timer(
                2.0,
                say or (lambda _: None),
                [f"preparing the pages of {location} (the site's index: built once per store content, "
                 "minutes on a big store)"],
            )  # fmt: skip
            notice.daemon = True
            notice.start()
            try:
                site.page("", lang="fr", params={})
            finally:
                notice.cancel()
            took = time.monotonic() - started
            if say is not None and took > 2:
                say(f"pages of {location} ready in {took:.0f} s")
        return backend
    except BaseException:
        server.stop()
        raise


def _open_read_only(location: Path, attempts: int = 5) -> EmbeddedStore:
    for attempt in range(attempts):
        try:
            return EmbeddedStore(location, read_only=True)
        except RuntimeError:  # files replaced while RocksDB read them (a writer's compaction)
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")
