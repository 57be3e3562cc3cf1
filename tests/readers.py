"""A reader over a whole input for the tests: decode and parse every record of every file, going on after errors.

The build reads through :mod:`kg.build.read`; this composes the same two steps of :mod:`kg.sources` for the
tests of the readers and of the generated corpora.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError, RecordError
from kg.models import Question
from kg.report import Diagnostic
from kg.sources import question_decode
from kg.sources.files import InputFile, iter_input_files
from kg.sources.question_decode import QuestionRecordError
from kg.sources.questions import parse_question


def read_questions(root: Path) -> Iterator[Question | Diagnostic]:
    """Every question under ``root`` (a file, a folder, a zip), with warnings and errors as diagnostics.

    A file or record that cannot be used yields ``Diagnostic(severity="error")`` and reading goes on with
    the next record or file; warnings are yielded right before their question. Never raises for bad data.
    """
    files = iter_input_files(root)
    while True:
        try:
            entry = next(files)
        except StopIteration:
            return
        except InputError as exc:  # the input itself is missing or unreadable: nothing more to walk
            yield _error(exc.file or str(root), None, None, exc.message, "unreadable-file")
            return
        except OSError as exc:
            yield _error(str(root), None, None, f"cannot list the input ({exc})", "unreadable-file")
            return
        yield from _read_file(entry)


def _read_file(entry: InputFile) -> Iterator[Question | Diagnostic]:
    try:
        data = entry.read_bytes()
        for item in question_decode.decode(entry.name, data):
            if isinstance(item, Diagnostic):
                yield item
                continue
            try:
                question, warnings = parse_question(item)
            except RecordError as exc:
                code = exc.code if isinstance(exc, QuestionRecordError) else "bad-record"
                yield _error(item.file, exc.record, exc.field, exc.message, code)
                continue
            yield from warnings
            yield question
    except InputError as exc:
        yield _error(entry.name, exc.record, exc.field, exc.message, "unreadable-file")


def _error(file: str, record: str | None, field: str | None, message: str, code: str) -> Diagnostic:
    return Diagnostic(severity="error", file=file, record=record, field=field, message=message, code=code)
