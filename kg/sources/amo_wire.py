"""Acteur and organe wire models: the AMO records' shape and source names, what is read but not published, and the paths they understand."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Final

from pydantic import BeforeValidator, Field

from kg.sources.values import one_or_many
from kg.sources.wire_base import WireModel

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


def unwrap_text(value: Any) -> Any:
    """An identifier written either bare (``"PA1"``) or XML-ish (``{"#text": "PA1", "@xsi:type": …}``)."""
    if isinstance(value, dict) and "#text" in value and set(value) <= {"#text", *MARKUP_KEYS}:
        return value["#text"]
    return value


#: A string that may arrive XML-ish: ``{"#text": …}``.
_IdText = Annotated[str, BeforeValidator(unwrap_text)]
_ListOf = BeforeValidator(one_or_many)


class _Wire(WireModel):
    """Base of every acteur/organe wire object: the XML markup keys it may carry are known fields."""

    xmlns: str | None = Field(default=None, alias="@xmlns")
    xmlns_xsi: str | None = Field(default=None, alias="@xmlns:xsi")
    xsi_type: str | None = Field(default=None, alias="@xsi:type")


# --- acteur


class Ident(_Wire):
    civility: str | None = Field(default=None, alias="civ")
    given_name: str | None = Field(default=None, alias="prenom")
    family_name: str | None = Field(default=None, alias="nom")
    sort_name: str | None = Field(default=None, alias="alpha")
    trigram: str | None = Field(default=None, alias="trigramme")


class Birth(_Wire):
    date: str | None = Field(default=None, alias="dateNais")
    city: str | None = Field(default=None, alias="villeNais")
    department: str | None = Field(default=None, alias="depNais")
    country: str | None = Field(default=None, alias="paysNais")


class CivilStatus(_Wire):
    ident: Ident | None = Field(default=None, alias="ident")
    birth: Birth | None = Field(default=None, alias="infoNaissance")
    death_date: str | None = Field(default=None, alias="dateDeces")


class SocioProfessional(_Wire):
    category: str | None = Field(default=None, alias="catSocPro")
    family: str | None = Field(default=None, alias="famSocPro")


class Profession(_Wire):
    label: str | None = Field(default=None, alias="libelleCourant")
    insee: SocioProfessional | None = Field(default=None, alias="socProcINSEE")


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


class Quality(_Wire):
    code: str | None = Field(default=None, alias="codeQualite")
    label: str | None = Field(default=None, alias="libQualite")
    gendered: str | None = Field(default=None, alias="libQualiteSex")


class _OrganeRefs(_Wire):
    refs: Annotated[list[str], _ListOf] = Field(default_factory=list, alias="organeRef")


class SubstituteWire(_Wire):
    person: str | None = Field(default=None, alias="suppleantRef")
    start: str | None = Field(default=None, alias="dateDebut")
    end: str | None = Field(default=None, alias="dateFin")


class _Substitutes(_Wire):
    items: Annotated[list[SubstituteWire], _ListOf] = Field(default_factory=list, alias="suppleant")


class ElectionPlace(_Wire):
    region: str | None = Field(default=None, alias="region")
    region_type: str | None = Field(default=None, alias="regionType")
    department: str | None = Field(default=None, alias="departement")
    department_code: str | None = Field(default=None, alias="numDepartement")
    constituency_number: str | None = Field(default=None, alias="numCirco")


class ElectionWire(_Wire):
    place: ElectionPlace | None = Field(default=None, alias="lieu")
    cause: str | None = Field(default=None, alias="causeMandat")
    constituency_ref: str | None = Field(default=None, alias="refCirconscription")


class TermWire(_Wire):
    taking_office: str | None = Field(default=None, alias="datePriseFonction")
    end_cause: str | None = Field(default=None, alias="causeFin")
    replaces: str | None = Field(default=None, alias="mandatRemplaceRef")
    seat: str | None = Field(default=None, alias="placeHemicycle")
    first_election: str | None = Field(default=None, alias="premiereElection")


class MandateWire(_Wire):
    uid: str | None = Field(default=None, alias="uid")
    person_ref: str | None = Field(default=None, alias="acteurRef")
    legislature: str | None = Field(default=None, alias="legislature")
    organe_type: str | None = Field(default=None, alias="typeOrgane")
    start: str | None = Field(default=None, alias="dateDebut")
    publication: str | None = Field(default=None, alias="datePublication")
    end: str | None = Field(default=None, alias="dateFin")
    precedence: str | None = Field(default=None, alias="preseance")
    principal: str | None = Field(default=None, alias="nominPrincipale")
    quality: Quality | None = Field(default=None, alias="infosQualite")
    organes: _OrganeRefs | None = Field(default=None, alias="organes")
    substitutes: _Substitutes | None = Field(default=None, alias="suppleants")
    chamber: str | None = Field(default=None, alias="chambre")
    election: ElectionWire | None = Field(default=None, alias="election")
    term: TermWire | None = Field(default=None, alias="mandature")
    collaborators: Annotated[list[_Collaborators], _ListOf] = Field(
        default_factory=list, alias="collaborateurs"
    )
    label: str | None = Field(default=None, alias="libelle")
    previous_mission: str | None = Field(default=None, alias="missionPrecedenteRef")
    next_mission: str | None = Field(default=None, alias="missionSuivanteRef")


class _Mandates(_Wire):
    items: Annotated[list[MandateWire], _ListOf] = Field(default_factory=list, alias="mandat")


class ActeurWire(_Wire):
    """One ``acteur`` record (without its root key)."""

    uid: _IdText = Field(alias="uid")
    civil_status: CivilStatus | None = Field(default=None, alias="etatCivil")
    profession: Profession | None = Field(default=None, alias="profession")
    hatvp_url: str | None = Field(default=None, alias="uri_hatvp")
    addresses: _Addresses | None = Field(default=None, alias="adresses")
    mandates: _Mandates | None = Field(default=None, alias="mandats")


# --- organe


class Period(_Wire):
    start: str | None = Field(default=None, alias="dateDebut")
    approval: str | None = Field(default=None, alias="dateAgrement")
    end: str | None = Field(default=None, alias="dateFin")


class Department(_Wire):
    code: str | None = Field(default=None, alias="code")
    nature: str | None = Field(default=None, alias="codeNatureDep")
    label: str | None = Field(default=None, alias="libelle")


class Region(_Wire):
    label: str | None = Field(default=None, alias="libelle")
    type: str | None = Field(default=None, alias="type")


class Place(_Wire):
    department: Department | None = Field(default=None, alias="departement")
    region: Region | None = Field(default=None, alias="region")


class Secretariat(_Wire):
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
    period: Period | None = Field(default=None, alias="viMoDe")
    legislature: str | None = Field(default=None, alias="legislature")
    chamber: str | None = Field(default=None, alias="chambre")
    regime: str | None = Field(default=None, alias="regime")
    parent: str | None = Field(default=None, alias="organeParent")
    previous: str | None = Field(default=None, alias="organePrecedentRef")
    color: str | None = Field(default=None, alias="couleurAssociee")
    political_position: str | None = Field(default=None, alias="positionPolitique")
    precedence: str | None = Field(default=None, alias="preseance")
    number: str | None = Field(default=None, alias="numero")
    place: Place | None = Field(default=None, alias="lieu")
    secretariat: Secretariat | None = Field(default=None, alias="secretariat")
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
        if any(getattr(meta, "func", None) is unwrap_text for meta in info.metadata):
            paths |= {f"{prefix}{alias}.{key}" for key in ("#text", "@xmlns", "@xmlns:xsi", "@xsi:type")}
    return paths


#: Every dotted source path the acteur wire model understands (no root key, list levels unmarked).
ACTEUR_FIELDS: Final[frozenset[str]] = frozenset(_field_paths(ActeurWire))
#: Every dotted source path the organe wire model understands (no root key, list levels unmarked).
ORGANE_FIELDS: Final[frozenset[str]] = frozenset(_field_paths(OrganeWire))

_NESTED: dict[type[_Wire], tuple[tuple[str, str], ...]] = {}


def unknown_paths(model: _Wire, prefix: str, out: dict[str, int]) -> None:
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
                unknown_paths(item, f"{prefix}{alias}.", out)
        else:
            unknown_paths(value, f"{prefix}{alias}.", out)
