"""The question card: one question as the Assemblée's page shows it, rendered from the graph alone.

:func:`load_card` runs ``queries/question-card.rq`` (one row per fact: part, item, key, value) through
:mod:`kg.query.targets` on the embedded store or on any SPARQL endpoint, with the uid bound as an RDF literal
(never pasted as text), and assembles the rows into a typed :class:`QuestionCard`. :func:`render_markdown` writes it in the page's own
layout (title, "Question écrite n° …", "Texte de la question", "Données clés", "Date(s) clé(s)" with JO
pages and the closure reason) — a card is itself a page that :mod:`kg.sources.pages` reads back — and
:func:`render_json` writes every fact with its IRI.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import lxml.etree as etree
import lxml.html
import orjson
import pyoxigraph as ox

from kg.errors import InputError
from kg.iris import QUESTION_UID
from kg.models import QuestionType
from kg.query.catalog import find_query
from kg.query.results import ResultTable
from kg.query.targets import QueryTarget, run_query
from kg.sources.pages import TYPE_LABELS, format_french_date
from kg.vocab import HC_IRI, OX_DCTERMS, OX_FOAF, OX_HC, OX_RDF, OX_RDFS, OX_SCHEMA, OX_SKOS

__all__ = [
    "CARD_FORMATS",
    "CARD_QUERY",
    "CardEvent",
    "CardRow",
    "OrganeRef",
    "PersonRef",
    "QuestionCard",
    "build_card",
    "card_rows",
    "html_to_markdown",
    "load_card",
    "render_card",
    "render_json",
    "render_markdown",
]

#: The query's file name under ``queries/``.
CARD_QUERY: Final = "question-card.rq"
#: ``kg show --format``: the page's layout in Markdown, or every fact with its IRI in JSON.
CARD_FORMATS: Final = ("markdown", "json")

Term = ox.NamedNode | ox.Literal


@dataclass(frozen=True, slots=True)
class CardRow:
    """One row of the card query: ``part`` (question, author, attribution …), the resource the fact is
    about, the property and the value."""

    part: str
    item: ox.NamedNode
    key: ox.NamedNode
    value: Term


# ------------------------------------------------------------------ the card


@dataclass(frozen=True, slots=True)
class OrganeRef:
    iri: str
    id: str | None = None
    label: str | None = None  # skos:prefLabel (libelle)
    short_label: str | None = None  # hc:shortLabel (libelleAbrege)
    abbreviation: str | None = None  # hc:abbreviation (libelleAbrev)

    @property
    def unresolved(self) -> bool:
        """A marked fallback IRI: the source named this body by a label no registry id was found for."""
        return "/organe/unresolved/" in self.iri

    @property
    def short(self) -> str:
        """How a page names a ministry: the short label first."""
        return self.short_label or self.label or self.abbreviation or self.id or self.iri

    @property
    def full(self) -> str:
        """How a page names a group: the full label first."""
        return self.label or self.short_label or self.abbreviation or self.id or self.iri


@dataclass(frozen=True, slots=True)
class PersonRef:
    iri: str
    id: str | None = None
    civility: str | None = None
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None

    @property
    def display(self) -> str:
        """``Mme Constance Le Grip``, as the page writes the author."""
        name = (
            self.name or " ".join(x for x in (self.given_name, self.family_name) if x) or self.id or self.iri
        )
        return f"{self.civility} {name}" if self.civility else name


@dataclass(frozen=True, slots=True)
class PlaceRef:
    iri: str
    id: str | None = None
    label: str | None = None  # "Hauts-de-Seine (6e circonscription)"
    number: int | None = None


@dataclass(frozen=True, slots=True)
class CardEvent:
    """A dated event of the question: publication, attribution, signalement, renewal, answer, closure,
    erratum (of the question) or answer-erratum."""

    kind: str
    order: int | None = None
    iri: str = ""
    date: dt.date | None = None  # dcterms:date
    jo_date: dt.date | None = None
    jo_page: int | None = None
    jo_type: str | None = None
    jo_number: str | None = None
    nor: str | None = None
    legifrance: str | None = None
    filing_date: dt.date | None = None  # signalement: dateDepotSignal
    ministry: OrganeRef | None = None  # attribution: the ministry; answer: the answering ministry
    ministry_label: str | None = None  # as the record named it on this event
    ministry_short_label: str | None = None
    text: str | None = None
    html: str | None = None
    erratum: str | None = None
    code: str | None = None  # closure
    label: str | None = None  # closure label, e.g. "Fin de mandat"
    reason: str | None = None  # closure reason, the ontology's local name, e.g. "EndOfMandate"

    @property
    def day(self) -> dt.date | None:
        """The date a page shows: the JO date, else the event's date."""
        return self.jo_date or self.date


_EVENT_KINDS: Final = (
    "publication",
    "attribution",
    "signalement",
    "renewal",
    "answer",
    "closure",
    "erratum",
    "answer-erratum",
)


@dataclass(frozen=True, slots=True)
class QuestionCard:
    uid: str
    iri: str
    type: QuestionType
    legislature: int
    number: int
    regime: str | None = None
    title: str | None = None
    alternatives: tuple[str, ...] = ()
    text: str | None = None  # plain text of the (first) question text
    html: str | None = None  # its HTML, when the source had markup
    author: PersonRef | None = None
    mandate: str | None = None  # IRI
    mandate_id: str | None = None
    constituency: PlaceRef | None = None
    group: OrganeRef | None = None
    rubrique: str | None = None
    tete_analyse: str | None = None
    questioned_ministry: OrganeRef | None = None
    attributed_ministry: OrganeRef | None = None
    events: tuple[CardEvent, ...] = ()
    status: str | None = None  # Pending | Answered | Withdrawn
    publication_date: dt.date | None = None
    answer_date: dt.date | None = None
    closure_date: dt.date | None = None
    answer_delay_days: int | None = None
    official_page: str | None = None
    topics: tuple[tuple[str, str], ...] = field(default=())  # (scheme, label) of every topic

    def events_of(self, kind: str) -> tuple[CardEvent, ...]:
        return tuple(e for e in self.events if e.kind == kind)

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.type]


# ------------------------------------------------------------------ rows → card

_QUESTION_CLASSES: Final = {
    str(OX_HC.WrittenQuestion.value): QuestionType.WRITTEN,
    str(OX_HC.OralQuestion.value): QuestionType.ORAL,
    str(OX_HC.GovernmentQuestion.value): QuestionType.GOVERNMENT,
}


class _Facts:
    """The rows of one (part, item): property IRI → values, sorted."""

    def __init__(self, item: ox.NamedNode) -> None:
        self.item = item
        self.values: dict[str, list[Term]] = {}

    def add(self, key: ox.NamedNode, value: Term) -> None:
        self.values.setdefault(key.value, []).append(value)

    def all(self, key: ox.NamedNode) -> list[Term]:
        return sorted(self.values.get(key.value, ()), key=str)

    def term(self, key: ox.NamedNode) -> Term | None:
        found = self.all(key)
        return found[0] if found else None

    def text(self, key: ox.NamedNode) -> str | None:
        term = self.term(key)
        return term.value if term is not None else None

    def integer(self, key: ox.NamedNode) -> int | None:
        term = self.term(key)
        if term is None:
            return None
        try:
            return int(term.value)
        except ValueError:
            return None

    def day(self, key: ox.NamedNode) -> dt.date | None:
        term = self.term(key)
        if term is None:
            return None
        try:
            return dt.date.fromisoformat(term.value)
        except ValueError:
            return None


def _local(iri: str | None) -> str | None:
    if iri is None:
        return None
    return iri[len(HC_IRI) :] if iri.startswith(HC_IRI) else iri


def build_card(uid: str, rows: Iterable[CardRow]) -> QuestionCard:
    """Assemble the query's rows into a card. Raises :class:`InputError` when no row is about a question."""
    groups: dict[tuple[str, str], _Facts] = {}
    for row in rows:
        facts = groups.setdefault((row.part, row.item.value), _Facts(row.item))
        facts.add(row.key, row.value)
    question = next((f for (part, _), f in groups.items() if part == "question"), None)
    if question is None:
        raise InputError(f"no question {uid} in the graph", field="uid")
    qtype = next(
        (_QUESTION_CLASSES[t.value] for t in question.all(OX_RDF.type) if t.value in _QUESTION_CLASSES), None
    )
    number, legislature = question.integer(OX_HC.number), question.integer(OX_HC.legislature)
    if qtype is None or number is None or legislature is None:
        raise InputError(f"question {uid} lacks its type, number or legislature in the graph", field="uid")

    def parts(name: str) -> list[_Facts]:
        return [groups[key] for key in sorted(groups) if key[0] == name]

    def organe(name: str) -> OrganeRef | None:
        found = parts(name)
        return _organe(found[0]) if found else None

    ministries = {
        f.item.value: f for name in ("attribution-ministry", "answer-ministry") for f in parts(name)
    }
    events = []
    for kind in _EVENT_KINDS:
        for facts in parts(kind):
            ministry_term = facts.term(OX_HC.ministry) or facts.term(OX_HC.answeringMinistry)
            ministry = None
            if isinstance(ministry_term, ox.NamedNode):
                labels = ministries.get(ministry_term.value)
                ministry = _organe(labels) if labels is not None else OrganeRef(ministry_term.value)
            erratum = next((t.value for t in facts.all(OX_HC.erratum) if isinstance(t, ox.Literal)), None)
            events.append(
                CardEvent(
                    kind=kind,
                    order=facts.integer(OX_HC.order),
                    iri=facts.item.value,
                    date=facts.day(OX_DCTERMS.date),
                    jo_date=facts.day(OX_HC.joDate),
                    jo_page=facts.integer(OX_HC.joPage),
                    jo_type=facts.text(OX_HC.joType),
                    jo_number=facts.text(OX_HC.joNumber),
                    nor=facts.text(OX_HC.norReference),
                    legifrance=facts.text(OX_RDFS.seeAlso),
                    filing_date=facts.day(OX_HC.filingDate),
                    ministry=ministry,
                    ministry_label=facts.text(OX_HC.ministryLabel),
                    ministry_short_label=facts.text(OX_HC.ministryShortLabel),
                    text=facts.text(OX_SCHEMA.text),
                    html=facts.text(OX_HC.textHtml),
                    erratum=erratum,
                    code=facts.text(OX_HC.closureCode),
                    label=facts.text(OX_HC.closureLabel),
                    reason=_local(facts.text(OX_HC.closureReason)),
                )
            )
    events.sort(key=lambda e: (_EVENT_KINDS.index(e.kind), e.order or 0, e.iri))

    author = None
    if found := parts("author"):
        person = found[0]
        author = PersonRef(
            iri=person.item.value,
            id=person.text(OX_DCTERMS.identifier),
            civility=person.text(OX_HC.civility),
            name=person.text(OX_FOAF.name),
            given_name=person.text(OX_FOAF.givenName),
            family_name=person.text(OX_FOAF.familyName),
        )
    mandate = parts("mandate")
    constituency = None
    if found := parts("constituency"):
        place = found[0]
        constituency = PlaceRef(
            place.item.value,
            place.text(OX_DCTERMS.identifier),
            place.text(OX_RDFS.label),
            place.integer(OX_HC.number),
        )
    topics = []
    for facts in parts("topic"):
        scheme = facts.text(OX_SKOS.inScheme) or ""
        label = facts.text(OX_SKOS.prefLabel)
        if label:
            topics.append((scheme.rsplit("/", 1)[-1], label))
    topics.sort()
    return QuestionCard(
        uid=question.text(OX_DCTERMS.identifier) or uid,
        iri=question.item.value,
        type=qtype,
        legislature=legislature,
        number=number,
        regime=question.text(OX_HC.regime),
        title=question.text(OX_DCTERMS.title),
        alternatives=tuple(t.value for t in question.all(OX_DCTERMS.alternative)),
        text=question.text(OX_SCHEMA.text),
        html=question.text(OX_HC.textHtml),
        author=author,
        mandate=mandate[0].item.value if mandate else None,
        mandate_id=mandate[0].text(OX_DCTERMS.identifier) if mandate else None,
        constituency=constituency,
        group=organe("group"),
        rubrique=next((label for scheme, label in topics if scheme == "rubrique"), None),
        tete_analyse=next((label for scheme, label in topics if scheme == "tete-analyse"), None),
        questioned_ministry=organe("questioned-ministry"),
        attributed_ministry=organe("attributed-ministry"),
        events=tuple(events),
        status=_local(question.text(OX_HC.status)),
        publication_date=question.day(OX_HC.publicationDate),
        answer_date=question.day(OX_HC.answerDate),
        closure_date=question.day(OX_HC.closureDate),
        answer_delay_days=question.integer(OX_HC.answerDelayDays),
        official_page=question.text(OX_RDFS.seeAlso),
        topics=tuple(topics),
    )


def _organe(facts: _Facts) -> OrganeRef:
    return OrganeRef(
        iri=facts.item.value,
        id=facts.text(OX_DCTERMS.identifier),
        label=facts.text(OX_SKOS.prefLabel),
        short_label=facts.text(OX_HC.shortLabel),
        abbreviation=facts.text(OX_HC.abbreviation),
    )


# ------------------------------------------------------------------ running the query


def card_rows(result: ResultTable) -> list[CardRow]:
    """The rows of the card query's result (rows whose OPTIONAL parts matched nothing are skipped)."""
    try:
        columns = [result.columns.index(name) for name in ("part", "item", "key", "value")]
    except ValueError:
        raise InputError(f"not a result of {CARD_QUERY}: columns {', '.join(result.columns)}") from None
    rows = []
    for row in result.rows:
        part, item, key, value = (row[i] for i in columns)
        if (
            isinstance(part, ox.Literal)
            and isinstance(item, ox.NamedNode)
            and isinstance(key, ox.NamedNode)
            and isinstance(value, ox.NamedNode | ox.Literal)
        ):
            rows.append(CardRow(part.value, item, key, value))
    return rows


def load_card(uid: str, target: QueryTarget) -> QuestionCard:
    """The card of one question, from the embedded store (:class:`~kg.query.targets.EmbeddedTarget`) or a SPARQL
    endpoint (:class:`~kg.query.targets.EndpointTarget`): ``queries/question-card.rq`` with the uid bound as an
    RDF literal by :func:`kg.query.targets.run_query`.

    Raises :class:`InputError` for a malformed uid or a question not in the graph, and
    :class:`~kg.errors.EndpointError` when the endpoint fails."""
    uid = uid.strip().upper()  # qanr5l15qe40439 is meant as QANR5L15QE40439
    if not QUESTION_UID.match(uid):
        raise InputError(
            f"not a question uid: {uid!r} (expected QANR5L{{legislature}}{{QE|QOSD|QG}}{{number}}, "
            "e.g. QANR5L15QE40439)",
            field="uid",
        )
    result = run_query(find_query(CARD_QUERY.removesuffix(".rq")), {"uid": uid}, target)
    rows = card_rows(result)
    if not rows:
        raise InputError(f"no question {uid} in {target.description}", field="uid")
    return build_card(uid, rows)


# ------------------------------------------------------------------ Markdown, in the page's layout


def _ordinal_sup(label: str) -> str:
    """``Hauts-de-Seine (6e circonscription)`` → ``Hauts-de-Seine (6<sup>e</sup> circonscription)``."""
    return re.sub(r"\((\d+)(er|re|e)\s+circonscription\)", r"(\1<sup>\2</sup> circonscription)", label)


_MD_SPECIAL = re.compile(r"([\\*_\[\]`])")
_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")


def _md_escape(text: str) -> str:
    """Plain text for Markdown: characters the page reader would take for markup are escaped."""
    text = _ENTITY_LIKE.sub("&amp;", text)
    text = _TAG_LIKE.sub("&lt;", text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def _inline_md(element: etree._Element) -> str:
    out = [_md_escape(_space(element.text))] if element.text else []
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        inner = _inline_md(child)
        if tag in ("em", "i", "strong", "b"):
            mark = "*" if tag in ("em", "i") else "**"
            core = inner.strip(" ")
            if core.strip():  # the spaces around the words stay outside the markers
                lead, trail = inner[: len(inner) - len(inner.lstrip(" "))], inner[len(inner.rstrip(" ")) :]
                out.append(f"{lead}{mark}{core}{mark}{trail}")
            else:
                out.append(inner)
        elif tag in ("sup", "sub"):
            out.append(f"<{tag}>{inner}</{tag}>")
        elif tag == "br":
            out.append("\\\n")
        elif tag in ("p", "div", "li", "blockquote", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
            out.append(f"\n\n{inner.strip()}\n\n")
        else:
            out.append(inner)
        if child.tail:
            out.append(_md_escape(_space(child.tail)))
    return "".join(out)


def _space(text: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", text)


def html_to_markdown(fragment: str) -> str:
    """An HTML text fragment (as the dumps and pages give them) as Markdown paragraphs: ``<p>``/``<br>``
    become paragraph and line breaks, ``<em>``/``<strong>`` ``*``/``**``, ``<sup>`` is kept, other tags are
    dropped with their text kept, entities decoded; what would read as markup is escaped."""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return _md_escape(html.unescape(re.sub(r"<[^>]*>", "", fragment)))
    paragraphs: list[str] = []
    for block in _inline_md(root).split("\n\n"):
        run: list[str] = []  # the lines of one paragraph, between hard breaks
        for line in block.split("\\\n"):
            line = line.strip(" ")
            if line.strip():
                run.append("\\" + line if line.startswith("#") else line)  # not a heading
            elif run:  # a break with nothing after it (<br><br>, or at the end): the paragraph ends
                paragraphs.append("\\\n".join(run))
                run = []
        if run:
            paragraphs.append("\\\n".join(run))
    return "\n\n".join(paragraphs)


def _text_md(html_text: str | None, plain: str | None) -> str | None:
    if html_text:
        return html_to_markdown(html_text)
    if plain:  # no markup in the source: its lines are its paragraphs, written as they are
        return "\n\n".join(line for line in plain.splitlines() if line.strip())
    return None


def _legislature(n: int) -> str:
    return f"{n}{'re' if n == 1 else 'ème'} législature"


def _jo_line(label: str, day: dt.date | None, page: int | None, extra: str = "") -> str | None:
    if day is None:
        return None
    return f"**{label} :** {format_french_date(day)}" + (f", page {page}" if page is not None else "") + extra


def render_markdown(card: QuestionCard) -> str:
    """The card in the layout of the Assemblée's page (``pages/QANR5L15QE40439.md``)."""
    out: list[str] = ["# ASSEMBLÉE NATIONALE", _legislature(card.legislature)]
    if card.title:
        out.append(_md_escape(card.title))
    out.append(f"{card.type_label} n° {card.number}")
    question_text = _text_md(card.html, card.text)
    if question_text is not None:
        out += ["## Texte de la question", question_text]
    answers = card.events_of("answer")
    answer_texts = [t for t in (_text_md(a.html, a.text) for a in answers) if t]
    if answer_texts:
        out += ["## Texte de la réponse", *answer_texts]

    facts: list[str] = []
    if card.author is not None:
        facts.append(f"**Auteur :** {_md_escape(card.author.display)}")
    group = card.group.full if card.group is not None else None
    if card.constituency is not None and card.constituency.label:
        line = f"**Circonscription :** {_ordinal_sup(_md_escape(card.constituency.label))}"
        facts.append(line + (f" - {_md_escape(group)}" if group else ""))
    elif group:
        facts.append(f"**Groupe :** {_md_escape(group)}")
    facts.append(f"**Type de question :** {card.type_label}")
    facts.append(f"**Numéro de la question :** {card.number}")
    if card.rubrique:
        facts.append(f"**Rubrique :** {_md_escape(card.rubrique[:1].upper() + card.rubrique[1:])}")
    if card.tete_analyse:
        facts.append(f"**Tête d'analyse :** {_md_escape(card.tete_analyse)}")
    for alternative in card.alternatives:
        facts.append(f"**Analyse :** {_md_escape(alternative)}")
    if card.questioned_ministry is not None:
        facts.append(f"**Ministère interrogé :** {_md_escape(card.questioned_ministry.short)}")
    if card.attributed_ministry is not None:
        facts.append(f"**Ministère attributaire :** {_md_escape(card.attributed_ministry.short)}")
    out += ["## Données clés", *facts]

    dates: list[str | None] = []
    publications = card.events_of("publication")
    if publications:
        dates.append(_jo_line("Question publiée au JO le", publications[0].day, publications[0].jo_page))
    dates += [_jo_line("Question signalée au JO le", e.day, e.jo_page) for e in card.events_of("signalement")]
    dates += [_jo_line("Question renouvelée au JO le", e.day, e.jo_page) for e in card.events_of("renewal")]
    dates += [
        _jo_line("Date de changement d'attribution", e.day, None)
        for e in card.events_of("attribution")
        if (e.order or 0) > 1
    ]
    dates += [_jo_line("Réponse publiée au JO le", e.day, e.jo_page) for e in answers]
    for closure in card.events_of("closure"):
        if closure.reason != "AnswerPublished":
            reason = f" ({_md_escape(closure.label)})" if closure.label else ""
            dates.append(_jo_line("Question retirée le", closure.day or card.closure_date, None, reason))
    written = [line for line in dates if line]
    if written:
        out += ["## Date(s) clé(s)", *written]
    return "\n\n".join(out) + "\n"


# ------------------------------------------------------------------ JSON


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, OrganeRef):
        return {
            "iri": value.iri,
            "id": value.id,
            "label": value.label,
            "short_label": value.short_label,
            "abbreviation": value.abbreviation,
            "unresolved": value.unresolved,
        }
    if isinstance(value, PersonRef | PlaceRef | CardEvent):
        return {name: _jsonable(getattr(value, name)) for name in value.__slots__}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def card_to_json(card: QuestionCard) -> dict[str, Any]:
    data: dict[str, Any] = {name: _jsonable(getattr(card, name)) for name in card.__slots__}
    data["type"] = card.type.value
    data["type_label"] = card.type_label
    data["topics"] = [{"scheme": scheme, "label": label} for scheme, label in card.topics]
    return data


def render_json(card: QuestionCard) -> str:
    """Every fact of the card with its IRI, as indented JSON (keys in a fixed order)."""
    return orjson.dumps(card_to_json(card), option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def render_card(card: QuestionCard, fmt: str = "markdown") -> str:
    """The card as ``markdown`` (also ``md``) or ``json``; another format is bad input."""
    if fmt in ("markdown", "md"):
        return render_markdown(card)
    if fmt == "json":
        return render_json(card)
    raise InputError(f"unknown format {fmt!r} (choose from {', '.join(CARD_FORMATS)})", field="--format")
