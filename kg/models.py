"""Domain models: what the graph is made from, typed and in English.

Everything that leaves ``kg.sources`` is one of these frozen dataclasses; raw dicts never do.
They are plain dataclasses (not pydantic) because they are built once per record on the hot
path and only ever read afterwards: validation happens on the wire models in ``kg.sources``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Self


class _Pickled:
    """Pickled as a call of the class with its fields, in order (``__match_args__``): unpickled by the
    dataclass's own ``__init__``. The registry crosses a pickle into every worker process (and the user's
    cache): a slotted dataclass's default ``__setstate__`` looks its fields up again for every object, ~8 µs
    each, 0.9 CPU s a worker for the 115k objects of the Assemblée's registry."""

    __slots__ = ()
    __match_args__: tuple[str, ...]  # every field: tests/test_build_parallel.py checks it

    def __reduce__(self) -> tuple[type[Self], tuple[Any, ...]]:
        return type(self), tuple([getattr(self, name) for name in self.__match_args__])


class QuestionType(StrEnum):
    """The three kinds of parliamentary question (source field ``type``)."""

    WRITTEN = "QE"  # question écrite
    ORAL = "QOSD"  # question orale sans débat
    GOVERNMENT = "QG"  # question au Gouvernement


@dataclass(frozen=True, slots=True)
class SourceRef(_Pickled):
    """Where a record came from.

    ``path`` is POSIX and relative to the input root given on the command line (an archive member
    is ``archive.zip!/member/path``), so moving the input folder does not change the output.
    ``pointer`` locates the record inside a multi-record file (``/questionsEcrites/question/12``),
    ``None`` when the file holds one record. ``sha256`` is the hash of the record's canonical content.
    """

    path: str
    sha256: str
    pointer: str | None = None

    def __str__(self) -> str:
        return f"{self.path}#{self.pointer}" if self.pointer else self.path


@dataclass(frozen=True, slots=True)
class JOReference(_Pickled):
    """A publication in the Journal officiel (source ``infoJO``)."""

    kind: str | None = None  # typeJO: JO_QUESTION | JO_DEBAT | JO_LOI_DECRET | …
    date: date | None = None  # dateJO
    page: int | None = None  # pageJO
    number: str | None = None  # numJO (kept as written: it is an identifier, not a quantity)
    legifrance_url: str | None = None  # urlLegifrance
    nor: str | None = None  # referenceNOR


@dataclass(frozen=True, slots=True)
class OrganeMention(_Pickled):
    """An organe (ministry, group) as a question names it: reference plus the labels it gives."""

    uid: str | None  # organeRef (PO…); may be absent or unknown to the registry
    short_label: str | None = None  # abrege
    label: str | None = None  # developpe


@dataclass(frozen=True, slots=True)
class Text(_Pickled):
    """A question or answer text as published (source ``texteQuestion`` / ``texteReponse``)."""

    html: str  # the source fragment, exactly as given (may contain HTML markup and entities)
    jo: JOReference | None = None
    erratum: str | None = None


@dataclass(frozen=True, slots=True)
class Attribution(_Pickled):
    """One entry of ``minAttribs``: the ministry in charge from a JO date on. ``order`` is 1-based."""

    order: int
    ministry: OrganeMention
    jo: JOReference | None = None


@dataclass(frozen=True, slots=True)
class Signalement(_Pickled):
    """The question was "signalée" by a group president (the minister then has ten days)."""

    order: int
    filed: date | None = None  # dateDepotSignal
    jo: JOReference | None = None


@dataclass(frozen=True, slots=True)
class Renewal(_Pickled):
    """A renewal (``renouvellement``) of the question, JO dated."""

    order: int
    date: date | None = None
    jo: JOReference | None = None


@dataclass(frozen=True, slots=True)
class Closure(_Pickled):
    """How the question ended (``cloture``). Codes are open-ended: any code and label is kept."""

    code: str | None = None  # codeCloture, e.g. REP_PUB
    label: str | None = None  # libelleCloture, e.g. "Réponse publiée", "Fin de mandat"
    date: date | None = None  # dateCloture
    jo: JOReference | None = None


@dataclass(frozen=True, slots=True)
class Erratum(_Pickled):
    """An erratum published for the question or the answer (``erratumsQuestion``/``erratumsReponse``)."""

    text: str
    jo: JOReference | None = None


@dataclass(frozen=True, slots=True)
class Author(_Pickled):
    """The author. ``person_uid`` is None only when a page names a person the registry cannot resolve: the
    ``name`` as written is then kept on a marked fallback IRI (``person/unresolved/{legislature}/{slug}``)."""

    person_uid: str | None  # acteurRef (PA…)
    mandate_uid: str | None = None  # mandatRef (PM…)
    group: OrganeMention | None = None  # the group AT THE TIME OF ASKING
    name: str | None = (
        None  # the name as the source writes it, when no person id is known ("M. Lengagne Guy")
    )


@dataclass(frozen=True, slots=True)
class Question(_Pickled):
    uid: str  # QANR5L15QE40439
    type: QuestionType
    number: int
    legislature: int
    author: Author
    source: SourceRef
    regime: str | None = None  # "5eme Republique"
    rubrique: str | None = None  # topic (indexationAN.rubrique)
    tete_analyse: str | None = None  # sub-topic (indexationAN.teteAnalyse)
    analyses: tuple[str, ...] = ()  # the title(s) (indexationAN.analyses.analyse)
    questioned_ministry: OrganeMention | None = None  # minInt
    attributions: tuple[Attribution, ...] = ()  # minAttribs, in source order
    question_texts: tuple[Text, ...] = ()  # textesQuestion (none for QG)
    answer_texts: tuple[Text, ...] = ()  # textesReponse (none while unanswered)
    signalements: tuple[Signalement, ...] = ()
    renewals: tuple[Renewal, ...] = ()
    closure: Closure | None = None
    question_errata: tuple[Erratum, ...] = ()
    answer_errata: tuple[Erratum, ...] = ()


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True, slots=True)
class Election(_Pickled):
    """``election`` block of an ASSEMBLEE mandate."""

    region: str | None = None
    region_type: str | None = None
    department: str | None = None  # "Hauts-de-Seine"
    department_code: str | None = None  # numDepartement as written: "92", "07", "2A", "976", "099"
    constituency_number: int | None = None  # numCirco
    cause: str | None = None  # causeMandat
    constituency_organe_uid: str | None = None  # refCirconscription (PO…)


@dataclass(frozen=True, slots=True)
class MandateTerm(_Pickled):
    """``mandature`` block of an ASSEMBLEE mandate."""

    taking_office: date | None = None  # datePriseFonction
    end_cause: str | None = None  # causeFin
    replaces_mandate_uid: str | None = None  # mandatRemplaceRef
    seat: str | None = None  # placeHemicycle
    first_election: bool | None = None  # premiereElection


@dataclass(frozen=True, slots=True)
class Substitute(_Pickled):
    person_uid: str  # suppleantRef
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class Mandate(_Pickled):
    """Any ``mandat`` of an acteur. ``organe_type`` ASSEMBLEE is a deputy's mandate; GP a group membership."""

    uid: str  # PM…
    person_uid: str
    organe_type: str  # typeOrgane: ASSEMBLEE, GP, GOUVERNEMENT, COMPER, …
    organe_uids: tuple[str, ...] = ()
    legislature: int | None = None
    start: date | None = None
    end: date | None = None
    publication_date: date | None = None
    quality: str | None = None  # infosQualite.libQualite ("Membre", "Président", …)
    quality_code: str | None = None  # infosQualite.codeQualite
    quality_gendered: str | None = None  # infosQualite.libQualiteSex
    principal: bool | None = None  # nominPrincipale
    precedence: int | None = None  # preseance
    label: str | None = None  # libelle (missions)
    chamber: str | None = None
    election: Election | None = None
    term: MandateTerm | None = None
    substitutes: tuple[Substitute, ...] = ()
    previous_mission_uid: str | None = None
    next_mission_uid: str | None = None

    def valid_on(self, day: date) -> bool:
        """True when ``day`` lies within [start, end] (open ends are unbounded)."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Person(_Pickled):
    uid: str  # PA…
    civility: str | None = None  # "M." | "Mme"
    given_name: str | None = None
    family_name: str | None = None
    sort_name: str | None = None  # alpha
    trigram: str | None = None
    birth_date: date | None = None
    birth_city: str | None = None
    birth_department: str | None = None
    birth_country: str | None = None
    death_date: date | None = None
    profession: str | None = None
    socio_category: str | None = None  # socProcINSEE.catSocPro
    socio_family: str | None = None  # socProcINSEE.famSocPro
    hatvp_url: str | None = None
    mandates: tuple[Mandate, ...] = ()
    sources: tuple[SourceRef, ...] = ()

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


@dataclass(frozen=True, slots=True)
class Organe(_Pickled):
    uid: str  # PO…
    code_type: str  # ASSEMBLEE, GP, MINISTERE, GOUVERNEMENT, CIRCONSCRIPTION, PARPOL, …
    label: str | None = None  # libelle
    label_edition: str | None = None  # libelleEdition
    short_label: str | None = None  # libelleAbrege
    abbreviation: str | None = None  # libelleAbrev
    start: date | None = None  # viMoDe.dateDebut
    approval_date: date | None = None  # viMoDe.dateAgrement
    end: date | None = None  # viMoDe.dateFin
    legislature: int | None = None
    chamber: str | None = None
    regime: str | None = None
    parent_uid: str | None = None  # organeParent (a ministry's government)
    previous_uid: str | None = None  # organePrecedentRef (same portfolio, previous government)
    color: str | None = None  # couleurAssociee (groups)
    political_position: str | None = None  # positionPolitique (groups)
    precedence: int | None = None  # preseance
    number: int | None = None  # numero (constituencies)
    department_code: str | None = None  # lieu.departement.code
    department_nature: str | None = None  # lieu.departement.codeNatureDep
    department_label: str | None = None  # lieu.departement.libelle
    region_label: str | None = None  # lieu.region.libelle
    region_type: str | None = None  # lieu.region.type
    secretaries: tuple[str, ...] = ()  # secretariat.secretaire01/02
    country_refs: tuple[str, ...] = ()  # listePays.paysRef
    meetings_per_year: int | None = None  # nombreReunionsAnnuelles
    legal_regime: str | None = None  # regimeJuridique
    website: str | None = None  # siteInternet
    sources: tuple[SourceRef, ...] = ()

    def valid_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)
