"""The command line's one error handler and one progress helper.

Every failure is one line and an exit code of the table in docs/reliability.md (0 done, 1 some records quarantined, 2 bad usage or input, 3 endpoint,
4 busy, 130 interrupted), never a traceback."""

from __future__ import annotations

import enum
import errno
import os
import sys
import urllib.parse
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, get_args, get_origin

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer._click.core import Command, Context, Parameter
from typer._click.exceptions import ClickException
from typer.core import TyperGroup

from kg.errors import ExitCode, KgError
from kg.validation.engines import fast_engine_available
from kg.validation.results import Engine

#: every exit code a command may end with (docs/reliability.md, "Exit codes")
INTERRUPTED = 130
EXIT_CODES = frozenset({*(int(code) for code in ExitCode), INTERRUPTED})
#: set to 1 to see the traceback of an unexpected failure (for developers)
DEBUG_ENV = "KG_DEBUG"

err = Console(stderr=True)

_kept_on_interrupt = _KEPT_BY_DEFAULT = (
    "stopped; every file is replaced only when complete, so what was there before is whole"
)


class UsageError(KgError):
    """A value given on the command line cannot be used (exit 2)."""

    exit_code = ExitCode.BAD_INPUT


def say_error(message: str) -> None:
    err.print(f"[red]error:[/red] {escape(' '.join(message.split()))}", highlight=False, soft_wrap=True)


def fail(exc: KgError) -> typer.Exit:
    """Print ``exc`` as one line; the ``typer.Exit`` to raise with its exit code."""
    say_error(str(exc))
    return typer.Exit(int(exc.exit_code))


def usage(message: str) -> UsageError:
    return UsageError(message)


def on_interrupt(what_is_kept: str) -> None:
    """Say what an interruption (Ctrl-C) from now on leaves behind: the line printed before exit 130."""
    global _kept_on_interrupt
    _kept_on_interrupt = what_is_kept


ProgressUpdate = Callable[[int, int | None], None]


@contextmanager
def counting(verb: str, unit: str, *, quiet: bool = False) -> Iterator[ProgressUpdate]:
    """A transient progress bar on stderr ("building ━━━ 12/40 files 0:00:03"): yields ``update(done,
    total)``; drawn only on a terminal and never with ``quiet``."""
    with Progress(
        TextColumn(f"[bold]{escape(verb)}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(escape(unit)),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    ) as bar:
        task = bar.add_task(verb, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@contextmanager
def working(what: str, *, quiet: bool = False) -> Iterator[None]:
    """A transient line on stderr while a step of unknown length runs ("validating 1.2M quads with fast
    0:00:12"), so a long validation is never silent."""
    with Progress(
        TextColumn(f"[bold]{escape(what)}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    ) as bar:
        bar.add_task(what, total=None)
        yield


_engine_noted = False


def note_engine(engine: Engine) -> None:
    """Say, once per run, that validation falls back to pySHACL because the fast engine is not installed
    (shacl-rust has no wheel for this platform)."""
    global _engine_noted
    if engine is Engine.PYSHACL and not _engine_noted and not fast_engine_available():
        _engine_noted = True
        err.print(
            "note: validating with pySHACL, the reference engine (slower on large inputs): shacl-rust, the "
            "fast engine, is not installed here (it has wheels for Linux x86_64/aarch64, macOS and Windows "
            "x86_64; elsewhere pip install 'hemicycle-kg[fast]' builds it with Rust)",
            style="yellow",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )


def _readable_type(param: Any) -> str | None:
    """What a parameter takes, as help shows it: ``PATH``, ``TEXT``, ``INTEGER``, ``fast|pyshacl``; nothing
    for a flag (Typer would show Python's types: ``<list[Path]>``, ``<bool>``, ``<int range>``)."""
    annotation = param.type_descriptor.annotation
    if get_origin(annotation) in (list, tuple) and get_args(annotation):
        annotation = get_args(annotation)[0]
    if annotation is bool or getattr(param, "is_flag", False):
        return None
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "|".join(str(member.value) for member in annotation)
    return _TYPE_WORDS.get(annotation, "TEXT")


_TYPE_WORDS: dict[object, str] = {Path: "PATH", int: "INTEGER", float: "NUMBER", str: "TEXT"}


def readable_help(command: Command) -> Command:
    """Give every parameter of ``command`` a readable type in its help (see :func:`_readable_type`)."""
    if command in _readable:
        return command
    _readable.add(command)
    for param in command.params:
        if hasattr(param, "type_descriptor"):
            _show_type(param, _readable_type(param))
    make_help_option = command.get_help_option

    def help_option(ctx: Context) -> Any:
        option = make_help_option(ctx)
        if option is not None:
            _show_type(option, None)
        return option

    command.get_help_option = help_option  # type: ignore[method-assign]
    return command


def _show_type(param: Parameter, label: str | None) -> None:
    if param.param_type_name == "option":
        param.metavar = label
    # Typer draws an argument's type with display_type_rich whatever its metavar: answer for it
    param.display_type_rich = lambda ctx: label  # type: ignore[attr-defined]


_readable: weakref.WeakSet[Command] = weakref.WeakSet()


class KgGroup(TyperGroup):
    """The ``kg`` group: its commands' help reads like help (:func:`readable_help`), whoever adds them."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        readable_help(self)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        return readable_help(command) if command is not None else None


def oxigraph_hint(endpoint: str) -> str | None:
    """When ``endpoint`` is on an Oxigraph server (its ``Server`` header says so), the sentence naming the
    Graph Store URL to use: Oxigraph answers queries at ``/query`` and takes graphs at ``/store``, and a
    ``…/sparql`` endpoint (Virtuoso's layout) sends ``kg load`` to a path Oxigraph does not have."""
    import httpx  # only when a load fails: ~0.1 s of every command's start-up otherwise

    parts = urllib.parse.urlsplit(endpoint)
    try:
        server = httpx.head(urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/", "", "")), timeout=5.0)
    except (httpx.HTTPError, ValueError):
        return None
    if not server.headers.get("server", "").lower().startswith("oxigraph"):
        return None
    store = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/store", "", ""))
    query = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/query", "", ""))
    return (
        f"this is an Oxigraph server: its Graph Store URL is {store} "
        f"(kg load --endpoint {query}, or --graph-store {store})"
    )


def _format_usage_error(exc: ClickException) -> None:
    """Click's own message for a bad option or argument (usage line, hint and the error), as Typer draws it."""
    try:
        from typer import rich_utils

        rich_utils.rich_format_error(exc)
    except Exception:  # pragma: no cover - without rich: click's plain text
        exc.show()


def run(command: Command, args: Sequence[str], prog_name: str = "kg") -> int:
    """Run ``command`` with ``args`` in this process and return its exit code: usage errors, library
    errors, a broken pipe, Ctrl-C and any unexpected failure become one line on stderr."""
    global _kept_on_interrupt
    _kept_on_interrupt = _KEPT_BY_DEFAULT
    try:
        with command.make_context(prog_name, list(args)) as ctx:
            command.invoke(ctx)
        return 0
    except typer.Exit as exc:
        return int(exc.exit_code)
    except ClickException as exc:  # bad option, bad value, missing argument... (Typer's own click)
        _format_usage_error(exc)
        return int(ExitCode.BAD_INPUT)
    except (KeyboardInterrupt, typer.Abort):
        err.print(f"interrupted: {_kept_on_interrupt}", highlight=False, soft_wrap=True, markup=False)
        return INTERRUPTED
    except KgError as exc:
        say_error(str(exc))
        return int(exc.exit_code)
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            return _quiet_broken_pipe()
        if os.environ.get(DEBUG_ENV):
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        say_error(f"{where}{exc.strerror or exc}")
        return int(ExitCode.BAD_INPUT)
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        say_error(
            f"internal error ({type(exc).__name__}: {exc}); this is a bug of kg, please report it "
            f"(set {DEBUG_ENV}=1 to see where it happened)"
        )
        return int(ExitCode.BAD_INPUT)


def _quiet_broken_pipe() -> int:
    """The reader went away (``kg export --out - | head``): what it read was what it wanted; stop quietly,
    without Python's complaint when it flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests): nothing to quiet
        pass
    return int(ExitCode.OK)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``kg`` console script and ``python -m kg``."""
    from kg.cli import app  # the commands import this module

    command = typer.main.get_command(app)
    sys.exit(run(command, sys.argv[1:] if argv is None else argv))
