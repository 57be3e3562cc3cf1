"""Question pages (Markdown and HTML): detection by content, every key line, French dates, texts as
canonical HTML, unknown lines reported, unreadable pages refused with one line naming the file and field."""

from __future__ import annotations

import dataclasses
import hashlib
import html
from datetime import date
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import ExitCode, RecordError
from kg.mapping import plain_text
from kg.models import QuestionType
from kg.sources.pages import (
    DateKind,
    KeyDate,
    PageError,
    PageQuestion,
    format_french_date,
    looks_like_page,
    markdown_inline_to_html,
    parse_french_date,
    read_page,
)

from .conftest import FIXTURES

PAGES = FIXTURES / "pages"
EXAMPLE = PAGES / "QANR5L15QE40439.md"


def read(name: str) -> tuple[PageQuestion, list[str]]:
    page, warnings = read_page(name, (PAGES / name).read_bytes())
    return page, [f"{w.code} {w.field} {w.message}" for w in warnings]


def facts(page: PageQuestion, *ignore: str) -> dict[str, object]:
    """The page's facts, without where it came from (file, hash, encoding, links) and ``ignore``."""
    skipped = {"file", "sha256", "format", "links", *ignore}
    return {f.name: getattr(page, f.name) for f in dataclasses.fields(page) if f.name not in skipped}


# ------------------------------------------------------------------ French dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27 juillet 2021", date(2021, 7, 27)),
        ("1er décembre 2019", date(2019, 12, 1)),
        ("1<sup>er</sup> décembre 2019", date(2019, 12, 1)),
        ("mardi 27 juillet 2021", date(2021, 7, 27)),
        ("3 août 2020", date(2020, 8, 3)),
        ("3 aout 2020", date(2020, 8, 3)),
        ("15 Février 2022", date(2022, 2, 15)),
        ("9 DÉCEMBRE 2022", date(2022, 12, 9)),
        ("21/05/2022", date(2022, 5, 21)),
        ("2022-05-21", date(2022, 5, 21)),
        ("  27\xa0juillet   2021 ", date(2021, 7, 27)),
    ],
)
def test_french_dates(text: str, expected: date) -> None:
    assert parse_french_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["31 février 2021", "27 juillet", "juillet 2021", "27 juliet 2021", "2021/07/27", "32/01/2020", ""],
)
def test_bad_french_dates_name_the_text(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_french_date(text)
    assert repr(text) in str(caught.value) or "impossible" in str(caught.value)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1958, 10, 4), max_value=date(2100, 12, 31)))
def test_french_dates_round_trip(day: date) -> None:
    written = format_french_date(day)
    assert parse_french_date(written) == day
    assert written.startswith("1er ") == (day.day == 1)


# ------------------------------------------------------------------ detection


@pytest.mark.parametrize(
    "name", [*sorted(p.name for p in PAGES.glob("*.md") if p.name != "README.md"), "QANR5L15QE40439.html"]
)
def test_pages_are_detected_by_content(name: str) -> None:
    assert looks_like_page((PAGES / name).read_bytes())


@pytest.mark.parametrize(
    "path",
    [
        *sorted((FIXTURES / "questions").glob("*.json")),
        *sorted((FIXTURES / "questions").glob("*.xml")),
        FIXTURES / "registry" / "organes" / "amo-nettoye" / "PO774113.json",
        FIXTURES / "questions" / "README.md",
        PAGES / "README.md",  # it talks about pages, and is none
    ],
    ids=lambda p: p.name,
)
def test_records_and_other_files_are_not_pages(path: Path) -> None:
    assert not looks_like_page(path.read_bytes())


def test_detection_ignores_the_file_name(tmp_path: Path) -> None:
    data = EXAMPLE.read_bytes()
    page, _ = read_page("notes.txt", data)
    assert page.uid == "QANR5L15QE40439"
    with pytest.raises(PageError) as caught:
        read_page("QANR5L15QE40439.md", b'{"question": {"uid": "QANR5L15QE40439"}}')
    assert caught.value.code == "not-a-page"


# ------------------------------------------------------------------ the example page


def test_example_page_gives_every_fact() -> None:
    page, warnings = read("QANR5L15QE40439.md")
    assert warnings == []
    assert page.uid == "QANR5L15QE40439"
    assert (page.legislature, page.type, page.number) == (15, QuestionType.WRITTEN, 40439)
    assert page.title == "Désignation d'un nouvel hébergeur des données traitées par le Health data hub"
    assert page.sha256 == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert page.format == "markdown"
    assert page.author == "Mme Constance Le Grip"
    assert (page.author_civility, page.author_name, page.author_ref) == ("Mme", "Constance Le Grip", None)
    assert page.constituency == "Hauts-de-Seine (6e circonscription)"
    assert (page.department, page.constituency_number) == ("Hauts-de-Seine", 6)
    assert page.group == "Les Républicains"
    assert page.rubrique == "Numérique"
    assert page.tete_analyse is None and page.analyse is None
    assert page.questioned_ministry == "Transition numérique et communications électroniques"
    assert page.attributed_ministry == "Santé et prévention"
    assert page.dates == (
        KeyDate(DateKind.QUESTION_PUBLISHED, date(2021, 7, 27), 5991),
        KeyDate(DateKind.WITHDRAWN, date(2022, 6, 21), None, "Fin de mandat"),
    )
    assert page.answer_html is None
    # the text: one paragraph, the Markdown emphasis as <em>, every character kept
    assert page.question_html is not None
    assert page.question_html.startswith("<p>Mme Constance Le Grip appelle l'attention")
    assert page.question_html.count("<em>") == 4 and "<em>Health data hub</em>" in page.question_html
    record = orjson.loads((FIXTURES / "questions" / "QANR5L15QE40439.json").read_bytes())
    written = record["question"]["textesQuestion"]["texteQuestion"]["texte"]
    assert plain_text(page.question_html) == written.replace("*", "")


def test_html_page_gives_the_same_facts_as_the_markdown() -> None:
    markdown, _ = read("QANR5L15QE40439.md")
    page, warnings = read("QANR5L15QE40439.html")
    assert warnings == []  # navigation, scripts and footer are not read as lines of the page
    assert page.format == "html"
    assert page.author_ref == "PA345722"  # the HTML links to the deputy's page; the Markdown lost the link
    assert facts(page, "author_ref") == facts(markdown, "author_ref")


def test_old_site_change_of_attribution_date() -> None:
    page, warnings = read("QANR5L15QE40439-old-site-attribution.md")
    assert warnings == []
    assert page.dates_of(DateKind.ATTRIBUTION_CHANGE) == (
        KeyDate(DateKind.ATTRIBUTION_CHANGE, date(2022, 5, 21)),
    )


def test_answered_page_with_signalement() -> None:
    page, warnings = read("QANR5L15QE20618.md")
    assert warnings == []
    assert page.dates == (
        KeyDate(DateKind.QUESTION_PUBLISHED, date(2019, 6, 18), 5512),
        KeyDate(DateKind.SIGNALEMENT, date(2019, 11, 26), 10098),
        KeyDate(DateKind.ANSWER_PUBLISHED, date(2019, 12, 3), 10547),
    )
    assert page.answer_html is not None and page.answer_html.count("<p>") == 3
    assert page.question_html is not None and page.question_html.count("<p>") == 2
    assert page.constituency == "Réunion (5e circonscription)" and page.group == "La France insoumise"


def test_renewals_in_both_sites_wordings() -> None:
    page, warnings = read("QANR5L16QE1587.md")
    assert warnings == []
    assert page.dates_of(DateKind.RENEWAL) == (
        KeyDate(DateKind.RENEWAL, date(2023, 1, 10), 212),
        KeyDate(
            DateKind.RENEWAL, date(2023, 5, 9), 4150
        ),  # "Date de renouvellement : 09/05/2023 page : 4150"
    )
    assert page.first(DateKind.ANSWER_PUBLISHED) == KeyDate(
        DateKind.ANSWER_PUBLISHED, date(2023, 6, 20), 5643
    )


def test_question_to_the_government() -> None:
    page, warnings = read("QANR5L15QG4108.md")
    assert warnings == []
    assert (page.uid, page.type) == ("QANR5L15QG4108", QuestionType.GOVERNMENT)
    assert page.question_html is None  # a QG has no question text: the transcript is the answer
    assert page.answer_html is not None
    assert page.answer_html.startswith(
        "<p><strong>M. le président.</strong> La parole est à M. Fabien Roussel.</p>"
    )
    assert "50\xa0%" in page.answer_html  # the no-break spaces of the source are kept
    assert "(<em>Applaudissements sur les bancs du groupe GDR.</em>)" in page.answer_html
    assert page.tete_analyse == "Prix de l'énergie"
    assert page.dates == (KeyDate(DateKind.ANSWER_PUBLISHED, date(2021, 10, 26), 9112),)


def test_unknown_lines_are_reported_never_dropped() -> None:
    page, warnings = read("unknown-lines.md")
    assert facts(page) == facts(read("QANR5L15QE40439.md")[0])  # what the page reader knows is all read
    assert warnings == [
        "unknown-line None line 13: header line not read: 'Version imprimable'",
        'unknown-line None line 31: Données clés: line not read: "Suivi de la question : S\'abonner"',
        "unknown-line Question publiée au JO le line 39: the parenthesis (édition numérique) is not read",
        "unknown-line None line 41: Date(s) clé(s): line not read: 'Question en attente de réponse'",
        "unknown-section Documents liés line 45: not a section a page has; its lines are reported one by one",
        "unknown-line None line 47: line of an unknown section not read: 'Journal officiel du 27 juillet 2021'",
    ]


def test_page_warnings_name_the_file_and_the_question() -> None:
    _, warnings = read_page("unknown-lines.md", (PAGES / "unknown-lines.md").read_bytes())
    assert {(w.severity, w.file, w.record) for w in warnings} == {
        ("warning", "unknown-lines.md", "QANR5L15QE40439")
    }


def test_key_lines_without_blank_lines_and_extra_values(tmp_path: Path) -> None:
    text = (
        "15e législature\n\nUn titre\n\nQuestion orale sans débat n° 12\n\n## Données clés\n"
        "**Auteur :** M. Jean Dupont\n**Circonscription :** Ain (1re circonscription)\n"
        "**Groupe :** Les Républicains\n**Rubrique :** Agriculture\n"
        "## Date(s) clé(s)\n**Question publiée au JO le :** 1<sup>er</sup> mars 2022, page : 12\n"
        "**Date de la séance :** 8 mars 2022\n"
    )
    page, warnings = read_page("page.md", text.encode())
    assert warnings == []
    assert (page.uid, page.title) == ("QANR5L15QOSD12", "Un titre")
    assert (page.department, page.constituency_number, page.group) == ("Ain", 1, "Les Républicains")
    assert page.dates == (
        KeyDate(DateKind.QUESTION_PUBLISHED, date(2022, 3, 1), 12),
        KeyDate(DateKind.SITTING, date(2022, 3, 8)),
    )


def test_latin1_html_declaring_its_charset() -> None:
    text = (PAGES / "QANR5L15QE40439.html").read_text(encoding="utf-8")
    text = (
        text.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
        .replace("«", '"')
        .replace("»", '"')
    )
    data = text.replace("\u2019", "'").encode("iso-8859-1")
    page, warnings = read_page("latin1.html", data)
    assert warnings == []
    assert page.author == "Mme Constance Le Grip" and page.rubrique == "Numérique"


# ------------------------------------------------------------------ pages that cannot be read


def example_with(old: str, new: str) -> bytes:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new).encode("utf-8")


@pytest.mark.parametrize(
    ("data", "code", "field", "fragment"),
    [
        (b"# Notes\n\nnothing to see", "not-a-page", None, "not a question page"),
        (example_with("15ème législature", ""), "not-a-question", None, "legislature"),
        (
            example_with("[27 juillet 2021](#), page 5991", "31 février 2021"),
            "bad-date",
            "Question publiée au JO le",
            "impossible date",
        ),
        (
            example_with("21 juin 2022 (Fin de mandat)", "bientôt"),
            "bad-date",
            "Question retirée le",
            "bientôt",
        ),
        (
            example_with("**Numéro de la question :** 40439", "**Numéro de la question :** 40440"),
            "conflict",
            "Numéro de la question",
            "40439",
        ),
        (
            example_with("**Type de question :** Question écrite", "**Type de question :** Pétition"),
            "bad-type",
            "Type de question",
            "Pétition",
        ),
        (
            EXAMPLE.read_bytes().replace(b"Constance", b"Constance\xff", 1),
            "bad-encoding",
            None,
            "not valid UTF-8 at byte",
        ),
    ],
)
def test_unreadable_pages_raise_one_line_record_errors(
    data: bytes, code: str, field: str | None, fragment: str
) -> None:
    with pytest.raises(PageError) as caught:
        read_page("page.md", data)
    error = caught.value
    assert isinstance(error, RecordError) and error.exit_code == ExitCode.BAD_INPUT
    assert (error.code, error.field) == (code, field)
    assert fragment in str(error)
    assert str(error).startswith("page.md") and "\n" not in str(error)


# ------------------------------------------------------------------ inline Markdown → canonical HTML


@pytest.mark.parametrize(
    ("markdown", "expected", "links"),
    [
        ("le *Health data hub*.", "le <em>Health data hub</em>.", ()),
        ("**M. le président.** La parole", "<strong>M. le président.</strong> La parole", ()),
        ("_a_ et __b__", "<em>a</em> et <strong>b</strong>", ()),
        ("[Mme Constance Le Grip](#)", "Mme Constance Le Grip", ("#",)),
        ("6<sup>e</sup> circonscription", "6<sup>e</sup> circonscription", ()),
        ("R & D < 5 > 3 &amp; co", "R &amp; D &lt; 5 &gt; 3 &amp; co", ()),
        (r"\*pas\* d'emphase, 5 * 3 * 2", "*pas* d'emphase, 5 * 3 * 2", ()),
        ("<script>alert(1)</script> texte <b>gras</b>", "alert(1) texte <strong>gras</strong>", ()),
        ("snake_case_name", "snake_case_name", ()),
    ],
)
def test_markdown_inline_to_canonical_html(markdown: str, expected: str, links: tuple[str, ...]) -> None:
    assert markdown_inline_to_html(markdown) == (expected, links)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=60))
def test_escaped_text_survives_the_markdown_reader(text: str) -> None:
    """What the card writes (text escaped for Markdown) reads back as the same text."""
    from kg.query.card import html_to_markdown

    written = html_to_markdown(f"<p>{html.escape(text, quote=False)}</p>")
    converted, _ = markdown_inline_to_html(written)
    assert " ".join(html.unescape(converted.replace("<br />", " ")).split()) == " ".join(text.split())
