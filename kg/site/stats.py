"""What pages count and list, read from the site index.

Questions of a scope (a deputy, a ministry, a group, a place, a topic, a legislature), their answer rate and median delay, the overdue ones at a date."""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from kg.site.deadlines import Deadline, judge

#: Question types, as the index writes them, with their French names.
TYPE_NAMES: Final = {
    "QE": "Question écrite",
    "QOSD": "Question orale sans débat",
    "QG": "Question au Gouvernement",
}


@dataclass(frozen=True, slots=True)
class Scope:
    """A set of questions: an SQL condition on the ``question`` table (alias ``q``) and its parameters."""

    where: str
    params: tuple[str | int, ...] = ()

    @staticmethod
    def everything() -> Scope:
        return Scope("1 = 1")

    @staticmethod
    def column(name: str, value: str | int) -> Scope:
        if name not in ("author", "grp", "constituency", "attributed", "questioned", "legislature"):
            raise ValueError(f"not a question column: {name}")
        return Scope(f"q.{name} = ?", (value,))

    @staticmethod
    def received_by(ministry: str) -> Scope:
        """Every question the ministry was ever in charge of (any attribution)."""
        return Scope("q.iri IN (SELECT question FROM attribution WHERE ministry = ?)", (ministry,))

    @staticmethod
    def department(iri: str) -> Scope:
        return Scope("q.constituency IN (SELECT iri FROM place WHERE department = ?)", (iri,))

    @staticmethod
    def topic(iri: str) -> Scope:
        return Scope("q.iri IN (SELECT question FROM topic_of WHERE topic = ?)", (iri,))


@dataclass(frozen=True, slots=True)
class Row:
    """A question in a listing."""

    iri: str
    uid: str
    type: str
    title: str | None
    published: dt.date | None
    status: str | None
    delay: int | None
    ministry: str | None  # IRI of the ministry in charge (the last attribution)
    ministry_label: str | None
    author: str | None
    author_label: str | None
    deadline: Deadline | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    total: int  # every question of the scope, all types
    by_type: dict[str, int]
    written: int  # written questions (the counts below are of them)
    answered: int
    answer_rate: float | None
    median_delay: float | None
    overdue: int | None = None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


_ROW_SQL: Final = """
SELECT q.iri, q.uid, q.type, q.title, q.published, q.status, q.delay, q.attributed, m.label, q.author, a.label,
       q.answered, q.closed
FROM question q LEFT JOIN label m ON m.iri = q.attributed LEFT JOIN label a ON a.iri = q.author
"""


def _rows(db: sqlite3.Connection, sql: str, params: Sequence[str | int], as_of: dt.date) -> list[Row]:
    out = []
    for (
        iri,
        uid,
        qtype,
        title,
        published,
        status,
        delay,
        ministry,
        mlabel,
        author,
        alabel,
        answered,
        closed,
    ) in db.execute(sql, params):
        day = _date(published)
        deadline = judge(day, _date(answered), _date(closed), as_of) if qtype == "QE" else None
        if deadline is not None and status == "Answered" and answered is None:  # an undated answer
            deadline = None
        out.append(
            Row(iri, uid, qtype, title, day, status, delay, ministry, mlabel, author, alabel, deadline)
        )
    return out


def count(db: sqlite3.Connection, scope: Scope) -> int:
    return int(db.execute(f"SELECT count(*) FROM question q WHERE {scope.where}", scope.params).fetchone()[0])


def questions(
    db: sqlite3.Connection, scope: Scope, as_of: dt.date, *, limit: int, offset: int = 0
) -> list[Row]:
    """The questions of ``scope``, newest first, one page of them."""
    sql = f"{_ROW_SQL} WHERE {scope.where} ORDER BY q.published DESC, q.uid LIMIT ? OFFSET ?"
    return _rows(db, sql, (*scope.params, limit, offset), as_of)


def summary(db: sqlite3.Connection, scope: Scope) -> Summary:
    """How many questions of each type; for the written ones, how many were answered, the answer rate and
    the median delay in days (from publication to answer)."""
    by_type = {
        t: n
        for t, n in db.execute(
            f"SELECT q.type, count(*) FROM question q WHERE {scope.where} GROUP BY q.type", scope.params
        )
    }
    written = by_type.get("QE", 0)
    delays = [
        d
        for (d,) in db.execute(
            f"SELECT q.delay FROM question q WHERE {scope.where} AND q.type = 'QE' AND q.status = 'Answered'",
            scope.params,
        )
    ]
    answered = len(delays)
    known = [d for d in delays if d is not None]
    return Summary(
        total=sum(by_type.values()),
        by_type=by_type,
        written=written,
        answered=answered,
        answer_rate=answered / written if written else None,
        median_delay=statistics.median(known) if known else None,
    )


def overdue(
    db: sqlite3.Connection, as_of: dt.date, ministry: str | None = None, scope: Scope | None = None
) -> list[Row]:
    """Written questions unanswered and not closed at ``as_of``, past their two-month deadline, longest
    wait first; with ``ministry``, those it was in charge of at ``as_of`` (its last attribution dated on or
    before that day), as ``queries/overdue-questions.rq`` counts them."""
    day = as_of.isoformat()
    cutoff = (as_of - dt.timedelta(days=58)).isoformat()  # no deadline falls before 59 days
    conditions = [
        "q.type = 'QE'",
        "q.published IS NOT NULL",
        "q.published <= ?",
        "(q.answered IS NULL OR q.answered > ?)",
        "NOT (q.status = 'Answered' AND q.answered IS NULL)",
        "(q.closed IS NULL OR q.closed > ?)",
    ]
    params: list[str | int] = [cutoff, day, day]
    if scope is not None:
        conditions.append(scope.where)
        params.extend(scope.params)
    if ministry is not None:
        conditions.append("q.iri IN (SELECT question FROM attribution WHERE ministry = ?)")
        conditions.append(
            "(SELECT a.ministry FROM attribution a WHERE a.question = q.iri AND (a.day IS NULL OR a.day <= ?) "
            "ORDER BY a.ord DESC LIMIT 1) = ?"
        )
        params.extend([ministry, day, ministry])
    sql = f"{_ROW_SQL} WHERE {' AND '.join(conditions)} ORDER BY q.published, q.uid"
    return [r for r in _rows(db, sql, params, as_of) if r.deadline is not None and r.deadline.overdue]


def per_month(db: sqlite3.Connection, scope: Scope) -> list[tuple[str, int]]:
    """``(YYYY-MM, questions published that month)``, every month from the first to the last (zeros kept)."""
    counts = dict(
        db.execute(
            f"SELECT substr(q.published, 1, 7), count(*) FROM question q WHERE {scope.where} "
            "AND q.published IS NOT NULL GROUP BY 1",
            scope.params,
        ).fetchall()
    )
    if not counts:
        return []
    first, last = min(counts), max(counts)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        out.append((key, int(counts.get(key, 0))))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


#: Bounds (in days, inclusive upper) of the answer-delay histogram; the last bin is open.
DELAY_BINS: Final = (30, 60, 90, 180, 365, 730)


def delay_histogram(db: sqlite3.Connection, scope: Scope) -> list[tuple[str, int]]:
    """Answered written questions by answer delay: ``(bin label, count)`` (``0–30``, ``31–60``, … ``> 730``)."""
    delays = [
        int(d)
        for (d,) in db.execute(
            f"SELECT q.delay FROM question q WHERE {scope.where} AND q.type = 'QE' AND q.delay IS NOT NULL",
            scope.params,
        )
    ]
    labels, low = [], 0
    for high in DELAY_BINS:
        labels.append(f"{low}–{high}")
        low = high + 1
    labels.append(f"> {DELAY_BINS[-1]}")
    counts = [0] * len(labels)
    for delay in delays:
        index = next((i for i, high in enumerate(DELAY_BINS) if delay <= high), len(DELAY_BINS))
        counts[index] += 1
    return list(zip(labels, counts, strict=True))


def rate_per_ministry(db: sqlite3.Connection, scope: Scope, top: int = 15) -> list[tuple[str, str, int, int]]:
    """``(ministry IRI, label, written questions in its charge, answered)`` for the ``top`` ministries in
    charge of most written questions of ``scope``."""
    rows = db.execute(
        f"SELECT q.attributed, COALESCE(l.detail, l.label, q.attributed), count(*), "
        f"sum(q.status = 'Answered') FROM question q LEFT JOIN label l ON l.iri = q.attributed "
        f"WHERE {scope.where} AND q.type = 'QE' AND q.attributed IS NOT NULL "
        "GROUP BY q.attributed ORDER BY count(*) DESC, q.attributed LIMIT ?",
        (*scope.params, top),
    ).fetchall()
    return [(iri, label, int(n), int(answered)) for iri, label, n, answered in rows]


def label(db: sqlite3.Connection, iri: str) -> str | None:
    found = db.execute("SELECT label FROM label WHERE iri = ?", (iri,)).fetchone()
    return str(found[0]) if found else None
