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
from kg.intake import Intake, MappedRecord, QuarantineEntry, map_all
from kg.iris import DEFAULT_BASE, Minter
from kg.manifest import Manifest, fingerprint, manifest_path
from kg.mapping import RegistryMapper
from kg.models import Diagnostic
from kg.registry import Registry, load_registry
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.sources.common import QUESTION_SUFFIXES, InputFile, iter_input_files
from kg.store import EmbeddedStore
from kg.validate import Engine, Severity, ValidationResult, build_engine, judge_questions, validate_nquads
from kg.vocab import OX_HC

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
    validate: bool = True  # judge each question against the SHACL shapes (a Violation quarantines it)
    engine: Engine | None = None  # None: the fast engine when installed, else pySHACL
    keep_invalid: bool = False  # keep violating records in the graph, flagged (hc:conformsToShapes false)
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
    kept_invalid: int = 0  # records with SHACL violations kept in the graph (--keep-invalid)
    shacl_quarantined: bool = False
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
        if self.quarantined or self.kept_invalid:
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
    # raises InputError for a missing root
    files = [f for root in sources for f in iter_input_files(root, QUESTION_SUFFIXES)]

    mint = Minter(options.base)
    registry = load_registry(registries) if registries else Registry.empty()
    summary.diagnostics.extend(registry.diagnostics)
    for problem in registry.diagnostics:  # a registry record that could not be used is quarantined too
        if problem.severity == "error":
            summary.bad_input = True
            summary.records_read += 1
            summary.quarantine.append(
                QuarantineEntry(
                    file=problem.file, uid=problem.record, field=problem.field, message=problem.one_line()
                )
            )
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
        # files with a quarantined record are read again next time, so the report stays complete
        reported = {entry.file.split("#", 1)[0] for entry in summary.quarantine}
        state.save(
            manifest_path(options.store),
            current,
            [(f, u, ok and f.name not in reported) for f, u, ok in read],
        )
    summary.quarantined = len({e.record_key for e in summary.quarantine if not e.kept})
    summary.kept_invalid = len({e.record_key for e in summary.quarantine if e.kept})
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
    engine = (options.engine or build_engine()) if options.validate else None
    if write_registry:
        mapper = RegistryMapper(registry, mint)
        data = ox.serialize(mapper.quads(), None, ox.RdfFormat.N_QUADS) or b""
        store.load_graphs(mapper.graphs(), data)
        if engine is not None:  # validated once, when it changes; its results are reported, not quarantined
            for result in validate_nquads(data, engine=engine).results:
                summary.diagnostics.append(
                    Diagnostic(
                        "warning", "registry", result.one_line(), field=result.path, code="shacl-registry"
                    )
                )
        yield data
    pending: list[MappedRecord] = []
    shared_seen: set[bytes] = set()
    total = summary.unchanged_files + len(to_read)

    def judge_and_load(records: list[MappedRecord]) -> bytes:
        """Shared facts first (the shapes of a batch's questions look them up), then the questions that
        pass the shapes; a question with a Violation goes to the quarantine (or is kept, flagged)."""
        shared: list[bytes] = []
        for record in records:
            for line in record.shared.splitlines(keepends=True):
                if line not in shared_seen:  # shared facts once, whichever worker mapped them
                    shared_seen.add(line)
                    shared.append(line)
        shared_data = b"".join(shared)
        store.load_graphs([], shared_data)
        verdicts = _judge(records, store, engine, options.base) if engine is not None else {}
        graphs: list[ox.NamedNode] = []
        own: list[bytes] = []
        for record in records:
            violations = [r for r in verdicts.get(record.uid, []) if r.severity == Severity.VIOLATION]
            for result in verdicts.get(record.uid, []):
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
            for result in violations:
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
                        kept=options.keep_invalid,
                    )
                )
            if violations and not options.keep_invalid:
                continue
            graph = mint.question_graph(record.uid)
            graphs.append(graph)
            own.append(record.nquads)
            if violations:
                own.append(_flag_nonconforming(graph))
            summary.in_graph += 1
            summary.by_type[record.type] += 1
        data = b"".join(own)
        store.load_graphs(graphs, data)
        return shared_data + data

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
                    summary.bad_input = True
                    name, _, pointer = record.source.partition("#")
                    message = f"uid already read from {previous}; this copy is not used"
                    summary.diagnostics.append(
                        Diagnostic("error", name, message, record=record.uid, code="duplicate")
                    )
                    summary.quarantine.append(
                        QuarantineEntry(
                            file=name,
                            uid=record.uid,
                            pointer=pointer or None,
                            kind="duplicate",
                            message=message,
                        )
                    )
                    continue
                seen[record.uid] = record.source
                pending.append(record)
            read.append((file, uids, landed))
            if len(pending) >= BATCH:
                yield judge_and_load(pending)
                pending = []
        progress(summary.unchanged_files + len(read), total)
    yield judge_and_load(pending)
    description = describe(store, mint)
    data = ox.serialize(description, None, ox.RdfFormat.N_QUADS) or b""
    store.load_graphs([mint.dataset_graph()], data)
    yield data


def _judge(
    records: list[MappedRecord], store: EmbeddedStore, engine: Engine, base: str
) -> dict[str, list[ValidationResult]]:
    if not records:
        return {}
    batch = {r.uid: list(ox.parse(r.nquads + r.shared, ox.RdfFormat.N_QUADS)) for r in records}
    return judge_questions(batch, store, engine=engine, base=base)


def _flag_nonconforming(graph: ox.NamedNode) -> bytes:
    quad = ox.Quad(graph, OX_HC.conformsToShapes, ox.Literal(False), graph)
    return ox.serialize([quad], None, ox.RdfFormat.N_QUADS) or b""


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
