"""The build: sources → models → mapping → store → dataset description → export.

Every input record ends up either in the graph or in the quarantine report; the summary accounts
for each of them. Library code: it raises and returns, it never exits.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.dataset import describe
from kg.errors import ExitCode
from kg.export import Format, atomic_writer, export, export_stream, format_for
from kg.intake import Intake, QuarantineEntry, map_all
from kg.iris import DEFAULT_BASE, Minter
from kg.manifest import Manifest, fingerprint, manifest_path
from kg.mapping import RegistryMapper
from kg.models import Diagnostic
from kg.registry import Registry, load_registry
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.sources.common import InputFile, iter_input_files
from kg.store import EmbeddedStore

BATCH = 2000  # questions written to the store at once


@dataclass(frozen=True, slots=True)
class BuildOptions:
    sources: Sequence[Path] = ()  # none: the bundled sample
    registries: Sequence[Path] = ()  # none with no sources: the sample's registry
    store: Path | None = Path("hemicycle.oxigraph")  # None: in memory
    out: Path | None = None
    format: Format | None = None
    base: str = DEFAULT_BASE
    quarantine: Path | None = None  # default: quarantine.jsonl beside --out, else in out/
    full: bool = False  # read every input again, even the files unchanged since the last build
    jobs: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))  # worker processes for mapping

    @property
    def quarantine_path(self) -> Path:
        if self.quarantine is not None:
            return self.quarantine
        if self.out is not None and str(self.out) != "-":
            return self.out.parent / "quarantine.jsonl"
        return Path("out") / "quarantine.jsonl"


@dataclass
class BuildSummary:
    records_read: int = 0
    in_graph: int = 0
    quarantined: int = 0
    unchanged_files: int = 0  # input files skipped: unchanged since the last build into this store
    unchanged_records: int = 0  # the questions they hold, already in the graph
    by_type: Counter[str] = field(default_factory=Counter)
    persons: int = 0
    organes: int = 0
    mandates: int = 0
    triples: int = 0  # quads in the store after the build
    seconds: float = 0.0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    bad_input: bool = False

    def absorb(self, intake: Intake) -> None:
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
        if self.quarantined:
            return ExitCode.NOT_CONFORMING
        return ExitCode.OK

    def one_line(self) -> str:
        types = ", ".join(f"{t} {n}" for t, n in sorted(self.by_type.items()))
        unchanged = (
            f"unchanged {self.unchanged_records} (skipped {self.unchanged_files} files), "
            if self.unchanged_files
            else ""
        )
        return (
            f"{unchanged}records read {self.records_read}, in graph {self.in_graph} ({types or 'none'}), "
            f"quarantined {self.quarantined}, persons {self.persons}, organes {self.organes}, "
            f"triples {self.triples}, warnings {self.warnings}, {self.seconds:.2f} s"
        )


Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


def build(options: BuildOptions, progress: Progress = _no_progress) -> BuildSummary:
    """Run the whole build. Raises :class:`InputError` only when an input given does not exist or the
    store cannot be opened; bad files and records are reported in the summary and go on."""
    started = time.perf_counter()
    summary = BuildSummary()
    sources = list(options.sources) or [SAMPLE_QUESTIONS]
    registries = list(options.registries) or ([] if options.sources else [SAMPLE_REGISTRY])
    files = [f for root in sources for f in iter_input_files(root)]  # raises InputError for a missing root

    mint = Minter(options.base)
    registry = load_registry(registries) if registries else Registry.empty()
    summary.diagnostics.extend(registry.diagnostics)
    summary.bad_input |= any(d.severity == "error" for d in registry.diagnostics)
    summary.persons = len(registry.persons)
    summary.organes = len(registry.organes)
    summary.mandates = sum(len(p.mandates) for p in registry.persons.values())

    store = EmbeddedStore(options.store)
    fresh = len(store) == 0
    state = _manifest(options, store)
    current = fingerprint(registry, options.base)
    seen: dict[str, str] = {}  # uid → where it was first read
    to_read = []
    for file in files:
        if state.unchanged(file, current):
            summary.unchanged_files += 1
            for uid in state.uids_of(file):
                seen[uid] = file.name
        else:
            to_read.append(file)
    summary.unchanged_records = len(seen)

    read: list[tuple[InputFile, list[str], bool]] = []
    chunks = _load(
        options, summary, registry, store, mint, to_read, seen, read, current != state.fingerprint, progress
    )
    fmt = options.format or (format_for(options.out, None) if options.out is not None else None)
    if options.out is not None and fmt is not None and fresh:
        # a build into a new store writes its output from what it loads: no second pass over the store
        export_stream(chunks, options.out, fmt)
    else:
        for _ in chunks:
            pass
        if options.out is not None and fmt is not None:
            export(store, options.out, fmt)
    store.flush()
    if options.store is not None:
        state.save(manifest_path(options.store), current, read)
    summary.quarantined = len(summary.quarantine)
    summary.triples = len(store)
    write_quarantine(options.quarantine_path, summary.quarantine)
    summary.seconds = time.perf_counter() - started
    return summary


def _load(
    options: BuildOptions,
    summary: BuildSummary,
    registry: Registry,
    store: EmbeddedStore,
    mint: Minter,
    to_read: list[InputFile],
    seen: dict[str, str],
    read: list[tuple[InputFile, list[str], bool]],
    write_registry: bool,
    progress: Progress,
) -> Iterator[bytes]:
    """Load the store, batch by batch, yielding each batch's N-Quads once it is loaded (for the output)."""
    if write_registry:
        mapper = RegistryMapper(registry, mint)
        data = ox.serialize(mapper.quads(), None, ox.RdfFormat.N_QUADS) or b""
        store.load_graphs(mapper.graphs(), data)
        yield data
    graphs: list[ox.NamedNode] = []
    batch: list[bytes] = []
    shared_seen: set[bytes] = set()
    total = summary.unchanged_files + len(to_read)
    for intake in map_all(to_read, registry, options.base, options.jobs):
        summary.absorb(intake)
        records = iter(intake.mapped)
        for uids, all_landed in intake.file_results:
            file = to_read[len(read)]
            landed = all_landed
            for _ in uids:
                record = next(records)
                previous = seen.get(record.uid)
                if previous is not None:
                    landed = False
                    summary.quarantine.append(
                        QuarantineEntry(
                            file=record.source,
                            uid=record.uid,
                            kind="duplicate",
                            message=f"uid already read from {previous}; this copy is not used",
                        )
                    )
                    continue
                seen[record.uid] = record.source
                graphs.append(mint.question_graph(record.uid))
                batch.append(record.nquads)
                for line in record.shared.splitlines(keepends=True):
                    if line not in shared_seen:  # shared facts once, whichever worker mapped them
                        shared_seen.add(line)
                        batch.append(line)
                summary.in_graph += 1
                summary.by_type[record.type] += 1
            read.append((file, uids, landed))
            if len(graphs) >= BATCH:
                data = b"".join(batch)
                store.load_graphs(graphs, data)
                yield data
                graphs, batch = [], []
        progress(summary.unchanged_files + len(read), total)
    data = b"".join(batch)
    store.load_graphs(graphs, data)
    yield data
    description = describe(store, mint)
    data = ox.serialize(description, None, ox.RdfFormat.N_QUADS) or b""
    store.load_graphs([mint.dataset_graph()], data)
    yield data


def _manifest(options: BuildOptions, store: EmbeddedStore) -> Manifest:
    """Last build's manifest, unless a full rebuild is asked for or the store is new or in memory."""
    if options.store is None or options.full or len(store) == 0:
        return Manifest()
    return Manifest.load(manifest_path(options.store))


def write_quarantine(path: Path, entries: Sequence[QuarantineEntry]) -> None:
    """Always written (empty when nothing was quarantined), so a stale report never survives a build."""
    with atomic_writer(path) as handle:
        for entry in entries:
            handle.write(entry.to_json() + b"\n")
