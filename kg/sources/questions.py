"""Readers of the Assemblée's question records: bytes → raw records → validated :class:`kg.models.Question`.

Three steps, each usable alone:

* :func:`decode_question_file` turns one file's bytes into :class:`RawQuestion` records, whatever the layout
  (one question per file or a whole legislature in one file, JSON or XML, detected by content);
* :func:`parse_question` validates one raw record (:mod:`kg.sources.wire`) and converts it to the domain
  model, with warnings for anything odd but usable (plainly well-formed records, nearly all of them, take a
  faster path that gives the same question: see "the plain path" below);
* :func:`read_questions` does both for every file under an input (file, folder or zip), turning every
  failure into an error :class:`~kg.models.Diagnostic` and going on.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import orjson
from pydantic import ValidationError

from kg.errors import InputError, RecordError
from kg.models import (
    Attribution,
    Author,
    Closure,
    Erratum,
    JOReference,
    OrganeMention,
    Question,
    QuestionType,
    Renewal,
    Signalement,
    SourceRef,
    Text,
)
from kg.report import Diagnostic
from kg.sources import wire
from kg.sources.files import InputFile, iter_input_files, printable
from kg.sources.values import (
    canonical_hash,
    canonical_json,
    is_nil,
    looks_like_mojibake,
    parse_date,
    parse_int,
    text_of,
)
from kg.sources.xmldict import XmlError, XmlRecord, iter_xml_records

__all__ = [
    "KNOWN_CLOSURE_CODES",
    "KNOWN_JO_TYPES",
    "QUESTION_FIELDS",
    "QuestionRecordError",
    "RawQuestion",
    "decode_question_file",
    "parse_question",
    "read_questions",
]

QUESTION_FIELDS = wire.QUESTION_FIELDS

#: Closure codes seen in real records; any other code is kept and reported.
KNOWN_CLOSURE_CODES = frozenset({"REP_PUB"})
#: Journal officiel kinds seen in real records (``infoJO.typeJO``); any other is kept and reported.
KNOWN_JO_TYPES = frozenset({"JO_QUESTION", "JO_DEBAT", "JO_LOI_DECRET"})

#: The record key, in JSON and as an XML element.
RECORD_KEY = "question"
#: XML elements whose child elements are HTML markup, kept as a string.
MARKUP_TAGS = frozenset({"texte"})

# ASCII digits only: "PA٣٤٥" is not an Assemblée identifier (Python's \d matches every script's digits).
_UID = re.compile(r"QANR5L(\d+)(QE|QOSD|QG)(\d+)", re.ASCII)
_PERSON = re.compile(r"PA\d+", re.ASCII)
_MANDATE = re.compile(r"PM\d+", re.ASCII)
_ORGANE = re.compile(r"PO\d+", re.ASCII)
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


def _may_hold_mojibake(canonical: bytes) -> bool:
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


# ------------------------------------------------------------------ decoding


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
    items = _decode_json(name, data, 0) if data[:1] == b"{" else _decode(name, data)
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


def _decode(name: str, data: bytes) -> Iterator[RawQuestion | Diagnostic]:
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


# ------------------------------------------------------------------ parsing


def parse_question(raw: RawQuestion) -> tuple[Question, list[Diagnostic]]:
    """Validate a raw record and convert it to the domain :class:`Question`.

    Returns the warnings (unknown fields, unknown closure code, odd references, mojibake, …). Raises
    :class:`QuestionRecordError` (a :class:`RecordError`) naming the file, the record (uid, else pointer) and
    the dotted source field when the record cannot be used.

    A plainly well-formed record (every key known, nothing to warn about) is read straight from its dict
    (:func:`_read_plain`); any other goes through the wire models, which give the same question for the
    first kind and say what is wrong or odd with the others.
    """
    question = _read_plain(raw)
    if question is not None:
        return question, []
    return _Builder(raw).build()


class _Builder:
    __slots__ = ("raw", "record", "warnings")

    def __init__(self, raw: RawQuestion) -> None:
        self.raw = raw
        uid = text_of(raw.data.get("uid")) if isinstance(raw.data, dict) else None
        self.record = (
            printable(" ".join(uid.split())) if uid and not uid.isspace() else raw.pointer
        )  # one line
        self.warnings: list[Diagnostic] = []

    # -- reporting

    def warn(self, code: str, field: str, message: str) -> None:
        self.warnings.append(
            Diagnostic(
                severity="warning",
                file=self.raw.file,
                record=self.record,
                field=printable(field),
                message=message,
                code=code,
            )
        )

    def fail(self, code: str, field: str | None, message: str) -> NoReturn:
        raise QuestionRecordError(
            message,
            file=self.raw.file,
            record=self.record,
            field=printable(field) if field else None,
            code=code,
        )

    def fail_validation(self, exc: ValidationError) -> NoReturn:
        errors = exc.errors(include_url=False, include_input=False)
        error = errors[0]
        loc = error["loc"]
        field = ".".join(str(part) for part in loc if isinstance(part, str)) or None
        cause = error.get("ctx", {}).get("error")
        message = str(cause) if isinstance(cause, ValueError) else error["msg"]
        items = [str(part + 1) for part in loc if isinstance(part, int)]
        if items:
            message += f" (item {'/'.join(items)})"
        if len(errors) > 1:
            message += f" (and {len(errors) - 1} more problems)"
        if isinstance(cause, wire.BadDate):
            code = "bad-date"
        elif isinstance(cause, wire.BadNumber):
            code = "bad-number"
        else:
            code = "missing-field" if error["type"] == "missing" else "bad-shape"
        self.fail(code, field, message)

    # -- conversion

    def build(self) -> tuple[Question, list[Diagnostic]]:
        raw = self.raw
        if not isinstance(raw.data, dict):
            self.fail("bad-shape", None, f"the record is a {type(raw.data).__name__}, not an object")
        try:
            source = wire.WireQuestion.model_validate(raw.data)
        except ValidationError as exc:
            self.fail_validation(exc)
        try:
            canonical = canonical_json(raw.data)
        except TypeError as exc:  # only for records built in code: decoded JSON and XML always serialise
            self.fail("bad-shape", None, f"the record cannot be serialised ({exc})")
        sha256 = canonical_hash(canonical)
        for path in wire.unknown_fields(source):
            self.warn("unknown-field", path, "unknown field, not read (please report it)")
        if _may_hold_mojibake(canonical):
            self.walk_mojibake(raw.data, "")

        uid, qtype, number, legislature = self.identity(source)
        identifier = source.identifier
        indexation = source.indexation
        question = Question(
            uid=uid,
            type=qtype,
            number=number,
            legislature=legislature,
            author=self.author(source.author),
            source=SourceRef(path=raw.file, sha256=sha256, pointer=raw.pointer),
            regime=identifier.regime if identifier else None,
            rubrique=indexation.rubrique if indexation else None,
            tete_analyse=indexation.tete_analyse if indexation else None,
            analyses=self.analyses(indexation),
            questioned_ministry=self.organe(source.questioned_ministry, "minInt"),
            attributions=self.attributions(source.attributions),
            question_texts=self.texts(source.question_texts, "textesQuestion.texteQuestion"),
            answer_texts=self.texts(source.answer_texts, "textesReponse.texteReponse"),
            signalements=tuple(
                Signalement(order=i, filed=s.filed, jo=_jo(s.info_jo))
                for i, s in enumerate(source.signalements, start=1)
            ),
            renewals=tuple(
                Renewal(order=i, date=r.date, jo=_jo(r.info_jo))
                for i, r in enumerate(source.renewals.items if source.renewals else (), start=1)
            ),
            closure=self.closure(source.closure),
            question_errata=self.errata(source.question_errata, "erratumsQuestion"),
            answer_errata=self.errata(source.answer_errata, "erratumsReponse"),
        )
        self.check_jo_kinds(question)
        return question, self.warnings

    def identity(self, source: wire.WireQuestion) -> tuple[str, QuestionType, int, int]:
        if source.uid is None:
            self.fail("missing-field", "uid", "missing: every question has a uid")
        uid = source.uid.strip()
        if source.type is None:
            self.fail("missing-field", "type", "missing: the question type (QE, QOSD or QG) is required")
        try:
            qtype = QuestionType(source.type.strip())
        except ValueError:
            self.fail(
                "unknown-type", "type", f"unknown question type {source.type!r} (expected QE, QOSD or QG)"
            )
        identifier = source.identifier
        number = identifier.number if identifier else None
        legislature = identifier.legislature if identifier else None
        match = _UID.fullmatch(uid)
        if match is None:
            if number is None:
                self.fail("missing-field", "identifiant.numero", "missing: the question number is required")
            if legislature is None:
                self.fail("missing-field", "identifiant.legislature", "missing: the legislature is required")
            self.fail(
                "bad-identifier", "uid", f"{uid!r} is not a question uid (QANR5L{{leg}}{{QE|QOSD|QG}}{{n}})"
            )
        uid_legislature, uid_type, uid_number = match.groups()
        for field, given, from_uid in (
            ("identifiant.numero", number, uid_number),
            ("identifiant.legislature", legislature, uid_legislature),
        ):
            if given is None:  # real records reduced by other projects lack identifiant: the uid says it
                self.warn("from-uid", field, f"missing: {int(from_uid)} taken from the uid {uid}")
        if number is None:
            number = int(uid_number)
        if legislature is None:
            legislature = int(uid_legislature)
        if uid_type != qtype.value:
            self.fail("uid-mismatch", "type", f"type {qtype.value!r} contradicts the uid {uid}")
        if int(uid_legislature) != legislature:
            self.fail(
                "uid-mismatch",
                "identifiant.legislature",
                f"legislature {legislature} contradicts the uid {uid}",
            )
        if int(uid_number) != number:
            self.fail("uid-mismatch", "identifiant.numero", f"number {number} contradicts the uid {uid}")
        return uid, qtype, number, legislature

    def author(self, source: wire.Auteur | None) -> Author:
        identity = source.identity if source else None
        person = identity.person_ref.strip() if identity and identity.person_ref else None
        if person is None:
            self.fail("missing-field", "auteur.identite.acteurRef", "missing: every question has an author")
        if not _PERSON.fullmatch(person):
            self.fail("bad-identifier", "auteur.identite.acteurRef", f"{person!r} is not an acteur uid (PA…)")
        mandate = identity.mandate_ref.strip() if identity and identity.mandate_ref else None
        if mandate is not None and not _MANDATE.fullmatch(mandate):
            self.warn(
                "bad-mandate-ref",
                "auteur.identite.mandatRef",
                f"{mandate!r} is not a mandate uid (PM…); ignored",
            )
            mandate = None
        group = self.organe(source.group, "auteur.groupe") if source else None
        return Author(person_uid=person, mandate_uid=mandate, group=group)

    def organe(self, source: wire.OrganeLabels | None, field: str) -> OrganeMention | None:
        if source is None:
            return None
        uid = None
        if source.organe_ref is not None:
            ref = source.organe_ref.strip()
            if _ORGANE.fullmatch(ref):
                uid = ref
            else:
                self.warn(
                    "bad-organe-ref",
                    f"{field}.organeRef",
                    f"{source.organe_ref!r} is not an organe uid (PO…); only the labels are kept",
                )
        if uid is None and source.short_label is None and source.label is None:
            return None
        return OrganeMention(uid=uid, short_label=source.short_label, label=source.label)

    def analyses(self, source: wire.IndexationAN | None) -> tuple[str, ...]:
        if source is None:
            return ()
        titles: list[str | None] = []
        if source.analyses is not None:
            titles += source.analyses.analyse + source.analyses.analyse_upper + source.analyses.ana
        if source.legacy_analyse is not None:
            titles += source.legacy_analyse.ana
        return tuple(dict.fromkeys(title for title in titles if title is not None))

    def attributions(self, source: wire.MinAttribs | None) -> tuple[Attribution, ...]:
        if source is None:
            return ()
        attributions = []
        for order, item in enumerate(source.items, start=1):
            ministry = self.organe(item.denomination, "minAttribs.minAttrib.denomination")
            if ministry is None:
                self.warn(
                    "empty-attribution",
                    "minAttribs.minAttrib.denomination",
                    f"attribution {order} names no ministry; kept without one",
                )
                ministry = OrganeMention(uid=None)
            attributions.append(Attribution(order=order, ministry=ministry, jo=_jo(item.info_jo)))
        return tuple(attributions)

    def texts(self, source: wire.TextesQuestion | wire.TextesReponse | None, field: str) -> tuple[Text, ...]:
        if source is None:
            return ()
        texts = []
        for item in source.items:
            if item.text is None:
                self.warn("empty-text", f"{field}.texte", "a text entry has no text; kept as an empty text")
            texts.append(Text(html=item.text or "", jo=_jo(item.info_jo), erratum=item.erratum))
        return tuple(texts)

    def closure(self, source: wire.Cloture | None) -> Closure | None:
        if source is None:
            return None
        closure = Closure(code=source.code, label=source.label, date=source.date, jo=_jo(source.info_jo))
        if closure == _EMPTY_CLOSURE:
            return None
        if closure.code is not None and closure.code not in KNOWN_CLOSURE_CODES:
            self.warn(
                "unknown-closure-code",
                "cloture.codeCloture",
                f"closure code {closure.code!r} ({closure.label or 'no label'}) has not been seen before; kept",
            )
        return closure

    def errata(self, source: wire.Erratums | None, field: str) -> tuple[Erratum, ...]:
        if source is None:
            return ()
        errata = []
        for item in source.items:
            if item.text is None:
                self.warn(
                    "empty-erratum", f"{field}.erratum.texte", "an erratum has no text; kept as an empty text"
                )
            errata.append(Erratum(text=item.text or "", jo=_jo(item.info_jo)))
        return tuple(errata)

    def check_jo_kinds(self, question: Question) -> None:
        """Journal officiel kinds not seen before are kept, and reported once per field."""
        found: list[tuple[str, JOReference | None]] = [
            *(("minAttribs.minAttrib", a.jo) for a in question.attributions),
            *(("textesQuestion.texteQuestion", t.jo) for t in question.question_texts),
            *(("textesReponse.texteReponse", t.jo) for t in question.answer_texts),
            *(("signalement", s.jo) for s in question.signalements),
            *(("renouvellements.renouvellement", r.jo) for r in question.renewals),
            ("cloture", question.closure.jo if question.closure else None),
            *(("erratumsQuestion.erratum", e.jo) for e in question.question_errata),
            *(("erratumsReponse.erratum", e.jo) for e in question.answer_errata),
        ]
        reported: set[str] = set()
        for path, jo in found:
            if jo is None or jo.kind is None or jo.kind in KNOWN_JO_TYPES or path in reported:
                continue
            reported.add(path)
            self.warn(
                "unknown-jo-type",
                f"{path}.infoJO.typeJO",
                f"Journal officiel kind {jo.kind!r} has not been seen before; kept",
            )

    def walk_mojibake(self, value: Any, path: str) -> None:
        if isinstance(value, str):
            if looks_like_mojibake(value):
                at = min(
                    (i for i in (value.find("Ã"), value.find("Â"), value.find("â€")) if i >= 0), default=0
                )
                excerpt = value[max(at - 15, 0) : at + 15]
                self.warn(
                    "mojibake",
                    path,
                    f"looks like mojibake (UTF-8 read as Latin-1/CP1252) near {excerpt!r}; kept as written",
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                self.walk_mojibake(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for item in value:
                self.walk_mojibake(item, path)


_EMPTY_JO = JOReference()
_EMPTY_CLOSURE = Closure()


def _jo(source: wire.InfoJO | None) -> JOReference | None:
    if source is None:
        return None
    reference = JOReference(
        kind=source.kind,
        date=source.date,
        page=source.page,
        number=source.number,
        legifrance_url=source.legifrance_url,
        nor=source.nor,
    )
    return None if reference == _EMPTY_JO else reference


# ------------------------------------------------------------------ the plain path
#
# Nearly every record is plain: known keys only, strings or nil where the source puts scalars, dates and
# numbers well written, references well formed, nothing to warn about. Such a record is read here straight
# from its dict into the domain model, with the same conversions as the wire models (the same functions:
# ``wire.scalar``, ``parse_int``, ``parse_date``), in half the time of validating the wire models and
# walking them (a third of what is left is hashing the record). At the first thing that is not plain (an
# unknown key, a value of another shape, a bad date, a reference or code that deserves a warning, possible
# mojibake) the record is handed whole to the wire models (``_Builder``), which say what it is. So this
# path never decides anything the models would decide otherwise: tests compare both on the sample, the
# fixtures and records mutated at random, and keep the key sets below equal to the wire models' fields.


class _NotPlain(Exception):
    """The record needs the wire models (something to report, or a form this path does not read)."""


_XSI_NIL = "@xsi:nil"
_QUESTION_TYPES = {kind.value: kind for kind in QuestionType}
_IGNORED = wire.IGNORED_KEYS

#: The keys of each block, as the wire models name them (aliases), plus the keys every XML-born object may
#: carry. ``test_plain_path_knows_every_wire_field`` keeps them equal to the models.
PLAIN_KEYS: dict[str, frozenset[str]] = {
    "question": frozenset(
        {
            "uid",
            "identifiant",
            "type",
            "indexationAN",
            "auteur",
            "minInt",
            "minAttribs",
            "textesQuestion",
            "textesReponse",
            "signalement",
            "renouvellements",
            "cloture",
            "erratumsQuestion",
            "erratumsReponse",
        }
    ),
    "identifiant": frozenset({"numero", "regime", "legislature"}),
    "indexationAN": frozenset({"rubrique", "teteAnalyse", "analyses", "ANALYSE"}),
    "analyses": frozenset({"analyse", "ANALYSE", "ANA"}),
    "ANALYSE": frozenset({"ANA"}),
    "auteur": frozenset({"identite", "groupe"}),
    "identite": frozenset({"acteurRef", "mandatRef"}),
    "organe": frozenset({"organeRef", "abrege", "developpe"}),
    "minAttribs": frozenset({"minAttrib"}),
    "minAttrib": frozenset({"infoJO", "denomination"}),
    "infoJO": frozenset({"typeJO", "dateJO", "pageJO", "numJO", "urlLegifrance", "referenceNOR"}),
    "textesQuestion": frozenset({"texteQuestion"}),
    "textesReponse": frozenset({"texteReponse"}),
    "texte": frozenset({"infoJO", "texte", "erratum"}),
    "signalement": frozenset({"dateDepotSignal", "infoJO"}),
    "renouvellements": frozenset({"renouvellement"}),
    "renouvellement": frozenset({"dateRenouvellement", "infoJO"}),
    "cloture": frozenset({"codeCloture", "libelleCloture", "dateCloture", "infoJO"}),
    "erratums": frozenset({"erratum"}),
    "erratum": frozenset({"texte", "infoJO"}),
}
_K = {name: keys | _IGNORED for name, keys in PLAIN_KEYS.items()}
_K_QUESTION = _K["question"]
_K_IDENTIFIANT = _K["identifiant"]
_K_INDEXATION = _K["indexationAN"]
_K_ANALYSES = _K["analyses"]
_K_LEGACY_ANALYSE = _K["ANALYSE"]
_K_AUTEUR = _K["auteur"]
_K_IDENTITE = _K["identite"]
_K_ORGANE = _K["organe"]
_K_MIN_ATTRIBS = _K["minAttribs"]
_K_MIN_ATTRIB = _K["minAttrib"]
_K_INFO_JO = _K["infoJO"]
_K_TEXTES_QUESTION = _K["textesQuestion"]
_K_TEXTES_REPONSE = _K["textesReponse"]
_K_TEXTE = _K["texte"]
_K_SIGNALEMENT = _K["signalement"]
_K_RENOUVELLEMENTS = _K["renouvellements"]
_K_RENOUVELLEMENT = _K["renouvellement"]
_K_CLOTURE = _K["cloture"]
_K_ERRATUMS = _K["erratums"]
_K_ERRATUM = _K["erratum"]


#: Records name the same authors, ministries and groups, and the same Journal officiel publications, over and
#: over (a question's text and its first attribution share theirs): equal values are built once and shared, which
#: is safe (the domain objects are frozen), quicker, and leaves fewer objects for the garbage collector to
#: walk. Bounded: emptied when full.
_SHARED_LIMIT = 1 << 14
_Key = TypeVar("_Key")
_Value = TypeVar("_Value")
_SHARED_ORGANES: dict[tuple[str | None, str | None, str | None], OrganeMention] = {}
_SHARED_AUTHORS: dict[tuple[str, str | None, int], Author] = {}
_SHARED_DATES: dict[str, date] = {}
_SHARED_JO: dict[
    tuple[str | None, date | None, int | None, str | None, str | None, str | None], JOReference
] = {}


def _shared(cache: dict[_Key, _Value], key: _Key, make: Callable[[], _Value]) -> _Value:
    """The value shared for ``key``, made (and kept) the first time; the cache is emptied when full."""
    value = cache.get(key)
    if value is None:
        if len(cache) >= _SHARED_LIMIT:
            cache.clear()
        value = cache[key] = make()
    return value


def _read_plain(raw: RawQuestion) -> Question | None:
    """The question of a plain record, ``None`` when the record is not plain (see above)."""
    data = raw.data
    if data.__class__ is not dict:
        return None
    try:
        return _plain_question(raw, data)
    except Exception:  # whatever it is, the wire models read the record again and say it
        return None


def _plain_question(raw: RawQuestion, data: dict[str, Any]) -> Question:
    if not _K_QUESTION.issuperset(data):
        _check_keys(data, _K_QUESTION)
    canonical = canonical_json(data)
    if _may_hold_mojibake(canonical):
        raise _NotPlain

    uid = _text(data.get("uid"))
    kind = _text(data.get("type"))
    identifiant = _block(data.get("identifiant"), _K_IDENTIFIANT)
    if uid is None or kind is None or identifiant is None:
        raise _NotPlain
    uid = uid.strip()
    qtype = _QUESTION_TYPES[kind.strip()]
    number = _int(identifiant.get("numero"))
    legislature = _int(identifiant.get("legislature"))
    match = _UID.fullmatch(uid)
    if (
        match is None
        or number is None
        or legislature is None
        or match[2] != qtype.value
        or int(match[1]) != legislature
        or int(match[3]) != number
    ):
        raise _NotPlain

    indexation = _block(data.get("indexationAN"), _K_INDEXATION)
    if indexation is None:
        rubrique = tete_analyse = None
        analyses: tuple[str, ...] = ()
    else:
        rubrique = _text(indexation.get("rubrique"))
        tete_analyse = _text(indexation.get("teteAnalyse"))
        analyses = _analyses_plain(indexation)

    closure = None
    cloture = _block(data.get("cloture"), _K_CLOTURE)
    if cloture is not None:
        code = _text(cloture.get("codeCloture"))
        label = _text(cloture.get("libelleCloture"))
        day = _date(cloture.get("dateCloture"))
        jo = _jo_plain(cloture.get("infoJO"))
        if code is not None and code not in KNOWN_CLOSURE_CODES:
            raise _NotPlain
        if code is not None or label is not None or day is not None or jo is not None:
            closure = Closure(code=code, label=label, date=day, jo=jo)

    renewals: tuple[Renewal, ...] = ()
    renouvellements = _block(data.get("renouvellements"), _K_RENOUVELLEMENTS)
    if renouvellements is not None:
        renewals = tuple(
            Renewal(order=i, date=_date(item.get("dateRenouvellement")), jo=_jo_plain(item.get("infoJO")))
            for i, item in enumerate(_objects(renouvellements.get("renouvellement"), _K_RENOUVELLEMENT), 1)
        )

    return Question(
        uid=uid,
        type=qtype,
        number=number,
        legislature=legislature,
        author=_author_plain(data.get("auteur")),
        source=SourceRef(path=raw.file, sha256=canonical_hash(canonical), pointer=raw.pointer),
        regime=_text(identifiant.get("regime")),
        rubrique=rubrique,
        tete_analyse=tete_analyse,
        analyses=analyses,
        questioned_ministry=_organe_plain(data.get("minInt")),
        attributions=_attributions_plain(data.get("minAttribs")),
        question_texts=_texts_plain(data.get("textesQuestion"), _K_TEXTES_QUESTION, "texteQuestion"),
        answer_texts=_texts_plain(data.get("textesReponse"), _K_TEXTES_REPONSE, "texteReponse"),
        signalements=tuple(
            Signalement(order=i, filed=_date(item.get("dateDepotSignal")), jo=_jo_plain(item.get("infoJO")))
            for i, item in enumerate(_objects(data.get("signalement"), _K_SIGNALEMENT), 1)
        ),
        renewals=renewals,
        closure=closure,
        question_errata=_errata_plain(data.get("erratumsQuestion")),
        answer_errata=_errata_plain(data.get("erratumsReponse")),
    )


def _check_keys(node: dict[str, Any], known: frozenset[str]) -> None:
    """Unknown keys are reported by the wire models; namespace declarations (``@xmlns…``) mean nothing.
    (Callers first try ``known.issuperset(node)``, the usual case, without calling this.)"""
    for key in node:
        if key not in known and not key.startswith("@xmlns"):
            raise _NotPlain


def _block(value: Any, known: frozenset[str]) -> dict[str, Any] | None:
    """An optional block (the wire models' ``NIL``): ``None`` when null or nil, else the object."""
    if value is None:
        return None
    if value.__class__ is dict and _XSI_NIL not in value:
        if not known.issuperset(value):
            _check_keys(value, known)
        return value
    if is_nil(value):
        return None
    raise _NotPlain


def _objects(value: Any, known: frozenset[str]) -> list[dict[str, Any]]:
    """A list of objects that may arrive as one bare object (the wire models' ``Many``), nil items dropped."""
    if value is None:
        return []
    if value.__class__ is dict and _XSI_NIL not in value:
        if not known.issuperset(value):
            _check_keys(value, known)
        return [value]
    if value.__class__ is list:
        items = []
        for item in value:
            if item.__class__ is dict and _XSI_NIL not in item:
                if not known.issuperset(item):
                    _check_keys(item, known)
                items.append(item)
            elif not is_nil(item):
                raise _NotPlain
        return items
    if is_nil(value):
        return []
    raise _NotPlain


def _text(value: Any) -> str | None:
    """``wire.Text``: a string as written (blank → ``None``), nil → ``None``, ``{"#text": …}`` → its text."""
    if value.__class__ is str:
        return value if value and not value.isspace() else None
    if value is None:
        return None
    if value.__class__ is dict:
        text = wire.scalar(value)
        if text is None or text.__class__ is str:
            return text
    raise _NotPlain  # numbers, booleans, lists: as the wire models do, with their own checks


def _int(value: Any) -> int | None:
    text = _text(value)
    return None if text is None else parse_int(text)


def _date(value: Any) -> date | None:
    text = _text(value)
    if text is None:
        return None
    # a Journal officiel's date is that of hundreds of questions
    return _shared(_SHARED_DATES, text, lambda: parse_date(text))


def _titles(value: Any) -> list[str | None]:
    """``Annotated[list[wire.Text], Many]``."""
    if value.__class__ is str:
        return [value] if value and not value.isspace() else []
    if value.__class__ is list:
        return [_text(item) for item in value if not is_nil(item)]
    return [] if is_nil(value) else [_text(value)]


def _analyses_plain(indexation: dict[str, Any]) -> tuple[str, ...]:
    titles: list[str | None] = []
    block = _block(indexation.get("analyses"), _K_ANALYSES)
    if block is not None:
        titles = _titles(block.get("analyse"))
        if "ANALYSE" in block or "ANA" in block:
            titles += _titles(block.get("ANALYSE")) + _titles(block.get("ANA"))
    legacy = indexation.get("ANALYSE")  # older records: {"ANA": title(s)}, or the title(s) themselves
    if legacy is not None:
        if legacy.__class__ is str or legacy.__class__ is list:
            titles += _titles(legacy)
        else:
            legacy_block = _block(legacy, _K_LEGACY_ANALYSE)
            if legacy_block is not None:
                titles += _titles(legacy_block.get("ANA"))
    return tuple(dict.fromkeys(title for title in titles if title is not None))


def _jo_plain(value: Any) -> JOReference | None:
    block = _block(value, _K_INFO_JO)
    if block is None:
        return None
    kind = _text(block.get("typeJO"))
    if kind is not None and kind not in KNOWN_JO_TYPES:
        raise _NotPlain
    day = _date(block.get("dateJO"))
    page = _int(block.get("pageJO"))
    number = _text(block.get("numJO"))
    url = _text(block.get("urlLegifrance"))
    nor = _text(block.get("referenceNOR"))
    if kind is None and day is None and page is None and number is None and url is None and nor is None:
        return None
    key = (kind, day, page, number, url, nor)
    reference = _shared(
        _SHARED_JO,
        key,
        lambda: JOReference(kind=kind, date=day, page=page, number=number, legifrance_url=url, nor=nor),
    )
    return reference


def _organe_plain(value: Any) -> OrganeMention | None:
    block = _block(value, _K_ORGANE)
    if block is None:
        return None
    ref = _text(block.get("organeRef"))
    short_label = _text(block.get("abrege"))
    label = _text(block.get("developpe"))
    uid = None
    if ref is not None:
        uid = ref.strip()
        if not _ORGANE.fullmatch(uid):
            raise _NotPlain
    if uid is None and short_label is None and label is None:
        return None
    key = (uid, short_label, label)
    return _shared(_SHARED_ORGANES, key, lambda: OrganeMention(uid=uid, short_label=short_label, label=label))


def _author_plain(value: Any) -> Author:
    auteur = _block(value, _K_AUTEUR)
    if auteur is None:
        raise _NotPlain
    identite = _block(auteur.get("identite"), _K_IDENTITE)
    if identite is None:
        raise _NotPlain
    person = _text(identite.get("acteurRef"))
    mandate = _text(identite.get("mandatRef"))
    if person is None:
        raise _NotPlain
    person = person.strip()
    if mandate is not None:
        mandate = mandate.strip()
        if not _MANDATE.fullmatch(mandate):
            raise _NotPlain
    if not _PERSON.fullmatch(person):
        raise _NotPlain
    group = _organe_plain(auteur.get("groupe"))
    # The group by identity: a cached author holds its group, so that object lives (and its id is not
    # reused) as long as the entry does; an equal group built anew only means one more shared author.
    key = (person, mandate, id(group))
    return _shared(_SHARED_AUTHORS, key, lambda: Author(person_uid=person, mandate_uid=mandate, group=group))


def _attributions_plain(value: Any) -> tuple[Attribution, ...]:
    block = _block(value, _K_MIN_ATTRIBS)
    if block is None:
        return ()
    attributions = []
    for order, item in enumerate(_objects(block.get("minAttrib"), _K_MIN_ATTRIB), start=1):
        jo = _jo_plain(item.get("infoJO"))
        ministry = _organe_plain(item.get("denomination"))
        if ministry is None:
            raise _NotPlain
        attributions.append(Attribution(order=order, ministry=ministry, jo=jo))
    return tuple(attributions)


def _texts_plain(value: Any, known: frozenset[str], key: str) -> tuple[Text, ...]:
    block = _block(value, known)
    if block is None:
        return ()
    texts = []
    for item in _objects(block.get(key), _K_TEXTE):
        html = _text(item.get("texte"))
        if html is None:
            raise _NotPlain
        texts.append(Text(html=html, jo=_jo_plain(item.get("infoJO")), erratum=_text(item.get("erratum"))))
    return tuple(texts)


def _errata_plain(value: Any) -> tuple[Erratum, ...]:
    if value is None:
        return ()
    if value.__class__ is not dict:  # a bare text or list, or nil: the wire models' forms
        raise _NotPlain
    block = _block(value, _K_ERRATUMS)
    if block is None:
        return ()
    errata = []
    for item in _objects(block.get("erratum"), _K_ERRATUM):
        text = _text(item.get("texte"))
        if text is None:
            raise _NotPlain
        errata.append(Erratum(text=text, jo=_jo_plain(item.get("infoJO"))))
    return tuple(errata)


# ------------------------------------------------------------------ reading an input


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
        for item in _decode(entry.name, data):
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
