"""The ``kg`` command line: one command per verb, data on stdout, logs and progress on stderr.
Only this module exits; exit codes: 0 ok, 1 data does not conform, 2 bad input or usage, 3 endpoint."""

from __future__ import annotations

import datetime
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kg import __version__, cli_support
from kg.build.pipeline import BuildOptions, BuildSummary, build
from kg.build.registry_cache import RegistryCache
from kg.errors import EndpointError, ExitCode, InputError, KgError
from kg.export import FORMATS, atomic_writer, check_writable, default_output, export, format_for
from kg.fetch import DEFAULT_DEST
from kg.iris import DEFAULT_BASE
from kg.load import (
    Credentials,
    GraphStoreClient,
    LoadState,
    default_state_path,
    graph_store_url_for,
    load_store,
)
from kg.query.binding import parse_assignments
from kg.query.catalog import find_query, load_catalog, query_from_text
from kg.query.results import OUTPUT_FORMATS, write_result
from kg.query.targets import (
    DEFAULT_MAX_ROWS,
    DEFAULT_QUERY_TIMEOUT_S,
    EmbeddedTarget,
    EndpointTarget,
    QueryTarget,
    run_query,
)
from kg.serve.defaults import (
    DEFAULT_HOST,
    DEFAULT_MAX_RESULTS,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT_S,
    UPDATE_TOKEN_ENV,
)
from kg.store import DEFAULT_STORE, EmbeddedStore
from kg.validation.check import CHECKS, run_checks
from kg.validation.engines import build_engine, fast_engine_available
from kg.validation.report import validate_files, validate_store
from kg.validation.results import Engine

app = typer.Typer(
    name="kg",
    help="hemicycle-kg: the Assemblée nationale's parliamentary questions as a linked, validated knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=cli_support.KgGroup,  # help shows PATH, TEXT, INTEGER, not Python's types
)
# one error handler, one progress helper (kg/cli_support.py): every failure is one line and a documented code
err = cli_support.err

CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Registry cache folder (default: $KG_CACHE_DIR, else $XDG_CACHE_HOME/hemicycle-kg).",
    ),
]
StoreOpt = Annotated[Path, typer.Option("--store", help="Embedded store folder (pyoxigraph).")]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help=f"Output format: {', '.join(FORMATS)} (default: from the file suffix, else ttl).",
    ),
]


_fail = cli_support.fail


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
            help="What to read: question records of the open data (.json or .xml files, one question or a "
            "whole dump), question pages of the Assemblée's sites (.html/.htm saved from a browser, or .md "
            "as a text browser or a Markdown converter writes them), folders of these (searched "
            "recursively) and .zip archives of these. None: the bundled sample."
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
        typer.Option(
            "--quarantine",
            help="Quarantine report (default: named after the output, out/x.quarantine.jsonl for "
            "out/x.ttl; without --out, after the store: out/hemicycle.quarantine.jsonl).",
        ),
    ] = None,
    validate: Annotated[
        bool, typer.Option("--validate/--no-validate", help="Judge each question against the SHACL shapes.")
    ] = True,
    engine: Annotated[
        Engine | None,
        typer.Option(
            "--engine",
            help="SHACL engine: fast (shacl-rust, installed with kg where it has wheels: the default) or "
            "pyshacl (the reference).",
        ),
    ] = None,
    keep_invalid: Annotated[
        bool, typer.Option("--keep-invalid", help="Keep records with violations in the graph, flagged.")
    ] = False,
    full: Annotated[
        bool,
        typer.Option("--full", help="Read every input again, even files unchanged since the last build."),
    ] = False,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=1, help="Worker processes for reading and mapping (large inputs)."),
    ] = min(2, os.cpu_count() or 1),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no warnings list.")] = False,
    timings: Annotated[
        bool, typer.Option("--timings", help="Print the CPU time each step took (all processes).")
    ] = False,
    no_store: Annotated[
        bool,
        typer.Option(
            "--no-store", help="Exporter mode: map, validate and write --out (ttl, nt, nq) without a store."
        ),
    ] = False,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Build the graph from question records and the acteurs/organes registries into the store."""
    if validate and not quiet:
        cli_support.note_engine(engine or build_engine())
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
            validate=validate,
            engine=engine,
            keep_invalid=keep_invalid,
            no_store=no_store,
            cache_dir=cache_dir,
        )
        cli_support.on_interrupt(
            "the outputs and quarantine report of the last build are untouched; the store keeps what was "
            "loaded so far and the next kg build completes it"
        )
        with cli_support.counting("building", "files", quiet=quiet) as update:
            summary = build(options, update)
    except (KgError, ValueError) as exc:
        raise _fail(exc if isinstance(exc, KgError) else _usage(str(exc))) from None
    if timings:
        err.print(summary.timings(), highlight=False, soft_wrap=True)
    _report(summary, options, quiet=quiet)
    raise typer.Exit(int(summary.exit_code))


_usage = cli_support.usage

cache_app = typer.Typer(help="The registry cache: registries read, mapped and validated once per machine.")
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
def cache_info_cmd(cache_dir: CacheDirOpt = None) -> None:
    """Where the cache is, and each registry it keeps."""
    typer.echo("\n".join(RegistryCache(cache_dir).info().lines()))


@cache_app.command("clean")
def cache_clean_cmd(cache_dir: CacheDirOpt = None) -> None:
    """Remove every cached registry (the next build reads its registry again)."""
    cache = RegistryCache(cache_dir)
    try:
        freed = cache.clean()
    except KgError as exc:
        raise _fail(exc) from None
    typer.echo(f"{cache.folder}: freed {freed / 2**20:,.1f} MiB")


def _report(summary: BuildSummary, options: BuildOptions, *, quiet: bool) -> None:
    for diagnostic in summary.diagnostics:
        if diagnostic.severity == "error" or not quiet:
            colour = "red" if diagnostic.severity == "error" else "yellow"
            err.print(
                f"[{colour}]{escape(diagnostic.one_line())}[/{colour}]", highlight=False, soft_wrap=True
            )
    # what the store holds, as a table (or, with --quiet, in the one line); what this run did, in one line:
    # each figure once
    if not quiet:
        table = Table(title="the store now", show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column(justify="right")
        table.add_row("questions", str(summary.store_questions.total()))
        for kind, count in sorted(summary.store_questions.items()):
            table.add_row(f"  {kind}", str(count))
        table.add_row("persons", str(summary.persons))
        table.add_row("organes", str(summary.organes))
        table.add_row("mandates", str(summary.mandates))
        table.add_row("triples", str(summary.triples))
        table.add_row("store", str(options.store))
        if options.out is not None:
            table.add_row("output", str(options.out))
        table.add_row("quarantine report", str(options.quarantine_path))
        err.print(table)
    line = summary.one_line(store=quiet)
    if summary.kept_invalid:
        line += f" (kept despite violations {summary.kept_invalid})"
    err.print(f"this run: {line}", highlight=False, soft_wrap=True, markup=False)


@app.command("export")
def export_cmd(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Output file ('-': stdout; default: out/hemicycle with the format's suffix)."
        ),
    ] = None,
    store: StoreOpt = DEFAULT_STORE,
    fmt: FormatOpt = None,
) -> None:
    """Write the graph of an existing store as Turtle, N-Triples, N-Quads, TriG or JSON-LD."""
    try:
        chosen = format_for(out, fmt)
        out = out or default_output(chosen)
        check_writable(out)
        embedded = EmbeddedStore(store, read_only=True)
        export(embedded, out, chosen)
    except KgError as exc:
        raise _fail(exc) from None
    if str(out) != "-":
        err.print(f"wrote {out} ({len(embedded)} quads in store)", highlight=False)


@app.command("validate")
def validate_cmd(
    files: Annotated[
        list[Path] | None, typer.Argument(help="RDF files (ttl, nt, nq, trig, jsonld, rdf); none: the store.")
    ] = None,
    store: Annotated[
        Path | None, typer.Option("--store", help="Embedded store to validate (default).")
    ] = None,
    engine: Annotated[
        Engine | None,
        typer.Option(
            "--engine",
            help="fast (shacl-rust, the default where installed, as kg build) or pyshacl (the reference).",
        ),
    ] = None,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Also write the SHACL report (Turtle).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table (stderr), json or ttl (stdout).")
    ] = "table",
) -> None:
    """Validate a store or RDF files against shapes/. Exit 0 conforms, 1 violations, 2 bad input."""
    try:
        if fmt not in ("table", "json", "ttl"):
            raise _usage(f"unknown format {fmt!r} (table, json, ttl)")
        if files and store:
            raise _usage("give FILE… or --store, not both")
        if engine is Engine.FAST and not fast_engine_available():
            raise _usage("the fast engine is not installed: pip install 'hemicycle-kg[fast]'")
        engine = engine or build_engine()
        cli_support.note_engine(engine)
        with cli_support.working(f"validating with {engine.value}"):
            report = (
                validate_files(files, engine=engine)
                if files
                else validate_store(EmbeddedStore(store or DEFAULT_STORE, read_only=True), engine=engine)
            )
        if report_file is not None:
            with atomic_writer(report_file) as handle:
                handle.write(report.to_turtle().encode())
    except KgError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        sys.stdout.buffer.write(report.to_json() + b"\n")
    elif fmt == "ttl":
        typer.echo(report.to_turtle())
    else:
        err.print(report.to_table(limit=500))
    err.print(report.summary(), highlight=False, markup=False)
    raise typer.Exit(int(report.exit_code))


@app.command("check")
def check_cmd(
    only: Annotated[
        list[str] | None, typer.Option("--only", help=f"Checks to run: {', '.join(CHECKS)}.")
    ] = None,
    engine: Annotated[Engine | None, typer.Option("--engine", help="Engine for the fixtures check.")] = None,
) -> None:
    """Self-checks: ontology, vocabulary, shapes (SHACL-for-SHACL, docs), terms declared, shape fixtures."""
    try:
        report = run_checks(only or CHECKS, engine=engine)
    except KgError as exc:
        raise _fail(exc) from None
    for finding in report.findings:
        err.print(finding.one_line(), highlight=False, soft_wrap=True, markup=False)
    err.print(report.summary(), highlight=False, markup=False)
    raise typer.Exit(0 if report.ok else 1)


EndpointOpt = Annotated[
    str | None,
    typer.Option("--endpoint", "-e", help="A SPARQL 1.1 endpoint URL to query instead of the store."),
]


def _query_target(store: Path, endpoint: str | None, timeout: float, max_rows: int) -> QueryTarget:
    """The embedded store, or the endpoint when one is given (credentials from the environment)."""
    if endpoint:
        credentials = Credentials.from_env()
        return EndpointTarget(
            endpoint,
            user=credentials.user if credentials else None,
            password=credentials.password if credentials else None,
            timeout=timeout or 120.0,
        )
    return EmbeddedTarget.open(store, timeout=timeout or None, max_rows=max_rows or None)


TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0, help="Query time limit in seconds (0: none).")]
MaxRowsOpt = Annotated[
    int, typer.Option("--max-rows", min=0, help="Most rows an answer may hold (0: no limit).")
]


@app.command("query")
def query_cmd(
    name: Annotated[
        str | None,
        typer.Argument(
            help="A query of the catalog (see 'kg queries') or a SPARQL file (catalog header optional).",
            show_default=False,
            metavar="NAME|FILE",
        ),
    ] = None,
    sparql: Annotated[
        str | None,
        typer.Option(
            "--sparql",
            "-q",
            metavar="TEXT",
            help="SPARQL text to run instead of NAME ('-': read it from stdin).",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", metavar="NAME=VALUE", help="A parameter as name=value (repeatable)."),
    ] = None,
    store: StoreOpt = DEFAULT_STORE,
    endpoint: EndpointOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="table, csv, tsv or json.")
    ] = "table",
    timeout: TimeoutOpt = DEFAULT_QUERY_TIMEOUT_S,
    max_rows: MaxRowsOpt = DEFAULT_MAX_ROWS,
) -> None:
    """Run a competency query, a SPARQL file or inline SPARQL on the store or on a SPARQL endpoint."""
    try:
        if fmt not in OUTPUT_FORMATS:
            raise InputError(
                f"unknown format {fmt!r} (choose from {', '.join(OUTPUT_FORMATS)})", field="--format"
            )
        if (name is None) == (sparql is None):
            missing = "give a query: NAME, FILE or --sparql TEXT" if name is None else "give NAME or --sparql"
            raise InputError(f"{missing}, not both" if name else missing, field="--sparql")
        if sparql is not None:
            spec = query_from_text(sys.stdin.read() if sparql == "-" else sparql, "--sparql")
        else:
            spec = find_query(name or "")
        values = parse_assignments(param or [])
        target = _query_target(store, endpoint, timeout, max_rows)
        result = run_query(spec, values, target)
    except KgError as exc:
        raise _fail(exc) from None
    write_result(result, fmt, sys.stdout)
    err.print(f"{len(result)} rows from {result.source} in {result.seconds * 1000:.0f} ms", highlight=False)


@app.command("show")
def show_cmd(
    uid: Annotated[str, typer.Argument(help="The question's uid, e.g. QANR5L15QE40439.")],
    store: StoreOpt = DEFAULT_STORE,
    endpoint: EndpointOpt = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="markdown (the page's layout) or json (every fact with its IRI)."
        ),
    ] = "markdown",
    timeout: TimeoutOpt = DEFAULT_QUERY_TIMEOUT_S,
    max_rows: MaxRowsOpt = DEFAULT_MAX_ROWS,
) -> None:
    """Show one question's card, rendered from the graph alone, in the layout of the Assemblée's page."""
    from kg.query.card import load_card, render_card  # each command imports what only it needs

    try:
        target = _query_target(store, endpoint, timeout, max_rows)
        text = render_card(load_card(uid, target), fmt)
    except KgError as exc:
        raise _fail(exc) from None
    typer.echo(text, nl=False)


@app.command("queries")
def queries_cmd(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the catalog as Markdown (the manual's reference page).")
    ] = False,
) -> None:
    """List the competency queries: name, what each answers, parameters and columns."""
    from kg.reference import catalog_markdown

    try:
        specs = load_catalog()
        if markdown:
            typer.echo(catalog_markdown(specs), nl=False)
            return
        table = Table(title="competency queries (kg query NAME --param name=value …)", title_justify="left")
        table.add_column("query", style="bold", no_wrap=True)
        table.add_column("answers")
        table.add_column("parameters")
        table.add_column("columns")
        for spec in specs:
            params = ", ".join(f"{p.name} ({p.type.value}, {p.default_text})" for p in spec.params)
            table.add_row(spec.name, spec.title, params or "—", ", ".join(spec.columns))
    except KgError as exc:
        raise _fail(exc) from None
    Console().print(table)


def _iso_date(text: str, option: str) -> datetime.date:
    """``YYYY-MM-DD`` as a date, or a one-line InputError naming the option."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field=option) from None


@app.command("serve")
def serve_cmd(
    store: StoreOpt = DEFAULT_STORE,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback by default).")
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = DEFAULT_PORT,
    cors: Annotated[bool, typer.Option("--cors", help="Allow cross-origin requests (browser apps).")] = False,
    timeout: Annotated[
        int, typer.Option("--timeout", min=0, help="Query time limit in seconds (0: none).")
    ] = DEFAULT_TIMEOUT_S,
    max_results: Annotated[
        int,
        typer.Option(
            "--max-results", min=0, help="Most solutions or triples one answer may hold (0: no limit)."
        ),
    ] = DEFAULT_MAX_RESULTS,
    allow_updates: Annotated[
        bool,
        typer.Option(
            "--allow-updates",
            help=f"Accept SPARQL Update and Graph Store writes carrying 'Authorization: Bearer ${UPDATE_TOKEN_ENV}'.",
        ),
    ] = False,
    base: Annotated[str, typer.Option("--base", help="Base IRI the store was built with.")] = DEFAULT_BASE,
    public_base: Annotated[
        str | None,
        typer.Option(
            "--public-base",
            help="Where the pages are published (e.g. https://data.example.org/hemicycle/): HTML links go "
            "there; IRIs in RDF stay canonical.",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="The date pages judge overdue questions at, YYYY-MM-DD (default: today)."
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No line per request on standard error.")
    ] = False,
) -> None:
    """Serve the store: a page and RDF at every IRI's path, the SPARQL 1.1 endpoint (the Oxigraph server
    behind a guard) and its query page."""
    from kg.serve.server import serve_site  # the web stack: only for this command (~55 ms of start-up)

    try:
        day = _iso_date(as_of, "--as-of") if as_of is not None else None
        server = serve_site(
            store,
            host=host,
            port=port,
            cors=cors,
            timeout_s=timeout,
            max_results=max_results,
            allow_updates=allow_updates,
            base=base,
            public_base=public_base,
            as_of=day,
            quiet=quiet,
        )
    except KgError as exc:
        raise _fail(exc) from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(
            f"warning: listening on {host}: reachable from other machines", style="yellow", markup=False
        )
    mode = f"read-write with the token of {UPDATE_TOKEN_ENV}" if allow_updates else "read-only"
    err.print(
        f"pages {server.url}/, SPARQL endpoint {server.query_url} ({mode}; time limit {timeout or 'none'} s, "
        f"at most {max_results or 'unlimited'} results; query page {server.url}/sparql) — Ctrl-C to stop",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # a service manager's stop, like Ctrl-C, stops the server too
    try:
        code = server.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        server.stop()
    raise typer.Exit(int(ExitCode.OK) if code in (0, -2, 130) else int(ExitCode.ENDPOINT))


@app.command("site")
def site_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the site into (replaced whole).")],
    as_of: Annotated[
        str, typer.Option("--as-of", help="The date pages judge overdue questions at, YYYY-MM-DD.")
    ],
    store: StoreOpt = DEFAULT_STORE,
    base: Annotated[str, typer.Option("--base", help="Base IRI the store was built with.")] = DEFAULT_BASE,
    public_base: Annotated[
        str,
        typer.Option(
            "--public-base",
            help="Where the folder is published, ending with '/': a URL or a path ('/': the root of a host).",
        ),
    ] = "/",
) -> None:
    """Write the linked-data site as static files: every resource's page, Turtle and JSON-LD, the charts
    and feeds, and the Apache (.htaccess) and nginx (nginx.conf) rules that negotiate between them."""
    from kg.site.export import run_site_export  # the templates: only for this command (~65 ms of start-up)

    try:
        day = _iso_date(as_of, "--as-of")
        summary = run_site_export(store, out, base=base, public_base=public_base, as_of=day)
    except KgError as exc:
        raise _fail(exc) from None
    err.print(
        f"{summary.resources} resources, {summary.files} files ({summary.bytes / 1e6:.1f} MB) "
        f"in {out} ({summary.seconds:.1f} s)",
        highlight=False,
        markup=False,
    )


@app.command("load")
def load_cmd(
    endpoint: Annotated[
        str, typer.Option("--endpoint", "-e", help="The target server's SPARQL endpoint URL.")
    ],
    graph_store: Annotated[
        str | None,
        typer.Option(
            "--graph-store",
            help="Its Graph Store Protocol URL (default: derived from --endpoint for Oxigraph, Virtuoso, "
            "Fuseki and GraphDB).",
        ),
    ] = None,
    store: StoreOpt = DEFAULT_STORE,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="What was loaded where (default: <store>.load-state.jsonl beside it)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Load every graph again, whatever --state says.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Push every named graph to a SPARQL server (Graph Store Protocol PUT per graph: reloading replaces, an
    interrupted load resumes). Credentials: KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD."""
    try:
        embedded = EmbeddedStore(store, read_only=True)
        client = GraphStoreClient(
            graph_store or graph_store_url_for(endpoint), credentials=Credentials.from_env()
        )
        load_state = LoadState(state or default_state_path(store))
        cli_support.on_interrupt(
            f"the graphs loaded so far are recorded in {load_state.path}: run the same kg load to resume"
        )
        with cli_support.counting("loading", "graphs", quiet=quiet) as update:
            summary = load_store(
                embedded,
                client,
                state=load_state,
                force=force,
                progress=lambda done, total, graph: update(done, total),
            )
    except EndpointError as exc:
        hint = None if graph_store else cli_support.oxigraph_hint(endpoint)
        raise _fail(EndpointError(f"{exc}; {hint}") if hint else exc) from None
    except KgError as exc:
        raise _fail(exc) from None
    err.print(f"{client.url}: {summary.one_line()}", highlight=False, soft_wrap=True, markup=False)


LegislatureOpt = Annotated[
    str, typer.Option("--legislature", "-l", help="A legislature number, 'current' or 'all' (from the 14th).")
]
WhatOpt = Annotated[str, typer.Option("--what", help="qe, qg, qosd, questions (the three), registry or all.")]
ArchiveFormatOpt = Annotated[
    str,
    typer.Option("--format", "-f", help="Question archives in json or xml (the registry is always JSON)."),
]
DestOpt = Annotated[Path, typer.Option("--dest", help="Data folder (the portal's layout, with fetch.json).")]
PortalOpt = Annotated[
    str | None,
    typer.Option(
        "--portal", help="Portal address (default: https://data.assemblee-nationale.fr, or a mirror)."
    ),
]


@app.command("fetch")
def fetch_cmd(
    legislature: LegislatureOpt = "current",
    what: WhatOpt = "all",
    fmt: ArchiveFormatOpt = "json",
    dest: DestOpt = DEFAULT_DEST,
    portal: PortalOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be fetched and why; download nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Download the Assemblée's open-data archives: conditional (304: nothing downloaded), resumable, retried,
    each checked as a zip before it replaces the copy kept; fetch.json records URL, ETag, size and SHA-256."""
    from kg.fetch.command import FetchOptions, run_fetch  # here: httpx only for the commands that fetch
    from kg.fetch.console import download_bar, print_fetch

    try:
        options = FetchOptions(legislature, what, fmt, dest, portal, dry_run)
        with download_bar(err, quiet=quiet) as progress:
            summary = run_fetch(options, progress)
    except KgError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        err.print("interrupted: a partial download resumes on the next run", highlight=False)
        raise typer.Exit(130) from None
    print_fetch(err, summary)
    raise typer.Exit(int(summary.exit_code))


@app.command("update")
def update_cmd(
    legislature: LegislatureOpt = "current",
    what: WhatOpt = "all",
    fmt: ArchiveFormatOpt = "json",
    dest: DestOpt = DEFAULT_DEST,
    portal: PortalOpt = None,
    store: StoreOpt = DEFAULT_STORE,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write the new graph to this file.")
    ] = None,
    load: Annotated[
        str | None, typer.Option("--load", help="Then load the store into this SPARQL endpoint (kg load).")
    ] = None,
    graph_store: Annotated[
        str | None, typer.Option("--graph-store", help="The Graph Store Protocol URL for --load.")
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Build the new generation from scratch.")] = False,
    validate: Annotated[
        bool, typer.Option("--validate/--no-validate", help="Judge each question against the SHACL shapes.")
    ] = True,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes for the build.")] = min(
        2, os.cpu_count() or 1
    ),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Fetch, rebuild only what changed into a new store generation, swap it in atomically (a served store
    too), and report what changed (<store>.changes.md and .json): new questions, answers, re-attributions,
    signalements, closures, per ministry."""
    from kg.fetch.command import FetchOptions
    from kg.fetch.console import download_bar, print_update
    from kg.fetch.update import UpdateOptions, run_update

    try:
        options = UpdateOptions(
            FetchOptions(legislature, what, fmt, dest, portal),
            store=store,
            out=out,
            load=load,
            graph_store=graph_store,
            full=full,
            validate=validate,
            jobs=jobs,
        )
        with download_bar(err, quiet=quiet) as progress:
            summary = run_update(options, progress)
    except KgError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        err.print("interrupted: the store still points at a complete generation", highlight=False)
        raise typer.Exit(130) from None
    print_update(err, summary)
    raise typer.Exit(int(summary.exit_code))


if __name__ == "__main__":  # pragma: no cover
    cli_support.main()
