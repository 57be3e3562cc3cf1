"""Decoding a question file's bytes into raw records, whatever the layout: JSON or XML, one question or a whole legislature.

Encodings are checked first (UTF-8 only, with a one-line error naming any other); each record keeps its
pointer in the file, so errors and quarantine entries name where it came from.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from kg.errors import InputError, RecordError
from kg.report import Diagnostic
from kg.sources.xmldict import XmlError, XmlRecord, iter_xml_records

#: XML elements whose child elements are HTML markup, kept as a string.
MARKUP_TAGS = frozenset({"texte"})


#: The record key, in JSON and as an XML element.
RECORD_KEY = "question"


_LEADING_SPACE = re.compile(rb"[ \t\r\n]*")


_BOM = b"\xef\xbb\xbf"


#: Byte order marks of the other Unicode encodings (UTF-32 first: its little-endian mark starts like UTF-16's).
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


#: ``<?`` in UTF-16 without a byte order mark (XML 1.0, appendix F).
_UTF16_XML = ((b"<\x00?\x00", "UTF-16LE"), (b"\x00<\x00?", "UTF-16BE"))


_XML_ENCODING = re.compile(rb"<\?xml[^>]*?\bencoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._-]*)[\"']")


# The UTF-8 bytes of looks_like_mojibake's pattern: a cheap screen over the whole record before the walk.
_MOJIBAKE_BYTES = re.compile(rb"\xc3[\x82\x83]\xc2[\x80-\xbf]|\xc3\xa2\xe2\x82\xac")


def may_hold_mojibake(canonical: bytes) -> bool:
    """Whether the record's canonical JSON matches :data:`_MOJIBAKE_BYTES` (mojibake is a matter of
    strings, and every string of the record is in it). Each alternative holds a byte found by ``memchr``
    (0xC2, 0xAC), much faster than the pattern, and rare in French text but for the no-break space: the
    pattern only runs when one is there."""
    return (b"\xc2" in canonical or b"\xac" in canonical) and _MOJIBAKE_BYTES.search(canonical) is not None


@dataclass(frozen=True, slots=True)
class RawQuestion:
    """One question record as found in a file, before validation."""

    file: str  # InputFile.name (relative to the input root)
    pointer: str | None  # location inside a multi-record file ("/questionsEcrites/question/3"); None if alone
    data: dict[str, Any]  # the question object itself (the content under the "question" root), JSON-shaped


class QuestionRecordError(RecordError):
    """A :class:`RecordError` with a machine-readable ``code`` (``missing-field``, ``bad-date``, …)."""

    def __init__(
        self, message: str, *, file: str, record: str | None, field: str | None, code: str = "bad-record"
    ) -> None:
        super().__init__(message, file=file, record=record, field=field)
        self.code = code


def decode_question_file(
    name: str, data: bytes, *, diagnostics: list[Diagnostic] | None = None
) -> Iterator[RawQuestion]:
    """Decode one file's bytes (JSON or XML, detected by content; every layout) into raw records.

    Raises :class:`InputError` (one line, naming the file) when the file cannot be decoded at all: invalid
    or truncated JSON/XML, empty file, wrong root key, invalid UTF-8 (with the byte offset), a DTD.

    Some problems spoil only part of a multi-record file (an item that is not an object, an unexpected key
    or element next to the records). They are appended to ``diagnostics`` when a list is given; otherwise
    they are raised as one :class:`InputError` after the last good record has been yielded. Only UTF-8 is
    read: a UTF-16/32 file, or XML declaring another encoding for non-ASCII content, is refused.
    """
    problems: list[Diagnostic] = []
    # JSON from the first byte (the usual file) has no byte order mark and declares no encoding: straight on.
    items = _decode_json(name, data, 0) if data[:1] == b"{" else decode(name, data)
    for item in items:
        if isinstance(item, RawQuestion):
            yield item
        elif diagnostics is not None:
            diagnostics.append(item)
        else:
            problems.append(item)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(first.message + more, file=name, record=first.record, field=first.field)


def decode(name: str, data: bytes) -> Iterator[RawQuestion | Diagnostic]:
    _refuse_other_encodings(name, data)
    start = _LEADING_SPACE.match(data, len(_BOM) if data.startswith(_BOM) else 0)
    position = start.end() if start else 0
    if position >= len(data):
        raise InputError("empty file", file=name)
    first = data[position : position + 1]
    if first in (b"{", b"["):
        yield from _decode_json(name, data, position)
    elif first == b"<":
        _check_utf8(name, data)
        yield from _decode_xml(name, data)
    else:
        _check_utf8(name, data)
        raise InputError(
            f"neither JSON nor XML (the content starts with {data[position : position + 20]!r})", file=name
        )


def _refuse_other_encodings(name: str, data: bytes) -> None:
    """Only UTF-8 is read (the Assemblée publishes UTF-8): a file in another Unicode encoding (told by its
    byte order mark) or an XML document declaring another encoding for non-ASCII content is refused with a
    message that says which encoding it is in, rather than read as mojibake."""
    for mark, label in _OTHER_BOMS:
        if data.startswith(mark):
            raise InputError(
                f"encoded as {label} (byte order mark at byte offset 0); files must be UTF-8: re-encode it",
                file=name,
            )
    for prefix, label in _UTF16_XML:
        if data.startswith(prefix):
            raise InputError(
                f"encoded as {label} (not valid UTF-8 at byte offset 0); files must be UTF-8: re-encode it",
                file=name,
            )
    if data.startswith(_BOM):
        return  # the mark wins over any declaration
    start = _LEADING_SPACE.match(data)
    declared = _XML_ENCODING.match(data, start.end() if start else 0, 4096)
    if declared is None or data.isascii():
        return
    label = declared.group(1).decode("ascii")
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        codec = label
    if codec != "utf-8":
        raise InputError(
            f"the XML declares the encoding {label}: files must be UTF-8 (re-encode it, and its declaration)",
            file=name,
        )


def _check_utf8(name: str, data: bytes) -> None:
    """Raise :class:`InputError` with the byte offset of the first byte that is not valid UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 22
    for start in range(0, len(data), step):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(data[start : start + step], final=start + step >= len(data))
        except UnicodeDecodeError as exc:
            offset = start - pending + exc.start
            bad = data[offset : offset + 4]
            hint = ""
            try:
                data.decode("cp1252")
                hint = " (it reads as Windows-1252/Latin-1: re-encode it as UTF-8)"
            except UnicodeDecodeError:
                pass
            raise InputError(
                f"not valid UTF-8 at byte offset {offset} (bytes {bad!r}); files must be UTF-8{hint}",
                file=name,
            ) from None


def _decode_json(name: str, data: bytes, position: int) -> Iterator[RawQuestion | Diagnostic]:
    try:
        document = orjson.loads(data[position:] if position else data)
    except orjson.JSONDecodeError as exc:
        _check_utf8(name, data)
        raise InputError(
            f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", file=name
        ) from None
    if not isinstance(document, dict):
        raise InputError(f"the JSON root is a {type(document).__name__}, not an object", file=name)
    if RECORD_KEY in document:
        value = document[RECORD_KEY]
        if isinstance(value, list):
            yield from _items(name, f"/{RECORD_KEY}", value)
        elif isinstance(value, dict) and not _is_nil_object(value):
            yield RawQuestion(name, None, value)
        else:
            raise InputError(f"the {RECORD_KEY!r} record is empty or not an object", file=name)
        if len(document) > 1:
            yield from _strays(name, "", document, keep=RECORD_KEY)
        return
    containers = [key for key, value in document.items() if isinstance(value, dict) and RECORD_KEY in value]
    if not containers:
        keys = ", ".join(repr(key) for key in document) or "none"
        raise InputError(
            f"wrong root key ({keys}): expected {RECORD_KEY!r} or a collection such as "
            f"'questionsEcrites' holding {RECORD_KEY!r}",
            file=name,
        )
    for key in containers:
        container = document[key]
        base = f"/{_pointer_token(key)}/{RECORD_KEY}"
        value = container[RECORD_KEY]
        if isinstance(value, list):
            yield from _items(name, base, value)
        else:
            yield from _items(name, base, [value], single=True)
        yield from _strays(name, f"/{_pointer_token(key)}", container, keep=RECORD_KEY)
    for key in document:
        if key not in containers and not key.startswith("@"):
            yield _stray(name, f"/{_pointer_token(key)}", key)


def _items(
    name: str, base: str, values: Iterable[Any], single: bool = False
) -> Iterator[RawQuestion | Diagnostic]:
    for index, value in enumerate(values):
        pointer = base if single else f"{base}/{index}"
        if isinstance(value, dict) and not _is_nil_object(value):
            yield RawQuestion(name, pointer, value)
        else:
            yield Diagnostic(
                severity="error",
                file=name,
                record=pointer,
                message=f"a {RECORD_KEY!r} item is empty or not an object ({type(value).__name__}); skipped",
                code="bad-item",
            )


def _is_nil_object(value: dict[str, Any]) -> bool:
    return not value or value.get("@xsi:nil") in ("true", True)


def _strays(name: str, base: str, container: dict[str, Any], keep: str) -> Iterator[Diagnostic]:
    for key in container:
        if key != keep and not key.startswith("@"):
            yield _stray(name, f"{base}/{_pointer_token(key)}", key)


def _stray(name: str, pointer: str, key: str) -> Diagnostic:
    return Diagnostic(
        severity="warning",
        file=name,
        record=pointer,
        field=key,
        message=f"unexpected {key!r} next to the {RECORD_KEY!r} records; ignored",
        code="unknown-field",
    )


def _pointer_token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _decode_xml(name: str, data: bytes) -> Iterator[RawQuestion | Diagnostic]:
    held: XmlRecord | None = None  # the first record of a collection: its pointer depends on whether a second
    seen = False
    root = ""
    strays: list[Diagnostic] = []  # elements met before the first record: said only if a record follows
    try:
        for item in iter_xml_records(data, RECORD_KEY, MARKUP_TAGS):
            root = item.root
            if isinstance(item, XmlRecord):
                if not seen:
                    yield from strays
                seen = True
                if item.index is None:
                    yield _xml_record(name, None, item)
                elif item.index == 0:
                    held = item
                else:
                    if held is not None:
                        yield _xml_record(name, f"/{root}/{RECORD_KEY}/0", held)
                        held = None
                    yield _xml_record(name, f"/{root}/{RECORD_KEY}/{item.index}", item)
            elif seen:
                yield _stray(name, f"/{root}/{item.tag}", item.tag)
            else:
                strays.append(_stray(name, f"/{root}/{item.tag}", item.tag))
    except XmlError as exc:
        if held is not None:
            yield _xml_record(name, f"/{root}/{RECORD_KEY}/0", held)
        raise InputError(str(exc), file=name) from None
    if held is not None:
        yield _xml_record(name, f"/{root}/{RECORD_KEY}", held)
    if not seen:  # one error for the file, not a warning per element of the wrong root
        others = f" (its {len(strays)} elements are not read)" if strays else ""
        raise InputError(f"wrong root element <{root}>: it holds no <{RECORD_KEY}> record{others}", file=name)


def _xml_record(name: str, pointer: str | None, item: XmlRecord) -> RawQuestion | Diagnostic:
    if isinstance(item.data, dict) and not _is_nil_object(item.data):
        return RawQuestion(name, pointer, item.data)
    return Diagnostic(
        severity="error",
        file=name,
        record=pointer,
        message=f"the <{RECORD_KEY}> element is empty or holds only text; skipped",
        code="bad-item",
    )
