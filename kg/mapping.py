"""Questions → RDF quads, one named graph per question, plus the shared topics and mentions.

Pure and deterministic: the same question and registry give the same quads in the same order. One named
graph per question (``graph/question/{uid}``); the registry's graphs are :mod:`kg.mapping_registry`'s.

Facts that many questions share are written once, to shared graphs that builds add to and never replace:
``graph/topics`` (the SKOS concepts of rubriques and têtes d'analyse) and ``graph/mentions`` (persons and
organes known only from how questions name them). So a triple never stands in two graphs, and queries over
the union of graphs see each fact once.

Terms are pyoxigraph terms (the bulk path); IRIs come from :class:`kg.iris.Minter` only.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import pyoxigraph as ox

from kg import __version__
from kg.iris import Minter
from kg.models import (
    Attribution,
    Closure,
    JOReference,
    Mandate,
    OrganeMention,
    Question,
    QuestionType,
    SourceRef,
    Text,
)
from kg.registry import Registry
from kg.vocab import (
    OX_DCTERMS,
    OX_FOAF,
    OX_HC,
    OX_ORG,
    OX_PROV,
    OX_RDF,
    OX_RDFS,
    OX_SCHEMA,
    OX_SKOS,
    OX_XSD,
)

Quad = ox.Quad
Term = ox.NamedNode | ox.Literal
#: the signature of the local ``add`` closures that collect a question's quads
_Adder = Callable[[ox.NamedNode, ox.NamedNode, Term], None]

_XSD_DATE = OX_XSD.date
_XSD_INTEGER = OX_XSD.integer
_RDF_HTML = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#HTML")
A = OX_RDF.type
_GROUP = "GP"  # typeOrgane of a parliamentary group membership

QUESTION_CLASS = {
    QuestionType.WRITTEN: OX_HC.WrittenQuestion,
    QuestionType.ORAL: OX_HC.OralQuestion,
    QuestionType.GOVERNMENT: OX_HC.GovernmentQuestion,
}

#: organe codeType → the class it gets besides ``hc:Organe`` and ``org:Organization``
ORGANE_CLASS = {
    "MINISTERE": OX_HC.Ministry,
    "GOUVERNEMENT": OX_HC.Government,
    "GP": OX_HC.ParliamentaryGroup,
    "ASSEMBLEE": OX_HC.Legislature,
    "PARPOL": OX_HC.PoliticalParty,
}

TOPIC_SCHEME_LABELS = {
    "rubrique": ("Rubriques de l'Assemblée nationale", "Assemblée nationale topic headings"),
    "tete-analyse": ("Têtes d'analyse de l'Assemblée nationale", "Assemblée nationale sub-topic headings"),
}


def lit_date(day: date) -> ox.Literal:
    return ox.Literal(day.isoformat(), datatype=_XSD_DATE)


def lit_int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_XSD_INTEGER)


def lit_fr(text: str) -> ox.Literal:
    return ox.Literal(text, language="fr")


def lit(text: str) -> ox.Literal:
    return ox.Literal(text)


# ------------------------------------------------------------------ derived facts

_TAG = re.compile(r"<[^<>]*>")  # not "<[^>]*>": quadratic on a text full of "<"
_BREAK = re.compile(r"<\s*br\s*/?\s*>|</\s*(?:p|li|div|h[1-6]|tr|blockquote)\s*>", re.IGNORECASE)


def has_markup(text: str) -> bool:
    return "<" in text or "&" in text


def plain_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped (paragraph and line breaks become newlines),
    entities decoded. A text without markup is returned unchanged, character for character."""
    if not has_markup(fragment):
        return fragment
    text = _BREAK.sub("\n", fragment)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    return "\n".join(line.strip() for line in text.strip().splitlines()).strip()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def closure_reason(closure: Closure) -> ox.NamedNode:
    """Classify a closure by its code, then its label (codes other than REP_PUB have not been seen)."""
    if closure.code == "REP_PUB":
        return OX_HC.AnswerPublished
    label = _fold(closure.label or "")
    if "reponse" in label:
        return OX_HC.AnswerPublished
    if "fin de mandat" in label or "fin de legislature" in label:
        return OX_HC.EndOfMandate
    if "deces" in label:
        return OX_HC.AuthorDeceased
    if "gouvernement" in label or "nomination" in label:
        return OX_HC.AuthorJoinedGovernment
    if "transform" in label or "orale" in label:
        return OX_HC.ConvertedToOralQuestion
    if "caduc" in label:
        return OX_HC.Lapsed
    if "retir" in label:
        return OX_HC.WithdrawnByAuthor
    return OX_HC.OtherClosureReason


@dataclass(frozen=True, slots=True)
class Derived:
    """Facts computed from a question (documented in the ontology; reproducible by the queries)."""

    published: date | None
    answered: date | None
    status: ox.NamedNode
    delay_days: int | None


def derive(question: Question) -> Derived:
    published: date | None = None
    for text in question.question_texts:
        if text.jo and text.jo.date:
            published = text.jo.date
            break
    if published is None and question.type is QuestionType.GOVERNMENT:
        # a QG has no question text: its date is the sitting's, given with the answer
        published = next((t.jo.date for t in question.answer_texts if t.jo and t.jo.date), None)
    if published is None:
        published = next((a.jo.date for a in question.attributions if a.jo and a.jo.date), None)
    answered = next((t.jo.date for t in question.answer_texts if t.jo and t.jo.date), None)
    if question.answer_texts or (
        question.closure and closure_reason(question.closure) == OX_HC.AnswerPublished
    ):
        status = OX_HC.Answered
    elif question.closure is not None:
        status = OX_HC.Withdrawn
    else:
        status = OX_HC.Pending
    delay = (answered - published).days if answered and published else None
    return Derived(published, answered, status, delay)


# ------------------------------------------------------------------ questions


class QuestionQuads(NamedTuple):
    """A question's quads, as :meth:`QuestionMapper.map_parts` makes them."""

    own: list[Quad]  # its own graph (``graph/question/{uid}``)
    shared: list[Quad]  # its facts of the add-only shared graphs this mapper had not emitted before
    #: the quads of ``own`` that link to a node described in another graph (a registry node: author,
    #: mandate, group, membership, constituency, ministry; a topic): a judge gathers its context from these
    #: without scanning every quad (that scan was ~15% of judging's CPU)
    links: list[Quad]


class QuestionMapper:
    """Maps questions against a registry. Holds only the minter, the registry and caches."""

    def __init__(self, registry: Registry, mint: Minter) -> None:
        self.registry = registry
        self.mint = mint
        self.tool = mint.tool(__version__)
        self.topics_graph = mint.shared_graph("topics")
        self.mentions_graph = mint.shared_graph("mentions")
        self._emitted: set[Quad] = set()
        #: the topics and organe mentions whose shared facts this mapper has emitted: their quads are not
        #: made again only to be found in ``_emitted`` (27 of a question's ~80 quads, on the bench corpus)
        self._described: set[tuple[object, ...]] = set()
        self._group_mandates: dict[str, tuple[Mandate, ...]] = {}  # person uid → their GP mandates
        #: every membership uid a question was linked to (hc:authorMandate, hc:authorGroupMembership), so a
        #: judge can make sure its context holds them without scanning the quads
        self.linked_mandates: set[str] = set()

    def map(self, q: Question) -> list[Quad]:
        """The question's quads: those of its own graph, then its facts of the shared graphs."""
        own, shared, _ = self.map_parts(q)
        return own + shared

    def map_parts(self, q: Question) -> QuestionQuads:
        """The question's quads in parts: those of its own graph (``graph/question/{uid}``), its facts of the
        add-only shared graphs (topics, mentions) this mapper has not emitted before, and its links."""
        m = self.mint
        g = m.question_graph(q.uid)
        s = m.question(q.uid)
        out: list[Quad] = []
        out_shared: list[Quad] = []
        links: list[Quad] = []

        def add(subj: ox.NamedNode, pred: ox.NamedNode, obj: Term) -> None:
            out.append(Quad(subj, pred, obj, g))

        def link(subj: ox.NamedNode, pred: ox.NamedNode, obj: Term) -> None:
            quad = Quad(subj, pred, obj, g)
            out.append(quad)
            links.append(quad)

        emitted = self._emitted

        def shared(graph: ox.NamedNode) -> _Adder:
            # facts of the add-only shared graphs are emitted once per mapper: the store keeps one copy anyway
            def add_to(subj: ox.NamedNode, pred: ox.NamedNode, obj: Term) -> None:
                quad = Quad(subj, pred, obj, graph)
                if quad not in emitted:
                    emitted.add(quad)
                    out_shared.append(quad)

            return add_to

        add_topic = shared(self.topics_graph)
        add_mention = shared(self.mentions_graph)

        derived = derive(q)
        add(s, A, QUESTION_CLASS[q.type])
        add(s, OX_DCTERMS.identifier, lit(q.uid))
        add(s, OX_HC.number, lit_int(q.number))
        add(s, OX_HC.legislature, lit_int(q.legislature))
        if q.regime:
            add(s, OX_HC.regime, lit(q.regime))
        add(s, OX_RDFS.seeAlso, m.official_page(q.uid, q.legislature))
        if q.analyses:
            add(s, OX_DCTERMS.title, lit_fr(q.analyses[0]))
            for extra in q.analyses[1:]:
                add(s, OX_DCTERMS.alternative, lit_fr(extra))
        for scheme, label in (("rubrique", q.rubrique), ("tete-analyse", q.tete_analyse)):
            if label:
                topic = m.topic(scheme, label)
                link(s, OX_DCTERMS.subject, topic)
                if (scheme, label) not in self._described:
                    self._described.add((scheme, label))
                    self._topic(add_topic, topic, scheme, label)

        # -- author, at the time of asking
        self._author(link, add_mention, q, s, derived.published)

        # -- ministries
        if q.questioned_ministry is not None:
            link(
                s,
                OX_HC.questionedMinistry,
                self._organe_mention(add_mention, q.questioned_ministry, OX_HC.Ministry),
            )
        current: ox.NamedNode | None = None
        previous_rank = _previous_ranks(q.attributions) if len(q.attributions) > 1 else {}
        for attribution in q.attributions:
            ev = m.event(q.uid, "attribution", attribution.order)
            ministry = self._organe_mention(add_mention, attribution.ministry, OX_HC.Ministry)
            add(s, OX_HC.attribution, ev)
            add(ev, A, OX_HC.Attribution)
            add(ev, OX_HC.order, lit_int(attribution.order))
            below = previous_rank.get(attribution.order)
            if below is not None:
                add(ev, OX_HC.previousAttribution, m.event(q.uid, "attribution", below))
            link(ev, OX_HC.ministry, ministry)
            self._mention_labels(add, ev, attribution.ministry)
            self._jo(add, ev, attribution.jo, event_date=True)
            current = ministry
        if current is not None:
            link(s, OX_HC.attributedMinistry, current)

        # -- publication(s) and texts
        for n, text in enumerate(q.question_texts, start=1):
            ev = m.event(q.uid, "publication", n)
            add(s, OX_HC.publication, ev)
            add(ev, A, OX_HC.Publication)
            add(ev, OX_HC.order, lit_int(n))
            self._jo(add, ev, text.jo, event_date=True)
            self._text(add, s if n == 1 else ev, text)
            if text.erratum:
                add(ev, OX_HC.erratum, lit_fr(text.erratum))
        for n, erratum in enumerate(q.question_errata, start=1):
            ev = m.event(q.uid, "erratum", n)
            add(s, OX_HC.erratum, ev)
            add(ev, A, OX_HC.Erratum)
            add(ev, OX_HC.order, lit_int(n))
            add(ev, OX_SCHEMA.text, lit_fr(erratum.text))
            self._jo(add, ev, erratum.jo, event_date=True)

        # -- answer(s)
        for n, text in enumerate(q.answer_texts, start=1):
            ans = m.answer(q.uid, n)
            add(s, OX_HC.answer, ans)
            add(ans, A, OX_HC.Answer)
            add(ans, OX_HC.answers, s)
            add(ans, OX_HC.order, lit_int(n))
            self._jo(add, ans, text.jo, event_date=True)
            self._text(add, ans, text)
            if text.erratum:
                add(ans, OX_HC.erratum, lit_fr(text.erratum))
            answering = self._ministry_in_charge(q, text.jo.date if text.jo else None)
            if answering is not None:
                link(ans, OX_HC.answeringMinistry, answering)
        for n, erratum in enumerate(q.answer_errata, start=1):
            ev = m.event(q.uid, "erratum", len(q.question_errata) + n)
            add(m.answer(q.uid, 1) if q.answer_texts else s, OX_HC.erratum, ev)
            add(ev, A, OX_HC.Erratum)
            add(ev, OX_HC.order, lit_int(len(q.question_errata) + n))
            add(ev, OX_SCHEMA.text, lit_fr(erratum.text))
            self._jo(add, ev, erratum.jo, event_date=True)

        # -- signalements, renewals, closure
        for sig in q.signalements:
            ev = m.event(q.uid, "signalement", sig.order)
            add(s, OX_HC.signalement, ev)
            add(ev, A, OX_HC.Signalement)
            add(ev, OX_HC.order, lit_int(sig.order))
            if sig.filed:
                add(ev, OX_HC.filingDate, lit_date(sig.filed))
            self._jo(add, ev, sig.jo, event_date=sig.filed is None)
            if sig.filed:
                add(ev, OX_DCTERMS.date, lit_date(sig.filed))
        for ren in q.renewals:
            ev = m.event(q.uid, "renewal", ren.order)
            add(s, OX_HC.renewal, ev)
            add(ev, A, OX_HC.Renewal)
            add(ev, OX_HC.order, lit_int(ren.order))
            if ren.date:
                add(ev, OX_DCTERMS.date, lit_date(ren.date))
            self._jo(add, ev, ren.jo, event_date=ren.date is None)
        if q.closure is not None:
            c = q.closure
            ev = m.event(q.uid, "closure", 1)
            add(s, OX_HC.closure, ev)
            add(ev, A, OX_HC.Closure)
            if c.date:
                add(ev, OX_DCTERMS.date, lit_date(c.date))
                add(s, OX_HC.closureDate, lit_date(c.date))
            if c.code:
                add(ev, OX_HC.closureCode, lit(c.code))
            if c.label:
                add(ev, OX_HC.closureLabel, lit_fr(c.label))
            add(ev, OX_HC.closureReason, closure_reason(c))
            self._jo(add, ev, c.jo, event_date=c.date is None)

        # -- derived facts
        add(s, OX_HC.status, derived.status)
        if derived.published:
            add(s, OX_HC.publicationDate, lit_date(derived.published))
        if derived.answered:
            add(s, OX_HC.answerDate, lit_date(derived.answered))
        if derived.delay_days is not None:
            add(s, OX_HC.answerDelayDays, lit_int(derived.delay_days))

        self._provenance(add, g, q.source)
        return QuestionQuads(out, out_shared, links)

    # -- pieces

    def _author(
        self, link: _Adder, add_mention: _Adder, q: Question, s: ox.NamedNode, published: date | None
    ) -> None:
        """The author's links: person (or the fallback of an unresolved name), mandate, constituency, group and
        group membership, each through ``link`` (all of them point to registry nodes or mentions)."""
        reg, m = self.registry, self.mint
        person_uid = q.author.person_uid
        if person_uid is None:  # a name no registry id resolves: its label, on the marked fallback IRI
            name = q.author.name or "inconnu"
            fallback = m.unresolved_person(q.legislature, name)
            link(s, OX_DCTERMS.creator, fallback)
            add_mention(fallback, A, OX_FOAF.Person)
            add_mention(fallback, OX_FOAF.name, lit(name))
            if q.author.group is not None:
                link(
                    s,
                    OX_HC.authorGroup,
                    self._organe_mention(add_mention, q.author.group, OX_HC.ParliamentaryGroup),
                )
            return
        person = m.person(person_uid)
        link(s, OX_DCTERMS.creator, person)
        if reg.person(person_uid) is None:
            # not in the registries given: keep the link, and say what we know of the person
            add_mention(person, A, OX_FOAF.Person)
            add_mention(person, OX_DCTERMS.identifier, lit(person_uid))
        mandate = reg.mandate(q.author.mandate_uid) if q.author.mandate_uid else None
        if mandate is None and published is not None:
            mandate = reg.assembly_mandate_on(person_uid, published, q.legislature)
        mandate_uid = q.author.mandate_uid or (mandate.uid if mandate else None)
        if mandate_uid:
            link(s, OX_HC.authorMandate, m.mandate(mandate_uid))
            self.linked_mandates.add(mandate_uid)
        if mandate is not None and mandate.election is not None:
            election = mandate.election
            if election.department_code and election.constituency_number is not None:
                link(
                    s,
                    OX_HC.constituency,
                    m.constituency(election.department_code, election.constituency_number),
                )
        group = q.author.group
        group_uid: str | None = None
        if group is not None and (group.uid or group.label or group.short_label):
            link(s, OX_HC.authorGroup, self._organe_mention(add_mention, group, OX_HC.ParliamentaryGroup))
            group_uid = group.uid
        elif published is not None:
            membership = reg.group_membership_on(person_uid, published)
            if membership is not None and membership.organe_uids:
                group_uid = membership.organe_uids[0]
                link(s, OX_HC.authorGroup, m.organe(group_uid))
        if group_uid is not None and published is not None:
            in_group = self._membership_of_group(person_uid, group_uid, published)
            if in_group is not None:
                link(s, OX_HC.authorGroupMembership, m.mandate(in_group.uid))
                self.linked_mandates.add(in_group.uid)

    def _membership_of_group(self, person_uid: str, group_uid: str, day: date) -> Mandate | None:
        """The person's GP membership of this group valid on ``day``: started on or before it (a start date is
        required), ended on or after it or not ended. Several: the latest started, then the greatest uid."""
        held = self._group_mandates.get(person_uid)
        if held is None:
            person = self.registry.person(person_uid)
            held = tuple(
                mandate
                for mandate in (person.mandates if person is not None else ())
                if mandate.organe_type == _GROUP and mandate.person_uid == person_uid
            )
            self._group_mandates[person_uid] = held
        best: Mandate | None = None
        for mandate in held:
            start = mandate.start
            if (
                start is not None
                and start <= day
                and (mandate.end is None or day <= mandate.end)
                and group_uid in mandate.organe_uids
                and (best is None or (start, mandate.uid) > (best.start or date.min, best.uid))
            ):
                best = mandate
        return best

    def _organe_mention(self, add: _Adder, mention: OrganeMention, cls: ox.NamedNode) -> ox.NamedNode:
        """The organe a question names; when the registry does not know it, the question's own labels
        describe it in the ``graph/mentions`` graph (and an id-less mention gets a marked fallback IRI)."""
        if mention.uid:
            node = self.mint.organe(mention.uid)
            if self.registry.organe(mention.uid) is not None:
                return node
        else:
            node = self.mint.unresolved_organe(mention.label or mention.short_label or "unknown")
        if (mention, cls) in self._described:
            return node
        self._described.add((mention, cls))
        add(node, A, cls)
        add(node, A, OX_HC.Organe)
        add(node, A, OX_ORG.Organization)
        if mention.uid:
            add(node, OX_DCTERMS.identifier, lit(mention.uid))
        if mention.label:
            add(node, OX_SKOS.prefLabel, lit_fr(mention.label))
        if mention.short_label:
            add(node, OX_HC.shortLabel, lit_fr(mention.short_label))
        return node

    @staticmethod
    def _mention_labels(add: _Adder, event: ox.NamedNode, mention: OrganeMention) -> None:
        if mention.label:
            add(event, OX_HC.ministryLabel, lit_fr(mention.label))
        if mention.short_label:
            add(event, OX_HC.ministryShortLabel, lit_fr(mention.short_label))

    def _ministry_in_charge(self, q: Question, day: date | None) -> ox.NamedNode | None:
        """The last attribution dated on or before ``day`` (the last one when undated)."""
        chosen = None
        for attribution in q.attributions:
            when = attribution.jo.date if attribution.jo else None
            if day is None or when is None or when <= day:
                chosen = attribution
        if chosen is None:
            return None
        mention = chosen.ministry
        if mention.uid:
            return self.mint.organe(mention.uid)
        return self.mint.unresolved_organe(mention.label or mention.short_label or "unknown")

    def _topic(self, add: _Adder, topic: ox.NamedNode, scheme: str, label: str) -> None:
        scheme_node = self.mint.topic_scheme(scheme)
        add(topic, A, OX_SKOS.Concept)
        add(topic, OX_SKOS.prefLabel, lit_fr(label))
        add(topic, OX_SKOS.inScheme, scheme_node)
        add(scheme_node, A, OX_SKOS.ConceptScheme)
        fr, en = TOPIC_SCHEME_LABELS[scheme]
        add(scheme_node, OX_SKOS.prefLabel, lit_fr(fr))
        add(scheme_node, OX_SKOS.prefLabel, ox.Literal(en, language="en"))

    @staticmethod
    def _text(add: _Adder, subject: ox.NamedNode, text: Text) -> None:
        add(subject, OX_SCHEMA.text, lit_fr(plain_text(text.html)))
        if has_markup(text.html):
            add(subject, OX_HC.textHtml, ox.Literal(text.html, datatype=_RDF_HTML))

    @staticmethod
    def _jo(add: _Adder, subject: ox.NamedNode, jo: JOReference | None, *, event_date: bool) -> None:
        if jo is None:
            return
        if jo.date:
            add(subject, OX_HC.joDate, lit_date(jo.date))
            if event_date:
                add(subject, OX_DCTERMS.date, lit_date(jo.date))
        if jo.kind:
            add(subject, OX_HC.joType, lit(jo.kind))
        if jo.page is not None:
            add(subject, OX_HC.joPage, lit_int(jo.page))
        if jo.number:
            add(subject, OX_HC.joNumber, lit(jo.number))
        if jo.nor:
            add(subject, OX_HC.norReference, lit(jo.nor))
        if jo.legifrance_url:
            add(subject, OX_RDFS.seeAlso, iri_or_literal(jo.legifrance_url))

    def _provenance(self, add: _Adder, graph: ox.NamedNode, source: SourceRef) -> None:
        src = self.mint.source(source.sha256)
        add(graph, A, OX_PROV.Entity)
        add(graph, OX_PROV.wasDerivedFrom, src)
        add(graph, OX_PROV.wasAttributedTo, self.tool)
        add(src, A, OX_HC.SourceRecord)
        add(src, OX_HC.sourcePath, lit(source.path))
        if source.pointer:
            add(src, OX_HC.sourcePointer, lit(source.pointer))
        add(src, OX_HC.sha256, lit(source.sha256))


def _previous_ranks(attributions: Iterable[Attribution]) -> dict[int, int]:
    """Rank → the rank just below it among a question's attributions (n → n-1 when ranks follow each other)."""
    ranks = sorted({a.order for a in attributions})
    return dict(zip(ranks[1:], ranks[:-1], strict=True))


def iri_or_literal(value: str) -> Term:
    try:
        if re.match(r"^https?://\S+$", value):
            return ox.NamedNode(value)
    except ValueError:
        pass
    return ox.Literal(value, datatype=OX_XSD.anyURI)


# ------------------------------------------------------------------ coverage
#
# Every field of every domain model is either mapped to the RDF terms listed here or deliberately left
# out, with the reason. tests/test_field_coverage.py checks that this table covers every field and that
# each term listed really appears in the graph of the bundled sample; the source readers' tests check that
# every source field reaches a domain field or is listed as ignored there.

MAPPED_FIELDS: dict[str, tuple[str, ...]] = {
    "Question.uid": ("dcterms:identifier",),
    "Question.type": ("rdf:type",),
    "Question.number": ("hc:number",),
    "Question.legislature": ("hc:legislature",),
    "Question.author": ("dcterms:creator", "hc:authorMandate", "hc:authorGroup", "hc:authorGroupMembership"),
    "Question.source": ("prov:wasDerivedFrom", "hc:sourcePath", "hc:sha256"),
    "Question.regime": ("hc:regime",),
    "Question.rubrique": ("dcterms:subject", "skos:prefLabel"),
    "Question.tete_analyse": ("dcterms:subject", "skos:prefLabel"),
    "Question.analyses": ("dcterms:title", "dcterms:alternative"),
    "Question.questioned_ministry": ("hc:questionedMinistry",),
    "Question.attributions": ("hc:attribution", "hc:attributedMinistry", "hc:previousAttribution"),
    "Question.question_texts": ("hc:publication", "schema:text", "hc:textHtml"),
    "Question.answer_texts": ("hc:answer", "hc:answers", "schema:text"),
    "Question.signalements": ("hc:signalement",),
    "Question.renewals": ("hc:renewal",),
    "Question.closure": ("hc:closure", "hc:closureDate"),
    "Question.question_errata": ("hc:erratum",),
    "Question.answer_errata": ("hc:erratum",),
    "SourceRef.path": ("hc:sourcePath",),
    "SourceRef.sha256": ("hc:sha256", "prov:wasDerivedFrom"),
    "SourceRef.pointer": ("hc:sourcePointer",),
    "Author.person_uid": ("dcterms:creator",),
    "Author.name": ("foaf:name",),
    "Author.mandate_uid": ("hc:authorMandate",),
    "Author.group": ("hc:authorGroup", "hc:authorGroupMembership"),
    "OrganeMention.uid": ("hc:ministry", "hc:questionedMinistry", "dcterms:identifier"),
    "OrganeMention.short_label": ("hc:ministryShortLabel", "hc:shortLabel"),
    "OrganeMention.label": ("hc:ministryLabel", "skos:prefLabel"),
    "JOReference.kind": ("hc:joType",),
    "JOReference.date": ("hc:joDate", "dcterms:date"),
    "JOReference.page": ("hc:joPage",),
    "JOReference.number": ("hc:joNumber",),
    "JOReference.legifrance_url": ("rdfs:seeAlso",),
    "JOReference.nor": ("hc:norReference",),
    "Text.html": ("schema:text", "hc:textHtml"),
    "Text.jo": ("hc:joDate",),
    "Text.erratum": ("hc:erratum",),
    "Attribution.order": ("hc:order", "hc:previousAttribution"),
    "Attribution.ministry": ("hc:ministry", "hc:ministryLabel"),
    "Attribution.jo": ("hc:joDate",),
    "Signalement.order": ("hc:order",),
    "Signalement.filed": ("hc:filingDate",),
    "Signalement.jo": ("hc:joDate",),
    "Renewal.order": ("hc:order",),
    "Renewal.date": ("dcterms:date",),
    "Renewal.jo": ("hc:joDate",),
    "Closure.code": ("hc:closureCode",),
    "Closure.label": ("hc:closureLabel", "hc:closureReason"),
    "Closure.date": ("dcterms:date", "hc:closureDate"),
    "Closure.jo": ("hc:joDate",),
    "Erratum.text": ("schema:text",),
    "Erratum.jo": ("hc:joDate",),
    "Person.uid": ("dcterms:identifier",),
    "Person.civility": ("hc:civility",),
    "Person.given_name": ("foaf:givenName", "foaf:name"),
    "Person.family_name": ("foaf:familyName", "foaf:name"),
    "Person.sort_name": ("hc:sortName",),
    "Person.trigram": ("hc:trigram",),
    "Person.birth_date": ("schema:birthDate",),
    "Person.birth_city": ("hc:birthPlace",),
    "Person.birth_department": ("hc:birthDepartment",),
    "Person.birth_country": ("hc:birthCountry",),
    "Person.death_date": ("schema:deathDate",),
    "Person.profession": ("hc:profession",),
    "Person.socio_category": ("hc:socioProfessionalCategory",),
    "Person.socio_family": ("hc:socioProfessionalFamily",),
    "Person.hatvp_url": ("foaf:page",),
    "Person.mandates": ("org:member",),
    "Person.sources": ("prov:wasDerivedFrom", "hc:sourcePath"),
    "Mandate.uid": ("dcterms:identifier",),
    "Mandate.person_uid": ("org:member",),
    "Mandate.organe_type": ("hc:organeType",),
    "Mandate.organe_uids": ("org:organization",),
    "Mandate.legislature": ("hc:legislature",),
    "Mandate.start": ("schema:startDate",),
    "Mandate.end": ("schema:endDate",),
    "Mandate.publication_date": ("hc:publicationDate",),
    "Mandate.quality": ("hc:quality",),
    "Mandate.quality_code": ("hc:qualityCode",),
    "Mandate.quality_gendered": ("hc:qualityGendered",),
    "Mandate.principal": ("hc:principal",),
    "Mandate.precedence": ("hc:precedence",),
    "Mandate.label": ("rdfs:label",),
    "Mandate.chamber": ("hc:chamber",),
    "Mandate.election": ("hc:constituency",),
    "Mandate.term": ("hc:takingOffice",),
    "Mandate.substitutes": ("hc:substitution",),
    "Mandate.previous_mission_uid": ("hc:previousMission",),
    "Mandate.next_mission_uid": ("hc:nextMission",),
    "Election.region": ("hc:region",),
    "Election.region_type": ("hc:regionType",),
    "Election.department": ("rdfs:label",),
    "Election.department_code": ("hc:department", "hc:constituency"),
    "Election.constituency_number": ("hc:number", "hc:constituency"),
    "Election.cause": ("hc:electionCause",),
    "Election.constituency_organe_uid": ("hc:constituencyOrgane",),
    "MandateTerm.taking_office": ("hc:takingOffice",),
    "MandateTerm.end_cause": ("hc:endCause",),
    "MandateTerm.replaces_mandate_uid": ("hc:replacesMandate",),
    "MandateTerm.seat": ("hc:seat",),
    "MandateTerm.first_election": ("hc:firstElection",),
    "Substitute.person_uid": ("hc:substitute",),
    "Substitute.start": ("schema:startDate",),
    "Substitute.end": ("schema:endDate",),
    "Organe.uid": ("dcterms:identifier",),
    "Organe.code_type": ("hc:organeType", "rdf:type"),
    "Organe.label": ("skos:prefLabel",),
    "Organe.label_edition": ("hc:editionLabel",),
    "Organe.short_label": ("hc:shortLabel",),
    "Organe.abbreviation": ("hc:abbreviation",),
    "Organe.start": ("schema:startDate",),
    "Organe.approval_date": ("hc:approvalDate",),
    "Organe.end": ("schema:endDate",),
    "Organe.legislature": ("hc:legislature",),
    "Organe.chamber": ("hc:chamber",),
    "Organe.regime": ("hc:regime",),
    "Organe.parent_uid": ("org:subOrganizationOf",),
    "Organe.previous_uid": ("hc:previousPortfolio",),
    "Organe.color": ("hc:color",),
    "Organe.political_position": ("hc:politicalPosition",),
    "Organe.precedence": ("hc:precedence",),
    "Organe.number": ("hc:number", "hc:constituency"),
    "Organe.department_code": ("hc:department", "hc:constituency"),
    "Organe.department_nature": ("hc:departmentNature",),
    "Organe.department_label": ("rdfs:label",),
    "Organe.region_label": ("hc:region",),
    "Organe.region_type": ("hc:regionType",),
    "Organe.secretaries": ("hc:secretary",),
    "Organe.country_refs": ("hc:country",),
    "Organe.meetings_per_year": ("hc:meetingsPerYear",),
    "Organe.legal_regime": ("hc:legalRegime",),
    "Organe.website": ("schema:url",),
    "Organe.sources": ("prov:wasDerivedFrom", "hc:sourcePath"),
}
