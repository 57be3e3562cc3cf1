"""What a new user met in the first hour, each seen once and now kept right: help that reads like help, words
for known situations (no registry given, a lower-case uid, a Virtuoso-style endpoint on an Oxigraph server),
and summaries that say what the store holds."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import typer

from kg.cli import app
from kg.cli_support import run
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.serve.oxigraph import OxigraphServer
from kg.sources.files import QUESTION_SUFFIXES

COMMAND = typer.main.get_command(app)
PAGES = Path(__file__).parent / "fixtures" / "pages"
#: the types Typer shows when left alone: <list[Path]>, <bool>, <str>, <int range>, <path>...
PYTHON_TYPES = re.compile(r"<(?:list\[[^\]]*\]|bool|str|int|float|path|Path|int range|float range|text)>")


def kg(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(COMMAND, list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err, err
    return code, out, err


def _commands() -> list[list[str]]:
    return [[name] for name in sorted(COMMAND.commands)]  # type: ignore[attr-defined]


def _flat(text: str) -> str:
    """Help text without the boxes and the wrapping."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


# ------------------------------------------------------------------ help


@pytest.mark.parametrize("command", [[], *_commands()], ids=lambda c: " ".join(c) or "kg")
def test_help_shows_no_python_type(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = kg(capsys, *command, "--help")
    assert code == 0
    assert not PYTHON_TYPES.findall(out), PYTHON_TYPES.findall(out)


def test_build_help_names_every_input_kind(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = kg(capsys, "build", "--help")
    text = _flat(out)
    for suffix in (*QUESTION_SUFFIXES, ".zip"):
        assert suffix in text, f"kg build --help does not name {suffix}"
    assert "question pages" in text and "folders" in text
    assert "PATH" in text and "INTEGER" in text


# ------------------------------------------------------------------ clear words


def test_a_page_build_without_registry_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(PAGES / "QANR5L15QE40439.md", pages)
    code, _, err = kg(
        capsys, "build", str(pages), "--store", str(tmp_path / "s"), "-o", str(tmp_path / "g.ttl")
    )
    assert code in (0, 1), err
    lines = [line for line in err.splitlines() if line.startswith(("warning", "error"))]
    assert lines[0].startswith("warning: --registry: no registry was given"), lines[:3]
    assert sum("no registry was given" in line for line in lines) == 1
    # with a registry: not said
    code, _, err = kg(capsys, "build", str(pages), "-r", str(SAMPLE_REGISTRY), "--store", str(tmp_path / "t"))
    assert "no registry was given" not in err


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("first-contact")
    batch = root / "batch"
    batch.mkdir()
    for name in ("QANR5L15QE40439.json", "QANR5L15QE16233.json"):
        shutil.copy(SAMPLE_QUESTIONS / "json" / name, batch)
    args = ["build", str(batch), "-r", str(SAMPLE_REGISTRY), "-q", "--store", str(root / "store")]
    assert run(COMMAND, args) == 0
    return root / "store"


def test_a_lower_case_uid_is_the_same_question(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, upper, _ = kg(capsys, "show", "QANR5L15QE40439", "--store", str(store))
    assert code == 0
    code, lower, err = kg(capsys, "show", "qanr5l15qe40439", "--store", str(store))
    assert code == 0, err
    assert lower == upper
    code, out, err = kg(
        capsys, "query", "question-card", "-p", "uid=qanr5l15qe40439", "--store", str(store), "-f", "csv"
    )
    assert code == 0, err
    assert len(out.splitlines()) > 10


@pytest.mark.server
def test_load_to_a_sparql_path_on_oxigraph_names_the_graph_store_url(
    store: Path, writable_oxigraph: OxigraphServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = str(tmp_path / "state.jsonl")
    code, _, err = kg(
        capsys,
        "load",
        "--endpoint",
        f"{writable_oxigraph.url}/sparql",
        "--store",
        str(store),
        "--state",
        state,
        "-q",
    )
    assert code == 3
    assert len(err.strip().splitlines()) == 1
    assert f"its Graph Store URL is {writable_oxigraph.url}/store" in err
    assert f"kg load --endpoint {writable_oxigraph.url}/query" in err
    # following the advice works
    code, _, err = kg(
        capsys,
        "load",
        "--endpoint",
        f"{writable_oxigraph.url}/query",
        "--store",
        str(store),
        "--state",
        state,
        "-q",
    )
    assert code == 0, err


# ------------------------------------------------------------------ no path of this machine


ROOT = Path(__file__).resolve().parent.parent
#: the places a home or a work folder sits on one machine: work, root and home at the root (spelt apart here,
#: so that this file does not hold what it looks for)
MACHINE_PATH = re.compile(r"(?<![\w.~])/(?:" + "|".join(("wo" + "rk", "ro" + "ot", "ho" + "me")) + r")/")
#: files that spell such a path on purpose, to look for it
LOOKS_FOR_THEM = {"tests/test_bench_run.py"}


def test_no_path_of_this_machine_in_any_committed_file() -> None:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run([git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    found = []
    for name in listed.decode().split("\0"):
        path = ROOT / name
        if not name or name in LOOKS_FOR_THEM or not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if MACHINE_PATH.search(line) or str(ROOT) in line:
                found.append(f"{name}:{number}: {line.strip()[:120]}")
    assert not found, "\n".join(found)


# ------------------------------------------------------------------ summaries that tell the truth


def test_a_rebuild_that_changes_nothing_says_what_the_store_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    args = ["build", "--store", str(tmp_path / "store"), "-o", str(tmp_path / "g.ttl")]
    code, _, first = kg(capsys, *args)
    assert code == 0
    # the bundled sample's own warnings are real: a registry warning names its record
    assert "warning: registry [mandate/PM775070] schema:startDate" in first
    code, _, again = kg(capsys, *args, "-q")
    assert code == 0
    assert "records read 0, in graph 0 (none)" in again  # what this run did...
    assert "the store holds 38 questions (QE 29, QG 5, QOSD 4), persons 38" in again  # ...and what is there
    assert "warning" not in again.replace("warnings 0", "")  # the registry's warnings were said once
    code, _, table = kg(capsys, *args)
    assert "questions" in table and "38" in table
    # each figure once: the table says what the store holds, the line what the run did
    for word in ("persons", "triples", "quarantined", "records read"):
        assert table.count(word) == 1, word


# ------------------------------------------------------------------ the engine


def test_validate_uses_the_engine_build_uses(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seen: kg validate defaulted to pySHACL (28 s on the sample) while kg build used the fast engine."""
    from kg.validation.engines import build_engine

    code, out, err = kg(capsys, "validate", "--store", str(store), "--format", "json")
    assert code in (0, 1), err
    assert f'"engine": "{build_engine().value}"' in out


def test_the_fallback_to_pyshacl_is_said_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.cli_support as support
    from kg.validation.results import Engine

    monkeypatch.setattr(support, "fast_engine_available", lambda: False)
    monkeypatch.setattr(support, "_engine_noted", False)
    support.note_engine(Engine.PYSHACL)
    support.note_engine(Engine.PYSHACL)
    err = capsys.readouterr().err
    assert err.count("note: validating with pySHACL") == 1
    assert "hemicycle-kg[fast]" in err
