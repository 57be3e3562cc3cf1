"""``kg update``: fetch, build a new store generation from what changed, swap it in, report the changes, load.

Under the store's lock (``<store>.lock``): fetch the selection; when the archives differ from those the current
generation was built from, copy it to a new generation and run the incremental build there (the build's
manifest skips every archive member that did not change), compare the questions before and after, swap the new
generation in (kg/fetch/generations.py), write the change report beside the store
(``<store>.changes.json`` and ``.md``) and, when asked, load the store into a remote endpoint (``kg load``).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from kg.build.pipeline import BuildOptions, BuildSummary, build
from kg.errors import ExitCode, InputError
from kg.fetch.changes import ChangeReport, diff, load_snapshot, save_snapshot, snapshot, write_report
from kg.fetch.command import FetchOptions, FetchSummary, run_fetch
from kg.fetch.download import Progress as FetchProgress
from kg.fetch.download import no_progress
from kg.fetch.generations import Generations, lock_path, sidecar
from kg.fetch.manifest import FetchManifest, held
from kg.fetch.portal import QUESTION_KINDS
from kg.load import (
    Credentials,
    GraphStoreClient,
    LoadSummary,
    default_state_path,
    graph_store_url_for,
    load_store,
)
from kg.load import LoadState as LoadStateFile
from kg.store import DEFAULT_STORE, EmbeddedStore

BuildProgress = Callable[[int, int], None]


def _no_build_progress(done: int, total: int) -> None:
    return None


@dataclass(frozen=True, slots=True)
class UpdateOptions:
    fetch: FetchOptions = field(default_factory=FetchOptions)
    store: Path = DEFAULT_STORE
    out: Path | None = None  # also export the new graph to this file
    load: str | None = None  # the SPARQL endpoint of a server to load the new store into (kg load)
    graph_store: str | None = None  # its Graph Store Protocol URL (default: derived from ``load``)
    full: bool = False  # a full build into an empty generation
    validate: bool = True
    jobs: int = 2


@dataclass(slots=True)
class UpdateSummary:
    fetch: FetchSummary
    build: BuildSummary | None = None
    report: ChangeReport | None = None
    load: LoadSummary | None = None
    generation: Path | None = None  # the generation swapped in (None: nothing was built)
    removed: list[Path] = field(default_factory=list)  # older generations removed
    report_paths: tuple[Path, Path] | None = None

    @property
    def exit_code(self) -> ExitCode:
        if self.fetch.exit_code != ExitCode.OK:
            return self.fetch.exit_code
        return self.build.exit_code if self.build is not None else ExitCode.OK


def report_paths(store: Path) -> tuple[Path, Path]:
    return store.with_name(store.name + ".changes.json"), store.with_name(store.name + ".changes.md")


def inputs_of(options: UpdateOptions) -> tuple[list[Path], list[Path], dict[str, str]]:
    """The question archives (of the chosen format) recorded in the data folder's fetch.json, the newest
    registry archive there, and their SHA-256 by key: what a generation is built from."""
    manifest = FetchManifest(options.fetch.dest)
    questions, registries, digests = [], [], {}
    newest_registry: tuple[int, str] | None = None  # each legislature republishes the whole history
    for key, entry in sorted(manifest.entries.items()):
        path = options.fetch.dest.joinpath(*key.split("/"))
        leg, _, rest = key.partition("/")
        if not path.is_file() or not leg.isdigit():
            continue
        if rest.startswith("amo/"):
            newest_registry = max(newest_registry or (0, ""), (int(leg), key))
        elif key.endswith(f".{options.fetch.format}.zip"):
            questions.append(path)
            digests[key] = entry.sha256
    if newest_registry is not None:
        key = newest_registry[1]
        registries.append(options.fetch.dest.joinpath(*key.split("/")))
        digests[key] = manifest.entries[key].sha256
    return questions, registries, digests


def _built_from(generation: Path) -> dict[str, str] | None:
    try:
        inputs = orjson.loads(sidecar(generation, ".inputs.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return {str(k): str(v) for k, v in inputs.items()} if isinstance(inputs, dict) else None


def run_update(
    options: UpdateOptions,
    fetch_progress: FetchProgress = no_progress,
    build_progress: BuildProgress = _no_build_progress,
) -> UpdateSummary:
    """Fetch, rebuild what changed into a new generation, swap, report, load. A failed fetch or build
    leaves the current generation as it was (exit code in the summary; a held lock raises BusyError)."""
    try:
        return _update(options, fetch_progress, build_progress)
    except OSError as exc:  # beside the store: not writable, full…
        where = exc.filename or options.store
        raise InputError(f"cannot write the new store: {exc.strerror or exc}", file=str(where)) from None


def _update(
    options: UpdateOptions, fetch_progress: FetchProgress, build_progress: BuildProgress
) -> UpdateSummary:
    store = options.store
    client = None
    if options.load:  # a bad --load or --graph-store is a usage error before anything is fetched
        url = options.graph_store or graph_store_url_for(options.load)
        client = GraphStoreClient(url, credentials=Credentials.from_env())
    closing = contextlib.closing(client) if client is not None else contextlib.nullcontext()
    with closing, held(lock_path(store), f"the store {store}"):
        summary = UpdateSummary(run_fetch(options.fetch, fetch_progress))
        if summary.fetch.exit_code != ExitCode.OK:
            return summary
        questions, registries, digests = inputs_of(options)
        if not any(key.split("/")[1] == "questions" for key in digests) or not registries:
            raise InputError(
                "nothing to build: the data folder has no question archive and registry archive "
                f"(fetch --what {'/'.join(QUESTION_KINDS)} and registry)",
                file=str(options.fetch.dest),
            )
        generations = Generations(store)
        current = generations.adopt()
        if current is not None and not options.full and _built_from(current) == digests:
            # the store already holds exactly these archives: the report says so
            known = load_snapshot(sidecar(current, ".questions.json"))
            count = len(known[0]) if known else 0
            summary.report = ChangeReport(before=count, after=count)
            summary.report_paths = report_paths(store)
            write_report(summary.report, *summary.report_paths)
            return summary
        new = generations.new(copy_of=None if options.full or current is None else current)
        try:
            before = load_snapshot(sidecar(current, ".questions.json")) if current is not None else None
            if before is None and current is not None and not options.full:
                before = snapshot(EmbeddedStore(new))  # a store from kg build: read it from the copy
                gc.collect()
            summary.build = build(
                BuildOptions(
                    sources=questions,
                    registries=registries,
                    store=new,
                    out=options.out,
                    quarantine=store.with_name(store.name + ".quarantine.jsonl"),
                    validate=options.validate,
                    jobs=options.jobs,
                ),
                build_progress,
            )
            if summary.build.in_graph == 0 and summary.build.exit_code == ExitCode.BAD_INPUT:
                raise InputError("the archives gave no question", file=str(options.fetch.dest))
            built = EmbeddedStore(new)
            after = snapshot(built)
            del built
            gc.collect()
            save_snapshot(sidecar(new, ".questions.json"), *after)
            sidecar(new, ".inputs.json").write_bytes(orjson.dumps(digests, option=orjson.OPT_SORT_KEYS))
        except BaseException:
            generations.discard(new)
            raise
        summary.report = diff(before[0] if before else None, after[0], before[1] if before else {}, after[1])
        generations.swap(new)
        summary.generation = new
        summary.removed = generations.prune()
        summary.report_paths = report_paths(store)
        write_report(summary.report, *summary.report_paths)
        if client is not None:
            summary.load = load_store(
                EmbeddedStore(store, read_only=True), client, state=LoadStateFile(default_state_path(store))
            )
        return summary
