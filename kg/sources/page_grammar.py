"""One line grammar over a page's text lines: the facts of one question page, whatever its generation and markup.

The lines come from :mod:`kg.sources.page_lines` (HTML, Markdown or plain text alike); the labels from the
tables of :mod:`kg.sources.page_labels`. A line is, in this order:

1. the **continuation** the previous line announced: the title under "Question écrite n° 6287 :", the
   "Département (Ne circonscription) - Groupe" line under "Question de : M. X", the value of a label whose
   line ended with its separator (a hard line break inside "Label : value"), the date and then the reason
   under "Date de cloture :";
2. a **section title**, as a heading or a plain line ("Texte de la question", "Données clés", "Date(s) clé(s)");
3. inside a text section, a line of the **text** (the "Réponse publiée le …" line above an answer ends the
   question's text and opens the answer's);
4. a **header line**: the legislature, the type and number (or the old site's "Question N° n" and its type
   on a line of its own), the old site's author line "de Mme X (Groupe - Département )";
5. a **label line** "Label : value", "Label > value", or a date label followed by its date;
6. otherwise a line the grammar does not know: a warning with its line number — except the title (the
   header line just above the type line) and, on the current site, the question's text that follows the
   author's lines without a title of its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from kg.models import QuestionType
from kg.report import Diagnostic
from kg.sources.page_labels import (
    CHROME,
    DATE_RE,
    DEPARTMENTS,
    LABELS,
    LEGISLATURE_LINE,
    NUMBER_LINE,
    OLD_AUTHOR_LINE,
    SECTIONS,
    TYPE_LABELS,
    TYPE_LINE,
    TYPES_BY_LABEL,
    DateKind,
    Fact,
    Label,
    Section,
    date_of,
    fold,
)
from kg.sources.page_lines import Format, Line, paragraphs_html
from kg.sources.page_model import KeyDate, PageError, PageQuestion

__all__ = ["read_lines", "recognised"]

_LABELS_BY_KEY: Final[dict[str, Label]] = {label.key: label for label in LABELS}
_DATE_LABELS: Final[tuple[Label, ...]] = tuple(
    sorted((label for label in LABELS if isinstance(label.gives, DateKind)), key=lambda x: -len(x.key))
)
_SINGLE: Final = frozenset(
    {
        DateKind.QUESTION_PUBLISHED,
        DateKind.ANSWER_PUBLISHED,
        DateKind.WITHDRAWN,
        DateKind.CLOSED,
        DateKind.SITTING,
    }
)
_DATE_VALUE: Final = re.compile(
    r"^(?:(?:\d+\s*(?:re|ère|ere|e|ème|eme)\s+)?s[ée]ance\s+(?:du|de)\s+)?"  # "1re séance du mardi 26 …"
    rf"(?P<date>{DATE_RE.pattern})"
    r"(?:\s*[,;]?\s*(?:page|p\.)\s*:?\s*(?P<page>\d+))?"
    r"(?:\s*\(\s*(?P<reason>[^)]*?)\s*\))?"
    r"\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_CIVILITY: Final = re.compile(r"^(?P<civ>M\.|Mme|Mlle|MM\.|Monsieur|Madame|Mademoiselle)\s+(?P<name>\S.*)$")
_CIVILITIES: Final = {"monsieur": "M.", "madame": "Mme", "mademoiselle": "Mlle"}
_CONSTITUENCY: Final = re.compile(
    r"^(?P<dept>.*?)\s*\(\s*(?P<n>\d{1,3})\s*(?:e|er|re|ère|ere|ème|eme|°)?\s+circonscription\s*\)"
    r"\s*(?:[-–—]\s*(?P<group>\S.*?))?\s*$",
    re.IGNORECASE,
)
_GROUP_ONLY: Final = re.compile(r"^[-–—]\s*(?P<group>\S.*?)\s*$")
_UID_ANYWHERE: Final = re.compile(r"QANR5L(\d{1,2})(QE|QOSD|QG)(\d+)")
_DEPUTY_LINK: Final = re.compile(r"(?:^|/)(PA\d+)(?:$|[/?#.])")
_DEPARTMENTS_FOLDED: Final = {fold(d): d for d in DEPARTMENTS}
_TEXTS = (Section.QUESTION_TEXT, Section.ANSWER_TEXT)


@dataclass(frozen=True, slots=True)
class _Place:
    """Where the author sits and with whom, as one line says it."""

    department: str | None
    number: int | None
    group: str | None
    line: Line


def _split_place(text: str, line: Line) -> _Place | None:
    """``Vaucluse (4e circonscription) - Rassemblement National``, ``- Socialiste``; None for anything else."""
    match = _CONSTITUENCY.match(text)
    if match:
        return _Place(match.group("dept").strip() or None, int(match.group("n")), match.group("group"), line)
    only = _GROUP_ONLY.match(text)
    if only:
        return _Place(None, None, only.group("group"), line)
    return None


def _split_old_place(inside: str, line: Line) -> _Place:
    """The old site's parenthesis "(Groupe - Département )": split on the LAST " - " (groups contain one)."""
    inside = " ".join(inside.split())
    if " - " in inside:
        group, department = inside.rsplit(" - ", 1)
        return _Place(department.strip() or None, None, group.strip() or None, line)
    if fold(inside) in _DEPARTMENTS_FOLDED:
        return _Place(inside, None, None, line)
    return _Place(None, None, inside or None, line)


_BRACKETED: Final = re.compile(r"^(?P<who>.+?)\s*\((?P<inside>[^()]*)\)\s*$")


def _bracketed_place(inside: str, line: Line) -> _Place | None:
    """ "(Département - Groupe)" or "(Groupe - Département)": the side that is a department tells the order."""
    inside = " ".join(inside.split())
    for left, right in (inside.rsplit(" - ", 1), inside.split(" - ", 1)) if " - " in inside else ():
        if fold(right) in _DEPARTMENTS_FOLDED:
            return _Place(right, None, left or None, line)
        if fold(left) in _DEPARTMENTS_FOLDED:
            return _Place(left, None, right or None, line)
    if fold(inside) in _DEPARTMENTS_FOLDED:
        return _Place(inside, None, None, line)
    return None


def _author_and_place(value: str, line: Line) -> tuple[str, _Place | None]:
    """ "Mme X", "Mme X Vaucluse (4e circonscription) - Groupe" or "Mme X (Vaucluse - Groupe)" (one line): the
    name, and the place if any."""
    match = _CONSTITUENCY.match(value)
    if match is None:
        bracketed = _BRACKETED.match(value)
        place = _bracketed_place(bracketed.group("inside"), line) if bracketed else None
        if bracketed is not None and place is not None:
            return bracketed.group("who"), place
        return value, None
    before = match.group("dept").split()
    for start in range(1, len(before)):  # the longest department name that ends the text before "("
        department = _DEPARTMENTS_FOLDED.get(fold(" ".join(before[start:])))
        if department is not None:
            place = _Place(" ".join(before[start:]), int(match.group("n")), match.group("group"), line)
            return " ".join(before[:start]), place
    return value, None


def _label_line(text: str) -> tuple[Label, str] | None:
    """``Label : value``, ``Label > value``, or a date label followed by its date; the label and the value."""
    for separator in (":", ">"):
        left, found, right = text.partition(separator)
        if found:
            label = _LABELS_BY_KEY.get(fold(left))
            if label is not None and separator in label.separators:
                return label, right.strip()
    folded = fold(text)
    label = _LABELS_BY_KEY.get(folded)
    if label is not None and label.gives != "dates":
        return label, ""  # a label alone: its value is on the next line
    for label in _DATE_LABELS:
        if folded.startswith(label.key + " "):
            value = " ".join(text.split()[len(label.key.split()) :])
            if DATE_RE.match(value):
                return label, value
    return None


def recognised(lines: Sequence[Line]) -> tuple[bool, int]:
    """Whether the lines name a question (a type-and-number or number line), and how many page labels they hold.

    What tells a page from any other text: :func:`kg.sources.pages.looks_like_page`."""
    identity, labels = False, 0
    for line in lines:
        text = line.text
        folded = fold(text)
        if TYPE_LINE.match(folded) or NUMBER_LINE.match(folded):
            identity = True
        elif folded.rstrip(" :") in SECTIONS or OLD_AUTHOR_LINE.match(text):
            labels += 1
        else:
            found = _label_line(text)
            if found is not None:
                labels += 1
                if found[0].gives is Fact.NUMBER and found[1].strip().isdigit():
                    identity = True
    return identity, labels


@dataclass
class _Grammar:
    name: str
    lines: Sequence[Line]
    warnings: list[Diagnostic] = field(default_factory=list)
    facts: dict[Fact, tuple[str, Line]] = field(default_factory=dict)
    dates: list[KeyDate] = field(default_factory=list)
    texts: dict[Section, list[Line]] = field(default_factory=dict)
    places: list[_Place] = field(default_factory=list)
    legislature: int | None = None
    types: list[tuple[QuestionType, Line]] = field(default_factory=list)
    numbers: list[tuple[int, Line]] = field(default_factory=list)
    title: str | None = None
    pending_title: list[Line] = field(default_factory=list)
    section: Section = Section.HEADER
    implicit_text: bool = False  # a text section opened without its title (current site)
    expect: str | None = None  # "title" | "place" | "value" | "closure-date" | "closure-reason"
    expect_label: Label | None = None
    author_line_seen: bool = False
    links: list[str] = field(default_factory=list)

    # -- reporting

    def warn(self, code: str, field_name: str | None, message: str, line: Line | None) -> None:
        where = f"line {line.number}: " if line is not None and line.number else ""
        self.warnings.append(
            Diagnostic(
                severity="warning", file=self.name, field=field_name, code=code, message=where + message
            )
        )

    def fail(self, code: str, field_name: str | None, message: str, line: Line | None = None) -> PageError:
        where = f"line {line.number}: " if line is not None and line.number else ""
        error = PageError(where + message, file=self.name, field=field_name, code=code)
        error.warnings = list(self.warnings)
        return error

    # -- the walk

    def read(self) -> None:
        index = 0
        lines = self.lines
        while index < len(lines):
            line = lines[index]
            index += 1
            self.links.extend(line.links)
            if not line.text:
                continue
            if self.expect is not None and self.continuation(line):
                continue
            self.expect, self.expect_label = None, None
            if self.section_title(line):
                continue
            if self.section in _TEXTS:
                self.text_line(line)
                continue
            if self.section is Section.UNKNOWN:
                self.warn("unknown-line", None, f"line of an unknown section not read: {line.text!r}", line)
                continue
            if self.header_line(line) or self.label(line):
                continue
            if fold(line.text) in CHROME:
                continue
            if index < len(lines) and _label_line(f"{line.text} {lines[index].text}") is not None:
                joined = Line(line.number, f"{line.html} {lines[index].html}", 0, line.paragraph)
                index += 1  # a label broken over two lines
                if self.label(joined):
                    continue
            self.unknown(line)
        for pending in self.pending_title:
            self.warn("unknown-line", None, f"header line not read: {pending.text!r}", pending)

    def continuation(self, line: Line) -> bool:
        expect, label = self.expect, self.expect_label
        text = line.text
        known = self.is_known(line)
        if expect == "value" and label is not None and known:
            self.warn("empty-line", label.text, f"{label.text!r} has no value", line)
        if expect == "title" and not known:
            self.title = text
            self.expect = None
            return True
        if expect == "place":
            place = _split_place(text, line)
            if place is not None:
                self.places.append(place)
                self.expect = None
                return True
        if expect == "value" and label is not None and not known:
            self.expect, self.expect_label = None, None
            self.labelled(label, text, line)
            return True
        if expect == "closure-reason" and not known and fold(text) not in CHROME:
            if self.dates and self.dates[-1].kind is DateKind.CLOSED and self.dates[-1].reason is None:
                last = self.dates[-1]
                self.dates[-1] = KeyDate(last.kind, last.date, last.page, text, last.label, last.line)
            self.expect = None
            return True
        return False

    def is_known(self, line: Line) -> bool:
        folded = fold(line.text)
        return (
            folded.rstrip(" :") in SECTIONS
            or bool(TYPE_LINE.match(folded) or NUMBER_LINE.match(folded) or LEGISLATURE_LINE.match(folded))
            or _label_line(line.text) is not None
        )

    def section_title(self, line: Line) -> bool:
        folded = fold(line.text).rstrip(" :")
        known = SECTIONS.get(folded)
        if (
            known is None and line.level >= 2 and not self.is_known(line)
        ):  # "<h2>Question N° 40439</h2>" is read
            self.section = Section.UNKNOWN
            self.warn(
                "unknown-section",
                line.text,
                "not a section a page has; its lines are reported one by one",
                line,
            )
            return True
        if known is None:
            return False
        self.section = known
        self.implicit_text = False
        self.texts.setdefault(known, [])
        return True

    def text_line(self, line: Line) -> None:
        found = _label_line(line.text)
        if found is not None and found[0].gives is DateKind.ANSWER_PUBLISHED:
            parsed = _DATE_VALUE.match(found[1])
            if parsed is not None and not parsed.group("rest"):
                self.labelled(found[0], found[1], line)  # "Réponse publiée le 6 mai 2025" above the answer
                self.section, self.implicit_text = Section.ANSWER_TEXT, True
                self.texts.setdefault(Section.ANSWER_TEXT, [])
                return
        if self.implicit_text and found is not None:
            self.section, self.implicit_text = Section.KEY_FACTS, False  # the facts follow the text
            self.labelled(found[0], found[1], line)
            return
        self.texts[self.section].append(line)

    def header_line(self, line: Line) -> bool:
        text = line.text
        folded = fold(text)
        legislature = LEGISLATURE_LINE.match(folded)
        if legislature:
            self.legislature = int(legislature.group("leg"))
            return True
        typed = TYPE_LINE.match(folded)
        if typed:
            self.types.append((TYPES_BY_LABEL[typed.group("type")], line))
            self.numbers.append((int(typed.group("number")), line))
            if typed.group("colon"):
                self.expect = "title"  # current site: the title is the next line
            elif self.pending_title and self.title is None:
                self.title = self.pending_title.pop().text  # Markdown rendering: the line above
            return True
        number = NUMBER_LINE.match(folded)
        if number:
            self.numbers.append((int(number.group("number")), line))
            return True
        if self.section is Section.HEADER and folded in TYPES_BY_LABEL:
            self.types.append((TYPES_BY_LABEL[folded], line))  # the old site's type, on its own line
            return True
        old_author = OLD_AUTHOR_LINE.match(text)
        if old_author:
            self.fact(Fact.AUTHOR, old_author.group("who").strip(), line)
            self.places.append(_split_old_place(old_author.group("inside"), line))
            return True
        return False

    def label(self, line: Line) -> bool:
        found = _label_line(line.text)
        if found is None:
            folded = fold(line.text).rstrip(" :")
            block = _LABELS_BY_KEY.get(folded)
            if block is not None and block.gives == "dates" and line.text.rstrip().endswith(":"):
                self.section = Section.KEY_DATES  # "Date :" / "Dates :" and the date lines below
                return True
            return False
        label, value = found
        if label.gives == "dates":
            if value:
                self.warn("unknown-line", label.text, f"the value after {label.text!r} is not read", line)
            self.section = Section.KEY_DATES
            return True
        if not value:
            self.expect, self.expect_label = "value", label  # "Date de cloture :" then the date, the reason
            return True
        self.labelled(label, value, line)
        return True

    def labelled(self, label: Label, value: str, line: Line) -> None:
        if isinstance(label.gives, DateKind):
            self.date(label, value, line)
        elif isinstance(label.gives, Fact):
            if label.gives is Fact.AUTHOR:
                name, place = _author_and_place(value, line)
                self.fact(Fact.AUTHOR, name, line)
                if place is not None:
                    self.places.append(place)
                elif fold(label.text) == "question de":
                    self.expect = "place"  # the constituency and group may follow on the next line
                if fold(label.text) == "question de":
                    self.author_line_seen = True
            elif label.gives is Fact.CONSTITUENCY:
                place = _split_place(value, line)
                if place is None:
                    self.warn(
                        "unknown-line",
                        label.text,
                        f"cannot split {value!r} into a constituency "
                        "'Département (Ne circonscription)' and a group; kept as a label",
                        line,
                    )
                    self.fact(Fact.CONSTITUENCY, value, line)
                else:
                    self.places.append(place)
            else:
                self.fact(label.gives, value, line)

    def fact(self, name: Fact, value: str, line: Line) -> None:
        found = self.facts.get(name)
        if found is None:
            self.facts[name] = (value, line)
        elif fold(found[0]) != fold(value):
            self.warn(
                "repeated-line",
                name.value,
                f"{name.value} given twice: {found[0]!r} (line {found[1].number}) is kept, {value!r} is not",
                line,
            )

    def date(self, label: Label, value: str, line: Line) -> None:
        assert isinstance(label.gives, DateKind)
        kind = label.gives
        parsed = _DATE_VALUE.match(value)
        if parsed is None:
            raise self.fail("bad-date", label.text, f"cannot read the date in {value!r}", line)
        try:
            day = date_of(parsed)
        except ValueError as exc:
            raise self.fail("bad-date", label.text, str(exc), line) from None
        if parsed.group("rest"):
            self.warn(
                "unknown-line", label.text, f"the end of the line is not read: {parsed.group('rest')!r}", line
            )
        page = int(parsed.group("page")) if parsed.group("page") else None
        reason = parsed.group("reason") or None
        if reason is not None and kind not in (DateKind.WITHDRAWN, DateKind.CLOSED):
            self.warn("unknown-line", label.text, f"the parenthesis ({reason}) is not read", line)
            reason = None
        if reason is not None:
            reason = reason[:1].upper() + reason[1:]  # "(fin de mandat)" on the old site, "Fin de mandat" now
        if kind in _SINGLE:
            same = [d for d in self.dates if d.kind is kind]
            if same:
                if same[0].date != day:
                    self.warn(
                        "repeated-line",
                        label.text,
                        f"{label.text!r} given twice: {same[0].date.isoformat()} is kept, "
                        f"{day.isoformat()} is not",
                        line,
                    )
                elif page is not None and same[0].page is None:
                    self.dates[self.dates.index(same[0])] = KeyDate(
                        kind, day, page, same[0].reason, same[0].label, same[0].line
                    )
                return
        self.dates.append(KeyDate(kind, day, page, reason, label.text, line.number))
        if kind is DateKind.CLOSED and reason is None:
            self.expect = "closure-reason"

    def unknown(self, line: Line) -> None:
        if self.section is Section.HEADER:
            if self.author_line_seen:  # current site: the question's text follows the author's lines
                self.section, self.implicit_text = Section.QUESTION_TEXT, True
                self.texts.setdefault(Section.QUESTION_TEXT, []).append(line)
                return
            if not self.types and not self.numbers:
                self.pending_title.append(line)  # the title, if the type line comes next
                return
            self.warn("unknown-line", None, f"header line not read: {line.text!r}", line)
            return
        self.warn("unknown-line", None, f"{self.section.value}: line not read: {line.text!r}", line)

    # -- assembling

    def value(self, name: Fact) -> str | None:
        found = self.facts.get(name)
        return found[0] if found else None

    def identity(self) -> tuple[int, QuestionType, int]:
        types = list(self.types)
        type_fact = self.facts.get(Fact.TYPE)
        if type_fact is not None:
            from_fact = TYPES_BY_LABEL.get(fold(type_fact[0]))
            if from_fact is None:
                raise self.fail(
                    "bad-type", "Type de question", f"unknown question type {type_fact[0]!r}", type_fact[1]
                )
            types.append((from_fact, type_fact[1]))
        for other, line in types[1:]:
            if other is not types[0][0]:
                raise self.fail(
                    "conflict",
                    "Type de question",
                    f"the page says both {TYPE_LABELS[types[0][0]]!r} and {TYPE_LABELS[other]!r}",
                    line,
                )
        numbers = list(self.numbers)
        number_fact = self.facts.get(Fact.NUMBER)
        if number_fact is not None:
            if not re.fullmatch(r"\d+", number_fact[0]):
                raise self.fail(
                    "bad-number", "Numéro de la question", f"not a number: {number_fact[0]!r}", number_fact[1]
                )
            numbers.append((int(number_fact[0]), number_fact[1]))
        for number, line in numbers[1:]:
            if number != numbers[0][0]:
                raise self.fail(
                    "conflict",
                    "Numéro de la question",
                    f"the page says both n° {numbers[0][0]} and {number}",
                    line,
                )
        qtype: QuestionType | None = types[0][0] if types else None
        found_number = numbers[0][0] if numbers else None
        legislature = self.legislature
        uids = {m.groups() for link in self.links for m in [_UID_ANYWHERE.search(link)] if m}
        if legislature is None and len(uids) == 1:
            leg, kind, num = next(iter(uids))
            if (qtype is None or qtype.value == kind) and (found_number is None or str(found_number) == num):
                legislature = int(leg)
                self.warn(
                    "inferred",
                    "législature",
                    f"no legislature line; {legislature} taken from the link to QANR5L{leg}{kind}{num}",
                    None,
                )
        missing = [what for what, value in (("type", qtype), ("legislature", legislature)) if value is None]
        if found_number is None:
            raise self.fail(
                "no-number",
                None,
                "the page gives no question number (no 'Question écrite n° …', 'Question N° …' or 'Numéro de "
                "la question' line): without it the question has no uid"
                + (f"; also missing: {', '.join(missing)}" if missing else ""),
            )
        if missing:
            raise self.fail(
                "not-a-question",
                None,
                f"the page does not give the question's {', '.join(missing)} (expected lines such as "
                "'15ème législature' and 'Question écrite n° 40439')",
            )
        assert qtype is not None and legislature is not None
        return legislature, qtype, found_number

    def page_question(self, data: bytes, fmt: Format) -> PageQuestion:
        legislature, qtype, number = self.identity()
        uid = f"QANR5L{legislature}{qtype.value}{number}"
        name_uid = _UID_ANYWHERE.search(self.name.rsplit("/", 1)[-1])
        if name_uid and name_uid.group(0) != uid:
            self.warn(
                "conflict", None, f"the file is named after {name_uid.group(0)} but the page is {uid}", None
            )
        author = self.value(Fact.AUTHOR)
        civility, person = None, author
        if author:
            parsed = _CIVILITY.match(author)
            if parsed:
                civility = _CIVILITIES.get(parsed.group("civ").lower(), parsed.group("civ"))
                person = parsed.group("name").strip()
        author_ref = None
        if Fact.AUTHOR in self.facts:
            line = self.facts[Fact.AUTHOR][1]
            refs = {m.group(1) for link in line.links for m in [_DEPUTY_LINK.search(link)] if m}
            if len(refs) == 1:
                author_ref = next(iter(refs))
        department, circo, group = self.place()
        if self.value(Fact.GROUP) is not None:
            value, line = self.facts[Fact.GROUP]
            if group is not None and fold(group) != fold(value):
                self.warn(
                    "conflict",
                    "Groupe",
                    f"the group line says {value!r}, the author's line {group!r}; the group line is kept",
                    line,
                )
            group = value
        constituency = self.value(Fact.CONSTITUENCY)
        if department is not None and circo is not None:
            constituency = f"{department} ({'1re' if circo == 1 else f'{circo}e'} circonscription)"
        texts = {section: _text_fragment(lines) for section, lines in self.texts.items()}
        for section in _TEXTS:
            if section in self.texts and not self.texts[section]:
                self.warn("empty-text", section.value, f"section {section.value!r} is empty", None)
        if (
            any(d.kind is DateKind.ANSWER_PUBLISHED for d in self.dates)
            and Section.ANSWER_TEXT not in self.texts
        ):
            self.warn(
                "missing-text", Section.ANSWER_TEXT.value, "an answer date is given but no answer text", None
            )
        for erratum in self.dates:
            if erratum.kind in (DateKind.QUESTION_ERRATUM, DateKind.ANSWER_ERRATUM):
                page = f" page {erratum.page}" if erratum.page else ""
                self.warn(
                    "not-in-graph",
                    erratum.label,
                    f"an erratum of {erratum.date.isoformat()}{page}: the page does not give its text, so the "
                    "graph cannot hold it (the open-data record does)",
                    None,
                )
        title = self.title
        titled = self.value(Fact.TITLE)
        if titled is not None:
            if title is not None and fold(title) != fold(titled):
                self.warn("conflict", "Titre", f"the title line says {titled!r}, the header {title!r}", None)
            title = title or titled
        return PageQuestion(
            file=self.name,
            sha256=hashlib.sha256(data).hexdigest(),
            format=fmt,
            legislature=legislature,
            type=qtype,
            number=number,
            title=title,
            question_html=texts.get(Section.QUESTION_TEXT),
            answer_html=texts.get(Section.ANSWER_TEXT),
            author=author,
            author_civility=civility,
            author_name=person,
            author_ref=author_ref,
            constituency=constituency,
            department=department,
            constituency_number=circo,
            group=group,
            rubrique=self.value(Fact.RUBRIQUE),
            tete_analyse=self.value(Fact.TETE_ANALYSE),
            analyse=self.value(Fact.ANALYSE),
            questioned_ministry=self.value(Fact.QUESTIONED_MINISTRY),
            attributed_ministry=self.value(Fact.ATTRIBUTED_MINISTRY),
            dates=tuple(self.dates),
            links=tuple(self.links),
        )

    def place(self) -> tuple[str | None, int | None, str | None]:
        """Department, constituency number and group from every line that places the author (they must agree)."""
        department: str | None = None
        number: int | None = None
        group: str | None = None
        for place in self.places:
            for what, mine, theirs in (
                ("department", department, place.department),
                ("group", group, place.group),
            ):
                if mine is not None and theirs is not None and fold(mine) != fold(theirs):
                    self.warn(
                        "conflict",
                        what,
                        f"the page gives two {what}s: {mine!r} is kept, {theirs!r} is not",
                        place.line,
                    )
            if number is not None and place.number is not None and number != place.number:
                self.warn(
                    "conflict",
                    "Circonscription",
                    f"the page gives two constituencies: n° {number} is kept, n° {place.number} is not",
                    place.line,
                )
            department = department or place.department
            number = number if number is not None else place.number
            group = group or place.group
        return department, number, group


def _text_fragment(lines: Sequence[Line]) -> str | None:
    """A text section as the dumps write texts: ``<p>`` paragraphs; one paragraph without any markup (and
    nothing to escape) is plain text, as in the records whose text has no HTML."""
    if not lines:
        return None
    fragment = paragraphs_html(list(lines))
    if fragment.count("<p>") == 1:
        inner = fragment[3:-4]
        if "<" not in inner and "&" not in inner:
            return inner
    return fragment


def read_lines(
    name: str, data: bytes, lines: Sequence[Line], fmt: Format
) -> tuple[PageQuestion, list[Diagnostic]]:
    """The page the lines say, and the grammar's warnings (recorded against the question's uid)."""
    grammar = _Grammar(name, lines)
    grammar.read()
    page = grammar.page_question(data, fmt)
    return page, [
        Diagnostic(d.severity, d.file, d.message, record=page.uid, field=d.field, code=d.code)
        for d in grammar.warnings
    ]
