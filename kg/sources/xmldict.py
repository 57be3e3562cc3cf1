"""XML → JSON-shaped dicts, the way the Assemblée's own JSON exports are made from its XML.

The conversion rules are those of the official JSON files (an ``xmltodict``-style mapping):

* an element's attributes become ``"@name"`` keys (``xsi:type`` → ``"@xsi:type"``, ``xsi:nil`` →
  ``"@xsi:nil"``) and the namespaces it declares become ``"@xmlns"`` / ``"@xmlns:prefix"``;
* tag names lose their namespace;
* an element with text only becomes that string (kept exactly, whitespace included), an empty one ``None``;
* child elements become keys; a repeated child becomes a list, in document order;
* text next to attributes or child elements becomes ``"#text"`` (unless it is only layout whitespace).

Elements named in ``markup_tags`` (the question and answer ``texte`` fields) are HTML fragments: some dumps
escape the HTML (``&lt;p&gt;``, then the element is text only), others embed it as real child elements. In
the second case the inner markup is serialised back to a string, so that both spell the same fragment and
no character is lost.

Parsing is streaming (``lxml.etree.iterparse``) and safe: no DTD is loaded, no entity is expanded, nothing is
fetched from the network. A document with a ``DOCTYPE`` is refused outright (the prolog is scanned the way the
parser reads it, so a comment or processing instruction cannot hide one), and elements nested deeper than
:data:`MAX_DEPTH` are refused. libxml2's "huge" mode is on so that a long text (a 10 MB answer) is read whole
rather than refused: with no DTD, its other limits (entity amplification) have nothing left to guard.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

__all__ = ["MAX_DEPTH", "XmlError", "XmlRecord", "XmlStray", "iter_xml_records"]

#: Prefixes used for attribute names when the document does not declare one for their namespace.
_KNOWN_PREFIXES = {
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
    "http://www.w3.org/XML/1998/namespace": "xml",
}

#: Elements nested deeper than this are refused (the Assemblée's records nest about ten levels).
MAX_DEPTH = 256

_SPACE = re.compile(rb"[ \t\r\n]*")


class XmlError(ValueError):
    """The document is not usable XML (syntax error, DTD, entity reference); the message is one line."""


@dataclass(frozen=True, slots=True)
class XmlRecord:
    """A record element, converted. ``index`` counts record elements under the document element
    (0-based); it is ``None`` when the document element is itself the record."""

    root: str  # local name of the document element
    index: int | None
    data: Any  # usually a dict; a string or None when the record element is text only or empty


@dataclass(frozen=True, slots=True)
class XmlStray:
    """A child of the document element that is not a record element (reported, not converted)."""

    root: str
    tag: str
    position: int  # 0-based position among the document element's child elements


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: str) -> str:
    """The tag without its namespace (cached: a schema has few tags)."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rpartition("}")[2] if tag[:1] == "{" else tag
        if len(_LOCAL_NAMES) < 4096:
            _LOCAL_NAMES[tag] = name
    return name


class _Frame:
    """An element being converted: its attributes and the children converted so far."""

    __slots__ = ("last", "repeated", "result", "tag", "tails")

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.result: dict[str, Any] | None = None  # None while the element has no attribute nor child
        self.last: Any = None  # the last child element, whose tail is read once it has been parsed
        self.tails: list[str] | None = None  # non-blank text between child elements
        self.repeated: set[str] | None = None  # keys already turned into lists

    def take_tail(self) -> None:
        tail = self.last.tail
        if tail and not tail.isspace():
            if self.tails is None:
                self.tails = [tail]
            else:
                self.tails.append(tail)

    def add(self, key: str, value: Any) -> None:
        result = self.result
        if result is None:
            self.result = {key: value}
        elif key not in result:
            result[key] = value
        elif self.repeated is not None and key in self.repeated:
            result[key].append(value)
        else:
            result[key] = [result[key], value]
            if self.repeated is None:
                self.repeated = {key}
            else:
                self.repeated.add(key)

    def finish(self, element: Any) -> Any:
        result = self.result
        text = element.text
        if self.last is not None:  # the element has children
            self.take_tail()
            if self.tails:
                text = (text or "") + "".join(self.tails)
            if result is None:  # every child was skipped (not possible today, but keep the shape right)
                result = {}
            if text and not text.isspace():
                result["#text"] = text.strip()
            return result
        if result is None:
            return text or None
        if text and not text.isspace():  # next to attributes, layout whitespace is not text
            result["#text"] = text
        return result


class _Markup:
    """Serialises the content of an element holding HTML as child elements back to a string."""

    def __init__(self, attribute_name: Any) -> None:
        self.attribute_name = attribute_name

    def inner(self, element: Any) -> str:
        """The content of ``element`` as markup: its text, then each child serialised, tails included."""
        out = [_escape_text(element.text or "")]
        for child in element:
            self.serialise(child, out)
        return "".join(out)

    def serialise(self, node: Any, out: list[str]) -> None:
        tag = node.tag
        if tag is etree.Comment:
            out.append(f"<!--{node.text or ''}-->")
        elif tag is etree.PI:
            out.append(f"<?{node.target} {node.text or ''}?>")
        elif tag is etree.Entity:
            raise XmlError(f"unexpanded entity reference {node.text} (entities are not accepted)")
        else:
            name = _local(tag)
            attributes = "".join(
                f' {self.attribute_name(key)[1:]}="{_escape_attribute(value)}"'
                for key, value in node.attrib.items()
            )
            if node.text is None and len(node) == 0:
                out.append(f"<{name}{attributes}/>")
            else:
                out.append(f"<{name}{attributes}>")
                out.append(_escape_text(node.text or ""))
                for child in node:
                    self.serialise(child, out)
                out.append(f"</{name}>")
        if node.tail:
            out.append(_escape_text(node.tail))


def _escape_text(text: str) -> str:
    # Only what XML requires: ``>`` stays as written, as it does in the escaped-HTML dumps.
    return text.replace("&", "&amp;").replace("<", "&lt;") if ("&" in text or "<" in text) else text


def _escape_attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def _refuse_doctype(data: bytes) -> None:
    """Walk the prolog as the parser does (XML declaration, comments, processing instructions, white
    space) up to the first element: a DOCTYPE can only stand there. Anything else that starts with ``<!``
    there is not well-formed XML anyway, and is refused too rather than left to the parser's judgement."""
    position = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while True:
        match = _SPACE.match(data, position)
        position = match.end() if match else position
        if data.startswith(b"<?", position):
            end = data.find(b"?>", position + 2)
            if end < 0:
                return  # unterminated: the parser says so
            position = end + 2
        elif data.startswith(b"<!--", position):
            end = data.find(b"-->", position + 4)
            if end < 0:
                return
            position = end + 3
        elif data.startswith(b"<!", position):
            raise XmlError(
                "the document has a DOCTYPE: DTDs and entity declarations are refused "
                "(they could expand entities or fetch external resources)"
            )
        else:
            return


def _syntax_message(exc: Exception, log: Any) -> str:
    """The parser's own first error (the exception's text can be vague, e.g. for an undefined entity)."""
    for entry in log:
        if entry.level_name in ("FATAL", "ERROR"):
            return f"invalid XML: {entry.message} (line {entry.line}, column {entry.column})"
    return f"invalid XML: {exc}"


def iter_xml_records(
    data: bytes, record_tag: str = "question", markup_tags: frozenset[str] = frozenset()
) -> Iterator[XmlRecord | XmlStray]:
    """Stream the record elements of an XML document, converted to dicts.

    The document element is either the record itself (``<question>``: one :class:`XmlRecord` with index
    ``None``) or a collection whose children are records (``<questionsEcrites><question>…``). Children of a
    collection that are not records are yielded as :class:`XmlStray`. Dicts are built from the parser's
    events (one pass), each record is yielded when its end tag is read, then cleared from memory.
    ``data`` must be UTF-8 (a declared encoding is overridden). Raises :class:`XmlError`, possibly after
    some records were yielded (a truncated document).
    """
    _refuse_doctype(data)
    prefixes = dict(_KNOWN_PREFIXES)  # namespace URI -> prefix, as declared by the document

    def attribute_name(name: str) -> str:
        if name[:1] != "{":
            return "@" + name
        uri, _, local = name[1:].partition("}")
        prefix = prefixes.get(uri)
        return f"@{prefix}:{local}" if prefix else "@" + local

    markup = _Markup(attribute_name)
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start-ns", "start", "end"),
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
        remove_blank_text=False,
    )
    stack: list[_Frame] = []
    declared: list[tuple[str, str]] = []  # namespaces declared by the next element
    inside_markup = 0  # depth inside an element of markup_tags, whose content is serialised at its end
    root = ""
    single = False
    records = 0
    position = 0  # among the collection's child elements
    try:
        for event, item in events:
            if event == "start":
                if len(stack) + inside_markup >= MAX_DEPTH:
                    raise XmlError(f"elements nested deeper than {MAX_DEPTH} levels (line {item.sourceline})")
                if inside_markup:
                    inside_markup += 1
                    continue
                frame = _Frame(_local(item.tag))
                if stack:
                    parent = stack[-1]
                    if parent.last is not None and (single or len(stack) > 1):
                        parent.take_tail()
                    parent.last = item
                else:
                    root = frame.tag
                    single = root == record_tag
                if declared:
                    frame.result = {
                        "@xmlns:" + prefix if prefix else "@xmlns": uri for prefix, uri in declared
                    }
                    declared = []
                if len(item.attrib):
                    if frame.result is None:
                        frame.result = {}
                    for name, value in item.attrib.items():
                        frame.result[attribute_name(name)] = value
                stack.append(frame)
                if frame.tag in markup_tags:
                    inside_markup = 1
            elif event == "end":
                if inside_markup > 1:
                    inside_markup -= 1
                    continue
                frame = stack.pop()
                depth = len(stack)
                if depth == 0 and not single:
                    continue  # the collection element: its records have been yielded already
                if inside_markup:
                    inside_markup = 0
                    content = markup.inner(item) if len(item) else item.text
                    if frame.result is None:
                        value = content or None
                    else:
                        if content and not content.isspace():
                            frame.result["#text"] = content
                        value = frame.result
                else:
                    value = frame.finish(item)
                if depth == 0:
                    yield XmlRecord(root, None, value)
                elif depth == 1 and not single:
                    if frame.tag == record_tag:
                        yield XmlRecord(root, records, value)
                        records += 1
                    else:
                        yield XmlStray(root, frame.tag, position)
                    position += 1
                    item.clear(keep_tail=False)
                    parent_element = item.getparent()
                    while item.getprevious() is not None:
                        del parent_element[0]
                else:
                    stack[-1].add(frame.tag, value)
            else:  # start-ns
                prefix, uri = item
                if not inside_markup:  # declarations inside markup are part of that markup, not data
                    declared.append((prefix or "", uri))
                if prefix:
                    prefixes[uri] = prefix
    except etree.XMLSyntaxError as exc:
        raise XmlError(_syntax_message(exc, events.error_log)) from None
