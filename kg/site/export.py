"""``kg site``: the static export of every resource's page, Turtle and JSON-LD as files.

With the charts, feeds,
stylesheet and the web-server rules that give the folder content negotiation (Apache and nginx).

The descriptions are ``kg serve``'s (:func:`kg.serve.description.describe`); Turtle is written by its
serialiser, JSON-LD by :mod:`kg.site.jsonld` (the same graph, compacted with the same context, five
times faster than through rdflib)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox

from kg.errors import InputError
from kg.serve.description import describe, documents
from kg.serve.negotiate import TURTLE, context_document, serialize
from kg.site import jsonld, rewrite, stats
from kg.site.api import Site
from kg.site.resource import FEED_KINDS, chart_paths, make_charts
from kg.site.stats import Scope
from kg.site.views import scope_for
from kg.store import EmbeddedStore

#: Where the JSON-LD ``@context`` is published (the same path as ``kg serve``'s).
CONTEXT_FILE = "context.jsonld"


@dataclass(slots=True)
class ExportSummary:
    resources: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)


def resource_paths(store: ox.Store, base: str) -> Iterator[str]:
    """The path (relative to ``base``) of every resource the store names under the base, as subject or as
    object (a thing only linked to still answers, with its incoming links), each once; ontology terms
    (with a fragment) excepted."""
    seen: set[str] = set()
    for quad in store.quads_for_pattern(None, None, None, None):
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(base) and "#" not in term.value:
                path = term.value[len(base) :]
                if path and path not in seen:
                    seen.add(path)
                    yield path


class _Writer:
    """Files under ``root``, counted. Paths are checked by their text (no ``..`` segment, not absolute),
    not by resolving each on the disk: a million files are written."""

    def __init__(self, root: Path, summary: ExportSummary, made: set[str] | None = None) -> None:
        self.root = str(root)
        self.summary = summary
        self._dirs: set[str] = made if made is not None else set()

    def write(self, path: str, data: bytes | str) -> None:
        relative = unquote(path)
        parts = relative.split("/")
        if relative.startswith("/") or "\x00" in relative or any(p in ("..", ".") for p in parts):
            raise InputError(f"a resource path leaves the export folder: {path!r}", field="--out")
        # strings and os calls, not Path objects: a Path per file cost more than writing the file
        target = os.path.join(self.root, relative)  # noqa: PTH118
        folder = os.path.dirname(target)  # noqa: PTH120
        if folder not in self._dirs:
            os.makedirs(folder, exist_ok=True)  # noqa: PTH103
            self._dirs.add(folder)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        with open(target, "wb") as file:  # noqa: PTH123
            file.write(payload)
        self.summary.files += 1
        self.summary.bytes += len(payload)


#: Resources handed to an export process at a time (consecutive in the store's order, so the pages of one
#: question's graph and the labels they share are made by one process).
CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class _Job:
    """What every export process needs to open the store and write its share."""

    store: Path | None
    root: Path
    base: str
    public_base: str
    as_of: dt.date


def export_site(
    store: EmbeddedStore,
    out: Path,
    *,
    base: str,
    as_of: dt.date,
    public_base: str = "/",
    jobs: int | None = None,
) -> ExportSummary:
    """Write the site of ``store`` into ``out`` (replaced whole, atomically: the export is made in a sibling
    folder that takes the place of ``out`` once complete). Links in pages point under ``public_base`` (a
    root-relative ``/`` by default: the folder is served at the root of a host). ``jobs`` processes share
    the resources (default: up to 2; an in-memory store is exported in this process)."""
    started = time.perf_counter()
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise InputError("not a folder", file=str(out), field="--out")
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        site = Site(store, base=base, public_base=public_base, as_of=as_of, paginate=False, static=True)
        site.index.ensure()  # built once, before the processes that read it start
        count = jobs if jobs is not None else min(2, os.cpu_count() or 1)
        if store.path is None:
            count = 1
        job = _Job(store.path, partial, base, public_base, as_of)
        # the store is read once for the list of resources (each process scanned it whole before)
        paths = list(resource_paths(store.store, base))
        chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
        del paths
        if count == 1:
            exporter = _Exporter(job, store)
            parts = [exporter.write(chunk) for chunk in chunks]
        else:
            context = multiprocessing.get_context("spawn")  # the store is opened anew in each process
            with ProcessPoolExecutor(
                count, mp_context=context, initializer=_start_worker, initargs=(job,)
            ) as pool:
                parts = list(pool.map(_write_chunk, chunks))
        summary = ExportSummary()
        for part in parts:
            summary.resources += part.resources
            summary.files += part.files
            summary.bytes += part.bytes
            for kind, n in part.by_kind.items():
                summary.by_kind[kind] = summary.by_kind.get(kind, 0) + n
        _write_shared(site, _Writer(partial, summary), out, public_base)
        _swap(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    summary.seconds = time.perf_counter() - started
    return summary


def _swap(partial: Path, out: Path) -> None:
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        out.rename(old)
    partial.rename(out)
    with contextlib.suppress(OSError):
        shutil.rmtree(old)


class _Exporter:
    """One process's writer of resources: the store, the site and its index opened once."""

    def __init__(self, job: _Job, store: EmbeddedStore | None = None) -> None:
        if store is None:
            assert job.store is not None
            store = EmbeddedStore(job.store, read_only=True)
        self.store = store
        self.base = job.base
        self.root = job.root
        self.site = Site(
            store, base=job.base, public_base=job.public_base, as_of=job.as_of, paginate=False, static=True
        )
        self.context_url = job.public_base + CONTEXT_FILE
        self.db = self.site.index.connection()
        self._dirs: set[str] = set()

    def write(self, paths: list[str]) -> ExportSummary:
        """Each resource's page, Turtle, JSON-LD, charts and feed."""
        summary = ExportSummary()
        writer = _Writer(self.root, summary, self._dirs)
        site, store = self.site, self.store.store
        for path in paths:
            page = site.page(path, lang="fr", params={})
            if page is None:
                continue
            writer.write(f"{path}.html", page)
            description = describe(store, self.base + path)
            if description is not None:
                writer.write(
                    f"{path}.ttl", serialize(description.triples, TURTLE, context_url=self.context_url)
                )
                writer.write(f"{path}.jsonld", jsonld.compact(description.triples, self.context_url))
            kind = path.split("/", 1)[0]
            summary.by_kind[kind] = summary.by_kind.get(kind, 0) + 1
            summary.resources += 1
            found = scope_for(store, self.base, path)
            if found is not None and stats.count(self.db, found[1]):
                _assets(site, writer, self.db, path, found)
            elif kind == "question" and path.count("/") == 1:
                _asset(site, writer, f"feeds/{path}.atom")
        return summary


#: The exporter of a worker process (made by :func:`_start_worker`).
_worker: _Exporter | None = None


def _start_worker(job: _Job) -> None:
    global _worker
    _worker = _Exporter(job)


def _write_chunk(paths: list[str]) -> ExportSummary:
    assert _worker is not None
    return _worker.write(paths)


def _write_shared(site: Site, writer: _Writer, final: Path, public_base: str) -> None:
    """The home page, the index of names, the 404 page, the dataset's charts, the stylesheet, the JSON-LD
    context, the ontology and shapes, and the web-server rules."""
    context_url = public_base + CONTEXT_FILE
    writer.write("index.html", site.page("", lang="fr", params={}) or "")
    writer.write("search.html", site.page("search", lang="fr", params={}) or "")
    writer.write("404.html", site.not_found("", lang="fr"))
    for path in chart_paths("").values():
        for suffix in (".svg", ".csv"):
            _asset(site, writer, path + suffix)
    _asset(site, writer, "assets/site.css")
    writer.write(CONTEXT_FILE, json.dumps(context_document(), ensure_ascii=False, indent=1))
    for path, triples in documents().items():
        writer.write(f"{path}.ttl", serialize(list(triples), TURTLE, context_url=context_url))
        writer.write(f"{path}.jsonld", jsonld.compact(triples, context_url))
    writer.write(".htaccess", rewrite.htaccess(public_base))
    writer.write("nginx.conf", rewrite.nginx_server(final, public_base))


def _assets(site: Site, writer: _Writer, db: sqlite3.Connection, path: str, found: tuple[str, Scope]) -> None:
    """A page's charts (each drawn once: the same bytes :meth:`Site.asset` serves) and its feed."""
    kind, scope = found
    made = make_charts(db, scope, site.label(site.base + path) or path, "fr", kind)
    for name, stem in chart_paths(path).items():
        if name in made:
            writer.write(stem + ".svg", made[name].svg("fr"))
            writer.write(stem + ".csv", made[name].csv())
    if kind in FEED_KINDS:
        _asset(site, writer, f"feeds/{path}.atom")


def _asset(site: Site, writer: _Writer, path: str) -> None:
    found = site.asset(path)
    if found is not None:
        writer.write(path, found[0])


def run_site_export(store: Path, out: Path, *, base: str, public_base: str, as_of: dt.date) -> ExportSummary:
    """``kg site``: check the options, open the store read-only and export it."""
    if not public_base.endswith("/"):
        raise InputError(f"must end with '/': {public_base!r}", field="--public-base")
    if out.resolve() == store.resolve() or store.resolve().is_relative_to(out.resolve()):
        raise InputError("the site would replace the store", file=str(out), field="--out")
    return export_site(
        EmbeddedStore(store, read_only=True), out, base=base, as_of=as_of, public_base=public_base
    )
