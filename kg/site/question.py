"""The page of one question: the card of ``kg show`` with every fact linked, and its deadline at a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kg.iris import Minter
from kg.models import QuestionType
from kg.query.card import CardEvent, QuestionCard, build_card, card_rows
from kg.query.catalog import find_query
from kg.query.targets import EmbeddedTarget
from kg.site.deadlines import Deadline, judge
from kg.store import EmbeddedStore


@dataclass(frozen=True, slots=True)
class QuestionPage:
    card: QuestionCard
    deadline: Deadline | None  # written questions only
    ministries: tuple[tuple[CardEvent, dt.date | None], ...]  # each attribution and when it took over
    topics: tuple[tuple[str, str, str], ...]  # (scheme, label, IRI)


def load_question(store: EmbeddedStore, uid: str, as_of: dt.date, base: str) -> QuestionPage | None:
    """The question ``uid`` from the embedded store, ``None`` when the store has no such question."""
    spec = find_query("question-card")
    target = EmbeddedTarget(store, timeout=None, max_rows=None)
    rows = card_rows(target.execute(spec.render({"uid": uid}), name=spec.name))
    if not rows:
        return None
    card = build_card(uid, rows)
    deadline = None
    if card.type is QuestionType.WRITTEN:
        answers = [e.day for e in card.events_of("answer") if e.day is not None]
        deadline = judge(
            card.publication_date, min(answers) if answers else card.answer_date, card.closure_date, as_of
        )
    ministries = tuple((e, e.day) for e in card.events_of("attribution"))
    mint = Minter(base)
    topics = tuple((scheme, label, mint.topic(scheme, label).value) for scheme, label in card.topics)
    return QuestionPage(card, deadline, ministries, topics)


def question_context(page: QuestionPage) -> dict[str, Any]:
    card = page.card
    return {
        "card": card,
        "deadline": page.deadline,
        "ministries": page.ministries,
        "topics": page.topics,
        "publications": card.events_of("publication"),
        "answers": card.events_of("answer"),
        "closures": [c for c in card.events_of("closure") if c.reason != "AnswerPublished"],
    }
