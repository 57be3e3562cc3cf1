"""Acteur and organe files (AMO dumps): wire models, decoding of both shapes, conversion to domain models.

Two shapes of the same records exist and are both accepted, detected by content:

* the official one: a single root key ``acteur`` / ``organe``, ``@xmlns`` / ``@xsi:type`` keys at many
  levels, an acteur ``uid`` written ``{"#text": "PA…"}`` and missing values written as nil objects
  ``{"@xsi:nil": "true"}``;
* a "cleaned" re-export: the same record without the root key, without ``@xmlns`` keys and without nil
  objects (the key is then simply absent).

The pydantic wire models below use the source (French) names as aliases and ``extra="allow"``: every key
they do not declare is reported as an ``unknown-field`` warning with its dotted path. Values stay strings
on the wire; :func:`decode_registry_file` converts them into :mod:`kg.models` dataclasses with the shared
scalar helpers of :mod:`kg.sources.values`.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Annotated, Any, Final

import orjson
from pydantic import BeforeValidator, Field, ValidationError

from kg.errors import RecordError
from kg.models import Election, Mandate, MandateTerm, Organe, Person, SourceRef, Substitute
from kg.report import Diagnostic
from kg.sources.values import one_or_many, parse_bool, parse_date, parse_int, record_hash
from kg.sources.wire_base import WireModel

__all__ = [
    "ACTEUR_FIELDS",
    "IGNORED_REGISTRY_FIELDS",
    "MARKUP_KEYS",
    "ORGANE_FIELDS",
    "SOURCE_PATHS",
    "ActeurWire",
    "OrganeWire",
    "RegistryRecordError",
    "decode_registry_file",
]

# ------------------------------------------------------------------ what is read but not published

#: Source paths (relative to the record, list levels unmarked) that the wire model reads, so they are not
#: reported as unknown, but that are deliberately NOT converted into the domain. Everything below a listed
#: path is covered. Keys are paths, values the reason.
IGNORED_REGISTRY_FIELDS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "adresses": "postal, e-mail, telephone, website and social-network addresses of a person: contact "
        "data deliberately not published in the graph",
        "mandats.mandat.collaborateurs": "a deputy's parliamentary assistants: private persons, "
        "deliberately not published in the graph",
    }
)

#: Keys that are XML serialisation artefacts, accepted at every level of both records. They carry no data
#: of their own: namespaces, the nil marker (a nil object is read as a missing value) and the XML Schema
#: type name the record was serialised with (its content is carried by the record's own fields:
#: ``codeType`` / ``typeOrgane`` and which blocks are present).
MARKUP_KEYS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "@xmlns": "XML namespace declaration",
        "@xmlns:xsi": "XML Schema instance namespace declaration",
        "@xsi:type": "XML Schema type name of the element; restates codeType/typeOrgane and the blocks present",
        "@xsi:nil": "nil marker: the object is read as a missing value",
    }
)

# ------------------------------------------------------------------ wire models


def _unwrap_text(value: Any) -> Any:
    """An identifier written either bare (``"PA1"``) or XML-ish (``{"#text": "PA1", "@xsi:type": …}``)."""
    if isinstance(value, dict) and "#text" in value and set(value) <= {"#text", *MARKUP_KEYS}:
        return value["#text"]
    return value


#: A string that may arrive XML-ish: ``{"#text": …}``.
_IdText = Annotated[str, BeforeValidator(_unwrap_text)]
_ListOf = BeforeValidator(one_or_many)


class _Wire(WireModel):
    """Base of every acteur/organe wire object: the XML markup keys it may carry are known fields."""

    xmlns: str | None = Field(default=None, alias="@xmlns")
    xmlns_xsi: str | None = Field(default=None, alias="@xmlns:xsi")
    xsi_type: str | None = Field(default=None, alias="@xsi:type")


# --- acteur


class _Ident(_Wire):
    civility: str | None = Field(default=None, alias="civ")
    given_name: str | None = Field(default=None, alias="prenom")
    family_name: str | None = Field(default=None, alias="nom")
    sort_name: str | None = Field(default=None, alias="alpha")
    trigram: str | None = Field(default=None, alias="trigramme")


class _Birth(_Wire):
    date: str | None = Field(default=None, alias="dateNais")
    city: str | None = Field(default=None, alias="villeNais")
    department: str | None = Field(default=None, alias="depNais")
    country: str | None = Field(default=None, alias="paysNais")


class _CivilStatus(_Wire):
    ident: _Ident | None = Field(default=None, alias="ident")
    birth: _Birth | None = Field(default=None, alias="infoNaissance")
    death_date: str | None = Field(default=None, alias="dateDeces")


class _SocioProfessional(_Wire):
    category: str | None = Field(default=None, alias="catSocPro")
    family: str | None = Field(default=None, alias="famSocPro")


class _Profession(_Wire):
    label: str | None = Field(default=None, alias="libelleCourant")
    insee: _SocioProfessional | None = Field(default=None, alias="socProcINSEE")


class _Address(_Wire):  # read, never published (IGNORED_REGISTRY_FIELDS)
    uid: str | None = Field(default=None, alias="uid")
    type: str | None = Field(default=None, alias="type")
    type_label: str | None = Field(default=None, alias="typeLibelle")
    weight: str | None = Field(default=None, alias="poids")
    attached_to: str | None = Field(default=None, alias="adresseDeRattachement")
    title: str | None = Field(default=None, alias="intitule")
    street_number: str | None = Field(default=None, alias="numeroRue")
    street: str | None = Field(default=None, alias="nomRue")
    complement: str | None = Field(default=None, alias="complementAdresse")
    postcode: str | None = Field(default=None, alias="codePostal")
    city: str | None = Field(default=None, alias="ville")
    value: str | None = Field(default=None, alias="valElec")


class _Addresses(_Wire):
    items: Annotated[list[_Address], _ListOf] = Field(default_factory=list, alias="adresse")


class _Collaborator(_Wire):  # read, never published (IGNORED_REGISTRY_FIELDS)
    quality: str | None = Field(default=None, alias="qualite")
    given_name: str | None = Field(default=None, alias="prenom")
    family_name: str | None = Field(default=None, alias="nom")
    start: str | None = Field(default=None, alias="dateDebut")
    end: str | None = Field(default=None, alias="dateFin")


class _Collaborators(_Wire):
    items: Annotated[list[_Collaborator], _ListOf] = Field(default_factory=list, alias="collaborateur")


class _Quality(_Wire):
    code: str | None = Field(default=None, alias="codeQualite")
    label: str | None = Field(default=None, alias="libQualite")
    gendered: str | None = Field(default=None, alias="libQualiteSex")


class _OrganeRefs(_Wire):
    refs: Annotated[list[str], _ListOf] = Field(default_factory=list, alias="organeRef")


class _SubstituteWire(_Wire):
    person: str | None = Field(default=None, alias="suppleantRef")
    start: str | None = Field(default=None, alias="dateDebut")
    end: str | None = Field(default=None, alias="dateFin")


class _Substitutes(_Wire):
    items: Annotated[list[_SubstituteWire], _ListOf] = Field(default_factory=list, alias="suppleant")


class _ElectionPlace(_Wire):
    region: str | None = Field(default=None, alias="region")
    region_type: str | None = Field(default=None, alias="regionType")
    department: str | None = Field(default=None, alias="departement")
    department_code: str | None = Field(default=None, alias="numDepartement")
    constituency_number: str | None = Field(default=None, alias="numCirco")


class _ElectionWire(_Wire):
    place: _ElectionPlace | None = Field(default=None, alias="lieu")
    cause: str | None = Field(default=None, alias="causeMandat")
    constituency_ref: str | None = Field(default=None, alias="refCirconscription")


class _TermWire(_Wire):
    taking_office: str | None = Field(default=None, alias="datePriseFonction")
    end_cause: str | None = Field(default=None, alias="causeFin")
    replaces: str | None = Field(default=None, alias="mandatRemplaceRef")
    seat: str | None = Field(default=None, alias="placeHemicycle")
    first_election: str | None = Field(default=None, alias="premiereElection")


class _MandateWire(_Wire):
    uid: str | None = Field(default=None, alias="uid")
    person_ref: str | None = Field(default=None, alias="acteurRef")
    legislature: str | None = Field(default=None, alias="legislature")
    organe_type: str | None = Field(default=None, alias="typeOrgane")
    start: str | None = Field(default=None, alias="dateDebut")
    publication: str | None = Field(default=None, alias="datePublication")
    end: str | None = Field(default=None, alias="dateFin")
    precedence: str | None = Field(default=None, alias="preseance")
    principal: str | None = Field(default=None, alias="nominPrincipale")
    quality: _Quality | None = Field(default=None, alias="infosQualite")
    organes: _OrganeRefs | None = Field(default=None, alias="organes")
    substitutes: _Substitutes | None = Field(default=None, alias="suppleants")
    chamber: str | None = Field(default=None, alias="chambre")
    election: _ElectionWire | None = Field(default=None, alias="election")
    term: _TermWire | None = Field(default=None, alias="mandature")
    collaborators: Annotated[list[_Collaborators], _ListOf] = Field(
        default_factory=list, alias="collaborateurs"
    )
    label: str | None = Field(default=None, alias="libelle")
    previous_mission: str | None = Field(default=None, alias="missionPrecedenteRef")
    next_mission: str | None = Field(default=None, alias="missionSuivanteRef")


class _Mandates(_Wire):
    items: Annotated[list[_MandateWire], _ListOf] = Field(default_factory=list, alias="mandat")


class ActeurWire(_Wire):
    """One ``acteur`` record (without its root key)."""

    uid: _IdText = Field(alias="uid")
    civil_status: _CivilStatus | None = Field(default=None, alias="etatCivil")
    profession: _Profession | None = Field(default=None, alias="profession")
    hatvp_url: str | None = Field(default=None, alias="uri_hatvp")
    addresses: _Addresses | None = Field(default=None, alias="adresses")
    mandates: _Mandates | None = Field(default=None, alias="mandats")


# --- organe


class _Period(_Wire):
    start: str | None = Field(default=None, alias="dateDebut")
    approval: str | None = Field(default=None, alias="dateAgrement")
    end: str | None = Field(default=None, alias="dateFin")


class _Department(_Wire):
    code: str | None = Field(default=None, alias="code")
    nature: str | None = Field(default=None, alias="codeNatureDep")
    label: str | None = Field(default=None, alias="libelle")


class _Region(_Wire):
    label: str | None = Field(default=None, alias="libelle")
    type: str | None = Field(default=None, alias="type")


class _Place(_Wire):
    department: _Department | None = Field(default=None, alias="departement")
    region: _Region | None = Field(default=None, alias="region")


class _Secretariat(_Wire):
    secretary_1: str | None = Field(default=None, alias="secretaire01")
    secretary_2: str | None = Field(default=None, alias="secretaire02")


class _Countries(_Wire):
    refs: Annotated[list[str], _ListOf] = Field(default_factory=list, alias="paysRef")


class OrganeWire(_Wire):
    """One ``organe`` record (without its root key)."""

    uid: _IdText = Field(alias="uid")
    code_type: str | None = Field(default=None, alias="codeType")
    label: str | None = Field(default=None, alias="libelle")
    label_edition: str | None = Field(default=None, alias="libelleEdition")
    short_label: str | None = Field(default=None, alias="libelleAbrege")
    abbreviation: str | None = Field(default=None, alias="libelleAbrev")
    period: _Period | None = Field(default=None, alias="viMoDe")
    legislature: str | None = Field(default=None, alias="legislature")
    chamber: str | None = Field(default=None, alias="chambre")
    regime: str | None = Field(default=None, alias="regime")
    parent: str | None = Field(default=None, alias="organeParent")
    previous: str | None = Field(default=None, alias="organePrecedentRef")
    color: str | None = Field(default=None, alias="couleurAssociee")
    political_position: str | None = Field(default=None, alias="positionPolitique")
    precedence: str | None = Field(default=None, alias="preseance")
    number: str | None = Field(default=None, alias="numero")
    place: _Place | None = Field(default=None, alias="lieu")
    secretariat: _Secretariat | None = Field(default=None, alias="secretariat")
    countries: _Countries | None = Field(default=None, alias="listePays")
    meetings_per_year: str | None = Field(default=None, alias="nombreReunionsAnnuelles")
    legal_regime: str | None = Field(default=None, alias="regimeJuridique")
    website: str | None = Field(default=None, alias="siteInternet")


# ------------------------------------------------------------------ model introspection


def _wire_class(annotation: Any) -> type[_Wire] | None:
    """The wire class inside ``X | None`` / ``list[X]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, _Wire):
        return annotation
    for arg in typing.get_args(annotation):
        found = _wire_class(arg)
        if found is not None:
            return found
    return None


def _nested_fields(model: type[_Wire]) -> tuple[tuple[str, str], ...]:
    """(attribute, alias) of the fields of ``model`` that hold wire objects."""
    return tuple(
        (name, info.alias or name)
        for name, info in model.model_fields.items()
        if _wire_class(info.annotation) is not None
    )


def _field_paths(model: type[_Wire], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for name, info in model.model_fields.items():
        alias = info.alias or name
        inner = _wire_class(info.annotation)
        if inner is not None:
            paths |= _field_paths(inner, f"{prefix}{alias}.")
            continue
        paths.add(prefix + alias)
        if any(getattr(meta, "func", None) is _unwrap_text for meta in info.metadata):
            paths |= {f"{prefix}{alias}.{key}" for key in ("#text", "@xmlns", "@xmlns:xsi", "@xsi:type")}
    return paths


#: Every dotted source path the acteur wire model understands (no root key, list levels unmarked).
ACTEUR_FIELDS: Final[frozenset[str]] = frozenset(_field_paths(ActeurWire))
#: Every dotted source path the organe wire model understands (no root key, list levels unmarked).
ORGANE_FIELDS: Final[frozenset[str]] = frozenset(_field_paths(OrganeWire))

_NESTED: dict[type[_Wire], tuple[tuple[str, str], ...]] = {}


def _unknown_paths(model: _Wire, prefix: str, out: dict[str, int]) -> None:
    """Collect the dotted paths of keys no wire model declares (counted: a key may repeat in a list)."""
    extra = model.__pydantic_extra__
    if extra:
        for key in extra:
            path = prefix + key
            out[path] = out.get(path, 0) + 1
    cls = type(model)
    nested = _NESTED.get(cls)
    if nested is None:
        nested = _NESTED[cls] = _nested_fields(cls)
    for attr, alias in nested:
        value = getattr(model, attr)
        if value is None:
            continue
        if isinstance(value, list):
            for item in value:
                _unknown_paths(item, f"{prefix}{alias}.", out)
        else:
            _unknown_paths(value, f"{prefix}{alias}.", out)


# ------------------------------------------------------------------ where each domain field comes from

#: For each domain class, the source path (relative to the object it is read from, list levels unmarked)
#: of each of its fields. Nested domain objects (mandates, election, term, substitutes) point at the source
#: object they are read from; ``secretaries`` collects ``secretariat.secretaire01/02``. Used to name fields
#: in diagnostics (merge conflicts) and by the tests that check nothing is lost.
SOURCE_PATHS: Final[Mapping[type, Mapping[str, str]]] = types.MappingProxyType(
    {
        Person: {
            "uid": "uid",
            "civility": "etatCivil.ident.civ",
            "given_name": "etatCivil.ident.prenom",
            "family_name": "etatCivil.ident.nom",
            "sort_name": "etatCivil.ident.alpha",
            "trigram": "etatCivil.ident.trigramme",
            "birth_date": "etatCivil.infoNaissance.dateNais",
            "birth_city": "etatCivil.infoNaissance.villeNais",
            "birth_department": "etatCivil.infoNaissance.depNais",
            "birth_country": "etatCivil.infoNaissance.paysNais",
            "death_date": "etatCivil.dateDeces",
            "profession": "profession.libelleCourant",
            "socio_category": "profession.socProcINSEE.catSocPro",
            "socio_family": "profession.socProcINSEE.famSocPro",
            "hatvp_url": "uri_hatvp",
            "mandates": "mandats.mandat",
        },
        Mandate: {
            "uid": "uid",
            "person_uid": "acteurRef",
            "organe_type": "typeOrgane",
            "organe_uids": "organes.organeRef",
            "legislature": "legislature",
            "start": "dateDebut",
            "end": "dateFin",
            "publication_date": "datePublication",
            "quality": "infosQualite.libQualite",
            "quality_code": "infosQualite.codeQualite",
            "quality_gendered": "infosQualite.libQualiteSex",
            "principal": "nominPrincipale",
            "precedence": "preseance",
            "label": "libelle",
            "chamber": "chambre",
            "election": "election",
            "term": "mandature",
            "substitutes": "suppleants.suppleant",
            "previous_mission_uid": "missionPrecedenteRef",
            "next_mission_uid": "missionSuivanteRef",
        },
        Election: {
            "region": "lieu.region",
            "region_type": "lieu.regionType",
            "department": "lieu.departement",
            "department_code": "lieu.numDepartement",
            "constituency_number": "lieu.numCirco",
            "cause": "causeMandat",
            "constituency_organe_uid": "refCirconscription",
        },
        MandateTerm: {
            "taking_office": "datePriseFonction",
            "end_cause": "causeFin",
            "replaces_mandate_uid": "mandatRemplaceRef",
            "seat": "placeHemicycle",
            "first_election": "premiereElection",
        },
        Substitute: {"person_uid": "suppleantRef", "start": "dateDebut", "end": "dateFin"},
        Organe: {
            "uid": "uid",
            "code_type": "codeType",
            "label": "libelle",
            "label_edition": "libelleEdition",
            "short_label": "libelleAbrege",
            "abbreviation": "libelleAbrev",
            "start": "viMoDe.dateDebut",
            "approval_date": "viMoDe.dateAgrement",
            "end": "viMoDe.dateFin",
            "legislature": "legislature",
            "chamber": "chambre",
            "regime": "regime",
            "parent_uid": "organeParent",
            "previous_uid": "organePrecedentRef",
            "color": "couleurAssociee",
            "political_position": "positionPolitique",
            "precedence": "preseance",
            "number": "numero",
            "department_code": "lieu.departement.code",
            "department_nature": "lieu.departement.codeNatureDep",
            "department_label": "lieu.departement.libelle",
            "region_label": "lieu.region.libelle",
            "region_type": "lieu.region.type",
            "secretaries": "secretariat",
            "country_refs": "listePays.paysRef",
            "meetings_per_year": "nombreReunionsAnnuelles",
            "legal_regime": "regimeJuridique",
            "website": "siteInternet",
        },
    }
)

# ------------------------------------------------------------------ conversion


class _FieldError(Exception):
    """A value that cannot be converted; ``path`` is the dotted source path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


# The same few thousand dates and numbers recur across ~100,000 mandates: parse each text once.
_cached_date = functools.lru_cache(maxsize=16384)(parse_date)
_cached_int = functools.lru_cache(maxsize=4096)(parse_int)


def _date(value: str | None, path: str) -> date | None:
    if value is None:
        return None
    try:
        return _cached_date(value)
    except ValueError:
        pass
    try:  # again, uncached, for a message that names the field
        return parse_date(value, field=path)
    except ValueError as exc:
        raise _FieldError(path, str(exc)) from None


def _int(value: str | None, path: str) -> int | None:
    if value is None:
        return None
    try:
        return _cached_int(value)
    except ValueError:
        pass
    try:  # again, uncached, for a message that names the field
        return parse_int(value, field=path)
    except ValueError as exc:
        raise _FieldError(path, str(exc)) from None


def _bool(value: str | None, path: str) -> bool | None:
    if value is None:
        return None
    try:
        return parse_bool(value, field=path)
    except ValueError as exc:
        raise _FieldError(path, str(exc)) from None


_M = "mandats.mandat."


def _election(wire: _ElectionWire) -> Election:
    place = wire.place or _ElectionPlace()
    return Election(
        region=place.region,
        region_type=place.region_type,
        department=place.department,
        department_code=place.department_code,
        constituency_number=_int(place.constituency_number, _M + "election.lieu.numCirco"),
        cause=wire.cause,
        constituency_organe_uid=wire.constituency_ref,
    )


def _term(wire: _TermWire) -> MandateTerm:
    return MandateTerm(
        taking_office=_date(wire.taking_office, _M + "mandature.datePriseFonction"),
        end_cause=wire.end_cause,
        replaces_mandate_uid=wire.replaces,
        seat=wire.seat,
        first_election=_bool(wire.first_election, _M + "mandature.premiereElection"),
    )


def _substitute(wire: _SubstituteWire) -> Substitute:
    if wire.person is None:
        raise _FieldError(_M + "suppleants.suppleant.suppleantRef", "a substitute without suppleantRef")
    return Substitute(
        person_uid=wire.person,
        start=_date(wire.start, _M + "suppleants.suppleant.dateDebut"),
        end=_date(wire.end, _M + "suppleants.suppleant.dateFin"),
    )


def _mandate(wire: _MandateWire, person_uid: str) -> Mandate:
    if wire.uid is None:
        raise _FieldError(_M + "uid", "a mandate without uid")
    if wire.organe_type is None:
        raise _FieldError(_M + "typeOrgane", "a mandate without typeOrgane")
    if wire.person_ref != person_uid:
        raise _FieldError(
            _M + "acteurRef", f"acteurRef {wire.person_ref!r} is not the acteur's uid {person_uid!r}"
        )
    quality = wire.quality or _Quality()
    return Mandate(
        uid=wire.uid,
        person_uid=wire.person_ref,
        organe_type=wire.organe_type,
        organe_uids=tuple(wire.organes.refs) if wire.organes else (),
        legislature=_int(wire.legislature, _M + "legislature"),
        start=_date(wire.start, _M + "dateDebut"),
        end=_date(wire.end, _M + "dateFin"),
        publication_date=_date(wire.publication, _M + "datePublication"),
        quality=quality.label,
        quality_code=quality.code,
        quality_gendered=quality.gendered,
        principal=_bool(wire.principal, _M + "nominPrincipale"),
        precedence=_int(wire.precedence, _M + "preseance"),
        label=wire.label,
        chamber=wire.chamber,
        election=_election(wire.election) if wire.election else None,
        term=_term(wire.term) if wire.term else None,
        substitutes=tuple(_substitute(s) for s in wire.substitutes.items) if wire.substitutes else (),
        previous_mission_uid=wire.previous_mission,
        next_mission_uid=wire.next_mission,
    )


def _mandate_sort_key(mandate: Mandate) -> tuple[date, str]:
    return (mandate.start or date.min, mandate.uid)


def _person(wire: ActeurWire, source: SourceRef, name: str) -> tuple[Person, list[Diagnostic]]:
    """Raises _FieldError for person-level fields; bad mandates are dropped with an error diagnostic."""
    uid = wire.uid
    civil = wire.civil_status or _CivilStatus()
    ident = civil.ident or _Ident()
    birth = civil.birth or _Birth()
    profession = wire.profession or _Profession()
    insee = profession.insee or _SocioProfessional()
    diagnostics: list[Diagnostic] = []
    mandates: dict[str, Mandate] = {}
    for mandate_wire in wire.mandates.items if wire.mandates else ():
        try:
            mandate = _mandate(mandate_wire, uid)
        except _FieldError as exc:
            diagnostics.append(
                Diagnostic(
                    severity="error",
                    file=name,
                    record=mandate_wire.uid or uid,
                    field=exc.path,
                    code="bad-mandate",
                    message=f"mandate of {uid} dropped: {exc.message}",
                )
            )
            continue
        if mandate.uid in mandates:
            if mandates[mandate.uid] != mandate:
                diagnostics.append(
                    Diagnostic(
                        severity="warning",
                        file=name,
                        record=mandate.uid,
                        field=_M + "uid",
                        code="duplicate-mandate",
                        message=f"mandate {mandate.uid} of {uid} appears twice with different values; "
                        "the first one is kept",
                    )
                )
            continue
        mandates[mandate.uid] = mandate
    person = Person(
        uid=uid,
        civility=ident.civility,
        given_name=ident.given_name,
        family_name=ident.family_name,
        sort_name=ident.sort_name,
        trigram=ident.trigram,
        birth_date=_date(birth.date, "etatCivil.infoNaissance.dateNais"),
        birth_city=birth.city,
        birth_department=birth.department,
        birth_country=birth.country,
        death_date=_date(civil.death_date, "etatCivil.dateDeces"),
        profession=profession.label,
        socio_category=insee.category,
        socio_family=insee.family,
        hatvp_url=wire.hatvp_url,
        mandates=tuple(sorted(mandates.values(), key=_mandate_sort_key)),
        sources=(source,),
    )
    return person, diagnostics


def _organe(wire: OrganeWire, source: SourceRef) -> Organe:
    if wire.code_type is None:
        raise _FieldError("codeType", "an organe without codeType")
    period = wire.period or _Period()
    place = wire.place or _Place()
    department = place.department or _Department()
    region = place.region or _Region()
    secretariat = wire.secretariat or _Secretariat()
    return Organe(
        uid=wire.uid,
        code_type=wire.code_type,
        label=wire.label,
        label_edition=wire.label_edition,
        short_label=wire.short_label,
        abbreviation=wire.abbreviation,
        start=_date(period.start, "viMoDe.dateDebut"),
        approval_date=_date(period.approval, "viMoDe.dateAgrement"),
        end=_date(period.end, "viMoDe.dateFin"),
        legislature=_int(wire.legislature, "legislature"),
        chamber=wire.chamber,
        regime=wire.regime,
        parent_uid=wire.parent,
        previous_uid=wire.previous,
        color=wire.color,
        political_position=wire.political_position,
        precedence=_int(wire.precedence, "preseance"),
        number=_int(wire.number, "numero"),
        department_code=department.code,
        department_nature=department.nature,
        department_label=department.label,
        region_label=region.label,
        region_type=region.type,
        secretaries=tuple(s for s in (secretariat.secretary_1, secretariat.secretary_2) if s is not None),
        country_refs=tuple(wire.countries.refs) if wire.countries else (),
        meetings_per_year=_int(wire.meetings_per_year, "nombreReunionsAnnuelles"),
        legal_regime=wire.legal_regime,
        website=wire.website,
        sources=(source,),
    )


# ------------------------------------------------------------------ decoding


class RegistryRecordError(RecordError):
    """A registry file or record that cannot be used. ``code`` is the diagnostic code for reports:
    ``invalid-json``, ``unrecognised-record``, ``missing-uid``, ``bad-uid``, ``invalid-record`` (the wire
    model rejects it) or ``bad-value`` (a date, number or flag that does not parse)."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        file: str | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, file=file, record=record, field=field)
        self.code = code


_ACTEUR_KEYS: Final = frozenset({"etatCivil", "mandats", "profession", "uri_hatvp", "adresses"})
_ORGANE_KEYS: Final = frozenset({"codeType", "libelle", "libelleAbrege", "libelleAbrev", "viMoDe"})
_KIND_OF_PREFIX: Final = {"PA": "acteur", "PO": "organe"}


def _uid_text(record: dict[str, Any]) -> str | None:
    value = _unwrap_text(record.get("uid"))
    if isinstance(value, str) and value.strip():
        return value
    return None


def _detect(name: str, raw: Any) -> tuple[str, dict[str, Any], list[str]]:
    """(kind, record, unexpected root keys) of a parsed file; raises when it is neither."""
    if not isinstance(raw, dict):
        raise RegistryRecordError(
            f"expected a JSON object, found {type(raw).__name__}", code="unrecognised-record", file=name
        )
    for kind in ("acteur", "organe"):
        if kind in raw:
            record = raw[kind]
            if not isinstance(record, dict):
                raise RegistryRecordError(
                    f"the root key {kind!r} does not hold an object",
                    code="unrecognised-record",
                    file=name,
                    field=kind,
                )
            return kind, record, [key for key in raw if key != kind and key not in MARKUP_KEYS]
    uid = _uid_text(raw)
    by_uid = _KIND_OF_PREFIX.get(uid[:2]) if uid else None
    by_keys = {
        kind for kind, keys in (("acteur", _ACTEUR_KEYS), ("organe", _ORGANE_KEYS)) if keys & raw.keys()
    }
    if by_uid is not None and (not by_keys or by_keys == {by_uid}):
        return by_uid, raw, []
    if uid is None and len(by_keys) == 1:
        return by_keys.pop(), raw, []  # the missing uid is reported by the caller
    if uid is None:
        raise RegistryRecordError(
            "neither an acteur nor an organe record (no root key acteur/organe, no uid, no known keys)",
            code="unrecognised-record",
            file=name,
            field="uid",
        )
    raise RegistryRecordError(
        f"cannot tell an acteur from an organe: uid {uid!r} (expected PA… or PO…) with keys of "
        f"{' and '.join(sorted(by_keys)) or 'neither'}",
        code="unrecognised-record",
        file=name,
        record=uid,
        field="uid",
    )


def _validation_error(name: str, record: str, exc: ValidationError) -> RegistryRecordError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = first["loc"]
    field = ".".join(str(part) for part in loc if isinstance(part, str)) or None
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    value = repr(first.get("input"))
    if len(value) > 80:
        value = value[:77] + "..."
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return RegistryRecordError(
        f"{where}: {first['msg']}, got {value}{more}",
        code="invalid-record",
        file=name,
        record=record,
        field=field,
    )


def decode_registry_file(name: str, data: bytes) -> Iterator[Person | Organe | Diagnostic]:
    """One acteur or organe JSON file, either shape, detected by content.

    The official shape has a root key ``acteur``/``organe``; the cleaned one is the bare record, recognised
    by its uid prefix (PA/PO) and its keys. Warnings (unknown fields, at any depth, as
    ``Diagnostic(severity="warning", code="unknown-field", field="dotted.path")``) are yielded first, then
    error diagnostics for mandates that had to be dropped (``code="bad-mandate"``: no uid, no typeOrgane,
    an acteurRef that is not the acteur, a value that does not parse), then the record. Raises
    :class:`RegistryRecordError` (an :class:`kg.errors.InputError`: one line naming the file, the record
    and the field) when the file or the record cannot be used.
    """
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark: allowed, and meaningless
        data = data[3:]
    if not data.strip():
        raise RegistryRecordError("empty file", code="empty-file", file=name)
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise RegistryRecordError(
            f"invalid JSON ({' '.join(str(exc).split())})", code="invalid-json", file=name
        ) from None
    kind, record, stray_root_keys = _detect(name, raw)
    uid = _uid_text(record)
    if uid is None:
        raise RegistryRecordError(
            f"{kind} record without uid", code="missing-uid", file=name, record=kind, field="uid"
        )
    if _KIND_OF_PREFIX.get(uid[:2]) != kind:
        raise RegistryRecordError(
            f"uid {uid!r} is not an {kind} uid (PA… acteurs, PO… organes)",
            code="bad-uid",
            file=name,
            record=uid,
            field="uid",
        )
    model: type[ActeurWire | OrganeWire] = ActeurWire if kind == "acteur" else OrganeWire
    try:
        wire = model.model_validate(record)
    except ValidationError as exc:
        raise _validation_error(name, uid, exc) from None

    unknown: dict[str, int] = dict.fromkeys(stray_root_keys, 1)
    _unknown_paths(wire, "", unknown)
    diagnostics = [
        Diagnostic(
            severity="warning",
            file=name,
            record=uid,
            field=path,
            code="unknown-field",
            message=f"unknown field {path!r} ({count} occurrence{'s' if count > 1 else ''}); not read",
        )
        for path, count in unknown.items()
    ]
    source = SourceRef(path=name, sha256=record_hash(record))
    result: Person | Organe
    try:
        if isinstance(wire, ActeurWire):
            result, dropped = _person(wire, source, name)
            diagnostics.extend(dropped)
        else:
            result = _organe(wire, source)
    except _FieldError as exc:
        raise RegistryRecordError(
            exc.message, code="bad-value", file=name, record=uid, field=exc.path
        ) from None
    yield from diagnostics
    yield result
