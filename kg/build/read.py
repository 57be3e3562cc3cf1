"""The one read front door: a file is decoded as question records or read as a question page, record by record."""

from __future__ import annotations

from collections.abc import Iterator

from kg.build.records import Intake
from kg.errors import InputError, RecordError
from kg.models import Question
from kg.reconcile import looks_like_page, read_page_file
from kg.registry import Registry
from kg.report import Diagnostic
from kg.sources.files import PAGE_SUFFIXES, InputFile
from kg.sources.questions import decode_question_file, parse_question


def read_file(file: InputFile, intake: Intake, registry: Registry) -> Iterator[Question]:
    """Decode and parse one file, record by record. Failures go to ``intake``, never raised: a file that
    cannot be decoded counts as one record read and quarantined (the records before the point where it
    broke still land); a bad record likewise, and the file goes on. A question page (Markdown or HTML,
    recognised by its content) is read and reconciled with the registry."""
    problems: list[Diagnostic] = []
    try:
        data = file.read_bytes()
        if file.suffix in PAGE_SUFFIXES or looks_like_page(data):
            yield from _read_page(file, data, intake, registry)
            return
        for raw in decode_question_file(file.name, data, diagnostics=problems):
            intake.records_read += 1
            try:
                question, warnings = parse_question(raw)
            except RecordError as exc:
                intake.reject(file.name, exc, pointer=raw.pointer)
                continue
            intake.diagnostics.extend(warnings)
            yield question
    except InputError as exc:
        intake.records_read += 1
        intake.reject(file.name, exc)
    for problem in problems:  # parts of a multi-record file that are not records
        if problem.severity == "error":
            intake.records_read += 1
            intake.reject(
                file.name,
                InputError(problem.message, file=problem.file, record=problem.record, field=problem.field),
            )
        else:
            intake.diagnostics.append(problem)


def _read_page(file: InputFile, data: bytes, intake: Intake, registry: Registry) -> Iterator[Question]:
    if not looks_like_page(data):
        intake.diagnostics.append(
            Diagnostic(
                "warning",
                file.name,
                "not a question page of the Assemblée's website; skipped",
                code="not-a-page",
            )
        )
        return
    intake.records_read += 1
    try:
        question, warnings, _report = read_page_file(file.name, data, registry)
    except RecordError as exc:  # an unreadable page, or an author the registry cannot tell: candidates named
        intake.reject(file.name, exc)
        return
    intake.diagnostics.extend(warnings)  # unknown lines, unresolved or ambiguous labels (with candidates)
    yield question
