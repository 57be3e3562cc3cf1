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
    """A query of the catalog, a file given on the command line or inline text, with its parsed header.

    ``name`` is the catalog name (the file's stem), the path of a file given by path, or the option that
    gave inline text (``--sparql``); ``path`` is ``None`` for inline text."""

    name: str
    path: Path | None
    text: str
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        """What errors name: the file, or the option that gave the text."""
        return self.name if self.path is None else str(self.path)

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
        raise InputError(f"SPARQL syntax error: {_short(exc)}", file=spec.where) from None


def _short(exc: SyntaxError) -> str:
    """The parser's message without its list of every token it would have accepted."""
    text = " ".join(str(exc).split())
    head, sep, _ = text.partition(": expected one of ")
    return f"{head}: unexpected input" if sep and len(text) > 160 else text


# ------------------------------------------------------------------ header and catalog


def parse_query_file(path: Path, *, name: str | None = None, require_title: bool = True) -> QuerySpec:
    """Read one ``.rq`` file and its header. Raises :class:`InputError` naming the file and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the query ({_reason(exc)})", file=str(path)) from None
    return parse_query_text(text, path, name=name, require_title=require_title)


def query_from_text(text: str, where: str = "--sparql") -> QuerySpec:
    """Inline SPARQL (``kg query --sparql``), with or without a header; ``where`` names it in errors.
    Its syntax is checked now: :class:`InputError` naming ``where``."""
    if not text.strip():
        raise InputError("the query is empty", field=where)
    spec = parse_query_text(text, None, name=where, require_title=False)
    _check_ad_hoc(spec)
    return spec


def _check_ad_hoc(spec: QuerySpec) -> None:
    """A query from the command line parses and gives a table, whatever its target (checked here, before
    any endpoint is asked: a bad text is bad usage, exit 2, not an endpoint failure)."""
    if isinstance(_parse_check(spec), ox.QueryTriples):
        raise InputError(
            "only SELECT and ASK queries can be run here (CONSTRUCT and DESCRIBE give graphs)",
            file=spec.where,
        )


def _reason(exc: OSError | UnicodeDecodeError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return exc.strerror or str(exc)


def parse_query_text(
    text: str, path: Path | None, *, name: str | None = None, require_title: bool = True
) -> QuerySpec:
    """A query and its header. Catalog queries must have a ``# title:``; a plain SPARQL file or inline text
    (``require_title=False``) may have no header at all."""
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
    name = name or (path.stem if path is not None else "query")
    where = str(path) if path is not None else name
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
    if not title and require_title:
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
        name=name,
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
    """A catalog query by name (``questions-by-deputy``), or any SPARQL file by path: with the catalog's
    header or without one (its syntax is then checked at once, so an error names the file)."""
    candidate = Path(name_or_file)
    if name_or_file.endswith(".rq") or candidate.is_file():
        if candidate.is_dir():
            raise InputError("is a folder, not a query file", file=name_or_file)
        if not candidate.exists():
            raise InputError("no such query file", file=name_or_file)
        spec = parse_query_file(candidate, name=name_or_file, require_title=False)
        _check_ad_hoc(spec)
        return spec
    folder = directory or catalog_dir()
    path = folder / f"{name_or_file}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name_or_file) or not path.is_file():
        known = ", ".join(spec.name for spec in load_catalog(folder))
        raise InputError(f"no query named {name_or_file!r} (known: {known})", file=str(folder))
    return parse_query_file(path)
