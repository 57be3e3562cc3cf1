"""The query catalog as Markdown, generated from the headers of ``queries/*.rq``.

The README (and ``queries/README.md``) hold it between two markers; a test regenerates it and compares, so
the documentation of a query can never drift from the query. To refresh a file after changing a header::

    from kg.catalog_doc import update_file; update_file(Path("README.md"))
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kg.errors import InputError
from kg.query.catalog import QuerySpec, load_catalog

START = "<!-- queries-catalog:start -->"
END = "<!-- queries-catalog:end -->"
_NOTE = "<!-- generated from the headers of queries/*.rq by kg.catalog_doc: edit the headers, not this -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def query_markdown(spec: QuerySpec) -> str:
    lines = [f"### `{spec.name}` — {spec.title}", "", _cell(spec.description) or "(no description)", ""]
    if spec.params:
        lines += ["| parameter | type | default | meaning |", "|---|---|---|---|"]
        for param in spec.params:
            default = f"`{param.default}`" if param.default is not None else param.default_text
            lines.append(f"| `{param.name}` | {param.type.value} | {default} | {_cell(param.description)} |")
    else:
        lines.append("No parameters.")
    lines += ["", "Columns: " + ", ".join(f"`{column}`" for column in spec.columns) + ".", ""]
    lines += ["```sh"]
    examples = spec.examples or ("",)
    for example in examples:
        lines.append(f"kg query {spec.name} {example}".rstrip())
    lines += ["```", ""]
    return "\n".join(lines)


def catalog_markdown(specs: Sequence[QuerySpec] | None = None) -> str:
    """The catalog section, markers included (``specs``: default the shipped catalog)."""
    chosen = list(specs) if specs is not None else load_catalog()
    index = ["| query | answers |", "|---|---|"]
    index += [f"| [`{spec.name}`](#{_anchor(spec)}) | {_cell(spec.title)} |" for spec in chosen]
    body = "\n".join(query_markdown(spec) for spec in chosen)
    return f"{START}\n{_NOTE}\n\n" + "\n".join(index) + "\n\n" + body + f"{END}\n"


def _anchor(spec: QuerySpec) -> str:
    """GitHub's anchor for the heading ``### `name` — Title``."""
    heading = f"{spec.name} — {spec.title}".lower()
    kept = "".join(ch for ch in heading if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


def section_of(text: str) -> str | None:
    """The catalog section of ``text`` (markers included), ``None`` when the markers are absent."""
    start = text.find(START)
    end = text.find(END, start + len(START)) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    return text[start : end + len(END)] + "\n"


def replace_section(text: str, section: str) -> str:
    start = text.find(START)
    end = text.find(END, start + len(START)) if start >= 0 else -1
    if start < 0 or end < 0:
        raise InputError(f"no {START} … {END} markers")
    tail = text[end + len(END) :]
    return text[:start] + section.rstrip("\n") + tail


def is_fresh(path: Path, specs: Sequence[QuerySpec] | None = None) -> bool:
    """True when ``path`` holds exactly the catalog generated now."""
    return section_of(path.read_text(encoding="utf-8")) == catalog_markdown(specs)


def update_file(path: Path, specs: Sequence[QuerySpec] | None = None) -> bool:
    """Rewrite the catalog section of ``path`` in place; True when it changed."""
    text = path.read_text(encoding="utf-8")
    try:
        updated = replace_section(text, catalog_markdown(specs))
    except InputError as exc:
        raise InputError(exc.message, file=str(path)) from None
    if updated != text:
        path.write_text(updated, encoding="utf-8")
        return True
    return False
