"""What a store was built from, so that a rebuild reads and maps only the input files that changed.

The manifest sits beside the store (``hemicycle.oxigraph.manifest.json``) and records, for each input file
whose records all landed, a stamp (size + modification time, or an archive member's size + CRC) and the
uids it gave. It also records a fingerprint of everything else the graph of a question depends on (tool
version, base IRI, registry content): when that changes, every file is read again. The manifest is written
after the store is flushed, so a crash in between only makes the next build do more work, never less.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from kg import __version__
from kg.export import atomic_writer
from kg.registry import Registry
from kg.sources.common import InputFile

FORMAT = 1


def manifest_path(store: Path) -> Path:
    return store.with_name(store.name + ".manifest.json")


def file_key(file: InputFile) -> str:
    """Absolute path (and archive member): the same file given through another root is the same file."""
    try:
        key = str(file.path.resolve())
    except (OSError, RuntimeError):  # a symbolic-link loop: the input reader reports it
        key = str(file.path.absolute())
    return f"{key}!/{file.member}" if file.member else key


def file_stamp(file: InputFile) -> str | None:
    """Changes whenever the file's content may have changed; ``None`` when it cannot be told."""
    if file.member is not None:
        return f"{file.size}:{file.crc}" if file.crc is not None else None
    try:
        stat = file.path.stat()
    except OSError:
        return None
    return f"{stat.st_size}:{stat.st_mtime_ns}"


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
    files: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # key → (stamp, uids)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """An empty manifest when there is none or it cannot be read (then everything is rebuilt)."""
        try:
            data = orjson.loads(path.read_bytes())
            if data.get("format") != FORMAT:
                return cls()
            files = {k: (str(v["stamp"]), [str(u) for u in v["uids"]]) for k, v in data["files"].items()}
            return cls(str(data["fingerprint"]), files)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()

    def unchanged(self, file: InputFile, current_fingerprint: str) -> bool:
        if current_fingerprint != self.fingerprint:
            return False
        entry = self.files.get(file_key(file))
        stamp = file_stamp(file)
        return entry is not None and stamp is not None and entry[0] == stamp

    def uids_of(self, file: InputFile) -> list[str]:
        entry = self.files.get(file_key(file))
        return entry[1] if entry else []

    def save(
        self, path: Path, current_fingerprint: str, read: Iterable[tuple[InputFile, list[str], bool]]
    ) -> None:
        """Record the files read whose records all landed; the others are read again next time."""
        files = dict(self.files) if current_fingerprint == self.fingerprint else {}
        for file, uids, all_landed in read:
            stamp = file_stamp(file)
            if all_landed and stamp is not None:
                files[file_key(file)] = (stamp, uids)
            else:
                files.pop(file_key(file), None)
        payload = {
            "format": FORMAT,
            "fingerprint": current_fingerprint,
            "files": {k: {"stamp": s, "uids": u} for k, (s, u) in sorted(files.items())},
        }
        with atomic_writer(path) as handle:
            handle.write(orjson.dumps(payload))
