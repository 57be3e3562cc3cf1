"""Atom feeds of question events for a question, a deputy or a ministry, to follow in a feed reader.

The events: published, re-attributed, signalled, renewed, answered, withdrawn; named in the language asked
(the interface strings of the pages, kg.site.i18n), the data itself staying French."""

from __future__ import annotations

import datetime as dt
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Final

from kg.site.i18n import ui
from kg.site.links import Links
from kg.site.render import format_date
from kg.site.stats import Scope

ATOM_NS: Final = "http://www.w3.org/2005/Atom"
#: Entries a feed holds (the latest events).
FEED_SIZE: Final = 50
#: The interface string (kg.site.i18n) that names each kind of event in an entry (a first attribution is
#: the publication: every attribution in a feed is a re-attribution).
_KIND_KEYS: Final = {
    "publication": "ev_publication",
    "attribution": "ev_reattribution",
    "signalement": "ev_signalement",
    "renewal": "ev_renewal",
    "answer": "ev_answer",
    "closure": "ev_closure",
    "erratum": "ev_erratum",
    "answer-erratum": "ev_answer-erratum",
}


@dataclass(frozen=True, slots=True)
class Event:
    iri: str
    kind: str
    day: dt.date
    question: str
    uid: str
    title: str | None
    ministry_label: str | None
    label: str | None  # a closure's reason


def events(
    db: sqlite3.Connection, scope: Scope, *, ministry: str | None = None, limit: int = FEED_SIZE
) -> list[Event]:
    """The latest dated events of the questions of ``scope`` (a first attribution is the publication,
    so only re-attributions count); for a ministry, its questions' events while they were in its charge,
    and the re-attributions that gave or took one."""
    sql = (
        "SELECT e.iri, e.kind, e.day, q.iri, q.uid, q.title, l.label, e.label FROM event e "
        "JOIN question q ON q.iri = e.question LEFT JOIN label l ON l.iri = e.ministry "
        f"WHERE {scope.where} AND e.day IS NOT NULL AND NOT (e.kind = 'attribution' AND COALESCE(e.ord, 1) <= 1) "
        "ORDER BY e.day DESC, e.iri DESC LIMIT ?"
    )
    rows = db.execute(sql, (*scope.params, limit)).fetchall()
    return [Event(i, k, dt.date.fromisoformat(d), q, u, t, m, lab) for i, k, d, q, u, t, m, lab in rows]


def atom(
    events_: list[Event],
    *,
    feed_id: str,
    title: str,
    page: str,
    self_href: str,
    links: Links,
    lang: str,
    updated: dt.date,
) -> bytes:
    """The Atom document (RFC 4287) of ``events_``; ``feed_id`` is the subject's IRI, ``updated`` the
    latest event's day (or the as-of date for an empty feed), so the feed is the same for the same data.
    ``lang`` (``fr`` or ``en``) names the events and dates."""
    ET.register_namespace("", ATOM_NS)
    t = ui(lang)
    kinds = {kind: t[key] for kind, key in _KIND_KEYS.items()}
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": lang})
    ET.SubElement(feed, f"{{{ATOM_NS}}}id").text = feed_id
    ET.SubElement(feed, f"{{{ATOM_NS}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM_NS}}}updated").text = _stamp(events_[0].day if events_ else updated)
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"rel": "alternate", "type": "text/html", "href": page})
    ET.SubElement(
        feed, f"{{{ATOM_NS}}}link", {"rel": "self", "type": "application/atom+xml", "href": self_href}
    )
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    ET.SubElement(author, f"{{{ATOM_NS}}}name").text = "hemicycle-kg"
    ET.SubElement(feed, f"{{{ATOM_NS}}}generator").text = "hemicycle-kg"
    for event in events_:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        ET.SubElement(entry, f"{{{ATOM_NS}}}id").text = event.iri
        heading = f"{kinds.get(event.kind, event.kind)}{t['colon']}{event.uid}"
        if event.title:
            heading += f" — {event.title}"
        ET.SubElement(entry, f"{{{ATOM_NS}}}title").text = heading
        ET.SubElement(entry, f"{{{ATOM_NS}}}updated").text = _stamp(event.day)
        ET.SubElement(entry, f"{{{ATOM_NS}}}published").text = _stamp(event.day)
        ET.SubElement(
            entry,
            f"{{{ATOM_NS}}}link",
            {"rel": "alternate", "type": "text/html", "href": links.href(event.question)},
        )
        details = [kinds.get(event.kind, event.kind), format_date(event.day, lang)]
        if event.ministry_label:
            details.append(event.ministry_label)
        if event.label:
            details.append(event.label)
        ET.SubElement(entry, f"{{{ATOM_NS}}}summary").text = " — ".join(details)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"
