"""The two references the benchmark measures hemicycle-kg against, on the same records and the same triples.

- the **floor**: read the files, parse the JSON, build the question's triples as pyoxigraph terms in one
  straight loop (no models, no validation, no store), write them with pyoxigraph's N-Triples serializer —
  the least any Python tool must do;
- the **naive baseline**: what a user would write by hand with plain rdflib: the same triples into one
  ``rdflib.Graph`` (sub-resources as IRIs), written as N-Triples (and Turtle, which is superlinear).

Both build EXACTLY the triples ``kg build`` maps from the same records (:meth:`kg.mapping.QuestionMapper.map`,
graph names dropped): the question and its lifecycle events (publications, attributions with their order and
previous attribution, answers, errata, signalements, renewals, closure and its reason), every Journal officiel
detail, texts as plain text plus the HTML when there is markup, the derived facts (status, publication and
answer dates, answer delay), the author's mandate, constituency, group and group membership at the time of
asking, the topics (SKOS concepts, written once per run as in ``graph/topics``), the persons and organes the
registry does not know (written once, as in ``graph/mentions``) and the provenance of the question graph
(source record path and SHA-256 of its canonical JSON). So the floor's count is kg's count of question quads
for the same corpus. ``tests/test_bench_references.py`` checks it triple for triple on a generated corpus
showing every variant, on the bundled sample (JSON, XML and single-file records) and on mutated records.

What kg looks up in the registry (the author's deputy mandate and its constituency, the group and the group
membership valid on the day, which persons and organes it knows) comes from plain dicts and sets that
:func:`lookups` builds from the registry files before anything is timed. :func:`record_facts` is the shared
straight loop: plain dict and string work on one raw record as orjson gives it, no import of ``kg`` (no models,
no pydantic, no mapping). It does not validate: it is meant for records kg reads; a record kg would quarantine
may give other facts, or an error. :func:`floor` and :func:`naive` read one-question JSON files (the
``json-files`` layout of bench/generate), named relative to ``root`` as ``kg build root`` names them.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson
import pyoxigraph as ox
import rdflib

if TYPE_CHECKING:
    from kg.registry import Registry

BASE = "https://w3id.org/hemicycle/"
HC = "https://w3id.org/hemicycle/ontology#"
DCT = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"

#: A fact is ``(subject IRI, predicate IRI, object, kind)``: ``kind`` is :data:`IRI` (the object is an IRI),
#: :data:`PLAIN` (a plain string literal), ``"@fr"``/``"@en"`` (a language-tagged literal) or the IRI of the
#: literal's datatype.
Fact = tuple[str, str, str, str | None]
IRI: None = None
PLAIN = ""
FR = "@fr"
EN = "@en"
INTEGER = XSD + "integer"
DATE = XSD + "date"
ANY_URI = XSD + "anyURI"
HTML = RDF + "HTML"

A = RDF + "type"
KINDS = {"QE": HC + "WrittenQuestion", "QOSD": HC + "OralQuestion", "QG": HC + "GovernmentQuestion"}
TOPIC_SCHEMES = {
    "rubrique": ("Rubriques de l'Assemblée nationale", "Assemblée nationale topic headings"),
    "tete-analyse": ("Têtes d'analyse de l'Assemblée nationale", "Assemblée nationale sub-topic headings"),
}
OFFICIAL_PAGE = "https://www.assemblee-nationale.fr/dyn/{}/questions/{}"
_NIL_KEYS = frozenset({"@xsi:nil", "@xmlns:xsi", "@xmlns", "@xsi:type"})

# hc: terms, spelled once
_ANSWER_PUBLISHED = HC + "AnswerPublished"
_MINISTRY = HC + "Ministry"
_GROUP = HC + "ParliamentaryGroup"


# ------------------------------------------------------------------ registry lookups (built before timing)

#: A deputy (ASSEMBLEE) mandate: (start ISO or "" when open, end ISO or None, legislature, uid, constituency IRI)
AssemblyMandate = tuple[str, str | None, int | None, str, str | None]
#: A group (GP) mandate: (start or "", end or None, its organe is a known GP, principal nomination, uid,
#: first organe uid or None)
GroupMandate = tuple[str, str | None, bool, bool, str, str | None]
#: A GP membership with a start date, held by the person themself: (start, end or None, organe uids, uid)
Membership = tuple[str, str | None, frozenset[str], str]


@dataclass(frozen=True, slots=True)
class Lookups:
    """What kg asks the registry while it maps questions, as plain dicts and sets (no kg objects)."""

    persons: frozenset[str]  # known person uids
    organes: frozenset[str]  # known organe uids
    mandates: dict[str, str | None]  # every mandate uid → the constituency IRI of its election (or None)
    assembly: dict[str, tuple[AssemblyMandate, ...]]  # person → deputy mandates by (start, uid)
    groups: dict[str, tuple[GroupMandate, ...]]  # person → group mandates by (start, uid)
    memberships: dict[str, tuple[Membership, ...]]  # person → dated GP memberships
    tool: str  # the IRI of the tool (provenance of every question graph)


def lookups(registry_paths: Sequence[Path]) -> Lookups:
    """Read the registry (acteurs and organes files, folders or zips) with kg's reader and index it."""
    from kg.registry import load_registry

    return lookups_from_registry(load_registry(registry_paths))


def lookups_from_registry(registry: Registry) -> Lookups:
    """The :class:`Lookups` of a loaded :class:`kg.registry.Registry` (IRIs minted by kg's minter)."""
    from kg import __version__
    from kg.iris import Minter
    from kg.models import Mandate

    mint = Minter(BASE)

    def constituency(mandate: Mandate) -> str | None:
        e = mandate.election
        if e is not None and e.department_code and e.constituency_number is not None:
            return mint.constituency(e.department_code, e.constituency_number).value
        return None

    def iso(day: date | None) -> str | None:
        return day.isoformat() if day else None

    def by_start(mandate: Mandate) -> tuple[date, str]:
        return (mandate.start or date.min, mandate.uid)

    organes = registry.organes
    assembly: dict[str, tuple[AssemblyMandate, ...]] = {}
    groups: dict[str, tuple[GroupMandate, ...]] = {}
    memberships: dict[str, tuple[Membership, ...]] = {}
    for uid in sorted(registry.persons):
        held: list[Mandate] = sorted(registry.persons[uid].mandates, key=by_start)
        deputy = [m for m in held if m.organe_type == "ASSEMBLEE"]
        group = [m for m in held if m.organe_type == "GP"]
        if deputy:
            assembly[uid] = tuple(
                (iso(m.start) or "", iso(m.end), m.legislature, m.uid, constituency(m)) for m in deputy
            )
        if group:
            groups[uid] = tuple(
                (
                    iso(m.start) or "",
                    iso(m.end),
                    any(o in organes and organes[o].code_type == "GP" for o in m.organe_uids),
                    m.principal is True,
                    m.uid,
                    m.organe_uids[0] if m.organe_uids else None,
                )
                for m in group
            )
            dated = tuple(
                (m.start.isoformat(), iso(m.end), frozenset(m.organe_uids), m.uid)
                for m in group
                if m.start is not None and m.person_uid == uid
            )
            if dated:
                memberships[uid] = dated
    return Lookups(
        persons=frozenset(registry.persons),
        organes=frozenset(organes),
        mandates={uid: constituency(m) for uid, m in registry.mandates.items()},
        assembly=assembly,
        groups=groups,
        memberships=memberships,
        tool=mint.tool(__version__).value,
    )


# ------------------------------------------------------------------ reading the raw record (as kg's readers do)


def _is_nil(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value or value.isspace()
    if isinstance(value, dict):
        return value.get("@xsi:nil") in ("true", True) and value.keys() <= _NIL_KEYS
    return False


def _text(value: Any) -> str | None:
    """A scalar as written: blank and nil → None, ``{"#text": …}`` → its text, numbers → their string."""
    if value.__class__ is str:
        return value if value and not value.isspace() else None
    if value is None:
        return None
    if isinstance(value, dict):
        return None if _is_nil(value) else _text(value.get("#text"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _many(value: Any) -> list[Any]:
    """A one-element list arrives as a bare object; nil items are dropped."""
    if value.__class__ is list:
        return [item for item in value if not _is_nil(item)]
    return [] if _is_nil(value) else [value]


def _block(value: Any) -> Any:
    """An optional block: None when null or nil."""
    if value.__class__ is dict and "@xsi:nil" not in value:
        return value
    return None if _is_nil(value) else value


def _int(value: Any) -> str | None:
    """A whole number's canonical lexical form ("0012" → "12")."""
    text = _text(value)
    return None if text is None else str(int(text))


def _day(value: Any) -> str | None:
    """``YYYY-MM-DD`` (a time may follow) or ``DD/MM/YYYY`` → ``YYYY-MM-DD``."""
    text = _text(value)
    if text is None:
        return None
    text = text.strip()
    if len(text) == 10 and text[2] == "/":
        return f"{text[6:]}-{text[3:5]}-{text[:2]}"
    return text[:10]


def _ref(value: Any, prefix: str) -> str | None:
    """A PA…/PM…/PO… reference (stripped); None when absent or not of that form."""
    text = _text(value)
    if text is None:
        return None
    text = text.strip()
    digits = text[2:]
    return text if text[:2] == prefix and digits.isdigit() and digits.isascii() else None


#: A Journal officiel reference: (typeJO, dateJO, pageJO, numJO, urlLegifrance, referenceNOR)
JO = tuple[str | None, str | None, str | None, str | None, str | None, str | None]
#: An organe as a question names it: (uid, abrege, developpe)
Mention = tuple[str | None, str | None, str | None]


def _jo(value: Any) -> JO | None:
    block = _block(value)
    if block is None:
        return None
    jo = (
        _text(block.get("typeJO")),
        _day(block.get("dateJO")),
        _int(block.get("pageJO")),
        _text(block.get("numJO")),
        _text(block.get("urlLegifrance")),
        _text(block.get("referenceNOR")),
    )
    return None if jo == (None, None, None, None, None, None) else jo


def _mention(value: Any) -> Mention | None:
    block = _block(value)
    if block is None:
        return None
    mention = (_ref(block.get("organeRef"), "PO"), _text(block.get("abrege")), _text(block.get("developpe")))
    return None if mention == (None, None, None) else mention


def _titles(value: Any) -> list[str]:
    return [t for t in map(_text, _many(value)) if t is not None]


def _analyses(indexation: dict[str, Any]) -> list[str]:
    titles: list[str] = []
    block = _block(indexation.get("analyses"))
    if block is not None:
        titles = _titles(block.get("analyse")) + _titles(block.get("ANALYSE")) + _titles(block.get("ANA"))
    legacy = _block(indexation.get("ANALYSE"))  # older records: {"ANA": title(s)}, or the title(s)
    if legacy is not None:
        titles += _titles(legacy if isinstance(legacy, str | list) else legacy.get("ANA"))
    return list(dict.fromkeys(titles))


def _errata(value: Any) -> list[tuple[str, JO | None]]:
    block = _block(value)
    if block is None:
        return []
    items = block if isinstance(block, str | list) else block.get("erratum")
    out: list[tuple[str, JO | None]] = []
    for item in _many(items):
        if isinstance(item, str):
            out.append((item, None))
        else:
            out.append((_text(item.get("texte")) or "", _jo(item.get("infoJO"))))
    return out


def _texts(value: Any, key: str) -> list[tuple[str, JO | None, str | None]]:
    block = _block(value)
    if block is None:
        return []
    return [
        (_text(item.get("texte")) or "", _jo(item.get("infoJO")), _text(item.get("erratum")))
        for item in _many(block.get(key))
    ]


# ------------------------------------------------------------------ derived values (as kg.mapping computes them)

_TAG = re.compile(r"<[^<>]*>")
_BREAK = re.compile(r"<\s*br\s*/?\s*>|</\s*(?:p|li|div|h[1-6]|tr|blockquote)\s*>", re.IGNORECASE)
_HTTP = re.compile(r"^https?://\S+$")


def _plain_text(fragment: str) -> str:
    """Tags dropped (breaks become newlines), entities decoded, lines stripped; unchanged without markup."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    text = html.unescape(_TAG.sub("", _BREAK.sub("\n", fragment)))
    return "\n".join(line.strip() for line in text.strip().splitlines()).strip()


@lru_cache(maxsize=65536)
def _slug(label: str) -> str:
    """kg.iris's slug, written out again: the references import nothing of kg in their timed loop (the
    triple-for-triple test keeps the two equal)."""
    text = label.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    out = []
    for ch in text:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch.isalnum():
            out.append(quote(ch, safe=""))
        else:
            out.append("-")
    return re.sub(r"-+", "-", "".join(out)).strip("-") or "_"


def _closure_reason(code: str | None, label: str | None) -> str:
    if code == "REP_PUB":
        return _ANSWER_PUBLISHED
    folded = unicodedata.normalize("NFKD", (label or "").lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    if "reponse" in folded:
        return _ANSWER_PUBLISHED
    if "fin de mandat" in folded or "fin de legislature" in folded:
        return HC + "EndOfMandate"
    if "deces" in folded:
        return HC + "AuthorDeceased"
    if "gouvernement" in folded or "nomination" in folded:
        return HC + "AuthorJoinedGovernment"
    if "transform" in folded or "orale" in folded:
        return HC + "ConvertedToOralQuestion"
    if "caduc" in folded:
        return HC + "Lapsed"
    if "retir" in folded:
        return HC + "WithdrawnByAuthor"
    return HC + "OtherClosureReason"


def _url(value: str) -> tuple[str, str | None]:
    """A Légifrance or web address: an IRI when it is one pyoxigraph accepts, else an xsd:anyURI literal."""
    if _HTTP.match(value):
        try:
            ox.NamedNode(value)
            return value, IRI
        except ValueError:
            pass
    return value, ANY_URI


def _organe_iri(mention: Mention) -> str:
    uid, short_label, label = mention
    if uid:
        return f"{BASE}organe/{uid}"
    return f"{BASE}organe/unresolved/{_slug(label or short_label or 'unknown')}"


def _organe_facts(node: str, mention: Mention, cls: str, lk: Lookups) -> Iterator[Fact]:
    """What a question says of an organe the registry does not know (kg's ``graph/mentions``)."""
    uid, short_label, label = mention
    if uid and uid in lk.organes:
        return
    yield node, A, cls, IRI
    yield node, A, HC + "Organe", IRI
    yield node, A, ORG + "Organization", IRI
    if uid:
        yield node, DCT + "identifier", uid, PLAIN
    if label:
        yield node, SKOS + "prefLabel", label, FR
    if short_label:
        yield node, HC + "shortLabel", short_label, FR


def _jo_facts(subject: str, jo: JO | None, event_date: bool) -> Iterator[Fact]:
    if jo is None:
        return
    kind, day, page, number, url, nor = jo
    if day:
        yield subject, HC + "joDate", day, DATE
        if event_date:
            yield subject, DCT + "date", day, DATE
    if kind:
        yield subject, HC + "joType", kind, PLAIN
    if page is not None:
        yield subject, HC + "joPage", page, INTEGER
    if number:
        yield subject, HC + "joNumber", number, PLAIN
    if nor:
        yield subject, HC + "norReference", nor, PLAIN
    if url:
        yield subject, RDFS + "seeAlso", *_url(url)


def _text_facts(subject: str, fragment: str) -> Iterator[Fact]:
    yield subject, SCHEMA + "text", _plain_text(fragment), FR
    if "<" in fragment or "&" in fragment:
        yield subject, HC + "textHtml", fragment, HTML


def _topic_facts(topic: str, scheme: str, label: str) -> Iterator[Fact]:
    node = f"{BASE}topic/{scheme}"
    fr, en = TOPIC_SCHEMES[scheme]
    yield topic, A, SKOS + "Concept", IRI
    yield topic, SKOS + "prefLabel", label, FR
    yield topic, SKOS + "inScheme", node, IRI
    yield node, A, SKOS + "ConceptScheme", IRI
    yield node, SKOS + "prefLabel", fr, FR
    yield node, SKOS + "prefLabel", en, EN


def _once(facts: Iterable[Fact], seen: set[Fact]) -> Iterator[Fact]:
    """Facts of the shared graphs (topics, mentions): written once per run, as kg does."""
    for fact in facts:
        if fact not in seen:
            seen.add(fact)
            yield fact


def _deputy_mandate(lk: Lookups, person: str, day: str, legislature: int) -> AssemblyMandate | None:
    found = None
    for mandate in lk.assembly.get(person, ()):
        start, end, held_legislature = mandate[0], mandate[1], mandate[2]
        if start and start > day:
            break
        if (end is None or day <= end) and held_legislature == legislature:
            found = mandate
    return found


def _group_on(lk: Lookups, person: str, day: str) -> GroupMandate | None:
    best = None
    best_key: tuple[bool, bool, str, str] | None = None
    for mandate in lk.groups.get(person, ()):
        start, end, is_group, principal, uid = mandate[0], mandate[1], mandate[2], mandate[3], mandate[4]
        if start and start > day:
            break
        if end is not None and day > end:
            continue
        key = (is_group, principal, start, uid)
        if best_key is None or key > best_key:
            best, best_key = mandate, key
    return best


def _membership_of(lk: Lookups, person: str, group: str, day: str) -> str | None:
    best: tuple[str, str] | None = None
    for start, end, organes, uid in lk.memberships.get(person, ()):
        if (
            start <= day
            and (end is None or day <= end)
            and group in organes
            and (best is None or (start, uid) > best)
        ):
            best = (start, uid)
    return best[1] if best else None


# ------------------------------------------------------------------ the straight loop


def record_facts(
    q: dict[str, Any], lk: Lookups, path: str, pointer: str | None = None, seen: set[Fact] | None = None
) -> Iterator[Fact]:
    """The facts kg maps from one raw question record (the object under ``"question"``), in one pass.

    ``path`` is the record's file named as ``kg build`` names it (relative to the input given), ``pointer``
    its place in a multi-record file. ``seen`` collects the facts of the shared graphs (topics, mentions)
    across records so that each is written once, as kg does; give the same set for a whole run."""
    if seen is None:
        seen = set()
    uid = (_text(q.get("uid")) or "").strip()
    kind = (_text(q.get("type")) or "").strip()
    ident = _block(q.get("identifiant")) or {}
    legislature = _int(ident.get("legislature")) or ""
    s = f"{BASE}question/{uid}"

    attributions = [
        (_mention(item.get("denomination")) or (None, None, None), _jo(item.get("infoJO")))
        for item in _many((_block(q.get("minAttribs")) or {}).get("minAttrib"))
    ]
    questions = _texts(q.get("textesQuestion"), "texteQuestion")
    answers = _texts(q.get("textesReponse"), "texteReponse")
    cloture = _block(q.get("cloture"))
    closure = None
    if cloture is not None:
        closure = (
            _text(cloture.get("codeCloture")),
            _text(cloture.get("libelleCloture")),
            _day(cloture.get("dateCloture")),
            _jo(cloture.get("infoJO")),
        )
        if closure == (None, None, None, None):
            closure = None

    # -- derived: publication (question text, else a QG's answer, else the first attribution), answer, status
    published = next((jo[1] for _, jo, _ in questions if jo and jo[1]), None)
    if published is None and kind == "QG":
        published = next((jo[1] for _, jo, _ in answers if jo and jo[1]), None)
    if published is None:
        published = next((jo[1] for _, jo in attributions if jo and jo[1]), None)
    answered = next((jo[1] for _, jo, _ in answers if jo and jo[1]), None)
    reason = _closure_reason(closure[0], closure[1]) if closure else None
    if answers or reason == _ANSWER_PUBLISHED:
        status = HC + "Answered"
    elif closure:
        status = HC + "Withdrawn"
    else:
        status = HC + "Pending"

    yield s, A, KINDS[kind], IRI
    yield s, DCT + "identifier", uid, PLAIN
    yield s, HC + "number", _int(ident.get("numero")) or "", INTEGER
    yield s, HC + "legislature", legislature, INTEGER
    regime = _text(ident.get("regime"))
    if regime:
        yield s, HC + "regime", regime, PLAIN
    yield s, RDFS + "seeAlso", OFFICIAL_PAGE.format(legislature, uid), IRI
    indexation = _block(q.get("indexationAN"))
    if indexation is not None:
        analyses = _analyses(indexation)
        if analyses:
            yield s, DCT + "title", analyses[0], FR
            for extra in analyses[1:]:
                yield s, DCT + "alternative", extra, FR
        for scheme, label in (
            ("rubrique", _text(indexation.get("rubrique"))),
            ("tete-analyse", _text(indexation.get("teteAnalyse"))),
        ):
            if label:
                topic = f"{BASE}topic/{scheme}/{_slug(label)}"
                yield s, DCT + "subject", topic, IRI
                yield from _once(_topic_facts(topic, scheme, label), seen)

    # -- author, at the time of asking
    auteur = _block(q.get("auteur")) or {}
    identite = _block(auteur.get("identite")) or {}
    person_uid = (_text(identite.get("acteurRef")) or "").strip()
    person = f"{BASE}person/{person_uid}"
    yield s, DCT + "creator", person, IRI
    if person_uid not in lk.persons:
        yield from _once(
            ((person, A, FOAF + "Person", IRI), (person, DCT + "identifier", person_uid, PLAIN)), seen
        )
    mandate_uid = _ref(identite.get("mandatRef"), "PM")
    constituency = None
    if mandate_uid and mandate_uid in lk.mandates:
        constituency = lk.mandates[mandate_uid]
    elif published is not None:
        deputy = _deputy_mandate(lk, person_uid, published, int(legislature or 0))
        if deputy is not None:
            mandate_uid = mandate_uid or deputy[3]
            constituency = deputy[4]
    if mandate_uid:
        yield s, HC + "authorMandate", f"{BASE}mandate/{mandate_uid}", IRI
    if constituency:
        yield s, HC + "constituency", constituency, IRI
    group = _mention(auteur.get("groupe"))
    group_uid = None
    if group is not None:
        node = _organe_iri(group)
        yield s, HC + "authorGroup", node, IRI
        yield from _once(_organe_facts(node, group, _GROUP, lk), seen)
        group_uid = group[0]
    elif published is not None:
        membership = _group_on(lk, person_uid, published)
        if membership is not None and membership[5]:
            group_uid = membership[5]
            yield s, HC + "authorGroup", f"{BASE}organe/{group_uid}", IRI
    if group_uid is not None and published is not None:
        in_group = _membership_of(lk, person_uid, group_uid, published)
        if in_group is not None:
            yield s, HC + "authorGroupMembership", f"{BASE}mandate/{in_group}", IRI

    # -- ministries
    questioned = _mention(q.get("minInt"))
    if questioned is not None:
        node = _organe_iri(questioned)
        yield from _once(_organe_facts(node, questioned, _MINISTRY, lk), seen)
        yield s, HC + "questionedMinistry", node, IRI
    current = None
    for n, (ministry, jo) in enumerate(attributions, start=1):
        ev = f"{s}/attribution/{n}"
        current = _organe_iri(ministry)
        yield from _once(_organe_facts(current, ministry, _MINISTRY, lk), seen)
        yield s, HC + "attribution", ev, IRI
        yield ev, A, HC + "Attribution", IRI
        yield ev, HC + "order", str(n), INTEGER
        if n > 1:
            yield ev, HC + "previousAttribution", f"{s}/attribution/{n - 1}", IRI
        yield ev, HC + "ministry", current, IRI
        if ministry[2]:
            yield ev, HC + "ministryLabel", ministry[2], FR
        if ministry[1]:
            yield ev, HC + "ministryShortLabel", ministry[1], FR
        yield from _jo_facts(ev, jo, True)
    if current is not None:
        yield s, HC + "attributedMinistry", current, IRI

    # -- publication(s) and texts
    for n, (fragment, jo, erratum) in enumerate(questions, start=1):
        ev = f"{s}/publication/{n}"
        yield s, HC + "publication", ev, IRI
        yield ev, A, HC + "Publication", IRI
        yield ev, HC + "order", str(n), INTEGER
        yield from _jo_facts(ev, jo, True)
        yield from _text_facts(s if n == 1 else ev, fragment)
        if erratum:
            yield ev, HC + "erratum", erratum, FR
    question_errata = _errata(q.get("erratumsQuestion"))
    for n, (text, jo) in enumerate(question_errata, start=1):
        ev = f"{s}/erratum/{n}"
        yield s, HC + "erratum", ev, IRI
        yield ev, A, HC + "Erratum", IRI
        yield ev, HC + "order", str(n), INTEGER
        yield ev, SCHEMA + "text", text, FR
        yield from _jo_facts(ev, jo, True)

    # -- answer(s)
    for n, (fragment, jo, erratum) in enumerate(answers, start=1):
        ans = f"{s}/answer" if n == 1 else f"{s}/answer/{n}"
        yield s, HC + "answer", ans, IRI
        yield ans, A, HC + "Answer", IRI
        yield ans, HC + "answers", s, IRI
        yield ans, HC + "order", str(n), INTEGER
        yield from _jo_facts(ans, jo, True)
        yield from _text_facts(ans, fragment)
        if erratum:
            yield ans, HC + "erratum", erratum, FR
        day = jo[1] if jo else None
        in_charge = None  # the last attribution dated on or before the answer (the last one when undated)
        for ministry, attribution_jo in attributions:
            when = attribution_jo[1] if attribution_jo else None
            if day is None or when is None or when <= day:
                in_charge = ministry
        if in_charge is not None:
            yield ans, HC + "answeringMinistry", _organe_iri(in_charge), IRI
    for n, (text, jo) in enumerate(_errata(q.get("erratumsReponse")), start=len(question_errata) + 1):
        ev = f"{s}/erratum/{n}"
        yield f"{s}/answer" if answers else s, HC + "erratum", ev, IRI
        yield ev, A, HC + "Erratum", IRI
        yield ev, HC + "order", str(n), INTEGER
        yield ev, SCHEMA + "text", text, FR
        yield from _jo_facts(ev, jo, True)

    # -- signalements, renewals, closure
    for n, item in enumerate(_many(q.get("signalement")), start=1):
        ev = f"{s}/signalement/{n}"
        filed = _day(item.get("dateDepotSignal"))
        yield s, HC + "signalement", ev, IRI
        yield ev, A, HC + "Signalement", IRI
        yield ev, HC + "order", str(n), INTEGER
        if filed:
            yield ev, HC + "filingDate", filed, DATE
            yield ev, DCT + "date", filed, DATE
        yield from _jo_facts(ev, _jo(item.get("infoJO")), filed is None)
    for n, item in enumerate(_many((_block(q.get("renouvellements")) or {}).get("renouvellement")), start=1):
        ev = f"{s}/renewal/{n}"
        day = _day(item.get("dateRenouvellement"))
        yield s, HC + "renewal", ev, IRI
        yield ev, A, HC + "Renewal", IRI
        yield ev, HC + "order", str(n), INTEGER
        if day:
            yield ev, DCT + "date", day, DATE
        yield from _jo_facts(ev, _jo(item.get("infoJO")), day is None)
    if closure is not None and reason is not None:
        code, label, day, jo = closure
        ev = f"{s}/closure/1"
        yield s, HC + "closure", ev, IRI
        yield ev, A, HC + "Closure", IRI
        if day:
            yield ev, DCT + "date", day, DATE
            yield s, HC + "closureDate", day, DATE
        if code:
            yield ev, HC + "closureCode", code, PLAIN
        if label:
            yield ev, HC + "closureLabel", label, FR
        yield ev, HC + "closureReason", reason, IRI
        yield from _jo_facts(ev, jo, day is None)

    # -- derived facts
    yield s, HC + "status", status, IRI
    if published:
        yield s, HC + "publicationDate", published, DATE
    if answered:
        yield s, HC + "answerDate", answered, DATE
        if published:
            delay = date.fromisoformat(answered).toordinal() - date.fromisoformat(published).toordinal()
            yield s, HC + "answerDelayDays", str(delay), INTEGER

    # -- provenance of the question's graph
    g = f"{BASE}graph/question/{uid}"
    sha256 = hashlib.sha256(orjson.dumps(q, option=orjson.OPT_SORT_KEYS)).hexdigest()
    src = f"{BASE}source/{sha256}"
    yield g, A, PROV + "Entity", IRI
    yield g, PROV + "wasDerivedFrom", src, IRI
    yield g, PROV + "wasAttributedTo", lk.tool, IRI
    yield src, A, HC + "SourceRecord", IRI
    yield src, HC + "sourcePath", path, PLAIN
    if pointer:
        yield src, HC + "sourcePointer", pointer, PLAIN
    yield src, HC + "sha256", sha256, PLAIN


# ------------------------------------------------------------------ the two references


def iter_records(files: Iterable[Path], root: Path | None = None) -> Iterator[tuple[dict[str, Any], str]]:
    """(record, name) of one-question files ``{"question": {...}}``; the name is the file's path relative to
    ``root`` (the folder given to ``kg build``), or its file name when no root is given."""
    for path in files:
        name = path.relative_to(root).as_posix() if root is not None else path.name
        yield orjson.loads(path.read_bytes())["question"], name


def facts(files: Iterable[Path], lk: Lookups, root: Path | None = None) -> Iterator[Fact]:
    """Every fact of the records of ``files``, the shared ones once."""
    seen: set[Fact] = set()
    for record, name in iter_records(files, root):
        yield from record_facts(record, lk, name, None, seen)


def floor(files: list[Path], out: Path, lk: Lookups, root: Path | None = None) -> int:
    """Straight loop → pyoxigraph terms → N-Triples (``ox.serialize``). Returns the number of triples written:
    kg's count of question quads for the same records (names of files relative to ``root``, as for kg)."""
    count = 0
    # IRIs met again and again (predicates, classes, datatypes, persons, organes, topics), made once: a
    # bounded cache, emptied when full; the subject is usually the previous fact's
    nodes: dict[str, ox.NamedNode] = {}
    named, literal, triple = ox.NamedNode, ox.Literal, ox.Triple

    def triples() -> Iterator[ox.Triple]:
        nonlocal count
        last, subject = "", None
        for s, p, o, kind in facts(files, lk, root):
            if s != last or subject is None:
                last, subject = s, named(s)
            predicate = nodes.get(p)
            if predicate is None:
                predicate = nodes[p] = named(p)
            if kind is IRI:
                obj = nodes.get(o)
                if obj is None:
                    if len(nodes) >= 1 << 16:
                        nodes.clear()
                    obj = nodes[o] = named(o)
                yield triple(subject, predicate, obj)
            else:
                if kind == FR:
                    value = literal(o, language="fr")
                elif kind == PLAIN:
                    value = literal(o)
                elif kind == EN:
                    value = literal(o, language="en")
                else:
                    datatype = nodes.get(kind)
                    if datatype is None:
                        datatype = nodes[kind] = named(kind)
                    value = literal(o, datatype=datatype)
                yield triple(subject, predicate, value)
            count += 1

    with out.open("wb") as handle:
        ox.serialize(triples(), handle, ox.RdfFormat.N_TRIPLES)
    return count


def naive(files: list[Path], out: Path, lk: Lookups, fmt: str = "nt", root: Path | None = None) -> int:
    """Plain rdflib: the same facts into one ``rdflib.Graph``, then ``Graph.serialize`` (N-Triples, or Turtle
    with ``fmt="ttl"``). Returns the number of triples in the graph (a set: equal to :func:`floor`'s count
    when kg's quads hold no duplicate). rdf:HTML literals are made with ``normalize=False``: by default
    rdflib rewrites their lexical form (it drops a closing ``</p>``), which would change the facts."""
    graph = rdflib.Graph()
    add = graph.add
    for s, p, o, kind in facts(files, lk, root):
        if kind is IRI:
            obj: rdflib.URIRef | rdflib.Literal = rdflib.URIRef(o)
        elif kind == PLAIN:
            obj = rdflib.Literal(o)
        elif kind in (FR, EN):
            obj = rdflib.Literal(o, lang=kind[1:])
        elif kind == HTML:
            obj = rdflib.Literal(o, datatype=rdflib.URIRef(kind), normalize=False)
        else:
            obj = rdflib.Literal(o, datatype=rdflib.URIRef(kind))
        add((rdflib.URIRef(s), rdflib.URIRef(p), obj))
    graph.serialize(out, format="nt" if fmt == "nt" else "turtle", encoding="utf-8")
    return len(graph)
