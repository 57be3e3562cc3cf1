"""Question and answer texts made safe for a page: only plain formatting tags survive, no attributes."""

from __future__ import annotations

import lxml.etree as etree
import lxml.html
from markupsafe import Markup, escape

#: The tags a text keeps; any other is dropped with its text kept.
_KEEP = frozenset({"p", "br", "em", "i", "strong", "b", "sup", "sub", "ul", "ol", "li", "blockquote"})
_BLOCK = frozenset({"p", "ul", "ol", "blockquote"})


def safe_html(fragment: str | None) -> Markup | None:
    """The source's HTML as markup that can go into a page as is: allowed tags without attributes,
    text escaped, loose inline text wrapped in paragraphs. ``None`` when nothing readable is left."""
    if not fragment or not fragment.strip():
        return None
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return None
    blocks: list[str] = []
    inline: list[str] = []

    def flush() -> None:
        text = "".join(inline).strip()
        if text:
            blocks.append(f"<p>{text}</p>")
        inline.clear()

    if root.text:
        inline.append(str(escape(root.text)))
    for child in root:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag in _BLOCK or tag == "div":
            flush()
            inner = _inline(child)
            if inner.strip():
                wrap = tag if tag in _BLOCK else "p"
                blocks.append(f"<{wrap}>{inner.strip()}</{wrap}>")
        else:
            inline.append(_element(child))
        if child.tail:
            inline.append(str(escape(child.tail)))
    flush()
    return Markup("\n".join(blocks)) if blocks else None


def _element(element: etree._Element) -> str:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if tag == "br":
        return "<br>"
    inner = _inline(element)
    if tag in _KEEP and tag not in _BLOCK and tag != "li":
        return f"<{tag}>{inner}</{tag}>"
    if tag == "li":
        return f"<li>{inner}</li>"
    return inner


def _inline(element: etree._Element) -> str:
    out = [str(escape(element.text))] if element.text else []
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag in ("p", "div"):  # a paragraph inside a block: a line break keeps the markup valid
            out.append(_inline(child) + "<br>")
        else:
            out.append(_element(child))
        if child.tail:
            out.append(str(escape(child.tail)))
    return "".join(out)
