"""Question pages of the Assemblée's website (``/dyn/{leg}/questions/{uid}``), as Markdown or as HTML.

A page names people and bodies by label only; this module reads what the page says, typed, and nothing more
(:mod:`kg.reconcile` turns the labels into registry ids). Both encodings of a page give the same
:class:`PageQuestion`: the HTML and the Markdown are first reduced to the same list of :class:`Block`
(headings and paragraphs, each with its plain text and a canonical inline-HTML form), then one parser reads
the blocks:

* the header: ``ASSEMBLÉE NATIONALE``, ``15ème législature``, the title (the *analyse*), ``Question écrite
  n° 40439``;
* ``## Texte de la question`` / ``## Texte de la réponse``: the texts, kept as canonical HTML fragments
  (``<p>`` paragraphs, ``<em>``, ``<strong>``, ``<sup>``, ``<sub>``, ``<br />``; links reduced to their text),
  the form the open-data dumps use — one paragraph without markup stays plain text, as in the dumps;
* ``## Données clés`` and ``## Date(s) clé(s)``: one ``Label : value`` line each (author, constituency and
  group, type, number, rubrique, ministries; publication with page, answer with page, signalement, renewal,
  change of attribution, withdrawal with its reason, sitting), dates in French words (``1er décembre
  2019``), as on the old site (``21/05/2022``) or ISO.

Pages are recognised by their content (:func:`looks_like_page`), not by their file name. A line or section
the reader does not know is reported as a warning :class:`~kg.models.Diagnostic` (code ``unknown-line`` /
``unknown-section``), never dropped silently; a page that cannot give a question identity (type, number,
legislature) or whose known lines cannot be read raises :class:`PageError` naming the file and the field.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final, Literal

import lxml.etree as etree
import lxml.html

from kg.errors import RecordError
from kg.models import QuestionType
from kg.report import Diagnostic

__all__ = [
    "TYPE_LABELS",
    "Block",
    "DateKind",
    "KeyDate",
    "PageError",
    "PageQuestion",
    "format_french_date",
    "looks_like_page",
    "markdown_inline_to_html",
    "markdown_to_html",
    "parse_french_date",
    "read_page",
]

#: The type of a question as a page writes it.
TYPE_LABELS: Final[dict[QuestionType, str]] = {
    QuestionType.WRITTEN: "Question écrite",
    QuestionType.ORAL: "Question orale sans débat",
    QuestionType.GOVERNMENT: "Question au Gouvernement",
}


class PageError(RecordError):
    """A page that cannot be read as a question. ``code`` is machine-readable (``not-a-page``, ``bad-date`` …)."""

    def __init__(
        self, message: str, *, file: str, record: str | None = None, field: str | None = None, code: str
    ) -> None:
        super().__init__(message, file=file, record=record, field=field)
        self.code = code


# ------------------------------------------------------------------ the typed page


class DateKind(StrEnum):
    """The key dates a page gives (section "Date(s) clé(s)")."""

    QUESTION_PUBLISHED = "question-published"  # Question publiée au JO le : …, page …
    ANSWER_PUBLISHED = "answer-published"  # Réponse publiée au JO le : …, page …
    SIGNALEMENT = "signalement"  # Question signalée au JO le : … / Date de signalement : …
    RENEWAL = "renewal"  # Question renouvelée au JO le : … / Date de renouvellement : …
    ATTRIBUTION_CHANGE = "attribution-change"  # Date de changement d'attribution : …
    WITHDRAWN = "withdrawn"  # Question retirée le : … (motif)
    SITTING = "sitting"  # Date de la séance : … (QG, QOSD)


@dataclass(frozen=True, slots=True)
class KeyDate:
    kind: DateKind
    date: date
    page: int | None = None  # JO page
    reason: str | None = None  # the parenthesised reason of a withdrawal: "Fin de mandat"
    label: str = field(default="", compare=False)  # the line's label as the page writes it
    line: int | None = field(default=None, compare=False)  # line in the source (1-based)


@dataclass(frozen=True, slots=True)
class PageQuestion:
    """What one question page says, typed. Labels are as written (markup removed); texts are HTML."""

    file: str
    sha256: str  # of the page's bytes
    format: Literal["markdown", "html"]
    legislature: int
    type: QuestionType
    number: int
    title: str | None = None
    question_html: str | None = (
        None  # canonical HTML fragment (<p>…</p>…), or plain text (one bare paragraph)
    )
    answer_html: str | None = None
    author: str | None = None  # "Mme Constance Le Grip"
    author_civility: str | None = None  # "Mme" | "M." | "Mlle"
    author_name: str | None = None  # "Constance Le Grip"
    author_ref: str | None = None  # PA… when the page links to the deputy's page (HTML pages do)
    constituency: str | None = None  # "Hauts-de-Seine (6e circonscription)"
    department: str | None = None  # "Hauts-de-Seine"
    constituency_number: int | None = None  # 6
    group: str | None = None  # "Les Républicains"
    rubrique: str | None = None  # as the page writes it: "Numérique"
    tete_analyse: str | None = None
    analyse: str | None = None  # an explicit "Analyse :" line, when the page has one
    questioned_ministry: str | None = None
    attributed_ministry: str | None = None
    dates: tuple[KeyDate, ...] = ()
    links: tuple[str, ...] = field(default=(), compare=False)  # every link target met (for diagnostics)

    @property
    def uid(self) -> str:
        return f"QANR5L{self.legislature}{self.type.value}{self.number}"

    def dates_of(self, kind: DateKind) -> tuple[KeyDate, ...]:
        return tuple(d for d in self.dates if d.kind is kind)

    def first(self, kind: DateKind) -> KeyDate | None:
        return next((d for d in self.dates if d.kind is kind), None)


# ------------------------------------------------------------------ French dates

MONTHS: Final[tuple[str, ...]] = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_WEEKDAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_MONTH_RE = r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre"
#: A date as pages write it, at the start of a value: words, the old site's DD/MM/YYYY, or ISO.
DATE_RE: Final = re.compile(
    rf"(?:(?:{_WEEKDAYS})\s+)?(?P<day>\d{{1,2}})\s*(?:er|ER)?\s+(?P<month>{_MONTH_RE})\s+(?P<year>\d{{4}})"
    r"|(?P<nday>\d{1,2})/(?P<nmonth>\d{1,2})/(?P<nyear>\d{4})"
    r"|(?P<iyear>\d{4})-(?P<imonth>\d{2})-(?P<iday>\d{2})",
    re.IGNORECASE,
)


def _month_number(name: str) -> int:
    folded = fold(name)
    for number, month in enumerate(MONTHS, start=1):
        if fold(month) == folded:
            return number
    raise ValueError(f"unknown month {name!r}")


def _date_of(match: re.Match[str]) -> date:
    if match.group("day"):
        day, month, year = (
            int(match.group("day")),
            _month_number(match.group("month")),
            int(match.group("year")),
        )
    elif match.group("nday"):
        day, month, year = int(match.group("nday")), int(match.group("nmonth")), int(match.group("nyear"))
    else:
        day, month, year = int(match.group("iday")), int(match.group("imonth")), int(match.group("iyear"))
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"impossible date {match.group(0)!r} ({exc})") from None


def parse_french_date(text: str) -> date:
    """``27 juillet 2021``, ``1er décembre 2019``, ``mardi 27 juillet 2021``, ``27/07/2021``, ``2021-07-27``.

    The whole text must be the date (markup such as ``1<sup>er</sup>`` removed first). Raises ``ValueError``
    naming the text otherwise, or for an impossible day (``31 février 2021``)."""
    cleaned = _squash(_strip_tags(text))
    match = DATE_RE.fullmatch(cleaned)
    if match is None:
        raise ValueError(
            f"not a date: {text!r} (expected '27 juillet 2021', '1er décembre 2019', DD/MM/YYYY or YYYY-MM-DD)"
        )
    return _date_of(match)


def format_french_date(day: date) -> str:
    """``27 juillet 2021``; the first of the month is ``1er``, as the Assemblée writes it."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


# ------------------------------------------------------------------ text helpers


def fold(text: str) -> str:
    """Lower case, accents and typographic variants folded, spaces collapsed: for comparing labels."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'").replace("`", "'")
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return " ".join(text.split())


_TAG = re.compile(r"<[^>]*>")


def _strip_tags(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment))


def _squash(text: str) -> str:
    """Collapse whitespace (NBSP included: it is layout in labels and values) and trim."""
    return " ".join(text.replace("\xa0", " ").split())


def _plain(fragment: str) -> str:
    return _squash(_strip_tags(fragment))


# ------------------------------------------------------------------ blocks: what both encodings reduce to


@dataclass(frozen=True, slots=True)
class Block:
    """A heading (``level`` 1–6) or a paragraph (``level`` 0) of a page, in reading order."""

    level: int
    html: str  # canonical inline HTML (no block tags)
    line: int | None = None
    links: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return _plain(self.html)


# --- Markdown

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])")
_RAW_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^>]*?/?>")
_STRONG_STAR = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_STRONG_UNDER = re.compile(r"(?<![\w])__(?=\S)(.+?)(?<=\S)__(?![\w])")
_EM_STAR = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*")
_EM_UNDER = re.compile(r"(?<![\w])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w])")
#: inline tags kept in canonical HTML, and what they are written as
_INLINE_KEEP: Final[dict[str, str]] = {
    "em": "em",
    "i": "em",
    "strong": "strong",
    "b": "strong",
    "sup": "sup",
    "sub": "sub",
}
_PRIVATE = 0xE000  # placeholders for protected pieces (Unicode private use area)


def markdown_inline_to_html(text: str) -> tuple[str, tuple[str, ...]]:
    """One Markdown paragraph's inline markup → canonical HTML; also the link targets met.

    ``**x**``/``__x__`` → ``<strong>``, ``*x*``/``_x_`` → ``<em>``, ``[x](url)`` → ``x``, raw ``<sup>``,
    ``<sub>``, ``<em>``/``<i>``, ``<strong>``/``<b>``, ``<br>`` kept (other tags dropped, their text kept),
    backslash escapes honoured, ``&``/``<``/``>`` escaped, entities decoded first."""
    protected: list[str] = []

    def protect(piece: str) -> str:
        protected.append(piece)
        return chr(_PRIVATE + len(protected) - 1)

    links: list[str] = []
    text = _MD_ESCAPE.sub(lambda m: protect(html.escape(m.group(1), quote=False)), text)

    def tag(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        if name == "br":
            return protect("<br />")
        kept = _INLINE_KEEP.get(name)
        if kept is None:
            return ""
        return protect(f"</{kept}>" if match.group(0).startswith("</") else f"<{kept}>")

    text = _RAW_TAG.sub(tag, text)

    def link(match: re.Match[str]) -> str:
        links.append(match.group(2))
        return match.group(1)

    previous = None
    while previous != text:  # links may nest emphasis and vice versa; labels may contain links
        previous = text
        text = _MD_LINK.sub(link, text)
    text = html.escape(html.unescape(text), quote=False)
    text = _STRONG_STAR.sub(r"<strong>\1</strong>", text)
    text = _STRONG_UNDER.sub(r"<strong>\1</strong>", text)
    text = _EM_STAR.sub(r"<em>\1</em>", text)
    text = _EM_UNDER.sub(r"<em>\1</em>", text)
    for index in range(len(protected) - 1, -1, -1):
        text = text.replace(chr(_PRIVATE + index), protected[index])
    return text, tuple(links)


def markdown_to_html(text: str) -> str:
    """Markdown paragraphs → canonical HTML (``<p>`` each, hard line breaks as ``<br />``): how the page
    reader reads the text sections of a Markdown page."""
    return "".join(f"<p>{block.html}</p>" for block in _markdown_blocks(text) if block.level == 0)


def _markdown_blocks(text: str) -> list[Block]:
    """Headings, and paragraphs (runs of non-blank lines; a line ending with two spaces or a backslash
    is a hard break). Lines that start with ``**`` each begin a paragraph of their own, so key lines
    written without blank lines between them still come one per block."""
    blocks: list[Block] = []
    para: list[str] = []
    start = 0

    def flush() -> None:
        if para:
            pieces: list[str] = []
            links: list[str] = []
            for n, raw in enumerate(para):
                hard = raw.endswith("  ") or raw.endswith("\\")
                converted, found = markdown_inline_to_html(raw.rstrip(" \\") if hard else raw.strip())
                links.extend(found)
                pieces.append(converted.strip())
                if n < len(para) - 1:
                    pieces.append("<br />" if hard else " ")
            blocks.append(Block(0, "".join(pieces).strip(), start, tuple(links)))
            para.clear()

    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip("\r")
        stripped = line.strip()
        heading = _HEADING.match(stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            converted, found = markdown_inline_to_html(heading.group(2))
            blocks.append(Block(len(heading.group(1)), converted.strip(), number, found))
        else:
            if para and stripped.startswith("**") and not para[-1].endswith(("  ", "\\")):
                flush()  # a key line; after a hard line break it is the same paragraph going on
            if not para:
                start = number
            para.append(line.lstrip())
    flush()
    return blocks


# --- HTML

_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "nav", "footer", "form", "button", "svg", "template", "iframe", "head"}
)
_HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}
# fmt: off
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "dd", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "header", "hgroup", "hr", "html", "li", "main", "ol", "p", "pre", "section", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul", "h1", "h2", "h3", "h4", "h5", "h6",
})
# fmt: on


def _line(element: etree._Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


def _tag_name(element: etree._Element) -> str:
    """The lower-case local name of an element; "" for comments and processing instructions."""
    tag = element.tag
    return tag.lower().rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class _HtmlBlocks:
    """Walks an HTML document into blocks: every run of inline content between block boundaries.

    Inside a heading everything is inline. An inline element that holds a block (``<a><div>…</div></a>``)
    is transparent: its markup is dropped, its content read."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._html: list[str] = []
        self._links: list[str] = []
        self._line: int | None = None

    def flush(self) -> None:
        fragment = _squash_html("".join(self._html))
        fragment = re.sub(r"\s*<br />\s*", "<br />", fragment)
        if _plain(fragment):
            self.blocks.append(Block(0, fragment, self._line, tuple(self._links)))
        self._html, self._links, self._line = [], [], None

    def text(self, value: str | None, line: int | None) -> None:
        if value:
            if self._line is None and value.strip():
                self._line = line
            self._html.append(html.escape(value, quote=False))

    def walk(self, element: etree._Element, *, inline_only: bool = False) -> None:
        name = _tag_name(element)
        if not name or name in _SKIPPED_TAGS:  # comments, processing instructions, navigation
            return
        if name in _HEADING_TAGS and not inline_only:
            self.flush()
            self.children(element, inline_only=True)
            fragment = _squash_html("".join(self._html))
            self.blocks.append(Block(_HEADING_TAGS[name], fragment, _line(element), tuple(self._links)))
            self._html, self._links, self._line = [], [], None
            return
        if name in _BLOCK_TAGS and not inline_only:
            self.flush()
            self.children(element, inline_only=False)
            self.flush()
            return
        if name == "br":
            self._html.append("<br />")
            return
        if name == "a" and element.get("href"):
            self._links.append(str(element.get("href")))
        kept = _INLINE_KEEP.get(name)
        if (
            kept
            and not inline_only
            and any(_tag_name(inner) in _BLOCK_TAGS for inner in element.iterdescendants())
        ):
            kept = None
        if kept:
            self._html.append(f"<{kept}>")
        self.children(element, inline_only=inline_only)
        if kept:
            self._html.append(f"</{kept}>")

    def children(self, element: etree._Element, *, inline_only: bool) -> None:
        self.text(element.text, _line(element))
        for child in element:
            self.walk(child, inline_only=inline_only)
            self.text(child.tail, _line(child))


def _squash_html(fragment: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", fragment).strip()


def _html_blocks(name: str, text: str) -> list[Block]:
    try:
        document = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise PageError(f"not readable as HTML ({exc})", file=name, code="unreadable") from exc
    found = document.xpath("//main | //article | //*[@role='main']")  # the page's content, not its chrome
    root = (
        next((item for item in found if isinstance(item, etree._Element)), document)
        if isinstance(found, list)
        else document
    )
    walker = _HtmlBlocks()
    walker.walk(root)
    walker.flush()
    return walker.blocks


# ------------------------------------------------------------------ detection and decoding

_TYPE_PATTERN = (
    r"(?P<type>question ecrite|question orale sans debat|question orale|question au gouvernement)"
    r"\s+n\s*(?:°|o|º|\.)\s*(?P<number>\d+)\b"
)
_TYPE_LINE = re.compile("^" + _TYPE_PATTERN)
_TYPE_ANYWHERE = re.compile(_TYPE_PATTERN)
_LEGISLATURE_LINE = re.compile(r"^(?P<leg>\d{1,2})\s*(?:e|eme|er|re|ere)?\s+legislature$")
_UID_ANYWHERE = re.compile(r"QANR5L(\d{1,2})(QE|QOSD|QG)(\d+)")
_PAGE_MARKERS = re.compile(r"donnees cles|texte de la question|texte de la reponse|date\(s\) cle\(s\)")
_XML_RECORD = re.compile(rb"schemas\.assemblee-nationale\.fr/referentiel|<question[\s>]")


def looks_like_page(data: bytes) -> bool:
    """True when the bytes are a question page (Markdown or HTML) rather than a JSON/XML record.

    Decided by content: a type-and-number line ("Question écrite n° 40439") or a "Numéro de la question"
    line, together with one of the page's section titles ("Données clés", "Texte de la question", …)."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        return False
    if head == b"<":
        start = data[:4096]
        if _XML_RECORD.search(start) or (b"<?xml" in start and not re.search(rb"<html\b", start, re.I)):
            return False  # an XML record (or any XML that is not XHTML)
    readings = [data.decode("utf-8", errors="replace")]
    if "\ufffd" in readings[0]:  # not UTF-8: maybe an old page in Latin-1 (decoding says which later)
        readings.append(data.decode("latin-1"))
    for reading in readings:
        text = fold(_strip_tags(reading))
        has_identity = bool(_TYPE_ANYWHERE.search(text)) or "numero de la question" in text
        if has_identity and _PAGE_MARKERS.search(text):
            return True
    return False


def _decode(name: str, data: bytes) -> tuple[str, Literal["markdown", "html"]]:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    stripped = body.lstrip()
    is_html = stripped[:1] == b"<" and bool(
        re.match(
            rb"<(?:!doctype\s+html|html|head|body|main|article|div|section|h[1-6]|p)\b", stripped[:200], re.I
        )
    )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = (
            re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", body[:4096], re.I) if is_html else None
        )
        if declared is None:
            raise PageError(
                f"not valid UTF-8 at byte {exc.start} (a page must be UTF-8, or HTML declaring its charset)",
                file=name,
                code="bad-encoding",
            ) from None
        try:
            text = body.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError) as again:
            raise PageError(
                f"cannot decode with its declared charset {declared.group(1).decode('ascii')!r} ({again})",
                file=name,
                code="bad-encoding",
            ) from None
    return text, "html" if is_html else "markdown"


# ------------------------------------------------------------------ the parser (shared by both encodings)


class _Section(StrEnum):
    HEADER = "header"
    QUESTION_TEXT = "Texte de la question"
    ANSWER_TEXT = "Texte de la réponse"
    KEY_FACTS = "Données clés"
    KEY_DATES = "Date(s) clé(s)"
    UNKNOWN = "unknown"


_SECTIONS: Final[dict[str, _Section]] = {
    "texte de la question": _Section.QUESTION_TEXT,
    "texte de la reponse": _Section.ANSWER_TEXT,
    "donnees cles": _Section.KEY_FACTS,
    "donnee cle": _Section.KEY_FACTS,
    "date(s) cle(s)": _Section.KEY_DATES,
    "dates cles": _Section.KEY_DATES,
    "date cle": _Section.KEY_DATES,
}

#: "Données clés" labels (folded) → PageQuestion field.
_FACT_LABELS: Final[dict[str, str]] = {
    "auteur": "author",
    "circonscription": "constituency",
    "groupe": "group",
    "groupe politique": "group",
    "type de question": "type",
    "numero de la question": "number",
    "rubrique": "rubrique",
    "tete d'analyse": "tete_analyse",
    "analyse": "analyse",
    "titre": "analyse",
    "ministere interroge": "questioned_ministry",
    "ministere attributaire": "attributed_ministry",
}
#: "Date(s) clé(s)" labels (folded) → kind of date.
_DATE_LABELS: Final[dict[str, DateKind]] = {
    "question publiee au jo le": DateKind.QUESTION_PUBLISHED,
    "question publiee le": DateKind.QUESTION_PUBLISHED,
    "reponse publiee au jo le": DateKind.ANSWER_PUBLISHED,
    "reponse publiee le": DateKind.ANSWER_PUBLISHED,
    "question signalee au jo le": DateKind.SIGNALEMENT,
    "question signalee le": DateKind.SIGNALEMENT,
    "date de signalement": DateKind.SIGNALEMENT,
    "question renouvelee au jo le": DateKind.RENEWAL,
    "question renouvelee le": DateKind.RENEWAL,
    "date de renouvellement": DateKind.RENEWAL,
    "date de changement d'attribution": DateKind.ATTRIBUTION_CHANGE,
    "question retiree le": DateKind.WITHDRAWN,
    "date de la seance": DateKind.SITTING,
}
#: Kinds that a page gives at most once.
_SINGLE: Final = frozenset(
    {DateKind.QUESTION_PUBLISHED, DateKind.ANSWER_PUBLISHED, DateKind.WITHDRAWN, DateKind.SITTING}
)
_TYPES_BY_LABEL: Final[dict[str, QuestionType]] = {
    "question ecrite": QuestionType.WRITTEN,
    "question orale sans debat": QuestionType.ORAL,
    "question orale": QuestionType.ORAL,
    "question au gouvernement": QuestionType.GOVERNMENT,
}
_KEY_LINE = re.compile(r"^(?P<label>[^:]{1,80}?)\s*:\s*(?P<value>.*)$", re.DOTALL)
_CIVILITY = re.compile(r"^(?P<civ>M\.|Mme|Mlle|MM\.|Monsieur|Madame|Mademoiselle)\s+(?P<name>\S.*)$")
_CIVILITIES: Final = {"monsieur": "M.", "madame": "Mme", "mademoiselle": "Mlle"}
_CONSTITUENCY = re.compile(
    r"^(?P<dept>.+?)\s*\(\s*(?P<n>\d{1,3})\s*(?:e|er|re|ère|ere|ème|eme|°)?\s+circonscription\s*\)"
    r"\s*(?:[-–—]\s*(?P<group>\S.*?))?\s*$",
    re.IGNORECASE,
)
_DATE_VALUE = re.compile(
    rf"^(?P<date>{DATE_RE.pattern})"
    r"(?:\s*[,;]?\s*(?:page|p\.)\s*:?\s*(?P<page>\d+))?"
    r"(?:\s*\(\s*(?P<reason>[^)]*?)\s*\))?"
    r"\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_DEPUTY_LINK = re.compile(r"(?:^|/)(PA\d+)(?:$|[/?#.])")


@dataclass
class _Reader:
    name: str
    blocks: Sequence[Block]
    warnings: list[Diagnostic] = field(default_factory=list)
    facts: dict[str, tuple[str, Block]] = field(default_factory=dict)
    dates: list[KeyDate] = field(default_factory=list)
    texts: dict[_Section, list[str]] = field(default_factory=dict)
    header_title: str | None = None
    header_type: tuple[QuestionType, int] | None = None
    header_legislature: int | None = None
    links: list[str] = field(default_factory=list)

    def warn(self, code: str, field_name: str | None, message: str, line: int | None) -> None:
        where = f"line {line}: " if line else ""
        self.warnings.append(
            Diagnostic(
                severity="warning", file=self.name, field=field_name, code=code, message=where + message
            )
        )

    def fail(self, code: str, field_name: str | None, message: str, line: int | None = None) -> PageError:
        where = f"line {line}: " if line else ""
        return PageError(where + message, file=self.name, field=field_name, code=code)

    def read(self) -> None:
        section = _Section.HEADER
        for block in self.blocks:
            self.links.extend(block.links)
            text = block.text
            if not text:
                continue
            if block.level >= 2 or (block.level == 1 and fold(text) in _SECTIONS):
                known = _SECTIONS.get(fold(text))
                if known is None:
                    section = _Section.UNKNOWN
                    self.warn(
                        "unknown-section",
                        text,
                        "not a section a page has; its lines are reported one by one",
                        block.line,
                    )
                else:
                    section = known
                    self.texts.setdefault(section, [])
                continue
            if section is _Section.HEADER:
                self.header(block, text)
            elif section in (_Section.QUESTION_TEXT, _Section.ANSWER_TEXT):
                self.texts[section].append(block.html)
            elif section is _Section.UNKNOWN:
                self.warn("unknown-line", None, f"line of an unknown section not read: {text!r}", block.line)
            else:
                self.key_line(block, text, section)

    def header(self, block: Block, text: str) -> None:
        folded = fold(text)
        if folded == "assemblee nationale":
            return
        legislature = _LEGISLATURE_LINE.match(folded)
        if legislature:
            self.header_legislature = int(legislature.group("leg"))
            return
        typed = _TYPE_LINE.match(folded)
        if typed:
            self.header_type = (_TYPES_BY_LABEL[typed.group("type")], int(typed.group("number")))
            return
        if self.header_title is None and self.header_type is None:
            self.header_title = text
            return
        self.warn("unknown-line", None, f"header line not read: {text!r}", block.line)

    def key_line(self, block: Block, text: str, section: _Section) -> None:
        match = _KEY_LINE.match(text)
        label = fold(match.group("label")) if match else ""
        if match is None or (label not in _FACT_LABELS and label not in _DATE_LABELS):
            self.warn("unknown-line", None, f"{section.value}: line not read: {text!r}", block.line)
            return
        value = match.group("value").strip()
        raw_label = match.group("label").strip()
        if label in _FACT_LABELS:
            name = _FACT_LABELS[label]
            if name in self.facts:
                self.warn(
                    "repeated-line",
                    raw_label,
                    f"{raw_label!r} given twice; the first is kept, {value!r} is not",
                    block.line,
                )
                return
            if not value:
                self.warn("empty-line", raw_label, f"{raw_label!r} has no value", block.line)
                return
            self.facts[name] = (value, block)
            return
        kind = _DATE_LABELS[label]
        parsed = _DATE_VALUE.match(value)
        if parsed is None:
            raise self.fail("bad-date", raw_label, f"cannot read the date in {value!r}", block.line)
        try:
            day = _date_of(parsed)
        except ValueError as exc:
            raise self.fail("bad-date", raw_label, str(exc), block.line) from None
        if parsed.group("rest"):
            self.warn(
                "unknown-line",
                raw_label,
                f"the end of the line is not read: {parsed.group('rest')!r}",
                block.line,
            )
        if kind in _SINGLE and any(d.kind is kind for d in self.dates):
            self.warn(
                "repeated-line",
                raw_label,
                f"{raw_label!r} given twice; the first is kept, {value!r} is not",
                block.line,
            )
            return
        page = int(parsed.group("page")) if parsed.group("page") else None
        reason = parsed.group("reason") or None
        if reason is not None and kind is not DateKind.WITHDRAWN:
            self.warn("unknown-line", raw_label, f"the parenthesis ({reason}) is not read", block.line)
            reason = None
        self.dates.append(KeyDate(kind, day, page, reason, raw_label, block.line))

    # -- assembling

    def fact(self, name: str) -> str | None:
        found = self.facts.get(name)
        return found[0] if found else None

    def identity(self) -> tuple[int, QuestionType, int]:
        qtype, number = self.header_type if self.header_type else (None, None)
        type_fact = self.facts.get("type")
        if type_fact is not None:
            label = fold(type_fact[0])
            from_fact = _TYPES_BY_LABEL.get(label)
            if from_fact is None:
                raise self.fail(
                    "bad-type",
                    "Type de question",
                    f"unknown question type {type_fact[0]!r}",
                    type_fact[1].line,
                )
            if qtype is not None and qtype is not from_fact:
                raise self.fail(
                    "conflict",
                    "Type de question",
                    f"the page says both {TYPE_LABELS[qtype]!r} and {type_fact[0]!r}",
                    type_fact[1].line,
                )
            qtype = from_fact
        number_fact = self.facts.get("number")
        if number_fact is not None:
            if not re.fullmatch(r"\d+", number_fact[0]):
                raise self.fail(
                    "bad-number",
                    "Numéro de la question",
                    f"not a number: {number_fact[0]!r}",
                    number_fact[1].line,
                )
            if number is not None and number != int(number_fact[0]):
                raise self.fail(
                    "conflict",
                    "Numéro de la question",
                    f"the page says both n° {number} and {number_fact[0]}",
                    number_fact[1].line,
                )
            number = int(number_fact[0])
        legislature = self.header_legislature
        uids = {m.groups() for link in self.links for m in [_UID_ANYWHERE.search(link)] if m}
        if legislature is None and len(uids) == 1:
            found = next(iter(uids))
            if (qtype is None or qtype.value == found[1]) and (number is None or str(number) == found[2]):
                legislature = int(found[0])
                self.warn(
                    "inferred",
                    "législature",
                    f"no legislature line; {legislature} taken from the link to QANR5L{''.join(found)}",
                    None,
                )
        missing = [
            what
            for what, value in (("type", qtype), ("number", number), ("legislature", legislature))
            if value is None
        ]
        if missing:
            raise self.fail(
                "not-a-question",
                None,
                f"the page does not give the question's {', '.join(missing)} (expected lines such as "
                "'15ème législature' and 'Question écrite n° 40439')",
            )
        assert qtype is not None and number is not None and legislature is not None
        return legislature, qtype, number

    def page_question(self, data: bytes, fmt: Literal["markdown", "html"]) -> PageQuestion:
        legislature, qtype, number = self.identity()
        uid = f"QANR5L{legislature}{qtype.value}{number}"
        name_uid = _UID_ANYWHERE.search(self.name.rsplit("/", 1)[-1])
        if name_uid and name_uid.group(0) != uid:
            self.warn(
                "conflict", None, f"the file is named after {name_uid.group(0)} but the page is {uid}", None
            )
        author = self.fact("author")
        civility, person = None, author
        if author:
            parsed = _CIVILITY.match(author)
            if parsed:
                civility = _CIVILITIES.get(parsed.group("civ").lower(), parsed.group("civ"))
                person = parsed.group("name").strip()
        author_ref = None
        if "author" in self.facts:
            refs = {
                m.group(1) for link in self.facts["author"][1].links for m in [_DEPUTY_LINK.search(link)] if m
            }
            if len(refs) == 1:
                author_ref = next(iter(refs))
        constituency, department, circo, group = self.constituency()
        if self.fact("group") is not None:
            if group is not None and fold(group) != fold(self.facts["group"][0]):
                self.warn(
                    "conflict",
                    "Groupe",
                    f"the group line says {self.facts['group'][0]!r}, the "
                    f"constituency line {group!r}; the group line is kept",
                    self.facts["group"][1].line,
                )
            group = self.facts["group"][0]
        title = self.header_title
        texts = {section: _text_fragment(pieces) for section, pieces in self.texts.items()}
        for section in (_Section.QUESTION_TEXT, _Section.ANSWER_TEXT):
            if section in self.texts and not self.texts[section]:
                self.warn("empty-text", section.value, f"section {section.value!r} is empty", None)
        if self.dates_of(DateKind.ANSWER_PUBLISHED) and _Section.ANSWER_TEXT not in self.texts:
            self.warn(
                "missing-text", _Section.ANSWER_TEXT.value, "an answer date is given but no answer text", None
            )
        return PageQuestion(
            file=self.name,
            sha256=hashlib.sha256(data).hexdigest(),
            format=fmt,
            legislature=legislature,
            type=qtype,
            number=number,
            title=title,
            question_html=texts.get(_Section.QUESTION_TEXT),
            answer_html=texts.get(_Section.ANSWER_TEXT),
            author=author,
            author_civility=civility,
            author_name=person,
            author_ref=author_ref,
            constituency=constituency,
            department=department,
            constituency_number=circo,
            group=group,
            rubrique=self.fact("rubrique"),
            tete_analyse=self.fact("tete_analyse"),
            analyse=self.fact("analyse"),
            questioned_ministry=self.fact("questioned_ministry"),
            attributed_ministry=self.fact("attributed_ministry"),
            dates=tuple(self.dates),
            links=tuple(self.links),
        )

    def dates_of(self, kind: DateKind) -> list[KeyDate]:
        return [d for d in self.dates if d.kind is kind]

    def constituency(self) -> tuple[str | None, str | None, int | None, str | None]:
        found = self.facts.get("constituency")
        if found is None:
            return None, None, None, None
        value, block = found
        match = _CONSTITUENCY.match(value)
        if match is None:
            self.warn(
                "unknown-line",
                "Circonscription",
                f"cannot split {value!r} into a constituency "
                "'Département (Ne circonscription)' and a group; kept as a label",
                block.line,
            )
            return value, None, None, None
        department = match.group("dept").strip()
        number = int(match.group("n"))
        label = f"{department} ({'1re' if number == 1 else f'{number}e'} circonscription)"
        return label, department, number, match.group("group")


def _text_fragment(paragraphs: Sequence[str]) -> str | None:
    """A text section as the dumps write texts: ``<p>`` paragraphs; one paragraph without any markup (and
    nothing to escape) is plain text, as in the records whose text has no HTML."""
    if not paragraphs:
        return None
    if len(paragraphs) == 1 and "<" not in paragraphs[0] and "&" not in paragraphs[0]:
        return paragraphs[0]
    return "".join(f"<p>{piece}</p>" for piece in paragraphs)


def read_page(name: str, data: bytes) -> tuple[PageQuestion, list[Diagnostic]]:
    """Read one page (Markdown or HTML, told apart by content). Returns the page and its warnings.

    Raises :class:`PageError` (a :class:`~kg.errors.RecordError`) naming the file and the field when the
    bytes are not a question page, cannot be decoded, lack the question's identity, or carry a key line
    whose value cannot be read (a date that is not one, two different numbers …)."""
    if not looks_like_page(data):
        raise PageError(
            "not a question page (no 'Question écrite n° …' line with 'Données clés' or 'Texte de la "
            "question' sections)",
            file=name,
            code="not-a-page",
        )
    text, fmt = _decode(name, data)
    blocks = _html_blocks(name, text) if fmt == "html" else _markdown_blocks(text)
    reader = _Reader(name, blocks)
    reader.read()
    page = reader.page_question(data, fmt)
    return page, [
        Diagnostic(d.severity, d.file, d.message, record=page.uid, field=d.field, code=d.code)
        for d in reader.warnings
    ]
