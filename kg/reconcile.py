"""Reconciliation of question pages: the labels a page gives become the registry's ids.

A page then links to the very same IRIs as the open-data record of the same question.

:func:`reconcile` turns a :class:`~kg.sources.pages.PageQuestion` into the domain :class:`~kg.models.Question`
(so :mod:`kg.mapping` maps it unchanged) plus a :class:`ReconciliationReport` that lists, for every label,
what the page says, the date it had to hold on, the id chosen and every candidate considered. Nothing is
guessed silently:

* **author** — by name (either order: "Lengagne Guy" is M. Guy Lengagne; accents, case and typographic
  variants folded) and civility, among persons with a deputy mandate of the page's legislature valid on the
  question's date; the constituency (or the department alone, as the old site gives it), then the group,
  break ties. An author that stays unresolved or ambiguous keeps the page's name on the marked fallback IRI
  ``person/unresolved/{legislature}/{slug}``, with a warning naming the candidates: the question still lands.
* **mandate** and **constituency** — the deputy mandate valid on the question's date; the page's
  "Département (Ne circonscription)" — or its department alone — is checked against that mandate's election
  (a mismatch is reported).
* **group** — the page's group label among the political groups valid on the date, the author's membership
  breaking ties and confirming the choice.
* **ministries** — the questioned ministry by its label (abbreviated or full) among the ministries valid on
  the publication date; the attributed one on the date of the change of attribution when the page gives it,
  otherwise among the ministries that existed at some point between the publication and the answer or
  closure (those still in office at the end of that window win a tie). An unresolved or ambiguous ministry
  or group gets an :class:`~kg.models.OrganeMention` without uid, which the mapping turns into the marked
  fallback IRI ``organe/unresolved/{slug}``.

Page facts the reader keeps that the page does not state but the dumps do are listed in the report's notes
(e.g. the rubrique's case). A page that cannot make a complete question — no author at all, no publication
date — raises :class:`IncompletePageError` with every fact read in its message, for the quarantine report.

The report's types live in :mod:`kg.reconcile_report`.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import date
from typing import NoReturn

from kg.errors import RecordError
from kg.iris import unresolved_organe_path, unresolved_person_path
from kg.models import (
    Attribution,
    Author,
    Closure,
    JOReference,
    Mandate,
    Organe,
    OrganeMention,
    Person,
    Question,
    QuestionType,
    Renewal,
    Signalement,
    SourceRef,
    Text,
)
from kg.reconcile_report import (
    Candidate,
    LabelResolution,
    ReconciliationReport,
    Status,
    day,
    summarize,
)
from kg.registry import Registry
from kg.report import Diagnostic
from kg.sources.pages import DateKind, PageQuestion, fold, looks_like_page, read_page

__all__ = [
    "Candidate",
    "IncompletePageError",
    "LabelResolution",
    "Reconciler",
    "ReconciliationReport",
    "Status",
    "looks_like_page",
    "read_page_file",
    "reconcile",
    "summarize",
]

MINISTRY = "MINISTERE"
GROUP = "GP"
CONSTITUENCY = "CIRCONSCRIPTION"


class IncompletePageError(RecordError):
    """The page is read, but cannot make a complete question (no author, no publication date). The message
    names the reason and every fact read; the reader's and the reconciliation's warnings travel with it, so
    the quarantine report keeps them. ``code`` is ``incomplete``."""

    code = "incomplete"

    def __init__(
        self,
        message: str,
        *,
        file: str,
        record: str,
        report: ReconciliationReport,
        warnings: list[Diagnostic],
    ) -> None:
        super().__init__(message, file=file, record=record)
        self.report = report
        self.warnings = warnings


def _overlaps(organe: Organe, start: date | None, end: date | None) -> bool:
    """The organe existed at some point of [start, end] (open ends unbounded)."""
    return (organe.start is None or end is None or organe.start <= end) and (
        organe.end is None or start is None or start <= organe.end
    )


def _organe_candidate(organe: Organe, note: str = "") -> Candidate:
    return Candidate(
        organe.uid, organe.short_label or organe.label or organe.uid, organe.start, organe.end, note
    )


# ------------------------------------------------------------------ indexes


class Reconciler:
    """The registry indexed by folded name and label (built once per registry: :meth:`for_registry`)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.persons_by_name: dict[str, list[Person]] = {}
        self.persons_by_family: dict[str, list[Person]] = {}
        for uid in sorted(registry.persons):
            person = registry.persons[uid]
            keys = {fold(person.full_name)} if person.full_name else set()
            if person.given_name and person.family_name:  # names are matched in either order
                keys.add(fold(f"{person.family_name} {person.given_name}"))
            for key in sorted(keys):
                self.persons_by_name.setdefault(key, []).append(person)
            if person.family_name:
                self.persons_by_family.setdefault(fold(person.family_name), []).append(person)
        self.organes_by_label: dict[tuple[str, str], list[Organe]] = {}
        for code_type in (MINISTRY, GROUP):
            for organe in registry.organes_of_type(code_type):
                labels = {fold(x) for x in (organe.label, organe.short_label, organe.abbreviation) if x}
                for label in sorted(labels):
                    self.organes_by_label.setdefault((code_type, label), []).append(organe)
        self.department_codes: dict[str, set[str]] = {}
        for organe in registry.organes_of_type(CONSTITUENCY):
            if organe.department_label and organe.department_code:
                self.department_codes.setdefault(fold(organe.department_label), set()).add(
                    organe.department_code
                )
        for person in registry.persons.values():
            for mandate in person.mandates:
                e = mandate.election
                if e is not None and e.department and e.department_code:
                    self.department_codes.setdefault(fold(e.department), set()).add(e.department_code)

    @classmethod
    def for_registry(cls, registry: Registry) -> Reconciler:
        found = _RECONCILERS.get(registry)
        if found is None:
            found = cls(registry)
            _RECONCILERS[registry] = found
        return found

    def organes_labelled(self, code_type: str, label: str) -> list[Organe]:
        return list(self.organes_by_label.get((code_type, fold(label)), ()))

    def reconcile(self, page: PageQuestion) -> tuple[Question, ReconciliationReport]:
        return _Run(self, page).run()


#: one set of indexes per registry, dropped with it
_RECONCILERS: weakref.WeakKeyDictionary[Registry, Reconciler] = weakref.WeakKeyDictionary()

# ------------------------------------------------------------------ one page


@dataclass
class _Run:
    reconciler: Reconciler
    page: PageQuestion
    entries: list[LabelResolution] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def registry(self) -> Registry:
        return self.reconciler.registry

    def report(self) -> ReconciliationReport:
        return ReconciliationReport(self.page.file, self.page.uid, tuple(self.entries), tuple(self.notes))

    def run(self) -> tuple[Question, ReconciliationReport]:
        page = self.page
        published = page.first(DateKind.QUESTION_PUBLISHED)
        answered = page.first(DateKind.ANSWER_PUBLISHED)
        sitting = page.first(DateKind.SITTING)
        withdrawn = page.first(DateKind.WITHDRAWN) or page.first(DateKind.CLOSED)
        answer_day = answered.date if answered else (sitting.date if sitting else None)
        asked_on = published.date if published else answer_day
        end_day = answer_day or (withdrawn.date if withdrawn else None)

        person, mandate = self.author(asked_on)
        group = self.group(person, asked_on)
        questioned, attributions = self.ministries(published.date if published else asked_on, end_day)

        question_texts: tuple[Text, ...] = ()
        if page.question_html is not None or published is not None:
            jo = JOReference(date=published.date, page=published.page) if published else None
            question_texts = (Text(html=page.question_html or "", jo=jo),)
        answer_texts: tuple[Text, ...] = ()
        if page.answer_html is not None or answered is not None:
            if answered is not None:
                jo = JOReference(date=answered.date, page=answered.page)
            elif sitting is not None:
                jo = JOReference(date=sitting.date)
                self.notes.append(
                    f"the answer is dated by the sitting ({sitting.date.isoformat()}): the page "
                    "gives no JO date for it"
                )
            else:
                jo = None
            answer_texts = (Text(html=page.answer_html or "", jo=jo),)
        if sitting is not None and answered is not None and sitting.date != answered.date:
            self.notes.append(
                f"the sitting date {sitting.date.isoformat()} differs from the answer's JO date "
                f"{answered.date.isoformat()}; only the JO date is in the graph"
            )

        rubrique = page.rubrique
        if rubrique and rubrique[:1] != rubrique[:1].lower():
            rubrique = rubrique[:1].lower() + rubrique[1:]
            self.notes.append(
                f"rubrique {page.rubrique!r} written {rubrique!r}, lower case as in the dumps, so "
                "page and dump share one topic"
            )
        analyses = tuple(dict.fromkeys(t for t in (page.title, page.analyse) if t))
        question = Question(
            uid=page.uid,
            type=page.type,
            number=page.number,
            legislature=page.legislature,
            author=Author(
                person_uid=person.uid if person else None,
                mandate_uid=mandate.uid if mandate else None,
                group=group,
                name=None if person else page.author_name,
            ),
            source=SourceRef(path=page.file, sha256=page.sha256),
            rubrique=rubrique,
            tete_analyse=page.tete_analyse,
            analyses=analyses,
            questioned_ministry=questioned,
            attributions=attributions,
            question_texts=question_texts,
            answer_texts=answer_texts,
            signalements=tuple(
                Signalement(order=n, jo=JOReference(date=d.date, page=d.page))
                for n, d in enumerate(page.dates_of(DateKind.SIGNALEMENT), start=1)
            ),
            renewals=tuple(
                Renewal(order=n, jo=JOReference(date=d.date, page=d.page))
                for n, d in enumerate(page.dates_of(DateKind.RENEWAL), start=1)
            ),
            closure=Closure(label=withdrawn.reason, date=withdrawn.date) if withdrawn else None,
        )
        if page.type is QuestionType.GOVERNMENT:
            if asked_on is None:
                self.incomplete("no date on the page (no sitting, answer or publication date)")
        elif published is None:
            self.incomplete("no publication date (no 'Question publiée au JO le' line)")
        return question, self.report()

    def incomplete(self, reason: str) -> NoReturn:
        """Stop a page that cannot make a complete question, naming the reason and every fact read."""
        page = self.page
        facts = [f"title {page.title!r}" if page.title else ""]
        facts += [f"{e.field} {e.chosen or e.fallback or e.label}" for e in self.entries]
        facts += [
            f"{d.kind.value} {d.date.isoformat()}" + (f" p. {d.page}" if d.page else "") for d in page.dates
        ]
        facts += [f"rubrique {page.rubrique!r}" if page.rubrique else ""]
        facts += ["question text" if page.question_html else "", "answer text" if page.answer_html else ""]
        read = "; ".join(f for f in facts if f)
        raise IncompletePageError(
            f"{reason}: the question cannot be complete; read: {read}",
            file=page.file,
            record=page.uid,
            report=self.report(),
            warnings=self.report().diagnostics(),
        )

    # -- author, mandate, constituency

    def author(self, on: date | None) -> tuple[Person | None, Mandate | None]:
        page = self.page
        if not page.author_name:
            self.entries.append(
                LabelResolution("Auteur", "person", None, Status.UNRESOLVED, note="no author line")
            )
            self.incomplete("the page names no author")
        label = page.author
        key = fold(page.author_name)
        named = list(self.reconciler.persons_by_name.get(key, ()))
        by_family_name = False
        if not named:  # "M. Roussel": a page may name the author by the family name only
            named = list(self.reconciler.persons_by_family.get(key, ()))
            by_family_name = bool(named)
        rejected: list[Candidate] = []
        by_link = self.registry.person(page.author_ref) if page.author_ref else None
        if by_link is not None and by_link.uid not in {p.uid for p in named}:
            rejected.append(
                self.person_candidate(by_link, None, "the page links to this person, whose name differs")
            )
        if page.author_civility:
            kept = []
            for person in named:
                if person.civility and fold(person.civility) != fold(page.author_civility):
                    rejected.append(self.person_candidate(person, None, f"civility {person.civility}"))
                else:
                    kept.append(person)
            named = kept
        with_mandate: list[tuple[Person, Mandate]] = []
        for person in named:
            mandate = self.deputy_mandate(person, on)
            if mandate is None:
                rejected.append(
                    self.person_candidate(
                        person,
                        None,
                        f"no deputy mandate of legislature "
                        f"{page.legislature}" + (f" on {on.isoformat()}" if on else ""),
                    )
                )
            else:
                with_mandate.append((person, mandate))
        tie_break = ""
        if len(with_mandate) > 1 and page.department:
            narrowed = [(p, m) for p, m in with_mandate if self.same_constituency(m)]
            if narrowed and len(narrowed) < len(with_mandate):
                rejected.extend(
                    self.person_candidate(p, m, "another constituency")
                    for p, m in with_mandate
                    if (p, m) not in narrowed
                )
                with_mandate, tie_break = narrowed, "constituency"
        if len(with_mandate) > 1 and page.group and on is not None:
            narrowed = [(p, m) for p, m in with_mandate if self.member_of_labelled_group(p, on)]
            if narrowed and len(narrowed) < len(with_mandate):
                rejected.extend(
                    self.person_candidate(p, m, "another group")
                    for p, m in with_mandate
                    if (p, m) not in narrowed
                )
                with_mandate, tie_break = narrowed, (tie_break + " and group" if tie_break else "group")
        if len(with_mandate) != 1:
            status = Status.AMBIGUOUS if with_mandate else Status.UNRESOLVED
            matches = "matches the family name" if by_family_name else "matches"
            candidates = [self.person_candidate(p, m, matches) for p, m in with_mandate] + rejected
            if not named and not rejected:
                candidates = [
                    self.person_candidate(p, None, "same family name")
                    for p in self.reconciler.persons_by_family.get(fold(page.author_name.split()[-1]), ())
                ]
            fallback = unresolved_person_path(page.legislature, page.author_name)
            self.entries.append(
                LabelResolution(
                    "Auteur",
                    "person",
                    label,
                    status,
                    on=on,
                    candidates=tuple(candidates),
                    note=(
                        f"no person named {page.author_name!r} in the registry"
                        if not named and not rejected
                        else f"no deputy of legislature {page.legislature} so named"
                        if not with_mandate
                        else "several deputies so named"
                    )
                    + "; the name is kept on the marked fallback IRI",
                    fallback=fallback,
                )
            )
            return None, None
        person, mandate = with_mandate[0]
        note = ""
        if by_link and by_link.uid == person.uid:
            note = "the page's link to the deputy agrees"
        elif page.author_ref and not by_link:
            note = f"the page links to {page.author_ref}, which is not in the registry"
        if by_family_name:
            note = (note + "; " if note else "") + "named by the family name only"
        if tie_break:
            note = (note + "; " if note else "") + f"homonyms told apart by {tie_break}"
        self.entries.append(
            LabelResolution(
                "Auteur",
                "person",
                label,
                Status.RESOLVED,
                person.uid,
                on=on,
                candidates=(self.person_candidate(person, mandate, "chosen"), *rejected),
                note=note,
            )
        )
        self.entries.append(
            LabelResolution(
                "Mandat",
                "mandate",
                None,
                Status.DERIVED,
                mandate.uid,
                on=on,
                note=f"deputy mandate of legislature {mandate.legislature}, "
                f"{day(mandate.start)}..{day(mandate.end)}",
            )
        )
        self.constituency(mandate)
        return person, mandate

    def person_candidate(self, person: Person, mandate: Mandate | None, note: str) -> Candidate:
        label = " ".join(x for x in (person.civility, person.full_name) if x)
        where = ""
        if mandate is not None and mandate.election is not None and mandate.election.department_code:
            e = mandate.election
            where = f" ({mandate.uid}, {e.department_code}-{e.constituency_number})"
        return Candidate(
            person.uid,
            label + where,
            mandate.start if mandate else None,
            mandate.end if mandate else None,
            note,
        )

    def deputy_mandate(self, person: Person, on: date | None) -> Mandate | None:
        legislature = self.page.legislature
        if on is not None:
            return self.registry.assembly_mandate_on(person.uid, on, legislature)
        held = [m for m in person.mandates if m.organe_type == "ASSEMBLEE" and m.legislature == legislature]
        if len(held) == 1:
            return held[0]
        same = [m for m in held if self.same_constituency(m)]
        return same[0] if len(same) == 1 else None

    def same_constituency(self, mandate: Mandate) -> bool:
        e = mandate.election
        return (
            e is not None
            and self.page.department is not None
            and fold(e.department or "") == fold(self.page.department)
            and (
                self.page.constituency_number is None
                or e.constituency_number == self.page.constituency_number
            )
        )

    def member_of_labelled_group(self, person: Person, on: date) -> bool:
        membership = self.registry.group_membership_on(person.uid, on)
        if membership is None or not self.page.group:
            return False
        labelled = {o.uid for o in self.reconciler.organes_labelled(GROUP, self.page.group)}
        return any(uid in labelled for uid in membership.organe_uids)

    def constituency(self, mandate: Mandate) -> None:
        page, e = self.page, mandate.election
        have = f"{e.department_code}-{e.constituency_number}" if e and e.department_code else None
        if page.department is None and page.constituency is None:
            if have:
                self.entries.append(
                    LabelResolution(
                        "Circonscription",
                        "constituency",
                        None,
                        Status.DERIVED,
                        have,
                        note=f"from mandate {mandate.uid}",
                    )
                )
            return
        if page.department is None:
            self.entries.append(
                LabelResolution(
                    "Circonscription",
                    "constituency",
                    page.constituency,
                    Status.CONFLICT,
                    have,
                    note=f"the label could not be read; the graph links the constituency of "
                    f"mandate {mandate.uid}",
                )
            )
            return
        codes = sorted(self.reconciler.department_codes.get(fold(page.department), ()))
        number = page.constituency_number
        candidates = tuple(
            Candidate(
                f"{code}-{number}" if number is not None else code,
                page.department,
                note="department named so",
            )
            for code in codes
        )
        label = page.constituency or page.department
        if self.same_constituency(mandate):
            self.entries.append(
                LabelResolution(
                    "Circonscription",
                    "constituency",
                    label,
                    Status.RESOLVED,
                    have,
                    candidates=candidates,
                    note=f"the constituency of mandate {mandate.uid}"
                    + (
                        "; the page gives the department only, which agrees: the mandate's number is used"
                        if number is None
                        else ""
                    ),
                )
            )
            return
        found = e.department if e else None
        self.entries.append(
            LabelResolution(
                "Circonscription",
                "constituency",
                label,
                Status.CONFLICT,
                have,
                candidates=candidates,
                note=f"mandate {mandate.uid} is for {found!r} "
                f"n° {e.constituency_number if e else '?'}; the graph links the mandate's",
            )
        )

    # -- group

    def group(self, person: Person | None, on: date | None) -> OrganeMention | None:
        page = self.page
        membership = self.registry.group_membership_on(person.uid, on) if on and person else None
        member_of = set(membership.organe_uids) if membership else set()
        if not page.group:
            if membership is not None:
                self.entries.append(
                    LabelResolution(
                        "Groupe",
                        "group",
                        None,
                        Status.DERIVED,
                        membership.organe_uids[0] if membership.organe_uids else None,
                        on=on,
                        note=f"membership {membership.uid} valid on the date",
                    )
                )
            return None  # the mapping links the membership valid on the publication date
        labelled = self.reconciler.organes_labelled(GROUP, page.group)
        in_legislature = [o for o in labelled if o.legislature in (None, page.legislature)]
        valid = [o for o in in_legislature if on is None or o.valid_on(on)]
        chosen: Organe | None = None
        status, note = Status.RESOLVED, ""
        if len(valid) == 1:
            chosen = valid[0]
        elif len(valid) > 1:
            members = [o for o in valid if o.uid in member_of]
            if len(members) == 1:
                chosen, note = (
                    members[0],
                    f"the author's membership {membership.uid if membership else ''} breaks the tie",
                )
            else:
                status = Status.AMBIGUOUS
        else:
            status = Status.UNRESOLVED
        if chosen is not None and member_of and chosen.uid not in member_of and membership is not None:
            status = Status.CONFLICT
            theirs = self.registry.organe(membership.organe_uids[0])
            note = (
                f"the registry has the author in {', '.join(sorted(member_of))} on that date "
                f"(membership {membership.uid}): that group is linked, not {chosen.uid}"
            )
            if theirs is not None:
                chosen = theirs
        elif chosen is not None and membership is not None and not note:
            note = f"confirmed by membership {membership.uid}"
        candidates = [
            _organe_candidate(
                o, "chosen" if o is chosen else ("valid on the date" if o in valid else "not valid then")
            )
            for o in labelled
        ]
        if chosen is None and membership is not None:
            for uid in membership.organe_uids:
                organe = self.registry.organe(uid)
                if organe is not None and organe not in labelled:
                    candidates.append(
                        _organe_candidate(organe, "the author's group on the date, labelled otherwise")
                    )
        fallback = None if chosen else unresolved_organe_path(page.group)
        self.entries.append(
            LabelResolution(
                "Groupe",
                "group",
                page.group,
                status,
                chosen.uid if chosen else None,
                on=on,
                candidates=tuple(candidates),
                note=note,
                fallback=fallback,
            )
        )
        if chosen is None:
            return OrganeMention(uid=None, label=page.group)
        return OrganeMention(
            uid=chosen.uid, short_label=chosen.abbreviation or chosen.short_label, label=chosen.label
        )

    # -- ministries

    def ministries(
        self, published: date | None, end: date | None
    ) -> tuple[OrganeMention | None, tuple[Attribution, ...]]:
        page = self.page
        publication = page.first(DateKind.QUESTION_PUBLISHED)
        first_jo = JOReference(date=publication.date, page=publication.page) if publication else None
        changes = page.dates_of(DateKind.ATTRIBUTION_CHANGE)
        questioned: OrganeMention | None = None
        questioned_uid: str | None = None
        if page.questioned_ministry:
            questioned, questioned_uid = self.ministry(
                "Ministère interrogé", page.questioned_ministry, on=published
            )
        attributed_label = page.attributed_ministry
        if attributed_label is None:
            return questioned, ((Attribution(1, questioned, first_jo),) if questioned else ())
        same_label = page.questioned_ministry is not None and fold(attributed_label) == fold(
            page.questioned_ministry
        )
        if same_label and not changes:
            self.entries.append(
                LabelResolution(
                    "Ministère attributaire",
                    "ministry",
                    attributed_label,
                    Status.RESOLVED if questioned_uid else Status.UNRESOLVED,
                    questioned_uid,
                    on=published,
                    note="same label as the questioned ministry and no change of "
                    "attribution on the page: one attribution",
                    fallback=None if questioned_uid else unresolved_organe_path(attributed_label),
                )
            )
            assert questioned is not None
            return questioned, (Attribution(1, questioned, first_jo),)
        if len(changes) > 1:
            self.notes.append(
                "the page gives "
                + str(len(changes))
                + " changes of attribution ("
                + ", ".join(c.date.isoformat() for c in changes)
                + ") but names only the last ministry: the intermediate ones are unknown and not in the graph"
            )
        change = changes[-1] if changes else None
        if change is not None:
            attributed, _ = self.ministry("Ministère attributaire", attributed_label, on=change.date)
        else:
            attributed, _ = self.ministry("Ministère attributaire", attributed_label, window=(published, end))
        if questioned is None:
            self.notes.append(
                "no questioned ministry on the page: the attributed one is the only attribution"
            )
            return None, (Attribution(1, attributed, JOReference(date=change.date) if change else first_jo),)
        return questioned, (
            Attribution(1, questioned, first_jo),
            Attribution(2, attributed, JOReference(date=change.date) if change else None),
        )

    def ministry(
        self,
        field_name: str,
        label: str,
        *,
        on: date | None = None,
        window: tuple[date | None, date | None] | None = None,
    ) -> tuple[OrganeMention, str | None]:
        labelled = self.reconciler.organes_labelled(MINISTRY, label)
        note = ""
        if on is not None:
            fitting = [o for o in labelled if o.valid_on(on)]
            why = f"valid on {on.isoformat()}"
        elif window is not None:
            fitting = [o for o in labelled if _overlaps(o, *window)]
            why = "existed in the window"
            last = window[1]
            if len(fitting) > 1 and last is not None:
                at_end = [o for o in fitting if o.valid_on(last)]
                if len(at_end) == 1:
                    fitting = at_end
                    note = f"of {len(labelled)} ministries so labelled, the one in office at the end of the window"
        else:
            fitting, why = labelled, "no date to check"
        chosen = fitting[0] if len(fitting) == 1 else None
        status = Status.RESOLVED if chosen else (Status.AMBIGUOUS if fitting else Status.UNRESOLVED)
        if not labelled:
            note = "no ministry has this label (abbreviated or full) in the registry"
        candidates = tuple(
            _organe_candidate(o, "chosen" if o is chosen else (why if o in fitting else "not valid then"))
            for o in labelled
        )
        fallback = None if chosen else unresolved_organe_path(label)
        self.entries.append(
            LabelResolution(
                field_name,
                "ministry",
                label,
                status,
                chosen.uid if chosen else None,
                on=on,
                window=window if on is None else None,
                candidates=candidates,
                note=note,
                fallback=fallback,
            )
        )
        if chosen is None:
            return OrganeMention(uid=None, label=label), None
        return OrganeMention(uid=chosen.uid, short_label=chosen.short_label, label=chosen.label), chosen.uid


# ------------------------------------------------------------------ entry points


def reconcile(page: PageQuestion, registry: Registry) -> tuple[Question, ReconciliationReport]:
    """The page as a domain question, with every label resolved through the registry where it can be.

    An author the registry cannot tell keeps the page's name on a fallback IRI. Raises
    :class:`IncompletePageError` when the page cannot make a complete question (no author, no publication date)."""
    return Reconciler.for_registry(registry).reconcile(page)


def read_page_file(
    name: str, data: bytes, registry: Registry
) -> tuple[Question, list[Diagnostic], ReconciliationReport]:
    """Read one page file and reconcile it: the question, every warning (unknown lines, unresolved or
    ambiguous labels, conflicts) and the reconciliation report.

    Raises :class:`~kg.sources.pages.PageError` when the bytes are not a readable question page and
    :class:`IncompletePageError` when the page cannot make a complete question; both are
    :class:`~kg.errors.RecordError` naming the file (and the field), carrying the reader's warnings."""
    page, warnings = read_page(name, data)
    try:
        question, report = reconcile(page, registry)
    except IncompletePageError as exc:
        exc.warnings = [*warnings, *exc.warnings]  # kept for the quarantine report, never thrown away
        raise
    return question, [*warnings, *report.diagnostics()], report
