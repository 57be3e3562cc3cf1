"""The one read front door: a file is decoded as question records (open data, the old site's XML) or read as a page.

Record by record; a file named on the command line that gives no question is an error, never a skip.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.build.records import Intake
from kg.errors import InputError, RecordError
from kg.models import Question
from kg.reconcile import IncompletePageError, looks_like_page, read_page_file
from kg.reconcile_records import reconcile_record
from kg.registry import Registry
from kg.report import Diagnostic, rejection
from kg.sources.files import PAGE_SUFFIXES, InputFile
from kg.sources.oldsite import is_old_site_xml, old_site_record
from kg.sources.pages import PageError
from kg.sources.question_decode import RawQuestion, decode_question_file
from kg.sources.questions import parse_question


def read_file(file: InputFile, intake: Intake, registry: Registry) -> Iterator[Question]:
    """Decode and parse one file, record by record. Failures go to ``intake``, never raised: a file that
    cannot be decoded counts as one record read and quarantined (the records before the point where it
    broke still land); a bad record likewise, and the file goes on. A question page (HTML, Markdown or text,
    recognised by its content) is read and reconciled with the registry; the old question site's XML is read
    as the open-data record it stands for. Records are reconciled like pages (label-only organes, groups the
    date contradicts: :func:`kg.reconcile_records.reconcile_record`)."""
    problems: list[Diagnostic] = []
    try:
        data = file.read_bytes()
        if file.suffix in PAGE_SUFFIXES or looks_like_page(data):
            yield from _read_page(file, data, intake, registry)
            return
        if is_old_site_xml(data):
            raw, found = old_site_record(file.name, data)  # an InputError is counted and reported below
            intake.records_read += 1
            intake.diagnostics.extend(found)
            try:
                question, warnings = parse_question(raw)
            except RecordError as exc:
                intake.reject(file.name, exc)
                return
            yield _reconciled(question, warnings, intake, registry)
            return
        yield from read_records(
            file.name, decode_question_file(file.name, data, diagnostics=problems), intake, registry
        )
    except InputError as exc:
        intake.records_read += 1
        intake.reject(file.name, exc)
    report_problems(file.name, problems, intake)


def decoded_records(file: InputFile) -> tuple[list[RawQuestion], list[Diagnostic]] | None:
    """A multi-record file's raw records and the problems found beside them, decoded at once, for the build
    to share its records out among the workers; ``None`` when it is not a file of records (a page, the old
    site's XML) or cannot be decoded: :func:`read_file` then reads it whole and says why."""
    problems: list[Diagnostic] = []
    try:
        data = file.read_bytes()
        if file.suffix in PAGE_SUFFIXES or looks_like_page(data) or is_old_site_xml(data):
            return None
        return list(decode_question_file(file.name, data, diagnostics=problems)), problems
    except InputError:
        return None


def read_records(
    name: str, raws: Iterable[RawQuestion], intake: Intake, registry: Registry
) -> Iterator[Question]:
    """Parse and reconcile decoded records of the file ``name``; a bad record goes to ``intake``."""
    for raw in raws:
        intake.records_read += 1
        try:
            question, warnings = parse_question(raw)
        except RecordError as exc:
            intake.reject(name, exc, pointer=raw.pointer)
            continue
        yield _reconciled(question, warnings, intake, registry)


def report_problems(name: str, problems: Iterable[Diagnostic], intake: Intake) -> None:
    """The parts of a multi-record file that are not records: an error is a record read and quarantined."""
    for problem in problems:
        if problem.severity == "error":
            intake.records_read += 1
            intake.reject(
                name,
                InputError(problem.message, file=problem.file, record=problem.record, field=problem.field),
            )
        else:
            intake.diagnostics.append(problem)


def _reconciled(
    question: Question, warnings: list[Diagnostic], intake: Intake, registry: Registry
) -> Question:
    intake.diagnostics.extend(warnings)
    question, found = reconcile_record(question, registry)
    intake.diagnostics.extend(found)  # labels left on a fallback, anachronistic groups settled
    return question


def _read_page(file: InputFile, data: bytes, intake: Intake, registry: Registry) -> Iterator[Question]:
    if not looks_like_page(data):
        if file.named:  # a file named on the command line that gives no question is an error, never skipped
            intake.records_read += 1
            intake.reject(
                file.name,
                PageError(
                    "gives no question: not a question page (no question-number line, no line a question "
                    "page has) and not a question record",
                    file=file.name,
                    code="not-a-page",
                ),
            )
            return
        intake.diagnostics.append(
            Diagnostic(
                "warning",
                file.name,
                "not a question page of the Assemblée's sites; skipped",
                code="not-a-page",
            )
        )
        return
    intake.records_read += 1
    try:
        question, warnings, _report = read_page_file(file.name, data, registry)
    except IncompletePageError as exc:  # read, but no complete question: quarantined with every fact (exit 1)
        intake.diagnostics.extend(exc.warnings)
        diagnostic, entry = rejection(file.name, exc)
        intake.diagnostics.append(diagnostic)
        intake.quarantine.append(entry)
        return
    except RecordError as exc:  # a page without its number or with an unreadable line: bad input (exit 2)
        intake.diagnostics.extend(getattr(exc, "warnings", ()))
        intake.reject(file.name, exc)
        return
    intake.diagnostics.extend(warnings)  # unknown lines, unresolved or ambiguous labels (with candidates)
    yield question
