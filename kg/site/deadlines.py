"""The answer deadline of a written question (two months, Règlement de l'AN art. 135) judged at a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: Months a minister has to answer a written question.
DEADLINE_MONTHS = 2


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, the month's last day when it has no such day (31 → 30, 28/29)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(f"no date {months} months after {day}")  # unreachable: day 28 always exists


@dataclass(frozen=True, slots=True)
class Deadline:
    """Where a written question stands against its deadline at ``as_of``.

    ``state``: ``answered_in_time``, ``answered_late``, ``closed_in_time``, ``closed_late``, ``pending``
    (not yet due) or ``overdue`` (unanswered, not closed, past its deadline at ``as_of``)."""

    due: dt.date
    state: str
    days_waiting: int | None = None  # pending or overdue: days since publication at as_of

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def judge(
    published: dt.date | None,
    answered: dt.date | None,
    closed: dt.date | None,
    as_of: dt.date,
) -> Deadline | None:
    """The deadline of a written question published on ``published`` as it stands at ``as_of``: an
    answer or a closure dated after ``as_of`` has not happened yet. ``None`` without a publication date.
    Overdue from the day after the same day two months on, as ``queries/overdue-questions.rq`` counts."""
    if published is None:
        return None
    due = add_months(published, DEADLINE_MONTHS)
    if answered is not None and answered <= as_of:
        return Deadline(due, "answered_late" if answered > due else "answered_in_time")
    if closed is not None and closed <= as_of:
        return Deadline(due, "closed_late" if closed > due else "closed_in_time")
    waiting = (as_of - published).days
    return Deadline(due, "overdue" if as_of > due else "pending", waiting)
