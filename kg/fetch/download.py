"""Download one archive safely: conditional, resumable, retried, checked as a zip before it replaces a good copy.

A download streams into ``NAME.part`` beside the target (with ``NAME.part.json``: the URL and validators the
partial bytes belong to, so a resume asks for the rest of the same version with ``If-Range``). The part
replaces the target (``os.replace``) only once it is complete and opens as a zip whose members all check;
anything else (an HTML page served with 200, a truncated or corrupt archive) is deleted and the good copy stays.
"""

from __future__ import annotations

import contextlib
import os
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

from kg.errors import ExitCode, KgError
from kg.fetch.http import RETRY_STATUSES, RetryPolicy, describe
from kg.fetch.manifest import Entry, FetchManifest, sha256_of
from kg.fetch.portal import Archive

CHUNK = 1 << 16

#: progress(archive, bytes so far, total bytes or None)
Progress = Callable[[Archive, int, int | None], None]


def no_progress(archive: Archive, done: int, total: int | None) -> None:
    return None


class FetchError(KgError):
    """The portal (or the network) did not give a usable archive."""

    exit_code = ExitCode.ENDPOINT


class NotPublished(FetchError):
    """The portal has no such archive: HTTP 404/410, or an HTML page where a zip was expected."""


@dataclass(slots=True)
class Result:
    archive: Archive
    status: str  # new, updated, not-modified, same-content, failed
    size: int = 0  # of the archive kept
    received: int = 0  # bytes received in this run
    resumed_from: int = 0  # bytes already there when a resume succeeded
    attempts: int = 0
    error: KgError | None = None

    @property
    def changed(self) -> bool:
        return self.status in ("new", "updated")


class _Retry(Exception):
    def __init__(self, reason: str, retry_after: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def part_paths(target: Path) -> tuple[Path, Path]:
    part = target.with_name(target.name + ".part")
    return part, part.with_name(part.name + ".json")


def partial_offset(target: Path, url: str) -> tuple[int, str | None]:
    """Bytes of a resumable partial download of ``url`` and the validator it was made with (0 when none)."""
    part, meta_path = part_paths(target)
    try:
        meta = orjson.loads(meta_path.read_bytes())
        size = part.stat().st_size
    except (OSError, orjson.JSONDecodeError):
        return 0, None
    validator = meta.get("etag") or meta.get("last_modified")
    if meta.get("url") != url or not validator or not isinstance(validator, str):
        return 0, None
    return size, validator


def check_zip(path: Path) -> str | None:
    """Why ``path`` is not a usable zip archive, or ``None`` when every member reads back with its CRC."""
    try:
        with zipfile.ZipFile(path) as archive:
            if not archive.infolist():
                return "an empty zip archive"
            bad = archive.testzip()
            if bad is not None:
                return f"member {bad} is corrupt"
    except zipfile.BadZipFile as exc:
        with contextlib.suppress(OSError), path.open("rb") as handle:
            head = handle.read(512).lstrip().lower()
            if head.startswith((b"<!doctype html", b"<html")):
                return "an HTML page, not a zip archive"
        return f"not a valid zip archive ({exc})"
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        return f"not a readable zip archive ({' '.join(str(exc).split())})"
    return None


def fetch_archive(
    client: httpx.Client,
    archive: Archive,
    dest: Path,
    manifest: FetchManifest,
    policy: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen
    progress: Progress = no_progress,
    sleep: Callable[[float], None] = time.sleep,
) -> Result:
    """Bring ``archive`` up to date under ``dest`` and record it in ``manifest``; never raises for the
    portal's or the network's failures (they are in the result), only for local I/O errors."""
    target = archive.local(dest)
    target.parent.mkdir(parents=True, exist_ok=True)
    result = Result(archive, "failed")
    entry = manifest.get(archive.key) if target.is_file() else None
    while result.attempts < policy.attempts:
        result.attempts += 1
        try:
            return _attempt(client, archive, target, manifest, entry, result, progress)
        except _Retry as retry:
            reason, retry_after = retry.reason, retry.retry_after
        except httpx.TransportError as exc:  # refused, reset, cut mid-body, timed out
            reason, retry_after = describe(exc), None
        except KgError as exc:
            result.error = exc
            return result
        if result.attempts < policy.attempts:
            sleep(policy.delay(result.attempts, retry_after))
    result.error = FetchError(f"{archive.url}: gave up after {result.attempts} attempts ({reason})")
    return result


def _attempt(
    client: httpx.Client,
    archive: Archive,
    target: Path,
    manifest: FetchManifest,
    entry: Entry | None,
    result: Result,
    progress: Progress,
) -> Result:
    part, meta_path = part_paths(target)
    headers: dict[str, str] = {}
    if entry is not None and entry.etag:
        headers["If-None-Match"] = entry.etag
    if entry is not None and entry.last_modified:
        headers["If-Modified-Since"] = entry.last_modified
    offset, validator = partial_offset(target, archive.url)
    if offset:
        headers["Range"] = f"bytes={offset}-"
        headers["If-Range"] = validator or ""
    with client.stream("GET", archive.url, headers=headers) as response:
        status = response.status_code
        if status == 304:
            _discard(part, meta_path)
            assert entry is not None
            result.status, result.size = "not-modified", entry.size
            return result
        if status in (404, 410):
            raise NotPublished(f"{archive.url}: HTTP {status}, not on the portal")
        if status == 416:  # the partial is longer than the archive now: start again
            _discard(part, meta_path)
            raise _Retry("HTTP 416 for a resumed download")
        if status in RETRY_STATUSES:
            raise _Retry(f"HTTP {status}", response.headers.get("Retry-After"))
        if status not in (200, 206):
            raise FetchError(f"{archive.url}: HTTP {status} {response.reason_phrase}")
        if "text/html" in response.headers.get("Content-Type", "").lower():
            raise NotPublished(f"{archive.url}: an HTML page (HTTP {status}), not a zip archive")
        start = 0
        if status == 206:
            start = _range_start(response.headers.get("Content-Range"))
            if start != offset:
                _discard(part, meta_path)
                raise _Retry(f"the server resumed at byte {start}, not {offset}")
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        length = response.headers.get("Content-Length")
        total = start + int(length) if length and length.isdigit() else None
        if status == 200 or not meta_path.exists():
            meta_path.write_bytes(
                orjson.dumps({"url": archive.url, "etag": etag, "last_modified": last_modified})
            )
        done = start
        with part.open("r+b" if start else "wb") as handle:
            handle.seek(start)
            handle.truncate()
            progress(archive, done, total)
            for chunk in response.iter_bytes(CHUNK):
                handle.write(chunk)
                done += len(chunk)
                result.received += len(chunk)
                progress(archive, done, total)
            handle.flush()
            os.fsync(handle.fileno())
    if total is not None and done != total:
        raise _Retry(f"received {done} bytes of {total}")
    problem = check_zip(part)
    if problem is not None:
        _discard(part, meta_path)
        raise _Retry(f"the download is {problem}")
    digest = sha256_of(part)
    result.resumed_from = start
    result.size = done
    new_entry = Entry(archive.url, done, digest, etag, last_modified)
    if target.is_file() and digest == (entry.sha256 if entry is not None else sha256_of(target)):
        _discard(part, meta_path)
        result.status = "same-content"
    else:
        result.status = "updated" if target.is_file() else "new"
        part.replace(target)
        _fsync_dir(target.parent)
        meta_path.unlink(missing_ok=True)
    manifest.put(archive.key, new_entry)
    return result


def _range_start(content_range: str | None) -> int:
    # "bytes 100-199/200"
    try:
        assert content_range is not None
        unit, _, rest = content_range.partition(" ")
        return int(rest.split("-", 1)[0]) if unit.strip() == "bytes" else -1
    except (AssertionError, ValueError):
        return -1


def _discard(part: Path, meta_path: Path) -> None:
    part.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def is_published(
    client: httpx.Client,
    archive: Archive,
    policy: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Whether the portal publishes ``archive``: it answers with the start of a zip (asked with a Range of
    four bytes; a server that ignores it is cut after the first chunk). A 404, 410 or an HTML page: no."""
    reason = ""
    for attempt in range(1, policy.attempts + 1):
        try:
            with client.stream("GET", archive.url, headers={"Range": "bytes=0-3"}) as response:
                status = response.status_code
                if status in (404, 410):
                    return False
                if status in RETRY_STATUSES:
                    reason, retry_after = f"HTTP {status}", response.headers.get("Retry-After")
                elif status in (200, 206):
                    head = b""
                    for chunk in response.iter_bytes(CHUNK):
                        head += chunk
                        if len(head) >= 4:
                            break
                    return head.startswith(b"PK")
                else:
                    raise FetchError(f"{archive.url}: HTTP {status} {response.reason_phrase}")
        except httpx.TransportError as exc:
            reason, retry_after = describe(exc), None
        if attempt < policy.attempts:
            sleep(policy.delay(attempt, retry_after))
    raise FetchError(f"{archive.url}: gave up after {policy.attempts} attempts ({reason})")
