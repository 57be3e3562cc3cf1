"""What a person is told about an input: diagnostics, quarantine entries, and one helper that turns an error into both."""

from __future__ import annotations

from dataclasses import dataclass, replace

import orjson

from kg.errors import InputError, RecordError


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something a person should know about an input: where, which record, which field, what."""

    severity: str  # "error" | "warning"
    file: str
    message: str
    record: str | None = None  # uid or pointer
    field: str | None = None  # dotted source path
    code: str = "input"  # machine-readable kind: unknown-field, bad-date, conflict, …

    def one_line(self) -> str:
        where = self.file
        if self.record:
            where += f" [{self.record}]"
        if self.field:
            where += f" {self.field}"
        return f"{self.severity}: {where}: {self.message}"


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """A record kept out of the graph, with why. One JSON object per line in ``quarantine.jsonl``."""

    file: str
    message: str
    uid: str | None = None
    field: str | None = None
    pointer: str | None = None
    kind: str = "input"  # input (unreadable/unparsable) | duplicate | shacl
    # for kind "shacl": the SHACL result
    focus: str | None = None
    value: str | None = None
    shape: str | None = None
    component: str | None = None
    severity: str | None = None
    kept: bool = False  # --keep-invalid: the record is in the graph all the same, flagged

    @property
    def record_key(self) -> tuple[str, str | None, str | None]:
        """Entries with the same key are about the same input record."""
        return (self.file, self.uid, self.pointer)

    def to_json(self) -> bytes:
        entry: dict[str, object] = {
            "file": self.file,
            "uid": self.uid,
            "pointer": self.pointer,
            "field": self.field,
            "kind": self.kind,
            "message": self.message,
        }
        if self.kind == "shacl":
            entry |= {
                "focus": self.focus,
                "path": self.field,
                "value": self.value,
                "shape": self.shape,
                "component": self.component,
                "severity": self.severity,
                "kept": self.kept,
            }
        return orjson.dumps(entry)


def quarantined(
    file: str,
    message: str,
    *,
    uid: str | None = None,
    pointer: str | None = None,
    field: str | None = None,
    kind: str = "input",
    code: str = "input",
) -> tuple[Diagnostic, QuarantineEntry]:
    """A record kept out of the graph, as what the person reads (an error) and what the quarantine report keeps."""
    return (
        Diagnostic("error", file, message, record=uid, field=field, code=code),
        QuarantineEntry(file=file, uid=uid, pointer=pointer, field=field, kind=kind, message=message),
    )


def rejection(
    name: str, exc: InputError, *, pointer: str | None = None
) -> tuple[Diagnostic, QuarantineEntry]:
    """An input error (the record could not be read) as :func:`quarantined` gives it, its one line as the entry's message."""
    code = getattr(exc, "code", "bad-record" if isinstance(exc, RecordError) else "unreadable")
    diagnostic, entry = quarantined(
        exc.file or name, exc.message, uid=exc.record, pointer=pointer, field=exc.field, code=code
    )
    return diagnostic, replace(entry, message=exc.one_line())
