"""The pages of deputies, ministries, groups, legislatures, places and topics.

Their facts, what is particular to their kind, the statistics and charts of their questions, and the questions themselves, paginated."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import pyoxigraph as ox

from kg.site import charts, members, stats, views
from kg.site.labels import Labeller
from kg.site.links import Links
from kg.site.paging import pager
from kg.site.stats import Scope
from kg.vocab import OX_HC, OX_ORG, OX_RDF

#: Questions listed per page of a resource.
QUESTIONS_PAGE: Final = 20
#: Overdue questions listed on a page (all are counted).
OVERDUE_LISTED: Final = 100
#: Kinds whose events have an Atom feed.
FEED_KINDS: Final = ("deputy", "ministry")


@dataclass(frozen=True, slots=True)
class ChartLink:
    title: str
    svg: str
    csv: str


def chart_paths(path: str) -> dict[str, str]:
    """The asset path (without suffix) of each chart of a page: ``charts/{name}/{path}``, ``charts/{name}``
    for the whole dataset (``path`` empty)."""
    return {name: f"charts/{name}/{path}" if path else f"charts/{name}" for name in charts.CHARTS}


def make_charts(
    db: sqlite3.Connection, scope: Scope, subject: str, lang: str, kind: str
) -> dict[str, charts.Chart]:
    """The charts of a page's questions (a ministry's page has no rate-per-ministry chart)."""
    out = {
        "questions-per-month": charts.per_month_chart(stats.per_month(db, scope), subject, lang),
        "answer-delays": charts.delay_chart(stats.delay_histogram(db, scope), subject, lang),
    }
    if kind != "ministry":
        out["answer-rate-per-ministry"] = charts.rate_chart(stats.rate_per_ministry(db, scope), subject, lang)
    return out


def questions_context(
    db: sqlite3.Connection,
    scope: Scope,
    kind: str,
    path: str,
    subject: str,
    *,
    links: Links,
    lang: str,
    as_of: dt.date,
    params: Mapping[str, str],
    paginate: bool,
) -> dict[str, Any]:
    """Statistics, charts, overdue questions and one page of the questions of ``scope``."""
    summary = stats.summary(db, scope)
    total = summary.total
    paging = pager(links.path(path), params, total, QUESTIONS_PAGE if paginate else max(total, 1))
    rows = stats.questions(db, scope, as_of, limit=paging.size, offset=paging.offset)
    overdue = stats.overdue(
        db,
        as_of,
        ministry=links.base + path if kind == "ministry" else None,
        scope=None if kind == "ministry" else scope,
    )
    chart_links = []
    if total:
        made = make_charts(db, scope, subject, lang, kind)
        for name, asset in chart_paths(path).items():
            if name in made:
                chart_links.append(
                    ChartLink(made[name].title, links.path(asset + ".svg"), links.path(asset + ".csv"))
                )
    return {
        "summary": summary,
        "rows": rows,
        "paging": paging,
        "overdue": overdue[:OVERDUE_LISTED],
        "overdue_count": len(overdue),
        "charts": chart_links,
        "type_names": stats.TYPE_NAMES,
        "feed_href": links.path(f"feeds/{path}.atom") if kind in FEED_KINDS else None,
    }


def kind_context(store: ox.Store, db: sqlite3.Connection, kind: str, iri: str) -> dict[str, Any]:
    """What a page of ``kind`` shows beyond its facts and questions."""
    if kind == "deputy":
        return {
            "mandates": members.of_person(db, iri, "ASSEMBLEE"),
            "groups": members.of_person(db, iri, "GP"),
        }
    if kind == "ministry":
        before, after = views.portfolio_chain(store, iri)
        received = stats.count(db, Scope.received_by(iri))
        government = views.related(store, iri, OX_ORG.subOrganizationOf, incoming=False)
        return {"predecessors": before, "successors": after, "received": received, "government": government}
    if kind == "group":
        return {"members": members.of_organe(db, iri)}
    if kind == "constituency":
        return {
            "holders": members.of_constituency(db, iri),
            "department": views.related(store, iri, OX_HC.department, incoming=False),
        }
    if kind == "department":
        return {"constituencies": views.related(store, iri, OX_HC.department, incoming=True)}
    if kind == "topic":
        return views.topic_neighbours(store, iri)
    if kind == "legislature":
        number = views.legislature_number(store, iri)
        groups = _groups_of(store, number) if number is not None else []
        return {"number": number, "legislature_groups": groups}
    return {}


def _groups_of(store: ox.Store, legislature: int) -> list[views.Link]:
    """The parliamentary groups of a legislature (an index seek on the group class, then one per group)."""
    number = ox.Literal(str(legislature), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    labels = Labeller(store)
    out = []
    for quad in store.quads_for_pattern(None, OX_RDF.type, OX_HC.ParliamentaryGroup, None):
        group = quad.subject
        if (
            isinstance(group, ox.NamedNode)
            and next(store.quads_for_pattern(group, OX_HC.legislature, number, None), None) is not None
        ):
            out.append(views.Link(group.value, labels.name(group.value)))
    return sorted(out, key=lambda link: link.label.lower())
