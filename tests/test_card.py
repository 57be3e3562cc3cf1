"""The question card (kg.card, queries/question-card.rq): rendered from the graph alone, in the page's own
layout, it carries every fact of the page (page → graph → card → page again), agrees with the independent
expectations of every sample question, and is the same from the embedded store and from a real Oxigraph
server."""

from __future__ import annotations

import dataclasses
import html
import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
import pytest

from kg.errors import ExitCode, InputError
from kg.iris import Minter
from kg.load import Credentials, GraphStoreClient, graph_store_url_for, load_store
from kg.mapping import QuestionMapper, plain_text
from kg.mapping_registry import RegistryMapper
from kg.models import Question
from kg.query.card import QuestionCard, html_to_markdown, load_card, render_card, render_json, render_markdown
from kg.query.targets import EmbeddedTarget, EndpointTarget
from kg.reconcile import read_page_file
from kg.registry import Registry, load_registry
from kg.serve.oxigraph import OxigraphServer, free_port, serve
from kg.sources.pages import (
    DateKind,
    KeyDate,
    PageQuestion,
    looks_like_page,
    markdown_to_html,
    read_page,
)
from kg.store import EmbeddedStore

from .conftest import FIXTURES
from .test_virtuoso import virtuoso  # noqa: F401  (the fixture: a private Virtuoso on 127.0.0.1)

PAGES = FIXTURES / "pages"
EXPECT: dict[str, Any] = json.loads((FIXTURES / "sample_expectations.json").read_text(encoding="utf-8"))
ROUND_TRIP = [
    "QANR5L15QE40439.md",
    "QANR5L15QE40439.html",
    "QANR5L15QE40439-old-site-attribution.md",
    "QANR5L15QE20618.md",
    "QANR5L16QE1587.md",
    "QANR5L15QG4108.md",
    "unresolved-ministry.md",
    "unknown-lines.md",
]


@pytest.fixture(scope="module")
def sample(sample_store: Path) -> EmbeddedTarget:
    return EmbeddedTarget.open(sample_store)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry([FIXTURES / "registry", PAGES / "registry"])


@pytest.fixture(scope="module")
def registry_quads(registry: Registry) -> list[ox.Quad]:
    return list(RegistryMapper(registry, Minter()).quads())


def graph_of(question: Question, registry: Registry, registry_quads: list[ox.Quad]) -> EmbeddedTarget:
    """A store holding the registry and one question, as a build would write them."""
    store = EmbeddedStore(None)
    store.replace_graphs([], registry_quads)
    store.replace_graphs([], QuestionMapper(registry, Minter()).map(question))
    return EmbeddedTarget(store)


def page_facts(page: PageQuestion) -> dict[str, object]:
    """What a page says, without where it came from (file, hash, encoding, links, link to the deputy)."""
    skipped = {"file", "sha256", "format", "links", "author_ref"}
    return {f.name: getattr(page, f.name) for f in dataclasses.fields(page) if f.name not in skipped}


# ------------------------------------------------------------------ page → graph → card


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_card_carries_every_fact_of_the_page(
    name: str, registry: Registry, registry_quads: list[ox.Quad]
) -> None:
    data = (PAGES / name).read_bytes()
    page, _ = read_page(name, data)
    question, _, _ = read_page_file(name, data, registry)
    card = load_card(page.uid, graph_of(question, registry, registry_quads))
    markdown = render_markdown(card)
    assert looks_like_page(markdown.encode())
    again, warnings = read_page("card.md", markdown.encode())
    assert warnings == []
    assert page_facts(again) == page_facts(page)


def test_card_of_the_example_page(registry: Registry, registry_quads: list[ox.Quad]) -> None:
    data = (PAGES / "QANR5L15QE40439.md").read_bytes()
    question, _, _ = read_page_file("QANR5L15QE40439.md", data, registry)
    markdown = render_markdown(load_card("QANR5L15QE40439", graph_of(question, registry, registry_quads)))
    # the page's layout, line for line (the links of the page are formatting, not facts)
    expected = data.decode("utf-8").strip().replace("](#)", "").replace("[", "") + "\n"
    assert markdown == expected


def test_card_from_the_json_record_shows_the_page_and_the_attribution_date(sample: EmbeddedTarget) -> None:
    card = load_card("QANR5L15QE40439", sample)
    from_card, warnings = read_page("card.md", render_markdown(card).encode())
    page, _ = read_page("QANR5L15QE40439.md", (PAGES / "QANR5L15QE40439.md").read_bytes())
    assert warnings == []
    # the same facts as the page, plus the date of the change of attribution that the record gives
    # (and the new site does not show; the old site did)
    change = KeyDate(DateKind.ATTRIBUTION_CHANGE, date(2022, 5, 21))
    assert page_facts(from_card) == page_facts(
        dataclasses.replace(page, dates=(*page.dates[:1], change, *page.dates[1:]))
    )


def test_card_json_names_every_iri(sample: EmbeddedTarget) -> None:
    data = orjson.loads(render_json(load_card("QANR5L15QE40439", sample)))
    base = "https://w3id.org/hemicycle/"
    assert (
        data["uid"] == "QANR5L15QE40439" and data["type"] == "QE" and data["type_label"] == "Question écrite"
    )
    assert data["author"]["iri"] == base + "person/PA345722"
    assert data["author"]["civility"] == "Mme" and data["author"]["name"] == "Constance Le Grip"
    assert data["mandate_id"] == "PM723428"
    assert data["constituency"]["id"] == "92-6"
    assert data["group"]["id"] == "PO730934" and data["group"]["unresolved"] is False
    assert data["questioned_ministry"]["id"] == "PO774113"
    assert data["attributed_ministry"]["id"] == "PO791605"
    assert data["official_page"] == "https://www.assemblee-nationale.fr/dyn/15/questions/QANR5L15QE40439"
    assert (data["status"], data["publication_date"], data["closure_date"]) == (
        "Withdrawn",
        "2021-07-27",
        "2022-06-21",
    )
    events = [(e["kind"], e["order"], e["jo_date"], e["jo_page"]) for e in data["events"]]
    assert events == [
        ("publication", 1, "2021-07-27", 5991),
        ("attribution", 1, "2021-07-27", 5991),
        ("attribution", 2, "2022-05-21", None),
        ("closure", None, None, None),
    ]
    closure = data["events"][-1]
    assert (closure["label"], closure["reason"], closure["date"]) == (
        "Fin de mandat",
        "EndOfMandate",
        "2022-06-21",
    )
    assert data["events"][2]["ministry"]["id"] == "PO791605"
    assert data["topics"] == [{"scheme": "rubrique", "label": "numérique"}]


def test_an_unresolved_ministry_is_marked_in_the_card(
    registry: Registry, registry_quads: list[ox.Quad]
) -> None:
    data = (PAGES / "unresolved-ministry.md").read_bytes()
    question, _, _ = read_page_file("unresolved-ministry.md", data, registry)
    card = load_card(question.uid, graph_of(question, registry, registry_quads))
    assert card.attributed_ministry is not None and card.attributed_ministry.unresolved
    assert card.attributed_ministry.iri.endswith("/organe/unresolved/sante")
    assert card.attributed_ministry.short == "Santé"
    assert orjson.loads(render_json(card))["attributed_ministry"]["unresolved"] is True


# ------------------------------------------------------------------ every sample question


def sample_uids() -> list[str]:
    return sorted(EXPECT["per_question"])


@pytest.fixture(scope="module")
def sample_cards(sample: EmbeddedTarget) -> dict[str, QuestionCard]:
    return {uid: load_card(uid, sample) for uid in sample_uids()}


@pytest.mark.parametrize("uid", sample_uids())
def test_every_sample_card_agrees_with_the_expectations(
    uid: str, sample_cards: dict[str, QuestionCard]
) -> None:
    expected = EXPECT["per_question"][uid]
    card = sample_cards[uid]
    assert card.uid == uid
    assert card.author is not None and card.author.id == expected["author"]
    assert card.mandate_id == expected["mandate"]
    assert card.group is not None and card.group.id == expected["group"]
    assert card.constituency is not None and card.constituency.id == expected["constituency"]
    assert (
        card.questioned_ministry is not None
        and card.questioned_ministry.id == expected["questioned_ministry"]
    )
    assert (
        card.attributed_ministry is not None
        and card.attributed_ministry.id == expected["attributed_ministry"]
    )
    assert card.rubrique == (expected["rubrique"] or None)
    assert card.publication_date == (
        date.fromisoformat(expected["published"]) if expected["published"] else None
    )
    assert card.answer_date == (date.fromisoformat(expected["answered"]) if expected["answered"] else None)
    assert card.answer_delay_days == expected["answer_delay_days"]
    closures = card.events_of("closure")
    assert (closures[0].label if closures else None) == expected["closure_label"]

    # …and its Markdown is a page that says the same
    page, warnings = read_page(f"{uid}.md", render_markdown(card).encode())
    assert warnings == []
    assert (page.uid, page.title) == (uid, card.title)
    assert page.author == card.author.display
    answered = page.first(DateKind.ANSWER_PUBLISHED)
    assert (answered.date if answered else None) == card.answer_date
    published = page.first(DateKind.QUESTION_PUBLISHED)
    if card.type.value != "QG":
        assert published is not None and published.date == card.publication_date
    withdrawn = page.first(DateKind.WITHDRAWN)
    if expected["closure_label"] and expected["closure_label"] != "Réponse publiée":
        assert withdrawn is not None and withdrawn.reason == expected["closure_label"]
    else:
        assert withdrawn is None
    # the same words in the same order (the mapping's plain text glues list items: "revenus ;quelles")
    words = "".join(plain_text(card.html or card.text or "").replace("*", "").split())
    assert "".join(plain_text(page.question_html or "").split()) == words


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("uid", "fragment"),
    [
        ("QANR5L15QE1", "no question QANR5L15QE1 in store"),
        ("PA345722", "not a question uid"),
        ('QANR5L15QE40439" } UNION { ?s ?p ?o', "not a question uid"),
        ("", "not a question uid"),
    ],
)
def test_bad_or_unknown_uids_are_bad_input(sample: EmbeddedTarget, uid: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        load_card(uid, sample)
    assert fragment in str(caught.value)
    assert caught.value.exit_code == ExitCode.BAD_INPUT
    assert "\n" not in str(caught.value)


# ------------------------------------------------------------------ the same card from a real endpoint


@pytest.fixture(scope="module")
def served(sample_store: Path) -> Iterator[OxigraphServer]:
    server = serve(sample_store, port=free_port())
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.server
@pytest.mark.parametrize("uid", ["QANR5L15QE40439", "QANR5L15QG4108", "QANR5L15QE20618", "QANR5L15QE8712"])
def test_the_endpoint_gives_the_same_card(served: OxigraphServer, sample: EmbeddedTarget, uid: str) -> None:
    remote = load_card(uid, EndpointTarget(served.query_url))
    assert remote == load_card(uid, sample)
    assert render_markdown(remote) == render_markdown(load_card(uid, sample))


@pytest.mark.server
def test_an_unknown_uid_on_the_endpoint(served: OxigraphServer) -> None:
    with pytest.raises(InputError, match="no question QANR5L15QE1 in endpoint"):
        load_card("QANR5L15QE1", EndpointTarget(served.query_url))


# ------------------------------------------------------------------ texts


def test_html_texts_become_markdown_that_reads_back() -> None:
    record = orjson.loads((FIXTURES / "questions" / "QANR5L17QG1.json").read_bytes())
    texte = record["question"]["textesReponse"]["texteReponse"]["texte"]  # starts with </p>, unbalanced tags…
    again = markdown_to_html(html_to_markdown(texte))
    assert " ".join(plain_text(again).split()) == " ".join(plain_text(texte).split())


@pytest.mark.parametrize(
    ("fragment", "markdown"),
    [
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("<p><strong>M. le président.</strong> La parole</p>", "**M. le président.** La parole"),
        ("<p>(<em>Applaudissements.</em>)</p>", "(*Applaudissements.*)"),
        ("un<br/>deux", "un\\\ndeux"),
        ("5 * 3 &amp; [x] &lt;b&gt; _y_", "5 \\* 3 & \\[x\\] &lt;b> \\_y\\_"),
        ("<script>alert(1)</script>texte", "alert(1)texte"),
        ("6<sup>e</sup>", "6<sup>e</sup>"),
        ("<strong>Mme la présidente . </strong>La parole", "**Mme la présidente .** La parole"),
        ("<br><strong>A.</strong> x<br><br>y<br>", "**A.** x\n\ny"),
        ("<p># pas un titre</p>", "\\# pas un titre"),
    ],
)
def test_html_to_markdown(fragment: str, markdown: str) -> None:
    assert html_to_markdown(fragment) == markdown
    # and the page reader reads it back to the same words
    back = markdown_to_html(markdown)
    assert " ".join(html.unescape(plain_text(back)).split()) == " ".join(plain_text(fragment).split())


def test_list_items_become_paragraphs() -> None:
    # (the mapping's plain text glues list items together — "un ;deux" —, the card does not)
    assert html_to_markdown("<ul><li>un&nbsp;;</li><li>deux</li></ul>") == "un\xa0;\n\ndeux"


def test_a_transcript_with_line_breaks_keeps_them(registry: Registry, registry_quads: list[ox.Quad]) -> None:
    """Hard line breaks of a page (two spaces or a backslash at the end of a line) survive the round trip,
    even when the next line starts with bold text as a key line does."""
    data = (PAGES / "QANR5L15QG4108.md").read_text(encoding="utf-8")
    first = "**M. le président.** La parole est à M. Fabien Roussel."
    assert first in data
    data = data.replace(
        first, "**M. le président.** La parole est à M. Fabien Roussel.\\\n**M. Fabien Roussel.** Merci."
    )
    page, _ = read_page("breaks.md", data.encode())
    assert page.answer_html is not None
    assert "Roussel.<br /><strong>M. Fabien Roussel.</strong> Merci." in page.answer_html
    question, _, _ = read_page_file("breaks.md", data.encode(), registry)
    card = load_card(question.uid, graph_of(question, registry, registry_quads))
    again, _ = read_page("card.md", render_markdown(card).encode())
    assert again.answer_html == page.answer_html


def test_render_card_formats(sample: EmbeddedTarget) -> None:
    card = load_card("QANR5L15QE40439", sample)
    assert render_card(card) == render_card(card, "md") == render_markdown(card)
    assert render_card(card, "json") == render_json(card)
    with pytest.raises(InputError, match="unknown format 'yaml'") as caught:
        render_card(card, "yaml")
    assert caught.value.exit_code == ExitCode.BAD_INPUT


# ------------------------------------------------------------------ and from Virtuoso 7.2


@pytest.mark.server
@pytest.mark.skipif(
    shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None,
    reason="Virtuoso is not installed (apt-get install virtuoso-opensource)",
)
def test_every_sample_card_is_the_same_from_virtuoso(
    virtuoso: str,  # noqa: F811 (the fixture imported above)
    sample: EmbeddedTarget,
    sample_cards: dict[str, QuestionCard],
) -> None:
    """One test for the whole sample (a private Virtuoso costs seconds to start)."""
    load_store(
        sample.store, GraphStoreClient(graph_store_url_for(virtuoso), credentials=Credentials("dba", "dba"))
    )
    target = EndpointTarget(virtuoso)
    assert {uid: load_card(uid, target) for uid in sample_cards} == sample_cards
