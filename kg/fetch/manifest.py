"""fetch.json beside the data: for each archive kept, its URL, validators, size and SHA-256; and the data lock."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

import orjson

from kg.errors import ExitCode, InputError, KgError
from kg.export import atomic_writer

MANIFEST_NAME = "fetch.json"
LOCK_NAME = ".fetch.lock"
FORMAT = 1


class BusyError(KgError):
    """Another process holds the lock of the data folder or the store."""

    exit_code = ExitCode.BUSY


@dataclass(frozen=True, slots=True)
class Entry:
    url: str
    size: int
    sha256: str
    etag: str | None = None
    last_modified: str | None = None


class FetchManifest:
    """What the data folder holds, as fetched; written atomically after each archive lands."""

    def __init__(self, dest: Path) -> None:
        self.path = dest / MANIFEST_NAME
        self.entries: dict[str, Entry] = {}
        if self.path.is_file():
            try:
                data = orjson.loads(self.path.read_bytes())
                for key, value in data.get("archives", {}).items():
                    self.entries[str(key)] = Entry(
                        url=str(value["url"]),
                        size=int(value["size"]),
                        sha256=str(value["sha256"]),
                        etag=value.get("etag"),
                        last_modified=value.get("last_modified"),
                    )
            except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as exc:
                raise InputError(f"not a fetch manifest ({exc})", file=str(self.path)) from None

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def put(self, key: str, entry: Entry) -> None:
        self.entries[key] = entry
        self.save()

    def save(self) -> None:
        body = {
            "format": FORMAT,
            "archives": {key: asdict(entry) for key, entry in sorted(self.entries.items())},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_writer(self.path) as handle:
            handle.write(orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def held(lock_path: Path, what: str) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created, holding our pid) for the block; :class:`BusyError`,
    naming the lock and its holder, when another process holds it. The lock dies with its process."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = lock_path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BusyError(f"{what} is busy: {lock_path} is held by {holder}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()
