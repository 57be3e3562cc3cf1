"""The README's table of what is validated, generated from the shapes (``python -m kg.shapes_doc``).

The table sits in README.md between the markers below; a test regenerates it and fails, with a diff, when the
README's copy is stale. ``python -m kg.shapes_doc --write README.md`` refreshes it in place.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from kg.validate import Severity, ShapeInfo, Shapes, compact, load_shapes

START = "<!-- shapes-table:start -->"
END = "<!-- shapes-table:end -->"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _rule(info: ShapeInfo) -> str:
    if info.kind == "property" and info.path is not None:
        return f"`{info.path.render()}`"
    return "the node"


def render_table(shapes: Shapes | None = None) -> str:
    """One row per shape that states a rule (node shapes that only group property shapes are left out),
    grouped by file, in file order: file, shape, applies to, rule (English), severity."""
    shapes = shapes or load_shapes()
    by_file: dict[str, list[ShapeInfo]] = defaultdict(list)
    for info in shapes.info.values():
        if info.constraints == ("property",):
            continue
        by_file[info.file].append(info)
    lines = [
        f"Shapes version {shapes.version}: {sum(len(v) for v in by_file.values())} rules in "
        f"{len(shapes.files)} files (`shapes/`). Severity *Violation* quarantines a record; *Warning* is "
        "reported only.",
        "",
        "| file | shape | on | rule | severity |",
        "|---|---|---|---|---|",
    ]
    for file in shapes.files:
        for info in sorted(by_file.get(file, []), key=lambda i: (i.kind != "node", i.iri)):
            targets = info.targets or tuple(
                target for parent in info.parents for target in shapes.info[parent].targets
            )
            on = ", ".join(sorted(set(targets)))
            severity = "Violation" if info.severity is Severity.VIOLATION else info.severity.value
            lines.append(
                f"| {file} | `{compact(info.iri)}` | {_cell(on)}: {_rule(info)} | "
                f"{_cell(info.description_en)} | {severity} |"
            )
    return "\n".join(lines) + "\n"


def readme_section(text: str) -> str | None:
    """The text between the markers, or None when the README has no such section."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start + len(START) : end].strip("\n") + "\n"


def stale_diff(readme: Path, shapes: Shapes | None = None) -> str | None:
    """None when the README's table is the generated one, else a message with a unified diff."""
    text = readme.read_text(encoding="utf-8")
    current = readme_section(text)
    fresh = render_table(shapes)
    if current is None:
        return (
            f"{readme} has no section between {START} and {END}: add the markers and run "
            f"'python -m kg.shapes_doc --write {readme}'"
        )
    if current == fresh:
        return None
    diff = difflib.unified_diff(
        current.splitlines(), fresh.splitlines(), "README.md (as is)", "generated from shapes/", lineterm=""
    )
    return (
        f"the shapes table of {readme} is stale; run 'python -m kg.shapes_doc --write {readme}':\n"
        + "\n".join(diff)
    )


def write_section(readme: Path, shapes: Shapes | None = None) -> None:
    text = readme.read_text(encoding="utf-8")
    if readme_section(text) is None:
        raise ValueError(f"{readme} has no {START} … {END} section")
    start, end = text.find(START) + len(START), text.find(END)
    readme.write_text(text[:start] + "\n" + render_table(shapes) + text[end:], encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.shapes_doc", description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--check", type=Path, metavar="README", help="exit 1 with a diff when the table is stale"
    )
    group.add_argument("--write", type=Path, metavar="README", help="refresh the table in place")
    args = parser.parse_args(argv)
    if args.check:
        problem = stale_diff(args.check)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        return 0
    if args.write:
        write_section(args.write)
        return 0
    sys.stdout.write(render_table())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
