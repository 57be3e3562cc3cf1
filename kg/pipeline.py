"""The build: sources → models → mapping → store → dataset description → export.

Every input record ends up either in the graph or in the quarantine report; the summary accounts
for each of them. Library code: it raises and returns, it never exits.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pyoxigraph as ox

from kg.dataset import describe
from kg.errors import ExitCode, InputError, RecordError
from kg.export import Format, atomic_writer, export, format_for
from kg.iris import DEFAULT_BASE, Minter
from kg.mapping import QuestionMapper, RegistryMapper
from kg.models import Diagnostic, Question
from kg.registry import Registry, load_registry
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.sources.common import InputFile, iter_input_files
from kg.sources.questions import decode_question_file, parse_question
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

    @property
    def quarantine_path(self) -> Path:
        if self.quarantine is not None:
            return self.quarantine
        if self.out is not None and str(self.out) != "-":
            return self.out.parent / "quarantine.jsonl"
        return Path("out") / "quarantine.jsonl"


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """A record kept out of the graph, with why. One JSON object per line in ``quarantine.jsonl``."""

    file: str
    message: str
    uid: str | None = None
    field: str | None = None
    pointer: str | None = None
    kind: str = "input"  # input (unreadable/unparsable) | duplicate | shacl

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "file": self.file,
                "uid": self.uid,
                "pointer": self.pointer,
                "field": self.field,
                "kind": self.kind,
                "message": self.message,
            }
        )


@dataclass
class BuildSummary:
    records_read: int = 0
    in_graph: int = 0
    quarantined: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    persons: int = 0
    organes: int = 0
    mandates: int = 0
    triples: int = 0  # quads in the store after the build
    seconds: float = 0.0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    bad_input: bool = False

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
        return (
            f"records read {self.records_read}, in graph {self.in_graph} ({types or 'none'}), "
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
    if registries:  # with no registry given, the registry graphs already in the store are kept
        registry_mapper = RegistryMapper(registry, mint)
        store.replace_graphs(registry_mapper.graphs(), registry_mapper.quads())

    mapper = QuestionMapper(registry, mint)
    seen: dict[str, str] = {}  # uid → file that brought it
    graphs: list[ox.NamedNode] = []
    quads: list[ox.Quad] = []
    for done, file in enumerate(files, start=1):
        for question in _read_file(file, summary):
            previous = seen.get(question.uid)
            if previous is not None:
                summary.quarantine.append(
                    QuarantineEntry(
                        file=str(question.source),
                        uid=question.uid,
                        kind="duplicate",
                        message=f"uid already read from {previous}; this copy is not used",
                    )
                )
                continue
            seen[question.uid] = str(question.source)
            graphs.append(mint.question_graph(question.uid))
            quads.extend(mapper.map(question))
            summary.in_graph += 1
            summary.by_type[question.type.value] += 1
            if len(graphs) >= BATCH:
                store.replace_graphs(graphs, quads)
                graphs, quads = [], []
        progress(done, len(files))
    store.replace_graphs(graphs, quads)

    store.replace_graphs([mint.dataset_graph()], describe(store, mint))
    store.flush()
    summary.quarantined = len(summary.quarantine)
    summary.triples = len(store)

    if options.out is not None:
        export(store, options.out, options.format or format_for(options.out, None))
    write_quarantine(options.quarantine_path, summary.quarantine)
    summary.seconds = time.perf_counter() - started
    return summary


def _read_file(file: InputFile, summary: BuildSummary) -> Iterator[Question]:
    """Decode and parse one file, record by record. Failures are recorded in ``summary``, never raised:
    a file that cannot be decoded counts as one record read and quarantined (the records before the
    point where it broke still land); a bad record likewise, and the file goes on."""
    problems: list[Diagnostic] = []
    try:
        for raw in decode_question_file(file.name, file.read_bytes(), diagnostics=problems):
            summary.records_read += 1
            try:
                question, warnings = parse_question(raw)
            except RecordError as exc:
                _reject(summary, file.name, exc, pointer=raw.pointer)
                continue
            summary.diagnostics.extend(warnings)
            yield question
    except InputError as exc:
        summary.records_read += 1
        _reject(summary, file.name, exc)
    for problem in problems:  # parts of a multi-record file that are not records
        if problem.severity == "error":
            summary.records_read += 1
            _reject(
                summary,
                file.name,
                InputError(problem.message, file=problem.file, record=problem.record, field=problem.field),
            )
        else:
            summary.diagnostics.append(problem)


def _reject(summary: BuildSummary, name: str, exc: InputError, *, pointer: str | None = None) -> None:
    summary.bad_input = True
    code = getattr(exc, "code", "bad-record" if isinstance(exc, RecordError) else "unreadable")
    summary.diagnostics.append(
        Diagnostic("error", exc.file or name, exc.one_line(), record=exc.record, field=exc.field, code=code)
    )
    summary.quarantine.append(
        QuarantineEntry(
            file=exc.file or name,
            uid=exc.record,
            pointer=pointer,
            field=exc.field,
            message=exc.one_line(),
            kind="input",
        )
    )


def write_quarantine(path: Path, entries: Sequence[QuarantineEntry]) -> None:
    """Always written (empty when nothing was quarantined), so a stale report never survives a build."""
    with atomic_writer(path) as handle:
        for entry in entries:
            handle.write(entry.to_json() + b"\n")
