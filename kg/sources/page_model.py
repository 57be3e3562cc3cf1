"""What one question page says, typed: :class:`PageQuestion`, its dates, and the error a page that gives none raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from kg.errors import RecordError
from kg.models import QuestionType
from kg.report import Diagnostic
from kg.sources.page_labels import DateKind

__all__ = ["KeyDate", "PageError", "PageQuestion"]


class PageError(RecordError):
    """A page that cannot be read as a question. ``code`` is machine-readable: ``not-a-page`` (no question
    line, no page label), ``no-number`` / ``not-a-question`` (a page without its identity), ``bad-date`` …"""

    def __init__(
        self, message: str, *, file: str, record: str | None = None, field: str | None = None, code: str
    ) -> None:
        super().__init__(message, file=file, record=record, field=field)
        self.code = code
        self.warnings: list[Diagnostic] = []  # what the reader said before it stopped


@dataclass(frozen=True, slots=True)
class KeyDate:
    kind: DateKind
    date: date
    page: int | None = None  # JO page
    reason: str | None = None  # the reason of a withdrawal or closure: "Fin de mandat"
    label: str = field(default="", compare=False)  # the line's label as the page writes it
    line: int | None = field(default=None, compare=False)  # line in the source (1-based)


@dataclass(frozen=True, slots=True)
class PageQuestion:
    """What one question page says, typed. Labels are as written (markup removed); texts are HTML."""

    file: str
    sha256: str  # of the page's bytes
    format: Literal["markdown", "html", "text"]
    legislature: int
    type: QuestionType
    number: int
    title: str | None = None
    question_html: str | None = (
        None  # canonical HTML fragment (<p>…</p>…), or plain text (one bare paragraph)
    )
    answer_html: str | None = None
    author: str | None = None  # "Mme Constance Le Grip"
    author_civility: str | None = None  # "Mme" | "M." | "Mlle"
    author_name: str | None = None  # "Constance Le Grip" (either order: "Lengagne Guy")
    author_ref: str | None = None  # PA… when the page links to the deputy's page (HTML pages do)
    constituency: str | None = None  # "Hauts-de-Seine (6e circonscription)"
    department: str | None = None  # "Hauts-de-Seine" (the old site gives it without the number)
    constituency_number: int | None = None  # 6
    group: str | None = None  # "Les Républicains"
    rubrique: str | None = None  # as the page writes it: "Numérique"
    tete_analyse: str | None = None
    analyse: str | None = None  # an explicit "Analyse" line, when the page has one
    questioned_ministry: str | None = None
    attributed_ministry: str | None = None
    dates: tuple[KeyDate, ...] = ()
    links: tuple[str, ...] = field(default=(), compare=False)  # every link target met (for diagnostics)

    @property
    def uid(self) -> str:
        return f"QANR5L{self.legislature}{self.type.value}{self.number}"

    def dates_of(self, kind: DateKind) -> tuple[KeyDate, ...]:
        return tuple(d for d in self.dates if d.kind is kind)

    def first(self, kind: DateKind) -> KeyDate | None:
        return next((d for d in self.dates if d.kind is kind), None)
