"""Input discovery: a file, a folder or a zip archive named on the command line, walked safely into the files it holds."""

from __future__ import annotations

import lzma
import os
import re
import stat
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import InputError

#: File suffixes read when walking a folder or an archive (lower case).
RECORD_SUFFIXES = (".json", ".xml")
#: Suffixes of the question pages of the Assemblée's website (their content is checked too).
PAGE_SUFFIXES = (".md", ".html", ".htm")
#: What ``kg build`` reads in folders and archives of question sources: records and pages.
QUESTION_SUFFIXES = RECORD_SUFFIXES + PAGE_SUFFIXES

#: The largest file or archive member read: a record file is read whole into memory (the largest official
#: dump, a whole legislature in one file, is well under this).
MAX_FILE_BYTES = 4 * 1024**3
#: An archive member that inflates more than this many times its compressed size is taken for a zip bomb
#: and not read (JSON and XML dumps deflate 5-30 times; DEFLATE cannot do better than ~1,030 times) …
MAX_COMPRESSION_RATIO = 200
#: … once it is larger than this (small files may have any ratio, they cost nothing).
RATIO_CHECK_MIN_BYTES = 1024 * 1024

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _input_file(
    name: str,
    path: str,
    member: str | None,
    error: str | None,
    size: int | None,
    crc: int | None,
    named: bool,
) -> InputFile:
    """An :class:`InputFile` unpickled."""
    return InputFile(name, Path(path), member, error, size, crc, named)


def printable(text: str) -> str:
    """``text`` with control characters and line separators written as escapes (``\\n``, ``\\x01``), so a
    file name, a uid or a key taken from the input always prints as one line and says what it holds."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to read: a plain file or an archive member, named relative to its input root."""

    name: str  # POSIX, relative to the input root; archive members as "archive.zip!/member"
    path: Path  # the file on disk (the archive, for a member)
    member: str | None = None  # the member inside the archive
    error: str | None = None  # why this input cannot be read (found while listing: see iter_input_files)
    size: int | None = None  # an archive member's uncompressed size; a file's in a folder, when listed
    crc: int | None = None  # an archive member's CRC-32 (from the archive's directory: no read needed)
    named: bool = False  # named on the command line itself (not found in a folder or archive)

    def __reduce__(self) -> tuple[Callable[..., InputFile], tuple[object, ...]]:
        """Pickled with its path as a string: a build sends every file to a worker process, and the
        default (a slotted dataclass's state, its path's parts) took 7 µs a file there and back, 5 now."""
        fields = (self.name, os.fspath(self.path), self.member, self.error, self.size, self.crc, self.named)
        return _input_file, fields

    def read_bytes(self) -> bytes:
        """The file's bytes. Raises :class:`InputError` naming the file when it cannot be read: not there,
        not a regular file (a named pipe would block), larger than :data:`MAX_FILE_BYTES`, permission
        denied, a corrupt, encrypted or unsupported archive member."""
        if self.error is not None:
            raise InputError(self.error, file=self.name)
        try:
            if self.member is None:
                return _read_regular_file(self.path)
            return _open_archive(self.path).read(self.member)
        except _READ_ERRORS as exc:
            raise InputError(f"cannot read ({_reason(exc)})", file=self.name) from None

    @property
    def suffix(self) -> str:
        return Path(self.member or self.path.name).suffix.lower()


#: Everything reading a file or an archive member may raise for a bad file (zlib, lzma and bz2 errors
#: included: a corrupt member fails inside the decompressor).
_READ_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # a compression method zipfile does not know
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


def _read_regular_file(path: Path) -> bytes:
    """Read a whole regular file; never blocks on a named pipe or a device, never reads without bound."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file (a named pipe, socket or device)")
        if info.st_size > MAX_FILE_BYTES:
            raise ValueError(f"{info.st_size} bytes, larger than the {_size(MAX_FILE_BYTES)} limit")
        # Plain reads, no buffered file object (most files are a few kB): the size announced, then on to
        # the end of the file (it may have grown since).
        chunks = []
        size = info.st_size + 1
        while chunk := os.read(fd, size):
            chunks.append(chunk)
            size = _READ_CHUNK
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_READ_CHUNK = 1 << 20


def _size(n: int) -> str:
    return f"{n / 1024**3:g} GiB" if n >= 1024**3 else f"{n / 1024**2:g} MiB"


def iter_input_files(root: Path, suffixes: tuple[str, ...] = RECORD_SUFFIXES) -> Iterator[InputFile]:
    """Yield the files under an input given on the command line, in a stable (sorted) order.

    A file is yielded as itself (named by its file name); a folder recursively (names relative to
    it); a ``.zip`` member by member without extracting anything to disk. Inside folders and
    archives only files with one of ``suffixes`` are yielded; a folder may itself contain zips.
    Raises :class:`InputError` when the input does not exist.

    Nothing is skipped in silence and nothing outside the input is let in: what cannot be read is
    yielded with an ``error`` (reported when read, so the walk goes on): a folder that cannot be listed,
    a named pipe, socket or device with a record suffix, a broken symbolic link, a symbolic link that
    leads outside the folder given, an archive member whose path escapes the archive (absolute or with
    ``..``), an encrypted member, a member that would inflate to more than :data:`MAX_FILE_BYTES` or
    more than :data:`MAX_COMPRESSION_RATIO` times its size. Symbolic links that stay inside the folder
    are followed for files; linked folders are not walked (their files are read where they are).
    """
    if not root.exists():
        if root.is_symlink():
            raise InputError("a broken symbolic link", file=printable(str(root)))
        raise InputError("no such file or folder", file=printable(str(root)))
    if root.is_dir():
        yield from _walk(root, root.resolve(), "", suffixes)
        return
    if root.suffix.lower() == ".zip":
        yield from _iter_zip(root, printable(root.name), suffixes)
        return
    yield InputFile(printable(root.name), root, named=True)


def _walk(folder: Path, real_root: Path, prefix: str, suffixes: tuple[str, ...]) -> Iterator[InputFile]:
    """A folder's files, depth first, entries sorted by name (the order of sorted relative paths)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        name = printable(prefix.rstrip("/") or folder.name)
        yield InputFile(
            name, folder, error=f"cannot list the folder ({_reason(exc)}); its files are not read"
        )
        return
    for entry in entries:  # string functions where they do: this runs once per input file (100k and more)
        rel = prefix + entry.name
        path = Path(entry.path)
        suffix = os.path.splitext(entry.name)[1].lower()  # noqa: PTH122 - Path.suffix's answer, cheaper
        wanted = suffix in suffixes or suffix == ".zip"
        try:
            if entry.is_symlink():
                yield from _follow(path, rel, real_root, suffixes, wanted)
            elif entry.is_dir(follow_symlinks=False):
                yield from _walk(path, real_root, rel + "/", suffixes)
            elif not wanted:
                continue
            elif not entry.is_file(follow_symlinks=False):
                yield InputFile(
                    printable(rel),
                    path,
                    error="not a regular file (a named pipe, socket or device); not read",
                )
            elif suffix == ".zip":
                yield from _iter_zip(path, printable(rel), suffixes)
            else:  # its size when listed: the build decides from it whether to share out its records
                yield InputFile(printable(rel), path, size=entry.stat(follow_symlinks=False).st_size)
        except OSError as exc:
            yield InputFile(printable(rel), path, error=f"cannot read ({_reason(exc)})")


def _follow(
    link: Path, rel: str, real_root: Path, suffixes: tuple[str, ...], wanted: bool
) -> Iterator[InputFile]:
    """A symbolic link met while walking: followed only to a file inside the input folder."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop
        if wanted:
            yield InputFile(
                printable(rel), link, error="a broken symbolic link (or a loop of links); not read"
            )
        return
    inside = target == real_root or target.is_relative_to(real_root)
    if target.is_dir():
        if not inside:
            yield InputFile(
                printable(rel),
                link,
                error=f"a symbolic link to a folder outside the input ({printable(str(target))}); not followed",
            )
        return  # a folder inside the input is walked where it is
    if not wanted:
        return
    if not inside:
        yield InputFile(
            printable(rel),
            link,
            error=f"a symbolic link to a file outside the input ({printable(str(target))}); not followed",
        )
    elif not target.is_file():
        yield InputFile(
            printable(rel), link, error="not a regular file (a named pipe, socket or device); not read"
        )
    elif target.suffix.lower() == ".zip" or link.suffix.lower() == ".zip":
        yield from _iter_zip(target, printable(rel), suffixes)
    else:
        yield InputFile(printable(rel), link)


def _open_archive(path: Path) -> zipfile.ZipFile:
    """Archives stay open while their members are read (re-opening one per member is slow on big dumps),
    as long as the file is the same: one replaced or rewritten at the same path (a new dump downloaded
    between two builds of one process) is opened again, never read through a stale directory."""
    status = path.stat()
    return _open_archive_as(path, status.st_ino, status.st_size, status.st_mtime_ns)


@lru_cache(maxsize=4)
def _open_archive_as(path: Path, inode: int, size: int, mtime_ns: int) -> zipfile.ZipFile:
    return zipfile.ZipFile(path)


_DRIVE = re.compile(r"^[A-Za-z]:")


def member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why an archive member must not be read (``None``: it may). Nothing is ever extracted to disk, but a
    member whose path escapes the archive is the mark of a hostile archive (and would name the record
    after a path outside it), and a member that inflates without bound would exhaust memory."""
    name = info.filename
    parts = re.split(r"[\\/]", name)
    if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts or _CONTROL.search(name):
        return (
            "the member's path escapes the archive (absolute, '..' or control characters): rejected, not read"
        )
    if info.flag_bits & 0x1:
        return "the member is encrypted; not read"
    if info.file_size > MAX_FILE_BYTES:
        return f"the member inflates to {info.file_size} bytes, more than the {_size(MAX_FILE_BYTES)} limit; not read"
    if info.file_size >= RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
        info.compress_size, 1
    ):
        ratio = info.file_size // max(info.compress_size, 1)
        return (
            f"the member inflates {ratio} times ({info.compress_size} bytes to {info.file_size}): "
            f"a zip bomb? (limit {MAX_COMPRESSION_RATIO} times); not read"
        )
    return None


def _iter_zip(path: Path, name: str, suffixes: tuple[str, ...]) -> Iterator[InputFile]:
    """An archive's members; an unreadable archive is yielded as one input that fails when read, so a
    folder walk goes on and the failure is reported with the file's name. Members that must not be read
    (:func:`member_problem`) are yielded with their error, whatever their suffix."""
    try:
        infos = sorted(
            (i for i in _open_archive(path).infolist() if not i.is_dir()), key=lambda i: i.filename
        )
    except _READ_ERRORS as exc:
        yield InputFile(name, path, error=f"not a readable zip archive ({_reason(exc)})")
        return
    counts = Counter(info.filename for info in infos)
    reported: set[str] = set()
    for info in infos:
        label = f"{name}!/{printable(info.filename)}"
        problem = member_problem(info)
        if problem is None and counts[info.filename] > 1:
            if info.filename in reported:
                continue  # one input, one error, whatever the number of copies
            reported.add(info.filename)
            problem = f"the archive holds {counts[info.filename]} members of this name: none is read (which is meant?)"
        if problem is not None:
            yield InputFile(label, path, info.filename, error=problem, size=info.file_size, crc=info.CRC)
        elif Path(info.filename).suffix.lower() in suffixes:
            yield InputFile(label, path, info.filename, size=info.file_size, crc=info.CRC)
