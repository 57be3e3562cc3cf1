"""A page's bytes as numbered text lines: decoding, HTML through lxml (block elements → lines), Markdown, plain text.

The page grammar (:mod:`kg.sources.page_grammar`) reads lines, whatever the page was written in. Every
rendering reduces to the same :class:`Line` list:

* **HTML** is parsed by lxml; every block element (``<p>``, ``<div>``, ``<li>``, ``<dd>``, ``<td>`` …) starts a
  paragraph, every ``<br>`` a line of the same paragraph; headings keep their level; navigation, scripts,
  forms and footers are not read; inside ``<main>``/``<article>`` when the page has one.
* **Markdown** and **plain text** ("save as text"): one line per source line; a blank line ends a paragraph;
  ``#`` headings keep their level; a line ending with two spaces or a backslash is a hard break. Plain text is
  read as Markdown without markup (``**``, ``*x*``, ``[x](url)`` are the only things it would change).

Each line keeps its inline markup as canonical HTML (``<em>``, ``<strong>``, ``<sup>``, ``<sub>``; links reduced
to their text, their targets kept apart), which is how the texts reach the graph.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Final, Literal

import lxml.etree as etree
import lxml.html

from kg.sources.page_labels import plain
from kg.sources.page_model import PageError

__all__ = [
    "Line",
    "decode_page",
    "html_lines",
    "markdown_inline_to_html",
    "markdown_lines",
    "markdown_to_html",
]

Format = Literal["markdown", "html", "text"]


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a page, in reading order."""

    number: int | None  # 1-based line in the source (HTML: where its text starts)
    html: str  # canonical inline HTML
    level: int = 0  # heading level 1–6; 0 for a line of a paragraph
    paragraph: int = 0  # lines of one paragraph share this number
    hard_break: bool = False  # joined to the previous line of its paragraph by <br /> (else by a space)
    links: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return plain(self.html)


# ------------------------------------------------------------------ Markdown

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])")
_RAW_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^>]*?/?>")
_STRONG_STAR = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_STRONG_UNDER = re.compile(r"(?<![\w])__(?=\S)(.+?)(?<=\S)__(?![\w])")
_EM_STAR = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*")
_EM_UNDER = re.compile(r"(?<![\w])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w])")
_MARKDOWN_SIGNS = re.compile(r"^#{1,6}\s|\*\*|\]\(|<sup>", re.MULTILINE)
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
    """One Markdown line's inline markup → canonical HTML; also the link targets met.

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


def markdown_lines(text: str) -> list[Line]:
    """The lines of a Markdown or plain-text page (see the module's docstring)."""
    lines: list[Line] = []
    paragraph = 0
    open_paragraph = False
    hard_next = False
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip("\r")
        stripped = line.strip()
        if not stripped:
            if open_paragraph:
                paragraph += 1
            open_paragraph, hard_next = False, False
            continue
        heading = _HEADING.match(stripped)
        if heading:
            if open_paragraph:
                paragraph += 1
            converted, found = markdown_inline_to_html(heading.group(2))
            lines.append(Line(number, converted.strip(), len(heading.group(1)), paragraph, links=found))
            paragraph += 1
            open_paragraph, hard_next = False, False
            continue
        hard = line.endswith("  ") or stripped.endswith("\\")
        converted, found = markdown_inline_to_html(stripped.rstrip("\\").rstrip() if hard else stripped)
        converted = re.sub(r"\s*<br />\s*", "<br />", converted.strip())
        lines.append(Line(number, converted, 0, paragraph, hard_next and open_paragraph, found))
        open_paragraph, hard_next = True, hard
    return lines


def markdown_to_html(text: str) -> str:
    """Markdown paragraphs → canonical HTML (``<p>`` each, hard line breaks as ``<br />``): how the page
    reader reads the text sections of a Markdown page."""
    return paragraphs_html([line for line in markdown_lines(text) if line.level == 0])


def paragraphs_html(lines: list[Line]) -> str:
    """Lines → ``<p>`` paragraphs (lines of one paragraph joined by a space, or ``<br />`` after a hard break)."""
    out: list[str] = []
    current: int | None = None
    pieces: list[str] = []
    for line in lines:
        if current is not None and line.paragraph != current:
            out.append("<p>" + "".join(pieces) + "</p>")
            pieces = []
        if pieces:
            pieces.append("<br />" if line.hard_break else " ")
        pieces.append(line.html)
        current = line.paragraph
    if pieces:
        out.append("<p>" + "".join(pieces) + "</p>")
    return "".join(out)


# ------------------------------------------------------------------ HTML

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


def _source_line(element: etree._Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


def _tag_name(element: etree._Element) -> str:
    """The lower-case local name of an element; "" for comments and processing instructions."""
    tag = element.tag
    return tag.lower().rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class _HtmlLines:
    """Walks an HTML document into lines: every run of inline content between block boundaries or ``<br>``.

    Inside a heading everything is inline. An inline element that holds a block (``<a><div>…</div></a>``)
    is transparent: its markup is dropped, its content read."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.paragraph = 0
        self._html: list[str] = []
        self._links: list[str] = []
        self._line: int | None = None
        self._hard = False  # the next line follows a <br> of the same paragraph

    def end_line(self, *, hard: bool) -> None:
        fragment = _squash_html("".join(self._html))
        if plain(fragment):
            opened = (
                bool(self.lines) and self.lines[-1].paragraph == self.paragraph and self.lines[-1].level == 0
            )
            self.lines.append(
                Line(self._line, fragment, 0, self.paragraph, self._hard and opened, tuple(self._links))
            )
        self._html, self._links, self._line = [], [], None
        self._hard = hard

    def end_paragraph(self) -> None:
        self.end_line(hard=False)
        if self.lines and self.lines[-1].paragraph == self.paragraph:
            self.paragraph += 1

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
            self.end_paragraph()
            self.children(element, inline_only=True)
            fragment = _squash_html("".join(self._html)).replace("<br />", " ")
            if plain(fragment):
                self.lines.append(
                    Line(
                        _source_line(element),
                        fragment,
                        _HEADING_TAGS[name],
                        self.paragraph,
                        links=tuple(self._links),
                    )
                )
                self.paragraph += 1
            self._html, self._links, self._line = [], [], None
            return
        if name in _BLOCK_TAGS and not inline_only:
            self.end_paragraph()
            self.children(element, inline_only=False)
            self.end_paragraph()
            return
        if name == "br":
            if inline_only:
                self._html.append("<br />")
            else:
                self.end_line(hard=True)
            return
        if name == "a" and element.get("href"):
            self._links.append(str(element.get("href")))
        kept = _INLINE_KEEP.get(name)
        if kept and (
            any(
                _tag_name(inner) in _BLOCK_TAGS or _tag_name(inner) == "br"
                for inner in element.iterdescendants()
            )
            and not inline_only
        ):
            kept = None  # an inline element across lines: its markup cannot be kept on each line
        if kept:
            self._html.append(f"<{kept}>")
        self.children(element, inline_only=inline_only)
        if kept:
            self._html.append(f"</{kept}>")

    def children(self, element: etree._Element, *, inline_only: bool) -> None:
        self.text(element.text, _source_line(element))
        for child in element:
            self.walk(child, inline_only=inline_only)
            self.text(child.tail, _source_line(child))


def _squash_html(fragment: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", fragment).strip()


def html_lines(name: str, text: str) -> list[Line]:
    """The lines of an HTML page (see the module's docstring)."""
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
    walker = _HtmlLines()
    walker.walk(root)
    walker.end_paragraph()
    return walker.lines


# ------------------------------------------------------------------ decoding

_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|main|article|div|section|h[1-6]|p|table|br|meta|title)\b", re.I
)


def is_html(data: bytes) -> bool:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    stripped = body.lstrip()
    return stripped[:1] == b"<" and bool(_HTML_START.match(stripped[:200]))


def decode_page(name: str, data: bytes) -> tuple[str, Format]:
    """The page's text and its format. UTF-8, or HTML declaring its charset; else :class:`PageError`."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    html_page = is_html(data)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = (
            re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", body[:4096], re.I) if html_page else None
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
    if html_page:
        return text, "html"
    return text, "markdown" if _MARKDOWN_SIGNS.search(text) else "text"


def page_lines(name: str, data: bytes) -> tuple[list[Line], Format]:
    """Decode and cut a page into lines."""
    text, fmt = decode_page(name, data)
    return (html_lines(name, text) if fmt == "html" else markdown_lines(text)), fmt
