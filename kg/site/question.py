"""The page of one question: the card of ``kg show`` with every fact linked, and its deadline at a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyoxigraph as ox

from kg.iris import Minter
from kg.models import QuestionType
from kg.query.card import CardEvent, QuestionCard, build_card, card_rows
from kg.query.catalog import QuerySpec, find_query
from kg.query.results import ResultTable
from kg.site.deadlines import Deadline, judge
from kg.store import EmbeddedStore


@dataclass(frozen=True, slots=True)
class QuestionPage:
    card: QuestionCard
    deadline: Deadline | None  # written questions only
    ministries: tuple[tuple[CardEvent, dt.date | None], ...]  # each attribution and when it took over
    topics: tuple[tuple[str, str, str], ...]  # (scheme, label, IRI)


#: A uid no question has, bound once to find where the card query's text takes the uid.
_PLACEHOLDER = "QANR5L99QE0"


@cache
def _card_query() -> tuple[QuerySpec, tuple[str, ...]]:
    """``queries/question-card.rq`` read, parsed and bound once per process, as the pieces of its text
    around the bound uid (a static export renders every question's page: reading the file and binding
    the uid into its text again for each one cost more than running the query)."""
    spec = find_query("question-card")
    marker = str(spec.bind({"uid": _PLACEHOLDER})["uid"])
    pieces = tuple(spec.render({"uid": _PLACEHOLDER}).split(marker))
    if len(pieces) < 2:
        raise AssertionError("the question card query does not take its uid as a value")
    return spec, pieces


def card_query_text(uid: str) -> str:
    """The text :meth:`QuerySpec.render` gives the card query for ``uid`` (the same VALUES block, the uid
    checked and written as an RDF literal by the catalog's binding)."""
    spec, pieces = _card_query()
    return str(spec.bind({"uid": uid})["uid"]).join(pieces)


def _card_table(store: EmbeddedStore, uid: str) -> ResultTable:
    solutions = store.store.query(card_query_text(uid), use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    columns = tuple(v.value for v in solutions.variables)
    rows = tuple(tuple(solution[i] for i in range(len(columns))) for solution in solutions)
    return ResultTable(columns, rows)


def load_question(store: EmbeddedStore, uid: str, as_of: dt.date, base: str) -> QuestionPage | None:
    """The question ``uid`` from the embedded store, ``None`` when the store has no such question."""
    rows = card_rows(_card_table(store, uid))
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
