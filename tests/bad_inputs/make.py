"""Makers of the bad inputs that must not be committed: big (10 MB texts, a zip bomb), binary (archives),
or special (symbolic links, a named pipe, unreadable files, a 5 GiB sparse file, a newline in a file name).

``tests/test_bad_inputs.py`` calls the maker a manifest case names (``"make": "zip-bomb"``) at test time,
in the case's own temporary folders, so the repository stays small and holds no special file. Every maker
gets a :class:`Workspace` and returns a :class:`Made` with what only it can know (exact texts to find in
the graph, whether reading needs an unprivileged process).
"""

from __future__ import annotations

import copy
import json
import os
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
BASE = HERE / "base.json"
SAMPLE_REGISTRY = HERE.parents[1] / "kg" / "data" / "sample" / "registry"


@dataclass(frozen=True)
class Workspace:
    batch: Path  # the question folder given to ``kg build`` (the good records are copied there too)
    registry: Path  # the registry folder given with ``--registry`` (a good acteur and organe are there)
    outside: Path  # a folder outside both, for what links point to


@dataclass
class Made:
    #: (uid, exact text) that must be a literal of the graph, byte for byte
    roundtrip: list[tuple[str, str]] = field(default_factory=list)
    #: the case needs a process that file permissions apply to (root reads everything otherwise)
    unprivileged: bool = False


Maker = Callable[[Workspace], Made]
MAKERS: dict[str, Maker] = {}


def maker(name: str) -> Callable[[Maker], Maker]:
    def register(function: Maker) -> Maker:
        MAKERS[name] = function
        return function

    return register


def uid(number: int) -> str:
    return f"QANR5L15QE{number}"


def record(number: int, text: str | None = None) -> dict[str, Any]:
    """The base record (``base.json``) renumbered, with another question text if given."""
    data: dict[str, Any] = copy.deepcopy(json.loads(BASE.read_text(encoding="utf-8")))
    question = data["question"]
    question["uid"] = uid(number)
    question["identifiant"]["numero"] = str(number)
    if text is not None:
        question["textesQuestion"]["texteQuestion"]["texte"] = text
    return data


def record_bytes(number: int, text: str | None = None) -> bytes:
    return json.dumps(record(number, text), ensure_ascii=False, indent=1).encode("utf-8")


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------ archives


@maker("zip-traversal")
def zip_traversal(ws: Workspace) -> Made:
    """Members whose paths escape the archive, each a valid record, beside a good member."""
    with zipfile.ZipFile(ws.batch / "traversal.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("../../escaped.json", record_bytes(90201))
        archive.writestr("/tmp/absolute.json", record_bytes(90202))
        archive.writestr("sub/../../up.json", record_bytes(90203))
        archive.writestr("..\\windows.json", record_bytes(90204))
        archive.writestr("ok/QANR5L15QE90205.json", record_bytes(90205))
    return Made()


@maker("zip-bomb")
def zip_bomb(ws: Workspace) -> Made:
    """128 MiB of blanks deflated to ~128 KB (1,000:1), beside a good member."""
    with zipfile.ZipFile(ws.batch / "bomb.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("bomb.json", "w") as member:
            member.write(b'{"question": ')
            blank = b" " * (1 << 20)
            for _ in range(128):
                member.write(blank)
            member.write(b"}")
        archive.writestr("QANR5L15QE90211.json", record_bytes(90211))
    return Made()


@maker("zip-truncated")
def zip_truncated(ws: Workspace) -> Made:
    path = ws.outside / "whole.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in (90221, 90222, 90223):
            archive.writestr(f"{uid(number)}.json", record_bytes(number))
    data = path.read_bytes()
    (ws.batch / "truncated.zip").write_bytes(data[: len(data) // 2])
    return Made()


@maker("zip-encrypted")
def zip_encrypted(ws: Workspace) -> Made:
    """A member flagged as encrypted (traditional PKWARE encryption), beside a good member. zipfile cannot
    write encrypted members: the flag (bit 0 of the general purpose flags) is set in both headers after."""
    path = ws.batch / "encrypted.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("QANR5L15QE90231.json", record_bytes(90231))
        archive.writestr("QANR5L15QE90232.json", record_bytes(90232))
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04")  # the first member's local header: flags at +6
    central = data.index(b"PK\x01\x02")  # its central directory entry: flags at +8
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    path.write_bytes(bytes(data))
    return Made()


@maker("zip-corrupt-member")
def zip_corrupt_member(ws: Workspace) -> Made:
    """A member whose deflated bytes are damaged (the archive's directory is intact), beside a good one."""
    path = ws.batch / "corrupt.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("QANR5L15QE90241.json", record_bytes(90241, "x" * 5000 + " é " * 2000))
        archive.writestr("QANR5L15QE90242.json", record_bytes(90242))
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("QANR5L15QE90241.json")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 10, start + min(info.compress_size, 400), 7):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    return Made()


@maker("zip-duplicate-names")
def zip_duplicate_names(ws: Workspace) -> Made:
    """Two members of the same name with different records: the second is not read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: it is the point
        with zipfile.ZipFile(ws.batch / "twice.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("QANR5L15QE90251.json", record_bytes(90251))
            archive.writestr("QANR5L15QE90251.json", record_bytes(90252))
    return Made()


# ------------------------------------------------------------------ gigantic texts

_PARAGRAPH = (
    "<p>L’hébergement des données de santé — « question » n° 40439 ; coût : 1 000 € &amp; plus.</p>\n"
)


def _ten_megabytes() -> str:
    return _PARAGRAPH * (10 * 1024 * 1024 // len(_PARAGRAPH.encode("utf-8")) + 1)


@maker("gigantic-text-json")
def gigantic_text_json(ws: Workspace) -> Made:
    text = _ten_megabytes()
    (ws.batch / "gigantic.json").write_bytes(record_bytes(90261, text))
    return Made(roundtrip=[(uid(90261), text)])


@maker("gigantic-text-xml")
def gigantic_text_xml(ws: Workspace) -> Made:
    """A 10 MB text in XML (beyond libxml2's default 10,000,000-byte limit for one text node)."""
    text = _ten_megabytes()
    data = json.loads(record_bytes(90262))["question"]
    body = "".join(
        f"<{key}>{xml_escape(value)}</{key}>" for key, value in (("uid", data["uid"]), ("type", "QE"))
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<question>'
        f"{body}<identifiant><numero>90262</numero><legislature>15</legislature></identifiant>"
        "<auteur><identite><acteurRef>PA345722</acteurRef><mandatRef>PM723428</mandatRef></identite></auteur>"
        "<textesQuestion><texteQuestion><infoJO><typeJO>JO_QUESTION</typeJO><dateJO>2021-07-27</dateJO>"
        f"<pageJO>5991</pageJO></infoJO><texte>{xml_escape(text)}</texte></texteQuestion></textesQuestion>"
        "</question>\n"
    )
    (ws.batch / "gigantic.xml").write_bytes(xml.encode("utf-8"))
    return Made(roundtrip=[(uid(90262), text)])


@maker("angle-brackets")
def angle_brackets(ws: Workspace) -> Made:
    """300,000 '<' in a text: legal, odd, and a trap for a tag-stripping regex that backtracks."""
    text = "<" * 300_000
    (ws.batch / "angle-brackets.json").write_bytes(record_bytes(90271, text))
    return Made(roundtrip=[(uid(90271), text)])


# ------------------------------------------------------------------ the file system


@maker("symlink-outside")
def symlink_outside(ws: Workspace) -> Made:
    """A link to a valid record outside the input, and a link to a folder of records outside it."""
    (ws.outside / "elsewhere.json").write_bytes(record_bytes(90281))
    folder = ws.outside / "folder"
    folder.mkdir()
    (folder / "QANR5L15QE90282.json").write_bytes(record_bytes(90282))
    (ws.batch / "outside.json").symlink_to(ws.outside / "elsewhere.json")
    (ws.batch / "outside-folder").symlink_to(folder, target_is_directory=True)
    return Made()


@maker("symlink-inside")
def symlink_inside(ws: Workspace) -> Made:
    """A link to a file inside the input that is not read under its own name (.txt): followed."""
    (ws.batch / "data").mkdir()
    (ws.batch / "data" / "record.txt").write_bytes(record_bytes(90291))
    (ws.batch / "inside.json").symlink_to(Path("data") / "record.txt")
    (ws.batch / "loop-to-self").symlink_to(Path(), target_is_directory=True)
    return Made()


@maker("symlink-broken")
def symlink_broken(ws: Workspace) -> Made:
    (ws.batch / "dangling.json").symlink_to(ws.outside / "missing.json")
    (ws.batch / "loop.json").symlink_to("loop.json")
    return Made()


@maker("unreadable-file")
def unreadable_file(ws: Workspace) -> Made:
    path = ws.batch / "locked.json"
    path.write_bytes(record_bytes(90301))
    path.chmod(0)
    return Made(unprivileged=True)


@maker("unreadable-folder")
def unreadable_folder(ws: Workspace) -> Made:
    folder = ws.batch / "locked"
    folder.mkdir()
    (folder / "QANR5L15QE90311.json").write_bytes(record_bytes(90311))
    folder.chmod(0)
    return Made(unprivileged=True)


@maker("named-pipe")
def named_pipe(ws: Workspace) -> Made:
    """A FIFO named like a record: opening it for reading would block the build forever."""
    os.mkfifo(ws.batch / "pipe.json")
    return Made()


@maker("sparse-huge")
def sparse_huge(ws: Workspace) -> Made:
    """A 5 GiB file (sparse: it takes no disk) that would exhaust memory if read whole."""
    with (ws.batch / "huge.json").open("wb") as handle:
        handle.truncate(5 * 1024**3)
    return Made()


@maker("newline-in-file-name")
def newline_in_file_name(ws: Workspace) -> Made:
    (ws.batch / "bad\nname.json").write_bytes(b'{"question": {"uid": ')
    return Made()


# ------------------------------------------------------------------ the registry


@maker("registry-truncated-acteur")
def registry_truncated_acteur(ws: Workspace) -> Made:
    data = (SAMPLE_REGISTRY / "acteurs" / "PA340343.json").read_bytes()
    (ws.registry / "PA999001.json").write_bytes(data[: len(data) // 2])
    return Made()


@maker("registry-empty-organe")
def registry_empty_organe(ws: Workspace) -> Made:
    (ws.registry / "PO999002.json").write_bytes(b"")
    return Made()


@maker("registry-bom-organe")
def registry_bom_organe(ws: Workspace) -> Made:
    data = (SAMPLE_REGISTRY / "organes" / "PO773371.json").read_bytes()
    (ws.registry / "PO773371.json").write_bytes(b"\xef\xbb\xbf" + data)
    return Made()


@maker("registry-odd-names")
def registry_odd_names(ws: Workspace) -> Made:
    """An acteur whose names hold control characters, bidi overrides, NFD and astral characters."""
    data = json.loads((SAMPLE_REGISTRY / "acteurs" / "PA340343.json").read_bytes())
    ident = data["acteur"]["etatCivil"]["ident"]
    given, family = "Zoe\u0308\u200b \u202eéé\u202c", "D'Arc\u0001\u007f 𝒜 \u00a0Ł"
    ident["prenom"], ident["nom"] = given, family
    (ws.registry / "PA340343.json").write_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return Made(roundtrip=[("PA340343", given), ("PA340343", family)])
