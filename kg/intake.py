"""Reading question files into mapped records, in worker processes when the input is large.

A chunk of files goes in; what comes out is, for each question, its N-Quads (serialised by pyoxigraph in
the worker) plus everything the summary needs: records read, diagnostics, quarantined records. Pure with
respect to its inputs (files + registry + base IRI), so chunks can be mapped in any process and in parallel;
results come back in input order, which keeps the build deterministic.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult

import orjson
import pyoxigraph as ox

from kg.errors import InputError, RecordError
from kg.iris import Minter
from kg.mapping import QuestionMapper
from kg.models import Diagnostic, Question
from kg.reconcile import looks_like_page, read_page_file
from kg.registry import Registry
from kg.sources.common import PAGE_SUFFIXES, InputFile
from kg.sources.questions import decode_question_file, parse_question

#: Below this many input files (and bytes), mapping runs in-process: a worker pool costs ~1 s to start.
PARALLEL_MIN_FILES = 400
PARALLEL_MIN_BYTES = 16 * 1024 * 1024
CHUNK_FILES = 200


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """A record kept out of the graph, with why. One JSON object per line in ``quarantine.jsonl``."""

    file: str
    message: str
    uid: str | None = None
    field: str | None = None
    pointer: str | None = None
    kind: str = "input"  # input (unreadable/unparsable) | duplicate | shacl
    # for kind "shacl": the SHACL result
    focus: str | None = None
    value: str | None = None
    shape: str | None = None
    component: str | None = None
    severity: str | None = None
    kept: bool = False  # --keep-invalid: the record is in the graph all the same, flagged

    @property
    def record_key(self) -> tuple[str, str | None, str | None]:
        """Entries with the same key are about the same input record."""
        return (self.file, self.uid, self.pointer)

    def to_json(self) -> bytes:
        entry: dict[str, object] = {
            "file": self.file,
            "uid": self.uid,
            "pointer": self.pointer,
            "field": self.field,
            "kind": self.kind,
            "message": self.message,
        }
        if self.kind == "shacl":
            entry |= {
                "focus": self.focus,
                "path": self.field,
                "value": self.value,
                "shape": self.shape,
                "component": self.component,
                "severity": self.severity,
                "kept": self.kept,
            }
        return orjson.dumps(entry)


@dataclass(frozen=True, slots=True)
class MappedRecord:
    uid: str
    type: str  # QE | QOSD | QG
    source: str  # file (and pointer) it came from
    nquads: bytes  # the quads of the question's own graph
    shared: bytes  # its quads in the add-only shared graphs (topics, mentions), one N-Quads line each


@dataclass
class Intake:
    """What reading and mapping some files gave."""

    files: int = 0
    #: per file, in order: the uids it gave and whether all its records landed
    file_results: list[tuple[list[str], bool]] = field(default_factory=list)
    records_read: int = 0
    bad_input: bool = False
    mapped: list[MappedRecord] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    quarantine: list[QuarantineEntry] = field(default_factory=list)

    def reject(self, name: str, exc: InputError, *, pointer: str | None = None) -> None:
        self.bad_input = True
        code = getattr(exc, "code", "bad-record" if isinstance(exc, RecordError) else "unreadable")
        self.diagnostics.append(
            Diagnostic("error", exc.file or name, exc.message, record=exc.record, field=exc.field, code=code)
        )
        self.quarantine.append(
            QuarantineEntry(
                file=exc.file or name,
                uid=exc.record,
                pointer=pointer,
                field=exc.field,
                message=exc.one_line(),
            )
        )


def read_file(file: InputFile, intake: Intake, registry: Registry) -> Iterator[Question]:
    """Decode and parse one file, record by record. Failures go to ``intake``, never raised: a file that
    cannot be decoded counts as one record read and quarantined (the records before the point where it
    broke still land); a bad record likewise, and the file goes on. A question page (Markdown or HTML,
    recognised by its content) is read and reconciled with the registry."""
    problems: list[Diagnostic] = []
    try:
        data = file.read_bytes()
        if file.suffix in PAGE_SUFFIXES or looks_like_page(data):
            yield from _read_page(file, data, intake, registry)
            return
        for raw in decode_question_file(file.name, data, diagnostics=problems):
            intake.records_read += 1
            try:
                question, warnings = parse_question(raw)
            except RecordError as exc:
                intake.reject(file.name, exc, pointer=raw.pointer)
                continue
            intake.diagnostics.extend(warnings)
            yield question
    except InputError as exc:
        intake.records_read += 1
        intake.reject(file.name, exc)
    for problem in problems:  # parts of a multi-record file that are not records
        if problem.severity == "error":
            intake.records_read += 1
            intake.reject(
                file.name,
                InputError(problem.message, file=problem.file, record=problem.record, field=problem.field),
            )
        else:
            intake.diagnostics.append(problem)


def _read_page(file: InputFile, data: bytes, intake: Intake, registry: Registry) -> Iterator[Question]:
    if not looks_like_page(data):
        intake.diagnostics.append(
            Diagnostic(
                "warning",
                file.name,
                "not a question page of the Assemblée's website; skipped",
                code="not-a-page",
            )
        )
        return
    intake.records_read += 1
    try:
        question, warnings, _report = read_page_file(file.name, data, registry)
    except RecordError as exc:  # an unreadable page, or an author the registry cannot tell: candidates named
        intake.reject(file.name, exc)
        return
    intake.diagnostics.extend(warnings)  # unknown lines, unresolved or ambiguous labels (with candidates)
    yield question


# ------------------------------------------------------------------ workers

_MAPPER: QuestionMapper | None = None


def _init_worker(registry: Registry, base: str) -> None:
    global _MAPPER
    _MAPPER = QuestionMapper(registry, Minter(base))


def map_files(files: Sequence[InputFile]) -> Intake:
    """Read and map a chunk of files with the mapper of this process."""
    mapper = _MAPPER
    if mapper is None:  # pragma: no cover - a programming error, not a data error
        raise RuntimeError("map_files called before the mapper was set up")
    intake = Intake()
    for file in files:
        intake.files += 1
        rejected = len(intake.quarantine)
        uids: list[str] = []
        for question in read_file(file, intake, mapper.registry):
            quads = mapper.map(question)
            own = mapper.mint.question_graph(question.uid)
            data = ox.serialize((q for q in quads if q.graph_name == own), None, ox.RdfFormat.N_QUADS) or b""
            shared = (
                ox.serialize((q for q in quads if q.graph_name != own), None, ox.RdfFormat.N_QUADS) or b""
            )
            intake.mapped.append(
                MappedRecord(question.uid, question.type.value, str(question.source), data, shared)
            )
            uids.append(question.uid)
        intake.file_results.append((uids, len(intake.quarantine) == rejected))
    return intake


def _size(file: InputFile) -> int:
    try:
        return file.path.stat().st_size if file.member is None else 0
    except OSError:
        return 0


def map_all(files: Sequence[InputFile], registry: Registry, base: str, jobs: int) -> Iterator[Intake]:
    """Map every file, chunk by chunk, in input order. ``jobs`` > 1 uses that many worker processes when the
    input is large enough to pay for them (they are started with ``spawn``: no state leaks from this one)."""
    chunks = [files[i : i + CHUNK_FILES] for i in range(0, len(files), CHUNK_FILES)]
    large = len(files) >= PARALLEL_MIN_FILES or sum(_size(f) for f in files) >= PARALLEL_MIN_BYTES
    if jobs <= 1 or not large or (len(chunks) < 2 and len(files) < 2):
        _init_worker(registry, base)
        for chunk in chunks:
            yield map_files(chunk)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_init_worker, initargs=(registry, base)) as pool:
        # at most two chunks per worker in flight: workers never run far ahead of the store, so mapped
        # records do not pile up in memory (Pool.imap would queue every result)
        waiting: deque[AsyncResult[Intake]] = deque()
        pending = iter(chunks)
        for first in itertools.islice(pending, 2 * jobs):
            waiting.append(pool.apply_async(map_files, (first,)))
        while waiting:
            intake = waiting.popleft().get()
            following = next(pending, None)
            if following is not None:
                waiting.append(pool.apply_async(map_files, (following,)))
            yield intake
