"""The parallel build: workers judge against a context built from the registry objects (not the store),
render the output per record, and a thread loads the store. Each shortcut is checked against the plain way."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import kg.build.pipeline
import kg.build.workers
from kg.build import memory
from kg.build.judging_context import RegistryContext
from kg.build.pipeline import BuildOptions, build
from kg.build.workers import WorkerSetup, _Worker
from kg.export import FORMATS, Renderer, copy_range
from kg.iris import Minter
from kg.mapping import QuestionMapper
from kg.mapping_registry import JUDGED_MANDATES, RegistryMapper
from kg.models import Question
from kg.registry import Registry, load_registry
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.sources.files import iter_input_files
from kg.sources.question_decode import decode_question_file
from kg.sources.questions import parse_question
from kg.store import BackgroundLoader, EmbeddedStore
from kg.validation.context import GP, ORG_MEMBER, ORGANE_TYPE, StoreContext
from kg.validation.engines import fast_engine_available
from kg.validation.judging import judge_questions
from kg.validation.results import Engine

ENGINE = Engine.FAST if fast_engine_available() else Engine.PYSHACL
REAL_REGISTRY = Path(__file__).parent / "fixtures" / "registry-real"


def _sample_questions() -> list[Question]:
    files = iter_input_files(SAMPLE_QUESTIONS / "json")
    return [parse_question(raw)[0] for f in files for raw in decode_question_file(f.name, f.read_bytes())]


def _with_foreign_mandate(tmp_path: Path) -> Path:
    """The sample's JSON records, plus a copy of one whose author mandate is a committee membership (COMPER,
    ended 2020-11-17, before the question) instead of a deputy's mandate: the judging context has no such
    membership until a question links it, and the shapes must judge what the registry says of it."""
    batch = tmp_path / "batch"
    shutil.copytree(SAMPLE_QUESTIONS / "json", batch)
    record = json.loads((batch / "QANR5L15QE40439.json").read_text(encoding="utf-8"))
    q = record["question"]
    q["uid"], q["identifiant"]["numero"] = "QANR5L15QE40440", "40440"
    q["auteur"]["identite"]["mandatRef"] = "PM731817"
    (batch / "QANR5L15QE40440.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return batch


def test_judging_context_gives_the_verdicts_of_the_whole_registry(tmp_path: Path) -> None:
    registry = load_registry([SAMPLE_REGISTRY])
    mint = Minter()
    full = ox.Store()
    full.bulk_extend(RegistryMapper(registry, mint).quads())
    batch_dir = _with_foreign_mandate(tmp_path)
    files = list(iter_input_files(batch_dir))
    mapper = QuestionMapper(registry, mint)
    questions = [
        parse_question(raw)[0] for f in files for raw in decode_question_file(f.name, f.read_bytes())
    ]
    batch = {q.uid: mapper.map(q) for q in questions}
    full.bulk_extend(
        q for quads in batch.values() for q in quads if "/graph/question/" not in str(q.graph_name)
    )
    expected = judge_questions(batch, full, engine=ENGINE)
    reported = {r.shape_name for r in expected["QANR5L15QE40440"]}
    assert "hcsh:Mandate-ended-after-questions" in reported, reported  # read from the membership's end date

    worker = _Worker(WorkerSetup(mint.base, ENGINE, None), registry)
    intake = worker.map_files(files)
    got = {record.uid: list(record.results) for record in intake.mapped}
    assert got == expected
    context = worker.context()
    assert len(context) < len(full) / 10, "the context mapped far less than the registry"


@pytest.mark.parametrize("registries", [[SAMPLE_REGISTRY], [REAL_REGISTRY]], ids=["sample", "real"])
def test_registry_context_describes_every_node_as_a_store_of_the_judging_context(
    registries: list[Path],
) -> None:
    """The build judges against the registry mapped a person or an organe at a time: every node it is asked
    about has the statements a store of the whole judging context gives, before and after the build adds
    statements (a shared fact on an organe, a committee membership a question names, a group membership)."""
    registry = load_registry(registries)
    mint = Minter()
    mapper = RegistryMapper(registry, mint)
    store = ox.Store()
    store.bulk_extend(mapper.judging_context())
    lazy = RegistryContext(mapper)
    plain = StoreContext(store, mint)
    assert lazy.describe(mint.person("PA0")) == []  # not in the registry: nothing, like the store
    assert sorted(map(str, lazy.group_memberships())) == sorted(map(str, plain.group_memberships()))
    subjects = sorted({q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)})
    assert len(subjects) > 50
    for subject in subjects:
        node = ox.NamedNode(subject)
        assert sorted(map(str, lazy.describe(node))) == sorted(map(str, plain.describe(node))), subject
    # a node asked for first (a substitution before its mandate or person, a department…): a few of each kind
    kinds: dict[str, list[str]] = {}
    for subject in subjects:
        kinds.setdefault(
            subject.removeprefix(mint.base).split("/")[0] + ("/s" if "/substitute/" in subject else ""), []
        ).append(subject)
    assert {"person", "mandate", "mandate/s", "organe", "constituency", "department"} <= set(kinds)
    for chosen in kinds.values():
        for subject in chosen[:3]:
            node = ox.NamedNode(subject)
            first = RegistryContext(mapper).describe(node)
            assert sorted(map(str, first)) == sorted(map(str, plain.describe(node))), subject
    # what a build adds: a mention on an organe, a membership judging does not map, a group membership
    organe = next(iter(sorted(registry.organes)))
    other = next(
        m for p in registry.persons.values() for m in p.mandates if m.organe_type not in JUDGED_MANDATES
    )
    added = [
        ox.Quad(mint.organe(organe), ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
                ox.Literal("x"), mint.shared_graph("mentions")),
        *mapper.mandate_quads(other.uid),
        ox.Quad(mint.mandate("PM0"), ORG_MEMBER, mint.person("PA0"), mint.registry_graph("acteurs")),
        ox.Quad(mint.mandate("PM0"), ORGANE_TYPE, GP, mint.registry_graph("acteurs")),
    ]  # fmt: skip
    fresh = RegistryContext(mapper)
    for context in (lazy, fresh):  # the organe already mapped, and not yet
        context.extend(added)
        context.extend(added[:1])  # again: a set, as in a store
    store.extend(added)
    for node in (mint.organe(organe), mint.mandate(other.uid), mint.mandate("PM0")):
        for context in (lazy, fresh):
            assert sorted(map(str, context.describe(node))) == sorted(map(str, plain.describe(node))), node
    for context in (lazy, fresh):
        assert sorted(map(str, context.group_memberships())) == sorted(map(str, plain.group_memberships()))


def test_renderer_pieces_make_the_document_of_all_statements() -> None:
    registry = load_registry([SAMPLE_REGISTRY])
    mapper = QuestionMapper(registry, Minter())
    per_record = [
        [q for q in mapper.map(question) if "/graph/question/" in str(q.graph_name)]
        for question in _sample_questions()
    ]
    everything = [q for quads in per_record for q in quads]
    for name in ("ttl", "nt", "nq"):
        renderer = Renderer(FORMATS[name])
        pieces = [renderer.piece(quads) for quads in per_record]
        document = renderer.header + b"".join(pieces)
        whole = ox.serialize(
            everything if FORMATS[name].quads else [q.triple for q in everything],
            None,
            FORMATS[name].rdf_format,
            prefixes=renderer.prefixes,
        )
        assert document == whole, name  # records never share a subject: pieces join exactly
        if name == "ttl":
            assert document.count(b"@prefix hc:") == 1
            parsed = {q.triple for q in ox.parse(document, ox.RdfFormat.TURTLE)}
            assert parsed == {q.triple for q in everything}


@pytest.mark.parametrize("name", ["ttl", "nt", "nq"])
def test_parallel_build_writes_the_bytes_of_the_serial_one(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = _with_foreign_mandate(tmp_path)
    serial, parallel = tmp_path / f"serial.{name}", tmp_path / f"parallel.{name}"
    one = build(BuildOptions((batch,), (SAMPLE_REGISTRY,), store=tmp_path / "s1", out=serial, jobs=1))
    monkeypatch.setattr(kg.build.workers, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(kg.build.workers, "CHUNK_FILES", 4)
    two = build(BuildOptions((batch,), (SAMPLE_REGISTRY,), store=tmp_path / "s2", out=parallel, jobs=2))
    assert serial.read_bytes() == parallel.read_bytes()
    assert [e.to_json() for e in one.quarantine] == [e.to_json() for e in two.quarantine]
    assert [d.one_line() for d in one.diagnostics] == [d.one_line() for d in two.diagnostics]
    assert one.quarantined == two.quarantined == 1  # the question asked under an ended committee membership
    assert one.triples == two.triples
    assert {"read+model", "map", "judge", "store load"} <= set(two.cpu)
    assert two.cpu_total > 0


def test_every_question_is_judged_whatever_the_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store is loaded in batches that cut across the workers' chunks: each record keeps its verdict."""
    import kg.build.pipeline

    monkeypatch.setattr(kg.build.pipeline, "BATCH", 2)
    summary = build(
        BuildOptions((_with_foreign_mandate(tmp_path),), (SAMPLE_REGISTRY,), store=tmp_path / "s", jobs=1)
    )
    assert [e.uid for e in summary.quarantine] == ["QANR5L15QE40440"]


def test_judging_in_small_batches_gives_the_same_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker judges every JUDGE_BATCH questions as they come (a one-file legislature of 100k records
    would otherwise hold all their quads): batches of 2 give the verdicts, warnings and bytes of one batch."""
    batch = _with_foreign_mandate(tmp_path)
    whole = build(
        BuildOptions((batch,), (SAMPLE_REGISTRY,), store=tmp_path / "s1", out=tmp_path / "1.nt", jobs=1)
    )
    monkeypatch.setattr(kg.build.workers, "JUDGE_BATCH", 2)
    small = build(
        BuildOptions((batch,), (SAMPLE_REGISTRY,), store=tmp_path / "s2", out=tmp_path / "2.nt", jobs=1)
    )
    assert (tmp_path / "1.nt").read_bytes() == (tmp_path / "2.nt").read_bytes()
    assert [e.to_json() for e in whole.quarantine] == [e.to_json() for e in small.quarantine]
    assert [d.one_line() for d in whole.diagnostics] == [d.one_line() for d in small.diagnostics]
    assert small.quarantined == 1 and small.warnings == whole.warnings > 0


def test_background_loader_raises_a_failed_load(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    graph = ox.NamedNode("https://example.org/g")
    with pytest.raises(SyntaxError), BackgroundLoader(store, min_bytes=0) as loader:
        loader.submit(
            [graph], b'<https://example.org/s> <https://example.org/p> "o" <https://example.org/g> .\n'
        )
        loader.submit([ox.NamedNode("https://example.org/other")], b"<not n-quads\n")
        loader.wait()
    assert len(store) == 1, "the load before the bad one landed"


def test_background_loader_gathers_small_loads_in_order(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    g = ox.NamedNode("https://example.org/g")
    line = b'<https://example.org/s> <https://example.org/p> "%d" <https://example.org/g> .\n'
    with BackgroundLoader(store, min_bytes=len(line) * 3) as loader:
        for n in range(7):  # each load replaces the graph: the last one is what stays
            loader.submit([g], line % n)
        loader.submit([], line.replace(b"/g>", b"/h>") % 9)
    assert sorted(str(q.object) for q in store.store) == ['"6"', '"9"']


def _spills(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob(".store.load-*.nq"))


def test_background_loader_gathers_in_a_file_beside_the_store(tmp_path: Path) -> None:
    """A store on disk: loads gather in a hidden file beside it (not in memory), loaded from there and
    removed; one that a killed build left is removed when the next loader starts on the store."""
    (tmp_path / ".store.load-killed.nq").write_bytes(b"<https://example.org/stale> .\n")
    store = EmbeddedStore(tmp_path / "store")
    line = b'<https://example.org/s> <https://example.org/p> "%d" <https://example.org/g%d> .\n'
    with BackgroundLoader(store, new=True) as loader:
        assert _spills(tmp_path) == []
        for n in range(5):
            loader.submit([ox.NamedNode(f"https://example.org/g{n}")], line % (n, n))
        assert len(_spills(tmp_path)) == 1 and len(store) == 0, "gathered, not loaded yet"
    assert _spills(tmp_path) == []
    assert sorted(q.object.value for q in store.store) == ["0", "1", "2", "3", "4"]


def test_background_loader_removes_the_file_of_a_failed_load(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    with pytest.raises(SyntaxError), BackgroundLoader(store, new=True) as loader:
        loader.submit([ox.NamedNode("https://example.org/g")], b"<not n-quads\n")
        loader.wait()
    assert _spills(tmp_path) == []
    assert len(store) == 0


def test_background_loader_in_memory_gathers_in_memory(tmp_path: Path) -> None:
    store = EmbeddedStore(None)
    line = b'<https://example.org/s> <https://example.org/p> "%d" <https://example.org/g> .\n'
    with BackgroundLoader(store, min_bytes=len(line) * 2) as loader:
        for n in range(5):
            loader.submit([ox.NamedNode("https://example.org/g")], line % n)
    assert [q.object.value for q in store.store] == ["4"]


def test_fewer_collections_puts_the_collector_back() -> None:
    """A build tunes the garbage collector of the process it runs in (a library call, maybe a notebook's
    process): on the way out, thresholds and frozen objects are as they were, even after an error."""
    import gc

    from kg.build.memory import GC_THRESHOLDS, fewer_collections

    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > frozen
        raise RuntimeError
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def _one_legislature_file(tmp_path: Path, clean: bool) -> Path:
    """The sample's records in one file, as the 14th legislature is published; unless ``clean``, with the
    committee-membership copy, a copy of a uid (a duplicate) and an item that is not a record."""
    records: list[object] = [
        json.loads(path.read_text(encoding="utf-8"))["question"]
        for path in sorted(
            (SAMPLE_QUESTIONS / "json" if clean else _with_foreign_mandate(tmp_path)).glob("*.json")
        )
    ]
    if not clean:
        records.insert(7, records[2])  # read twice: the second copy is quarantined as a duplicate
        records.insert(12, "not a record")
    folder = tmp_path / "legislature"
    folder.mkdir()
    data = json.dumps({"questionsEcrites": {"question": records}}, ensure_ascii=False)
    (folder / "Questions_XV.json").write_text(data, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("jobs", "clean"), [(1, False), (2, False), (2, True)])
def test_a_large_file_shared_out_in_slices_builds_what_one_read_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, clean: bool
) -> None:
    """A whole legislature in one file is decoded by the build and its records go out in slices (to the
    workers, or one after the other in one process): the bytes, the quarantine, the diagnostics and the
    manifest are those of the file read whole."""
    folder = _one_legislature_file(tmp_path, clean)

    def run(name: str) -> tuple[object, ...]:
        store = tmp_path / f"{name}.store"
        summary = build(
            BuildOptions((folder,), (SAMPLE_REGISTRY,), store=store, out=tmp_path / f"{name}.nt", jobs=jobs)
        )
        manifest = json.loads((tmp_path / f"{name}.store.manifest.json").read_text(encoding="utf-8"))
        return (
            (tmp_path / f"{name}.nt").read_bytes(),
            sorted(e.to_json() for e in summary.quarantine),  # in the order they came: slices come later
            sorted(d.one_line() for d in summary.diagnostics),
            summary.records_read,
            summary.in_graph,
            manifest["files"],
        )

    whole = run("whole")
    monkeypatch.setattr(kg.build.workers, "SPLIT_BYTES", 1)
    monkeypatch.setattr(kg.build.workers, "CHUNK_FILES", 4)
    monkeypatch.setattr(kg.build.workers, "PARALLEL_MIN_FILES", 1)
    sliced = run("sliced")
    assert sliced == whole
    if clean:  # every record landed: the manifest keeps the file and its uids, and a rebuild skips it
        (entry,) = whole[5].values()
        assert len(entry["uids"]) == whole[4] == 30
        again = build(BuildOptions((folder,), (SAMPLE_REGISTRY,), store=tmp_path / "sliced.store", jobs=jobs))
        assert again.unchanged_records == 30 and again.records_read == 0
    else:
        assert whole[3] == 33 and whole[4] == 30  # the duplicate, the stray item and a violation do not land
        assert len(whole[1]) == 3 and whole[5] == {}


@pytest.mark.parametrize("with_registry", [True, False], ids=["registry", "no-registry"])
def test_a_mapper_emits_each_shared_fact_once_and_every_one(with_registry: bool) -> None:
    """One mapper over many questions emits the facts of the shared graphs (topics, organes known only by
    mention) with the first question that needs them, each once: together, those each question makes
    mapped alone. Without a registry every ministry and group is a mention."""
    registry = load_registry([SAMPLE_REGISTRY]) if with_registry else Registry.empty()
    questions = _sample_questions()
    one = QuestionMapper(registry, Minter())
    parts = [one.map_parts(question) for question in questions]
    alone = [QuestionMapper(registry, Minter()).map_parts(question) for question in questions]
    emitted = [quad for part in parts for quad in part.shared]
    assert len(emitted) == len(set(emitted))
    made_alone = [quad for part in alone for quad in part.shared]
    assert len(made_alone) > len(set(made_alone)), "questions of the sample share topics or mentions"
    assert set(emitted) == set(made_alone)
    assert [part.own for part in parts] == [part.own for part in alone]
    assert [part.links for part in parts] == [part.links for part in alone]


def _worker_memory_settings() -> tuple[bool, str | None]:
    return memory.keeps_freed_memory(), os.environ.get("GLIBC_TUNABLES")


def test_workers_start_with_the_malloc_settings_and_a_users_own_stand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Worker processes keep the memory they free for their next task (glibc tunables, read at their start);
    this process does not, and a user's own GLIBC_TUNABLES is left as it is, for the workers too."""
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    spawn = multiprocessing.get_context("spawn")
    with memory.worker_malloc_settings(), spawn.Pool(1) as pool:
        assert pool.apply(_worker_memory_settings) == (True, memory.WORKER_MALLOC_TUNABLES)
    assert "GLIBC_TUNABLES" not in os.environ and not memory.keeps_freed_memory()
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")
    with memory.worker_malloc_settings(), spawn.Pool(1) as pool:
        assert pool.apply(_worker_memory_settings) == (False, "glibc.malloc.arena_max=2")
    assert os.environ["GLIBC_TUNABLES"] == "glibc.malloc.arena_max=2"


@pytest.mark.parametrize("keep_invalid", [False, True], ids=["quarantine", "keep-invalid"])
def test_exporter_mode_copies_the_workers_pieces_into_the_bytes_of_the_serial_build(
    keep_invalid: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers write their records' pieces to spool files beside the output; the build copies the pieces of
    the records that land, in order (a violating record's left out, or kept with its flag after it), and
    leaves nothing else behind."""
    batch = _with_foreign_mandate(tmp_path)
    serial, parallel = tmp_path / "one" / "x.nt", tmp_path / "two" / "x.nt"
    common = {"no_store": True, "keep_invalid": keep_invalid, "cache": False}
    one = build(BuildOptions((batch,), (SAMPLE_REGISTRY,), out=serial, jobs=1, **common))  # type: ignore[arg-type]
    monkeypatch.setattr(kg.build.workers, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(kg.build.workers, "CHUNK_FILES", 3)
    two = build(BuildOptions((batch,), (SAMPLE_REGISTRY,), out=parallel, jobs=2, **common))  # type: ignore[arg-type]
    assert one.quarantine and (one.kept_invalid > 0) == keep_invalid
    assert serial.read_bytes() == parallel.read_bytes()
    assert (one.in_graph, one.quarantined) == (two.in_graph, two.quarantined)
    assert sorted(p.name for p in parallel.parent.iterdir()) == ["x.nt", "x.quarantine.jsonl"]


@pytest.mark.parametrize("kernel", [True, False], ids=["linux", "elsewhere"])
def test_copy_range_appends_to_files_and_to_pipes(
    kernel: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel's copy where it can (a file), sendfile or a plain read and write where it cannot (a pipe);
    where there is no copy_file_range nor sendfile to files (macOS, Windows), a plain read and write."""
    if not kernel:
        monkeypatch.delattr(os, "copy_file_range", raising=False)
        monkeypatch.setattr(sys, "platform", "darwin")
    source = tmp_path / "pieces"
    source.write_bytes(b"".join(f"<urn:x:{n}> <urn:x:p> <urn:x:o> .\n".encode() for n in range(20_000)))
    data = source.read_bytes()
    fd = os.open(source, os.O_RDONLY)
    try:
        target = tmp_path / "out"
        with target.open("wb") as handle:
            handle.write(b"head\n")
            handle.flush()
            copy_range(fd, handle.fileno(), 7, 100_000)
            handle.write(b"tail\n")
        assert target.read_bytes() == b"head\n" + data[7:100_007] + b"tail\n"
        read, write = os.pipe()
        got = bytearray()
        reader = threading.Thread(target=lambda: got.extend(_drain(read)))
        reader.start()
        copy_range(fd, write, 3, len(data) - 3)  # more than a pipe holds: copied as it is read
        os.close(write)
        reader.join()
        os.close(read)
        assert bytes(got) == data[3:]
    finally:
        os.close(fd)


def _drain(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_build_that_fails_leaves_no_scratch_file_open_or_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers' scratch files are closed and removed with their folder when the build stops halfway."""
    batch = _with_foreign_mandate(tmp_path)
    out = tmp_path / "out" / "x.ttl"
    monkeypatch.setattr(kg.build.workers, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(kg.build.workers, "CHUNK_FILES", 2)
    monkeypatch.setattr(kg.build.pipeline, "BATCH", 2)
    land = kg.build.pipeline._Load._land
    calls = []

    def land_then_fail(self: kg.build.pipeline._Load, records: list[Any], loader: Any) -> None:
        calls.append(len(records))
        land(self, records, loader)
        if len(calls) == 2:
            assert self._spools, "a scratch file is open for copying"
            raise RuntimeError("stopped halfway")

    monkeypatch.setattr(kg.build.pipeline._Load, "_land", land_then_fail)
    with pytest.raises(RuntimeError, match="halfway"):
        build(BuildOptions((batch,), (SAMPLE_REGISTRY,), out=out, no_store=True, cache=False, jobs=2))
    open_files = [str(fd.readlink()) for fd in Path("/proc/self/fd").iterdir() if fd.is_symlink()]
    assert not [name for name in open_files if ".x.ttl.pieces-" in name]
    assert list(out.parent.iterdir()) == []


def test_every_model_pickles_all_its_fields() -> None:
    """The models pickle as a call of their class with ``__match_args__`` (kg.models._Pickled): a field left
    out of it (``kw_only``, ``init=False``) would be lost on the way to a worker, so there is none; and a
    registry comes back equal."""
    import dataclasses
    import pickle

    import kg.models

    for model in vars(kg.models).values():
        if isinstance(model, type) and dataclasses.is_dataclass(model):
            names = tuple(f.name for f in dataclasses.fields(model))
            assert getattr(model, "__match_args__", None) == names, model.__name__
            assert all(f.init and not f.kw_only for f in dataclasses.fields(model)), model.__name__
    registry = load_registry([REAL_REGISTRY])
    back = pickle.loads(pickle.dumps(registry, protocol=pickle.HIGHEST_PROTOCOL))
    assert (back.persons, back.organes, back.mandates) == (
        registry.persons,
        registry.organes,
        registry.mandates,
    )
    assert back.persons and back.mandates
