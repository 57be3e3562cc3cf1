"""What changed between two builds of the store: the state of every question, compared, as data and as Markdown.

A snapshot is read from a store with a few queries (one fact per question each). The report lists new
questions, new answers, re-attributions (another ministry in charge), signalements, closures other than an
answer (withdrawals, end of mandate, lapses…) and questions gone, each with its ministry, and counts per
ministry. It is the diff of two builds, so it says exactly what the new data changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox

from kg.export import atomic_writer
from kg.store import EmbeddedStore

PREFIXES = """PREFIX hc: <https://w3id.org/hemicycle/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
HC = "https://w3id.org/hemicycle/ontology#"
KINDS = ("new_questions", "new_answers", "reattributions", "signalements", "closures", "removed")
TITLES = {
    "new_questions": "New questions",
    "new_answers": "New answers",
    "reattributions": "Re-attributions",
    "signalements": "Signalements",
    "closures": "Closures (other than an answer)",
    "removed": "Questions no longer in the data",
}


@dataclass(slots=True)
class QuestionState:
    legislature: int
    type: str  # WrittenQuestion, OralQuestion, GovernmentQuestion
    status: str  # the derived status (local name)
    ministry: str | None = None  # IRI of the ministry in charge
    attributions: int = 0
    answers: int = 0
    signalements: int = 0
    closure: str | None = None  # the closure reason (local name)


Snapshot = dict[str, QuestionState]


def _local(term: Any) -> str:
    value = str(term.value)
    return value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _rows(store: ox.Store, query: str) -> Iterator[Any]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    yield from result


def snapshot(store: EmbeddedStore) -> tuple[Snapshot, dict[str, str]]:
    """Every question's state, by uid, and the label of every ministry (by IRI)."""
    db = store.store
    by_iri: dict[str, str] = {}
    states: Snapshot = {}
    for row in _rows(
        db,
        "SELECT ?q ?uid ?leg ?type ?status WHERE { ?q hc:status ?status ; dcterms:identifier ?uid ; "
        "hc:legislature ?leg ; a ?type . "
        "VALUES ?type { hc:WrittenQuestion hc:OralQuestion hc:GovernmentQuestion } }",
    ):
        uid = str(row["uid"].value)
        by_iri[row["q"].value] = uid
        states[uid] = QuestionState(int(row["leg"].value), _local(row["type"]), _local(row["status"]))

    def each(query: str) -> Iterator[tuple[QuestionState, Any]]:
        for row in _rows(db, query):
            uid = by_iri.get(row["q"].value)
            if uid is not None:
                yield states[uid], row

    for state, row in each("SELECT ?q ?m WHERE { ?q hc:attributedMinistry ?m }"):
        state.ministry = str(row["m"].value)
    for name, prop in (
        ("attributions", "attribution"),
        ("answers", "answer"),
        ("signalements", "signalement"),
    ):
        for state, row in each(f"SELECT ?q (COUNT(?x) AS ?n) WHERE {{ ?q hc:{prop} ?x }} GROUP BY ?q"):
            setattr(state, name, int(row["n"].value))
    for state, row in each("SELECT ?q ?reason WHERE { ?q hc:closure ?c . ?c hc:closureReason ?reason }"):
        state.closure = _local(row["reason"])
    labels = {
        str(row["m"].value): str(row["label"].value)
        for row in _rows(
            db,
            "SELECT ?m (MIN(STR(?l)) AS ?label) WHERE { ?m a hc:Ministry ; skos:prefLabel ?l } GROUP BY ?m",
        )
    }
    return states, labels


@dataclass(slots=True)
class Change:
    uid: str
    legislature: int
    ministry: str | None
    detail: str = ""


@dataclass(slots=True)
class ChangeReport:
    before: int = 0  # questions in the previous build (None: there was none)
    after: int = 0
    first_build: bool = False
    changes: dict[str, list[Change]] = field(default_factory=lambda: {kind: [] for kind in KINDS})

    def count(self, kind: str) -> int:
        return len(self.changes[kind])

    @property
    def empty(self) -> bool:
        return not any(self.changes.values())

    def per_ministry(self) -> dict[str, Counter[str]]:
        table: dict[str, Counter[str]] = {}
        for kind, changes in self.changes.items():
            for change in changes:
                table.setdefault(change.ministry or "(no ministry)", Counter())[kind] += 1
        return dict(sorted(table.items()))

    def one_line(self) -> str:
        counts = ", ".join(
            f"{TITLES[k].split(' (')[0].lower()} {self.count(k)}" for k in KINDS if self.count(k)
        )
        where = "first build" if self.first_build else "since the last update"
        return f"questions {self.before} → {self.after}; {where}: {counts or 'no change'}"

    def to_json(self) -> dict[str, Any]:
        return {
            "questions_before": self.before,
            "questions_after": self.after,
            "first_build": self.first_build,
            "counts": {kind: self.count(kind) for kind in KINDS},
            "per_ministry": {m: dict(c) for m, c in self.per_ministry().items()},
            "changes": {kind: [asdict(c) for c in changes] for kind, changes in self.changes.items()},
        }

    def markdown(self, title: str = "What changed") -> str:
        lines = [f"# {title}", "", self.one_line(), ""]
        if self.empty:
            return "\n".join(lines)
        lines += ["## Per ministry", "", "| Ministry | " + " | ".join(TITLES[k] for k in KINDS) + " |"]
        lines.append("|---|" + "---:|" * len(KINDS))
        for ministry, counts in self.per_ministry().items():
            cells = " | ".join(str(counts.get(k, 0)) for k in KINDS)
            lines.append(f"| {_cell(ministry)} | {cells} |")
        for kind in KINDS:
            changes = self.changes[kind]
            if not changes:
                continue
            lines += ["", f"## {TITLES[kind]} ({len(changes)})", ""]
            lines += [
                f"- {c.uid} (legislature {c.legislature}, {_cell(c.ministry or 'no ministry')})"
                + (f": {c.detail}" if c.detail else "")
                for c in changes
            ]
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def diff(
    old: Snapshot | None, new: Snapshot, old_labels: dict[str, str], new_labels: dict[str, str]
) -> ChangeReport:
    """The changes from ``old`` (``None``: no previous build, everything is new) to ``new``."""
    labels = {**old_labels, **new_labels}

    def name(iri: str | None) -> str | None:
        return labels.get(iri, iri) if iri else None

    report = ChangeReport(before=len(old or {}), after=len(new), first_build=old is None)
    before = old or {}
    for uid in sorted(new):
        now = new[uid]
        was = before.get(uid)
        ministry = name(now.ministry)

        found: list[tuple[str, str]] = []
        if was is None:
            found.append(("new_questions", now.type))
            was = QuestionState(now.legislature, now.type, "")
        if now.answers > was.answers:
            found.append(("new_answers", f"{now.answers - was.answers} answer(s)"))
        if uid in before and (now.attributions > was.attributions or now.ministry != was.ministry):
            found.append(("reattributions", f"from {name(was.ministry)} to {ministry}"))
        if now.signalements > was.signalements:
            found.append(("signalements", ""))
        if now.closure and now.closure != was.closure and now.closure != "AnswerPublished":
            found.append(("closures", now.closure))
        for kind, detail in found:
            report.changes[kind].append(Change(uid, now.legislature, ministry, detail))
    for uid in sorted(set(before) - set(new)):
        gone = before[uid]
        report.changes["removed"].append(Change(uid, gone.legislature, name(gone.ministry)))
    return report


def write_report(report: ChangeReport, json_path: Path, markdown_path: Path) -> None:
    with atomic_writer(json_path) as handle:
        handle.write(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2) + b"\n")
    with atomic_writer(markdown_path) as handle:
        handle.write(report.markdown().encode("utf-8"))


def save_snapshot(path: Path, states: Snapshot, labels: dict[str, str]) -> None:
    body = {"questions": {uid: asdict(s) for uid, s in sorted(states.items())}, "ministries": labels}
    with atomic_writer(path) as handle:
        handle.write(orjson.dumps(body))


def load_snapshot(path: Path) -> tuple[Snapshot, dict[str, str]] | None:
    """A snapshot saved by :func:`save_snapshot`; ``None`` when there is none or it cannot be read."""
    try:
        body = orjson.loads(path.read_bytes())
        states = {str(uid): QuestionState(**value) for uid, value in body["questions"].items()}
        return states, {str(k): str(v) for k, v in body["ministries"].items()}
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        return None
