"""What reading and mapping a chunk of files gives: the mapped records, what was read, what was rejected."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from kg.errors import InputError
from kg.report import Diagnostic, QuarantineEntry, rejection
from kg.validation.results import ValidationResult


class Spooled(NamedTuple):
    """Where a record's output piece is: bytes of a worker's spool file (see ``WorkerSetup.spool``)."""

    path: str
    offset: int
    length: int


class MappedRecord(NamedTuple):  # a tuple: pickled natively between processes (a dataclass is 10x slower)
    uid: str
    type: str  # QE | QOSD | QG
    source: str  # file (and pointer) it came from
    nquads: (
        bytes  # the quads of the question's own graph (empty in exporter mode when the output is not N-Quads)
    )
    shared: bytes  # its quads in the add-only shared graphs (topics, mentions), one N-Quads line each
    rendered: bytes = b""  # its own graph's triples in the output's format (when the workers write it)
    results: tuple[ValidationResult, ...] = ()  # its SHACL results, warnings included (when judged)
    kept: bytes = b""  # its own graph's lines the dataset description reads (exporter mode only)
    triples: int = 0  # the quads of its own graph
    spooled: Spooled | None = None  # ``rendered``, written to a spool file by the worker instead


@dataclass
class Intake:
    """What reading and mapping some files gave."""

    files: int = 0
    #: per file, in order: the uids it gave and whether all its records landed
    file_results: list[tuple[list[str], bool]] = field(default_factory=list)
    records_read: int = 0
    bad_input: bool = False
    mapped: list[MappedRecord] = field(default_factory=list)
    cpu: defaultdict[str, float] = field(
        default_factory=lambda: defaultdict(float)
    )  # CPU seconds per step, in the process that did it
    diagnostics: list[Diagnostic] = field(default_factory=list)
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    #: a slice of a large file's records that is not its last: the file's entry in ``file_results`` goes
    #: on in the next intake
    partial: bool = False

    def reject(self, name: str, exc: InputError, *, pointer: str | None = None) -> None:
        """Count ``exc`` against this intake: an error for the person, an entry in the quarantine report."""
        self.bad_input = True
        diagnostic, entry = rejection(name, exc, pointer=pointer)
        self.diagnostics.append(diagnostic)
        self.quarantine.append(entry)
