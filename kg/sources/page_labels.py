"""The labels question pages write, per site generation, and the French dates they use: the page grammar's tables.

A new design of the Assemblée's pages is a new row here, not a new reader. Each :class:`Label` says what a
line means, which generations write it, how its value is separated from it (``:`` on the current site and in
Markdown renderings, ``>`` on the old question site, nothing before a date: "Question publiée le 18 mai
1992") and one example line as a page writes it — the manual lists them (docs/inputs.md).

Labels are compared folded (:func:`fold`: case, accents, apostrophes and dashes ignored).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from kg.models import QuestionType

__all__ = [
    "DATE_RE",
    "DEPARTMENTS",
    "LABELS",
    "MONTHS",
    "SECTIONS",
    "TYPES_BY_LABEL",
    "TYPE_LABELS",
    "DateKind",
    "Fact",
    "Generation",
    "Label",
    "Section",
    "date_of",
    "fold",
    "format_french_date",
    "parse_french_date",
    "plain",
    "squash",
]


class Generation(StrEnum):
    """Which renderings of a question page write a label."""

    OLD_SITE = "old question site"  # questions.assemblee-nationale.fr/qNN/NN-NNNNQE.htm
    CURRENT_SITE = "current site"  # www.assemblee-nationale.fr/dyn/{leg}/questions/{uid}
    MARKDOWN = "Markdown rendering"  # the current site's page as Markdown (## headings, **Label :**)


OLD, CURRENT, MD = Generation.OLD_SITE, Generation.CURRENT_SITE, Generation.MARKDOWN


class Fact(StrEnum):
    """A one-value fact of the page (``Label : value``)."""

    AUTHOR = "author"
    CONSTITUENCY = "constituency"
    GROUP = "group"
    TYPE = "type"
    NUMBER = "number"
    RUBRIQUE = "rubrique"
    TETE_ANALYSE = "tete_analyse"
    ANALYSE = "analyse"
    TITLE = "title"
    QUESTIONED_MINISTRY = "questioned_ministry"
    ATTRIBUTED_MINISTRY = "attributed_ministry"


class DateKind(StrEnum):
    """The dates a page gives."""

    QUESTION_PUBLISHED = "question-published"  # Question publiée au JO le : …, page …
    ANSWER_PUBLISHED = "answer-published"  # Réponse publiée au JO le : …, page …
    SIGNALEMENT = "signalement"  # Question signalée au JO le : … / Date de signalement : …
    RENEWAL = "renewal"  # Question renouvelée au JO le : … / Date de renouvellement : …
    ATTRIBUTION_CHANGE = "attribution-change"  # Date de changement d'attribution : …
    WITHDRAWN = "withdrawn"  # Question retirée le : … (motif)
    CLOSED = "closed"  # Date de cloture : … then the reason on the next line
    SITTING = "sitting"  # Date de la séance : … (QG, QOSD)
    QUESTION_ERRATUM = "question-erratum"  # Erratum de la question publié au JO le : … (old site)
    ANSWER_ERRATUM = "answer-erratum"  # Erratum de la réponse publié au JO le : … (old site)


class Section(StrEnum):
    """Where a line stands: its heading or marker line decides how the lines below it are read."""

    HEADER = "header"
    QUESTION_TEXT = "Texte de la question"
    ANSWER_TEXT = "Texte de la réponse"
    KEY_FACTS = "Données clés"
    KEY_DATES = "Date(s) clé(s)"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Label:
    """One label of the grammar: its text, what it gives, where it is written and an example line."""

    text: str  # as pages write it: "Ministère interrogé"
    gives: Fact | DateKind | Section | str  # str: "dates" (a block of date lines), "author-line", "chrome"
    generations: tuple[Generation, ...]
    example: str  # one line of a real (or seed) page
    separators: str = ":>"  # what may stand between the label and its value; "" also allows none (dates)

    @property
    def key(self) -> str:
        return fold(self.text)


# fmt: off
#: Every label line the grammar reads. Date labels accept no separator at all ("Question publiée le 18 mai 1992").
LABELS: Final[tuple[Label, ...]] = (
    # -- facts
    Label("Auteur", Fact.AUTHOR, (CURRENT, MD), "Auteur : M. Michel Zumkeller"),
    Label("Question de", Fact.AUTHOR, (CURRENT,), "Question de : Mme Marie-France Lorho"),
    Label("Circonscription", Fact.CONSTITUENCY, (MD,),
          "**Circonscription :** Hauts-de-Seine (6<sup>e</sup> circonscription) - Les Républicains"),
    Label("Groupe", Fact.GROUP, (CURRENT, MD), "Groupe : Les Républicains"),
    Label("Groupe politique", Fact.GROUP, (CURRENT,), "Groupe politique : Les Républicains"),
    Label("Type de question", Fact.TYPE, (CURRENT, MD), "Type de question : Question écrite"),
    Label("Numéro de la question", Fact.NUMBER, (MD,), "**Numéro de la question :** 40439"),
    Label("Rubrique", Fact.RUBRIQUE, (OLD, CURRENT, MD), "Rubrique > numérique"),
    Label("Tête d'analyse", Fact.TETE_ANALYSE, (OLD, CURRENT, MD), "Tête d'analyse > équipements"),
    Label("Analyse", Fact.ANALYSE, (OLD, CURRENT), "Analyse > équipements militaires"),
    Label("Titre", Fact.TITLE, (OLD,),
          "Titre > Désignation d'un nouvel hébergeur des données traitées par le Health data hub"),
    Label("Ministère interrogé", Fact.QUESTIONED_MINISTRY, (OLD, CURRENT, MD),
          "Ministère interrogé > Transition numérique et communications électroniques"),
    Label("Ministère attributaire", Fact.ATTRIBUTED_MINISTRY, (OLD, CURRENT, MD),
          "Ministère attributaire > Santé et prévention"),
    Label("Ministère répondant", Fact.ATTRIBUTED_MINISTRY, (CURRENT,),
          "Ministère répondant : Relations avec le Parlement"),
    # -- dates
    Label("Question publiée au JO le", DateKind.QUESTION_PUBLISHED, (OLD, MD),
          "Question publiée au JO le : 27/07/2021 page : 5991", ":"),
    Label("Question publiée le", DateKind.QUESTION_PUBLISHED, (CURRENT,), "Question publiée le 18 mai 1992", ":"),
    Label("Réponse publiée au JO le", DateKind.ANSWER_PUBLISHED, (OLD, MD),
          "Réponse publiée au JO le : 11/10/2022 page : 4587", ":"),
    Label("Réponse publiée le", DateKind.ANSWER_PUBLISHED, (CURRENT,), "Réponse publiée le 6 mai 2025", ":"),
    Label("Question signalée au JO le", DateKind.SIGNALEMENT, (OLD, MD),
          "Question signalée au JO le : 26/11/2019", ":"),
    Label("Question signalée le", DateKind.SIGNALEMENT, (CURRENT,), "Question signalée le 26 novembre 2019", ":"),
    Label("Date de signalement", DateKind.SIGNALEMENT, (CURRENT, MD), "Date de signalement : 26 novembre 2019", ":"),
    Label("Question renouvelée au JO le", DateKind.RENEWAL, (OLD, MD),
          "Question renouvelée au JO le : 10/01/2023 page : 212", ":"),
    Label("Question renouvelée le", DateKind.RENEWAL, (CURRENT,), "Question renouvelée le 10 janvier 2023", ":"),
    Label("Date de renouvellement", DateKind.RENEWAL, (OLD, CURRENT, MD),
          "Date de renouvellement : 09/05/2023 page : 4150", ":"),
    Label("Date de changement d'attribution", DateKind.ATTRIBUTION_CHANGE, (OLD, CURRENT, MD),
          "Date de changement d'attribution: 21/05/2022", ":"),
    Label("Question retirée le", DateKind.WITHDRAWN, (OLD, MD), "Question retirée le: 21/06/2022 (fin de mandat)", ":"),
    Label("Date de cloture", DateKind.CLOSED, (CURRENT,), "Date de cloture :", ":"),
    Label("Date de clôture", DateKind.CLOSED, (CURRENT,), "Date de clôture : 21 juin 2022", ":"),
    Label("Erratum de la question publié au JO le", DateKind.QUESTION_ERRATUM, (OLD,),
          "Erratum de la question publié au JO le : 15/03/2022 page : 1702", ":"),
    Label("Erratum de la réponse publié au JO le", DateKind.ANSWER_ERRATUM, (OLD,),
          "Erratum de la réponse publié au JO le : 15/03/2022 page : 1702", ":"),
    Label("Date de la séance", DateKind.SITTING, (CURRENT, MD), "Date de la séance : 26 octobre 2021", ":"),
    # -- a line that opens a block of date lines
    Label("Date", "dates", (CURRENT,), "Date :"),
    Label("Dates", "dates", (CURRENT,), "Dates :"),
    Label("Date(s)", "dates", (CURRENT,), "Date(s) :"),
)
# fmt: on

#: Section titles, as headings (Markdown ``##``, HTML ``<h2>``) or as plain lines (old site, text renderings).
SECTIONS: Final[dict[str, Section]] = {
    "texte de la question": Section.QUESTION_TEXT,
    "texte de la reponse": Section.ANSWER_TEXT,
    "donnees cles": Section.KEY_FACTS,
    "donnee cle": Section.KEY_FACTS,
    "date(s) cle(s)": Section.KEY_DATES,
    "dates cles": Section.KEY_DATES,
    "date cle": Section.KEY_DATES,
}
#: Page furniture met in text renderings: read, known, and nothing to keep.
CHROME: Final = frozenset({"assemblee nationale", "partager", "imprimer"})

#: The type of a question as a page writes it.
TYPE_LABELS: Final[dict[QuestionType, str]] = {
    QuestionType.WRITTEN: "Question écrite",
    QuestionType.ORAL: "Question orale sans débat",
    QuestionType.GOVERNMENT: "Question au Gouvernement",
}
TYPES_BY_LABEL: Final[dict[str, QuestionType]] = {
    "question ecrite": QuestionType.WRITTEN,
    "question orale sans debat": QuestionType.ORAL,
    "question orale": QuestionType.ORAL,
    "question au gouvernement": QuestionType.GOVERNMENT,
}

#: Header lines (folded), one example each for the manual.
TYPE_LINE: Final = re.compile(
    r"^(?P<type>question ecrite|question orale sans debat|question orale|question au gouvernement)"
    r"\s+n\s*(?:°|o|º|\.)\s*:?\s*(?P<number>\d+)\s*(?P<colon>:)?$"
)
NUMBER_LINE: Final = re.compile(r"^question\s+n\s*(?:°|o|º|\.)\s*:?\s*(?P<number>\d+)\s*:?$")  # old site
LEGISLATURE_LINE: Final = re.compile(r"^(?P<leg>\d{1,2})\s*(?:e|eme|er|re|ere)?\s+legislature$")
#: "de Mme Constance Le Grip (Les Républicains - Hauts-de-Seine )" (old site), on the raw text
OLD_AUTHOR_LINE: Final = re.compile(
    r"^de\s+(?P<who>(?:M\.|Mme|Mlle|MM\.|Monsieur|Madame)\s+[^()]+?)\s*\((?P<inside>[^()]*)\)\s*$"
)
HEADER_EXAMPLES: Final[tuple[tuple[str, str, tuple[Generation, ...]], ...]] = (
    ("legislature", "15ème législature", (OLD, CURRENT, MD)),
    ("type and number", "Question écrite n° 40439", (MD,)),
    ("type and number, the title on the next line", "Question écrite n° 6287 :", (CURRENT,)),
    ("number alone", "Question N° 40439", (OLD,)),
    ("number alone, HTML of the old site", "Question N° : 40439", (OLD,)),
    ("type alone", "Question écrite", (OLD,)),
    ("author (group - department)", "de Mme Constance Le Grip (Les Républicains - Hauts-de-Seine )", (OLD,)),
    (
        "constituency - group, under 'Question de'",
        "Vaucluse (4e circonscription) - Rassemblement National",
        (CURRENT,),
    ),
    ("group alone, under 'Question de'", "- Socialiste", (CURRENT,)),
)

#: French departments and other constituencies' territories, to split "M. X Département (Ne circonscription)"
#: when a rendering puts the author and the constituency on one line.
DEPARTMENTS: Final[tuple[str, ...]] = (
    "Ain", "Aisne", "Allier", "Alpes-de-Haute-Provence", "Hautes-Alpes", "Alpes-Maritimes", "Ardèche",
    "Ardennes", "Ariège", "Aube", "Aude", "Aveyron", "Bouches-du-Rhône", "Calvados", "Cantal", "Charente",
    "Charente-Maritime", "Cher", "Corrèze", "Corse-du-Sud", "Haute-Corse", "Côte-d'Or", "Côtes-d'Armor",
    "Creuse", "Dordogne", "Doubs", "Drôme", "Eure", "Eure-et-Loir", "Finistère", "Gard", "Haute-Garonne",
    "Gers", "Gironde", "Hérault", "Ille-et-Vilaine", "Indre", "Indre-et-Loire", "Isère", "Jura", "Landes",
    "Loir-et-Cher", "Loire", "Haute-Loire", "Loire-Atlantique", "Loiret", "Lot", "Lot-et-Garonne", "Lozère",
    "Maine-et-Loire", "Manche", "Marne", "Haute-Marne", "Mayenne", "Meurthe-et-Moselle", "Meuse", "Morbihan",
    "Moselle", "Nièvre", "Nord", "Oise", "Orne", "Pas-de-Calais", "Puy-de-Dôme", "Pyrénées-Atlantiques",
    "Hautes-Pyrénées", "Pyrénées-Orientales", "Bas-Rhin", "Haut-Rhin", "Rhône", "Haute-Saône",
    "Saône-et-Loire", "Sarthe", "Savoie", "Haute-Savoie", "Paris", "Seine-Maritime", "Seine-et-Marne",
    "Yvelines", "Deux-Sèvres", "Somme", "Tarn", "Tarn-et-Garonne", "Var", "Vaucluse", "Vendée", "Vienne",
    "Haute-Vienne", "Vosges", "Yonne", "Territoire de Belfort", "Essonne", "Hauts-de-Seine",
    "Seine-Saint-Denis", "Val-de-Marne", "Val-d'Oise", "Guadeloupe", "Martinique", "Guyane", "Réunion",
    "La Réunion", "Mayotte", "Saint-Pierre-et-Miquelon", "Saint-Barthélemy et Saint-Martin",
    "Wallis-et-Futuna", "Polynésie française", "Nouvelle-Calédonie", "Français établis hors de France",
)  # fmt: skip


# ------------------------------------------------------------------ text helpers


def fold(text: str) -> str:
    """Lower case, accents and typographic variants folded, spaces collapsed: for comparing labels."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'").replace("`", "'")
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return " ".join(text.split())


_TAG = re.compile(r"<[^>]*>")


def squash(text: str) -> str:
    """Collapse whitespace (NBSP included: it is layout in labels and values) and trim."""
    return " ".join(text.replace("\xa0", " ").split())


def plain(fragment: str) -> str:
    """The text of an inline HTML fragment, markup removed and whitespace collapsed."""
    return squash(html.unescape(_TAG.sub("", fragment)))


# ------------------------------------------------------------------ French dates

MONTHS: Final[tuple[str, ...]] = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_WEEKDAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_MONTH_RE = r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre"
#: A date as pages write it, at the start of a value: words, the old site's DD/MM/YYYY, or ISO.
DATE_RE: Final = re.compile(
    rf"(?:(?:{_WEEKDAYS})\s+)?(?P<day>\d{{1,2}})\s*(?:er|ER)?\s+(?P<month>{_MONTH_RE})\s+(?P<year>\d{{4}})"
    r"|(?P<nday>\d{1,2})/(?P<nmonth>\d{1,2})/(?P<nyear>\d{4})"
    r"|(?P<iyear>\d{4})-(?P<imonth>\d{2})-(?P<iday>\d{2})",
    re.IGNORECASE,
)


def _month_number(name: str) -> int:
    folded = fold(name)
    for number, month in enumerate(MONTHS, start=1):
        if fold(month) == folded:
            return number
    raise ValueError(f"unknown month {name!r}")


def date_of(match: re.Match[str]) -> date:
    """The date a :data:`DATE_RE` match names. Raises ``ValueError`` for an impossible day."""
    if match.group("day"):
        day, month, year = (
            int(match.group("day")),
            _month_number(match.group("month")),
            int(match.group("year")),
        )
    elif match.group("nday"):
        day, month, year = int(match.group("nday")), int(match.group("nmonth")), int(match.group("nyear"))
    else:
        day, month, year = int(match.group("iday")), int(match.group("imonth")), int(match.group("iyear"))
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"impossible date {match.group(0)!r} ({exc})") from None


def parse_french_date(text: str) -> date:
    """``27 juillet 2021``, ``1er décembre 2019``, ``mardi 27 juillet 2021``, ``27/07/2021``, ``2021-07-27``.

    The whole text must be the date (markup such as ``1<sup>er</sup>`` removed first). Raises ``ValueError``
    naming the text otherwise, or for an impossible day (``31 février 2021``)."""
    match = DATE_RE.fullmatch(plain(text))
    if match is None:
        raise ValueError(
            f"not a date: {text!r} (expected '27 juillet 2021', '1er décembre 2019', DD/MM/YYYY or YYYY-MM-DD)"
        )
    return date_of(match)


def format_french_date(day: date) -> str:
    """``27 juillet 2021``; the first of the month is ``1er``, as the Assemblée writes it."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"
