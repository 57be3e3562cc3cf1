"""Reconciliation of page labels through the registry (kg.reconcile), and the same question read from its
page and from its JSON record giving the same facts in the graph (differences listed explicitly).

The registry is real: tests/fixtures/registry (PA345722 and its organes) plus tests/fixtures/pages/registry
(every ministry, government and political group of the cleaned AMO30 dump, and the authors of the other
fixture pages), so labels meet the same homonyms as in production ("Santé et prévention" is three
ministries, "Transition numérique et communications électroniques" two)."""

from __future__ import annotations

import dataclasses
import html
from datetime import date
from pathlib import Path

import orjson
import pyoxigraph as ox
import pytest

from kg.errors import RecordError
from kg.iris import DEFAULT_BASE, Minter
from kg.mapping import QuestionMapper
from kg.models import JOReference, OrganeMention, Question
from kg.reconcile import (
    IncompletePageError,
    LabelResolution,
    Reconciler,
    ReconciliationReport,
    Status,
    read_page_file,
)
from kg.registry import Registry, load_registry
from kg.resources import SAMPLE_QUESTIONS
from kg.sources.pages import read_page
from kg.sources.question_decode import decode_question_file
from kg.sources.questions import parse_question
from kg.vocab import PREFIXES

from .conftest import FIXTURES

PAGES = FIXTURES / "pages"
EXAMPLE = PAGES / "QANR5L15QE40439.md"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry([FIXTURES / "registry", PAGES / "registry"])


def page_file(
    name: str, registry: Registry, data: bytes | None = None
) -> tuple[Question, list[str], ReconciliationReport]:
    question, diagnostics, report = read_page_file(name, data or (PAGES / name).read_bytes(), registry)
    return question, [f"{d.code} {d.field}: {d.message}" for d in diagnostics], report


def entry_of(report: ReconciliationReport, field: str) -> LabelResolution:
    found = report.entry(field)
    assert found is not None, field
    return found


def edited(name: str, *changes: tuple[str, str]) -> bytes:
    text = (PAGES / name).read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode("utf-8")


# ------------------------------------------------------------------ the example page


def test_example_page_links_to_the_registry_ids(registry: Registry) -> None:
    question, warnings, report = page_file("QANR5L15QE40439.md", registry)
    assert warnings == []
    assert report.problems == () and report.conflicts == ()
    assert report.chosen() == {
        "Auteur": "PA345722",
        "Mandat": "PM723428",
        "Circonscription": "92-6",
        "Groupe": "PO730934",
        "Ministère interrogé": "PO774113",
        "Ministère attributaire": "PO791605",
    }
    questioned, attributed = report.entry("Ministère interrogé"), report.entry("Ministère attributaire")
    assert questioned is not None and questioned.on == date(2021, 7, 27)
    # the page gives no date for the change of attribution: the ministry had to exist between the
    # publication and the closure; PO826644 and PO834740, also "Santé et prévention", did not yet
    assert attributed is not None and attributed.on is None
    assert attributed.window == (date(2021, 7, 27), date(2022, 6, 21))
    assert {(c.uid, c.note) for c in attributed.candidates} == {
        ("PO791605", "chosen"),
        ("PO826644", "not valid then"),
        ("PO834740", "not valid then"),
    }
    assert {(c.uid, c.note) for c in questioned.candidates} == {
        ("PO774113", "chosen"),
        ("PO789979", "not valid then"),  # the same label in the next government (2022-03-06 → 2022-05-16)
    }
    santé = registry.organe("PO791605")
    assert santé is not None and santé.start == date(2022, 5, 21)

    assert question.uid == "QANR5L15QE40439"
    assert question.author.person_uid == "PA345722" and question.author.mandate_uid == "PM723428"
    assert question.author.group is not None and question.author.group.uid == "PO730934"
    assert question.questioned_ministry is not None and question.questioned_ministry.uid == "PO774113"
    assert [(a.order, a.ministry.uid, a.jo) for a in question.attributions] == [
        (1, "PO774113", JOReference(date=date(2021, 7, 27), page=5991)),
        (2, "PO791605", None),
    ]
    assert question.closure is not None
    assert (question.closure.label, question.closure.date, question.closure.code) == (
        "Fin de mandat",
        date(2022, 6, 21),
        None,
    )
    assert question.rubrique == "numérique"  # lower case, as the dumps write it
    assert question.analyses == (
        "Désignation d'un nouvel hébergeur des données traitées par le Health data hub",
    )
    assert question.question_texts[0].jo == JOReference(date=date(2021, 7, 27), page=5991)
    assert question.source.path == "QANR5L15QE40439.md"
    assert question.source.sha256 == read_page("x", EXAMPLE.read_bytes())[0].sha256
    assert question.answer_texts == () and question.signalements == () and question.renewals == ()


def test_html_page_gives_the_same_question(registry: Registry) -> None:
    from_md, _, _ = page_file("QANR5L15QE40439.md", registry)
    from_html, warnings, report = page_file("QANR5L15QE40439.html", registry)
    assert warnings == []
    assert dataclasses.replace(from_html, source=from_md.source) == from_md
    author = report.entry("Auteur")
    assert author is not None and "link to the deputy agrees" in author.note


def test_old_site_attribution_date_dates_the_second_attribution(registry: Registry) -> None:
    question, warnings, report = page_file("QANR5L15QE40439-old-site-attribution.md", registry)
    assert warnings == []
    assert [(a.ministry.uid, a.jo) for a in question.attributions] == [
        ("PO774113", JOReference(date=date(2021, 7, 27), page=5991)),
        ("PO791605", JOReference(date=date(2022, 5, 21))),
    ]
    attributed = report.entry("Ministère attributaire")
    assert attributed is not None and attributed.on == date(2022, 5, 21) and attributed.window is None


def test_the_report_reads_well_and_serialises(registry: Registry) -> None:
    _, _, report = page_file("QANR5L15QE40439.md", registry)
    lines = report.lines()
    assert lines[0] == "QANR5L15QE40439 (QANR5L15QE40439.md)"
    assert "  Auteur: 'Mme Constance Le Grip' → PA345722 (resolved, valid on 2021-07-27)" in lines
    assert any(
        line.startswith(
            "  Ministère attributaire: 'Santé et prévention' → PO791605 (resolved, existing "
            "between 2021-07-27 and 2022-06-21)"
        )
        for line in lines
    )
    assert any("rubrique 'Numérique' written 'numérique'" in line for line in lines)
    data = orjson.loads(orjson.dumps(report.to_json()))
    assert data["uid"] == "QANR5L15QE40439"
    assert [e["chosen"] for e in data["entries"]] == list(report.chosen().values())
    assert {e["status"] for e in data["entries"]} == {"resolved", "derived"}


def test_indexes_are_built_once_per_registry(registry: Registry) -> None:
    assert Reconciler.for_registry(registry) is Reconciler.for_registry(registry)
    assert Reconciler.for_registry(Registry.empty()) is not Reconciler.for_registry(registry)


# ------------------------------------------------------------------ unresolved and ambiguous labels


def test_unresolved_ministry_gets_the_marked_fallback_iri(registry: Registry) -> None:
    question, warnings, report = page_file("unresolved-ministry.md", registry)
    entry = report.entry("Ministère attributaire")
    assert entry is not None and entry.status is Status.UNRESOLVED and entry.chosen is None
    assert entry.fallback == "organe/unresolved/sante"
    assert [(c.uid, c.note) for c in entry.candidates] == [("PO425708", "not valid then")]  # 2010–2012
    assert report.problems == (entry,)
    assert question.attributions[-1].ministry == OrganeMention(uid=None, label="Santé")
    assert warnings == [
        "unresolved-label Ministère attributaire: 'Santé' → fallback organe/unresolved/sante (unresolved, "
        "existing between 2021-07-27 and 2022-06-21); candidates: PO425708 'Santé' [2010-11-14..2012-05-10] — "
        "not valid then"
    ]
    # the mapping mints the marked IRI and keeps the label
    quads = QuestionMapper(registry, Minter()).map(question)
    fallback = ox.NamedNode(DEFAULT_BASE + "organe/unresolved/sante")
    mentions = ox.NamedNode(DEFAULT_BASE + "graph/mentions")
    assert (
        ox.Quad(
            ox.NamedNode(DEFAULT_BASE + "question/QANR5L15QE40439"),
            ox.NamedNode(PREFIXES["hc"] + "attributedMinistry"),
            fallback,
            ox.NamedNode(DEFAULT_BASE + "graph/question/QANR5L15QE40439"),
        )
        in quads
    )
    assert (
        ox.Quad(
            fallback,
            ox.NamedNode(PREFIXES["skos"] + "prefLabel"),
            ox.Literal("Santé", language="fr"),
            mentions,
        )
        in quads
    )


def test_ambiguous_ministry_in_the_window_is_not_guessed(registry: Registry) -> None:
    # an open question (no withdrawal): "Santé et prévention" existed three times since the publication
    data = edited("QANR5L15QE40439.md", ("**Question retirée le :** 21 juin 2022 (Fin de mandat)", ""))
    question, warnings, report = page_file("open.md", registry, data)
    entry = report.entry("Ministère attributaire")
    assert entry is not None and entry.status is Status.AMBIGUOUS
    assert entry.window == (date(2021, 7, 27), None)
    assert {c.uid for c in entry.candidates} == {"PO791605", "PO826644", "PO834740"}
    assert question.attributions[-1].ministry == OrganeMention(uid=None, label="Santé et prévention")
    assert [w.split(":")[0] for w in warnings] == ["ambiguous-label Ministère attributaire"]


def test_an_ambiguous_author_keeps_the_name_on_a_fallback_and_the_question_lands(registry: Registry) -> None:
    question, warnings, report = page_file("ambiguous-author.md", registry)
    assert question.uid == "QANR5L15QG4108"
    assert (question.author.person_uid, question.author.name) == (None, "Roussel")
    entry = entry_of(report, "Auteur")
    assert entry.status is Status.AMBIGUOUS
    assert entry.fallback == "person/unresolved/15/roussel"
    assert {c.uid for c in entry.candidates} == {"PA718902", "PA720692"}
    warning = next(w for w in warnings if w.startswith("ambiguous-label Auteur"))
    assert "PA718902 'M. Cédric Roussel (PM722496, 06-3)'" in warning
    assert "PA720692 'M. Fabien Roussel (PM723042, 59-20)'" in warning
    quads = QuestionMapper(registry, Minter(DEFAULT_BASE)).map(question)
    creators = {q.object for q in quads if q.predicate == ox.NamedNode("http://purl.org/dc/terms/creator")}
    assert creators == {ox.NamedNode(DEFAULT_BASE + "person/unresolved/15/roussel")}


def test_the_constituency_tells_homonyms_apart(registry: Registry) -> None:
    data = edited(
        "ambiguous-author.md",
        (
            "**Type de question :**",
            "**Circonscription :** Nord (20<sup>e</sup> circonscription)\n\n**Type de question :**",
        ),
    )
    question, warnings, report = page_file("roussel.md", registry, data)
    assert warnings == []
    assert question.author.person_uid == "PA720692"
    author = report.entry("Auteur")
    assert author is not None and author.status is Status.RESOLVED
    assert author.note == "named by the family name only; homonyms told apart by constituency"
    assert [(c.uid, c.note) for c in author.candidates] == [
        ("PA720692", "chosen"),
        ("PA718902", "another constituency"),
    ]


def test_a_homonym_with_the_same_full_name(registry: Registry) -> None:
    """Two deputies named exactly alike (built here from the real record: no such pair is in the fixtures)."""
    real = registry.person("PA345722")
    assert real is not None
    mandate = registry.mandate("PM723428")
    assert mandate is not None and mandate.election is not None
    twin_mandate = dataclasses.replace(
        mandate,
        uid="PM900001",
        person_uid="PA900001",
        election=dataclasses.replace(
            mandate.election, department="Paris", department_code="75", constituency_number=3
        ),
    )
    twin = dataclasses.replace(real, uid="PA900001", mandates=(twin_mandate,), sources=())
    with_twin = Registry(
        {**registry.persons, twin.uid: twin}, registry.organes, []
    )  # the twin has a deputy mandate, no group
    question, _, report = page_file("QANR5L15QE40439.md", with_twin)
    assert question.author.person_uid == "PA345722"
    author = report.entry("Auteur")
    assert author is not None and author.note == "homonyms told apart by constituency"
    # without the constituency line, the group still tells them apart (the twin belongs to none)
    no_line = edited(
        "QANR5L15QE40439.md",
        ("**Circonscription :** Hauts-de-Seine (6<sup>e</sup> circonscription) - ", "**Groupe :** "),
    )
    question, _, report = page_file("no-constituency.md", with_twin, no_line)
    assert question.author.person_uid == "PA345722"
    assert entry_of(report, "Auteur").note == "homonyms told apart by group"
    # with neither, nothing tells them apart
    bare = edited(
        "QANR5L15QE40439.md",
        ("**Circonscription :** Hauts-de-Seine (6<sup>e</sup> circonscription) - Les Républicains\n", ""),
    )
    question, _, report = page_file("bare.md", with_twin, bare)
    assert question.author.person_uid is None and question.author.name == "Constance Le Grip"
    assert entry_of(report, "Auteur").status is Status.AMBIGUOUS
    assert {c.uid for c in entry_of(report, "Auteur").candidates} == {"PA345722", "PA900001"}


@pytest.mark.parametrize(
    ("author", "note", "candidates"),
    [
        ("Mme Jeanne Personne", "no person named 'Jeanne Personne' in the registry", set()),
        ("M. Constance Le Grip", "no deputy of legislature 15 so named", {"PA345722"}),  # she is "Mme"
    ],
)
def test_an_unresolved_author_lands_on_the_fallback(
    registry: Registry, author: str, note: str, candidates: set[str]
) -> None:
    data = edited("QANR5L15QE40439.md", ("[Mme Constance Le Grip](#)", author))
    question, warnings, report = page_file("page.md", registry, data)
    entry = entry_of(report, "Auteur")
    assert entry.status is Status.UNRESOLVED and entry.note.startswith(note)
    assert {c.uid for c in entry.candidates} == candidates
    assert question.author.person_uid is None and question.author.name == author.split(" ", 1)[1]
    assert any(w.startswith("unresolved-label Auteur") for w in warnings)


def test_without_a_registry_the_question_still_lands() -> None:
    question, _, report = read_page_file("QANR5L15QE40439.md", EXAMPLE.read_bytes(), Registry.empty())
    assert question.author.person_uid is None
    assert entry_of(report, "Auteur").fallback == "person/unresolved/15/constance-grip-le"


def test_a_page_without_a_publication_date_is_incomplete(registry: Registry) -> None:
    data = edited(
        "QANR5L15QE40439.md", ("**Question publiée au JO le :** [27 juillet 2021](#), page 5991", "")
    )
    with pytest.raises(IncompletePageError) as caught:
        page_file("page.md", registry, data)
    error = caught.value
    assert isinstance(error, RecordError) and error.code == "incomplete"
    message = str(error)
    assert message.startswith("page.md [QANR5L15QE40439]: no publication date") and "\n" not in message
    assert "Auteur PA345722" in message and "withdrawn 2022-06-21" in message


def test_conflicts_between_page_and_registry_are_reported(registry: Registry) -> None:
    data = edited(
        "QANR5L15QE40439.md",
        (
            "Hauts-de-Seine (6<sup>e</sup> circonscription) - Les Républicains",
            "Paris (6<sup>e</sup> circonscription) - La France insoumise",
        ),
    )
    question, warnings, report = page_file("conflict.md", registry, data)
    constituency, group = report.entry("Circonscription"), report.entry("Groupe")
    assert (
        constituency is not None and constituency.status is Status.CONFLICT and constituency.chosen == "92-6"
    )
    assert "the graph links the mandate's" in constituency.note
    # the author's membership on the date is linked (a group the author was not in would sink the question
    # in the shapes), the page's label and the disagreement reported
    assert group is not None and group.status is Status.CONFLICT and group.chosen == "PO730934"
    assert group.label == "La France insoumise"
    assert group.note == (
        "the registry has the author in PO730934 on that date (membership PM731378): "
        "that group is linked, not PO730958"
    )
    assert question.author.group is not None and question.author.group.uid == "PO730934"
    assert [w.split(":")[0] for w in warnings] == ["conflict Circonscription", "conflict Groupe"]


def test_page_warnings_and_report_warnings_come_together(registry: Registry) -> None:
    _, warnings, _ = page_file("unknown-lines.md", registry)
    assert len(warnings) == 6 and all(w.startswith(("unknown-line", "unknown-section")) for w in warnings)


def test_question_to_the_government(registry: Registry) -> None:
    question, warnings, report = page_file("QANR5L15QG4108.md", registry)
    assert warnings == []
    assert question.question_texts == ()
    assert question.answer_texts[0].jo == JOReference(date=date(2021, 10, 26), page=9112)
    assert report.chosen()["Auteur"] == "PA720692"
    assert entry_of(report, "Auteur").on == date(2021, 10, 26)  # the sitting's date


# ------------------------------------------------------------------ page and record give the same graph


def json_question(path: Path) -> Question:
    (raw,) = decode_question_file(path.name, path.read_bytes())
    question, _ = parse_question(raw)
    return question


SHORT = {iri: prefix for prefix, iri in PREFIXES.items()}


def show(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    if isinstance(term, ox.NamedNode):
        for iri, prefix in SHORT.items():
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri) :]}"
        if term.value.startswith(DEFAULT_BASE):
            return term.value[len(DEFAULT_BASE) :]
        return term.value
    if isinstance(term, ox.Literal):
        text = term.value if len(term.value) <= 40 else f"{term.value[:25]}…[{len(term.value)} chars]"
        if term.language:
            return f"{text!r}@{term.language}"
        datatype = show(term.datatype)
        return repr(text) if datatype == "xsd:string" else f"{text!r}^^{datatype}"
    return str(term)


def facts_of(question: Question, registry: Registry) -> dict[str, ox.Quad]:
    """The question's quads without provenance (which file, which hash, which tool), keyed by a short form."""
    graph = Minter().question_graph(question.uid)
    source = DEFAULT_BASE + "source/"
    quads = QuestionMapper(registry, Minter()).map(question)
    facts = {}
    for q in quads:
        assert isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode | ox.Literal)
        assert isinstance(q.graph_name, ox.NamedNode)
        if q.subject != graph and not q.subject.value.startswith(source):
            facts[f"{show(q.graph_name)} | {show(q.subject)} {show(q.predicate)} {show(q.object)}"] = q
    return facts


def text_of(quad: ox.Quad) -> str:
    assert isinstance(quad.object, ox.Literal)
    return quad.object.value


def graph_difference(
    record: Question, page: Question, registry: Registry
) -> tuple[set[str], set[str], dict[str, ox.Quad], dict[str, ox.Quad]]:
    from_record, from_page = facts_of(record, registry), facts_of(page, registry)
    return set(from_record) - set(from_page), set(from_page) - set(from_record), from_record, from_page


Q = "graph/question/"

#: Facts only the JSON record gives for question 40439, and why the page lacks them.
RECORD_ONLY_40439 = {
    # the page does not say which regime or which edition of the JO ("JO_QUESTION")
    f"{Q}QANR5L15QE40439 | question/QANR5L15QE40439 hc:regime '5eme Republique'",
    f"{Q}QANR5L15QE40439 | question/QANR5L15QE40439/publication/1 hc:joType 'JO_QUESTION'",
    f"{Q}QANR5L15QE40439 | question/QANR5L15QE40439/attribution/1 hc:joType 'JO_QUESTION'",
    f"{Q}QANR5L15QE40439 | question/QANR5L15QE40439/attribution/2 hc:joType 'JO_QUESTION'",
    # the new site gives no date for the change of attribution (the old site does: see the next test)
    f"{Q}QANR5L15QE40439 | question/QANR5L15QE40439/attribution/2 hc:joDate '2022-05-21'^^xsd:date",
    f"{Q}QANR5L15QE40439 | question/QANR5L15QE40439/attribution/2 dcterms:date '2022-05-21'^^xsd:date",
    # the constructed record holds the page's Markdown as text ("*Health data hub*"); the page reader reads
    # the emphasis as HTML (<em>), as the dumps' HTML fragments have it: same words, no asterisks
    f"{Q}QANR5L15QE40439 | question/QANR5L15QE40439 schema:text 'Mme Constance Le Grip app…[1930 chars]'@fr",
}
PAGE_ONLY_40439 = {
    f"{Q}QANR5L15QE40439 | question/QANR5L15QE40439 schema:text 'Mme Constance Le Grip app…[1922 chars]'@fr",
    f"{Q}QANR5L15QE40439 | question/QANR5L15QE40439 hc:textHtml '<p>Mme Constance Le Grip …[1965 chars]'^^rdf:HTML",
}


@pytest.mark.parametrize("name", ["QANR5L15QE40439.md", "QANR5L15QE40439.html"])
def test_page_and_record_give_the_same_facts(registry: Registry, name: str) -> None:
    record = json_question(FIXTURES / "questions" / "QANR5L15QE40439.json")
    page, _, _ = page_file(name, registry)
    record_only, page_only, from_record, from_page = graph_difference(record, page, registry)
    assert record_only == RECORD_ONLY_40439
    assert page_only == PAGE_ONLY_40439
    # the differing texts are the same words
    (record_text,) = (text_of(from_record[k]) for k in record_only if "schema:text" in k)
    (page_text,) = (text_of(from_page[k]) for k in page_only if "schema:text" in k)
    assert record_text.replace("*", "") == page_text
    # and everything else is the same, links to the registry included
    common = set(from_record) & set(from_page)
    for fact in (
        "question/QANR5L15QE40439 dcterms:creator person/PA345722",
        "question/QANR5L15QE40439 hc:authorMandate mandate/PM723428",
        "question/QANR5L15QE40439 hc:constituency constituency/92-6",
        "question/QANR5L15QE40439 hc:authorGroup organe/PO730934",
        "question/QANR5L15QE40439 hc:questionedMinistry organe/PO774113",
        "question/QANR5L15QE40439 hc:attributedMinistry organe/PO791605",
        "question/QANR5L15QE40439/closure/1 hc:closureReason hc:EndOfMandate",
        "question/QANR5L15QE40439 hc:status hc:Withdrawn",
        "question/QANR5L15QE40439/publication/1 hc:joPage '5991'^^xsd:integer",
    ):
        assert f"{Q}QANR5L15QE40439 | {fact}" in common, fact
    assert "graph/topics | topic/rubrique/numerique skos:prefLabel 'numérique'@fr" in common


def test_the_old_site_page_adds_the_attribution_date(registry: Registry) -> None:
    record = json_question(FIXTURES / "questions" / "QANR5L15QE40439.json")
    page, _, _ = page_file("QANR5L15QE40439-old-site-attribution.md", registry)
    record_only, page_only, _, _ = graph_difference(record, page, registry)
    assert record_only == {f for f in RECORD_ONLY_40439 if "2022-05-21" not in f}
    assert page_only == PAGE_ONLY_40439


def jo_types(uid: str, *events: str) -> set[str]:
    return {f"{Q}{uid} | question/{uid}/{event} hc:joType 'JO_QUESTION'" for event in events}


def closure(uid: str, day: str, page: int) -> set[str]:
    """An answered record's REP_PUB closure: the page shows the answer, not a closure line."""
    ev = f"{Q}{uid} | question/{uid}/closure/1"
    return {
        f"{Q}{uid} | question/{uid} hc:closure question/{uid}/closure/1",
        f"{Q}{uid} | question/{uid} hc:closureDate '{day}'^^xsd:date",
        f"{ev} rdf:type hc:Closure",
        f"{ev} dcterms:date '{day}'^^xsd:date",
        f"{ev} hc:closureCode 'REP_PUB'",
        f"{ev} hc:closureLabel 'Réponse publiée'@fr",
        f"{ev} hc:closureReason hc:AnswerPublished",
        f"{ev} hc:joDate '{day}'^^xsd:date",
        f"{ev} hc:joPage '{page}'^^xsd:integer",
    }


def test_answered_record_and_page(registry: Registry) -> None:
    uid = "QANR5L15QE20618"
    record = json_question(SAMPLE_QUESTIONS / "json" / f"{uid}.json")
    page, _, _ = page_file(f"{uid}.md", registry)
    record_only, page_only, _, _ = graph_difference(record, page, registry)
    assert record_only == {
        f"{Q}{uid} | question/{uid} hc:regime '5eme Republique'",
        *jo_types(uid, "publication/1", "attribution/1", "answer", "signalement/1"),
        f"{Q}{uid} | question/{uid}/closure/1 hc:joType 'JO_QUESTION'",
        *closure(uid, "2019-12-03", 10547),
        # the page gives the signalement's JO date only, not the day it was filed
        f"{Q}{uid} | question/{uid}/signalement/1 hc:filingDate '2019-11-18'^^xsd:date",
        f"{Q}{uid} | question/{uid}/signalement/1 dcterms:date '2019-11-18'^^xsd:date",
    }
    assert page_only == {
        # …so the signalement is dated by its JO publication
        f"{Q}{uid} | question/{uid}/signalement/1 dcterms:date '2019-11-26'^^xsd:date",
    }


def test_renewals_record_and_page(registry: Registry) -> None:
    uid = "QANR5L16QE1587"
    record = json_question(SAMPLE_QUESTIONS / "json" / f"{uid}.json")
    page, _, _ = page_file(f"{uid}.md", registry)
    record_only, page_only, _, _ = graph_difference(record, page, registry)
    assert record_only == {
        f"{Q}{uid} | question/{uid} hc:regime '5eme Republique'",
        *jo_types(uid, "publication/1", "attribution/1", "answer", "renewal/1", "renewal/2", "closure/1"),
        *closure(uid, "2023-06-20", 5643),
    }
    assert page_only == set()


def test_question_to_the_government_record_and_page(registry: Registry) -> None:
    uid = "QANR5L15QG4108"
    record = json_question(SAMPLE_QUESTIONS / "json" / f"{uid}.json")
    page, _, _ = page_file(f"{uid}.md", registry)
    record_only, page_only, from_record, from_page = graph_difference(record, page, registry)
    debate = {
        f"{Q}{uid} | question/{uid}/attribution/1 hc:joType 'JO_DEBAT'",  # the record's attribution is undated
        f"{Q}{uid} | question/{uid}/answer hc:joType 'JO_DEBAT'",
        f"{Q}{uid} | question/{uid}/closure/1 hc:joType 'JO_DEBAT'",
    }
    html_record = (
        f"{Q}{uid} | question/{uid}/answer hc:textHtml '<p><strong>M. le présiden…[1452 chars]'^^rdf:HTML"
    )
    html_page = (
        f"{Q}{uid} | question/{uid}/answer hc:textHtml '<p><strong>M. le présiden…[1422 chars]'^^rdf:HTML"
    )
    assert record_only == {
        f"{Q}{uid} | question/{uid} hc:regime '5eme Republique'",
        *debate,
        *closure(uid, "2021-10-26", 9112),
        html_record,  # "&nbsp;" in the record, the no-break space itself on the page
    }
    assert page_only == {html_page}
    assert html.unescape(text_of(from_record[html_record])) == text_of(from_page[html_page])


# ------------------------------------------------------------------ the shapes accept what pages give


@pytest.mark.parametrize("name", ["QANR5L15QE40439.md", "unresolved-ministry.md"])
def test_page_graphs_conform_to_the_shapes(registry: Registry, name: str) -> None:
    """The question as a page gives it (fallback IRI included) passes the published SHACL shapes; the registry
    graphs are those of the small registry of question 40439 (enough for the nodes it links to)."""
    from kg.mapping_registry import RegistryMapper
    from kg.validation.engines import build_engine
    from kg.validation.report import validate_triples

    question, _, _ = page_file(name, registry)
    small = load_registry([FIXTURES / "registry"])
    quads = [*RegistryMapper(small, Minter()).quads(), *QuestionMapper(registry, Minter()).map(question)]
    report = validate_triples(quads, engine=build_engine())
    assert report.conforms, [r.one_line() for r in report.results]
