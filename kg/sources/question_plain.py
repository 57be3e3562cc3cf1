"""The plain path: a well-formed question record read straight into the domain model, without the wire models.

Nearly every real record is plainly well formed; this path gives the very question the wire models give
(a test compares both on every variant) at a fraction of the cost, and steps aside (``NotPlain``) for
anything unusual, which then goes through the wire models and their warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

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
from kg.sources import wire
from kg.sources.question_decode import RawQuestion, may_hold_mojibake
from kg.sources.values import (
    canonical_hash,
    canonical_json,
    is_nil,
    parse_date,
    parse_int,
)
from kg.sources.wire import KNOWN_CLOSURE_CODES, KNOWN_JO_TYPES, MANDATE, ORGANE, PERSON, UID


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


def read_plain(raw: RawQuestion) -> Question | None:
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
    if may_hold_mojibake(canonical):
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
    match = UID.fullmatch(uid)
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
        if not ORGANE.fullmatch(uid):
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
        if not MANDATE.fullmatch(mandate):
            raise _NotPlain
    if not PERSON.fullmatch(person):
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
