"""Crash safety: a ``kg build`` killed with SIGKILL at any point leaves the previous store and outputs
usable, and the next build completes with the right counts.

A first build (three good records) makes the "previous" store, output and quarantine report. A second build,
of those records plus five hundred more, runs as a child process (its own process group: the mapping worker
processes go with it) and is killed with SIGKILL at one point of its run: while it starts, when it begins
writing the store, or when it begins writing the output. Then the previous output and report must be
there byte for byte (outputs are written to a temporary file and renamed), the store must open and answer
a query and still hold every previous record, and a third build must complete: every record in the graph,
none quarantined.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.resources import SAMPLE_QUESTIONS
from kg.store import EmbeddedStore
from tests.bad_inputs.harness import question_graph, run_kg, scratch
from tests.bad_inputs.make import record_bytes, uid

GOOD = ["json/QANR5L15QE40439.json", "json/QANR5L16QG502.json", "xml/QANR5L16QOSD643.xml"]
EXTRA = 500


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Generated records: enough for the killed build to run for a couple of seconds."""
    with scratch(tmp_path_factory.mktemp("extra")) as folder:
        for n in range(EXTRA):
            (folder / f"{uid(100_000 + n)}.json").write_bytes(record_bytes(100_000 + n))
        yield folder


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    with scratch(tmp_path) as folder:
        yield folder


def _store_files(store: Path) -> set[str]:
    return {p.name for p in store.iterdir()} if store.is_dir() else set()


def _after(seconds: float) -> Callable[[Path], bool]:
    deadline = time.monotonic() + seconds
    return lambda root: time.monotonic() >= deadline


def _new_table_file(before: set[str]) -> Callable[[Path], bool]:
    """The build has begun writing data into the store (a new sorted table file)."""
    return lambda root: any(n.endswith(".sst") and n not in before for n in _store_files(root / "store"))


def _output_temp(root: Path) -> bool:
    """The build has begun writing the output (to its temporary file)."""
    return any(p.name.startswith(".graph.ttl.") for p in (root / "out").iterdir())


KILL_POINTS: dict[str, Callable[[Path, set[str]], Callable[[Path], bool]]] = {
    "while-starting": lambda root, before: _after(0.4),
    "writing-the-store": lambda root, before: _new_table_file(before),
    "writing-the-output": lambda root, before: _output_temp,
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_leaves_the_previous_build_usable(point: str, root: Path, extra: Path) -> None:
    batch, store, out = root / "batch", root / "store", root / "out"
    batch.mkdir()
    for name in GOOD:
        shutil.copy(SAMPLE_QUESTIONS / name, batch)
    args = ["build", "--store", str(store), "--out", str(out / "graph.ttl"), "--quiet"]

    first = run_kg([*args[:1], str(batch), *args[1:]])
    assert first.exit_code == 0, first.output
    previous = {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.quarantine.jsonl")}
    manifest = store.with_name(store.name + ".manifest.json")
    assert manifest.is_file()

    # the second build, killed
    happened = KILL_POINTS[point](root, _store_files(store))
    child = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "build", str(batch), str(extra), *args[1:]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the worker processes are killed with it
    )
    try:
        deadline = time.monotonic() + 120
        while not happened(root) and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:  # pragma: no cover - only if the wait above timed out
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(30)
    stderr = child.stderr.read().decode() if child.stderr else ""
    assert child.returncode == -signal.SIGKILL, f"the build ended before the kill point {point}: {stderr}"

    # the previous outputs are intact: a kill never leaves a partial output under the real name
    for name, content in previous.items():
        assert (out / name).read_bytes() == content, f"{name} changed"
    leftovers = [p.name for p in out.iterdir() if p.name not in previous]
    assert all(n.startswith(".") and n.endswith(".tmp") for n in leftovers), leftovers
    json.loads(manifest.read_bytes())  # whole: the old one or a new one, never a torn one
    assert sum(1 for _ in ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE)) > 0

    # the store opens, answers, and holds every previous record
    embedded = EmbeddedStore(store, read_only=True).store
    assert embedded.query("ASK { GRAPH ?g { ?s ?p ?o } }")
    for name in GOOD:
        assert embedded.contains_named_graph(question_graph(Path(name).stem)), name
    del embedded

    # the next build completes: every record in the graph, none quarantined
    final = run_kg([*args[:1], str(batch), str(extra), *args[1:]])
    assert final.exit_code == 0, final.output
    assert "quarantined 0" in final.output
    embedded = EmbeddedStore(store, read_only=True).store
    questions = [g for g in embedded.named_graphs() if "/graph/question/" in str(g)]
    assert len(questions) == len(GOOD) + EXTRA
    assert (out / "graph.quarantine.jsonl").read_bytes() == b""
    triples = sum(1 for _ in ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE))
    assert triples > len(previous["graph.ttl"].splitlines())  # the whole new graph, readable
