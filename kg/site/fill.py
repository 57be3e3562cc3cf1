"""Reads the store into the site index's rows.

One scan per predicate (or an index seek on a bound object), joined in Python, so a 100k-question store is read in seconds and pages never scan it again."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Container, Iterator
from typing import Final

import pyoxigraph as ox

from kg.iris import QUESTION_UID
from kg.vocab import OX_DCTERMS, OX_FOAF, OX_HC, OX_ORG, OX_RDF, OX_RDFS, OX_SCHEMA, OX_SKOS

SCHEMA: Final = """
CREATE TABLE question (
  iri TEXT PRIMARY KEY, uid TEXT NOT NULL, type TEXT NOT NULL, legislature INTEGER, number INTEGER,
  title TEXT, published TEXT, answered TEXT, closed TEXT, status TEXT, delay INTEGER, author TEXT,
  grp TEXT, constituency TEXT, questioned TEXT, attributed TEXT, closure_label TEXT
);
CREATE INDEX question_author ON question (author, published);
CREATE INDEX question_grp ON question (grp, published);
CREATE INDEX question_constituency ON question (constituency, published);
CREATE INDEX question_attributed ON question (attributed, published);
CREATE INDEX question_questioned ON question (questioned);
CREATE INDEX question_legislature ON question (legislature, published);
CREATE TABLE attribution (question TEXT NOT NULL, ord INTEGER, day TEXT, ministry TEXT, iri TEXT);
CREATE INDEX attribution_ministry ON attribution (ministry, question);
CREATE INDEX attribution_question ON attribution (question);
CREATE TABLE event (question TEXT NOT NULL, kind TEXT NOT NULL, ord INTEGER, day TEXT, iri TEXT,
                    ministry TEXT, label TEXT);
CREATE INDEX event_question ON event (question);
CREATE TABLE topic_of (question TEXT NOT NULL, topic TEXT NOT NULL);
CREATE INDEX topic_of_topic ON topic_of (topic, question);
CREATE TABLE place (iri TEXT PRIMARY KEY, department TEXT);
CREATE INDEX place_department ON place (department);
CREATE TABLE membership (iri TEXT PRIMARY KEY, person TEXT, organe TEXT, type TEXT NOT NULL, start TEXT,
                         end TEXT, quality TEXT, constituency TEXT);
CREATE INDEX membership_person ON membership (person);
CREATE INDEX membership_organe ON membership (organe);
CREATE INDEX membership_constituency ON membership (constituency);
CREATE TABLE label (iri TEXT PRIMARY KEY, label TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT);
CREATE VIRTUAL TABLE entry USING fts5 (label, extra, iri UNINDEXED, kind UNINDEXED, detail UNINDEXED,
                                       tokenize = 'unicode61 remove_diacritics 2');
"""

_TYPES: Final = (
    (OX_HC.WrittenQuestion, "QE"),
    (OX_HC.OralQuestion, "QOSD"),
    (OX_HC.GovernmentQuestion, "QG"),
)
#: The question → event links the feeds and pages follow, and the kind each gives.
_EVENT_LINKS: Final = (
    (OX_HC.publication, "publication"),
    (OX_HC.attribution, "attribution"),
    (OX_HC.signalement, "signalement"),
    (OX_HC.renewal, "renewal"),
    (OX_HC.answer, "answer"),
    (OX_HC.closure, "closure"),
)
_CONCEPT_SCHEME = re.compile(r"/topic/([^/]+)/[^/]+$")


def _pairs(store: ox.Store, predicate: ox.NamedNode) -> Iterator[tuple[str, ox.NamedNode | ox.Literal]]:
    """``(subject IRI, object)`` of every triple of ``predicate`` in any graph: one scan (a SPARQL pattern
    streams them about twice as fast as ``quads_for_pattern``, which builds a quad per triple)."""
    solutions = store.query(f"SELECT ?s ?o WHERE {{ ?s {predicate} ?o }}", use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    for subject, value in solutions:
        if isinstance(subject, ox.NamedNode) and isinstance(value, ox.NamedNode | ox.Literal):
            yield subject.value, value


def _values(store: ox.Store, predicate: ox.NamedNode, subjects: Container[str]) -> dict[str, str]:
    """``subject → value`` of one predicate for the given subjects (one scan; the smallest value kept)."""
    out: dict[str, str] = {}
    for subject, value in _pairs(store, predicate):
        if subject in subjects and (subject not in out or value.value < out[subject]):
            out[subject] = value.value
    return out


def _instances(store: ox.Store, cls: ox.NamedNode) -> set[str]:
    """The IRIs of the instances of ``cls`` (an index seek on the bound class, not a scan of rdf:type)."""
    return {
        q.subject.value
        for q in store.quads_for_pattern(None, OX_RDF.type, cls, None)
        if isinstance(q.subject, ox.NamedNode)
    }


def _ident(iri: str) -> str:
    """The identifier of a person, organe or place: the last segment of its IRI (as minted from it)."""
    return iri.rsplit("/", 1)[-1]


def _day(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def fill(db: sqlite3.Connection, store: ox.Store) -> None:
    """Write every table of :data:`SCHEMA` from ``store`` into the empty database ``db``."""
    db.executescript(SCHEMA)
    types: dict[str, str] = {}
    for cls, code in _TYPES:
        for quad in store.quads_for_pattern(None, OX_RDF.type, cls, None):
            if isinstance(quad.subject, ox.NamedNode):
                types[quad.subject.value] = code
    columns = {
        "title": OX_DCTERMS.title,
        "published": OX_HC.publicationDate,
        "answered": OX_HC.answerDate,
        "closed": OX_HC.closureDate,
        "status": OX_HC.status,
        "delay": OX_HC.answerDelayDays,
        "author": OX_DCTERMS.creator,
        "grp": OX_HC.authorGroup,
        "constituency": OX_HC.constituency,
        "questioned": OX_HC.questionedMinistry,
        "attributed": OX_HC.attributedMinistry,
    }
    facts = {name: _values(store, predicate, types) for name, predicate in columns.items()}
    events = _events(db, store, types)
    closure_labels = {q: label for q, kind, label in events if kind == "closure" and label}
    rows = []
    for iri, code in types.items():
        uid = iri.rsplit("/", 1)[-1]
        match = QUESTION_UID.match(uid)
        status = facts["status"].get(iri)
        delay = facts["delay"].get(iri)
        rows.append(
            (
                iri,
                uid,
                code,
                int(match.group(1)) if match else None,
                int(match.group(3)) if match else None,
                facts["title"].get(iri),
                _day(facts["published"].get(iri)),
                _day(facts["answered"].get(iri)),
                _day(facts["closed"].get(iri)),
                status.rsplit("#", 1)[-1] if status else None,
                int(delay) if delay is not None and delay.lstrip("-").isdigit() else None,
                *(
                    facts[name].get(iri)
                    for name in ("author", "grp", "constituency", "questioned", "attributed")
                ),
                closure_labels.get(iri),
            )
        )
    db.executemany(f"INSERT INTO question VALUES ({', '.join('?' * 17)})", rows)
    topics = [(q, t.value) for q, t in _pairs(store, OX_DCTERMS.subject) if q in types]
    db.executemany("INSERT INTO topic_of VALUES (?, ?)", topics)
    places = _values(store, OX_HC.department, _instances(store, OX_HC.Constituency))
    db.executemany("INSERT INTO place VALUES (?, ?)", sorted(places.items()))
    _memberships(db, store)
    _labels(db, store)
    db.commit()


def _events(
    db: sqlite3.Connection, store: ox.Store, types: dict[str, str]
) -> list[tuple[str, str, str | None]]:
    links: dict[str, tuple[str, str]] = {}  # event IRI → (question, kind)
    for predicate, kind in _EVENT_LINKS:
        for question, target in _pairs(store, predicate):
            if question in types and isinstance(target, ox.NamedNode):
                links[target.value] = (question, kind)
    order = _values(store, OX_HC.order, links)
    jo_day = _values(store, OX_HC.joDate, links)
    day = _values(store, OX_DCTERMS.date, links)
    ministry = _values(store, OX_HC.ministry, links)
    ministry.update(_values(store, OX_HC.answeringMinistry, links))
    label = _values(store, OX_HC.closureLabel, links)
    rows = []
    attributions = []
    for event, (question, kind) in links.items():
        n = int(order[event]) if event in order and order[event].isdigit() else None
        when = _day(jo_day.get(event) or day.get(event))
        rows.append((question, kind, n, when, event, ministry.get(event), label.get(event)))
        if kind == "attribution":
            attributions.append((question, n, when, ministry.get(event), event))
    db.executemany("INSERT INTO event VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO attribution VALUES (?, ?, ?, ?, ?)", attributions)
    return [(q, kind, lab) for q, kind, _, _, _, _, lab in rows]


#: The memberships pages list: deputies' mandates (their seats) and parliamentary groups.
MEMBERSHIP_TYPES: Final = ("ASSEMBLEE", "GP")


def _memberships(db: sqlite3.Connection, store: ox.Store) -> None:
    """Seats and group memberships: found by an index seek on their type, read by one lookup each (a few
    thousand lookups cost less than scans of dates every membership of the registry has)."""
    wanted = {
        OX_ORG.member.value: 1,
        OX_ORG.organization.value: 2,
        OX_SCHEMA.startDate.value: 4,
        OX_SCHEMA.endDate.value: 5,
        OX_HC.quality.value: 6,
        OX_HC.constituency.value: 7,
    }
    rows = []
    for kind in MEMBERSHIP_TYPES:
        for quad in store.quads_for_pattern(None, OX_HC.organeType, ox.Literal(kind), None):
            mandate = quad.subject
            if not isinstance(mandate, ox.NamedNode) or "/mandate/" not in mandate.value:
                continue
            row: list[str | None] = [mandate.value, None, None, kind, None, None, None, None]
            for fact in store.quads_for_pattern(mandate, None, None, None):
                column = wanted.get(fact.predicate.value)
                if column is not None and isinstance(fact.object, ox.NamedNode | ox.Literal):
                    row[column] = fact.object.value
            row[4], row[5] = _day(row[4]), _day(row[5])
            rows.append(tuple(row))
    db.executemany("INSERT OR IGNORE INTO membership VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _labels(db: sqlite3.Connection, store: ox.Store) -> None:
    """Names of people, bodies, places and topics (for listings) and the search entries (questions too)."""
    names = dict(_pairs(store, OX_FOAF.name))
    civility = {s: o.value for s, o in _pairs(store, OX_HC.civility)}
    label_rows: list[tuple[str, str, str, str | None]] = []
    entries: list[tuple[str, str, str, str, str]] = []
    for person, name in names.items():
        display = f"{civility[person]} {name.value}" if person in civility else name.value
        label_rows.append((person, display, "person", _ident(person)))
        entries.append((name.value, _ident(person), person, "person", _ident(person)))
    organes = _instances(store, OX_ORG.Organization)
    pref = {s: o.value for s, o in _pairs(store, OX_SKOS.prefLabel) if s in organes}
    short = {s: o.value for s, o in _pairs(store, OX_HC.shortLabel) if s in organes}
    abbreviation = {s: o.value for s, o in _pairs(store, OX_HC.abbreviation) if s in organes}
    kind = dict.fromkeys(_instances(store, OX_HC.ParliamentaryGroup), "groupe parlementaire")
    kind.update(dict.fromkeys(_instances(store, OX_HC.Ministry), "ministère"))
    for organe in organes:
        full = pref.get(organe) or short.get(organe) or _ident(organe) or organe
        extra = " ".join(x for x in (_ident(organe), short.get(organe), abbreviation.get(organe)) if x)
        label_rows.append((organe, full, "organe", short.get(organe)))
        entries.append((full, extra, organe, "organe", kind.get(organe, "")))
    for concept, value in _pairs(store, OX_SKOS.prefLabel):
        match = _CONCEPT_SCHEME.search(concept)
        if match and concept not in organes:
            label_rows.append((concept, value.value, "topic", match.group(1)))
            entries.append((value.value, "", concept, "topic", match.group(1)))
    for place, value in _pairs(store, OX_RDFS.label):
        if "/constituency/" in place or "/department/" in place:
            label_rows.append((place, value.value, "place", _ident(place)))
            entries.append((value.value, _ident(place), place, "place", _ident(place)))
    db.executemany("INSERT OR IGNORE INTO label VALUES (?, ?, ?, ?)", label_rows)
    for iri, uid, title, author in db.execute("SELECT iri, uid, title, author FROM question"):
        author_name = names[author].value if author in names else ""
        entries.append((uid, f"{title or ''} {author_name}", iri, "question", title or ""))
    db.executemany("INSERT INTO entry VALUES (?, ?, ?, ?, ?)", entries)
