"""Question pages of the Assemblée's sites, whatever their generation and markup: detect, decode, read.

A page names people and bodies by label only; this module reads what the page says, typed, and nothing more
(:mod:`kg.reconcile` turns the labels into registry ids). Every rendering — the old question site
(``questions.assemblee-nationale.fr/qNN/NN-NNNNQE.htm``), the current site (``/dyn/{leg}/questions/{uid}``) in
its designs, as HTML, as Markdown or as the plain text a browser's "save as text" gives — is first cut into
text lines (:mod:`kg.sources.page_lines`: HTML through lxml, block elements → lines), then one line grammar
reads them (:mod:`kg.sources.page_grammar`) with the label tables of :mod:`kg.sources.page_labels`.

Pages are recognised by their content (:func:`looks_like_page`), not by their file name. A line the reader
does not know is reported as a warning :class:`~kg.report.Diagnostic` (code ``unknown-line`` /
``unknown-section``) with its line number, never dropped silently; a page that cannot give a question
identity (number, type, legislature) or whose known lines cannot be read raises :class:`PageError` naming the
file and the field.
"""

from __future__ import annotations

import re

from kg.report import Diagnostic
from kg.sources.page_grammar import read_lines, recognised
from kg.sources.page_labels import (
    MONTHS,
    TYPE_LABELS,
    DateKind,
    fold,
    format_french_date,
    parse_french_date,
)
from kg.sources.page_lines import Line, markdown_inline_to_html, markdown_to_html, page_lines
from kg.sources.page_model import KeyDate, PageError, PageQuestion

__all__ = [
    "MONTHS",
    "TYPE_LABELS",
    "DateKind",
    "KeyDate",
    "Line",
    "PageError",
    "PageQuestion",
    "fold",
    "format_french_date",
    "looks_like_page",
    "markdown_inline_to_html",
    "markdown_to_html",
    "parse_french_date",
    "read_page",
]

_XML_RECORD = re.compile(rb"schemas\.assemblee-nationale\.fr/referentiel|<question[\s>]|<QUESTION[\s>]")
#: Page labels a text must hold, without a question-number line, to be taken for a page.
MIN_LABELS = 2


def _not_a_page(data: bytes) -> bool:
    """Records (JSON, XML) are told apart from the first bytes: they never reach the line grammar."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        return True
    if head == b"<":
        start = data[:4096]
        return bool(_XML_RECORD.search(start)) or (
            b"<?xml" in start and not re.search(rb"<html\b", start, re.I)
        )
    return False


def looks_like_page(data: bytes) -> bool:
    """True when the bytes are a question page (HTML, Markdown or text) rather than a record or other text.

    Decided by content, line by line: a line naming the question ("Question écrite n° 40439", the old site's
    "Question N° 40439", "Numéro de la question : 40439"), or at least two lines of the page grammar
    ("Données clés", "Question de : …", "Ministère interrogé > …", "Question publiée le …"). Prose that merely
    mentions such labels (a README) is not cut into such lines."""
    if _not_a_page(data):
        return False
    try:
        lines, _ = page_lines("page", data)
    except PageError:
        lines = []
        for encoding in ("utf-8", "latin-1"):  # undecodable: judge on what can be read, the reader says why
            try:
                lines, _ = page_lines("page", data.decode(encoding, errors="replace").encode("utf-8"))
                break
            except PageError:
                continue
    identity, labels = recognised(lines)
    return identity or labels >= MIN_LABELS


def read_page(name: str, data: bytes) -> tuple[PageQuestion, list[Diagnostic]]:
    """Read one page (HTML, Markdown or plain text, told apart by content). Returns the page and its warnings.

    Raises :class:`PageError` (a :class:`~kg.errors.RecordError`) naming the file and the field when the
    bytes are not a question page (code ``not-a-page``), cannot be decoded, lack the question's identity
    (``no-number``, ``not-a-question``), or carry a key line whose value cannot be read (a date that is not
    one, two different numbers …)."""
    if not looks_like_page(data):
        raise PageError(
            "not a question page (no 'Question écrite n° …' or 'Question N° …' line, and not two lines a "
            "question page has: 'Données clés', 'Question de :', 'Ministère interrogé', …)",
            file=name,
            code="not-a-page",
        )
    lines, fmt = page_lines(name, data)
    return read_lines(name, data, lines, fmt)
