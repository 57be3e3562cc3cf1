"""Acteur and organe files (AMO dumps): decoding of both shapes and conversion to domain models.

Two shapes of the same records exist and are both accepted, detected by content:

* the official one: a single root key ``acteur`` / ``organe``, ``@xmlns`` / ``@xsi:type`` keys at many
  levels, an acteur ``uid`` written ``{"#text": "PA…"}`` and missing values written as nil objects
  ``{"@xsi:nil": "true"}``;
* a "cleaned" re-export: the same record without the root key, without ``@xmlns`` keys and without nil
  objects (the key is then simply absent).

The pydantic wire models (:mod:`kg.sources.amo_wire`) use the source (French) names as aliases and ``extra="allow"``: every key
they do not declare is reported as an ``unknown-field`` warning with its dotted path. Values stay strings
on the wire; :func:`decode_registry_file` converts them into :mod:`kg.models` dataclasses with the shared
scalar helpers of :mod:`kg.sources.values`.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, Final

import orjson
from pydantic import ValidationError

from kg.errors import RecordError
from kg.models import Election, Mandate, MandateTerm, Organe, Person, SourceRef, Substitute
from kg.report import Diagnostic
from kg.sources.amo_wire import (
    MARKUP_KEYS,
    ActeurWire,
    Birth,
    CivilStatus,
    Department,
    ElectionPlace,
    ElectionWire,
    Ident,
    MandateWire,
    OrganeWire,
    Period,
    Place,
    Profession,
    Quality,
    Region,
    Secretariat,
    SocioProfessional,
    SubstituteWire,
    TermWire,
    unknown_paths,
    unwrap_text,
)
from kg.sources.values import parse_bool, parse_date, parse_int, record_hash

__all__ = [
    "SOURCE_PATHS",
    "RegistryRecordError",
    "decode_registry_file",
]

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


def _election(wire: ElectionWire) -> Election:
    place = wire.place or ElectionPlace()
    return Election(
        region=place.region,
        region_type=place.region_type,
        department=place.department,
        department_code=place.department_code,
        constituency_number=_int(place.constituency_number, _M + "election.lieu.numCirco"),
        cause=wire.cause,
        constituency_organe_uid=wire.constituency_ref,
    )


def _term(wire: TermWire) -> MandateTerm:
    return MandateTerm(
        taking_office=_date(wire.taking_office, _M + "mandature.datePriseFonction"),
        end_cause=wire.end_cause,
        replaces_mandate_uid=wire.replaces,
        seat=wire.seat,
        first_election=_bool(wire.first_election, _M + "mandature.premiereElection"),
    )


def _substitute(wire: SubstituteWire) -> Substitute:
    if wire.person is None:
        raise _FieldError(_M + "suppleants.suppleant.suppleantRef", "a substitute without suppleantRef")
    return Substitute(
        person_uid=wire.person,
        start=_date(wire.start, _M + "suppleants.suppleant.dateDebut"),
        end=_date(wire.end, _M + "suppleants.suppleant.dateFin"),
    )


def _mandate(wire: MandateWire, person_uid: str) -> Mandate:
    if wire.uid is None:
        raise _FieldError(_M + "uid", "a mandate without uid")
    if wire.organe_type is None:
        raise _FieldError(_M + "typeOrgane", "a mandate without typeOrgane")
    if wire.person_ref != person_uid:
        raise _FieldError(
            _M + "acteurRef", f"acteurRef {wire.person_ref!r} is not the acteur's uid {person_uid!r}"
        )
    quality = wire.quality or Quality()
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
    civil = wire.civil_status or CivilStatus()
    ident = civil.ident or Ident()
    birth = civil.birth or Birth()
    profession = wire.profession or Profession()
    insee = profession.insee or SocioProfessional()
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
    period = wire.period or Period()
    place = wire.place or Place()
    department = place.department or Department()
    region = place.region or Region()
    secretariat = wire.secretariat or Secretariat()
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
    value = unwrap_text(record.get("uid"))
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
    unknown_paths(wire, "", unknown)
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
