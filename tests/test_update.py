"""kg update end to end against the loopback mirror: fetch, incremental build into a new generation, the change
report, the atomic swap of a served store, and the refusal of a plain build into a served store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
import pytest

from kg.build.pipeline import BuildOptions, build
from kg.errors import ExitCode, InputError
from kg.fetch.command import FetchOptions
from kg.fetch.download import FetchError
from kg.fetch.generations import Generations, serving_marker
from kg.fetch.http import RetryPolicy
from kg.fetch.manifest import BusyError, held
from kg.fetch.portal import Portal
from kg.fetch.update import UpdateOptions, UpdateSummary, lock_path, run_update
from kg.query.targets import EndpointTarget
from kg.serve.oxigraph import OxigraphServer, free_port
from tests.mirror import Changes, Mirror, change_records, generate, publish

REPO = Path(__file__).resolve().parent.parent
FAST = RetryPolicy(attempts=3, backoff=0.0, connect_timeout=5.0, read_timeout=5.0)
QE17 = "17/questions/questions_ecrites/Questions_ecrites.json.zip"
QE15 = "15/questions/questions_ecrites/Questions_ecrites_XV.json.zip"


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return generate(200, seed=5)


@pytest.fixture()
def portal() -> Portal:
    return Portal.load()


@pytest.fixture()
def mirror(tmp_path: Path, records: list[dict[str, Any]], portal: Portal) -> Iterator[Mirror]:
    root = tmp_path / "portal"
    publish(root, records, portal)
    with Mirror(root, portal) as server:
        yield server


def update(mirror: Mirror, tmp_path: Path, **kwargs: Any) -> UpdateSummary:
    fetch = FetchOptions("all", "all", "json", tmp_path / "data", mirror.url, policy=FAST)
    return run_update(UpdateOptions(fetch, store=tmp_path / "kg.oxigraph", jobs=1, **kwargs))


def uids_in(store: Path) -> set[str]:
    db = ox.Store.read_only(str(store))
    rows = db.query(
        "SELECT ?uid WHERE { ?q <https://w3id.org/hemicycle/ontology#status> ?s ; "
        "<http://purl.org/dc/terms/identifier> ?uid }",
        use_default_graph_as_union=True,
    )
    assert isinstance(rows, ox.QuerySolutions)
    return {str(row["uid"].value) for row in rows}


def reported(summary: UpdateSummary) -> dict[str, set[str]]:
    assert summary.report is not None
    return {kind: {c.uid for c in changes} for kind, changes in summary.report.changes.items() if changes}


def expected(changes: Changes) -> dict[str, set[str]]:
    found = {kind: set(getattr(changes, kind)) for kind in Changes.__dataclass_fields__}
    return {kind: uids for kind, uids in found.items() if uids}


def test_update_end_to_end(
    mirror: Mirror, tmp_path: Path, records: list[dict[str, Any]], portal: Portal
) -> None:
    store = tmp_path / "kg.oxigraph"
    first = update(mirror, tmp_path)
    assert first.exit_code in (ExitCode.OK, ExitCode.NOT_CONFORMING), first.build
    assert first.generation == tmp_path / "kg.oxigraph.gen-1"
    assert store.is_symlink() and store.readlink().name == "kg.oxigraph.gen-1"
    assert first.report is not None and first.report.first_build
    in_graph = uids_in(store)
    assert len(in_graph) > 150
    assert reported(first)["new_questions"] == in_graph

    # nothing changed on the portal: nothing downloaded, nothing built
    again = update(mirror, tmp_path)
    assert {r.status for r in again.fetch.results} == {"not-modified"}
    assert again.build is None and again.generation is None and again.exit_code == ExitCode.OK
    assert again.report is not None and again.report.empty and again.report.after == len(in_graph)
    assert "no change" in (tmp_path / "kg.oxigraph.changes.md").read_text(encoding="utf-8")
    assert store.readlink().name == "kg.oxigraph.gen-1"

    # the mirror publishes changes to the 17th legislature's written questions
    changed, changes = change_records(records)
    publish(mirror.root, changed, portal)
    third = update(mirror, tmp_path)
    fetched = {r.archive.key: r.status for r in third.fetch.results}
    assert {k for k, s in fetched.items() if s != "not-modified"} == {QE17}
    assert third.build is not None and third.exit_code == ExitCode.OK, third.build.quarantine
    assert third.build.records_read == 5  # only the five archive members that changed are read again
    assert third.build.unchanged_files > 150
    assert reported(third) == expected(changes)
    assert store.readlink().name == "kg.oxigraph.gen-2"
    assert third.removed == [tmp_path / "kg.oxigraph.gen-1"] and not third.removed[0].exists()
    assert uids_in(store) == in_graph | changes.new_questions

    # the report, beside the store, as data and as Markdown
    data = orjson.loads((tmp_path / "kg.oxigraph.changes.json").read_bytes())
    assert data["counts"] == {
        "new_questions": 1,
        "new_answers": len(changes.new_answers),
        "reattributions": 1,
        "signalements": 1,
        "closures": 1,
        "removed": 0,
    }
    assert sum(sum(c.values()) for c in data["per_ministry"].values()) == sum(data["counts"].values())
    markdown = (tmp_path / "kg.oxigraph.changes.md").read_text(encoding="utf-8")
    assert "## Per ministry" in markdown
    for uid in changes.reattributions | changes.closures | changes.signalements:
        assert f"- {uid} (legislature 17," in markdown


def test_update_refuses_to_run_twice_at_once(mirror: Mirror, tmp_path: Path) -> None:
    with (
        held(lock_path(tmp_path / "kg.oxigraph"), "test"),
        pytest.raises(BusyError, match=r"kg\.oxigraph\.lock"),
    ):
        update(mirror, tmp_path)
    assert not (tmp_path / "data").exists()


def test_a_failed_fetch_leaves_the_store_alone(
    mirror: Mirror, tmp_path: Path, records: list[dict[str, Any]], portal: Portal
) -> None:
    update(mirror, tmp_path, validate=False)
    changed, _ = change_records(records)
    publish(mirror.root, changed, portal)
    mirror.faults[QE15] = ["503"] * 20  # one archive cannot be had: nothing is built
    failed = update(mirror, tmp_path, validate=False)
    assert failed.exit_code == ExitCode.ENDPOINT and failed.build is None
    assert [r.archive.key for r in failed.fetch.failed] == [QE15]
    mirror.faults = {QE17: ["503"] * 20}  # the portal cannot tell its current legislature
    with pytest.raises(FetchError, match="gave up after 3 attempts"):
        update(mirror, tmp_path, validate=False)
    assert (tmp_path / "kg.oxigraph").readlink().name == "kg.oxigraph.gen-1"
    assert sorted(p.name for p in tmp_path.glob("kg.oxigraph.gen-*") if p.is_dir()) == ["kg.oxigraph.gen-1"]
    assert {p.name.split(".")[2] for p in tmp_path.glob("kg.oxigraph.gen-*")} == {"gen-1"}  # and its sidecars


SERVER = """
import json, os, sys, time
import pyoxigraph as ox
store = sys.argv[1]
path = os.path.realpath(store)
db = ox.Store.read_only(path)
with open(store + ".serving", "w") as f:
    json.dump({"pid": os.getpid(), "port": 0, "path": path}, f)
print(path, flush=True)
while True:
    time.sleep(0.2)
    assert len(list(db.quads_for_pattern(None, None, None, None))) > 0
"""


def test_a_served_store_is_swapped_and_a_plain_build_refused(
    mirror: Mirror, tmp_path: Path, records: list[dict[str, Any]], portal: Portal
) -> None:
    store = tmp_path / "kg.oxigraph"
    # a store made by kg build (a real folder): the first update turns it into generation 1
    build(
        BuildOptions(
            sources=[],
            registries=[],
            store=store,
            quarantine=tmp_path / "q.jsonl",
            validate=False,
            jobs=1,
        )
    )
    assert store.is_dir() and not store.is_symlink()
    first = update(mirror, tmp_path, validate=False)
    assert store.readlink().name == "kg.oxigraph.gen-2"
    assert not (tmp_path / "kg.oxigraph.gen-1").exists()  # the adopted folder, no longer served
    assert first.report is not None and not first.report.first_build

    # a server holds generation 2 open and says so
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(store)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        served = server.stdout.readline().strip()
        assert served == str((tmp_path / "kg.oxigraph.gen-2").resolve())
        refused = subprocess.run(
            [sys.executable, "-m", "kg.cli", "build", "--store", str(store), "--no-validate", "-q"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert refused.returncode == 4, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1 and "is being served" in refused.stderr
        with pytest.raises(BusyError):
            build(BuildOptions(store=store, validate=False, jobs=1))

        changed, changes = change_records(records)
        publish(mirror.root, changed, portal)
        second = update(mirror, tmp_path, validate=False)
        assert reported(second) == expected(changes)
        assert store.readlink().name == "kg.oxigraph.gen-3"
        assert (tmp_path / "kg.oxigraph.gen-2").is_dir()  # still served: kept
        assert second.removed == []
        assert server.poll() is None  # the server read its generation all along
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    time.sleep(0.1)
    # the server is gone (its marker is stale): the next update removes generation 2
    publish(mirror.root, records, portal)
    third = update(mirror, tmp_path, validate=False)
    assert store.readlink().name == "kg.oxigraph.gen-4"
    assert third.removed == [tmp_path / "kg.oxigraph.gen-2", tmp_path / "kg.oxigraph.gen-3"]
    assert [n for n, _ in Generations(store).all()] == [4]
    assert serving_marker(store).exists()  # the stale marker is kg serve's to remove, not ours


def test_the_command(mirror: Mirror, tmp_path: Path) -> None:
    store = tmp_path / "kg.oxigraph"
    args = [
        "update",
        "--portal",
        mirror.url,
        "--dest",
        str(tmp_path / "data"),
        "--store",
        str(store),
        "--legislature",
        "17",
        "--jobs",
        "1",
        "--no-validate",
        "-q",
    ]

    def kg(*extra: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
        return subprocess.run(
            [sys.executable, "-m", "kg.cli", *args, *extra],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    first = kg()
    assert first.returncode in (0, 1), first.stderr
    assert "store: now kg.oxigraph.gen-1" in first.stderr
    assert "changes: questions 0 → " in first.stderr and "first build" in first.stderr
    assert first.stdout == (tmp_path / "kg.oxigraph.changes.md").read_text(encoding="utf-8")  # the data
    assert first.stdout.startswith("# What changed\n")
    again = kg()
    assert again.returncode == 0, again.stderr
    assert "nothing to build" in again.stderr and "since the last update: no change" in again.stdout
    unknown = kg("--load", "http://127.0.0.1:9/some/where")  # a usage error, found before any request
    assert unknown.returncode == 2 and "--graph-store" in unknown.stderr
    with held(lock_path(store), "test"):
        busy = kg()
    assert busy.returncode == 4 and len(busy.stderr.strip().splitlines()) == 1
    assert "kg.oxigraph.lock is held by pid" in busy.stderr


def test_prune_keeps_the_previous_generation_while_a_server_lives(tmp_path: Path) -> None:
    """kg serve's marker (pid, port, host) need not name its generation: while its process lives, the
    generation before the current one is kept; a stale marker (a dead pid) keeps nothing."""
    store = tmp_path / "kg.oxigraph"
    store.mkdir()
    (store / "data").write_text("1")
    generations = Generations(store)
    assert generations.adopt() == tmp_path / "kg.oxigraph.gen-1"
    for _ in range(3):
        generations.swap(generations.new(copy_of=generations.current()))
    assert [n for n, _ in generations.all()] == [1, 2, 3, 4]
    assert (tmp_path / "kg.oxigraph.gen-4" / "data").read_text() == "1"
    serving_marker(store).write_text(orjson.dumps({"pid": os.getpid(), "port": 1, "host": "x"}).decode())
    assert generations.prune() == [tmp_path / "kg.oxigraph.gen-1", tmp_path / "kg.oxigraph.gen-2"]
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    serving_marker(store).write_text(orjson.dumps({"pid": int(dead.stdout), "port": 1}).decode())
    assert generations.prune() == [tmp_path / "kg.oxigraph.gen-3"]
    assert store.resolve() == (tmp_path / "kg.oxigraph.gen-4").resolve()


def test_an_update_from_the_xml_archives_gives_the_same_questions(
    mirror: Mirror, tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    """The XML twins (14th: one file without namespace; later: one namespaced file per question) build the
    same questions as the JSON archives."""
    fetch = FetchOptions("all", "questions", "xml", tmp_path / "data", mirror.url, policy=FAST)
    registry = FetchOptions("current", "registry", "json", tmp_path / "data", mirror.url, policy=FAST)
    with pytest.raises(InputError, match="nothing to build") as nothing:  # a registry alone gives nothing
        run_update(UpdateOptions(registry, store=tmp_path / "registry-only.oxigraph", jobs=1))
    assert nothing.value.exit_code == ExitCode.BAD_INPUT
    assert not (tmp_path / "registry-only.oxigraph").exists()
    summary = run_update(UpdateOptions(fetch, store=tmp_path / "kg.oxigraph", jobs=1, validate=False))
    assert summary.build is not None and summary.build.quarantined == 0
    keys = {r.archive.key for r in summary.fetch.results}
    assert keys and all(key.endswith(".xml.zip") for key in keys)
    assert uids_in(tmp_path / "kg.oxigraph") == {r["uid"] for r in records}


@pytest.mark.server
def test_update_loads_only_what_changed_into_a_server(
    mirror: Mirror, tmp_path: Path, records: list[dict[str, Any]], portal: Portal
) -> None:
    with OxigraphServer(None, port=free_port(), read_only=False) as server:
        first = update(mirror, tmp_path, validate=False, load=server.query_url)
        assert first.load is not None and first.load.loaded == first.load.graphs > 150
        changed, changes = change_records(records)
        publish(mirror.root, changed, portal)
        second = update(mirror, tmp_path, validate=False, load=server.query_url)
        assert second.load is not None
        touched = set().union(*expected(changes).values())
        # the changed questions' graphs, and the graphs that describe the whole (dataset, shared terms)
        assert len(touched) <= second.load.loaded <= len(touched) + 3
        assert second.load.skipped == second.load.graphs - second.load.loaded
        (new_uid,) = changes.new_questions
        ask = f'ASK {{ GRAPH ?g {{ ?q <http://purl.org/dc/terms/identifier> "{new_uid}" }} }}'
        assert EndpointTarget(server.query_url).execute(ask).values() == [(True,)]


def test_prune_keeps_what_a_draining_server_names(tmp_path: Path) -> None:
    store = tmp_path / "kg.oxigraph"
    generations = Generations(store)
    for _ in range(4):
        generations.swap(generations.new(copy_of=None))
    named = str((tmp_path / "kg.oxigraph.gen-1").resolve())
    serving_marker(store).write_text(orjson.dumps({"pid": os.getpid(), "port": 1, "path": named}).decode())
    assert generations.prune() == [tmp_path / "kg.oxigraph.gen-2"]
    assert [n for n, _ in generations.all()] == [1, 3, 4]


def test_a_build_waits_for_no_update_it_is_refused_while_one_runs(tmp_path: Path) -> None:
    """A plain kg build into a store that kg update keeps (it has the update's lock file) is refused with
    exit 4 while an update holds the lock, and runs once it is free; a store kg update never touched gets
    no lock file from kg build."""
    plain = tmp_path / "plain.oxigraph"
    build(BuildOptions(store=plain, quarantine=tmp_path / "q.jsonl"))
    assert not lock_path(plain).exists()
    store = tmp_path / "kg.oxigraph"
    lock_path(store).touch()  # as kg update leaves it
    options = BuildOptions(store=store, quarantine=tmp_path / "q.jsonl")
    with held(lock_path(store), "test"), pytest.raises(BusyError, match=r"kg update") as busy:
        build(options)
    assert busy.value.exit_code == ExitCode.BUSY
    assert not store.exists()  # refused before anything was written
    assert build(options).in_graph > 0
