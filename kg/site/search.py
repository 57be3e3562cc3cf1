"""Search over the site index's FTS5 table: the user's words, in any order, case and accents aside."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Final

_WORD = re.compile(r"\w+", re.UNICODE)
#: Kinds listed first when they rank alike: people are what most searches look for.
_KIND_ORDER: Final = {"person": 0, "organe": 1, "topic": 2, "place": 3, "question": 4}
_ORDER_SQL: Final = "CASE kind " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in _KIND_ORDER.items()) + " END"


@dataclass(frozen=True, slots=True)
class Hit:
    iri: str
    kind: str  # question | person | organe | place | topic
    label: str
    detail: str


def match_expression(text: str) -> str | None:
    """The user's words as an FTS5 query: each word quoted (no operator survives), a prefix match, all
    required, in any order. ``None`` when the text has no word."""
    words = _WORD.findall(text)[:12]
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words)


def search(db: sqlite3.Connection, text: str, limit: int = 25, offset: int = 0) -> tuple[list[Hit], int]:
    """The entries matching every word of ``text``, best first (a match in the name before one in the
    other words, then people, bodies, topics, places, questions), and how many match in all."""
    match = match_expression(text)
    if match is None:
        return [], 0
    total = db.execute("SELECT count(*) FROM entry WHERE entry MATCH ?", (match,)).fetchone()[0]
    rows = db.execute(
        "SELECT iri, kind, label, detail FROM entry WHERE entry MATCH ? "
        f"ORDER BY bm25(entry, 10.0, 1.0), {_ORDER_SQL}, label LIMIT ? OFFSET ?",
        (match, limit, offset),
    ).fetchall()
    return [Hit(*row) for row in rows], int(total)
