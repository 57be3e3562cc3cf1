"""Real question pages of every layout (tests/fixtures/pages-real, see its README) give what the shared README
says they must: ids, dates, titles, or the stated refusal; and the layouts derived from them read alike."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ExitCode
from kg.models import Question, QuestionType
from kg.reconcile import IncompletePageError, ReconciliationReport, read_page_file
from kg.registry import Registry, load_registry
from kg.sources.page_labels import LABELS
from kg.sources.pages import DateKind, PageError, PageQuestion, looks_like_page, read_page

from .conftest import FIXTURES
from .test_reconcile import graph_difference, json_question

REAL = FIXTURES / "pages-real"
DERIVED = REAL / "derived"
REGISTRIES = [FIXTURES / "registry", FIXTURES / "pages" / "registry", FIXTURES / "registry-real"]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(REGISTRIES)


def page(path: Path) -> tuple[PageQuestion, list[str]]:
    found, warnings = read_page(path.name, path.read_bytes())
    return found, [w.message for w in warnings]


def reconciled(path: Path, registry: Registry) -> tuple[Question, list[str], ReconciliationReport]:
    question, warnings, report = read_page_file(path.name, path.read_bytes(), registry)
    return question, [f"{w.code} {w.field}: {w.message}" for w in warnings], report


def ids(question: Question, report: ReconciliationReport) -> dict[str, object]:
    group = question.author.group
    return {
        "uid": question.uid,
        "person": question.author.person_uid,
        "mandate": question.author.mandate_uid,
        "constituency": report.chosen().get("Circonscription"),
        "group": group.uid if group else None,
        "questioned": question.questioned_ministry.uid if question.questioned_ministry else None,
        "attributions": [(a.ministry.uid, a.jo.date if a.jo else None) for a in question.attributions],
        "published": question.question_texts[0].jo.date
        if question.question_texts and question.question_texts[0].jo
        else None,
        "answered": question.answer_texts[0].jo.date
        if question.answer_texts and question.answer_texts[0].jo
        else None,
    }


# ------------------------------------------------------------------ what each real page must give


def test_the_old_question_site_page_gives_the_ids_of_the_seed_page(registry: Registry) -> None:
    question, warnings, report = reconciled(REAL / "q15-15-40439QE.md", registry)
    assert warnings == []
    assert ids(question, report) == {
        "uid": "QANR5L15QE40439",
        "person": "PA345722",
        "mandate": "PM723428",
        "constituency": "92-6",
        "group": "PO730934",
        "questioned": "PO774113",
        "attributions": [
            ("PO774113", date(2021, 7, 27)),
            ("PO791605", date(2022, 5, 21)),
        ],  # dated: the seed lacks it
        "published": date(2021, 7, 27),
        "answered": None,
    }
    assert question.closure is not None
    assert (question.closure.date, question.closure.label) == (date(2022, 6, 21), "Fin de mandat")
    assert question.analyses == (
        "Désignation d'un nouvel hébergeur des données traitées par le Health data hub",
    )
    # no constituency number on the page: the mandate's is used, and the department agrees (no conflict)
    entry = report.entry("Circonscription")
    assert entry is not None and entry.label == "Hauts-de-Seine" and entry.status.value == "resolved"
    # the seed page of the same question: the same ids
    seed, _, seed_report = reconciled(FIXTURES / "pages" / "QANR5L15QE40439.md", registry)
    same = {k: v for k, v in ids(seed, seed_report).items() if k != "attributions"}
    assert same == {k: v for k, v in ids(question, report).items() if k != "attributions"}
    assert [a.ministry.uid for a in seed.attributions] == ["PO774113", "PO791605"]


def test_the_old_question_site_page_and_the_record_give_the_same_graph(registry: Registry) -> None:
    """The old site's page of question 40439 against its open-data record (tests/fixtures/questions): the same
    graph but for what the page does not show (regime, JO edition) and the text the copy replaced."""
    record = json_question(FIXTURES / "questions" / "QANR5L15QE40439.json")
    question, _, _ = reconciled(REAL / "q15-15-40439QE.md", registry)
    record_only, page_only, _, _ = graph_difference(record, question, registry)
    q = "graph/question/QANR5L15QE40439 | question/QANR5L15QE40439"
    assert record_only == {
        f"{q} hc:regime '5eme Republique'",
        f"{q} schema:text 'Mme Constance Le Grip app…[1930 chars]'@fr",
        f"{q}/attribution/1 hc:joType 'JO_QUESTION'",
        f"{q}/attribution/2 hc:joType 'JO_QUESTION'",
        f"{q}/publication/1 hc:joType 'JO_QUESTION'",
    }
    assert page_only == {f"{q} schema:text '[Texte de la question non…[106 chars]'@fr"}


def test_the_old_question_site_answered_page(registry: Registry) -> None:
    question, warnings, report = reconciled(REAL / "q16-16-1394QE.md", registry)
    assert warnings == []
    assert ids(question, report) == {
        "uid": "QANR5L16QE1394",
        "person": "PA796118",
        "mandate": "PM797859",
        "constituency": "84-2",
        "group": "PO800520",
        "questioned": "PO801858",
        "attributions": [("PO801858", date(2022, 9, 20))],
        "published": date(2022, 9, 20),
        "answered": date(2022, 10, 11),
    }
    assert question.question_texts[0].jo is not None and question.question_texts[0].jo.page == 4095
    assert question.answer_texts[0].jo is not None and question.answer_texts[0].jo.page == 4587


def test_a_current_site_page_cut_short_is_quarantined_with_every_fact_read(registry: Registry) -> None:
    read, reader_warnings = page(REAL / "dyn-17-QANR5L17QE6287.md")
    assert reader_warnings == []
    assert read.title == "Taux de réponse alarmant des ministères aux questions écrites des députés"
    with pytest.raises(IncompletePageError) as caught:
        reconciled(REAL / "dyn-17-QANR5L17QE6287.md", registry)
    message = str(caught.value)
    assert message.startswith("dyn-17-QANR5L17QE6287.md [QANR5L17QE6287]: no publication date")
    assert "\n" not in message
    for fact in (
        "title 'Taux de réponse alarmant",
        "Auteur PA721932",
        "Mandat PM843632",
        "Circonscription 84-4",
        "Groupe PO845401",
        "answer-published 2025-05-06",
    ):
        assert fact in message, fact
    assert caught.value.exit_code == ExitCode.BAD_INPUT  # a RecordError; the build quarantines it (exit 1)


def test_a_ninth_legislature_page_lands_on_fallbacks(registry: Registry) -> None:
    question, warnings, report = reconciled(REAL / "dyn-9-QANR5L9QE57933.md", registry)
    assert (question.uid, question.legislature, question.type) == ("QANR5L9QE57933", 9, QuestionType.WRITTEN)
    assert question.analyses == ("Relations entre le Parlement et le Gouvernement",)
    assert question.rubrique == "parlement"
    assert (question.author.person_uid, question.author.name) == (None, "Lengagne Guy")
    assert report.chosen()["Auteur"] is None
    author = report.entry("Auteur")
    assert author is not None and author.fallback == "person/unresolved/9/guy-lengagne"
    assert question.questioned_ministry is not None and question.questioned_ministry.uid is None
    assert question.questioned_ministry.label == "Service du Premier Ministre"
    assert [a.ministry.label for a in question.attributions] == ["Service du Premier Ministre"]
    assert question.question_texts[0].jo is not None and question.question_texts[0].jo.date == date(
        1992, 5, 18
    )
    assert question.answer_texts == ()
    assert sorted(w.split(":")[0] for w in warnings) == [
        "unresolved-label Auteur",
        "unresolved-label Ministère attributaire",
        "unresolved-label Ministère interrogé",
    ]


def test_a_department_that_disagrees_with_the_mandate_is_a_conflict(registry: Registry) -> None:
    text = (REAL / "q16-16-1394QE.md").read_text(encoding="utf-8").replace("- Vaucluse )", "- Paris )")
    question, warnings, report = read_page_file("p.md", text.encode(), registry)
    entry = report.entry("Circonscription")
    assert entry is not None and entry.status.value == "conflict" and entry.chosen == "84-2"
    assert (
        question.author.mandate_uid == "PM797859"
    )  # the question still lands, on the mandate's constituency
    assert [w.code for w in warnings] == ["conflict"]


def test_the_name_is_matched_in_either_order(registry: Registry) -> None:
    text = (
        (REAL / "q16-16-1394QE.md")
        .read_text(encoding="utf-8")
        .replace("Bénédicte Auzanot", "AUZANOT Bénédicte")
    )
    question, _, _ = read_page_file("p.md", text.encode(), registry)
    assert question.author.person_uid == "PA796118"


def test_a_page_without_a_number_is_refused_in_one_line() -> None:
    data = (REAL / "dyn-14-zumkeller-relations-parlement.md").read_bytes()
    assert looks_like_page(data)  # it is a page: refused, never skipped as "not a page"
    with pytest.raises(PageError) as caught:
        read_page("dyn-14-zumkeller-relations-parlement.md", data)
    assert caught.value.code == "no-number"
    assert "no question number" in str(caught.value) and "no uid" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_same_page_with_a_number_gives_the_readme_ids(registry: Registry) -> None:
    question, warnings, report = reconciled(DERIVED / "dyn-14-QANR5L14QE44302-numbered.md", registry)
    assert [w for w in warnings if not w.startswith("missing-text")] == []
    facts = ids(question, report)
    assert (facts["person"], facts["mandate"], facts["constituency"], facts["group"]) == (
        "PA267330",
        "PM645032",
        "90-2",
        "PO656010",
    )
    assert (facts["published"], facts["answered"]) == (date(2013, 12, 10), date(2014, 4, 1))
    assert question.questioned_ministry is not None
    assert question.questioned_ministry.short_label == "Relations avec le Parlement"


# ------------------------------------------------------------------ derived layouts read alike


def test_old_site_html_reads_as_its_text_rendering() -> None:
    text, _ = page(REAL / "q15-15-40439QE.md")
    html, warnings = page(DERIVED / "q15-15-40439QE.html")
    assert warnings == []
    assert html.format == "html" and text.format == "text"
    skip = {"file", "sha256", "format", "links"}
    assert {k: getattr(html, k) for k in html.__dataclass_fields__ if k not in skip} == {
        k: getattr(text, k) for k in text.__dataclass_fields__ if k not in skip
    }


def test_current_site_html_with_headings_definition_lists_and_line_breaks() -> None:
    text, _ = page(REAL / "dyn-9-QANR5L9QE57933.md")
    html, warnings = page(DERIVED / "dyn-9-QANR5L9QE57933.html")
    assert warnings == []
    assert (html.title, html.author, html.group, html.rubrique) == (
        text.title,
        text.author,
        text.group,
        text.rubrique,
    )
    assert (html.questioned_ministry, html.attributed_ministry) == (
        text.questioned_ministry,
        text.attributed_ministry,
    )
    assert html.dates_of(DateKind.QUESTION_PUBLISHED) == text.dates_of(DateKind.QUESTION_PUBLISHED)
    (closed,) = html.dates_of(DateKind.CLOSED)  # "Date de cloture :" / date / reason on three lines
    assert (closed.date, closed.reason) == (date(1993, 4, 1), "Fin de mandat")


def test_author_and_constituency_on_one_line_and_a_value_after_a_line_break(registry: Registry) -> None:
    found, warnings = page(DERIVED / "dyn-17-QANR5L17QE6287-complete.md")
    assert warnings == []
    assert (found.author, found.department, found.constituency_number, found.group) == (
        "Mme Marie-France Lorho",
        "Vaucluse",
        4,
        "Rassemblement National",
    )
    assert found.questioned_ministry == "Relations avec le Parlement"  # its value on the next line
    assert [(d.kind, d.date) for d in found.dates] == [
        (DateKind.ANSWER_PUBLISHED, date(2025, 5, 6)),  # above the answer, then again under "Dates :"
        (DateKind.QUESTION_PUBLISHED, date(2025, 3, 18)),
    ]
    question, _, report = reconciled(DERIVED / "dyn-17-QANR5L17QE6287-complete.md", registry)
    assert (question.author.person_uid, report.chosen()["Circonscription"]) == ("PA721932", "84-4")


@pytest.mark.parametrize(
    ("name", "uid"),
    [("dyn-17-QANR5L17QG6287-type.md", "QANR5L17QG6287"), ("q16-16-1394QOSD-type.md", "QANR5L16QOSD1394")],
)
def test_every_question_type_line(name: str, uid: str) -> None:
    assert page(DERIVED / name)[0].uid == uid


def test_old_site_signalement_renewal_and_analysis_lines() -> None:
    found, warnings = page(DERIVED / "q16-16-1394QE-signalee-renouvelee.md")
    assert warnings == []
    assert (found.tete_analyse, found.analyse) == ("questions écrites", "délais de réponse")
    assert [(d.kind, d.date, d.page) for d in found.dates] == [
        (DateKind.QUESTION_PUBLISHED, date(2022, 9, 20), 4095),
        (DateKind.SIGNALEMENT, date(2022, 9, 27), 4240),
        (DateKind.RENEWAL, date(2022, 10, 4), 4410),
        (DateKind.ANSWER_PUBLISHED, date(2022, 10, 11), 4587),
    ]


def test_a_group_label_holding_a_dash_is_split_on_the_last_one(registry: Registry) -> None:
    found, _ = page(DERIVED / "q16-16-1394QE-group-with-dash.md")
    assert (found.group, found.department) == ("Écologiste - NUPES", "Vaucluse")
    # the registry has the author in RN on the date: that membership is linked, the page's label reported
    question, warnings, _ = reconciled(DERIVED / "q16-16-1394QE-group-with-dash.md", registry)
    assert question.author.group is not None and question.author.group.uid == "PO800520"
    assert any(w.startswith("conflict Groupe") and "PO800526" in w for w in warnings)


def test_the_old_site_html_number_line_and_errata() -> None:
    text = (REAL / "q16-16-1394QE.md").read_text(encoding="utf-8")
    text = text.replace("Question N° 1394", "Question N° : 1394").replace(
        "Réponse publiée au JO le : 11/10/2022 page : 4587\n",
        "Réponse publiée au JO le : 11/10/2022 page : 4587\nErratum de la réponse publié au JO le : 18/10/2022 page : 4700\n",
    )
    found, warnings = read_page("p.md", text.encode())
    assert found.uid == "QANR5L16QE1394"
    assert found.dates_of(DateKind.ANSWER_ERRATUM)[0].date == date(2022, 10, 18)
    assert [w.code for w in warnings] == ["not-in-graph"]  # read, and said: its text is not on the page


@pytest.mark.parametrize(
    ("author", "sitting"),
    [
        (
            "M. Fabien Roussel (Nord - Gauche démocrate et républicaine)",
            "1re séance du mardi 26 octobre 2021",
        ),
        ("M. Fabien Roussel (Gauche démocrate et républicaine - Nord )", "Séance du mardi 26 octobre 2021"),
    ],
)
def test_a_bracketed_author_and_a_sitting_line_as_scrapers_of_the_current_site_meet_them(
    author: str, sitting: str
) -> None:
    """Derived from the seed QG page's facts, in the forms public scrapers of the /dyn/ pages handle: the
    deputy's link text "Name (Department - Group)" and "Date de la séance : 1re séance du …"."""
    text = (
        "15e législature\n\nHausse des prix de l'énergie\n\nQuestion au Gouvernement n° 4108\n\nDonnées clés\n\n"
        f"Auteur : {author}\n\nDate(s) clé(s)\n\nDate de la séance : {sitting}\n"
    )
    found, warnings = read_page("p.md", text.encode())
    assert warnings == []
    assert (found.author_name, found.department, found.group) == (
        "Fabien Roussel",
        "Nord",
        "Gauche démocrate et républicaine",
    )
    assert [(d.kind, d.date) for d in found.dates] == [(DateKind.SITTING, date(2021, 10, 26))]


def test_an_unknown_line_is_a_warning_with_its_number() -> None:
    text = (
        (REAL / "q16-16-1394QE.md").read_text(encoding="utf-8").replace("Rubrique > Parlement", "Suivi > oui")
    )
    _, warnings = read_page("p.md", text.encode())
    assert [w.message for w in warnings] == ["line 9: header line not read: 'Suivi > oui'"]


# ------------------------------------------------------------------ the manual lists every label


def test_the_manual_gives_an_example_line_of_every_label() -> None:
    manual = (Path(__file__).resolve().parent.parent / "docs" / "inputs.md").read_text(encoding="utf-8")
    missing = [label.example for label in LABELS if label.example not in manual]
    assert missing == []


# ------------------------------------------------------------------ the build: nothing skipped in silence


runner = CliRunner()


def build(tmp_path: Path, *sources: Path, quiet: bool = True) -> tuple[int, str, str]:
    args = ["build", *map(str, sources), "--store", str(tmp_path / "store"), "--no-validate"]
    for registry in REGISTRIES:
        args += ["--registry", str(registry)]
    result = runner.invoke(app, [*args, *(["--quiet"] if quiet else [])])
    report = tmp_path / "quarantine.jsonl"
    return result.exit_code, result.output, report.read_text(encoding="utf-8") if report.exists() else ""


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("SHARED-README.md", "gives no question: not a question page"),
        ("dyn-14-zumkeller-relations-parlement.md", "no question number"),
    ],
)
def test_a_named_file_that_gives_no_question_is_exit_2(tmp_path: Path, name: str, why: str) -> None:
    code, output, _ = build(tmp_path, REAL / name)
    assert code == ExitCode.BAD_INPUT
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and name in errors[0] and why in errors[0]


def test_a_walk_over_the_real_pages(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    shutil.copytree(REAL, folder, ignore=shutil.ignore_patterns("derived"))
    code, output, _ = build(tmp_path, folder, quiet=False)
    assert code == ExitCode.BAD_INPUT  # the page without a number
    assert "README.md: not a question page of the Assemblée's sites; skipped" in output  # a README: a warning
    assert "dyn-14-zumkeller-relations-parlement.md: the page gives no question number" in output
    assert "dyn-17-QANR5L17QE6287.md [QANR5L17QE6287]: no publication date" in output
    assert "records read 5, in graph 3 (QE 3)" in output


def test_an_incomplete_page_alone_is_exit_1_and_keeps_the_reader_warnings(tmp_path: Path) -> None:
    text = (REAL / "dyn-17-QANR5L17QE6287.md").read_text(encoding="utf-8")
    text = text.replace("17e Législature\n", "17e Législature\nVersion imprimable\n")
    named = tmp_path / "dyn-17.md"
    named.write_text(text, encoding="utf-8")
    code, output, _ = build(tmp_path, named, quiet=False)
    assert code == ExitCode.NOT_CONFORMING
    assert "Version imprimable" in output  # the reader's warning, printed although the page is quarantined
    assert "records read 1, in graph 0" in output


def test_a_named_folder_that_yields_no_question_is_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    shutil.copy(REAL / "README.md", folder / "README.md")
    code, output, _ = build(tmp_path, folder)
    assert code == ExitCode.BAD_INPUT
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "notes: gives no question record (1 file" in errors[0]
