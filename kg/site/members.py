"""Memberships pages list, read from the site index.

A deputy's seats and groups, a group's members, the deputies of a constituency."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Membership:
    """A mandate or group membership as a page lists it."""

    iri: str
    organe: str
    organe_label: str
    person: str
    person_label: str
    start: dt.date | None
    end: dt.date | None
    quality: str | None
    constituency: str | None
    constituency_label: str | None


_SQL: Final = """
SELECT m.iri, m.organe, o.label, m.person, p.label, m.start, m.end, m.quality, m.constituency, c.label
FROM membership m LEFT JOIN label o ON o.iri = m.organe LEFT JOIN label p ON p.iri = m.person
LEFT JOIN label c ON c.iri = m.constituency
"""


def _last(iri: str | None) -> str:
    return (iri or "").rstrip("/").rsplit("/", 1)[-1]


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _read(db: sqlite3.Connection, where: str, value: str, *more: str) -> list[Membership]:
    rows = db.execute(f"{_SQL} WHERE {where} ORDER BY m.start DESC, m.iri DESC", (value, *more)).fetchall()
    return [
        Membership(iri, organe, olabel or _last(organe), person, plabel or _last(person), _day(start), _day(end),
                   quality, constituency, clabel)
        for iri, organe, olabel, person, plabel, start, end, quality, constituency, clabel in rows
    ]  # fmt: skip


def of_person(db: sqlite3.Connection, person: str, kind: str) -> list[Membership]:
    """A person's memberships of one type (``ASSEMBLEE``: seats; ``GP``: groups), newest first."""
    return _read(db, "m.person = ? AND m.type = ?", person, kind)


def of_organe(db: sqlite3.Connection, organe: str) -> list[Membership]:
    """Everyone who was a member of a group, newest first."""
    return _read(db, "m.organe = ?", organe)


def of_constituency(db: sqlite3.Connection, constituency: str) -> list[Membership]:
    """The deputies' mandates of a constituency, newest first."""
    return _read(db, "m.constituency = ? AND m.type = 'ASSEMBLEE'", constituency)
