"""The build: sources → models → mapping → store → dataset description → export.

Every input record ends up either in the graph or in the quarantine report; the summary accounts
for each of them. Library code: it raises and returns, it never exits.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import pyoxigraph as ox

from kg.build.dataset import describe, facts_of
from kg.build.exporter import TypeTally, kept_in
from kg.build.manifest import Manifest, manifest_path
from kg.build.memory import fewer_collections, release_free_memory
from kg.build.records import Intake, MappedRecord, Spooled
from kg.build.registry_cache import CacheEntry, RegistryCache, RegistrySource, checkpoint, open_registry
from kg.build.workers import ChunkedMapping, WorkerSetup, parallel
from kg.errors import ExitCode
from kg.export import (
    STREAMED,
    Format,
    StreamedOutput,
    atomic_writer,
    check_writable,
    export,
    format_for,
    output_handle,
)
from kg.fetch.generations import refuse_if_served, unless_updating
from kg.iris import DEFAULT_BASE, Minter
from kg.mapping_registry import RegistryMapper
from kg.registry import Registry
from kg.report import Diagnostic, QuarantineEntry, quarantined
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.sources.files import QUESTION_SUFFIXES, InputFile, iter_input_files, printable
from kg.store import BackgroundLoader, EmbeddedStore
from kg.validation.engines import build_engine
from kg.validation.report import validate_nquads
from kg.validation.results import Engine, Severity, ValidationResult
from kg.validation.shapes import load_shapes
from kg.vocab import OX_HC, OX_VOID

T_co = TypeVar("T_co", covariant=True)
#: a build of named inputs without --registry: nothing can resolve who asked, nor which group or ministry
NO_REGISTRY = Diagnostic(
    "warning",
    "--registry",
    "no registry was given: authors, groups and ministries cannot be resolved and keep their labels on "
    "fallback IRIs (give the acteurs/organes files, folder or zip with --registry)",
    code="no-registry",
)
BATCH = 2000  # questions written to the store at once
#: The main process gives its freed memory back every this many batches (each trim walks its whole heap:
#: ~35 ms; after every batch, 1.8 CPU s at 100k)
TRIM_EVERY = 10


@dataclass(frozen=True, slots=True)
class BuildOptions:
    sources: Sequence[Path] = ()  # none: the bundled sample
    registries: Sequence[Path] = ()  # none with no sources: the sample's registry
    store: Path | None = Path("hemicycle.oxigraph")  # None: in memory
    out: Path | None = None
    format: Format | None = None
    base: str = DEFAULT_BASE
    quarantine: Path | None = None  # default: named after --out, beside it (else after the store, in out/)
    full: bool = False  # read every input again, even the files unchanged since the last build
    validate: bool = True  # judge each question against the SHACL shapes (a Violation quarantines it)
    engine: Engine | None = None  # None: the fast engine when installed, else pySHACL
    keep_invalid: bool = False  # keep violating records in the graph, flagged (hc:conformsToShapes false)
    jobs: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))  # worker processes for mapping
    no_store: bool = False  # exporter mode: map, validate and write --out (ttl, nt, nq), no store at all
    cache: bool = True  # the registry from the user's cache when unchanged (kg.build.registry_cache)
    cache_dir: Path | None = None  # the cache's folder; None: $KG_CACHE_DIR, else the XDG cache folder

    @property
    def quarantine_path(self) -> Path:
        if self.quarantine is not None:
            return self.quarantine
        # named after what the build writes, so two builds into one folder keep their own reports
        if self.out is not None and str(self.out) != "-":
            return self.out.parent / f"{_stem(self.out)}.quarantine.jsonl"
        stem = _stem(self.store) if self.store is not None else "hemicycle"
        return Path("out") / f"{stem}.quarantine.jsonl"


def _stem(path: Path) -> str:
    """``out/x.ttl`` → ``x``; ``hemicycle.oxigraph`` → ``hemicycle`` (``x.tar.gz``-like names lose one)."""
    return path.stem or path.name


@dataclass
class BuildSummary:
    records_read: int = 0
    in_graph: int = 0
    quarantined: int = 0
    kept_invalid: int = 0  # records with SHACL violations kept in the graph (--keep-invalid)
    shacl_quarantined: bool = False
    unchanged_files: int = 0  # input files skipped: unchanged since the last build into this store
    unchanged_records: int = 0  # the questions they hold, already in the graph
    by_type: Counter[str] = field(default_factory=Counter)
    persons: int = 0
    organes: int = 0
    mandates: int = 0
    triples: int = 0  # quads in the store after the build
    #: the questions the store holds after the build, by type (this run's and the earlier ones')
    store_questions: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    bad_input: bool = False
    #: CPU seconds per step, summed over the processes and threads that did it (``kg build --timings``)
    cpu: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    cpu_total: float = 0.0  # CPU seconds of the whole build: this process, its threads and its workers
    cpu_workers: float = 0.0  # of which the worker processes

    def timings(self) -> str:
        steps = ", ".join(f"{step} {seconds:.1f}" for step, seconds in sorted(self.cpu.items()))
        return (
            f"CPU seconds: {steps}; all processes {self.cpu_total:.1f} "
            f"(workers {self.cpu_workers:.1f}); wall {self.seconds:.1f}"
        )

    def absorb(self, intake: Intake) -> None:
        for step, seconds in intake.cpu.items():
            self.cpu[step] += seconds
        self.records_read += intake.records_read
        self.bad_input |= intake.bad_input
        self.diagnostics.extend(intake.diagnostics)
        self.quarantine.extend(intake.quarantine)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    @property
    def exit_code(self) -> ExitCode:
        if self.bad_input:
            return ExitCode.BAD_INPUT
        if self.quarantined or self.kept_invalid:
            return ExitCode.NOT_CONFORMING
        return ExitCode.OK

    def one_line(self, *, store: bool = True) -> str:
        """What this run did (records read, landed in the graph, quarantined), then, with ``store``, what the
        store holds now: a rebuild that changed nothing says so, and still says what is there."""
        types = ", ".join(f"{t} {n}" for t, n in sorted(self.by_type.items()))
        unchanged = (
            f"unchanged {self.unchanged_records} (skipped {self.unchanged_files} files), "
            if self.unchanged_files
            else ""
        )
        run = (
            f"{unchanged}records read {self.records_read}, in graph {self.in_graph} ({types or 'none'}), "
            f"quarantined {self.quarantined}, warnings {self.warnings}, {self.seconds:.2f} s"
        )
        return f"{run}; {self.holds()}" if store else run

    def holds(self) -> str:
        held = ", ".join(f"{t} {n}" for t, n in sorted(self.store_questions.items()))
        return (
            f"the store holds {self.store_questions.total()} questions ({held or 'none'}), persons "
            f"{self.persons}, organes {self.organes}, triples {self.triples}"
        )


Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


def build(options: BuildOptions, progress: Progress = _no_progress) -> BuildSummary:
    """Run the whole build. Raises :class:`InputError` only when an input given does not exist or the
    store cannot be opened, ``BusyError`` when ``kg serve`` serves the store or ``kg update`` is updating
    it; bad files and records are reported in the summary and go on."""
    if options.store is None or options.no_store:
        return _build(options, progress)
    refuse_if_served(options.store)  # a served store changes only by a swap of generations (kg update)
    with unless_updating(options.store):
        return _build(options, progress)


def _build(options: BuildOptions, progress: Progress) -> BuildSummary:
    started = time.perf_counter()
    summary = BuildSummary()
    sources = list(options.sources) or [SAMPLE_QUESTIONS]
    registries = list(options.registries) or ([] if options.sources else [SAMPLE_REGISTRY])
    # raises InputError for a missing root
    by_root = [(root, list(iter_input_files(root, QUESTION_SUFFIXES))) for root in sources]
    files = [f for _, found in by_root for f in found]
    # the outputs must be writable before anything is read or the store is created: a usage error leaves
    # nothing behind
    if options.out is not None:
        check_writable(options.out, "--out")
    fmt = options.format or (format_for(options.out, None) if options.out is not None else None)
    if options.no_store and (options.out is None or fmt is None or fmt.name not in STREAMED):
        raise ValueError(f"--no-store writes --out as one of {', '.join(sorted(STREAMED))}, and needs --out")
    check_writable(options.quarantine_path, "--quarantine")

    mint = Minter(options.base)
    main_started = time.thread_time()
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu_before = [u.ru_utime + u.ru_stime for u in usage]
    with fewer_collections():  # the collector runs rarely: a build allocates millions of objects
        cache = RegistryCache(options.cache_dir) if options.cache else None
        source = open_registry(registries, options.base, cache)  # from the cache when unchanged
        summary.cpu["registry read"] += time.thread_time() - main_started
        meta = source.meta
        if not registries:  # said first: every unresolved author, group and ministry below follows from it
            summary.diagnostics.append(NO_REGISTRY)
        summary.diagnostics.extend(meta.diagnostics)
        for problem in meta.diagnostics:  # a registry record that could not be used is quarantined too
            if problem.severity == "error":
                summary.bad_input = True
                summary.records_read += 1
                summary.quarantine.append(
                    QuarantineEntry(
                        file=problem.file, uid=problem.record, field=problem.field, message=problem.one_line()
                    )
                )
        summary.persons, summary.organes, summary.mandates = meta.persons, meta.organes, meta.mandates

        seeded = _seed(options, source, fmt)  # a new store starts as a copy of the registry's
        store = EmbeddedStore(None if options.no_store else options.store)
        fresh = store.is_empty()
        state = Manifest() if seeded or options.no_store else _manifest(options, store)
        current = meta.fingerprint
        seen: dict[str, str] = {}  # uid → where it was first read
        gave: set[str] = set()  # files that gave at least one question (read now or unchanged)
        to_read = []
        for file in files:
            uids = state.unchanged_uids(file, current)
            if uids is not None:
                summary.unchanged_files += 1
                if uids:
                    gave.add(file.name)
                for uid in uids:
                    seen[uid] = file.name
            else:
                to_read.append(file)
        summary.unchanged_records = len(seen)

        streamed = options.out is not None and fmt is not None and (fresh or seeded) and fmt.name in STREAMED
        write_registry = not seeded and current != state.fingerprint
        registry = source.registry() if to_read or write_registry else Registry.empty()
        read: list[tuple[InputFile, list[str], bool]] = []
        with ExitStack() as stack:
            output = None
            if streamed:
                assert options.out is not None and fmt is not None
                # a build into a new store writes its output from what it loads: no second pass over the store
                output = StreamedOutput(stack.enter_context(output_handle(options.out)), fmt)
            load = _Load(options, summary, registry, store, mint, output, progress)
            load.entry, load.seeded, load.pickled = source.entry, seeded, source.pickled
            load.new_store = fresh or seeded
            load.checkpoint = fresh and options.store is not None and not options.no_store
            load.shapes_file = cache.shapes_file() if cache is not None else None
            del registry, source  # _Load lets it go once workers have their own copy
            load.run(to_read, seen, read, write_registry=write_registry)
        summary.store_questions = _store_questions(store, mint)
        gave.update(f.name for f, uids, _ in read if uids)
        summary.diagnostics.extend(_roots_without_questions(by_root, gave, summary))
        if options.out is not None and fmt is not None and not streamed:
            export(store, options.out, fmt)
        store.flush()
        if options.store is not None and not options.no_store:
            # files with a quarantined record are read again next time, so the report stays complete
            reported = {entry.file.split("#", 1)[0] for entry in summary.quarantine}
            state.save(
                manifest_path(options.store),
                current,
                [(f, u, ok and f.name not in reported) for f, u, ok in read],
            )
        summary.quarantined = len({e.record_key for e in summary.quarantine if not e.kept})
        summary.kept_invalid = len({e.record_key for e in summary.quarantine if e.kept})
        write_quarantine(options.quarantine_path, summary.quarantine)
        main = time.thread_time() - main_started
        summary.cpu["main: decide, write"] += (
            main - summary.cpu["registry read"] - summary.cpu["registry map"]
        )
        usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        spent = [u.ru_utime + u.ru_stime - before for u, before in zip(usage, cpu_before, strict=True)]
        summary.cpu_total, summary.cpu_workers = sum(spent), spent[1]
        summary.seconds = time.perf_counter() - started
        return summary


class _Later(Protocol[T_co]):
    """A value computed by a worker (an AsyncResult) or already here."""

    def get(self) -> T_co: ...


class _Done(Generic[T_co]):
    def __init__(self, value: T_co) -> None:
        self.value = value

    def get(self) -> T_co:
        return self.value


class _Load:
    """Loading the store: the registry, then the questions batch by batch, then the dataset description.

    Worker processes (kg.intake) read, map, judge and render the questions; this process decides what lands
    (duplicates and SHACL violations go to the quarantine), hands each batch to a background thread that
    bulk-loads the store, and writes the streamed output, if any, in input order."""

    def __init__(
        self,
        options: BuildOptions,
        summary: BuildSummary,
        registry: Registry,
        store: EmbeddedStore,
        mint: Minter,
        output: StreamedOutput | None,
        progress: Progress,
    ) -> None:
        self.options = options
        self.summary = summary
        self.registry: Registry | None = registry
        self.store = store
        self.mint = mint
        self.output = output
        self.progress = progress
        self.engine = (options.engine or build_engine()) if options.validate else None
        self.shared_seen: set[bytes] = set()
        self.entry: CacheEntry | None = None  # the registry's cache entry: what it has is not made again
        self.seeded = False  # the store started as a copy of the entry's: the registry is in it
        self.new_store = False  # empty, or seeded: the build replaces no question graph in it
        self.checkpoint = False  # a new store: once the registry is in it, the entry keeps a checkpoint
        self.shapes_file: Path | None = None  # the shapes kept parsed in the user's cache
        self.pickled: bytes | None = None  # the registry pickled already (for the workers)
        self._save_piece: str | None = None  # the format of a registry piece the entry lacks
        self._spools: dict[str, int] = {}  # the workers' spool files open for copying, by path

    def run(
        self,
        to_read: list[InputFile],
        seen: dict[str, str],
        read: list[tuple[InputFile, list[str], bool]],
        *,
        write_registry: bool,
    ) -> None:
        options, summary = self.options, self.summary
        workers = parallel(to_read, options.jobs)
        render = self.output.renderer.fmt.name if self.output is not None else None
        # N-Quads output is the records' N-Quads themselves: the workers render only other formats
        setup = WorkerSetup(
            options.base,
            self.engine,
            render if render != "nq" else None,
            options.no_store,
            str(self.shapes_file) if self.shapes_file is not None else None,
        )
        if self.engine is not None:  # parsed here once (or read from the cache): workers read the cache
            started = time.thread_time()
            load_shapes(kept=self.shapes_file)
            summary.cpu["judge"] += time.thread_time() - started
        registry = self.registry
        assert registry is not None, "a _Load runs once"
        with ExitStack() as stack:
            loader: BackgroundLoader | TypeTally = (
                TypeTally() if options.no_store else BackgroundLoader(self.store, new=self.new_store)
            )
            stack.enter_context(loader)
            spool = self._spool_folder(stack, workers=workers, render=render)
            if spool is not None:
                setup = replace(setup, spool=spool)
            mapping = stack.enter_context(
                ChunkedMapping(to_read, setup, options.jobs, registry=registry, pickled=self.pickled)
            )
            # the registry, while the workers start and map their first chunks; what its cache entry
            # keeps (its SHACL results, its rendered graphs) is not made again
            entry = self.entry
            cached = entry.validation(self.engine) if entry is not None and self.engine is not None else None
            piece = entry.rendered(render) if entry is not None and render is not None else None
            checks: _Later[tuple[list[ValidationResult], float]] = _Done((cached or [], 0.0))
            registry_piece: _Later[tuple[bytes, float]] = _Done((piece or b"", 0.0))
            # exporter mode: a registry counted, judged and rendered before is not mapped again
            counted = (
                entry.tally()
                if entry is not None
                and isinstance(loader, TypeTally)
                and (self.engine is None or cached is not None)
                and (render is None or piece is not None)
                else None
            )
            if write_registry and counted is not None and isinstance(loader, TypeTally):
                loader.add(*counted)
            elif write_registry:
                started = time.thread_time()
                mapper = RegistryMapper(registry, self.mint)
                data = ox.serialize(mapper.quads(), None, ox.RdfFormat.N_QUADS) or b""
                summary.cpu["registry map"] += time.thread_time() - started
                loader.submit(mapper.graphs(), data)
                del mapper
                if entry is not None and isinstance(loader, TypeTally) and loader.registry_tally is not None:
                    entry.save_tally(loader.registry_tally)
                if entry is not None and self.checkpoint and not entry.has_store():
                    # the store holds the registry alone: the next new store starts as a copy of it
                    loader.then(partial(entry.save_store, checkpoint(self.store.store)))
                validate = self.engine is not None and cached is None
                self._save_piece = render if render is not None and piece is None else None
                if workers:  # validated and rendered by the workers, beside the mapping
                    work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kg-build-")))
                    (work / "registry.nq").write_bytes(data)
                    if validate and self.engine is not None:
                        checks = mapping.validate_registry(str(work / "registry.nq"), self.engine)
                    if self._save_piece is not None:
                        registry_piece = mapping.render_registry(str(work / "registry.nq"), self._save_piece)
                else:
                    started = time.thread_time()
                    if validate and self.engine is not None:
                        checks = _Done((list(validate_nquads(data, engine=self.engine).results), 0.0))
                    if self.output is not None and self._save_piece is not None:
                        registry_piece = _Done((self.output.renderer.piece_of_nquads(data), 0.0))
                    summary.cpu["registry validate, render"] += time.thread_time() - started
                del data
            elif not self.seeded:  # in the store already, reported when it was written
                checks = _Done(([], 0.0))
            if mapping.pool is not None:  # the workers have their own copy: ~100 MB less here
                self.registry = registry = None
            registry_at = len(summary.diagnostics)  # its results are reported first
            first = True

            pending: list[MappedRecord] = []
            total = summary.unchanged_files + len(to_read)
            carried: tuple[list[str], bool] | None = None  # a large file's slices so far
            landed_batches = 0
            for intake in mapping:
                summary.absorb(intake)
                records = iter(intake.mapped)
                for uids, all_landed in intake.file_results:
                    landed = all_landed
                    for _ in uids:
                        record = next(records)
                        if not self._first_copy(record, seen):
                            landed = False
                            continue
                        pending.append(record)
                    if carried is not None:
                        uids, landed = carried[0] + uids, carried[1] and landed
                        carried = None
                    if intake.partial:  # the file goes on in the next intake
                        carried = (uids, landed)
                    else:
                        read.append((to_read[len(read)], uids, landed))
                    if len(pending) >= BATCH:
                        if first:
                            self._write_registry(registry_piece)
                            first = False
                        self._land(pending, loader)
                        pending = []
                        landed_batches += 1
                        if landed_batches % TRIM_EVERY == 0:
                            release_free_memory()
                self.progress(summary.unchanged_files + len(read), total)
            if first:
                self._write_registry(registry_piece)
            self._land(pending, loader)
            self._release_spools(keep=None)
            results, seconds = checks.get()  # validated once, when it changes: reported, not quarantined
            mapping.close()  # the store's last load needs their memory (~1 GB at 100k)
            release_free_memory()
            summary.cpu["registry validate, render"] += seconds
            if entry is not None and self.engine is not None and cached is None and write_registry:
                entry.save_validation(self.engine, results)
            summary.diagnostics[registry_at:registry_at] = [
                Diagnostic(
                    "warning",
                    "registry",
                    r.one_line(),
                    record=_record_of(r.focus_node, self.mint.base),  # the mandate, person or organe
                    field=r.path,
                    code="shacl-registry",
                )
                for r in results
            ]
            loader.wait()
            summary.cpu["store load"] += loader.cpu
        if not to_read and not write_registry and not self.seeded:  # the store is as it was
            known = _described_triples(self.store, self.mint)
            if known is not None:
                self.summary.triples = known
                return
        self.store.remove_graph(self.mint.dataset_graph())
        # counted once (a scan of a whole index); without a store, the quads written
        if isinstance(loader, TypeTally):
            triples, facts = loader.triples, loader.facts()
        else:
            triples, facts = len(self.store), facts_of(self.store)
        described = describe(facts, self.mint, triples)
        self.summary.triples = triples + len(set(described))
        description = ox.serialize(described, None, ox.RdfFormat.N_QUADS) or b""
        self.store.load_graphs([self.mint.dataset_graph()], description)
        if self.output is not None:
            self.output.write_nquads(description)

    def _spool_folder(self, stack: ExitStack, *, workers: bool, render: str | None) -> str | None:
        """A scratch folder beside the output for the workers' rendered pieces (``WorkerSetup.spool``), when
        workers render (not N-Quads: those are the records' N-Quads) and the output is a file."""
        out = self.options.out
        if not workers or self.output is None or render in (None, "nq") or out is None or str(out) == "-":
            return None
        folder = tempfile.TemporaryDirectory(
            prefix=f".{out.name}.pieces-", dir=out.parent, ignore_cleanup_errors=True
        )
        path = stack.enter_context(folder)
        # a build that fails closes its scratch files too, before the folder goes
        stack.callback(self._release_spools, keep=None)
        return path

    def _write_pieces(self, pieces: list[bytes | Spooled]) -> None:
        """The pieces in order: bytes written, spooled pieces copied from their files (neighbours at once)."""
        assert self.output is not None
        run: Spooled | None = None
        for piece in pieces:
            if isinstance(piece, Spooled):
                if run is not None and run.path == piece.path and run.offset + run.length == piece.offset:
                    run = run._replace(length=run.length + piece.length)
                    continue
                self._copy_spooled(run)
                run = piece
            else:
                self._copy_spooled(run)
                run = None
                self.output.write(piece)
        self._copy_spooled(run)

    def _copy_spooled(self, piece: Spooled | None) -> None:
        if piece is None or self.output is None:
            return
        source = self._spools.get(piece.path)
        if source is None:
            source = self._spools[piece.path] = os.open(piece.path, os.O_RDONLY)
        self.output.copy(source, piece.offset, piece.length)

    def _release_spools(self, keep: str | None) -> None:
        """Close and remove the spool files whose records have all landed (all but ``keep``, whose file
        may hold the next batch's first records: records come in order)."""
        for path in [path for path in self._spools if path != keep]:
            os.close(self._spools.pop(path))
            Path(path).unlink(missing_ok=True)

    def _write_registry(self, piece: _Later[tuple[bytes, float]]) -> None:
        data, seconds = piece.get()
        self.summary.cpu["registry validate, render"] += seconds
        if self.entry is not None and self._save_piece is not None:
            self.entry.save_rendered(self._save_piece, data)
        if self.output is not None:
            self.output.write(data)

    def _first_copy(self, record: MappedRecord, seen: dict[str, str]) -> bool:
        previous = seen.get(record.uid)
        if previous is None:
            seen[record.uid] = record.source
            return True
        summary = self.summary
        summary.bad_input = True
        name, _, pointer = record.source.partition("#")
        message = f"uid already read from {previous}; this copy is not used"
        diagnostic, entry = quarantined(
            name, message, uid=record.uid, pointer=pointer or None, kind="duplicate", code="duplicate"
        )
        summary.diagnostics.append(diagnostic)
        summary.quarantine.append(entry)
        return False

    def _land(self, records: list[MappedRecord], loader: BackgroundLoader | TypeTally) -> None:
        """Shared facts (each once, whichever worker mapped them), then the questions that pass the shapes;
        a question with a Violation goes to the quarantine (or is kept, flagged, with --keep-invalid)."""
        shared: list[bytes] = []
        for record in records:
            for line in record.shared.splitlines(keepends=True):
                if line not in self.shared_seen:
                    self.shared_seen.add(line)
                    shared.append(line)
        shared_data = b"".join(shared)
        graphs: list[ox.NamedNode] = []
        own: list[bytes] = []
        pieces: list[bytes | Spooled] = []
        kept: list[bytes] = []
        landed: list[MappedRecord] = []
        for record in records:
            violating = self._report(record, record.results)
            if violating and not self.options.keep_invalid:
                continue
            landed.append(record)
            graph = self.mint.question_graph(record.uid)
            graphs.append(graph)
            own.append(record.nquads)
            pieces.append(record.spooled if record.spooled is not None else record.rendered)
            kept.append(record.kept)
            if violating:
                flag = _flag_nonconforming(graph)
                own.append(flag)
                pieces.append(self.output.renderer.piece_of_nquads(flag) if self.output else b"")
            self.summary.in_graph += 1
            self.summary.by_type[record.type] += 1
        if isinstance(loader, TypeTally):
            # counted, not loaded: the workers counted their records' quads and picked out their kept lines
            triples = shared_data.count(b"\n") + sum(r.triples for r in landed) + len(own) - len(landed)
            loader.add(triples, kept_in(shared_data) + b"".join(kept))
        elif shared_data or own:
            loader.submit(graphs, shared_data + b"".join(own))
        if self.output is not None:
            self.output.write_nquads(shared_data)
            if self.output.renderer.fmt.rdf_format == ox.RdfFormat.N_QUADS:
                self.output.write(b"".join(own))
            else:
                self._write_pieces(pieces)
        last = records[-1].spooled if records else None
        if last is not None:
            self._release_spools(keep=last.path)

    def _report(self, record: MappedRecord, results: Sequence[ValidationResult]) -> bool:
        """Diagnostics (and quarantine entries) for a question's SHACL results; whether it violates."""
        summary = self.summary
        violating = False
        for result in results:
            if result.severity != Severity.VIOLATION:
                summary.diagnostics.append(
                    Diagnostic(
                        "warning",
                        record.source,
                        result.one_line(),
                        record=record.uid,
                        field=result.path,
                        code="shacl",
                    )
                )
        for result in results:
            if result.severity != Severity.VIOLATION:
                continue
            violating = True
            summary.diagnostics.append(
                Diagnostic(
                    "error",
                    record.source,
                    result.one_line(),
                    record=record.uid,
                    field=result.path,
                    code="shacl",
                )
            )
            summary.quarantine.append(
                QuarantineEntry(
                    file=record.source,
                    uid=record.uid,
                    field=result.path,
                    message=result.one_line(record.source, record.uid),
                    kind="shacl",
                    focus=result.focus_node,
                    value=result.value,
                    shape=result.shape_name,
                    component=result.component_name,
                    severity=result.severity.value,
                    kept=self.options.keep_invalid,
                )
            )
        return violating


def _flag_nonconforming(graph: ox.NamedNode) -> bytes:
    quad = ox.Quad(graph, OX_HC.conformsToShapes, ox.Literal(False), graph)
    return ox.serialize([quad], None, ox.RdfFormat.N_QUADS) or b""


def _seed(options: BuildOptions, source: RegistrySource, fmt: Format | None) -> bool:
    """A new store starts as a copy of the registry's cached store, when the entry has everything else the
    build would make of the registry (its SHACL results, its graphs in the streamed output format)."""
    entry, path = source.entry, options.store
    if entry is None or path is None or options.no_store or not entry.has_store():
        return False
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        return False
    if options.validate and entry.validation(options.engine or build_engine()) is None:
        return False
    streamed = options.out is not None and fmt is not None and fmt.name in STREAMED
    if streamed and fmt is not None and entry.rendered(fmt.name) is None:
        return False
    return entry.seed_store(path)


#: the question classes, by the type code the summary uses
_QUESTION_CLASSES = {"QE": OX_HC.WrittenQuestion, "QOSD": OX_HC.OralQuestion, "QG": OX_HC.GovernmentQuestion}
_VOID_CLASS = ox.NamedNode("http://rdfs.org/ns/void#class")  # ``class``: no attribute of OX_VOID


def _record_of(focus: str, base: str) -> str:
    """A registry resource as a person names it: ``https://w3id.org/hemicycle/mandate/PM775070`` →
    ``mandate/PM775070``."""
    return focus.removeprefix(base) if focus.startswith(base) else focus


def _store_questions(store: EmbeddedStore, mint: Minter) -> Counter[str]:
    """The questions the store holds, by type, as its dataset description counts them (its VoID class
    partitions: no scan of the store)."""
    graph = mint.dataset_graph()
    held: Counter[str] = Counter()
    for code, cls in _QUESTION_CLASSES.items():
        for partition in store.store.quads_for_pattern(None, _VOID_CLASS, cls, graph):
            for count in store.store.quads_for_pattern(partition.subject, OX_VOID.entities, None, graph):
                if isinstance(count.object, ox.Literal):
                    held[code] += int(count.object.value)
    return held


def _described_triples(store: EmbeddedStore, mint: Minter) -> int | None:
    """The quads of a store as its dataset description counts them (``void:triples``, plus the description
    itself): no scan of the store. ``None`` when it has no description."""
    graph, dataset = mint.dataset_graph(), mint.dataset()
    counts = list(store.store.quads_for_pattern(dataset, OX_VOID.triples, None, graph))
    if len(counts) != 1 or not isinstance(counts[0].object, ox.Literal):
        return None
    description = sum(1 for _ in store.store.quads_for_pattern(None, None, None, graph))
    return int(counts[0].object.value) + description


def _manifest(options: BuildOptions, store: EmbeddedStore) -> Manifest:
    """Last build's manifest, unless a full rebuild is asked for or the store is new or in memory."""
    if options.store is None or options.full or store.is_empty():
        return Manifest()
    return Manifest.load(manifest_path(options.store))


def _roots_without_questions(
    by_root: list[tuple[Path, list[InputFile]]], gave: set[str], summary: BuildSummary
) -> list[Diagnostic]:
    """A folder or archive named on the command line that yields no question record at all is an error (exit 2),
    never a silent success: its files were all skipped (not pages, not records) or it holds none."""
    reported = {entry.file.split("#", 1)[0] for entry in summary.quarantine}
    errors = []
    for root, found in by_root:
        if not (root.is_dir() or root.suffix.lower() == ".zip"):
            continue  # a file named alone: the read front door says why it gives nothing
        if any(f.name in gave or f.name in reported for f in found):
            continue
        summary.bad_input = True
        errors.append(
            Diagnostic(
                "error",
                printable(str(root)),
                f"gives no question record ({len(found)} file{'' if len(found) == 1 else 's'} with a question "
                "suffix, none a question record or page)",
                code="no-question",
            )
        )
    return errors


def write_quarantine(path: Path, entries: Sequence[QuarantineEntry]) -> None:
    """Always written (empty when nothing was quarantined), so a stale report never survives a build."""
    with atomic_writer(path) as handle:
        for entry in entries:
            handle.write(entry.to_json() + b"\n")
