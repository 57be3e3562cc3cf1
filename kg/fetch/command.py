"""``kg fetch``: resolve the selection against the portal, then bring each archive up to date (or say why)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kg.errors import ExitCode, InputError
from kg.fetch import DEFAULT_DEST
from kg.fetch.download import (
    FetchError,
    Progress,
    Result,
    fetch_archive,
    is_published,
    no_progress,
    partial_offset,
)
from kg.fetch.http import RetryPolicy, make_client
from kg.fetch.manifest import LOCK_NAME, FetchManifest, held
from kg.fetch.portal import Archive, Portal, parse_legislature, select


@dataclass(frozen=True, slots=True)
class FetchOptions:
    legislature: str = "current"  # a number, current or all
    what: str = "all"
    format: str = "json"
    dest: Path = DEFAULT_DEST
    portal: str | None = None  # None: the address in kg/data/portal.toml
    dry_run: bool = False
    policy: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(slots=True)
class Plan:
    archive: Archive
    action: str  # download, resume, ask, skip
    reason: str


@dataclass(slots=True)
class FetchSummary:
    current: int = 0
    legislatures: list[int] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)  # --dry-run
    seconds: float = 0.0

    @property
    def changed(self) -> list[Result]:
        return [r for r in self.results if r.changed]

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if r.error is not None]

    @property
    def exit_code(self) -> ExitCode:
        codes = [r.error.exit_code for r in self.failed if r.error is not None]
        return max(codes, default=ExitCode.OK)

    def one_line(self) -> str:
        if self.plans:
            counts: dict[str, int] = {}
            for plan in self.plans:
                counts[plan.action] = counts.get(plan.action, 0) + 1
            actions = ", ".join(f"{action} {n}" for action, n in sorted(counts.items()))
            return f"dry run, legislatures {_legs(self.legislatures)} (current {self.current}): {actions}"
        counts = {}
        for result in self.results:
            counts[result.status] = counts.get(result.status, 0) + 1
        statuses = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
        received = sum(r.received for r in self.results)
        return (
            f"legislatures {_legs(self.legislatures)} (current {self.current}): {statuses}; "
            f"received {received / 1e6:.1f} MB in {self.seconds:.1f} s"
        )


def _legs(legislatures: list[int]) -> str:
    return ", ".join(str(leg) for leg in legislatures) or "none"


def discover_current(
    client: httpx.Client, portal: Portal, policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep
) -> int:
    """The highest legislature the portal publishes: from the known current one, ask for the next until
    one is missing. The known one must be there (else the portal address is wrong)."""
    leg = portal.known_current
    if not is_published(client, portal.probe_archive(leg), policy, sleep):
        raise FetchError(
            f"{portal.probe_archive(leg).url}: not a zip archive (is {portal.base} the open-data portal?)"
        )
    while is_published(client, portal.probe_archive(leg + 1), policy, sleep):
        leg += 1
    return leg


def resolve(
    client: httpx.Client,
    portal: Portal,
    legislature: str,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, list[int]]:
    """(current legislature, the legislatures selected); :class:`InputError` for one the portal lacks."""
    wanted = parse_legislature(legislature)
    current = discover_current(client, portal, policy, sleep)
    if wanted == "current":
        return current, [current]
    if wanted == "all":
        return current, list(range(portal.first_legislature, current + 1))
    assert isinstance(wanted, int)
    if wanted < portal.first_legislature or wanted > current:
        raise InputError(
            f"legislature {wanted} has no question archives on {portal.base} "
            f"(published: {portal.first_legislature} to {current})",
            field="--legislature",
        )
    return current, [wanted]


def plan(archive: Archive, dest: Path, manifest: FetchManifest) -> Plan:
    """What fetching ``archive`` would do and why, from what is on disk (no request)."""
    target = archive.local(dest)
    offset, _ = partial_offset(target, archive.url)
    entry = manifest.get(archive.key)
    if offset:
        return Plan(archive, "resume", f"a partial download of {offset} bytes is there: ask for the rest")
    if not target.is_file():
        return Plan(archive, "download", "not downloaded yet")
    if entry is None:
        return Plan(archive, "download", "a copy is there but not in fetch.json: download and compare hashes")
    if entry.etag or entry.last_modified:
        validators = " and ".join(
            name for name, value in (("ETag", entry.etag), ("Last-Modified", entry.last_modified)) if value
        )
        return Plan(archive, "ask", f"have it: ask the portal if it changed ({validators}; 304 = nothing)")
    return Plan(
        archive, "download", "have it, but the portal gave no ETag/Last-Modified: download, compare hashes"
    )


def run_fetch(
    options: FetchOptions,
    progress: Progress = no_progress,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchSummary:
    """Fetch (or, with ``dry_run``, plan) the selected archives. Failures of single archives are in the
    summary's results (the others go on); selection errors and a held lock raise."""
    started = time.perf_counter()
    portal = Portal.load(base=options.portal)
    summary = FetchSummary()
    with make_client(timeout=options.policy.timeout()) as client:
        summary.current, summary.legislatures = resolve(
            client, portal, options.legislature, options.policy, sleep
        )
        archives = select(portal, summary.legislatures, summary.current, options.what, options.format)
        if options.dry_run:
            manifest = FetchManifest(options.dest)
            summary.plans = [plan(archive, options.dest, manifest) for archive in archives]
        else:
            try:
                options.dest.mkdir(parents=True, exist_ok=True)
                with held(options.dest / LOCK_NAME, f"the data folder {options.dest}"):
                    manifest = FetchManifest(options.dest)
                    for archive in archives:
                        summary.results.append(
                            fetch_archive(
                                client, archive, options.dest, manifest, options.policy, progress, sleep
                            )
                        )
            except OSError as exc:  # the data folder: not writable, full…
                where = exc.filename or options.dest
                raise InputError(
                    f"cannot write the archives: {exc.strerror or exc}", file=str(where)
                ) from None
    summary.seconds = time.perf_counter() - started
    return summary
