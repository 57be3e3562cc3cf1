"""What a store was built from, so that a rebuild reads and maps only the input files that changed.

The manifest sits beside the store (``hemicycle.oxigraph.manifest.json``) and records, for each input file
whose records all landed, a stamp (size + modification time, or an archive member's size + CRC) and the
uids it gave. It also records a fingerprint of everything else the graph of a question depends on (tool
version, base IRI, registry content): when that changes, every file is read again. The manifest is written
after the store is flushed, so a crash in between only makes the next build do more work, never less.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from kg import __version__
from kg.export import atomic_writer
from kg.registry import Registry
from kg.sources.files import InputFile

FORMAT = 1


def manifest_path(store: Path) -> Path:
    return store.with_name(store.name + ".manifest.json")


class _Keys:
    """Each input file's key — its absolute path (and archive member): the same file given through another
    root is the same file — and its stamp, which changes whenever its content may have changed (``None``
    when that cannot be told). One system call a file: a folder's real path is resolved once, and a file
    that is not a symbolic link is its own target (``lstat`` is then ``stat``)."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def key_and_stamp(self, file: InputFile) -> tuple[str, str | None]:
        path = file.path
        try:
            status: os.stat_result | None = path.lstat()
        except OSError:
            status = None
        if status is not None and stat.S_ISLNK(status.st_mode):
            try:
                key, status = str(path.resolve()), path.stat()
            except (OSError, RuntimeError):  # broken, or a loop: the input reader reports it
                key, status = str(path.absolute()), None
        else:
            # string functions, not Path objects: this runs once per input file (100k and more)
            folder = os.path.dirname(os.path.abspath(path))  # noqa: PTH100, PTH120
            real = self._folders.get(folder)
            if real is None:
                real = self._folders[folder] = os.path.realpath(folder)
            key = os.path.join(real, path.name)  # noqa: PTH118
        if file.member is not None:
            return f"{key}!/{file.member}", (f"{file.size}:{file.crc}" if file.crc is not None else None)
        return key, (f"{status.st_size}:{status.st_mtime_ns}" if status is not None else None)


def fingerprint(registry: Registry, base: str) -> str:
    """Everything besides a question's own record that its graph depends on."""
    digest = hashlib.sha256(f"{FORMAT}|{__version__}|{base}".encode())
    for records in (registry.persons, registry.organes):
        for uid in sorted(records):
            digest.update(uid.encode())
            for source in records[uid].sources:
                digest.update(source.sha256.encode())
    return digest.hexdigest()


@dataclass
class Manifest:
    fingerprint: str = ""
    #: key → {"stamp": str, "uids": [str, …]}, as read from the file: an entry is checked when it is used
    #: (converting 100k entries up front costs more than the rest of a 1% rebuild's bookkeeping)
    files: dict[str, Any] = field(default_factory=dict)
    _keys: _Keys = field(default_factory=lambda: _Keys(), repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """An empty manifest when there is none or it cannot be read (then everything is rebuilt)."""
        try:
            data = orjson.loads(path.read_bytes())
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                return cls()
            files, fingerprint = data["files"], data["fingerprint"]
            if not isinstance(files, dict) or not isinstance(fingerprint, str):
                return cls()
            return cls(fingerprint, files)
        except (OSError, ValueError, KeyError):
            return cls()

    def unchanged_uids(self, file: InputFile, current_fingerprint: str) -> list[str] | None:
        """The uids the file gave when it is unchanged since the manifest was written; else ``None`` (also
        when its entry is not what this version writes: the file is then read again)."""
        if current_fingerprint != self.fingerprint:
            return None
        key, stamp = self._keys.key_and_stamp(file)
        entry = self.files.get(key)
        if stamp is None or not isinstance(entry, dict) or entry.get("stamp") != stamp:
            return None
        uids = entry.get("uids")
        if not isinstance(uids, list) or not all(isinstance(uid, str) for uid in uids):
            return None
        return uids

    def save(
        self, path: Path, current_fingerprint: str, read: Iterable[tuple[InputFile, list[str], bool]]
    ) -> None:
        """Record the files read whose records all landed; the others are read again next time."""
        files = dict(self.files) if current_fingerprint == self.fingerprint else {}
        for file, uids, all_landed in read:
            key, stamp = self._keys.key_and_stamp(file)
            if all_landed and stamp is not None:
                files[key] = {"stamp": stamp, "uids": uids}
            else:
                files.pop(key, None)
        payload = {"format": FORMAT, "fingerprint": current_fingerprint, "files": files}
        with atomic_writer(path) as handle:
            handle.write(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS))
