"""Bad arguments derived from every command's parameters, whatever commands the app has: a wrong type, a
value out of range, an unknown choice, a missing path, a file where a folder is expected and the reverse,
a place that cannot be written. Each case must end with one of the exit codes of docs/reliability.md and no
traceback (nor an "internal error", the handler's word for one).

Cases run in this process through the console script's own handler (``kg.cli_support.run``), each in a
fresh empty folder. Options that take a URL point at a loopback server that answers 404 to everything, so
no case waits on the network."""

from __future__ import annotations

import enum
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import typer

from kg.cli import app
from kg.cli_support import EXIT_CODES, run
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY

ROOT = Path(__file__).resolve().parent.parent
RELIABILITY = ROOT / "docs" / "reliability.md"
COMMAND = typer.main.get_command(app)
URL_OPTION = re.compile(r"endpoint|portal|graph.store|^--load$|url")
LOOPBACK = "http://127.0.0.1:{port}/"
BATCH = "adir/batch"  # two records of the bundled sample, in each case's folder

#: where each kind of bad path points, relative to the case's folder (made by _workspace)
PATHS = {
    "missing": "nothing/here",
    "under-a-file": "afile/inside",
    "a-file": "afile",
    "a-folder": "adir",
    "unwritable": "/proc/kg-sweep/x",  # not even root can write there
}


def documented_codes() -> set[int]:
    """The exit codes of the one table in docs/reliability.md."""
    text = RELIABILITY.read_text(encoding="utf-8")
    table = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    return {int(m) for m in re.findall(r"^\|\s*(\d+)\s*\|", table, flags=re.M)}


def test_the_handler_knows_exactly_the_documented_codes() -> None:
    assert documented_codes() == set(EXIT_CODES) == {0, 1, 2, 3, 4, 130}


@dataclass(frozen=True)
class Case:
    command: tuple[str, ...]
    args: tuple[str, ...]
    kind: str
    #: a case every command must refuse as bad usage (exit 2); others may run, but end with a documented code
    usage: bool
    #: the command retries the network (with backoff) before it gives up: run with KG_RUN_SLOW=1 (.ci/run)
    waits: bool = False

    @property
    def id(self) -> str:
        return f"{' '.join(self.command)}:{' '.join(self.args)}:{self.kind}"


def _commands(command: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in sorted(subcommands.items()):
            yield from _commands(sub, (*prefix, name))
    else:
        yield prefix, command


def _annotation(param: Any) -> Any:
    annotation = param.type_descriptor.annotation
    args = getattr(annotation, "__args__", None)
    if getattr(annotation, "__origin__", None) in (list, tuple) and args:
        return args[0]
    return annotation


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False)) or _annotation(param) is bool


def _bad_values(param: Any) -> Iterator[tuple[str, str, bool]]:
    """(value, kind, must be a usage error) for one parameter."""
    kind = _annotation(param)
    if kind in (int, float):
        yield "not-a-number", "wrong type", True
        if param.min is not None:
            below = param.min - 1
            yield str(int(below) if kind is int else below - 0.5), "below its minimum", True
        if param.max is not None:
            yield str(int(param.max) + 1), "above its maximum", True
        if param.min is None:
            yield "-1", "negative", False
        if param.max is None:
            yield str(10**12), "huge", False
    elif isinstance(kind, type) and issubclass(kind, enum.Enum):
        yield "no-such-choice", "unknown choice", True
    elif kind is Path:
        for name, path in PATHS.items():
            yield path, f"path: {name}", False
    elif kind is str:
        yield "", "empty text", False
        if URL_OPTION.search(param.name or "") or any(URL_OPTION.search(o) for o in param.opts):
            yield "not a url", "not a URL", False
            yield "http://127.0.0.1:9/sparql", "a closed port", False


def _value_for(param: Any, port: int) -> str:
    """A plausible value for a required parameter that is not the one under test."""
    names = " ".join(param.opts)
    if URL_OPTION.search(names) or URL_OPTION.search(param.name or ""):
        return LOOPBACK.format(port=port) + "sparql"
    if _annotation(param) is Path:
        return "nothing/here"
    if _annotation(param) in (int, float):
        return "1"
    return "x"


def cases(port: int) -> list[Case]:
    found = []
    for path, command in _commands(COMMAND):
        params = [p for p in command.params if not p.hidden and p.name != "help"]
        for param in params:
            if _is_flag(param):
                continue
            for value, kind, usage in _bad_values(param):
                args: list[str] = []
                for other in params:
                    if other is param or not other.required or _is_flag(other):
                        continue
                    args += _spell(other, _value_for(other, port))
                # an optional path argument not under test gets two real records (a build that runs is short)
                for other in params:
                    if other is not param and other.param_type_name == "argument" and not other.required:  # noqa: SIM102
                        if _annotation(other) is Path:
                            args += [BATCH]
                # a URL option not under test points at the loopback server (no case waits on the network)
                for other in params:
                    if other is not param and not other.required and _is_url(other):
                        args += _spell(other, LOOPBACK.format(port=port) + "sparql")
                args += _spell(param, value)
                # downloads from the portal retry with backoff (~30 s) before they give up
                waits = "portal" in (param.name or "") and (value == "" or ":9/" in value)
                found.append(Case(path, tuple(args), f"{param.name}: {kind}", usage, waits))
        found.append(Case(path, ("--no-such-option",), "unknown option", True))
    return found


def _is_url(param: Any) -> bool:
    return _annotation(param) is str and any(URL_OPTION.search(o) for o in param.opts)


def _spell(param: Any, value: str) -> list[str]:
    if param.param_type_name == "argument":
        return ["--", value] if value.startswith("-") else [value]
    return [param.opts[0], value]


class _NotFound(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def loopback() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def _workspace(folder: Path) -> None:
    (folder / "afile").write_text("a file, not a folder\n")
    (folder / "adir").mkdir()


# the port is not known when the cases are collected: they are derived again, with it, at run time
CASES = cases(0)
SLOW = [pytest.mark.slow, pytest.mark.skipif(not os.environ.get("KG_RUN_SLOW"), reason="KG_RUN_SLOW=1")]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "index",
    [pytest.param(i, id=case.id, marks=SLOW if case.waits else ()) for i, case in enumerate(CASES)],
)
def test_bad_argument(
    index: int,
    loopback: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case = cases(loopback)[index]
    monkeypatch.chdir(tmp_path)
    _workspace(tmp_path)
    # the sample build reads the bundled sample: a few of its records, so that a build that does run is short
    batch = tmp_path / "adir" / "batch"
    batch.mkdir()
    for record in sorted((SAMPLE_QUESTIONS / "json").glob("*.json"))[:2]:
        shutil.copy(record, batch / record.name)
    for variable in ("KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    code = run(COMMAND, [*case.command, *case.args])
    out, err = capsys.readouterr()
    shown = f"kg {' '.join(case.command)} {' '.join(case.args)} -> {code}\n{err[-2000:]}"
    assert "Traceback" not in out + err, shown
    assert "internal error" not in err, shown
    assert code in documented_codes(), shown
    if case.usage:
        assert code == 2, shown
    if code not in (0, 1):
        assert err.strip(), f"a failure must say why: {shown}"


def test_the_sweep_covers_every_command() -> None:
    swept = {case.command for case in cases(0)}
    assert swept == {path for path, _ in _commands(COMMAND)}
    assert len(CASES) > 50
    assert SAMPLE_REGISTRY.is_dir()
