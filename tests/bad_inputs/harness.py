"""What the reliability tests share: a scratch folder (in memory when the machine has one: the store's
bulk loads fsync, which on a disk costs more than the whole build of a few records), running the real
``kg`` command (in this process, or as a child process that can be killed or denied file permissions),
and reading the store back."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from typer.testing import CliRunner

from kg.cli import app
from kg.iris import DEFAULT_BASE

#: Setting this to a folder keeps the tests' scratch folders there instead of in memory.
SCRATCH_ENV = "KG_TEST_SCRATCH"


@contextlib.contextmanager
def scratch(fallback: Path) -> Iterator[Path]:
    """A fresh folder on /dev/shm when it is there and writable (else ``fallback``), removed afterwards
    even when the test left unreadable folders in it."""
    chosen = os.environ.get(SCRATCH_ENV)
    shm = Path(chosen) if chosen else Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield fallback
        return
    root = Path(tempfile.mkdtemp(prefix="kg-test-", dir=shm))
    try:
        yield root
    finally:
        remove(root)


def remove(root: Path) -> None:
    for folder, children, _ in os.walk(root):
        for child in children:
            with contextlib.suppress(OSError):
                (Path(folder) / child).chmod(0o700)
    shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class Run:
    exit_code: int
    output: str  # stdout and stderr
    traceback: str | None = None  # an exception that escaped the command (never expected)


_runner = CliRunner()


def run_kg(
    args: Sequence[str], *, child: bool = False, unprivileged: bool = False, timeout: float | None = None
) -> Run:
    """Run ``kg ARGS``. In this process (fast) unless ``child``: then as ``python -m kg.cli`` with a
    timeout, and, when ``unprivileged`` and running as root, without the capabilities that let root
    read any file (so a mode-000 file is as unreadable as it is for anyone)."""
    if not child and not unprivileged:
        result = _runner.invoke(app, list(args))
        trace = None
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback

            trace = "".join(traceback.format_exception(result.exception))
        return Run(result.exit_code, result.output, trace)
    command = [sys.executable, "-m", "kg.cli", *args]
    if unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            import pytest

            pytest.skip("running as root without setpriv: file permissions cannot be tested")
        drop = "-dac_override,-dac_read_search"
        command = [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}", *command]
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    output = completed.stdout + completed.stderr
    trace = output if "Traceback (most recent call last)" in output else None
    return Run(completed.returncode, output, trace)


def question_graph(uid: str, base: str = DEFAULT_BASE) -> ox.NamedNode:
    return ox.NamedNode(f"{base}graph/question/{uid}")


def literal_values(quads: Iterator[ox.Quad] | list[ox.Quad]) -> set[str]:
    return {q.object.value for q in quads if isinstance(q.object, ox.Literal)}


def iris(quads: Iterator[ox.Quad] | list[ox.Quad]) -> set[str]:
    found: set[str] = set()
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
    return found


def graph_lines(store: ox.Store, graph: ox.NamedNode) -> list[bytes]:
    """A named graph as sorted N-Triples lines (to compare two builds)."""
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
    return sorted(data.splitlines())
