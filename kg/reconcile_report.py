"""The reconciliation report: every label a page or record gives, what it resolved to, and the candidates weighed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from kg.report import Diagnostic

__all__ = ["PROBLEMS", "Candidate", "LabelResolution", "ReconciliationReport", "Status", "day", "summarize"]


class Status(StrEnum):
    RESOLVED = "resolved"  # the page's label matched exactly one registry record valid when it had to be
    DERIVED = "derived"  # the page names no such thing: found through the registry (e.g. the mandate)
    AMBIGUOUS = "ambiguous"  # several candidates remain: none is chosen
    UNRESOLVED = "unresolved"  # no candidate: none is chosen
    CONFLICT = "conflict"  # chosen, but the page and the registry disagree on something (see note)


#: statuses that leave the label without a registry id
PROBLEMS = frozenset({Status.AMBIGUOUS, Status.UNRESOLVED})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A registry record considered for a label, and why it was kept or set aside."""

    uid: str
    label: str
    start: date | None = None
    end: date | None = None
    note: str = ""

    def one_line(self) -> str:
        span = f" [{day(self.start)}..{day(self.end)}]" if (self.start or self.end) else ""
        return f"{self.uid} {self.label!r}{span}" + (f" — {self.note}" if self.note else "")


@dataclass(frozen=True, slots=True)
class LabelResolution:
    """One label of the page (or one link the page implies) and what became of it."""

    field: str  # the page's line: "Auteur", "Circonscription", "Groupe", "Ministère interrogé", …
    kind: str  # person | mandate | constituency | group | ministry
    label: str | None  # as the page writes it (None when the page names nothing: status DERIVED)
    status: Status
    chosen: str | None = None  # PA…, PM…, PO…, or a constituency "92-6"
    on: date | None = None  # the date the record had to be valid on
    window: tuple[date | None, date | None] | None = None  # …or the period it had to exist in
    candidates: tuple[Candidate, ...] = ()
    note: str = ""
    fallback: str | None = None  # the marked fallback IRI path (organe/unresolved/…) when nothing is chosen

    @property
    def ok(self) -> bool:
        return self.status not in PROBLEMS

    def when(self) -> str:
        if self.on is not None:
            return f"valid on {self.on.isoformat()}"
        if self.window is not None:
            return f"existing between {day(self.window[0])} and {day(self.window[1])}"
        return ""

    def one_line(self) -> str:
        return f"{self.field}: {self.summary()}"

    def summary(self) -> str:
        """What became of the label, without the field's name."""
        label = repr(self.label) if self.label is not None else "(not on the page)"
        target = self.chosen or (self.fallback and f"fallback {self.fallback}") or "—"
        parts = [f"{label} → {target} ({self.status.value}"]
        if self.when():
            parts.append(f", {self.when()}")
        parts.append(")")
        if self.note:
            parts.append(f"; {self.note}")
        return "".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "kind": self.kind,
            "label": self.label,
            "status": self.status.value,
            "chosen": self.chosen,
            "on": day(self.on) if self.on else None,
            "window": [day(self.window[0]), day(self.window[1])] if self.window else None,
            "fallback": self.fallback,
            "note": self.note,
            "candidates": [
                {
                    "uid": c.uid,
                    "label": c.label,
                    "start": c.start.isoformat() if c.start else None,
                    "end": c.end.isoformat() if c.end else None,
                    "note": c.note,
                }
                for c in self.candidates
            ],
        }


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """Every label of one page and what it resolved to. ``notes`` lists conventions applied to page facts."""

    file: str
    uid: str
    entries: tuple[LabelResolution, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def problems(self) -> tuple[LabelResolution, ...]:
        """Labels left without an id (ambiguous or unresolved)."""
        return tuple(e for e in self.entries if not e.ok)

    @property
    def conflicts(self) -> tuple[LabelResolution, ...]:
        return tuple(e for e in self.entries if e.status is Status.CONFLICT)

    def entry(self, field_name: str) -> LabelResolution | None:
        return next((e for e in self.entries if e.field == field_name), None)

    def chosen(self) -> dict[str, str | None]:
        """field → chosen id (None for a problem), e.g. ``{"Auteur": "PA345722", …}``."""
        return {e.field: e.chosen for e in self.entries}

    def diagnostics(self) -> list[Diagnostic]:
        """A warning for every label left without an id and every conflict, naming its candidates."""
        found = []
        for e in self.entries:
            if e.status in PROBLEMS or e.status is Status.CONFLICT:
                candidates = "; ".join(c.one_line() for c in e.candidates) or "none"
                code = {
                    Status.AMBIGUOUS: "ambiguous-label",
                    Status.UNRESOLVED: "unresolved-label",
                    Status.CONFLICT: "conflict",
                }[e.status]
                found.append(
                    Diagnostic(
                        severity="warning",
                        file=self.file,
                        record=self.uid,
                        field=e.field,
                        code=code,
                        message=f"{e.summary()}; candidates: {candidates}",
                    )
                )
        return found

    def lines(self) -> list[str]:
        """The report for a person to read: one line per label, candidates indented below problems."""
        out = [f"{self.uid} ({self.file})"]
        for e in self.entries:
            out.append(f"  {e.one_line()}")
            if e.status is not Status.RESOLVED and e.status is not Status.DERIVED:
                out.extend(f"      candidate {c.one_line()}" for c in e.candidates)
        out.extend(f"  note: {note}" for note in self.notes)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "uid": self.uid,
            "entries": [e.to_json() for e in self.entries],
            "notes": list(self.notes),
        }


def day(day: date | None) -> str:
    return day.isoformat() if day else "…"


def summarize(reports: Iterable[ReconciliationReport]) -> dict[str, int]:
    """Counts by status over many pages (for a build's summary line)."""
    counts: dict[str, int] = {status.value: 0 for status in Status}
    for report in reports:
        for entry in report.entries:
            counts[entry.status.value] += 1
    return counts
