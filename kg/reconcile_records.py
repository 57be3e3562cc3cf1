"""Records reconciled like pages: label-only organes and groups the date contradicts, settled through the registry.

A record names organes by ``organeRef`` most of the time, but not always: real 15th-legislature QG records
give ``minInt`` as ``abrege``/``developpe`` only, and the old question site's XML labels groups with names they
did not have yet (a 2014 question credited to "Les Républicains", a group created on 2015-06-02).
:func:`reconcile_record` settles both with the dated label matching pages use (:class:`kg.reconcile.Reconciler`)
and reports each label in the same :class:`~kg.reconcile_report.ReconciliationReport`:

* a ministry (questioned, or of an attribution) without ``organeRef``: among the ministries so labelled
  (abbreviated or full), the one valid on the publication date (an attribution: on its own JO date); none or
  several: the labels stay on the marked fallback ``organe/unresolved/{slug}``, with the candidates;
* a group without ``organeRef``: among the groups so labelled valid on the date, the author's membership
  breaking a tie;
* a group whose ``organeRef`` the registry knows but that did not exist on the date: the author's group
  membership on that date is linked instead, with a warning.

A record needing none of this (the usual case) costs one registry lookup per group and is returned as is.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from kg.iris import unresolved_organe_path
from kg.models import Attribution, OrganeMention, Question, QuestionType
from kg.reconcile import GROUP, MINISTRY, Reconciler
from kg.reconcile_report import Candidate, LabelResolution, ReconciliationReport, Status
from kg.registry import Registry
from kg.report import Diagnostic

__all__ = ["question_date", "reconcile_record"]


def question_date(question: Question) -> date | None:
    """The date the question's labels had to hold on: its publication; for a QG, its sitting (the answer's JO)."""
    for text in question.question_texts:
        if text.jo and text.jo.date:
            return text.jo.date
    if question.type is QuestionType.GOVERNMENT:
        for text in question.answer_texts:
            if text.jo and text.jo.date:
                return text.jo.date
    return next((a.jo.date for a in question.attributions if a.jo and a.jo.date), None)


def _candidate(uid: str, label: str, start: date | None, end: date | None, note: str) -> Candidate:
    return Candidate(uid, label, start, end, note)


class _RecordRun:
    def __init__(self, question: Question, registry: Registry) -> None:
        self.question = question
        self.registry = registry
        self.reconciler = Reconciler.for_registry(registry)
        self.entries: list[LabelResolution] = []
        self.on = question_date(question)

    def report(self, file: str) -> ReconciliationReport:
        return ReconciliationReport(file, self.question.uid, tuple(self.entries))

    def labelled(self, code_type: str, mention: OrganeMention) -> list[str]:
        found: dict[str, None] = {}
        for label in (mention.short_label, mention.label):
            if label:
                for organe in self.reconciler.organes_labelled(code_type, label):
                    found.setdefault(organe.uid)
        return list(found)

    def organe_by_label(
        self, field: str, kind: str, code_type: str, mention: OrganeMention, on: date | None
    ) -> OrganeMention:
        """A mention without ``organeRef``: the one organe so labelled valid on ``on``, else the mention."""
        label = mention.label or mention.short_label or ""
        uids = self.labelled(code_type, mention)
        organes = [o for uid in uids if (o := self.registry.organe(uid)) is not None]
        fitting = [o for o in organes if on is None or o.valid_on(on)]
        note = ""
        if len(fitting) > 1 and code_type == GROUP and on is not None and self.question.author.person_uid:
            membership = self.registry.group_membership_on(self.question.author.person_uid, on)
            members = [o for o in fitting if membership is not None and o.uid in membership.organe_uids]
            if len(members) == 1:
                fitting, note = (
                    members,
                    f"the author's membership {membership.uid if membership else ''} breaks the tie",
                )
        chosen = fitting[0] if len(fitting) == 1 else None
        status = Status.RESOLVED if chosen else (Status.AMBIGUOUS if fitting else Status.UNRESOLVED)
        candidates = tuple(
            _candidate(
                o.uid,
                o.short_label or o.label or o.uid,
                o.start,
                o.end,
                "chosen" if o is chosen else ("valid on the date" if o in fitting else "not valid then"),
            )
            for o in organes
        )
        if not organes:
            note = "no organe of the registry has this label (abbreviated or full)"
        self.entries.append(
            LabelResolution(
                field,
                kind,
                label,
                status,
                chosen.uid if chosen else None,
                on=on,
                candidates=candidates,
                note=note or "the record gives labels without organeRef",
                fallback=None if chosen else unresolved_organe_path(label),
            )
        )
        if chosen is None:
            return mention
        return OrganeMention(uid=chosen.uid, short_label=mention.short_label, label=mention.label)

    def group(self, mention: OrganeMention | None) -> OrganeMention | None:
        question, on = self.question, self.on
        if mention is None:
            return None
        if mention.uid is None:
            if not (mention.label or mention.short_label):
                return mention
            return self.organe_by_label("auteur.groupe", "group", GROUP, mention, on)
        organe = self.registry.organe(mention.uid)
        if organe is None or on is None or organe.valid_on(on) or question.author.person_uid is None:
            return mention
        membership = self.registry.group_membership_on(question.author.person_uid, on)
        theirs = (
            self.registry.organe(membership.organe_uids[0]) if membership and membership.organe_uids else None
        )
        label = mention.label or mention.short_label or mention.uid
        span = f"{organe.start.isoformat() if organe.start else '…'}..{organe.end.isoformat() if organe.end else '…'}"
        candidates = (
            _candidate(organe.uid, organe.label or organe.uid, organe.start, organe.end, "not valid then"),
        )
        if theirs is None:
            self.entries.append(
                LabelResolution(
                    "auteur.groupe",
                    "group",
                    label,
                    Status.CONFLICT,
                    mention.uid,
                    on=on,
                    candidates=candidates,
                    note=f"{mention.uid} existed {span}, not on the date; the registry gives the author no group then",
                )
            )
            return mention
        assert membership is not None
        self.entries.append(
            LabelResolution(
                "auteur.groupe",
                "group",
                label,
                Status.CONFLICT,
                theirs.uid,
                on=on,
                candidates=(
                    *candidates,
                    _candidate(theirs.uid, theirs.label or theirs.uid, theirs.start, theirs.end, "chosen"),
                ),
                note=f"{mention.uid} existed {span}, not on the date (an anachronistic label): the author's "
                f"group on the date, {theirs.uid} (membership {membership.uid}), is linked instead",
            )
        )
        return OrganeMention(
            uid=theirs.uid, short_label=theirs.abbreviation or theirs.short_label, label=theirs.label
        )

    def attributions(self) -> tuple[Attribution, ...]:
        out = []
        for attribution in self.question.attributions:
            mention = attribution.ministry
            if mention.uid is None and (mention.label or mention.short_label):
                day = attribution.jo.date if attribution.jo and attribution.jo.date else self.on
                mention = self.organe_by_label(
                    f"minAttribs.minAttrib/{attribution.order}", "ministry", MINISTRY, mention, day
                )
                attribution = dataclasses.replace(attribution, ministry=mention)
            out.append(attribution)
        return tuple(out)


def _needs_work(question: Question, registry: Registry, on: date | None) -> bool:
    group = question.author.group
    if group is not None:
        if group.uid is None and (group.label or group.short_label):
            return True
        if group.uid is not None and on is not None:
            organe = registry.organe(group.uid)
            if organe is not None and not organe.valid_on(on):
                return True
    questioned = question.questioned_ministry
    if questioned is not None and questioned.uid is None and (questioned.label or questioned.short_label):
        return True
    return any(
        a.ministry.uid is None and (a.ministry.label or a.ministry.short_label) for a in question.attributions
    )


def reconcile_record(question: Question, registry: Registry) -> tuple[Question, list[Diagnostic]]:
    """The record with its label-only organes resolved and its anachronistic group settled, and a warning for
    every label changed or left on a fallback (naming the candidates). See the module's docstring."""
    if not _needs_work(question, registry, question_date(question)):
        return question, []
    run = _RecordRun(question, registry)
    questioned = question.questioned_ministry
    if questioned is not None and questioned.uid is None and (questioned.label or questioned.short_label):
        questioned = run.organe_by_label("minInt", "ministry", MINISTRY, questioned, run.on)
    attributions = run.attributions()
    group = run.group(question.author.group)
    reconciled = dataclasses.replace(
        question,
        author=dataclasses.replace(question.author, group=group),
        questioned_ministry=questioned,
        attributions=attributions,
    )
    report = run.report(question.source.path)
    warnings = (
        report.diagnostics()
    )  # labels left on a fallback, and groups changed (resolved ones are silent,
    # as on pages: the report lists them)
    return reconciled, warnings
