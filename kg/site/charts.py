"""Charts drawn on the server as accessible SVG, each with its data as CSV.

A title, a description naming every value, axis labels, no script: questions per month, the answer-delay
distribution, the answer rate per ministry. The words are those of the page's language (kg.site.i18n);
the CSV's column names stay the same in every language, for the programs that read them."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from kg.site.i18n import ui
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
    x_label: str = ""  # what the categories are (months, delays, ministries)
    y_label: str = ""  # what the bars measure

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

    @staticmethod
    def _axis_label(root: ET.Element, text: str, x: int, y: int, *, rotate: bool = False) -> None:
        if not text:
            return
        attributes = {"x": str(x), "y": str(y), "text-anchor": "middle", "fill": _INK, "font-weight": "bold"}
        if rotate:
            attributes["transform"] = f"rotate(-90 {x} {y})"
        ET.SubElement(root, f"{{{SVG_NS}}}text", attributes).text = text

    def _value_text(self, value: float, lang: str) -> str:
        return format_percent(value, lang) if self.percent else format_number(value, lang)

    def _vertical(self, lang: str) -> str:
        n = max(1, len(self.rows))
        bar = max(4, min(40, 720 // n))
        left, bottom, top, height = 64, 48, 16, 256
        width = max(320, left + bar * n)
        root = self._root(width + 8, height)
        self._axis_label(root, self.x_label, (left + width) // 2, height - 8)
        self._axis_label(root, self.y_label, 14, top + (height - bottom - top) // 2, rotate=True)
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
        colon = ui(lang)["colon"]
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
            ET.SubElement(rect, f"{{{SVG_NS}}}title").text = f"{row[0]}{colon}{self._value_text(value, lang)}"
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
        height = top + line * n + 8 + 20
        root = self._root(label_w + plot_w + 80, height)
        self._axis_label(root, self.y_label, label_w + plot_w // 2, height - 8)
        peak = 1.0 if self.percent else max((float(r[1]) for r in self.rows), default=0.0) or 1.0
        colon = ui(lang)["colon"]
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
            ET.SubElement(rect, f"{{{SVG_NS}}}title").text = f"{name}{colon}{self._value_text(value, lang)}"
            figure = ET.SubElement(
                root, f"{{{SVG_NS}}}text", {"x": f"{label_w + w + 4:.1f}", "y": str(y + 15), "fill": _INK}
            )
            figure.text = self._value_text(value, lang)
        return ET.tostring(root, encoding="unicode", xml_declaration=False)


def _listing(rows: Sequence[tuple[str, float, *tuple[object, ...]]], lang: str, percent: bool = False) -> str:
    colon = ui(lang)["colon"]
    shown = [
        f"{r[0]}{colon}{format_percent(float(r[1]), lang) if percent else format_number(float(r[1]), lang)}"
        for r in rows
    ]
    return "; ".join(shown) if shown else ui(lang)["no_data"]


def per_month_chart(rows: Sequence[tuple[str, int]], subject: str, lang: str) -> Chart:
    t = ui(lang)
    data = [(month, float(n)) for month, n in rows]
    return Chart(
        "questions-per-month",
        f"{t['chart_per_month']} — {subject}",
        f"{t['chart_per_month_lead']}. {_listing(data, lang)}.",
        ("month", "questions"),
        [(m, n) for m, n in rows],
        x_label=t["axis_month"],
        y_label=t["axis_questions"],
    )


def delay_chart(rows: Sequence[tuple[str, int]], subject: str, lang: str) -> Chart:
    t = ui(lang)
    data = [(b, float(n)) for b, n in rows]
    return Chart(
        "answer-delays",
        f"{t['chart_delays']} — {subject}",
        f"{t['chart_delays_lead']}. {_listing(data, lang)}.",
        ("delay_days", "questions"),
        [(b, n) for b, n in rows],
        x_label=t["axis_delay"],
        y_label=t["axis_answered"],
    )


def rate_chart(rows: Sequence[tuple[str, str, int, int]], subject: str, lang: str) -> Chart:
    t = ui(lang)
    data = [
        (label, answered / total if total else 0.0, total, answered, iri)
        for iri, label, total, answered in rows
    ]
    return Chart(
        "answer-rate-per-ministry",
        f"{t['chart_rate']} — {subject}",
        f"{t['chart_rate_lead']}. {_listing(data, lang, percent=True)}.",
        ("ministry", "answer_rate", "written_questions", "answered", "iri"),
        data,
        horizontal=True,
        percent=True,
        x_label=t["ministry"],
        y_label=t["axis_rate"],
    )
