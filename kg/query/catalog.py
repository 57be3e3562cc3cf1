"""The query catalog: the ``queries/*.rq`` files, their comment headers, and finding a query by name or path.

Each file starts with a header of comment lines::

    # title: Questions of a deputy
    # description: Every question a deputy asked …
    #   (a line starting with ``#`` and two spaces continues the previous field)
    # param: deputy (pa-id, required) — the deputy's Assemblée identifier
    # param: legislature (integer, optional) — only this legislature
    # param: type (question-type, QE) — QE, QOSD, QG or all
    # example: --param deputy=PA345722

``(type, required)`` makes a parameter mandatory, ``(type, optional)`` leaves it unbound when not given
(the query then ranges over every value), any other word is the default value. How values are bound is
:mod:`kg.query.binding`'s job; where a query runs, :mod:`kg.query.targets`'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.query.binding import PARAM_NAME, Param, ParamType, inject_values, strip_comments
from kg.resources import resource_dir

_PARAM_LINE = re.compile(
    r"^(?P<name>\S+)\s*\(\s*(?P<type>[^,()]+?)\s*(?:,\s*(?P<default>[^()]*?)\s*)?\)\s*(?:[—–-]+\s*(?P<meaning>.*))?$"
)
_HEADER_FIELD = re.compile(r"^#\s?(?P<key>[a-z][a-z_-]*):\s*(?P<value>.*)$")


@dataclass(frozen=True, slots=True)
class QuerySpec:
    """A query of the catalog (or a file given on the command line), with its parsed header."""

    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = ()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def columns(self) -> tuple[str, ...]:
        """The result columns (projected variables), read by parsing the query (nothing is evaluated)."""
        result = _parse_check(self)
        if isinstance(result, ox.QuerySolutions):
            return tuple(v.value for v in result.variables)
        return ("ask",) if isinstance(result, ox.QueryBoolean) else ("subject", "predicate", "object")

    def bind(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Validate ``values`` against the declared parameters and apply defaults. Unknown names, missing
        required values and ill-typed values raise :class:`InputError` naming the query and the parameter."""
        where = self.name
        declared = {p.name for p in self.params}
        for name in values:
            if name not in declared:
                known = ", ".join(sorted(declared)) or "none"
                raise InputError(
                    f"unknown parameter {name!r} (this query takes: {known})",
                    file=where,
                    field=f"--param {name}",
                )
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for param in self.params:
            raw = values.get(param.name, param.default)
            if raw is None:
                if param.required:
                    raise InputError(
                        f"missing required parameter (give --param {param.name}=…: {param.description})",
                        file=where,
                        field=f"--param {param.name}",
                    )
                continue
            term = param.term(raw, where=where)
            if term is not None:
                bound[param.name] = term
        return bound

    def render(self, values: Mapping[str, str]) -> str:
        """The query text with ``values`` bound (validated) as a ``VALUES`` block in every WHERE group."""
        return inject_values(self.text, self.bind(values))


def _parse_check(spec: QuerySpec) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    try:
        return ox.Store().query(spec.text)
    except SyntaxError as exc:
        raise InputError(f"SPARQL syntax error: {exc}", file=str(spec.path)) from None


# ------------------------------------------------------------------ header and catalog


def parse_query_file(path: Path) -> QuerySpec:
    """Read one ``.rq`` file and its header. Raises :class:`InputError` naming the file and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the query ({exc})", file=str(path)) from None
    return parse_query_text(text, path)


def parse_query_text(text: str, path: Path) -> QuerySpec:
    fields: list[tuple[str, str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER_FIELD.match(stripped)
        if match:
            fields.append((match["key"], match["value"].strip()))
        elif fields and re.match(r"^#\s{2,}\S", stripped):
            key, value = fields[-1]
            fields[-1] = (key, f"{value} {stripped[1:].strip()}")
    title = description = ""
    params: list[Param] = []
    examples: list[str] = []
    where = str(path)
    for key, value in fields:
        if key == "title":
            title = value
        elif key == "description":
            description = value
        elif key == "param":
            param = _parse_param(value, where)
            if any(p.name == param.name for p in params):
                raise InputError(f"parameter {param.name!r} declared twice", file=where, field="# param")
            params.append(param)
        elif key == "example":
            examples.append(value)
    if not title:
        raise InputError("the header has no '# title:' line", file=where, field="# title")
    body = strip_comments(text)
    for param in params:
        if not re.search(rf"[?$]{re.escape(param.name)}\b", body):
            raise InputError(
                f"parameter {param.name!r} is declared but the query never uses ?{param.name}",
                file=where,
                field="# param",
            )
    return QuerySpec(
        name=path.stem,
        path=path,
        text=text,
        title=title,
        description=description,
        params=tuple(params),
        examples=tuple(examples),
    )


def _parse_param(value: str, where: str) -> Param:
    match = _PARAM_LINE.match(value)
    if not match:
        raise InputError(
            f"cannot read {value!r} (expected: name (type, required|optional|default) — meaning)",
            file=where,
            field="# param",
        )
    name = match["name"]
    if not PARAM_NAME.match(name):
        raise InputError(f"{name!r} is not a valid SPARQL variable name", file=where, field="# param")
    try:
        kind = ParamType(match["type"].strip().lower())
    except ValueError:
        known = ", ".join(t.value for t in ParamType)
        raise InputError(
            f"unknown parameter type {match['type']!r} for {name!r} (known: {known})",
            file=where,
            field="# param",
        ) from None
    default = (match["default"] or "optional").strip()
    param = Param(
        name=name,
        type=kind,
        required=default == "required",
        default=None if default in ("required", "optional") else default,
        description=(match["meaning"] or "").strip(),
    )
    if param.default is not None:
        param.term(param.default, where=where)  # a bad default is the query's fault: say so now
    return param


def catalog_dir() -> Path:
    """``queries/`` of the checkout, or the copy inside the installed wheel."""
    return resource_dir("queries")


def load_catalog(directory: Path | None = None) -> list[QuerySpec]:
    """Every ``*.rq`` of ``directory`` (default: the shipped ``queries/``), by name."""
    folder = directory or catalog_dir()
    return [parse_query_file(path) for path in sorted(folder.glob("*.rq"))]


def find_query(name_or_file: str, directory: Path | None = None) -> QuerySpec:
    """A catalog query by name (``questions-by-deputy``) or any ``.rq`` file by path."""
    candidate = Path(name_or_file)
    if name_or_file.endswith(".rq") or candidate.is_file():
        if not candidate.is_file():
            raise InputError("no such query file", file=name_or_file)
        return parse_query_file(candidate)
    folder = directory or catalog_dir()
    path = folder / f"{name_or_file}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name_or_file) or not path.is_file():
        known = ", ".join(spec.name for spec in load_catalog(folder))
        raise InputError(f"no query named {name_or_file!r} (known: {known})", file=str(folder))
    return parse_query_file(path)
