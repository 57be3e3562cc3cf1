"""Mapping files chunk by chunk into mapped, judged and rendered records, in worker processes when the input is large.

A chunk of files (or a slice of the records of one large file) goes in; what comes out is, for each question, its N-Quads (serialised by pyoxigraph in
the worker), its SHACL results (judged in the worker against the registry context the shapes can reach)
and its triples in the output format, plus everything the summary needs: records read, diagnostics,
quarantined records, CPU seconds per step. Pure with respect to its inputs (files + registry + base IRI), so
chunks can be handled in any process and in parallel; results come back in input order, which keeps the
build deterministic.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import multiprocessing.util as mp_util
import os
import pickle
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox

from kg.build.exporter import kept_lines
from kg.build.judging_context import RegistryContext
from kg.build.memory import GC_THRESHOLDS, collector_paused, release_free_memory, worker_malloc_settings
from kg.build.read import decoded_records, read_file, read_records, report_problems
from kg.build.records import Intake, MappedRecord, Spooled
from kg.export import FORMATS, Renderer
from kg.iris import Minter
from kg.mapping import QuestionMapper
from kg.mapping_registry import RegistryMapper
from kg.models import Question
from kg.registry import Registry
from kg.report import Diagnostic
from kg.sources.files import InputFile
from kg.sources.question_decode import RawQuestion
from kg.validation.judging import ContextCache, judge_serialized
from kg.validation.report import validate_nquads
from kg.validation.results import Engine, ValidationResult
from kg.validation.shapes import load_shapes

#: Below this many input files (and bytes), mapping runs in-process. Each worker paid ~3.5 CPU s to start
#: (imports, unpickling the registry, mapping its whole judging context: ~1.2–1.5 s since that context is
#: mapped as questions reach it, measured at 100k) and then handles a file in ~0.55 ms of its time,
#: against ~1.1 ms here; the two meet near 3,000 files (measured: 1,000 changed files of a 100k store are
#: rebuilt in 11 s in-process, 16 s with two workers).
PARALLEL_MIN_FILES = 3000
PARALLEL_MIN_BYTES = 16 * 1024 * 1024
#: At most this many files a task. A worker judges a task's questions in one engine call, with the registry
#: nodes they link to: the fewer the calls, the less of that context is judged again (at 100k, 2,000 → 4,000:
#: judging 21.5–22.2 → 19.3–19.7 CPU s, peak +70 MB; 8,000 gained nothing more).
CHUNK_FILES = 4000
JUDGE_BATCH = CHUNK_FILES  # questions judged in one engine call (bigger batches share their registry context)
#: Tasks a worker gets at least: the last ones end near together, and a small input still keeps all busy.
TASKS_PER_WORKER = 4
#: A file of question records this large (a whole legislature in one JSON or XML file) is decoded by the
#: build and its records shared out among the workers CHUNK_FILES at a time, like files: read whole by one
#: worker it was one chunk, one process and every record's output in memory at once.
SPLIT_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class WorkerSetup:
    """What a worker does besides mapping (the registry travels apart: pickled only for worker processes)."""

    base: str
    engine: Engine | None = None  # judge each question with this engine; None: no validation
    render: str | None = None  # a format (kg.export.FORMATS) each record's graph is written in; not N-Quads
    tally: bool = False  # exporter mode: pick out the lines the dataset description reads (TypeTally)
    shapes_file: str | None = None  # the shapes kept parsed in the user's cache (load_shapes' ``kept``)
    #: a folder for the records' rendered pieces, a file a task, which the build copies into its output
    #: (``MappedRecord.spooled``): 1.4 GB at 100k no longer crosses the pipes and this process's memory
    spool: str | None = None


class RecordSlice(NamedTuple):
    """Some decoded records of one large multi-record file (a whole legislature in one JSON or XML file),
    so that its records are shared out among the workers like files are."""

    file: InputFile
    raws: list[RawQuestion]
    problems: list[Diagnostic]  # what is not a record in the file: reported with its last slice
    last: bool


@dataclass
class _Unjudged:
    """Questions mapped and not judged yet: their N-Quads, links, records' places and shared facts. Not their
    quads: kept until the batch is judged, 144k quad objects a batch cost ~10% of a worker's CPU to free
    (see :func:`kg.validation.judging.judge_serialized`)."""

    serialized: dict[str, bytes] = field(default_factory=dict)  # uid → its N-Quads, as the engine reads them
    links: dict[str, list[ox.Quad]] = field(default_factory=dict)  # uid → its links and shared facts
    position: dict[str, int] = field(default_factory=dict)  # uid → its record in intake.mapped
    shared: list[ox.Quad] = field(default_factory=list)

    def clear(self) -> None:
        self.serialized, self.links, self.position, self.shared = {}, {}, {}, []


class _Worker:
    """What one process keeps between chunks: the mapper, the judging context, the renderer."""

    def __init__(self, setup: WorkerSetup, registry: Registry) -> None:
        self.setup = setup
        self.registry = registry
        self.mapper = QuestionMapper(self.registry, Minter(setup.base))
        self._context: RegistryContext | None = None
        self._context_cache = ContextCache()  # what the batches read of the context, kept between them
        self._registry_mapper = RegistryMapper(self.registry, self.mapper.mint)
        self._checked: set[str] = set()  # membership uids looked for in the context
        self._context_seconds = 0.0
        self.started = 0.0
        self._spooled = 0  # spool files written
        self.renderer = Renderer(FORMATS[setup.render]) if setup.render else None
        #: exporter mode writing another format than N-Quads: the build only counts a record's quads (its
        #: N-Quads, made for the engine, stay here: a gigabyte less through the pipes at 100k)
        self._counted_only = setup.tally and self.renderer is not None
        #: ... and when that format is N-Triples, the engine reads each record's piece (N-Quads' syntax
        #: holds N-Triples' lines): its N-Quads are not made at all (~3 CPU s at 100k)
        self._piece_judged = self._counted_only and setup.render == "nt"

    def context(self) -> RegistryContext:
        """The registry nodes the shapes may look up from a question, mapped as questions reach them: the
        statements of :meth:`kg.mapping_registry.RegistryMapper.judging_context`, as the build's store has them."""
        if self._context is None:
            start = time.process_time()
            self._context = RegistryContext(self._registry_mapper)
            self._context_seconds = time.process_time() - start
        return self._context

    def map_part(self, task: Task) -> Intake:
        return self.map_slice(task) if isinstance(task, RecordSlice) else self.map_files(task)

    def map_files(self, files: Sequence[InputFile]) -> Intake:
        """Read, map, judge and render whole files."""
        intake, unjudged = self._intake(), _Unjudged()
        for file in files:
            intake.files += 1
            rejected = len(intake.quarantine)
            uids = self._map(read_file(file, intake, self.mapper.registry), intake, unjudged)
            intake.file_results.append((uids, len(intake.quarantine) == rejected))
        return self._done(intake, unjudged)

    def map_slice(self, part: RecordSlice) -> Intake:
        """Map, judge and render some decoded records of a large file: one entry in ``file_results``, marked
        ``partial`` unless it is the file's last slice (which also reports what is not a record in it)."""
        intake, unjudged = self._intake(), _Unjudged()
        name = part.file.name
        uids = self._map(read_records(name, part.raws, intake, self.mapper.registry), intake, unjudged)
        if part.last:
            intake.files += 1
            report_problems(name, part.problems, intake)
        intake.file_results.append((uids, not intake.quarantine))
        intake.partial = not part.last
        return self._done(intake, unjudged)

    def _intake(self) -> Intake:
        intake = Intake()
        intake.cpu["worker start"], self.started = self.started, 0.0
        return intake

    def _done(self, intake: Intake, unjudged: _Unjudged) -> Intake:
        if unjudged.serialized:
            self._judge_into(intake, unjudged)
        if self.setup.spool is not None and self.renderer is not None:
            started = time.process_time()
            self._spool(intake, self.setup.spool)
            intake.cpu["render"] += time.process_time() - started
        release_free_memory()
        return intake

    def _spool(self, intake: Intake, folder: str) -> None:
        """Write the records' rendered pieces to a file of their own in ``folder``, in order; each record
        says where its piece is instead of holding it."""
        self._spooled += 1
        path = os.path.join(folder, f"{os.getpid()}-{self._spooled}.piece")  # noqa: PTH118 - a plain name
        offset = 0
        with open(path, "wb") as handle:  # noqa: PTH123 - the build's own scratch file
            handle.write(b"".join(record.rendered for record in intake.mapped))
        for at, record in enumerate(intake.mapped):
            length = len(record.rendered)
            intake.mapped[at] = record._replace(rendered=b"", spooled=Spooled(path, offset, length))
            offset += length

    def _map(self, questions: Iterator[Question], intake: Intake, unjudged: _Unjudged) -> list[str]:
        """Map, serialise and render each question into ``intake``; judge them JUDGE_BATCH at a time, as they
        come (a one-file legislature of 100k records then never holds 6M quads). The uids, in order."""
        mapper = self.mapper
        clock, cpu = time.process_time, intake.cpu
        uids: list[str] = []
        while True:
            start = clock()
            question = next(questions, None)
            mapped = clock()
            cpu["read+model"] += mapped - start
            if question is None:
                return uids
            mine, shared, links = mapper.map_parts(question)
            serialized = clock()
            cpu["map"] += serialized - mapped
            shared_nquads = ox.serialize(shared, None, ox.RdfFormat.N_QUADS) or b""
            # exporter mode writing N-Triples: the engine reads the piece written (the union of the graphs
            # is what it validates), and the record's own N-Quads are never made
            nquads = b"" if self._piece_judged else ox.serialize(mine, None, ox.RdfFormat.N_QUADS) or b""
            rendered = clock()
            cpu["serialize"] += rendered - serialized
            piece = self.renderer.piece(mine) if self.renderer is not None else b""
            kept = kept_lines(mine) if self.setup.tally else b""
            cpu["render"] += clock() - rendered
            intake.mapped.append(
                MappedRecord(
                    question.uid,
                    question.type.value,
                    str(question.source),
                    b"" if self._counted_only else nquads,
                    shared_nquads,
                    piece,
                    kept=kept,
                    triples=len(mine),
                )
            )
            uids.append(question.uid)
            if self.setup.engine is None:
                continue
            unjudged.shared.extend(shared)
            if question.uid not in unjudged.serialized:  # a copy of a uid is not judged: it does not land
                unjudged.serialized[question.uid] = (piece if self._piece_judged else nquads) + shared_nquads
                unjudged.links[question.uid] = links + shared
                unjudged.position[question.uid] = len(intake.mapped) - 1
            del mine  # its quads are freed now, while they are still in the CPU's cache
            if len(unjudged.serialized) >= JUDGE_BATCH:
                self._judge_into(intake, unjudged)
                unjudged.clear()

    def _judge_into(self, intake: Intake, unjudged: _Unjudged) -> None:
        """Judge a batch and put each question's results on its record in ``intake``."""
        assert self.setup.engine is not None
        start = time.process_time()
        gc.disable()  # judging makes no cycles; the collector ran ~1 CPU s a worker at 100k for nothing
        try:
            verdicts = self._judge(unjudged, self.setup.engine)
        finally:
            gc.enable()
        for uid, results in verdicts.items():
            at = unjudged.position[uid]
            intake.mapped[at] = intake.mapped[at]._replace(results=tuple(results))
        context, self._context_seconds = self._context_seconds, 0.0
        intake.cpu["judge"] += time.process_time() - start - context
        intake.cpu["judging context"] += context

    def _add_linked_mandates(self, context: RegistryContext) -> None:
        """A membership a question links to that the context lacks (not a deputy's or a group's: bad data,
        which the shapes must judge on what the registry says of it) joins the context. The mapper keeps
        the memberships it linked (reading them off the quads cost ~10% of judging)."""
        new = self.mapper.linked_mandates - self._checked
        self._checked |= new
        for uid in sorted(new):
            if not context.describe(self.mapper.mint.mandate(uid)):
                quads = self._registry_mapper.mandate_quads(uid)
                context.extend(quads)
                self._context_cache.forget(quads)

    def _judge(self, unjudged: _Unjudged, engine: Engine) -> dict[str, list[ValidationResult]]:
        """Judge a batch of questions (at most JUDGE_BATCH) in one engine call. The shared facts they made
        (topics, organes known by mention) join the context first: a later question naming the same topic
        is checked against them although this process mapped them only once (the mapper emits a shared fact
        with the first question that needs it: in this batch or an earlier one)."""
        context = self.context()
        context.extend(unjudged.shared)
        self._context_cache.forget(unjudged.shared)
        self._add_linked_mandates(context)
        judged = judge_serialized(
            unjudged.serialized,
            unjudged.links,
            context,
            engine=engine,
            base=self.setup.base,
            cache=self._context_cache,
        )
        return {uid: results for uid, results in judged.items() if results}


_WORKER: _Worker | None = None


@contextmanager
def _workers_deaf_to_ctrl_c() -> Iterator[None]:
    """Worker processes started in this block ignore SIGINT from their first instruction: a Ctrl-C, which the
    terminal sends to the whole process group, is the parent's alone to handle (it stops the pool); workers
    used to print a KeyboardInterrupt traceback each. SIGINT is ignored for the instant of each fork and exec
    (an ignored signal survives exec, and Python keeps it ignored); a Ctrl-C meanwhile is held and raised
    when the block ends, so the pool never stops halfway through sending a starting worker its setup (the
    worker would complain of a truncated pickle)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []

    def hold(signum: int, frame: object) -> None:
        held.append(signum)

    spawn = mp_util.spawnv_passfds

    def spawn_deaf(path: Any, args: Any, passfds: Any) -> int:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            return spawn(path, args, passfds)
        finally:
            signal.signal(signal.SIGINT, hold)

    previous = signal.signal(signal.SIGINT, hold)
    mp_util.spawnv_passfds = spawn_deaf
    try:
        yield
    finally:
        mp_util.spawnv_passfds = spawn
        signal.signal(signal.SIGINT, previous)
    if held:
        raise KeyboardInterrupt


def _init_worker(setup: WorkerSetup, registry: bytes) -> None:
    global _WORKER
    if setup.engine is not None and setup.shapes_file is not None:
        load_shapes(kept=Path(setup.shapes_file))  # read, not parsed: the build's process parsed them
    with collector_paused():
        unpickled = pickle.loads(registry)
    _WORKER = _Worker(setup, unpickled)
    _WORKER.started = time.process_time()  # imports and the registry: reported with the first chunk
    gc.freeze()  # the worker's process is its own: for its whole life (see fewer_collections)
    gc.set_threshold(*GC_THRESHOLDS)


Task = Sequence[InputFile] | RecordSlice  # a chunk of whole files, or some records of a large one


def map_task(task: Task) -> Intake:
    """Read, map (and judge, and render) a chunk of files, or a slice of a large file's records, with the
    worker of this process."""
    if _WORKER is None:  # pragma: no cover - a programming error, not a data error
        raise RuntimeError("map_task called before the worker was set up")
    return _WORKER.map_part(task)


def validate_registry_file(path: str, engine: Engine) -> tuple[list[ValidationResult], float]:
    """The registry's N-Quads file against the shapes (a task for a worker: it runs beside the mapping),
    and the CPU seconds it took."""
    started = time.process_time()
    with open(path, "rb") as handle:  # noqa: PTH123 - a plain read of a file the build wrote
        data = handle.read()
    return list(validate_nquads(data, engine=engine).results), time.process_time() - started


def render_file(path: str, fmt: str) -> tuple[bytes, float]:
    """An N-Quads file as a piece of the output in ``fmt`` (a task for a worker), and its CPU seconds."""
    started = time.process_time()
    with open(path, "rb") as handle:  # noqa: PTH123 - a plain read of a file the build wrote
        piece = Renderer(FORMATS[fmt]).piece_of_nquads(handle.read())
    return piece, time.process_time() - started


def _size(file: InputFile) -> int:
    """An archive member's size, a file's when its folder was listed (a stat less per file), else now."""
    if file.member is not None or file.size is not None:
        return file.size or 0
    try:
        return file.path.stat().st_size
    except OSError:
        return 0


def chunk_size(files: int, jobs: int) -> int:
    """Files a task for ``jobs`` workers: at most CHUNK_FILES, and as many tasks for each worker (at least
    TASKS_PER_WORKER), so that none is left with one more task than the others at the end (at 100k, 25
    tasks of 4,000 kept one worker busy ~2 s after the other)."""
    per_worker = max(TASKS_PER_WORKER, -(-files // (jobs * CHUNK_FILES)))
    return max(1, -(-files // (per_worker * jobs)))


def parallel(files: Sequence[InputFile], jobs: int) -> bool:
    """Whether the input is large enough to pay for worker processes (they cost ~1 s to start)."""
    if jobs > 1 and len(files) >= max(PARALLEL_MIN_FILES, 2):  # no need to look at their sizes
        return True
    sizes = [_size(f) for f in files]
    large = len(files) >= PARALLEL_MIN_FILES or sum(sizes) >= PARALLEL_MIN_BYTES
    shared_out = len(files) >= 2 or any(size >= SPLIT_BYTES for size in sizes)  # a large file is split
    return jobs > 1 and large and shared_out


class ChunkedMapping:
    """Maps every file, chunk by chunk, yielding each chunk's :class:`Intake` in input order; a file of
    SPLIT_BYTES or more (a legislature in one file) goes out as slices of its records instead.

    With ``jobs`` > 1 and a large input, ``jobs`` worker processes (started with ``spawn``: no state leaks
    from this one) read, map, judge and render; at most two chunks per worker are in flight, so mapped
    records never pile up in memory (Pool.imap would queue every result). Otherwise all of it runs here,
    judging against ``context`` (the build's store)."""

    def __init__(
        self,
        files: Sequence[InputFile],
        setup: WorkerSetup,
        jobs: int,
        registry: Registry,
        pickled: bytes | None = None,  # ``registry`` pickled already (by the registry cache)
    ) -> None:
        self.files = files
        self.setup = setup
        self.jobs = jobs
        self.registry: Registry | None = registry  # kept only to map in this process
        self.pool: Pool | None = None
        if parallel(files, jobs):  # the registry is pickled once, unpickled in each worker
            registry_bytes = pickled or pickle.dumps(registry, protocol=pickle.HIGHEST_PROTOCOL)
            try:
                with _workers_deaf_to_ctrl_c(), worker_malloc_settings():
                    self.pool = multiprocessing.get_context("spawn").Pool(
                        jobs, initializer=_init_worker, initargs=(setup, registry_bytes)
                    )
            except KeyboardInterrupt:
                if self.pool is not None:
                    self.pool.terminate()
                raise
            self.registry = None

    def __enter__(self) -> ChunkedMapping:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (done with them: their memory is free for what follows, e.g. the store's last
        load); again, nothing."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def validate_registry(
        self, path: str, engine: Engine
    ) -> AsyncResult[tuple[list[ValidationResult], float]]:
        """Validate the registry's N-Quads file in a worker, beside the mapping."""
        assert self.pool is not None, "in one process the caller validates the registry itself"
        return self.pool.apply_async(validate_registry_file, (path, engine))

    def render_registry(self, path: str, fmt: str) -> AsyncResult[tuple[bytes, float]]:
        """The registry's N-Quads file as a piece of the output, made in a worker."""
        assert self.pool is not None, "in one process the caller renders the registry itself"
        return self.pool.apply_async(render_file, (path, fmt))

    def __iter__(self) -> Iterator[Intake]:
        """Each task's intake, in input order; a large file's records come in several intakes, all but the
        last marked ``partial``."""
        size = CHUNK_FILES
        if self.pool is not None:
            size = chunk_size(len(self.files), self.jobs)
        pending = self._tasks(size)
        if self.pool is None:
            assert self.registry is not None
            worker = _Worker(self.setup, self.registry)
            for task in pending:
                yield worker.map_part(task)
            return
        waiting: deque[AsyncResult[Intake]] = deque()
        for first in itertools.islice(pending, 2 * self.jobs):
            waiting.append(self.pool.apply_async(map_task, (first,)))
        while waiting:
            intake = waiting.popleft().get()
            following = next(pending, None)
            if following is not None:
                waiting.append(self.pool.apply_async(map_task, (following,)))
            yield intake

    def _tasks(self, size: int) -> Iterator[Task]:
        """Chunks of ``size`` files; a file of SPLIT_BYTES or more is decoded here (when the next task is
        due) and its records go out CHUNK_FILES at a time instead."""
        chunk: list[InputFile] = []
        for file in self.files:
            decoded = decoded_records(file) if _size(file) >= SPLIT_BYTES else None
            if decoded is None:
                chunk.append(file)
                if len(chunk) >= size:
                    yield chunk
                    chunk = []
                continue
            if chunk:
                yield chunk
                chunk = []
            raws, problems = decoded
            starts = range(0, len(raws), CHUNK_FILES) if raws else range(1)
            for start in starts:
                last = start + CHUNK_FILES >= len(raws)
                yield RecordSlice(file, raws[start : start + CHUNK_FILES], problems if last else [], last)
            del raws, decoded
        if chunk:
            yield chunk
