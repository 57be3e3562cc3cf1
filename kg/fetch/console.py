"""How ``kg fetch`` and ``kg update`` show themselves on stderr: a byte progress bar and one line per archive."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from kg.fetch.command import FetchSummary
from kg.fetch.download import Progress as FetchProgress
from kg.fetch.portal import Archive
from kg.fetch.update import UpdateSummary

STATUS_WORDS = {
    "new": "[green]new[/green]",
    "updated": "[green]updated[/green]",
    "not-modified": "unchanged (304)",
    "same-content": "unchanged (same SHA-256)",
    "failed": "[red]failed[/red]",
}


@contextmanager
def download_bar(console: Console, *, quiet: bool) -> Iterator[FetchProgress]:
    """A progress callback drawing one bar per archive (bytes, speed, time left)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=quiet,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(archive: Archive, done: int, total: int | None) -> None:
            task = tasks.get(archive.key)
            if task is None:
                task = tasks[archive.key] = bar.add_task(escape(archive.name), total=total)
            bar.update(task, completed=done, total=total)

        yield progress


def print_fetch(console: Console, summary: FetchSummary) -> None:
    for plan in summary.plans:
        console.print(
            f"{plan.action:8} {escape(plan.archive.key)}: {escape(plan.reason)}",
            highlight=False,
            soft_wrap=True,
        )
    for result in summary.results:
        words = STATUS_WORDS.get(result.status, result.status)
        extra = ""
        if result.changed:
            extra = f", {result.size / 1e6:.1f} MB"
            if result.resumed_from:
                extra += f", resumed at {result.resumed_from / 1e6:.1f} MB"
        if result.attempts > 1:
            extra += f", {result.attempts} attempts"
        line = f"{escape(result.archive.key)}: {words}{extra}"
        if result.error is not None:
            line += f": {escape(str(result.error))}"
        console.print(line, highlight=False, soft_wrap=True)
    console.print(escape(summary.one_line()), highlight=False, soft_wrap=True)


def print_update(console: Console, summary: UpdateSummary) -> None:
    """The run on ``console`` (stderr); the change report, as Markdown, on standard output (it is data)."""
    print_fetch(console, summary.fetch)
    if summary.build is not None:
        console.print(f"build: {escape(summary.build.one_line())}", highlight=False, soft_wrap=True)
    elif summary.fetch.exit_code == 0:
        console.print("the store already holds these archives: nothing to build", highlight=False)
    if summary.generation is not None:
        removed = f" (removed {', '.join(p.name for p in summary.removed)})" if summary.removed else ""
        console.print(f"store: now {escape(summary.generation.name)}{escape(removed)}", highlight=False)
    if summary.report is not None and summary.report_paths is not None:
        json_path, md_path = summary.report_paths
        console.print(
            f"changes: {escape(summary.report.one_line())} ({escape(str(md_path))}, {escape(json_path.name)})",
            highlight=False,
            soft_wrap=True,
        )
    if summary.load is not None:
        console.print(f"load: {escape(summary.load.one_line())}", highlight=False, soft_wrap=True)
    if summary.report is not None:
        sys.stdout.write(summary.report.markdown())
        sys.stdout.flush()
