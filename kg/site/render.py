"""The Jinja2 environment of the site's templates and the filters pages use (dates, numbers, links)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import jinja2

from kg.sources.page_labels import MONTHS

_MONTHS_FR = MONTHS  # the French month names pages are read with are the ones they are written with


def format_date(day: dt.date | None, lang: str = "fr") -> str:
    """``21 juin 2022`` (``1er`` for the first) in French, ``21 June 2022`` in English."""
    if day is None:
        return ""
    if lang == "en":
        return f"{day.day} {day.strftime('%B')} {day.year}"
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {_MONTHS_FR[day.month - 1]} {day.year}"


def format_number(value: float | int | None, lang: str = "fr", digits: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_percent(value: float | None, lang: str = "fr") -> str:
    if value is None:
        return "—"
    return format_number(value * 100, lang, 1) + ("\u202f%" if lang == "fr" else "%")


@cache
def environment() -> jinja2.Environment:
    """The templates under ``kg/site/templates`` (shipped in the wheel), HTML-escaped by default."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kg.site", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["date"] = format_date
    env.filters["number"] = format_number
    env.filters["percent"] = format_percent
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
