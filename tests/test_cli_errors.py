"""First-contact traps of the command line, each reproduced as it was seen: a usage error is one line and
exit 2 with nothing left behind, a held store is exit 4, Ctrl-C is one line and exit 130, a closed pipe is
quiet, and no output ever lands on a file of another format."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import typer

from bench import corpus
from kg.cli import app
from kg.cli_support import run
from kg.registry import load_registry
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY

COMMAND = typer.main.get_command(app)
ROOT = Path(__file__).resolve().parent.parent


def kg(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``kg ARGS`` in this process, through the same handler as the console script."""
    code = run(COMMAND, list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err, err
    return code, out, err


def tiny_batch(tmp_path: Path, n: int = 3) -> Path:
    """A few records of the bundled sample (real records, copied)."""
    batch = tmp_path / "batch"
    batch.mkdir(parents=True)
    for record in sorted((SAMPLE_QUESTIONS / "json").glob("*.json"))[:n]:
        shutil.copy(record, batch / record.name)
    return batch


def build_args(tmp_path: Path, *more: str) -> list[str]:
    return ["build", str(tiny_batch(tmp_path)), "--registry", str(SAMPLE_REGISTRY), "-q", *more]


# ------------------------------------------------------------------ usage errors leave nothing behind


def test_out_under_a_file_is_a_usage_error_and_creates_no_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "afile").write_text("not a folder\n")
    store = tmp_path / "store"
    code, _, err = kg(
        capsys, *build_args(tmp_path, "--store", str(store), "--out", str(tmp_path / "afile/o.ttl"))
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "afile is a file, not a folder" in err
    assert not store.exists(), "a usage error must not leave an empty store behind"
    assert not (tmp_path / "out").exists()


def test_quarantine_under_a_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("x")
    store = tmp_path / "store"
    code, _, err = kg(
        capsys,
        *build_args(tmp_path, "--store", str(store), "--quarantine", str(tmp_path / "afile" / "q.jsonl")),
    )
    assert code == 2 and "--quarantine" in err and not store.exists()


def test_store_that_is_a_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("x")
    code, _, err = kg(capsys, *build_args(tmp_path, "--store", str(tmp_path / "afile")))
    assert code == 2 and "not a store folder" in err
    code, _, err = kg(capsys, *build_args(tmp_path / "x", "--store", str(tmp_path / "afile" / "s")))
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_port_out_of_range_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = kg(capsys, "serve", "--store", str(tmp_path / "none"), "--port", "80000")
    assert code == 2 and "--port" in err


# ------------------------------------------------------------------ outputs follow their format


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("built")
    assert run(COMMAND, build_args(root, "--store", str(root / "store"))) == 0
    return root / "store"


def test_export_default_name_follows_the_format(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert kg(capsys, "export", "--store", str(store))[0] == 0
    turtle = (tmp_path / "out" / "hemicycle.ttl").read_bytes()
    assert kg(capsys, "export", "-f", "nt", "--store", str(store))[0] == 0
    assert (tmp_path / "out" / "hemicycle.ttl").read_bytes() == turtle, "N-Triples written over the Turtle"
    assert (tmp_path / "out" / "hemicycle.nt").read_bytes().startswith(b"<")
    assert kg(capsys, "export", "-f", "jsonld", "--store", str(store))[0] == 0
    assert (tmp_path / "out" / "hemicycle.jsonld").is_file()


@pytest.mark.parametrize("command", ["export", "build"])
def test_format_contradicting_the_suffix_is_a_usage_error(
    command: str, store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.ttl"
    target.write_text("kept\n")
    args = (
        ["export", "--store", str(store)]
        if command == "export"
        else build_args(tmp_path, "--store", str(tmp_path / "s"))
    )
    code, _, err = kg(capsys, *args, "--format", "nt", "--out", str(target))
    assert code == 2 and "--format nt" in err and "x.nt" in err
    assert target.read_text() == "kept\n"


def test_quarantine_report_is_named_after_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    broken = tiny_batch(tmp_path)
    (broken / "broken.json").write_text('{"question": {"uid": ')
    assert (
        kg(capsys, "build", str(broken), "-r", str(SAMPLE_REGISTRY), "-q", "--store", "a", "-o", "out/a.ttl")[
            0
        ]
        == 2
    )
    good = tmp_path / "good"
    shutil.copytree(broken, good)
    (good / "broken.json").unlink()
    assert (
        kg(capsys, "build", str(good), "-r", str(SAMPLE_REGISTRY), "-q", "--store", "b", "-o", "out/b.nt")[0]
        == 0
    )
    assert "broken.json" in (tmp_path / "out" / "a.quarantine.jsonl").read_text()
    assert (tmp_path / "out" / "b.quarantine.jsonl").read_text() == ""
    assert not (tmp_path / "out" / "quarantine.jsonl").exists()
    # no --out: named after the store
    assert kg(capsys, "build", str(good), "-r", str(SAMPLE_REGISTRY), "-q", "--store", "c.oxigraph")[0] == 0
    assert (tmp_path / "out" / "c.quarantine.jsonl").read_text() == ""


# ------------------------------------------------------------------ busy, interrupted, closed pipe


def test_a_store_held_by_another_build_is_busy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import pyoxigraph as ox, sys, time; s = ox.Store({str(store)!r}); print(1, flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"1"
        code, _, err = kg(capsys, *build_args(tmp_path, "--store", str(store)))
    finally:
        holder.kill()
        holder.wait()
    assert code == 4
    assert "another kg build is writing this store" in err and len(err.strip().splitlines()) == 1
    ox.Store(str(store))  # not damaged


def _kg_process(*args: str, cwd: Path, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        **kwargs,  # type: ignore[arg-type]
    )


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc: the worker processes of a build)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _ctrl_c_default() -> None:
    """As in a terminal: a shell running the tests in the background may have SIGINT ignored, which a child
    inherits (and Python then keeps)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_says_what_was_kept_and_exits_130(tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal's Ctrl-C sends it, while worker processes map
    (seen: each worker printed its own KeyboardInterrupt traceback). A generated corpus (bench/corpus.py) of
    3,500 questions is large enough for workers."""
    registry = load_registry([SAMPLE_REGISTRY])
    corpus.write_corpus(corpus.generate(3500, 42, registry), "json-files", tmp_path / "corpus")
    process = _kg_process("build", str(tmp_path / "corpus"), "-r", str(SAMPLE_REGISTRY), "-j", "2",
                          "--store", str(tmp_path / "store"), "-o", str(tmp_path / "g.ttl"),
                          cwd=tmp_path, start_new_session=True, preexec_fn=_ctrl_c_default)  # fmt: skip
    deadline = time.monotonic() + 60
    # two workers and the resource tracker of multiprocessing
    while len(_children(process.pid)) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # the workers are importing or mapping: where a Ctrl-C used to hit them
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    text = err.decode()
    assert process.returncode == 130, text
    assert "Traceback" not in text
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted: ") and "untouched" in lines[0]
    assert not (tmp_path / "g.ttl").exists()


def test_broken_pipe_exits_quietly(store: Path, tmp_path: Path) -> None:
    process = _kg_process("export", "--store", str(store), "--out", "-", "-f", "nt", cwd=tmp_path)
    assert process.stdout is not None
    first = process.stdout.read(200)  # the reader takes what it wants, then goes away (like head)
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert first.startswith(b"<")
    assert err == b"", err.decode()
    assert process.returncode == 0


def test_python_dash_m_kg_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--version"], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("hemicycle-kg ")
