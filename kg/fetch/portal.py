"""The portal's archives: read kg/data/portal.toml and turn a selection (legislatures, kinds, format) into URLs."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import InputError

PORTAL_FILE = Path(__file__).resolve().parent.parent / "data" / "portal.toml"
QUESTION_KINDS = ("qe", "qg", "qosd")
WHAT = (*QUESTION_KINDS, "questions", "registry", "all")
FORMATS = ("json", "xml")


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # qe, qg, qosd, registry
    label: str
    folder: str
    stem: str


@dataclass(frozen=True, slots=True)
class Archive:
    """One archive of the portal: where it is there and where it goes locally."""

    kind: str
    legislature: int
    format: str
    path: str  # under the repository: "17/questions/questions_ecrites/Questions_ecrites.json.zip"
    url: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def key(self) -> str:
        """Its key in fetch.json and its place under the data folder (the portal's own layout)."""
        return self.path

    def local(self, dest: Path) -> Path:
        return dest.joinpath(*self.path.split("/"))


@dataclass(frozen=True, slots=True)
class Portal:
    base: str  # "https://data.assemblee-nationale.fr"
    repository: str  # "/static/openData/repository"
    first_legislature: int
    known_current: int
    kinds: dict[str, Kind]
    suffixes: dict[int, str]

    @classmethod
    def load(cls, path: Path = PORTAL_FILE, *, base: str | None = None) -> Portal:
        """The portal described by ``path`` (the shipped data file); ``base`` replaces its address."""
        try:
            data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
            kinds = {
                name: Kind(name, str(k["label"]), str(k["folder"]), str(k["stem"]))
                for name, k in {**data["kinds"], "registry": data["registry"]}.items()
            }
            portal = cls(
                base=(base or str(data["portal"])).rstrip("/"),
                repository="/" + str(data["repository"]).strip("/"),
                first_legislature=int(data["first_legislature"]),
                known_current=int(data["known_current"]),
                kinds=kinds,
                suffixes={int(leg): str(suffix) for leg, suffix in data.get("suffixes", {}).items()},
            )
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(f"cannot read the portal description: {exc}", file=str(path)) from None
        if not portal.base.startswith(("http://", "https://")):
            raise InputError(f"{portal.base!r} is not an http(s) URL", field="--portal")
        return portal

    def archive(self, kind: str, legislature: int, fmt: str) -> Archive:
        spec = self.kinds[kind]
        suffix = "" if kind == "registry" else self.suffixes.get(legislature, "")
        path = f"{legislature}/{spec.folder}/{spec.stem}{suffix}.{fmt}.zip"
        return Archive(kind, legislature, fmt, path, f"{self.base}{self.repository}/{path}")

    def probe_archive(self, legislature: int) -> Archive:
        """The archive whose presence says a legislature is published: its written questions."""
        return self.archive("qe", legislature, "json")


def kinds_for(what: str) -> tuple[str, ...]:
    if what not in WHAT:
        raise InputError(f"unknown --what {what!r} (expected one of {', '.join(WHAT)})", field="--what")
    if what == "all":
        return (*QUESTION_KINDS, "registry")
    if what == "questions":
        return QUESTION_KINDS
    return (what,)


def parse_legislature(value: str) -> int | str:
    """``--legislature``: a number, ``current`` or ``all``."""
    text = value.strip().lower()
    if text in ("current", "all"):
        return text
    if text.isdigit() and 0 < int(text) < 100:
        return int(text)
    raise InputError(f"--legislature {value!r}: expected a number, 'current' or 'all'", field="--legislature")


def select(portal: Portal, legislatures: Sequence[int], current: int, what: str, fmt: str) -> list[Archive]:
    """The archives of ``what`` for ``legislatures``; the registry comes from the current legislature
    (it holds the whole history) and always as JSON (the only registry format the build reads)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown --format {fmt!r} (expected json or xml)", field="--format")
    kinds = kinds_for(what)
    archives = [
        portal.archive(kind, leg, fmt) for leg in legislatures for kind in kinds if kind in QUESTION_KINDS
    ]
    if "registry" in kinds:
        archives.append(portal.archive("registry", current, "json"))
    return archives
