"""Charts drawn on the server as accessible SVG, each with its data as CSV.

A title, a description naming every value, no script: questions per month, the answer-delay distribution, the answer rate per ministry."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from kg.site.render import format_number, format_percent

SVG_NS: Final = "http://www.w3.org/2000/svg"
#: The charts every page of questions offers, by name.
CHARTS: Final = ("questions-per-month", "answer-delays", "answer-rate-per-ministry")
_INK, _BAR, _GRID = "#1d1d1f", "#0b4f8a", "#cccccc"


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart's data: ``rows`` of (label, value[, extra]) under ``columns``, drawn as bars."""

    name: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, float, *tuple[object, ...]]]
    horizontal: bool = False
    percent: bool = False

    def csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(row)
        return out.getvalue().encode("utf-8")

    def svg(self, lang: str = "fr") -> bytes:
        return (self._horizontal(lang) if self.horizontal else self._vertical(lang)).encode("utf-8")

    def _root(self, width: int, height: int) -> ET.Element:
        ET.register_namespace("", SVG_NS)
        root = ET.Element(
            f"{{{SVG_NS}}}svg",
            {
                "viewBox": f"0 0 {width} {height}",
                "width": str(width),
                "height": str(height),
                "role": "img",
                "aria-labelledby": f"{self.name}-title {self.name}-desc",
                "font-family": "sans-serif",
                "font-size": "12",
            },
        )
        ET.SubElement(root, f"{{{SVG_NS}}}title", {"id": f"{self.name}-title"}).text = self.title
        ET.SubElement(root, f"{{{SVG_NS}}}desc", {"id": f"{self.name}-desc"}).text = self.description
        return root

    def _value_text(self, value: float, lang: str) -> str:
        return format_percent(value, lang) if self.percent else format_number(value, lang)

    def _vertical(self, lang: str) -> str:
        n = max(1, len(self.rows))
        bar = max(4, min(40, 720 // n))
        left, bottom, top, height = 48, 40, 16, 240
        width = max(320, left + bar * n)
        root = self._root(width + 8, height)
        peak = max((float(r[1]) for r in self.rows), default=0.0) or 1.0
        plot = height - bottom - top
        for fraction in (0.0, 0.5, 1.0):
            y = top + plot - plot * fraction
            ET.SubElement(
                root,
                f"{{{SVG_NS}}}line",
                {"x1": str(left), "x2": str(width), "y1": f"{y:.1f}", "y2": f"{y:.1f}", "stroke": _GRID},
            )
            label = ET.SubElement(
                root,
                f"{{{SVG_NS}}}text",
                {"x": str(left - 4), "y": f"{y + 4:.1f}", "text-anchor": "end", "fill": _INK},
            )
            label.text = self._value_text(peak * fraction, lang)
        every = max(1, n // 12)
        for i, row in enumerate(self.rows):
            value = float(row[1])
            h = plot * value / peak
            x = left + i * bar
            rect = ET.SubElement(
                root,
                f"{{{SVG_NS}}}rect",
                {
                    "x": str(x + 1),
                    "y": f"{top + plot - h:.1f}",
                    "width": str(max(1, bar - 2)),
                    "height": f"{h:.1f}",
                    "fill": _BAR,
                },
            )
            ET.SubElement(rect, f"{{{SVG_NS}}}title").text = f"{row[0]} : {self._value_text(value, lang)}"
            if i % every == 0:
                tick = ET.SubElement(
                    root,
                    f"{{{SVG_NS}}}text",
                    {
                        "x": str(x + bar // 2),
                        "y": str(height - bottom + 14),
                        "text-anchor": "middle",
                        "fill": _INK,
                    },
                )
                tick.text = str(row[0])
        return ET.tostring(root, encoding="unicode", xml_declaration=False)

    def _horizontal(self, lang: str) -> str:
        n = max(1, len(self.rows))
        line, label_w, plot_w, top = 22, 300, 300, 8
        height = top + line * n + 8
        root = self._root(label_w + plot_w + 80, height)
        peak = 1.0 if self.percent else max((float(r[1]) for r in self.rows), default=0.0) or 1.0
        for i, row in enumerate(self.rows):
            y = top + i * line
            value = float(row[1])
            name = str(row[0])
            label = ET.SubElement(
                root,
                f"{{{SVG_NS}}}text",
                {"x": str(label_w - 6), "y": str(y + 15), "text-anchor": "end", "fill": _INK},
            )
            label.text = name if len(name) <= 45 else name[:44] + "…"
            w = plot_w * value / peak
            rect = ET.SubElement(
                root,
                f"{{{SVG_NS}}}rect",
                {
                    "x": str(label_w),
                    "y": str(y + 3),
                    "width": f"{w:.1f}",
                    "height": str(line - 6),
                    "fill": _BAR,
                },
            )
            ET.SubElement(rect, f"{{{SVG_NS}}}title").text = f"{name} : {self._value_text(value, lang)}"
            figure = ET.SubElement(
                root, f"{{{SVG_NS}}}text", {"x": f"{label_w + w + 4:.1f}", "y": str(y + 15), "fill": _INK}
            )
            figure.text = self._value_text(value, lang)
        return ET.tostring(root, encoding="unicode", xml_declaration=False)


def _listing(rows: Sequence[tuple[str, float, *tuple[object, ...]]], lang: str, percent: bool = False) -> str:
    shown = [
        f"{r[0]} : {format_percent(float(r[1]), lang) if percent else format_number(float(r[1]), lang)}"
        for r in rows
    ]
    return "; ".join(shown) if shown else ("aucune donnée" if lang == "fr" else "no data")


def per_month_chart(rows: Sequence[tuple[str, int]], subject: str, lang: str) -> Chart:
    title = (
        f"Questions publiées par mois — {subject}"
        if lang == "fr"
        else f"Questions published per month — {subject}"
    )
    lead = (
        "Nombre de questions publiées chaque mois"
        if lang == "fr"
        else "Number of questions published each month"
    )
    data = [(month, float(n)) for month, n in rows]
    return Chart(
        "questions-per-month",
        title,
        f"{lead}. {_listing(data, lang)}.",
        ("month", "questions"),
        [(m, n) for m, n in rows],
    )


def delay_chart(rows: Sequence[tuple[str, int]], subject: str, lang: str) -> Chart:
    title = (
        f"Délais de réponse aux questions écrites — {subject}"
        if lang == "fr"
        else f"Answer delays of written questions — {subject}"
    )
    lead = (
        "Nombre de questions écrites répondues, par délai de réponse en jours"
        if lang == "fr"
        else "Answered written questions by answer delay in days"
    )
    data = [(b, float(n)) for b, n in rows]
    return Chart(
        "answer-delays",
        title,
        f"{lead}. {_listing(data, lang)}.",
        ("delay_days", "questions"),
        [(b, n) for b, n in rows],
    )


def rate_chart(rows: Sequence[tuple[str, str, int, int]], subject: str, lang: str) -> Chart:
    title = (
        f"Taux de réponse par ministère — {subject}"
        if lang == "fr"
        else f"Answer rate per ministry — {subject}"
    )
    lead = (
        "Part des questions écrites répondues, par ministère attributaire"
        if lang == "fr"
        else "Share of written questions answered, per ministry in charge"
    )
    data = [
        (label, answered / total if total else 0.0, total, answered, iri)
        for iri, label, total, answered in rows
    ]
    return Chart(
        "answer-rate-per-ministry",
        title,
        f"{lead}. {_listing(data, lang, percent=True)}.",
        ("ministry", "answer_rate", "written_questions", "answered", "iri"),
        data,
        horizontal=True,
        percent=True,
    )
