"""Readers of the Assemblée's question records: bytes → raw records → validated :class:`kg.models.Question`.

Three steps, each usable alone:

* :func:`kg.sources.question_decode.decode_question_file` turns one file's bytes into raw records, whatever
  the layout (one question per file or a whole legislature in one file, JSON or XML, detected by content);
* :func:`parse_question` validates one raw record (:mod:`kg.sources.wire`) and converts it to the domain
  model, with warnings for anything odd but usable (plainly well-formed records, nearly all of them, take a
  faster path that gives the same question: see "the plain path" below);
* the build's read front door (:mod:`kg.build.read`) does both for every file of an input.
"""

from __future__ import annotations

from typing import Any, NoReturn

from pydantic import ValidationError

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
from kg.sources.files import printable
from kg.sources.question_decode import QuestionRecordError, RawQuestion, may_hold_mojibake
from kg.sources.question_plain import read_plain
from kg.sources.values import (
    canonical_hash,
    canonical_json,
    looks_like_mojibake,
    text_of,
)
from kg.sources.wire import KNOWN_CLOSURE_CODES, KNOWN_JO_TYPES, MANDATE, ORGANE, PERSON, UID

__all__ = ["QUESTION_FIELDS", "parse_question"]


QUESTION_FIELDS = wire.QUESTION_FIELDS


def parse_question(raw: RawQuestion) -> tuple[Question, list[Diagnostic]]:
    """Validate a raw record and convert it to the domain :class:`Question`.

    Returns the warnings (unknown fields, unknown closure code, odd references, mojibake, …). Raises
    :class:`QuestionRecordError` (a :class:`RecordError`) naming the file, the record (uid, else pointer) and
    the dotted source field when the record cannot be used.

    A plainly well-formed record (every key known, nothing to warn about) is read straight from its dict
    (:func:`read_plain`); any other goes through the wire models, which give the same question for the
    first kind and say what is wrong or odd with the others.
    """
    question = read_plain(raw)
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
        if may_hold_mojibake(canonical):
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
        match = UID.fullmatch(uid)
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
        if not PERSON.fullmatch(person):
            self.fail("bad-identifier", "auteur.identite.acteurRef", f"{person!r} is not an acteur uid (PA…)")
        mandate = identity.mandate_ref.strip() if identity and identity.mandate_ref else None
        if mandate is not None and not MANDATE.fullmatch(mandate):
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
            if ORGANE.fullmatch(ref):
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
