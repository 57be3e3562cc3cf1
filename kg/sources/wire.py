"""Wire models of a question record: the source's shape, names (as aliases) and every variant of it.

A record is validated here exactly once (:meth:`WireQuestion.model_validate`), then converted to the domain
model by :mod:`kg.sources.questions` (whose faster path for plainly well-formed records uses the same
conversions, :func:`scalar` first, and must agree with these models). The models are tolerant of everything
the Assemblée's files are known or reported to do (see ``docs/inputs.md``, "What a question record holds"):

* every scalar is a string, ``null`` or a nil object ``{"@xsi:nil": "true"}`` (numbers are accepted too);
* a one-element list arrives as a bare object (:data:`Many`);
* whole blocks are ``null`` or nil (:data:`NIL`);
* dates come as ``YYYY-MM-DD`` or ``DD/MM/YYYY``.

Unknown keys are kept (``extra="allow"``) and listed by :func:`unknown_fields`, so that the reader reports
them instead of dropping them. :data:`QUESTION_FIELDS` lists every source path these models understand.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, get_args

from pydantic import BeforeValidator, Field, model_validator

from kg.sources.values import is_nil, one_or_many, parse_date, parse_int
from kg.sources.wire_base import WireModel, is_missing

__all__ = [
    "IGNORED_KEYS",
    "QUESTION_FIELDS",
    "BadDate",
    "BadNumber",
    "BadShape",
    "WireQuestion",
    "scalar",
    "unknown_fields",
]


#: Closure codes seen in real records; any other code is kept and reported.
KNOWN_CLOSURE_CODES = frozenset({"REP_PUB"})


#: Journal officiel kinds seen in real records (``infoJO.typeJO``); any other is kept and reported.
KNOWN_JO_TYPES = frozenset({"JO_QUESTION", "JO_DEBAT", "JO_LOI_DECRET"})


# ASCII digits only: "PA٣٤٥" is not an Assemblée identifier (Python's \d matches every script's digits).
UID = re.compile(r"QANR5L(\d+)(QE|QOSD|QG)(\d+)", re.ASCII)


PERSON = re.compile(r"PA\d+", re.ASCII)


MANDATE = re.compile(r"PM\d+", re.ASCII)


ORGANE = re.compile(r"PO\d+", re.ASCII)


# ------------------------------------------------------------------ scalar types


class BadShape(ValueError):
    """A value does not have the shape the source uses (an object where a string is expected, …)."""


class BadDate(ValueError):
    """A date in neither ``YYYY-MM-DD`` nor ``DD/MM/YYYY``, or an impossible one."""


class BadNumber(ValueError):
    """A number field that is not a whole number."""


def scalar(value: Any) -> str | None:
    """Strings stay as written (blank → ``None``); nil objects → ``None``; ``{"#text": …}`` → its text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value and not value.isspace() else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        if is_nil(value):
            return None
        if "#text" in value:
            return scalar(value["#text"])
        raise BadShape(f"expected a text value, found an object with keys {', '.join(sorted(value))}")
    if isinstance(value, list):
        raise BadShape(f"expected one value, found a list of {len(value)}")
    raise BadShape(f"expected a text value, found {type(value).__name__}")


def _int(value: Any) -> int | None:
    text = scalar(value)
    if text is None:
        return None
    try:
        return parse_int(text)
    except ValueError:
        raise BadNumber(f"not a whole number: {text!r}") from None


def _date(value: Any) -> dt.date | None:
    text = scalar(value)
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise BadDate(str(exc).removeprefix("date: ")) from None


def _nil_to_none(value: Any) -> Any:
    return None if is_missing(value) else value  # the one nil rule (kg.sources.wire_base)


#: A source scalar, as written (``None`` when empty or nil).
Text = Annotated[str | None, BeforeValidator(scalar)]
#: A whole number written as a string.
Int = Annotated[int | None, BeforeValidator(_int)]
#: A date in either source format.
Date = Annotated[dt.date | None, BeforeValidator(_date)]
#: Put on an optional block: ``null`` and nil objects become ``None``.
NIL = BeforeValidator(_nil_to_none)
#: Put on a list field: a bare object is a one-element list, nil items are dropped.
Many = BeforeValidator(one_or_many)

#: Keys every XML-born object may carry and that mean nothing for the data.
IGNORED_KEYS = frozenset({"@xmlns", "@xmlns:xsi", "@xsi:type", "@xsi:nil"})


class Wire(WireModel):
    """Base of the question wire models (see :class:`kg.sources.wire_base.WireModel`)."""


# ------------------------------------------------------------------ blocks


class InfoJO(Wire):
    """``infoJO``: a publication in the Journal officiel."""

    kind: Text = Field(None, alias="typeJO")
    date: Date = Field(None, alias="dateJO")
    page: Int = Field(None, alias="pageJO")
    number: Text = Field(None, alias="numJO")
    legifrance_url: Text = Field(None, alias="urlLegifrance")
    nor: Text = Field(None, alias="referenceNOR")


class Identifiant(Wire):
    number: Int = Field(None, alias="numero")
    regime: Text = Field(None, alias="regime")
    legislature: Int = Field(None, alias="legislature")


class Analyses(Wire):
    """``indexationAN.analyses``: the title(s); older records spell the key ``ANALYSE`` or ``ANA``."""

    analyse: Annotated[list[Text], Many] = Field(default_factory=list, alias="analyse")
    analyse_upper: Annotated[list[Text], Many] = Field(default_factory=list, alias="ANALYSE")
    ana: Annotated[list[Text], Many] = Field(default_factory=list, alias="ANA")


class LegacyAnalyse(Wire):
    """``indexationAN.ANALYSE`` of older records: ``{"ANA": title or titles}`` (or the titles themselves)."""

    ana: Annotated[list[Text], Many] = Field(default_factory=list, alias="ANA")

    @model_validator(mode="before")
    @classmethod
    def _bare_titles(cls, value: Any) -> Any:
        return {"ANA": value} if isinstance(value, str | list) else value


class IndexationAN(Wire):
    rubrique: Text = Field(None, alias="rubrique")
    tete_analyse: Text = Field(None, alias="teteAnalyse")
    analyses: Annotated[Analyses | None, NIL] = Field(None, alias="analyses")
    legacy_analyse: Annotated[LegacyAnalyse | None, NIL] = Field(None, alias="ANALYSE")


class Identite(Wire):
    person_ref: Text = Field(None, alias="acteurRef")
    mandate_ref: Text = Field(None, alias="mandatRef")


class OrganeLabels(Wire):
    """``groupe``, ``minInt``, ``minAttrib.denomination``: a reference plus the labels the record gives."""

    organe_ref: Text = Field(None, alias="organeRef")
    short_label: Text = Field(None, alias="abrege")
    label: Text = Field(None, alias="developpe")


class Auteur(Wire):
    identity: Annotated[Identite | None, NIL] = Field(None, alias="identite")
    group: Annotated[OrganeLabels | None, NIL] = Field(None, alias="groupe")


class MinAttrib(Wire):
    info_jo: Annotated[InfoJO | None, NIL] = Field(None, alias="infoJO")
    denomination: Annotated[OrganeLabels | None, NIL] = Field(None, alias="denomination")


class MinAttribs(Wire):
    items: Annotated[list[MinAttrib], Many] = Field(default_factory=list, alias="minAttrib")


class Texte(Wire):
    """``texteQuestion`` / ``texteReponse``. ``texte`` is an HTML fragment, kept exactly as written."""

    info_jo: Annotated[InfoJO | None, NIL] = Field(None, alias="infoJO")
    text: Text = Field(None, alias="texte")
    erratum: Text = Field(None, alias="erratum")


class TextesQuestion(Wire):
    items: Annotated[list[Texte], Many] = Field(default_factory=list, alias="texteQuestion")


class TextesReponse(Wire):
    items: Annotated[list[Texte], Many] = Field(default_factory=list, alias="texteReponse")


class Signalement(Wire):
    filed: Date = Field(None, alias="dateDepotSignal")
    info_jo: Annotated[InfoJO | None, NIL] = Field(None, alias="infoJO")


class Renouvellement(Wire):
    date: Date = Field(None, alias="dateRenouvellement")
    info_jo: Annotated[InfoJO | None, NIL] = Field(None, alias="infoJO")


class Renouvellements(Wire):
    items: Annotated[list[Renouvellement], Many] = Field(default_factory=list, alias="renouvellement")


class Cloture(Wire):
    code: Text = Field(None, alias="codeCloture")
    label: Text = Field(None, alias="libelleCloture")
    date: Date = Field(None, alias="dateCloture")
    info_jo: Annotated[InfoJO | None, NIL] = Field(None, alias="infoJO")


class Erratum(Wire):
    """One erratum: ``{texte, infoJO}``, or just its text."""

    text: Text = Field(None, alias="texte")
    info_jo: Annotated[InfoJO | None, NIL] = Field(None, alias="infoJO")

    @model_validator(mode="before")
    @classmethod
    def _bare_text(cls, value: Any) -> Any:
        return {"texte": value} if isinstance(value, str) else value


class Erratums(Wire):
    """``erratumsQuestion`` / ``erratumsReponse``: ``{"erratum": one or many}``, or a bare text."""

    items: Annotated[list[Erratum], Many] = Field(default_factory=list, alias="erratum")

    @model_validator(mode="before")
    @classmethod
    def _bare_errata(cls, value: Any) -> Any:
        return {"erratum": value} if isinstance(value, str | list) else value


class WireQuestion(Wire):
    """The content of a ``question`` record."""

    uid: Text = Field(None, alias="uid")
    identifier: Annotated[Identifiant | None, NIL] = Field(None, alias="identifiant")
    type: Text = Field(None, alias="type")
    indexation: Annotated[IndexationAN | None, NIL] = Field(None, alias="indexationAN")
    author: Annotated[Auteur | None, NIL] = Field(None, alias="auteur")
    questioned_ministry: Annotated[OrganeLabels | None, NIL] = Field(None, alias="minInt")
    attributions: Annotated[MinAttribs | None, NIL] = Field(None, alias="minAttribs")
    question_texts: Annotated[TextesQuestion | None, NIL] = Field(None, alias="textesQuestion")
    answer_texts: Annotated[TextesReponse | None, NIL] = Field(None, alias="textesReponse")
    signalements: Annotated[list[Signalement], Many] = Field(default_factory=list, alias="signalement")
    renewals: Annotated[Renouvellements | None, NIL] = Field(None, alias="renouvellements")
    closure: Annotated[Cloture | None, NIL] = Field(None, alias="cloture")
    question_errata: Annotated[Erratums | None, NIL] = Field(None, alias="erratumsQuestion")
    answer_errata: Annotated[Erratums | None, NIL] = Field(None, alias="erratumsReponse")


# ------------------------------------------------------------------ unknown fields and known paths


def _model_in(annotation: Any) -> type[Wire] | None:
    """The wire model a field holds (directly, in a list or optional), ``None`` for a scalar field."""
    if isinstance(annotation, type) and issubclass(annotation, Wire):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _children(model: type[Wire]) -> tuple[tuple[str, str, type[Wire] | None], ...]:
    return tuple(
        (name, info.alias or name, _model_in(info.annotation)) for name, info in model.model_fields.items()
    )


_CHILDREN: dict[type[Wire], tuple[tuple[str, str], ...]] = {}
_FIELDS: set[str] = set()


def _index(model: type[Wire], prefix: str) -> None:
    nested = []
    for name, alias, child in _children(model):
        if child is None:
            _FIELDS.add(prefix + alias)
        else:
            nested.append((name, alias))
            _index(child, f"{prefix}{alias}.")
    _CHILDREN[model] = tuple(nested)


_index(WireQuestion, "")

#: Paths whose value may also be a bare string, normalised by a ``before`` validator into the object form.
_STRING_FORMS = frozenset({"erratumsQuestion", "erratumsReponse", "indexationAN.ANALYSE"})

#: Every dotted source path the wire models understand (list levels are not marked). Keys in
#: :data:`IGNORED_KEYS` are understood too, and deliberately not part of the data.
QUESTION_FIELDS: frozenset[str] = frozenset(_FIELDS | _STRING_FORMS)


def unknown_fields(model: Wire, prefix: str = "") -> list[str]:
    """Dotted paths of every key the models did not expect, at any depth (list levels not marked)."""
    found: list[str] = []
    _collect_unknown(model, prefix, found)
    return found


def _collect_unknown(model: Wire, prefix: str, found: list[str]) -> None:
    extra = model.__pydantic_extra__
    if extra:
        found.extend(
            prefix + key for key in extra if key not in IGNORED_KEYS and not key.startswith("@xmlns")
        )
    for name, alias in _CHILDREN[type(model)]:
        value = getattr(model, name)
        if value is None:
            continue
        if isinstance(value, list):
            for item in value:
                _collect_unknown(item, f"{prefix}{alias}.", found)
        else:
            _collect_unknown(value, f"{prefix}{alias}.", found)
