"""What every Assemblée source shares: input discovery (file, folder, zip), scalar normalisation
(strings everywhere, nil objects, one-or-many), dates in both formats, and record hashing.

Raw values exist only inside ``kg.sources``; these helpers turn them into Python values or raise
:class:`kg.errors.RecordError` naming the field.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from kg.errors import InputError

# ------------------------------------------------------------------ input discovery

#: File suffixes read when walking a folder or an archive (lower case).
RECORD_SUFFIXES = (".json", ".xml")


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to read: a plain file or an archive member, named relative to its input root."""

    name: str  # POSIX, relative to the input root; archive members as "archive.zip!/member"
    path: Path  # the file on disk (the archive, for a member)
    member: str | None = None  # the member inside the archive
    error: str | None = None  # why this input cannot be read (an archive found unreadable while listing)
    size: int | None = None  # an archive member's uncompressed size
    crc: int | None = None  # an archive member's CRC-32 (from the archive's directory: no read needed)

    def read_bytes(self) -> bytes:
        """The file's bytes. Raises :class:`InputError` naming the file when it cannot be read."""
        if self.error is not None:
            raise InputError(self.error, file=self.name)
        try:
            if self.member is None:
                return self.path.read_bytes()
            return _open_archive(self.path).read(self.member)
        except (OSError, zipfile.BadZipFile, KeyError, RuntimeError) as exc:
            raise InputError(f"cannot read ({exc})", file=self.name) from exc

    @property
    def suffix(self) -> str:
        return Path(self.member or self.path.name).suffix.lower()


def iter_input_files(root: Path, suffixes: tuple[str, ...] = RECORD_SUFFIXES) -> Iterator[InputFile]:
    """Yield the files under an input given on the command line, in a stable (sorted) order.

    A file is yielded as itself (named by its file name); a folder recursively (names relative to
    it); a ``.zip`` member by member without extracting anything to disk. Inside folders and
    archives only files with one of ``suffixes`` are yielded; a folder may itself contain zips.
    Raises :class:`InputError` when the input does not exist or cannot be read.
    """
    if not root.exists():
        raise InputError("no such file or folder", file=str(root))
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root).as_posix()
            if path.suffix.lower() == ".zip":
                yield from _iter_zip(path, rel, suffixes)
            elif path.suffix.lower() in suffixes:
                yield InputFile(rel, path)
        return
    if root.suffix.lower() == ".zip":
        yield from _iter_zip(root, root.name, suffixes)
        return
    yield InputFile(root.name, root)


@lru_cache(maxsize=4)
def _open_archive(path: Path) -> zipfile.ZipFile:
    """Archives stay open while their members are read (re-opening one per member is slow on big dumps)."""
    return zipfile.ZipFile(path)


def _iter_zip(path: Path, name: str, suffixes: tuple[str, ...]) -> Iterator[InputFile]:
    """An archive's members; an unreadable archive is yielded as one input that fails when read, so a
    folder walk goes on and the failure is reported with the file's name."""
    try:
        infos = sorted(
            (i for i in _open_archive(path).infolist() if not i.is_dir()), key=lambda i: i.filename
        )
    except (zipfile.BadZipFile, OSError) as exc:
        yield InputFile(name, path, error=f"not a readable zip archive ({exc})")
        return
    for info in infos:
        if Path(info.filename).suffix.lower() in suffixes:
            yield InputFile(
                f"{name}!/{info.filename}", path, info.filename, size=info.file_size, crc=info.CRC
            )


# ------------------------------------------------------------------ scalars

_NIL_KEYS = frozenset({"@xsi:nil", "@xmlns:xsi", "@xmlns", "@xsi:type"})


def is_nil(value: Any) -> bool:
    """True for JSON null, empty strings and ``{"@xsi:nil": "true"}`` objects (with or without xmlns)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, dict):
        return value.get("@xsi:nil") in ("true", True) and set(value) <= _NIL_KEYS
    return False


def one_or_many(value: Any) -> list[Any]:
    """A one-element list arrives as a bare object: always give a list (empty for nil)."""
    if is_nil(value):
        return []
    if isinstance(value, list):
        return [v for v in value if not is_nil(v)]
    return [value]


def text_of(value: Any) -> str | None:
    """The string of a scalar that may be a bare string, nil, or an XML-ish ``{"#text": …}`` object."""
    if is_nil(value):
        return None
    if isinstance(value, dict):
        if "#text" in value:
            return text_of(value["#text"])
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value
    return None


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+)?(?:Z|[+-]\d{2}:\d{2})?$")
_FR = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def parse_date(value: str, *, field: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` (optionally followed by a time/offset) or ``DD/MM/YYYY``.

    Anything else, or an impossible day (31/02/2021, 2021-13-01), raises ``ValueError`` with a
    message that names the value; callers wrap it with the file and record.
    """
    text = value.strip()
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _FR.match(text)
        if not match:
            raise ValueError(f"{field}: unknown date format {value!r} (expected YYYY-MM-DD or DD/MM/YYYY)")
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{field}: impossible date {value!r} ({exc})") from None


def parse_int(value: str, *, field: str = "number") -> int:
    text = value.strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"{field}: not a whole number: {value!r}")
    return int(text)


def parse_bool(value: str, *, field: str = "flag") -> bool:
    text = value.strip().lower()
    if text in ("1", "true", "oui"):
        return True
    if text in ("0", "false", "non"):
        return False
    raise ValueError(f"{field}: not a boolean: {value!r}")


# ------------------------------------------------------------------ hashing


def record_hash(record: Any) -> str:
    """SHA-256 of a record's canonical JSON (sorted keys): independent of whitespace and key order."""
    return hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()


# ------------------------------------------------------------------ mojibake

_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf]|â€")


def looks_like_mojibake(text: str) -> bool:
    """UTF-8 read as Latin-1/CP1252 (``Ã©`` for ``é``, ``â€™`` for ``’``)."""
    return bool(_MOJIBAKE.search(text))
