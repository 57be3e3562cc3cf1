"""The served store's swap: a new generation of the store is served without dropping a request.

``kg serve`` notes where it serves (``<store>.serving``), follows the store's real path (a link that
``kg update`` points at a new generation), and moves to it once its server answers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread

from kg.errors import KgError
from kg.serve.backend import Backend, Settings, open_backend

if TYPE_CHECKING:
    from kg.serve.app import Served

SERVING_SUFFIX = ".serving"
#: how long a retired generation may take to finish its requests before it is stopped anyway
DRAIN_S = 120.0


def serving_path(store: Path) -> Path:
    """``<store>.serving`` beside the store (beside the link, when the store is one)."""
    return store.with_name(store.name + SERVING_SUFFIX)


def write_serving(store: Path, *, port: int, host: str, location: Path) -> Path:
    """Note that this process serves ``store`` (JSON: ``pid``, ``port``, ``host``, and ``path``, the real
    folder served: ``kg update`` keeps that generation while the note names it), atomically."""
    path = serving_path(store)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    note = {"pid": os.getpid(), "port": port, "host": host, "path": str(location)}
    temporary.write_text(json.dumps(note) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def remove_serving(store: Path, *, port: int) -> None:
    """Remove the note, if it is still this server's (this process, this port)."""
    path = serving_path(store)
    try:
        note = json.loads(path.read_text(encoding="utf-8"))
        if note.get("pid") == os.getpid() and note.get("port") == port:
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def watches(settings: Settings) -> bool:
    """A read-only server follows its store's real path; a read-write one keeps the store it writes."""
    return settings.read_only and settings.poll_s > 0


def real_location(store: Path) -> Path:
    return Path(os.path.realpath(store))


async def watch(served: Served) -> None:
    """Poll the store's real path; when it changes, :func:`switch` to it. A location that cannot be served
    is reported once and tried again only when the path changes again."""
    settings = served.settings
    failed: Path | None = None
    while True:
        await asyncio.sleep(settings.poll_s)
        location = real_location(settings.store)
        if location in (served.backend.location, failed) or not location.is_dir():
            continue
        try:
            await switch(served, location)
            failed = None
        except KgError as exc:
            failed = location
            if served.log is not None:
                served.log(f"cannot serve {location}: {exc} (still serving {served.backend.location})")


async def switch(served: Served, location: Path) -> Backend:
    """Start serving ``location``: a new Oxigraph server, ready before it takes any request; then the old
    one is stopped once the requests it had taken are answered."""
    new = await anyio.to_thread.run_sync(lambda: open_backend(location, served.settings, say=served.log))
    old, served.backend = served.backend, new
    served.retiring.append(old)
    if served.log is not None:
        served.log(f"serving {location} (store {new.fingerprint}); the previous store stops when idle")
    try:
        waited = 0.0
        while old.inflight > 0 and waited < DRAIN_S:
            await asyncio.sleep(0.05)
            waited += 0.05
    finally:
        await anyio.to_thread.run_sync(old.stop)
        with contextlib.suppress(ValueError):
            served.retiring.remove(old)
    if served.note is not None:  # only now: while the old generation answered, the note kept naming it
        served.note(location)
    return new
