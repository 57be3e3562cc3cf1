"""The registry → RDF quads: acteurs, organes and the geography derived from both, in three named graphs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from kg import __version__
from kg.iris import Minter
from kg.mapping import ORGANE_CLASS, A, Quad, Term, iri_or_literal, lit, lit_date, lit_fr, lit_int
from kg.models import (
    Mandate,
    Organe,
    Person,
)
from kg.registry import Registry
from kg.vocab import (
    OX_DCTERMS,
    OX_FOAF,
    OX_HC,
    OX_ORG,
    OX_PROV,
    OX_RDFS,
    OX_SCHEMA,
    OX_SKOS,
)

#: The memberships a question links to: a deputy's mandate (ASSEMBLEE) and parliamentary groups (GP)
JUDGED_MANDATES = frozenset({"ASSEMBLEE", "GP"})


class RegistryMapper:
    """Maps the registry into three named graphs: acteurs, organes and the geography derived from both."""

    def __init__(self, registry: Registry, mint: Minter) -> None:
        self.registry = registry
        self.mint = mint
        self._mandates: dict[str, Mandate] | None = None

    def quads(self) -> Iterator[Quad]:
        yield from self.acteurs()
        yield from self.organes()
        yield from self.geography()
        yield from self.provenance()

    def graphs(self) -> list[ox.NamedNode]:
        return [self.mint.registry_graph(name) for name in ("acteurs", "organes", "geography")]

    def judging_context(self) -> Iterator[Quad]:
        """The registry statements the shapes may reach from questions, as the store holds them: persons
        with their deputy mandates and group memberships, organes, geography. Of the ~82k memberships of
        the real registry only those ~6k can be linked from a question (hc:authorMandate,
        hc:authorGroupMembership, the author's groups); a question naming another one gets it with
        :meth:`mandate_quads`. Judging against this is judging against the store (tested)."""
        yield from self.acteurs(JUDGED_MANDATES)
        yield from self.organes()
        yield from self.geography()

    def mandate_quads(self, uid: str) -> list[Quad]:
        """One membership's statements (in the acteurs graph); none when the registry does not know it."""
        if self._mandates is None:
            self._mandates = {m.uid: m for p in self.registry.persons.values() for m in p.mandates}
        mandate = self._mandates.get(uid)
        if mandate is None:
            return []
        g = self.mint.registry_graph("acteurs")
        return [Quad(s, p, o, g) for s, p, o in self._mandate(mandate)]

    # -- acteurs
    def acteurs(self, mandate_types: frozenset[str] | None = None) -> Iterator[Quad]:
        """Persons and their memberships (only those of ``mandate_types`` when given)."""
        for uid in sorted(self.registry.persons):
            yield from self.person_quads(uid, mandate_types)

    def person_quads(self, uid: str, mandate_types: frozenset[str] | None = None) -> list[Quad]:
        """One person's statements and their memberships' (only those of ``mandate_types`` when given), in
        the acteurs graph, as :meth:`acteurs` gives them."""
        g = self.mint.registry_graph("acteurs")
        return [Quad(s, p, o, g) for s, p, o in self._person(self.registry.persons[uid], mandate_types)]

    def _person(
        self, person: Person, mandate_types: frozenset[str] | None = None
    ) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, Term]]:
        m = self.mint
        s = m.person(person.uid)
        yield s, A, OX_FOAF.Person
        yield s, OX_DCTERMS.identifier, lit(person.uid)
        if person.full_name:
            yield s, OX_FOAF.name, lit(person.full_name)
        for pred, value in (
            (OX_FOAF.givenName, person.given_name),
            (OX_FOAF.familyName, person.family_name),
            (OX_HC.civility, person.civility),
            (OX_HC.sortName, person.sort_name),
            (OX_HC.trigram, person.trigram),
        ):
            if value:
                yield s, pred, lit(value)
        for pred, value in (
            (OX_HC.birthPlace, person.birth_city),
            (OX_HC.birthDepartment, person.birth_department),
            (OX_HC.birthCountry, person.birth_country),
            (OX_HC.profession, person.profession),
            (OX_HC.socioProfessionalCategory, person.socio_category),
            (OX_HC.socioProfessionalFamily, person.socio_family),
        ):
            if value:
                yield s, pred, lit_fr(value)
        if person.birth_date:
            yield s, OX_SCHEMA.birthDate, lit_date(person.birth_date)
        if person.death_date:
            yield s, OX_SCHEMA.deathDate, lit_date(person.death_date)
        if person.hatvp_url:
            yield s, OX_FOAF.page, iri_or_literal(person.hatvp_url)
        for mandate in sorted(person.mandates, key=lambda mm: mm.uid):
            if mandate_types is None or mandate.organe_type in mandate_types:
                yield from self._mandate(mandate)

    def _mandate(self, mandate: Mandate) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, Term]]:
        m = self.mint
        s = m.mandate(mandate.uid)
        yield s, A, OX_ORG.Membership
        if mandate.organe_type == "ASSEMBLEE":
            yield s, A, OX_HC.Mandate
        yield s, OX_DCTERMS.identifier, lit(mandate.uid)
        yield s, OX_ORG.member, m.person(mandate.person_uid)
        yield s, OX_HC.organeType, lit(mandate.organe_type)
        for organe_uid in mandate.organe_uids:
            yield s, OX_ORG.organization, m.organe(organe_uid)
        for pred, int_value in (
            (OX_HC.legislature, mandate.legislature),
            (OX_HC.precedence, mandate.precedence),
        ):
            if int_value is not None:
                yield s, pred, lit_int(int_value)
        for pred, day in (
            (OX_SCHEMA.startDate, mandate.start),
            (OX_SCHEMA.endDate, mandate.end),
            (OX_HC.publicationDate, mandate.publication_date),
        ):
            if day:
                yield s, pred, lit_date(day)
        for pred, text in (
            (OX_HC.quality, mandate.quality),
            (OX_HC.qualityGendered, mandate.quality_gendered),
            (OX_RDFS.label, mandate.label),
        ):
            if text:
                yield s, pred, lit_fr(text)
        for pred, text in ((OX_HC.qualityCode, mandate.quality_code), (OX_HC.chamber, mandate.chamber)):
            if text:
                yield s, pred, lit(text)
        if mandate.principal is not None:
            yield s, OX_HC.principal, ox.Literal(mandate.principal)
        for pred, ref in (
            (OX_HC.previousMission, mandate.previous_mission_uid),
            (OX_HC.nextMission, mandate.next_mission_uid),
        ):
            if ref:
                yield s, pred, m.mandate(ref)
        election = mandate.election
        if election is not None:
            if election.department_code and election.constituency_number is not None:
                yield (
                    s,
                    OX_HC.constituency,
                    m.constituency(election.department_code, election.constituency_number),
                )
            if election.cause:
                yield s, OX_HC.electionCause, lit_fr(election.cause)
            if election.constituency_organe_uid:
                yield s, OX_HC.constituencyOrgane, m.organe(election.constituency_organe_uid)
        term = mandate.term
        if term is not None:
            if term.taking_office:
                yield s, OX_HC.takingOffice, lit_date(term.taking_office)
            if term.end_cause:
                yield s, OX_HC.endCause, lit_fr(term.end_cause)
            if term.replaces_mandate_uid:
                yield s, OX_HC.replacesMandate, m.mandate(term.replaces_mandate_uid)
            if term.seat:
                yield s, OX_HC.seat, lit(term.seat)
            if term.first_election is not None:
                yield s, OX_HC.firstElection, ox.Literal(term.first_election)
        for sub in mandate.substitutes:
            node = m.substitution(mandate.uid, sub.person_uid)
            yield s, OX_HC.substitution, node
            yield node, A, OX_HC.Substitution
            yield node, OX_HC.substitute, m.person(sub.person_uid)
            if sub.start:
                yield node, OX_SCHEMA.startDate, lit_date(sub.start)
            if sub.end:
                yield node, OX_SCHEMA.endDate, lit_date(sub.end)

    # -- organes
    def organes(self) -> Iterator[Quad]:
        for uid in sorted(self.registry.organes):
            yield from self.organe_quads(uid)

    def organe_quads(self, uid: str) -> list[Quad]:
        """One organe's statements, in the organes graph."""
        g = self.mint.registry_graph("organes")
        return [Quad(s, p, o, g) for s, p, o in self._organe(self.registry.organes[uid])]

    def _organe(self, organe: Organe) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, Term]]:
        m = self.mint
        s = m.organe(organe.uid)
        yield s, A, OX_ORG.Organization
        yield s, A, OX_HC.Organe
        specific = ORGANE_CLASS.get(organe.code_type)
        if specific is not None:
            yield s, A, specific
        yield s, OX_DCTERMS.identifier, lit(organe.uid)
        yield s, OX_HC.organeType, lit(organe.code_type)
        for pred, text in (
            (OX_SKOS.prefLabel, organe.label),
            (OX_HC.editionLabel, organe.label_edition),
            (OX_HC.shortLabel, organe.short_label),
            (OX_HC.abbreviation, organe.abbreviation),
            (OX_HC.politicalPosition, organe.political_position),
            (OX_HC.legalRegime, organe.legal_regime),
        ):
            if text:
                yield s, pred, lit_fr(text)
        for pred, text in (
            (OX_HC.chamber, organe.chamber),
            (OX_HC.regime, organe.regime),
            (OX_HC.color, organe.color),
        ):
            if text:
                yield s, pred, lit(text)
        for pred, day in (
            (OX_SCHEMA.startDate, organe.start),
            (OX_SCHEMA.endDate, organe.end),
            (OX_HC.approvalDate, organe.approval_date),
        ):
            if day:
                yield s, pred, lit_date(day)
        for pred, int_value in (
            (OX_HC.legislature, organe.legislature),
            (OX_HC.precedence, organe.precedence),
            (OX_HC.meetingsPerYear, organe.meetings_per_year),
        ):
            if int_value is not None:
                yield s, pred, lit_int(int_value)
        if organe.parent_uid:
            yield s, OX_ORG.subOrganizationOf, m.organe(organe.parent_uid)
        if organe.previous_uid:
            yield s, OX_HC.previousPortfolio, m.organe(organe.previous_uid)
        for secretary in organe.secretaries:
            yield s, OX_HC.secretary, lit(secretary)
        for country in organe.country_refs:
            yield s, OX_HC.country, lit(country)
        if organe.website:
            yield s, OX_SCHEMA.url, iri_or_literal(organe.website)
        if organe.code_type == "CIRCONSCRIPTION" and organe.department_code and organe.number is not None:
            yield s, OX_HC.constituency, m.constituency(organe.department_code, organe.number)

    # -- geography: constituencies and departments, from mandates and constituency organes
    def geography(self) -> Iterator[Quad]:
        g = self.mint.registry_graph("geography")
        departments: dict[str, tuple[str | None, str | None, str | None, str | None]] = {}
        constituencies: dict[tuple[str, int], str | None] = {}
        for uid in sorted(self.registry.organes):
            o = self.registry.organes[uid]
            if o.code_type == "CIRCONSCRIPTION" and o.department_code and o.number is not None:
                departments.setdefault(
                    o.department_code,
                    (o.department_label, o.region_label, o.region_type, o.department_nature),
                )
                constituencies.setdefault((o.department_code, o.number), o.department_label)
        for uid in sorted(self.registry.persons):
            for mandate in self.registry.persons[uid].mandates:
                e = mandate.election
                if e is None or not e.department_code or e.constituency_number is None:
                    continue
                departments.setdefault(e.department_code, (e.department, e.region, e.region_type, None))
                constituencies.setdefault((e.department_code, e.constituency_number), e.department)
        for code in sorted(departments):
            label, region, region_type, nature = departments[code]
            s = self.mint.department(code)
            for pred, obj in _department_facts(code, label, region, region_type, nature):
                yield Quad(s, pred, obj, g)
        for code, number in sorted(constituencies):
            s = self.mint.constituency(code, number)
            dept_label = constituencies[(code, number)] or departments.get(code, (None,))[0]
            yield Quad(s, A, OX_HC.Constituency, g)
            yield Quad(s, OX_DCTERMS.identifier, lit(f"{code}-{number}"), g)
            yield Quad(s, OX_HC.department, self.mint.department(code), g)
            yield Quad(s, OX_HC.number, lit_int(number), g)
            if dept_label:
                yield Quad(s, OX_RDFS.label, lit_fr(constituency_label(dept_label, number)), g)

    def provenance(self) -> Iterator[Quad]:
        tool = self.mint.tool(__version__)
        for name in ("acteurs", "organes", "geography"):
            g = self.mint.registry_graph(name)
            yield Quad(g, A, OX_PROV.Entity, g)
            yield Quad(g, OX_PROV.wasAttributedTo, tool, g)
        for name, records in (
            ("acteurs", [self.registry.persons[k] for k in sorted(self.registry.persons)]),
            ("organes", [self.registry.organes[k] for k in sorted(self.registry.organes)]),
        ):
            g = self.mint.registry_graph(name)
            for record in records:
                for source in record.sources:
                    src = self.mint.source(source.sha256)
                    yield Quad(g, OX_PROV.wasDerivedFrom, src, g)
                    yield Quad(src, A, OX_HC.SourceRecord, g)
                    yield Quad(src, OX_HC.sourcePath, lit(source.path), g)
                    yield Quad(src, OX_HC.sha256, lit(source.sha256), g)


def _department_facts(
    code: str, label: str | None, region: str | None, region_type: str | None, nature: str | None
) -> Iterable[tuple[ox.NamedNode, Term]]:
    yield A, OX_HC.Department
    yield OX_DCTERMS.identifier, lit(code)
    if label:
        yield OX_RDFS.label, lit_fr(label)
    if region:
        yield OX_HC.region, lit_fr(region)
    if region_type:
        yield OX_HC.regionType, lit_fr(region_type)
    if nature:
        yield OX_HC.departmentNature, lit(nature)


def constituency_label(department: str, number: int) -> str:
    """``Hauts-de-Seine (6e circonscription)``, ``Ain (1re circonscription)`` — as the Assemblée writes it."""
    ordinal = "1re" if number == 1 else f"{number}e"
    return f"{department} ({ordinal} circonscription)"
