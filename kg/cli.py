"""The ``kg`` command line: one command per verb, data on stdout, logs and progress on stderr.
Only this module exits; exit codes: 0 ok, 1 data does not conform, 2 bad input or usage, 3 endpoint."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg import __version__
from kg.errors import ExitCode, KgError
from kg.export import FORMATS, export, format_for
from kg.iris import DEFAULT_BASE
from kg.pipeline import BuildOptions, BuildSummary, build
from kg.store import DEFAULT_STORE, EmbeddedStore

app = typer.Typer(
    name="kg",
    help="hemicycle-kg: the Assemblée nationale's parliamentary questions as a linked, validated knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

StoreOpt = Annotated[Path, typer.Option("--store", help="Embedded store folder (pyoxigraph).")]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help=f"Output format: {', '.join(FORMATS)} (default: from the file suffix, else ttl).",
    ),
]


def _fail(exc: KgError) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(int(exc.exit_code))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hemicycle-kg {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Build, validate, query and serve the graph."""


@app.command("build")
def build_cmd(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Question records: files (.json/.xml), folders (searched recursively) or .zip archives. "
            "None: the bundled sample."
        ),
    ] = None,
    registry: Annotated[
        list[Path] | None,
        typer.Option("--registry", "-r", help="Acteurs/organes: a file, a folder or a zip (repeatable)."),
    ] = None,
    store: StoreOpt = DEFAULT_STORE,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the graph to this file ('-': stdout).")
    ] = None,
    fmt: FormatOpt = None,
    base: Annotated[str, typer.Option("--base", help="Base IRI of the resources.")] = DEFAULT_BASE,
    quarantine: Annotated[
        Path | None,
        typer.Option("--quarantine", help="Quarantine report (default: quarantine.jsonl beside --out)."),
    ] = None,
    full: Annotated[
        bool,
        typer.Option("--full", help="Read every input again, even files unchanged since the last build."),
    ] = False,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=1, help="Worker processes for reading and mapping (large inputs)."),
    ] = min(2, os.cpu_count() or 1),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no warnings list.")] = False,
) -> None:
    """Build the graph from question records and the acteurs/organes registries into the store."""
    try:
        options = BuildOptions(
            sources=tuple(sources or ()),
            registries=tuple(registry or ()),
            store=store,
            out=out,
            format=format_for(out, fmt) if (fmt or out) else None,
            base=base,
            quarantine=quarantine,
            jobs=jobs,
            full=full,
        )
        with Progress(
            TextColumn("[bold]building"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=quiet,
        ) as bar:
            task = bar.add_task("build", total=None)
            summary = build(options, lambda done, total: bar.update(task, completed=done, total=total))
    except (KgError, ValueError) as exc:
        raise _fail(exc if isinstance(exc, KgError) else _usage(str(exc))) from None
    _report(summary, options, quiet=quiet)
    raise typer.Exit(int(summary.exit_code))


def _usage(message: str) -> KgError:
    error = KgError(message)
    error.exit_code = ExitCode.BAD_INPUT
    return error


def _report(summary: BuildSummary, options: BuildOptions, *, quiet: bool) -> None:
    for diagnostic in summary.diagnostics:
        if diagnostic.severity == "error" or not quiet:
            colour = "red" if diagnostic.severity == "error" else "yellow"
            err.print(f"[{colour}]{diagnostic.one_line()}[/{colour}]", highlight=False, soft_wrap=True)
    if not quiet:
        table = Table(title="hemicycle-kg build", show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column(justify="right")
        if summary.unchanged_files:
            table.add_row(
                "unchanged since last build", f"{summary.unchanged_records} ({summary.unchanged_files} files)"
            )
        table.add_row("records read", str(summary.records_read))
        table.add_row("questions in graph", str(summary.in_graph))
        for kind, count in sorted(summary.by_type.items()):
            table.add_row(f"  {kind}", str(count))
        table.add_row("quarantined", str(summary.quarantined))
        table.add_row("persons", str(summary.persons))
        table.add_row("organes", str(summary.organes))
        table.add_row("mandates", str(summary.mandates))
        table.add_row("triples (quads in store)", str(summary.triples))
        table.add_row("warnings", str(summary.warnings))
        table.add_row("seconds", f"{summary.seconds:.2f}")
        table.add_row("store", str(options.store))
        if options.out is not None:
            table.add_row("output", str(options.out))
        table.add_row("quarantine report", str(options.quarantine_path))
        err.print(table)
    err.print(summary.one_line(), highlight=False, soft_wrap=True)


@app.command("export")
def export_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file ('-': stdout).")] = Path(
        "out/hemicycle.ttl"
    ),
    store: StoreOpt = DEFAULT_STORE,
    fmt: FormatOpt = None,
) -> None:
    """Write the graph of an existing store as Turtle, N-Triples, N-Quads, TriG or JSON-LD."""
    try:
        embedded = EmbeddedStore(store, read_only=True)
        export(embedded, out, format_for(out, fmt))
    except KgError as exc:
        raise _fail(exc) from None
    if str(out) != "-":
        err.print(f"wrote {out} ({len(embedded)} quads in store)", highlight=False)


if __name__ == "__main__":  # pragma: no cover
    app()
