"""A mirror of the open-data portal on loopback, for the tests of kg fetch and kg update.

:func:`publish` writes archives with the inner layout of the real ones (14th legislature: one file; from the
15th: one file per question under ``json/`` or ``xml/``; the AMO registry archive: ``json/acteur/PA….json`` and
``json/organe/PO….json``) from records made by ``bench/corpus.py`` on the bundled sample registry, under the
portal's paths (kg/data/portal.toml). :class:`Mirror` serves them over HTTP/1.1 on 127.0.0.1 with ETag,
Last-Modified and Range (each can be switched off) and injected faults, and logs every request.
"""

from __future__ import annotations

import copy
import email.utils
import functools
import hashlib
import io
import os
import socket
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench import corpus
from kg.fetch.portal import Portal
from kg.resources import SAMPLE_REGISTRY

Record = dict[str, Any]
KIND_OF_TYPE = {"QE": "qe", "QG": "qg", "QOSD": "qosd"}
ZIP_TIME = (2026, 1, 27, 0, 0, 0)
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Page introuvable</title></head><body>Erreur</body></html>"


def _zip(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A deterministic zip (fixed times, members in the order given)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _members(records: list[Record], leg: int, fmt: str) -> list[tuple[str, bytes]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        layout = ("single-" if leg == 14 else "") + fmt + ("" if leg == 14 else "-files")
        corpus.write_corpus(records, layout, out)
        return [
            (path.relative_to(out).as_posix(), path.read_bytes())
            for path in sorted(out.rglob("*"))
            if path.is_file()
        ]


def generate(count: int, seed: int = 42) -> list[Record]:
    return list(corpus.generate(count, seed, [SAMPLE_REGISTRY]))


def registry_members(registry: Path = SAMPLE_REGISTRY) -> list[tuple[str, bytes]]:
    members = []
    for folder, inner in (("acteurs", "acteur"), ("organes", "organe")):
        for path in sorted((registry / folder).glob("*.json")):
            members.append((f"json/{inner}/{path.name}", path.read_bytes()))
    return members


def publish(
    root: Path,
    records: list[Record],
    portal: Portal,
    *,
    current: int = 17,
    formats: tuple[str, ...] = ("json", "xml"),
    registry: list[tuple[str, bytes]] | None = None,
) -> dict[str, bytes]:
    """Write the archives of ``records`` (and the registry under the ``current`` legislature) under
    ``root`` (the portal's repository); an archive whose bytes did not change is not rewritten. Returns
    the archives' bytes by repository path."""
    groups: dict[tuple[int, str], list[Record]] = {}
    for record in records:
        groups.setdefault((int(record["identifiant"]["legislature"]), record["type"]), []).append(record)
    written: dict[str, bytes] = {}
    for (leg, qtype), group in sorted(groups.items()):
        for fmt in formats:
            archive = portal.archive(KIND_OF_TYPE[qtype], leg, fmt)
            written[archive.path] = _zip(_members(group, leg, fmt))
    written[portal.archive("registry", current, "json").path] = _zip(registry or registry_members())
    for path, data in written.items():
        target = root.joinpath(*path.split("/"))
        before = 0
        if target.is_file():
            if target.read_bytes() == data:
                continue
            before = int(target.stat().st_mtime)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        # HTTP dates have a one-second resolution: a new version is at least a second later
        stamp = float(max(int(target.stat().st_mtime), before + 1))
        os.utime(target, (stamp, stamp))
    return written


# ------------------------------------------------------------------ changes the mirror publishes


@dataclass
class Changes:
    """What :func:`change_records` changed, by the change report's kinds."""

    new_questions: set[str] = field(default_factory=set)
    new_answers: set[str] = field(default_factory=set)
    reattributions: set[str] = field(default_factory=set)
    signalements: set[str] = field(default_factory=set)
    closures: set[str] = field(default_factory=set)


@functools.cache
def _donors() -> list[Record]:
    return generate(2000, seed=9)


def _open(record: Record) -> bool:
    return not record.get("textesReponse") and not record.get("cloture") and not record.get("signalement")


def _many(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def change_records(records: list[Record], leg: int = 17) -> tuple[list[Record], Changes]:
    """A later version of ``records``: in legislature ``leg``'s written questions, one open question gets an
    answer, one is re-attributed, one is signalled, one is closed at the end of its author's mandate, and
    one new question is published. Every date is after the question's own (``corpus.CORPUS_END``)."""
    changed = copy.deepcopy(records)
    qe = [r for r in changed if r["type"] == "QE" and int(r["identifiant"]["legislature"]) == leg]
    opened = [r for r in qe if _open(r)]
    donors = _donors()  # the shapes of an answer, a signalement, an end-of-mandate closure
    answered = next(r for r in donors if r.get("textesReponse") and r.get("cloture"))
    signalled = next(r for r in donors if r.get("signalement"))
    ended = next(r for r in donors if "end-of-mandate" in corpus.variants(r))
    day = corpus.CORPUS_END.isoformat()
    changes = Changes()

    to_answer, to_move, to_signal, to_close = opened[:4]
    to_answer["textesReponse"] = copy.deepcopy(answered["textesReponse"])
    for text in _many(to_answer["textesReponse"]["texteReponse"]):
        text["infoJO"]["dateJO"] = day
    to_answer["cloture"] = copy.deepcopy(answered["cloture"])
    to_answer["cloture"]["dateCloture"] = day
    if to_answer["cloture"].get("infoJO"):
        to_answer["cloture"]["infoJO"]["dateJO"] = day
    changes.new_answers.add(to_answer["uid"])

    attributions = _many(to_move["minAttribs"]["minAttrib"])
    first = attributions[0]["denomination"]["organeRef"]
    other = next(
        _many(r["minAttribs"]["minAttrib"])[-1]
        for r in reversed(qe)
        if _many(r["minAttribs"]["minAttrib"])[-1]["denomination"]["organeRef"] != first
    )
    moved = copy.deepcopy(other)
    moved["infoJO"]["dateJO"] = day
    to_move["minAttribs"]["minAttrib"] = [*attributions, moved]
    changes.reattributions.add(to_move["uid"])

    to_signal["signalement"] = copy.deepcopy(signalled["signalement"])
    to_signal["signalement"]["dateDepotSignal"] = day
    if to_signal["signalement"].get("infoJO"):
        to_signal["signalement"]["infoJO"]["dateJO"] = day
    changes.signalements.add(to_signal["uid"])

    to_close["cloture"] = copy.deepcopy(ended["cloture"])
    to_close["cloture"]["dateCloture"] = day
    if to_close["cloture"].get("infoJO"):
        to_close["cloture"]["infoJO"]["dateJO"] = day
    changes.closures.add(to_close["uid"])

    numbers = [int(r["identifiant"]["numero"]) for r in qe]
    new = copy.deepcopy(qe[-1])
    number = max(numbers) + 1
    new["identifiant"]["numero"] = str(number)
    new["uid"] = f"QANR5L{leg}QE{number}"
    changed.append(new)
    changes.new_questions.add(new["uid"])
    if new.get("textesReponse"):
        changes.new_answers.add(new["uid"])
    return changed, changes


# ------------------------------------------------------------------ the server


@dataclass
class Hit:
    method: str
    path: str  # under the repository
    status: int
    headers: dict[str, str]
    sent: int  # body bytes sent


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that goes away mid-answer (a cut, a probe that read four bytes) is normal here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Mirror:
    """The portal on 127.0.0.1: serves ``root`` under the repository path.

    ``validators``: ETag and Last-Modified (and 304s); ``ranges``: Range and If-Range (206); ``faults``:
    repository path → list of faults used one per request, in order: ``cut`` (the headers of the whole
    answer, half the body, then the connection closes), ``503`` (with ``Retry-After: 0``), ``truncate`` (the
    archive's first half, served as if complete), ``html`` (a 200 HTML page), ``404``. A path under a
    legislature folder that does not exist answers 404, or an HTML page when the legislature is in
    ``html_legislatures`` (as some portals do)."""

    def __init__(self, root: Path, portal: Portal) -> None:
        self.root = root
        self.prefix = portal.repository + "/"
        self.validators = True
        self.ranges = True
        self.faults: dict[str, list[str]] = {}
        self.html_legislatures: set[int] = set()
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Mirror:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def requests(self, method: str = "GET") -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.method == method]

    def clear(self) -> None:
        with self._lock:
            self.hits.clear()

    def _fault(self, path: str) -> str | None:
        with self._lock:
            queue = self.faults.get(path)
            return queue.pop(0) if queue else None

    def _log(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_HEAD(self) -> None:
                self._answer(head=True)

            def do_GET(self) -> None:
                self._answer(head=False)

            def _send(self, status: int, headers: dict[str, str], body: bytes, head: bool, path: str) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)
                mirror._log(
                    Hit(self.command, path, status, dict(self.headers.items()), 0 if head else len(body))
                )

            def _answer(self, head: bool) -> None:
                if not self.path.startswith(mirror.prefix):
                    self._send(404, {"Content-Type": "text/plain"}, b"not found", head, self.path)
                    return
                path = self.path[len(mirror.prefix) :].split("?", 1)[0]
                leg = path.split("/", 1)[0]
                file = mirror.root.joinpath(*path.split("/"))
                fault = mirror._fault(path)
                if fault == "503":
                    self._send(503, {"Retry-After": "0", "Content-Type": "text/plain"}, b"busy", head, path)
                    return
                if fault == "404":
                    self._send(404, {"Content-Type": "text/plain"}, b"not found", head, path)
                    return
                if fault == "html" or (
                    leg.isdigit() and int(leg) in mirror.html_legislatures and not file.is_file()
                ):
                    self._send(200, {"Content-Type": "text/html; charset=utf-8"}, HTML_PAGE, head, path)
                    return
                if not file.is_file():
                    self._send(404, {"Content-Type": "text/plain"}, b"not found", head, path)
                    return
                data = file.read_bytes()
                if fault == "truncate":
                    data = data[: len(data) // 2]
                headers = {"Content-Type": "application/zip"}
                etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
                modified = email.utils.formatdate(int(file.stat().st_mtime), usegmt=True)
                if mirror.validators:
                    headers["ETag"] = etag
                    headers["Last-Modified"] = modified
                    if self._not_modified(etag, int(file.stat().st_mtime)):
                        self._send(304, {"ETag": etag}, b"", True, path)
                        return
                headers["Accept-Ranges"] = "bytes" if mirror.ranges else "none"
                status, body = 200, data
                wanted = self.headers.get("Range")
                if mirror.ranges and wanted and wanted.startswith("bytes="):
                    if_range = self.headers.get("If-Range")
                    if not if_range or if_range in (etag, modified):
                        first_text, _, last_text = wanted[len("bytes=") :].partition("-")
                        first = int(first_text)
                        last = int(last_text) if last_text else len(data) - 1
                        if first >= len(data):
                            self._send(416, {"Content-Range": f"bytes */{len(data)}"}, b"", head, path)
                            return
                        status, body = 206, data[first : last + 1]
                        headers["Content-Range"] = f"bytes {first}-{first + len(body) - 1}/{len(data)}"
                if fault == "cut" and not head:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    half = body[: len(body) // 2]
                    self.wfile.write(half)
                    self.wfile.flush()
                    mirror._log(Hit("GET", path, status, dict(self.headers.items()), len(half)))
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._send(status, headers, body, head, path)

            def _not_modified(self, etag: str, mtime: int) -> bool:
                match = self.headers.get("If-None-Match")
                if match is not None:
                    return etag in [tag.strip() for tag in match.split(",")] or match.strip() == "*"
                since = self.headers.get("If-Modified-Since")
                if since:
                    try:
                        return mtime <= int(email.utils.parsedate_to_datetime(since).timestamp())
                    except (TypeError, ValueError):
                        return False
                return False

        return Handler


def iter_archive_names(path: Path) -> Iterator[str]:
    with zipfile.ZipFile(path) as archive:
        yield from archive.namelist()
