"""Error types and the exit codes they map to. Only ``kg.cli`` exits; library code raises these."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    NOT_CONFORMING = 1  # data does not conform (SHACL violations, quarantined records)
    BAD_INPUT = 2  # unreadable/unparsable input, bad usage
    ENDPOINT = 3  # endpoint / network failure
    BUSY = 4  # a lock is held by another build, fetch or update


class KgError(Exception):
    """Base class: every error the tool reports to a person carries an exit code."""

    exit_code: ExitCode = ExitCode.BAD_INPUT


class InputError(KgError):
    """An input cannot be used. ``str()`` is one line naming the file, the record and the field."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(
        self, message: str, *, file: str | None = None, record: str | None = None, field: str | None = None
    ) -> None:
        self.message = message
        self.file = file
        self.record = record
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.record:
            parts.append(f"[{self.record}]")
        if self.field:
            parts.append(self.field)
        where = " ".join(parts)
        text = " ".join(self.message.split())  # one line, always
        return f"{where}: {text}" if where else text


class RecordError(InputError):
    """One record is bad; the batch goes on and the record goes to the quarantine report."""


class EndpointError(KgError):
    exit_code = ExitCode.ENDPOINT
