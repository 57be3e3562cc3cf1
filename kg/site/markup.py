"""The HTML fragments every page repeats (a linked value, a link, a date), built in Python for the templates.

They were Jinja macros: a page of facts calls them dozens of times, and a macro call costs ten times a
Python call, which a static export of a million pages pays in full. The output is the macros' own, escaped
by markupsafe as the templates escape."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup, escape

from kg.site.describe import Value
from kg.site.links import Links
from kg.site.render import format_date


@dataclass(frozen=True, slots=True)
class Fragments:
    """The fragments of the pages of one language, with links pointing where :class:`Links` says."""

    links: Links
    lang: str

    def link(self, value: Value) -> Markup:
        """A value as a page shows it: a link to an IRI with its label, a date, a literal in another
        language marked as such, or the text."""
        if value.iri:
            return Markup('<a href="{}">{}</a>').format(self.links.href(value.iri), value.text)
        if value.date:
            return self.day(value.date)
        if value.lang and value.lang != self.lang:
            return Markup('<span lang="{}">{}</span>').format(value.lang, value.text)
        return escape(value.text)

    def ref(self, iri: str, text: object) -> Markup:
        """A link to ``iri`` reading ``text``."""
        return Markup('<a href="{}">{}</a>').format(self.links.href(iri), text)

    def day(self, value: dt.date | None) -> Markup:
        """A date in the page's language, machine-readable in ``datetime``; nothing for no date."""
        if not value:
            return Markup("")
        return Markup('<time datetime="{}">{}</time>').format(
            value.isoformat(), format_date(value, self.lang)
        )
