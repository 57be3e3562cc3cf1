"""Pages of a long list: which slice to show and the links to the previous and next page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True, slots=True)
class Pager:
    page: int
    pages: int
    size: int
    previous: str | None
    next: str | None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def requested_page(params: Mapping[str, str]) -> int:
    try:
        return max(1, int(params.get("page", "1")))
    except ValueError:
        return 1


def pager(href: str, params: Mapping[str, str], total: int, size: int) -> Pager:
    """The page asked for in ``params`` (``page=N``, clamped to those that exist) of ``total`` items."""
    pages = max(1, -(-total // size))
    page = min(requested_page(params), pages)

    def link(n: int) -> str:
        query = {k: v for k, v in params.items() if k != "page"}
        if n > 1:
            query["page"] = str(n)
        return href + (f"?{urlencode(query)}" if query else "")

    return Pager(
        page, pages, size, link(page - 1) if page > 1 else None, link(page + 1) if page < pages else None
    )
